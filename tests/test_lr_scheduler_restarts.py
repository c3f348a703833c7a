"""CosineAnnealingWarmRestarts (SGDR): PyTorch 2.13's sequences, stepped by one and by
fractional epochs, against the closed form, and its argument checks."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lr_schedules import sgd

from tinygrad_np.optim.lr_scheduler import CosineAnnealingWarmRestarts


def lr(optimizer):
    return optimizer.param_groups[0]["lr"]


# lr 0.1; CosineAnnealingWarmRestarts(T_0=3, T_mult=2): construction, then 30 steps
PERIODS_3_6_12_24 = [
    0.1, 0.07500000000000001, 0.025000000000000012, 0.1, 0.09330127018922195, 0.07500000000000001, 0.05,
    0.025000000000000012, 0.006698729810778065, 0.1, 0.09829629131445342, 0.09330127018922195, 0.08535533905932738,
    0.07500000000000001, 0.06294095225512604, 0.05, 0.03705904774487397, 0.025000000000000012, 0.014644660940672627,
    0.006698729810778065, 0.00170370868554659, 0.1, 0.09957224306869053, 0.09829629131445342, 0.09619397662556434,
    0.09330127018922195, 0.08966766701456176, 0.08535533905932738, 0.08043807145043604, 0.07500000000000001,
    0.0691341716182545,
]

# lr 0.1; CosineAnnealingWarmRestarts(T_0=2, T_mult=2, eta_min=0.001), step(epoch + i / 4) for
# epoch 0..8, i 0..3: (lr, T_cur, T_i, last_epoch) after each
FRACTIONAL = [
    (0.1, 0.0, 2, 0), (0.0962320368593087, 0.25, 2, 0), (0.0855017856687341, 0.5, 2, 0),
    (0.06944282990207196, 0.75, 2, 0), (0.0505, 1.0, 2, 1), (0.03155717009792806, 1.25, 2, 1),
    (0.0154982143312659, 1.5, 2, 1), (0.004767963140691307, 1.75, 2, 1), (0.1, 0.0, 4, 2),
    (0.09904887137995991, 0.25, 4, 2), (0.0962320368593087, 0.5, 4, 2), (0.091657745808976, 0.75, 4, 2),
    (0.0855017856687341, 1.0, 4, 3), (0.07800072653447031, 1.25, 4, 3), (0.06944282990207196, 1.5, 4, 3),
    (0.06015697093979836, 1.75, 4, 3), (0.0505, 2.0, 4, 4), (0.04084302906020166, 2.25, 4, 4),
    (0.03155717009792806, 2.5, 4, 4), (0.022999273465529706, 2.75, 4, 4), (0.0154982143312659, 3.0, 4, 5),
    (0.009342254191024007, 3.25, 4, 5), (0.004767963140691307, 3.5, 4, 5), (0.0019511286200400938, 3.75, 4, 5),
    (0.1, 0.0, 8, 6), (0.09976164397027375, 0.25, 8, 6), (0.09904887137995991, 0.5, 8, 6),
    (0.09786854661874435, 0.75, 8, 6), (0.0962320368593087, 1.0, 8, 7), (0.09415510258524358, 1.25, 8, 7),
    (0.091657745808976, 1.5, 8, 7), (0.08876401744145548, 1.75, 8, 7), (0.0855017856687341, 2.0, 8, 8),
    (0.08190246756610045, 2.25, 8, 8), (0.07800072653447031, 2.5, 8, 8), (0.0738341384728869, 2.75, 8, 8),
]


def test_matches_pytorch_step_by_step():
    optimizer = sgd(0.1)
    scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=3, T_mult=2)
    lrs = [lr(optimizer)]
    for _ in range(30):
        scheduler.step()
        lrs.append(lr(optimizer))
    np.testing.assert_allclose(lrs, PERIODS_3_6_12_24, rtol=1e-12, atol=1e-15)


def test_matches_pytorch_with_fractional_epochs():
    optimizer = sgd(0.1)
    scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=2, T_mult=2, eta_min=0.001)
    seen = []
    for epoch in range(9):
        for i in range(4):
            scheduler.step(epoch + i / 4)
            seen.append((lr(optimizer), scheduler.T_cur, scheduler.T_i, scheduler.last_epoch))
    np.testing.assert_allclose(np.array(seen), np.array(FRACTIONAL), rtol=1e-12, atol=1e-15)


def sgdr(t, base_lr, T_0, T_mult, eta_min):
    """The closed form at epoch t: find the period t falls in, then the cosine within it."""
    start, period = 0, T_0
    while t >= start + period:
        start, period = start + period, period * T_mult
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * (t - start) / period)) / 2


@given(st.integers(1, 6), st.integers(1, 3), st.floats(0.0, 0.5), st.floats(0.5, 5.0), st.booleans())
def test_follows_the_sgdr_closed_form_stepped_or_jumped(T_0, T_mult, eta_fraction, base_lr, jump):
    optimizer = sgd(base_lr)
    eta_min = eta_fraction * base_lr
    scheduler = CosineAnnealingWarmRestarts(optimizer, T_0, T_mult, eta_min)
    for t in range(1, 40):
        scheduler.step(t) if jump else scheduler.step()
        assert lr(optimizer) == pytest.approx(sgdr(t, base_lr, T_0, T_mult, eta_min), rel=1e-9, abs=1e-12)


def test_step_with_an_epoch_does_not_warn():
    """Fractional epochs are this scheduler's documented use, unlike other schedulers' step(epoch)."""
    scheduler = CosineAnnealingWarmRestarts(sgd(0.1), T_0=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step(0.5)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(T_0=0), "Expected positive integer T_0, but got 0"),
    (dict(T_0=2.0), "Expected positive integer T_0, but got 2.0"),
    (dict(T_0=2, T_mult=0), "Expected integer T_mult >= 1, but got 0"),
    (dict(T_0=2, T_mult=1.5), "Expected integer T_mult >= 1, but got 1.5"),
    (dict(T_0=2, eta_min="0"), "Expected float or int eta_min"),
], ids=["T_0 0", "T_0 float", "T_mult 0", "T_mult float", "eta_min string"])
def test_invalid_arguments_raise_as_pytorch(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CosineAnnealingWarmRestarts(sgd(0.1), **kwargs)


def test_a_negative_epoch_raises():
    scheduler = CosineAnnealingWarmRestarts(sgd(0.1), T_0=2)
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        scheduler.step(-1)
