"""Rounding, logs, logic, diagonals, closeness and Bernoulli draws: the behaviours the op registry's
property tests do not reach (PyTorch's error cases, exact values, zero gradients)."""

import numpy as np
import pytest

import tinygrad_np as tg


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round"])
def test_rounding_has_a_zero_gradient(name):
    x = tg.tensor([1.5, -2.5], requires_grad=True)
    getattr(tg, name)(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_round_takes_halves_to_even_as_pytorch():
    assert tg.round(tg.tensor([0.5, 1.5, 2.5, -0.5])).tolist() == [0.0, 2.0, 2.0, -0.0]


def test_round_to_negative_decimals_rounds_to_tens():
    assert tg.tensor([150.0, 274.0]).round(decimals=-1).tolist() == [150.0, 270.0]


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round"])
def test_rounding_an_integer_tensor_copies_it(name):
    x = tg.tensor([1, -2])
    rounded = getattr(x, name)()
    assert rounded.dtype == tg.int64 and rounded.tolist() == [1, -2]


def test_rounding_a_bool_tensor_raises():
    with pytest.raises(NotImplementedError, match='"floor" is not implemented for bool'):
        tg.tensor([True]).floor()


def test_round_with_decimals_on_integers_raises():
    with pytest.raises(NotImplementedError, match="decimals"):
        tg.tensor([1]).round(decimals=1)


def test_frac_keeps_the_sign_and_refuses_integers():
    assert tg.frac(tg.tensor([1.25, -2.5])).tolist() == [0.25, -0.5]
    with pytest.raises(NotImplementedError, match='"frac"'):
        tg.tensor([1]).frac()


def test_logs_are_exact_at_powers_of_their_base():
    assert tg.log10(tg.tensor([1000.0, 1e-3], dtype=tg.float64)).tolist() == [3.0, -3.0]
    assert tg.log10(tg.tensor(1000.0)).item() == 3.0
    assert tg.log2(tg.tensor([8.0, 0.25])).tolist() == [3.0, -2.0]


def test_expm1_keeps_the_digits_of_tiny_arguments():
    assert tg.expm1(tg.tensor(1e-20, dtype=tg.float64)).item() == 1e-20


def test_exp2_is_exact_at_integers_and_makes_integers_float():
    assert tg.exp2(tg.tensor([3, -3])).tolist() == [8.0, 0.125]


def test_logical_ops_treat_nonzero_as_true_and_broadcast():
    a = tg.tensor([[0.0], [2.0]])
    assert tg.logical_xor(a, tg.tensor([0, 1])).tolist() == [[False, True], [True, False]]


def test_a_logical_op_needs_a_tensor_operand():
    with pytest.raises(TypeError, match="argument 'other' must be Tensor, not int"):
        tg.logical_and(tg.tensor([1]), 1)


def test_outer_needs_two_vectors():
    with pytest.raises(RuntimeError, match="outer: Expected 1-D argument self, but got 2-D"):
        tg.outer(tg.ones(1, 2), tg.ones(2))


def test_diag_of_a_vector_puts_it_on_the_chosen_diagonal():
    assert tg.diag(tg.tensor([1, 2]), -1).tolist() == [[0, 0, 0], [1, 0, 0], [0, 2, 0]]


def test_diag_of_a_matrix_past_its_corner_is_empty():
    assert tg.diag(tg.ones(2, 3), -5).shape == (0,)


def test_diag_refuses_other_ranks():
    with pytest.raises(RuntimeError, match="Supports 1D or 2D tensors. Got 3D"):
        tg.diag(tg.ones(2, 2, 2))


def test_diagonal_moves_the_diagonal_to_the_last_dim():
    x = tg.arange(24).reshape(2, 3, 4)
    assert tg.diagonal(x, 0, 1, 2).tolist() == [[0, 5, 10], [12, 17, 22]]


def test_diagonal_dims_must_differ():
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical 1, 1"):
        tg.ones(2, 2).diagonal(dim1=1, dim2=-1)


def test_trace_needs_a_matrix():
    assert tg.trace(tg.arange(6).reshape(2, 3)).item() == 4
    with pytest.raises(RuntimeError, match="trace: expected a matrix, but got tensor with dim 1"):
        tg.trace(tg.ones(3))


def test_allclose_and_isclose_use_pytorchs_tolerances():
    x = tg.tensor([1.0, 100.0])
    assert tg.allclose(x, x + 1e-6 * x)
    assert not tg.allclose(x, x + 1e-4 * x)
    assert tg.isclose(x, tg.tensor([1.0, 101.0]), atol=0.5).tolist() == [True, False]


def test_nan_is_close_to_nan_only_when_asked():
    nan = tg.tensor([float("nan")])
    assert not tg.allclose(nan, nan)
    assert tg.allclose(nan, nan, equal_nan=True)


def test_closeness_needs_one_dtype_as_pytorch():
    with pytest.raises(RuntimeError, match="int64 did not match float32"):
        tg.allclose(tg.tensor([1]), tg.tensor([1.0]))


def test_equal_compares_shape_and_values_across_dtypes():
    assert tg.equal(tg.tensor([1, 2]), tg.tensor([1.0, 2.0]))
    assert not tg.equal(tg.tensor([1, 2]), tg.tensor([1]))


def test_bernoulli_draws_ones_with_the_given_probability():
    tg.manual_seed(0)
    draws = tg.bernoulli(tg.full((20000,), 0.3))
    assert draws.dtype == tg.float32 and set(np.unique(draws.numpy())) <= {0.0, 1.0}
    assert abs(draws.mean().item() - 0.3) < 6 * (0.3 * 0.7 / 20000) ** 0.5


def test_bernoulli_with_p_ignores_the_values():
    assert tg.tensor([0.0, 0.0]).bernoulli(1.0).tolist() == [1.0, 1.0]


def test_bernoulli_draws_from_the_given_generator():
    p = tg.full((50,), 0.5)
    first = tg.bernoulli(p, generator=tg.Generator().manual_seed(3))
    assert tg.equal(first, tg.bernoulli(p, generator=tg.Generator().manual_seed(3)))


def test_bernoulli_refuses_probabilities_outside_zero_one():
    with pytest.raises(RuntimeError, match="probabilities in \\[0, 1\\]"):
        tg.bernoulli(tg.tensor([1.5]))


def test_bernoulli_refuses_integer_tensors():
    with pytest.raises(NotImplementedError, match='"bernoulli"'):
        tg.bernoulli(tg.tensor([0, 1]))


def test_the_new_function_forms_take_out():
    out = tg.zeros(2)
    assert tg.floor(tg.tensor([1.5, -1.5]), out=out) is out and out.tolist() == [1.0, -2.0]
