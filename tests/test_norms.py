"""Norms (Tensor.norm, tg.norm, tg.linalg) give PyTorch's values, its gradients where the norm is
not differentiable, and its errors. (Gradients elsewhere are checked by the registry's property
tests.) Expected values were taken from PyTorch 2.x."""

import math

import numpy as np
import pytest

import tinygrad_np as tg


def grid():
    return tg.tensor(np.arange(6.0).reshape(2, 3))


def grad_of(fn, values):
    x = tg.tensor(np.array(values), requires_grad=True)
    fn(x).sum().backward()
    return x.grad.tolist()


@pytest.mark.parametrize(("args", "expected"), [
    ((), math.sqrt(55)), ((1,), 15.0), ((0,), 5.0), ((math.inf,), 5.0), ((-1,), 0.0),
    ((3, (0, 1)), 225 ** (1 / 3)), ((0.5,), 70.26349558296853),
])
def test_norm_values(args, expected):
    np.testing.assert_allclose(grid().norm(*args).item(), expected)


def test_frobenius_norm_over_one_dim_is_the_vector_2_norm():
    np.testing.assert_allclose(tg.norm(grid(), "fro", 1).tolist(), [math.sqrt(5), math.sqrt(50)])


def test_norm_keeps_the_reduced_dim_when_asked():
    assert tg.norm(grid(), 2, 1, True).shape == (2, 1)


def test_norm_with_a_dtype_computes_in_it():
    assert grid().float().norm(dtype=tg.float64).dtype == tg.float64


def test_the_2_norm_of_zero_has_gradient_zero():
    assert grad_of(lambda x: x.norm(), [0.0, 0.0]) == [0.0, 0.0]


@pytest.mark.parametrize("p", [1, 3, 0.5])
def test_a_zero_entry_gets_gradient_zero(p):
    assert grad_of(lambda x: x.norm(p), [0.0, 1.0]) == [0.0, 1.0]


def test_the_inf_norm_shares_the_gradient_among_ties():
    assert grad_of(lambda x: x.norm(math.inf), [-3.0, 3.0, 1.0]) == [-0.5, 0.5, 0.0]


def test_the_0_norm_counts_nan_and_has_a_zero_gradient():
    assert tg.tensor([math.nan, 0.0]).norm(0).item() == 1.0
    assert grad_of(lambda x: x.norm(0), [0.0, 2.0]) == [0.0, 0.0]


def test_norm_refuses_integer_tensors():
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor as input"):
        tg.arange(6).norm()


def test_frobenius_norm_refuses_more_than_two_dims():
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple"):
        tg.ones(2, 3, 4).norm("fro", dim=(0, 1, 2))


def test_the_nuclear_norm_is_refused_for_want_of_an_svd():
    with pytest.raises(NotImplementedError, match="SVD"):
        grid().norm("nuc")


def test_an_unknown_order_is_refused():
    with pytest.raises(RuntimeError, match="Order abc not supported"):
        grid().norm("abc")


@pytest.mark.parametrize(("ord", "expected"), [(None, math.sqrt(55)), ("fro", math.sqrt(55)), (1, 7.0), (-1, 3.0),
                                               (math.inf, 12.0), (-math.inf, 3.0)])
def test_linalg_norm_of_a_matrix(ord, expected):
    np.testing.assert_allclose(tg.linalg.norm(grid(), ord).item(), expected)


def test_linalg_norm_with_one_dim_is_a_vector_norm():
    np.testing.assert_allclose(tg.linalg.norm(grid(), 1, dim=1).tolist(), [3.0, 12.0])


def test_linalg_norm_with_an_order_needs_a_vector_or_a_matrix():
    with pytest.raises(RuntimeError, match="must be 1D or 2D. Got 3D"):
        tg.linalg.norm(tg.ones(2, 2, 2), 1)


def test_linalg_vector_norm_flattens_without_dim():
    np.testing.assert_allclose(tg.linalg.vector_norm(tg.ones(2, 2, 2), 1).item(), 8.0)


def test_linalg_vector_norm_refuses_a_string_order():
    with pytest.raises(TypeError, match="ord must be a number"):
        tg.linalg.vector_norm(grid(), "fro")


@pytest.mark.parametrize("ord", [2, -2, "nuc"])
def test_matrix_norms_needing_singular_values_are_refused(ord):
    with pytest.raises(NotImplementedError, match="SVD"):
        tg.linalg.matrix_norm(grid(), ord)
