"""Every op and every layer and loss in the registries, checked the same way: gradients against
finite differences (first and second order, float64), forward values against NumPy, inputs and
options never mutated, float32 kept float32. The registries are op_registry.py (Tensor ops)
and nn_registry.py (nn.functional and the layers; ids prefixed "nn.")."""

import nn_registry
import numpy as np
import op_registry
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_np as tg
from tinygrad_np.autograd import gradcheck, gradgradcheck

SPECS = op_registry.SPECS + nn_registry.SPECS
DIFFERENTIABLE = [spec for spec in SPECS if spec.differentiable]
SECOND_ORDER = [spec for spec in DIFFERENTIABLE if spec.second_order]
WITH_REFERENCE = [spec for spec in SPECS if spec.reference is not None]


def spec_id(spec) -> str:
    return f"nn.{spec.id}" if isinstance(spec, nn_registry.NNSpec) else spec.id


def as_tensors(case, dtype=None, requires_grad=True):
    """Float arrays become tensors that require grad; bool/int arrays stay constants."""
    tensors = []
    for array in case.arrays:
        floating = array.dtype.kind == "f"
        if floating and dtype is not None:
            array = array.astype(dtype)
        tensors.append(tg.tensor(array, requires_grad=requires_grad and floating))
    return tensors


def cast_options(kwargs, dtype):
    """Float option arrays (class weights, running statistics) in the given dtype."""
    return {k: v.astype(dtype) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
            for k, v in kwargs.items()}


def call(spec, case, tensors):
    return spec.fn(*tensors, **case.kwargs)


@pytest.mark.parametrize("spec", DIFFERENTIABLE, ids=spec_id)
@given(data=st.data())
def test_gradient_matches_finite_differences(spec, data):
    case = data.draw(spec.cases)
    assert gradcheck(lambda *xs: call(spec, case, xs), as_tensors(case), eps=spec.eps)


@pytest.mark.parametrize("spec", SECOND_ORDER, ids=spec_id)
@given(data=st.data())
def test_second_derivative_matches_finite_differences(spec, data):
    case = data.draw(spec.cases)
    assert gradgradcheck(lambda *xs: call(spec, case, xs), as_tensors(case), eps=spec.eps)


@pytest.mark.parametrize("spec", WITH_REFERENCE, ids=spec_id)
@given(data=st.data())
def test_forward_matches_numpy(spec, data):
    case = data.draw(spec.cases)
    out = call(spec, case, as_tensors(case, requires_grad=False))
    expected = np.asarray(spec.reference(*case.arrays, **case.kwargs))
    assert out.shape == expected.shape
    assert out.dtype == expected.dtype
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("spec", DIFFERENTIABLE, ids=spec_id)
@given(data=st.data())
def test_op_does_not_mutate_its_inputs_or_options(spec, data):
    case = data.draw(spec.cases)
    originals = [array.copy() for array in case.arrays]
    options = {k: v.copy() for k, v in case.kwargs.items() if isinstance(v, np.ndarray)}
    tensors = as_tensors(case)
    out = call(spec, case, tensors)
    out.backward(tg.tensor(np.random.default_rng(0).standard_normal(out.shape)))
    for tensor, original in zip(tensors, originals):
        np.testing.assert_array_equal(tensor.numpy(), original)
    for name, original in options.items():
        np.testing.assert_array_equal(case.kwargs[name], original)


@pytest.mark.parametrize("spec", DIFFERENTIABLE, ids=spec_id)
@given(data=st.data())
def test_float32_inputs_give_float32_outputs_and_gradients(spec, data):
    case = data.draw(spec.cases)
    tensors = as_tensors(case, dtype=np.float32)
    out = spec.fn(*tensors, **cast_options(case.kwargs, np.float32))
    if spec.id in ("float", "double", "astype", "to", "type", "type_as"):
        out = out.float()
    assert out.dtype == np.float32
    out.backward(tg.tensor(np.ones(out.shape, np.float32)))
    for tensor in tensors:
        if tensor.requires_grad:
            assert tensor.grad is not None and tensor.grad.dtype == np.float32
