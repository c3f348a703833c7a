"""Every op in the registry, checked the same way: gradients against finite differences
(first and second order, float64), forward values against NumPy, inputs never mutated,
float32 kept float32."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from op_registry import SPECS

import tinygrad_np as tg
from tinygrad_np.autograd import gradcheck, gradgradcheck

DIFFERENTIABLE = [spec for spec in SPECS if spec.differentiable]
SECOND_ORDER = [spec for spec in DIFFERENTIABLE if spec.second_order]
WITH_REFERENCE = [spec for spec in SPECS if spec.reference is not None]


def as_tensors(case, dtype=None, requires_grad=True):
    """Float arrays become tensors that require grad; bool/int arrays stay constants."""
    tensors = []
    for array in case.arrays:
        floating = array.dtype.kind == "f"
        if floating and dtype is not None:
            array = array.astype(dtype)
        tensors.append(tg.tensor(array, requires_grad=requires_grad and floating))
    return tensors


def call(spec, case, tensors):
    return spec.fn(*tensors, **case.kwargs)


@pytest.mark.parametrize("spec", DIFFERENTIABLE, ids=repr)
@given(data=st.data())
def test_gradient_matches_finite_differences(spec, data):
    case = data.draw(spec.cases)
    assert gradcheck(lambda *xs: call(spec, case, xs), as_tensors(case), eps=spec.eps)


@pytest.mark.parametrize("spec", SECOND_ORDER, ids=repr)
@given(data=st.data())
def test_second_derivative_matches_finite_differences(spec, data):
    case = data.draw(spec.cases)
    assert gradgradcheck(lambda *xs: call(spec, case, xs), as_tensors(case), eps=spec.eps)


@pytest.mark.parametrize("spec", WITH_REFERENCE, ids=repr)
@given(data=st.data())
def test_forward_matches_numpy(spec, data):
    case = data.draw(spec.cases)
    out = call(spec, case, as_tensors(case, requires_grad=False))
    expected = np.asarray(spec.reference(*case.arrays, **case.kwargs))
    assert out.shape == expected.shape
    assert out.dtype == expected.dtype
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spec", DIFFERENTIABLE, ids=repr)
@given(data=st.data())
def test_op_does_not_mutate_its_inputs(spec, data):
    case = data.draw(spec.cases)
    originals = [array.copy() for array in case.arrays]
    tensors = as_tensors(case)
    out = call(spec, case, tensors)
    out.backward(tg.tensor(np.random.default_rng(0).standard_normal(out.shape)))
    for tensor, original in zip(tensors, originals):
        np.testing.assert_array_equal(tensor.data, original)


@pytest.mark.parametrize("spec", DIFFERENTIABLE, ids=repr)
@given(data=st.data())
def test_float32_inputs_give_float32_outputs_and_gradients(spec, data):
    case = data.draw(spec.cases)
    tensors = as_tensors(case, dtype=np.float32)
    out = call(spec, case, tensors)
    if spec.id in ("float", "double", "astype", "to"):
        out = out.float()
    assert out.dtype == np.float32
    out.backward(tg.tensor(np.ones(out.shape, np.float32)))
    for tensor in tensors:
        if tensor.requires_grad:
            assert tensor.grad is not None and tensor.grad.dtype == np.float32
