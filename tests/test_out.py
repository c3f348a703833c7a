"""PyTorch's `out=` keyword on function forms (tinygrad_np/out.py): the result is written into
`out` in place and `out` is returned, resized or converted as PyTorch does."""

import warnings

import numpy as np
import pytest

import tinygrad_np as tg


def test_out_receives_the_result_and_is_returned():
    x, y, out = tg.tensor([1.0, 2.0]), tg.tensor([3.0, 4.0]), tg.zeros(2)
    assert tg.add(x, y, out=out) is out
    np.testing.assert_array_equal(out.numpy(), [4.0, 6.0])


def test_out_is_written_in_place_so_its_views_see_the_result():
    out = tg.zeros(2)
    view = out[:1]
    tg.mul(tg.tensor([3.0, 4.0]), 2, out=out)
    assert view.item() == 6.0


def test_writing_out_bumps_its_version():
    out = tg.zeros(2)
    before = out._version
    tg.sub(tg.ones(2), tg.ones(2), out=out)
    assert out._version > before


def test_keyword_arguments_of_the_op_pass_through():
    out = tg.zeros(2)
    tg.add(tg.ones(2), tg.ones(2), alpha=3, out=out)
    np.testing.assert_array_equal(out.numpy(), [4.0, 4.0])


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "abs", "neg", "square"])
def test_unary_functions_take_out(name):
    x = tg.tensor([0.5, 2.0])
    out = tg.zeros(2)
    getattr(tg, name)(x, out=out)
    np.testing.assert_allclose(out.numpy(), getattr(x, name)().numpy())


def test_matmul_div_cat_and_stack_take_out():
    a, b = tg.ones(2, 3), tg.ones(3)
    assert tg.matmul(a, b, out=tg.zeros(2)).tolist() == [3.0, 3.0]
    assert tg.div(b, 2, out=tg.zeros(3)).tolist() == [0.5] * 3
    assert tg.cat([b, b], out=tg.zeros(6)).tolist() == [1.0] * 6
    assert tg.stack([b, b], out=tg.zeros(2, 3)).shape == (2, 3)


def test_an_empty_out_is_resized_silently():
    out = tg.empty(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tg.add(tg.ones(3), 1, out=out)
    assert out.shape == (3,)


def test_an_out_of_another_shape_with_elements_is_resized_with_pytorchs_warning():
    out = tg.zeros(2)
    with pytest.warns(UserWarning, match=r"resized since it had shape \[2\].*required output shape \[3\]"):
        tg.add(tg.ones(3), 1, out=out)
    np.testing.assert_array_equal(out.numpy(), [2.0, 2.0, 2.0])


def test_a_view_cannot_be_resized():
    with pytest.raises(RuntimeError, match="view cannot be resized"):
        tg.add(tg.ones(3), 1, out=tg.zeros(4)[:2])


def test_the_result_is_converted_to_outs_dtype():
    out = tg.zeros(3, dtype=tg.float64)
    tg.add(tg.ones(3), 1, out=out)
    assert out.dtype == tg.float64 and out.tolist() == [2.0] * 3


def test_an_integer_result_goes_into_a_float_out():
    out = tg.zeros(2)
    tg.add(tg.tensor([1, 2]), 1, out=out)
    assert out.dtype == tg.float32 and out.tolist() == [2.0, 3.0]


def test_a_float_result_cannot_go_into_an_integer_out():
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        tg.add(tg.ones(3), 1, out=tg.zeros(3, dtype=tg.int64))


def test_an_input_that_requires_grad_is_refused_with_grad_mode_on():
    x = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"add\(\): functions with out=... arguments don't support automatic"):
        tg.add(x, 1, out=tg.zeros(3))


def test_a_tensor_in_a_list_that_requires_grad_is_refused():
    x = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        tg.cat([x, x], out=tg.zeros(6))


def test_an_out_that_requires_grad_is_refused_with_grad_mode_on():
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        tg.add(tg.ones(3), 1, out=tg.zeros(3, requires_grad=True))


def test_under_no_grad_inputs_that_require_grad_are_fine():
    x = tg.ones(3, requires_grad=True)
    out = tg.zeros(3)
    with tg.no_grad():
        tg.mul(x, 2, out=out)
    assert out.tolist() == [2.0] * 3 and out.grad_fn is None


def test_out_must_be_a_tensor():
    with pytest.raises(TypeError, match="argument 'out' must be Tensor, not list"):
        tg.add(tg.ones(1), 1, out=[0.0])


def test_functions_without_out_in_pytorch_refuse_it():
    with pytest.raises(TypeError, match="out"):
        tg.relu(tg.ones(1), out=tg.zeros(1))


def test_without_out_the_function_form_is_the_method():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert tg.add(x, x).grad_fn is not None
