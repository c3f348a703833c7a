"""Devices on tensors and factories: every tensor is on the CPU, "cpu" is accepted wherever
PyTorch takes a device, and asking for an accelerator raises at once (tinygrad_np/device.py)."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np.device import NoDeviceError

CPU_SPECS = ["cpu", "cpu:0", tg.device("cpu"), None]

FACTORIES = {
    "zeros": lambda **kw: tg.zeros(2, 3, **kw),
    "ones": lambda **kw: tg.ones((2, 3), **kw),
    "empty": lambda **kw: tg.empty(2, **kw),
    "full": lambda **kw: tg.full((2,), 1.5, **kw),
    "arange": lambda **kw: tg.arange(3, **kw),
    "linspace": lambda **kw: tg.linspace(0, 1, 5, **kw),
    "eye": lambda **kw: tg.eye(2, **kw),
    "rand": lambda **kw: tg.rand(2, **kw),
    "randn": lambda **kw: tg.randn(2, **kw),
    "randint": lambda **kw: tg.randint(0, 5, (2,), **kw),
    "randperm": lambda **kw: tg.randperm(4, **kw),
    "zeros_like": lambda **kw: tg.zeros_like(tg.ones(2), **kw),
    "ones_like": lambda **kw: tg.ones_like(tg.ones(2), **kw),
    "full_like": lambda **kw: tg.full_like(tg.ones(2), 3.0, **kw),
    "empty_like": lambda **kw: tg.empty_like(tg.ones(2), **kw),
    "rand_like": lambda **kw: tg.rand_like(tg.ones(2), **kw),
    "randn_like": lambda **kw: tg.randn_like(tg.ones(2), **kw),
    "tensor": lambda **kw: tg.tensor([1.0, 2.0], **kw),
    "as_tensor": lambda **kw: tg.as_tensor([1.0, 2.0], **kw),
    "Tensor": lambda **kw: tg.Tensor(2, 3, **kw),
    "new_zeros": lambda **kw: tg.ones(1).new_zeros(2, **kw),
    "new_ones": lambda **kw: tg.ones(1).new_ones(2, **kw),
    "new_full": lambda **kw: tg.ones(1).new_full((2,), 4.0, **kw),
    "new_empty": lambda **kw: tg.ones(1).new_empty(2, **kw),
    "new_tensor": lambda **kw: tg.ones(1).new_tensor([1.0], **kw),
}

WITH_LAYOUT = [name for name in FACTORIES if name not in ("tensor", "as_tensor", "Tensor", "new_tensor")]


def test_a_tensor_is_on_the_cpu():
    t = tg.zeros(2)
    assert t.device == tg.device("cpu") and str(t.device) == "cpu" and t.device.type == "cpu"
    assert t.is_cuda is False


def test_cpu_and_pin_memory_return_the_tensor_itself():
    t = tg.zeros(2)
    assert t.cpu() is t and t.pin_memory() is t and t.is_pinned() is False


def test_cuda_raises_the_device_error():
    with pytest.raises(NoDeviceError, match="NumPy on the CPU"):
        tg.zeros(2).cuda()


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("device", CPU_SPECS, ids=repr)
def test_every_factory_takes_a_cpu_device(name, device):
    assert FACTORIES[name](device=device).device == tg.device("cpu")


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps"])
def test_every_factory_refuses_an_accelerator(name, device):
    with pytest.raises(NoDeviceError):
        FACTORIES[name](device=device)


@pytest.mark.parametrize("name", WITH_LAYOUT)
def test_factories_take_the_strided_layout_and_refuse_others(name):
    FACTORIES[name](layout=tg.strided)
    with pytest.raises(ValueError, match="strided"):
        FACTORIES[name](layout="sparse_coo")


@pytest.mark.parametrize("name", ["empty", "rand", "randn", "randperm", "tensor"])
def test_pin_memory_is_accepted_where_pytorch_has_it(name):
    FACTORIES[name](pin_memory=True)


def test_the_polynomial_tutorials_factories():
    # from PyTorch's "learning PyTorch with examples" tutorials
    dtype, device = tg.float, tg.device("cpu")
    a = tg.randn((), device=device, dtype=dtype)
    b = tg.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    assert a.shape == b.shape == () and a.dtype == b.dtype == tg.float32 and b.requires_grad


def test_randint_takes_high_and_size_or_low_high_and_size():
    tg.manual_seed(0)
    assert tg.randint(10, size=(1,)).shape == (1,)
    t = tg.randint(3, 5, (100,))
    assert t.dtype == tg.int64 and set(t.tolist()) == {3, 4}
    assert tg.randint(5, (2,), dtype=tg.int32).dtype == tg.int32


@pytest.mark.parametrize("name", ["rand", "randn", "randint", "randperm"])
def test_random_factories_draw_from_a_generator_of_their_own(name):
    def draw(seed):
        return FACTORIES[name](generator=tg.Generator().manual_seed(seed)).numpy()

    tg.manual_seed(0)
    first = draw(1)
    tg.manual_seed(99)
    np.testing.assert_array_equal(draw(1), first)


# ------------------------------------------------------------------ to()


@pytest.mark.parametrize("device", CPU_SPECS[:-1], ids=repr)
def test_to_a_cpu_device_returns_the_tensor_itself(device):
    t = tg.zeros(2)
    assert t.to(device) is t and t.to(device=device) is t and t.to(device, non_blocking=True) is t


@pytest.mark.parametrize("call", [
    lambda t: t.to(tg.float64),
    lambda t: t.to("cpu", tg.float64),
    lambda t: t.to(tg.device("cpu"), tg.float64, False, True),
    lambda t: t.to(tg.float64, False, True),
    lambda t: t.to(device="cpu", dtype=tg.float64),
    lambda t: t.to("cpu", dtype=tg.float64),
    lambda t: t.to(dtype=tg.float64, copy=True),
    lambda t: t.to(tg.zeros(1, dtype=tg.float64)),
    lambda t: t.to(tg.zeros(1, dtype=tg.float64), non_blocking=True),
], ids=["dtype", "device dtype", "device dtype flags", "dtype flags", "keywords", "device dtype=", "copy",
        "other", "other non_blocking"])
def test_to_converts_in_each_of_pytorchs_forms(call):
    t = tg.tensor([1.5, 2.5], requires_grad=True)
    out = call(t)
    assert out.dtype == tg.float64 and out.grad_fn is not None


def test_to_with_copy_gives_a_new_tensor_even_when_nothing_changes():
    t = tg.zeros(2)
    for out in (t.to(tg.float32, copy=True), t.to(t, copy=True), t.to("cpu", tg.float32, False, True)):
        assert out is not t and not np.shares_memory(out.numpy(), t.numpy())


def test_to_without_changes_returns_the_tensor_itself():
    t = tg.zeros(2)
    assert t.to() is t and t.to(t) is t and t.to(tg.float32, non_blocking=True) is t
    assert t.to(memory_format=tg.contiguous_format) is t and t.to(memory_format=tg.preserve_format) is t


@pytest.mark.parametrize("device", ["cuda", "mps", "cuda:1"])
def test_to_an_accelerator_raises(device):
    with pytest.raises(NoDeviceError):
        tg.zeros(2).to(device)
    with pytest.raises(NoDeviceError):
        tg.zeros(2).to(device=device, dtype=tg.float64)


@pytest.mark.parametrize("call", [
    lambda t: t.to(tg.float64, dtype=tg.float32),
    lambda t: t.to(tg.float64, False, True, True),
    lambda t: t.to(tg.float64, blocking=True),
    lambda t: t.to(1.0),
], ids=["two dtypes", "three flags", "unknown keyword", "a number"])
def test_to_refuses_arguments_pytorch_refuses(call):
    with pytest.raises(TypeError):
        call(tg.zeros(2))
