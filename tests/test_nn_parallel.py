"""nn.parallel as PyTorch's behaves without accelerators (this machine always): DataParallel
runs the module as is, data_parallel raises PyTorch's RuntimeError, DistributedDataParallel is
refused."""

import importlib

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn


def test_nn_parallel_is_importable_as_a_module_as_dcgan_imports_it():
    parallel = importlib.import_module("tinygrad_np.nn.parallel")
    assert parallel is nn.parallel and parallel.DataParallel is nn.DataParallel


def test_data_parallel_wrapper_runs_the_module_as_is():
    tg.manual_seed(0)
    inner = nn.Linear(2, 3)
    x = tg.randn(4, 2)
    np.testing.assert_array_equal(nn.DataParallel(inner)(x).numpy(), inner(x).numpy())


def test_data_parallel_wrapper_keeps_the_module_and_no_device_ids_as_pytorch_without_accelerators():
    inner = nn.Linear(2, 3)
    wrapper = nn.DataParallel(inner, device_ids=[0, 1], output_device=0)
    assert wrapper.module is inner and wrapper.device_ids == []


def test_data_parallel_wrapper_prefixes_state_dict_keys_with_module():
    wrapper = nn.DataParallel(nn.Linear(2, 3))
    assert list(wrapper.state_dict()) == ["module.weight", "module.bias"]
    assert [name for name, _ in wrapper.named_parameters()] == ["module.weight", "module.bias"]


def test_data_parallel_wrapper_passes_keyword_arguments_through():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    np.testing.assert_array_equal(nn.DataParallel(Scale())(tg.ones(2), factor=3.0).numpy(), [3.0, 3.0])


def test_data_parallel_wrapper_repr_shows_the_module_as_pytorch():
    assert repr(nn.DataParallel(nn.ReLU())) == "DataParallel(\n  (module): ReLU()\n)"


def test_data_parallel_wrapper_gradients_reach_the_module_s_parameters():
    inner = nn.Linear(2, 1)
    nn.DataParallel(inner)(tg.ones(3, 2)).sum().backward()
    np.testing.assert_array_equal(inner.weight.grad.numpy(), [[3.0, 3.0]])


@pytest.mark.parametrize("device_ids", [None, range(2)])
def test_functional_data_parallel_raises_pytorch_s_runtime_error_without_accelerators(device_ids):
    with pytest.raises(RuntimeError, match="device type could not be determined"):
        nn.parallel.data_parallel(nn.Linear(2, 3), tg.ones(1, 2), device_ids)


def test_distributed_data_parallel_is_refused_with_a_clear_error():
    with pytest.raises(NotImplementedError, match="no torch.distributed"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 3))
