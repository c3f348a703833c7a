"""PyTorch parity through state dicts: a PyTorch state dict exported as NumPy arrays loads into
the equivalent tinygrad_np model and gives the same outputs and gradients.

The fixtures in tests/fixtures/ were written by tests/fixtures/make_torch_fixtures.py with
PyTorch 2.13 (see its docstring for the models); torch is never imported here. Each
``torch_<name>_state.npz`` is ``{k: v.numpy() for k, v in model.state_dict().items()}``, loaded
here straight from ``np.load`` with ``strict=True``. The models below have the same structure
as the PyTorch ones, so the same keys, and the check also runs the other way: tinygrad_np's own
state dict has PyTorch's keys, shapes and dtypes in PyTorch's order, so it would load into
PyTorch unchanged.
"""

import os

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
OUTPUT_TOLERANCE = dict(rtol=1e-5, atol=1e-6)
GRAD_TOLERANCE = dict(rtol=1e-5, atol=1e-6)


def load_fixture(name: str):
    return (np.load(os.path.join(FIXTURES, f"torch_{name}_state.npz")),
            np.load(os.path.join(FIXTURES, f"torch_{name}_io.npz")))


# ------------------------------------------------------------------ the models, as in the generator


def mlp():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 512), nn.ReLU(),
        nn.Linear(512, 512), nn.ReLU(),
        nn.Linear(512, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


def layernorm_gelu():
    return nn.Sequential(
        nn.Linear(16, 32),
        nn.LayerNorm(32),
        nn.GELU(),
        nn.Dropout(0.3),
        nn.Linear(32, 32),
        nn.LayerNorm(32, eps=1e-3),
        nn.GELU(approximate="tanh"),
        nn.Dropout(0.1),
        nn.Linear(32, 6),
    )


def batchnorm():
    return nn.Sequential(
        nn.Linear(12, 16),
        nn.BatchNorm1d(16),
        nn.ReLU(),
        nn.Linear(16, 16),
        nn.BatchNorm1d(16, eps=1e-3, momentum=0.3),
        nn.Tanh(),
        nn.Linear(16, 5),
    )


def batchnorm_3d():
    return nn.Sequential(nn.BatchNorm1d(4, momentum=None))


class Nested(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(20, 8, padding_idx=0)
        self.scale = nn.Parameter(tg.randn(8))
        self.register_buffer("offset", tg.randn(8))
        self.register_buffer("positions", tg.tensor(np.arange(4, dtype=np.float32)[:, None] / 4), persistent=False)
        self.blocks = nn.ModuleList([
            nn.Sequential(nn.Linear(8, 8), nn.LeakyReLU(0.1)),
            nn.Sequential(nn.Linear(8, 8), nn.Tanh(), nn.Identity()),
        ])
        self.norm = nn.LayerNorm((4, 8))
        self.heads = nn.ModuleDict({
            "cls": nn.Sequential(nn.Flatten(), nn.Linear(32, 5), nn.LogSoftmax(dim=-1)),
            "gate": nn.Sequential(nn.Linear(8, 1), nn.Sigmoid(), nn.Flatten(0)),
            "probs": nn.Sequential(nn.Flatten(1, 2), nn.Linear(32, 3), nn.LeakyReLU(), nn.Softmax(dim=1)),
        })
        self.ident = nn.Identity()

    def forward(self, idx):
        h = self.embed(idx) * self.scale + self.offset + self.positions
        for block in self.blocks:
            h = block(h) + h
        h = self.ident(self.norm(h))
        return self.heads["cls"](h), self.heads["gate"](h[:, 0]), self.heads["probs"](h)


MODELS = {"mlp": mlp, "layernorm_gelu": layernorm_gelu, "batchnorm": batchnorm, "batchnorm_3d": batchnorm_3d,
          "nested": Nested}


def loaded(name: str):
    """The tinygrad_np model with the PyTorch state dict loaded (strict), and the fixture's io."""
    state, io = load_fixture(name)
    model = MODELS[name]()
    result = model.load_state_dict(state, strict=True)
    assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
    return model, state, io


def assert_grads_match(model, io):
    expected = {k[len("grad/"):]: io[k] for k in io.files if k.startswith("grad/")}
    names = [name for name, _ in model.named_parameters()]
    assert names == list(expected)
    for name, param in model.named_parameters():
        assert param.grad is not None, name
        assert param.grad.dtype == np.float32, name
        np.testing.assert_allclose(param.grad.numpy(), expected[name], **GRAD_TOLERANCE, err_msg=name)


# ------------------------------------------------------------------ keys, shapes, dtypes, order


@pytest.mark.parametrize("name", list(MODELS))
def test_state_dict_keys_shapes_and_dtypes_equal_pytorchs_in_order(name):
    state, _ = load_fixture(name)
    ours = MODELS[name]().state_dict()
    assert list(ours) == state.files
    for key, value in ours.items():
        assert value.shape == state[key].shape, key
        assert value.dtype == state[key].dtype, key


@pytest.mark.parametrize("name", list(MODELS))
def test_pytorch_state_dict_loads_strictly_and_reads_back_unchanged(name):
    model, state, _ = loaded(name)
    ours = model.state_dict()
    for key in state.files:
        np.testing.assert_array_equal(ours[key].numpy(), state[key], err_msg=key)
        assert ours[key].dtype == state[key].dtype, key


def test_parameters_are_the_same_objects_after_loading():
    model = layernorm_gelu()
    before = [(p, p.numpy()) for p in model.parameters()]
    state, _ = load_fixture("layernorm_gelu")
    model.load_state_dict(state)
    assert all(p is q and p.numpy() is array for (p, array), q in zip(before, model.parameters()))


# ------------------------------------------------------------------ outputs and gradients


def test_mnist_mlp_outputs_match_pytorch():
    model, _, io = loaded("mlp")
    model.eval()
    with tg.no_grad():
        out = model(tg.tensor(io["input"]))
    assert out.dtype == np.float32 and out.shape == (8, 10)
    np.testing.assert_allclose(out.numpy(), io["output"], **OUTPUT_TOLERANCE)


def test_layernorm_gelu_dropout_eval_outputs_match_pytorch():
    model, _, io = loaded("layernorm_gelu")
    model.eval()
    out = model(tg.tensor(io["input"]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), io["output"], **OUTPUT_TOLERANCE)


def test_layernorm_gelu_cross_entropy_gradients_match_pytorch():
    model, _, io = loaded("layernorm_gelu")
    model.eval()
    nn.CrossEntropyLoss()(model(tg.tensor(io["input"])), tg.tensor(io["target"])).backward()
    assert_grads_match(model, io)


@pytest.mark.parametrize("name", ["batchnorm", "batchnorm_3d"])
def test_batchnorm_eval_outputs_use_the_loaded_running_statistics(name):
    model, state, io = loaded(name)
    model.eval()
    out = model(tg.tensor(io["input_eval"]))
    np.testing.assert_allclose(out.numpy(), io["output_eval"], **OUTPUT_TOLERANCE)
    for key, value in model.state_dict().items():  # eval mode leaves the buffers alone
        np.testing.assert_array_equal(value.numpy(), state[key], err_msg=key)


@pytest.mark.parametrize("name", ["batchnorm", "batchnorm_3d"])
def test_batchnorm_train_mode_output_matches_pytorch(name):
    model, _, io = loaded(name)
    model.train()
    out = model(tg.tensor(io["input_train"]))
    np.testing.assert_allclose(out.numpy(), io["output_train"], **OUTPUT_TOLERANCE)


@pytest.mark.parametrize("name", ["batchnorm", "batchnorm_3d"])
def test_batchnorm_train_mode_updates_buffers_as_pytorch(name):
    model, _, io = loaded(name)
    model.train()
    model(tg.tensor(io["input_train"]))
    after = model.state_dict()
    for key in (k[len("after/"):] for k in io.files if k.startswith("after/")):
        assert after[key].dtype == io[f"after/{key}"].dtype, key
        np.testing.assert_allclose(after[key].numpy(), io[f"after/{key}"], **OUTPUT_TOLERANCE, err_msg=key)


def test_batchnorm_train_mode_cross_entropy_gradients_match_pytorch():
    model, _, io = loaded("batchnorm")
    model.train()
    nn.CrossEntropyLoss()(model(tg.tensor(io["input_train"])), tg.tensor(io["target"])).backward()
    assert_grads_match(model, io)


def nested_forward():
    model, _, io = loaded("nested")
    model.eval()
    return model, io, model(tg.tensor(io["input"]))


def test_nested_module_outputs_match_pytorch():
    _, io, (log_probs, gate, probs) = nested_forward()
    np.testing.assert_allclose(log_probs.numpy(), io["output_log_probs"], **OUTPUT_TOLERANCE)
    np.testing.assert_allclose(gate.numpy(), io["output_gate"], **OUTPUT_TOLERANCE)
    np.testing.assert_allclose(probs.numpy(), io["output_probs"], **OUTPUT_TOLERANCE)


def test_nested_module_gradients_match_pytorch_with_no_gradient_for_the_padding_row():
    model, io, (log_probs, gate, probs) = nested_forward()
    loss = nn.CrossEntropyLoss()(log_probs, tg.tensor(io["target"])) + (gate * tg.tensor(io["u"])).sum() \
        + (probs * tg.tensor(io["v"])).sum()
    np.testing.assert_allclose(loss.item(), io["loss"], **OUTPUT_TOLERANCE)
    loss.backward()
    assert_grads_match(model, io)
    assert not np.any(model.embed.weight.grad.numpy()[0])


def test_non_persistent_buffer_is_not_in_the_pytorch_state_dict():
    state, _ = load_fixture("nested")
    assert "positions" not in state.files
    assert "positions" in dict(Nested().named_buffers())
