"""cosine_similarity, CosineSimilarity and normalize: PyTorch 2.x's values (literals; PyTorch is
never imported), each norm clamped at eps on its own, and zero vectors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

X1 = [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [1e-5, 0.0, 0.0]]
X2 = [[1.0, 0.0, -1.0], [1.0, 1.0, 1.0], [1e-5, 0.0, 0.0]]


def test_cosine_similarity_clamps_each_norm_at_eps_and_has_a_finite_gradient_at_zero_as_pytorch():
    x1 = tg.tensor(X1, dtype=tg.float64, requires_grad=True)
    out = F.cosine_similarity(x1, tg.tensor(X2, dtype=tg.float64))
    out.sum().backward()
    np.testing.assert_allclose(out.numpy(), [-0.37796447, 0.0, 1.0], rtol=1e-7)
    np.testing.assert_allclose(x1.grad.numpy(), [[0.2159797, 0.05399492, -0.10798985], [57735026.91896258] * 3,
                                                 [0.0, 0.0, 0.0]], rtol=1e-6, atol=1e-8)


def test_cosine_similarity_with_a_larger_eps_scales_down_short_vectors():
    out = F.cosine_similarity(tg.tensor(X1), tg.tensor(X2), dim=1, eps=1e-3)
    np.testing.assert_allclose(out.numpy()[2], 1e-4, rtol=1e-5)


@given(data=st.data())
def test_cosine_similarity_is_the_dot_product_over_the_norms(data):
    x1, x2 = data.draw(arrays((3, 4), 0.5, 3.0)), data.draw(arrays((3, 4), -3.0, -0.5))
    dim = data.draw(st.sampled_from([0, 1, -1]))
    expected = (x1 * x2).sum(dim) / (np.linalg.norm(x1, axis=dim) * np.linalg.norm(x2, axis=dim))
    np.testing.assert_allclose(F.cosine_similarity(tg.tensor(x1), tg.tensor(x2), dim).numpy(), expected, rtol=1e-12)


def test_cosine_similarity_broadcasts_its_inputs():
    x1 = tg.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(F.cosine_similarity(x1, tg.tensor([[1.0, 0.0]])).numpy(), [1.0, 0.0, math.sqrt(0.5)],
                               rtol=1e-6)


def test_cosine_similarity_module_computes_the_function_along_its_dim():
    x1, x2 = tg.tensor(X1), tg.tensor(X2)
    np.testing.assert_array_equal(nn.CosineSimilarity(dim=0)(x1, x2).numpy(), F.cosine_similarity(x1, x2, 0).numpy())


def test_normalize_gives_unit_rows_and_zero_for_a_zero_row_with_gradient_one_over_eps_as_pytorch():
    x = tg.tensor([[3.0, 4.0], [0.0, 0.0], [-1.0, 2.0]], dtype=tg.float64, requires_grad=True)
    out = F.normalize(x)
    (out * tg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=tg.float64)).sum().backward()
    np.testing.assert_allclose(out.numpy(), [[0.6, 0.8], [0.0, 0.0], [-0.4472136, 0.89442719]], rtol=1e-7)
    np.testing.assert_allclose(x.grad.numpy(), [[-0.064, 0.048], [3e12, 4e12], [2.86216701, 1.43108351]], rtol=1e-7)


def test_normalize_with_p_1_along_dim_0_matches_pytorch():
    out = F.normalize(tg.tensor([[3.0, 4.0], [0.0, 0.0], [-1.0, 2.0]]), p=1, dim=0)
    np.testing.assert_allclose(out.numpy(), [[0.75, 0.66666667], [0.0, 0.0], [-0.25, 0.33333333]], rtol=1e-6)


def test_normalize_with_p_inf_divides_by_the_largest_magnitude():
    np.testing.assert_allclose(F.normalize(tg.tensor([[2.0, -4.0]]), p=math.inf).numpy(), [[0.5, -1.0]])


def test_normalize_with_out_raises_not_implemented():
    with pytest.raises(NotImplementedError, match="out="):
        F.normalize(tg.tensor([[1.0]]), out=tg.tensor([[0.0]]))
