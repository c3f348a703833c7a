"""Tensor.multinomial draws categories in proportion to their weights, with and without
replacement, from the generator tg.manual_seed seeds (or a tg.Generator), with PyTorch's errors.

The frequency tests draw 200,000 samples from a fixed seed; their tolerance (0.01) is more than
six standard deviations of a frequency estimated from that many draws (at most 0.0016), so they
hold for any seed, not just this one.
"""

import math

import numpy as np
import pytest

import tinygrad_np as tg

WEIGHTS = np.array([0.1, 0.2, 0.3, 0.4])
DRAWS = 200_000
TOLERANCE = 0.01


def frequencies(indices: np.ndarray, categories: int) -> np.ndarray:
    return np.bincount(indices.ravel(), minlength=categories) / indices.size


def test_draws_with_replacement_follow_the_weights():
    tg.manual_seed(0)
    drawn = tg.tensor(WEIGHTS * 5).multinomial(DRAWS, replacement=True)  # weights need not add up to 1
    assert drawn.shape == (DRAWS,) and drawn.dtype == tg.int64
    np.testing.assert_allclose(frequencies(drawn.numpy(), 4), WEIGHTS, atol=TOLERANCE)


def test_draws_without_replacement_follow_the_weights_of_what_is_left():
    tg.manual_seed(0)
    drawn = tg.tensor(np.tile(WEIGHTS, (DRAWS // 2, 1))).multinomial(2).numpy()
    second = [sum(WEIGHTS[i] * WEIGHTS[j] / (1 - WEIGHTS[i]) for i in range(4) if i != j) for j in range(4)]
    np.testing.assert_allclose(frequencies(drawn[:, 0], 4), WEIGHTS, atol=TOLERANCE)
    np.testing.assert_allclose(frequencies(drawn[:, 1], 4), second, atol=TOLERANCE)


def test_draws_without_replacement_never_repeat_a_category():
    tg.manual_seed(1)
    drawn = tg.tensor(np.tile(WEIGHTS, (1000, 1))).multinomial(4).numpy()
    assert (np.sort(drawn, axis=1) == np.arange(4)).all()


def test_a_zero_weight_is_never_drawn_with_replacement():
    tg.manual_seed(2)
    assert 1 not in tg.tensor([0.5, 0.0, 0.5]).multinomial(10_000, True).tolist()


def test_zero_weights_come_last_without_replacement():
    assert tg.tensor([0.0, 1.0, 0.0]).multinomial(3).tolist()[0] == 1


def test_each_row_draws_from_its_own_weights():
    assert tg.tensor([[1.0, 0.0], [0.0, 1.0]]).multinomial(3, True).tolist() == [[0, 0, 0], [1, 1, 1]]


def test_manual_seed_fixes_the_draws():
    weights = tg.tensor(WEIGHTS)
    tg.manual_seed(3)
    first = weights.multinomial(20, True).tolist()
    tg.manual_seed(3)
    assert tg.multinomial(weights, 20, replacement=True).tolist() == first


def test_a_generator_gives_its_own_draws_and_leaves_the_library_s_alone():
    weights = tg.tensor(WEIGHTS)
    tg.manual_seed(4)
    expected_next = weights.multinomial(5, True).tolist()
    tg.manual_seed(4)
    own = weights.multinomial(5, True, generator=tg.Generator().manual_seed(7)).tolist()
    assert own == weights.multinomial(5, True, generator=tg.Generator().manual_seed(7)).tolist()
    assert weights.multinomial(5, True).tolist() == expected_next


@pytest.mark.parametrize(("weights", "num_samples", "replacement", "message"), [
    ([0.2, 0.0, 0.8], 4, False, "cannot sample n_sample > prob_dist.size"),
    ([0.2, 0.8], 0, True, r"cannot sample n_sample <= 0 samples"),
    ([0.0, 0.0], 1, True, r"invalid multinomial distribution \(sum of probabilities <= 0\)"),
    ([[1.0, 0.0], [0.0, 0.0]], 1, False, r"sum of probabilities <= 0"),
    ([-1.0, 2.0], 1, False, "contains either `inf`, `nan` or element < 0"),
    ([math.inf, 2.0], 1, False, "contains either `inf`, `nan` or element < 0"),
    ([math.nan, 2.0], 1, False, "contains either `inf`, `nan` or element < 0"),
    (1.0, 1, False, "prob_dist must be 1 or 2 dim"),
    ([1, 2], 1, False, "only supports floating-point dtypes"),
])
def test_refuses_what_pytorch_refuses(weights, num_samples, replacement, message):
    with pytest.raises(RuntimeError, match=message):
        tg.tensor(weights).multinomial(num_samples, replacement)


def test_refuses_a_fractional_number_of_samples():
    with pytest.raises(TypeError, match="num_samples"):
        tg.tensor(WEIGHTS).multinomial(1.5)
