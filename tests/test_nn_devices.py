"""device= and dtype= on layers in PyTorch's positions, and Module.to / cpu / cuda / half: the CPU
is the only device (any other raises at once), dtype sets the parameters' and floating
buffers' dtype."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.device import NoDeviceError

# each layer built with device and dtype passed positionally, in PyTorch's positions
POSITIONAL = {
    "Linear": lambda device, dtype: nn.Linear(3, 2, True, device, dtype),
    "Conv1d": lambda device, dtype: nn.Conv1d(2, 4, 3, 1, 0, 1, 1, True, "zeros", device, dtype),
    "Conv2d": lambda device, dtype: nn.Conv2d(2, 4, 3, 1, 0, 1, 1, True, "zeros", device, dtype),
    "ConvTranspose2d": lambda device, dtype: nn.ConvTranspose2d(2, 4, 3, 1, 0, 0, 1, True, 1, "zeros", device, dtype),
    "LayerNorm": lambda device, dtype: nn.LayerNorm(4, 1e-5, True, True, device, dtype),
    "BatchNorm1d": lambda device, dtype: nn.BatchNorm1d(4, 1e-5, 0.1, True, True, device, dtype),
    "BatchNorm2d": lambda device, dtype: nn.BatchNorm2d(4, 1e-5, 0.1, True, True, device, dtype),
    "Embedding": lambda device, dtype: nn.Embedding(5, 2, None, None, 2.0, False, False, None, False, device, dtype),
}


@pytest.mark.parametrize("name", POSITIONAL)
@pytest.mark.parametrize("device", ["cpu", tg.device("cpu"), None])
def test_layer_takes_device_and_dtype_in_pytorch_s_positions(name, device):
    layer = POSITIONAL[name](device, tg.float64)
    assert all(p.dtype == np.float64 for p in layer.parameters())
    assert all(b.dtype in (np.float64, np.int64) for b in layer.buffers())


@pytest.mark.parametrize("name", POSITIONAL)
def test_layer_without_dtype_has_default_dtype_parameters(name):
    assert all(p.dtype == tg.get_default_dtype() for p in POSITIONAL[name](None, None).parameters())


@pytest.mark.parametrize("name", POSITIONAL)
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps"])
def test_layer_on_an_accelerator_raises_no_device_error(name, device):
    with pytest.raises(NoDeviceError, match="runs on NumPy on the CPU"):
        POSITIONAL[name](device, None)


@pytest.mark.parametrize("name", POSITIONAL)
def test_layer_with_an_integer_dtype_raises_as_pytorch(name):
    with pytest.raises(RuntimeError, match="floating point"):
        POSITIONAL[name](None, tg.int64)


def test_layer_keywords_device_and_dtype_work_as_positionals():
    layer = nn.Linear(3, 2, device="cpu", dtype=tg.float64)
    assert layer.weight.dtype == np.float64 and layer.bias.dtype == np.float64


def model():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))


@pytest.mark.parametrize("args, kwargs", [
    ((tg.float64,), {}),
    (("cpu", tg.float64), {}),
    ((tg.device("cpu"), tg.float64), {}),
    ((tg.zeros(1, dtype=tg.float64),), {}),
    ((), {"device": "cpu", "dtype": tg.float64}),
    ((tg.float64,), {"non_blocking": True}),
])
def test_module_to_converts_floating_parameters_and_buffers_in_every_pytorch_form(args, kwargs):
    m = model()
    weight = m[0].weight
    assert m.to(*args, **kwargs) is m
    assert m[0].weight is weight and weight.dtype == np.float64
    assert m[1].running_mean.dtype == np.float64 and m[1].num_batches_tracked.dtype == np.int64


@pytest.mark.parametrize("args, kwargs", [(("cpu",), {}), ((tg.device("cpu"),), {}), ((), {"device": "cpu"})])
def test_module_to_the_cpu_changes_nothing(args, kwargs):
    m = model()
    assert m.to(*args, **kwargs) is m and m[0].weight.dtype == np.float32


@pytest.mark.parametrize("args, kwargs", [(("cuda",), {}), (("cuda:0", tg.float64), {}), ((), {"device": "mps"})])
def test_module_to_an_accelerator_raises_no_device_error(args, kwargs):
    with pytest.raises(NoDeviceError):
        model().to(*args, **kwargs)


def test_module_to_an_integer_tensor_raises_type_error_as_pytorch():
    with pytest.raises(TypeError, match="floating point"):
        model().to(tg.zeros(1, dtype=tg.int64))


def test_module_cpu_returns_the_module_unchanged():
    m = model()
    assert m.cpu() is m and m[0].weight.dtype == np.float32


@pytest.mark.parametrize("args", [(), (0,), ("cuda:1",)])
def test_module_cuda_raises_no_device_error(args):
    with pytest.raises(NoDeviceError, match="cuda"):
        model().cuda(*args)


def test_module_half_converts_to_float16():
    assert model().half()[0].weight.dtype == np.float16
