"""PyTorch's GPU-only switches (mixed precision, compile, distributed, TF32) behave as PyTorch's
on a CPU-only machine: disabled with its warning where it would do nothing, refused where it
would change the numbers (nanoGPT's train.py sets all of them)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_np as tg

REPO = str(Path(__file__).resolve().parent.parent)


def sgd_on_one_parameter():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    w.grad = tg.tensor([0.5, -1.0])
    return w, tg.optim.SGD([w], lr=0.1)


def test_a_cuda_grad_scaler_disables_itself_with_pytorchs_warning():
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling"):
        scaler = tg.amp.GradScaler("cuda")
    assert scaler.is_enabled() is False and scaler.get_scale() == 1.0 and scaler.state_dict() == {}


def test_a_disabled_scaler_passes_the_loss_through_and_steps_the_optimizer_as_it_is():
    w, optimizer = sgd_on_one_parameter()
    scaler = tg.amp.GradScaler(enabled=False)
    loss = tg.tensor(3.0)
    assert scaler.scale(loss) is loss
    scaler.unscale_(optimizer)
    scaler.step(optimizer)
    scaler.update()
    np.testing.assert_allclose(w.detach().numpy(), [0.95, 2.1])


def test_the_deprecated_cuda_amp_spellings_warn_as_pytorchs():
    with pytest.warns(FutureWarning, match=r"torch.amp.GradScaler\('cuda', args...\)"):
        assert tg.cuda.amp.GradScaler(enabled=False).is_enabled() is False
    with pytest.warns(FutureWarning, match=r"torch.amp.autocast\('cuda', args...\)"):
        tg.cuda.amp.autocast(enabled=False)


def test_a_cuda_autocast_disables_itself_and_changes_no_dtype():
    with pytest.warns(UserWarning, match="Disabling autocast"):
        context = tg.autocast(device_type="cuda", dtype=tg.float16)
    with context:
        assert (tg.ones(2, 2) @ tg.ones(2, 2)).dtype == tg.float32


def test_autocast_on_the_cpu_is_refused_unless_disabled():
    with tg.amp.autocast("cpu", enabled=False):
        pass
    with pytest.raises(NotImplementedError, match="bfloat16"):
        tg.amp.autocast("cpu", dtype=tg.bfloat16)


def test_compile_returns_the_model_itself_and_decorates_functions_unchanged():
    model = tg.nn.Linear(2, 2)
    assert tg.compile(model) is model and list(tg.compile(model).state_dict()) == ["weight", "bias"]

    @tg.compile(mode="max-autotune")
    def double(x):
        return 2 * x

    assert double(tg.tensor(1.5)).item() == 3.0


def test_bfloat16_is_a_name_whose_use_raises():
    assert tg.bfloat16 != tg.float32
    with pytest.raises(TypeError, match="no bfloat16"):
        tg.ones(2).to(tg.bfloat16)


def test_no_process_group_exists_and_none_can_be_started():
    assert tg.distributed.is_available() is False and tg.distributed.is_initialized() is False
    with pytest.raises(NotImplementedError, match="without torchrun"):
        tg.distributed.init_process_group(backend="nccl")
    with pytest.raises(ValueError, match="has not been initialized"):
        tg.distributed.destroy_process_group()


def test_the_tf32_switches_have_pytorchs_defaults():
    """In a fresh interpreter: they are process-wide settings, which other tests (docs/pytorch.md's
    accepted rows, run by test_compat) set as nanoGPT does."""
    code = ("import tinygrad_np as tg; print(tg.backends.cuda.matmul.allow_tf32, tg.backends.cudnn.allow_tf32, "
            "tg.backends.cuda.is_built(), tg.cuda.is_bf16_supported())")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True)
    assert result.stdout.split() == ["False", "True", "False", "False"]


@pytest.mark.parametrize("optimizer", [tg.optim.Adam, tg.optim.AdamW])
def test_adam_takes_pytorchs_fused_kernel_choice_and_steps_the_same(optimizer):
    steps = []
    for fused in (None, True):
        w = tg.tensor([1.0, -2.0], requires_grad=True)
        w.grad = tg.tensor([0.5, 0.25])
        adam = optimizer([w], lr=0.1, fused=fused)
        adam.step()
        assert adam.param_groups[0]["fused"] is fused
        steps.append(w.detach().numpy().copy())
    np.testing.assert_array_equal(*steps)


def test_adam_refuses_fused_with_foreach_and_the_cuda_graph_option():
    w = tg.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="cannot be `True` together"):
        tg.optim.AdamW([w], fused=True, foreach=True)
    with pytest.raises(ValueError, match="capturable=True is for CUDA graphs"):
        tg.optim.AdamW([w], capturable=True)
