"""The primitives that exist for a transformer's speed (float32 erf, Gelu, Normalize): the
behaviours the registries' gradchecks in float64 do not reach, float32 accuracy, and that their
recorded backward (create_graph) gives the same first derivative as the fast one."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_np as tg
import tinygrad_np.nn.functional as F
from tinygrad_np.ops.elementwise import erf, erf_float32
from tinygrad_np.ops.recurrent import LSTMCellUpdate


def ulps_from_float64_erf(x: np.ndarray) -> np.ndarray:
    exact = erf(x.astype(np.float64))
    spacing = np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    return np.abs(erf_float32(x).astype(np.float64) - exact) / spacing


def test_float32_erf_is_within_4_ulp_on_a_dense_grid():
    assert ulps_from_float64_erf(np.linspace(-6, 6, 400_001, dtype=np.float32)).max() <= 4


@given(st.integers(1, 200_000), st.integers(0, 2**32 - 1), st.floats(0.01, 8))
def test_float32_erf_is_within_4_ulp_at_random_values_across_blocks(size, seed, spread):
    x = np.random.default_rng(seed).uniform(-spread, spread, size).astype(np.float32)
    assert ulps_from_float64_erf(x).max() <= 4


def test_float32_erf_saturates_at_exactly_one_and_keeps_zeros_signs_and_nan():
    out = tg.tensor([5.0, -30.0, np.inf, -np.inf, 0.0, -0.0, np.nan], dtype=tg.float32).erf().numpy()
    assert out[:4].tolist() == [1.0, -1.0, 1.0, -1.0]
    assert np.signbit(out[4:6]).tolist() == [False, True] and out[4:6].tolist() == [0.0, 0.0]
    assert np.isnan(out[6])


def test_float32_erf_is_odd_and_keeps_the_input_shape_and_dtype():
    x = tg.tensor(np.linspace(-3, 3, 24, dtype=np.float32).reshape(2, 3, 4)[:, ::2])
    y = x.erf()
    assert y.dtype == tg.float32 and y.shape == (2, 2, 4)
    np.testing.assert_array_equal(y.numpy(), -(-x).erf().numpy())


def test_float32_gelu_is_within_float32_rounding_of_the_float64_formula():
    """Absolutely: for negative x, x (1 + erf(x/√2))/2 cancels in float32 (PyTorch's float32 GELU
    is 1.2e-6 off on this grid)."""
    x = np.linspace(-8, 8, 10_001, dtype=np.float32)
    exact = [a * 0.5 * (1 + math.erf(a / math.sqrt(2))) for a in x.astype(np.float64)]
    np.testing.assert_allclose(F.gelu(tg.tensor(x)).numpy(), exact, rtol=4e-7, atol=3e-7)


def lstm_cell_update(x):
    """LSTMCellUpdate with x[:4] as the gates (H = 1) and x[4:] as the cell."""
    return LSTMCellUpdate.apply(x[:4], x[4:])


@pytest.mark.parametrize("make", [lambda x: F.gelu(x), lambda x: F.layer_norm(x, (5,)),
                                  lambda x: F.layer_norm(x, (3, 5)), lstm_cell_update],
                         ids=["gelu", "layer_norm", "layer_norm-2d", "lstm_cell_update"])
def test_the_recorded_backward_gives_the_same_gradient_as_the_fast_one(make):
    x = tg.tensor(np.random.default_rng(0).standard_normal((5, 3, 5)), requires_grad=True)
    upstream = tg.tensor(np.random.default_rng(1).standard_normal(make(x).shape))
    fast, = tg.autograd.grad(make(x), x, upstream)
    recorded, = tg.autograd.grad(make(x), x, upstream, create_graph=True)
    assert recorded.requires_grad and not fast.requires_grad
    np.testing.assert_allclose(recorded.numpy(), fast.numpy(), rtol=1e-13, atol=1e-14)


def test_layer_norm_of_a_constant_row_is_zero_with_a_finite_gradient():
    x = tg.full((2, 6), 3.0, requires_grad=True)
    y = F.layer_norm(x, (6,))
    (y * tg.arange(6.0)).sum().backward()
    assert y.tolist() == [[0.0] * 6] * 2
    assert np.isfinite(x.grad.numpy()).all()


def test_layer_norm_refuses_an_input_changed_in_place_before_backward():
    x = tg.randn(2, 5, requires_grad=True)
    h = x * 1.0
    y = F.layer_norm(h, (5,))
    h.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@given(st.integers(1, 6), st.lists(st.integers(-6, 5), min_size=1, max_size=40), st.integers(0, 3))
def test_the_gradient_of_integer_row_indexing_sums_repeats_and_treats_negative_indices_as_their_row(rows, picks, width):
    """The sorted-reduceat path of IndexAdd against np.add.at (the definition)."""
    picks = [p % rows - rows * (p < 0) for p in picks]  # in range, some negative
    weight = tg.zeros(rows, width, dtype=tg.float64, requires_grad=True)
    upstream = np.random.default_rng(len(picks)).standard_normal((len(picks), width))
    weight[np.array(picks)].backward(tg.tensor(upstream))
    expected = np.zeros((rows, width))
    np.add.at(expected, np.array(picks), upstream)
    np.testing.assert_allclose(weight.grad.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_layer_norm_with_a_weight_gives_the_same_gradients_recorded_or_not():
    rng = np.random.default_rng(2)
    x = tg.tensor(rng.standard_normal((3, 4, 5)), requires_grad=True)
    weight = tg.tensor(rng.standard_normal(5), requires_grad=True)
    upstream = tg.tensor(rng.standard_normal((3, 4, 5)))
    fast = tg.autograd.grad(F.layer_norm(x, (5,), weight), (x, weight), upstream)
    recorded = tg.autograd.grad(F.layer_norm(x, (5,), weight), (x, weight), upstream, create_graph=True)
    for a, b in zip(fast, recorded):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-13, atol=1e-14)
