"""LinearLR, ConstantLR, PolynomialLR and MultiplicativeLR against PyTorch 2.13's sequences and their closed
forms, their argument checks, and `step(epoch)`: every schedule with a closed form jumps to
that epoch with it (PyTorch's deprecated use, which warns)."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lr_schedules import run, sgd

from tinygrad_np.optim.lr_scheduler import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
    _LRScheduler,
)

# ------------------------------------------------------------------ PyTorch 2.13's values (construction, then 30 steps)

LINEAR_DEFAULTS_TWO_GROUPS = [  # SGD groups with lr 0.1 and 0.05; LinearLR()
    [0.03333333333333333, 0.04666666666666667, 0.060000000000000005, 0.07333333333333335, 0.08666666666666668]
    + [0.1] * 26,
    [0.016666666666666666, 0.023333333333333334, 0.030000000000000002, 0.036666666666666674, 0.04333333333333334]
    + [0.05] * 26,
]
CONSTANT = [[0.05] * 4 + [0.1] * 27]  # lr 0.1; ConstantLR(factor=0.5, total_iters=4)
POLYNOMIAL_TWO_GROUPS = [  # groups with lr 0.1 and 0.3; PolynomialLR(total_iters=10, power=2.0)
    [0.1, 0.08100000000000002, 0.06400000000000002, 0.048999999999999995, 0.036000000000000004, 0.025000000000000005,
     0.016000000000000007, 0.009000000000000008, 0.004, 0.001] + [0.0] * 21,
    [0.3, 0.243, 0.192, 0.14699999999999996, 0.108, 0.07500000000000001, 0.048000000000000015, 0.02700000000000002,
     0.012, 0.003] + [0.0] * 21,
]


@pytest.mark.parametrize(("lrs", "make", "expected"), [
    ((0.1, 0.05), LinearLR, LINEAR_DEFAULTS_TWO_GROUPS),
    ((0.1,), lambda o: ConstantLR(o, factor=0.5, total_iters=4), CONSTANT),
    ((0.1, 0.3), lambda o: PolynomialLR(o, total_iters=10, power=2.0), POLYNOMIAL_TWO_GROUPS),
], ids=["LinearLR", "ConstantLR", "PolynomialLR"])
def test_matches_pytorch_exactly(lrs, make, expected):
    optimizer = sgd(*lrs)
    assert run(optimizer, make(optimizer), 30) == expected


@given(st.floats(0.01, 1.0), st.floats(0.0, 1.0), st.integers(1, 12), st.floats(1e-3, 10.0))
def test_linear_lr_is_base_lr_times_the_interpolated_factor(start, end, total_iters, lr):
    optimizer = sgd(lr)
    (lrs,) = run(optimizer, LinearLR(optimizer, start, end, total_iters), 20)
    expected = [lr * (start + (end - start) * min(t, total_iters) / total_iters) for t in range(21)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-9, atol=1e-14 * lr)  # where the factor reaches 0: rounding


@given(st.floats(0.01, 1.0), st.integers(1, 12), st.floats(1e-3, 10.0))
def test_constant_lr_is_base_lr_times_factor_until_total_iters(factor, total_iters, lr):
    optimizer = sgd(lr)
    (lrs,) = run(optimizer, ConstantLR(optimizer, factor, total_iters), 20)
    expected = [lr * (factor if t < total_iters else 1.0) for t in range(21)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)


@given(st.integers(1, 12), st.floats(0.1, 3.0), st.floats(1e-3, 10.0))
def test_polynomial_lr_is_base_lr_times_the_remaining_fraction_to_the_power(total_iters, power, lr):
    optimizer = sgd(lr)
    (lrs,) = run(optimizer, PolynomialLR(optimizer, total_iters, power), 20)
    expected = [lr * (1 - min(t, total_iters) / total_iters) ** power for t in range(21)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-9, atol=1e-15)


def test_defaults_are_pytorchs():
    linear, constant, polynomial = LinearLR(sgd(1.0)), ConstantLR(sgd(1.0)), PolynomialLR(sgd(1.0))
    assert (linear.start_factor, linear.end_factor, linear.total_iters) == (1 / 3, 1.0, 5)
    assert (constant.factor, constant.total_iters) == (1 / 3, 5)
    assert (polynomial.total_iters, polynomial.power) == (5, 1.0)


@pytest.mark.parametrize(("make", "message"), [
    (lambda o: LinearLR(o, start_factor=0.0), "Starting multiplicative factor expected to be greater than 0"),
    (lambda o: LinearLR(o, start_factor=1.5), "Starting multiplicative factor expected to be greater than 0"),
    (lambda o: LinearLR(o, end_factor=-0.1), "Ending multiplicative factor expected to be between 0 and 1."),
    (lambda o: LinearLR(o, end_factor=1.1), "Ending multiplicative factor expected to be between 0 and 1."),
    (lambda o: ConstantLR(o, factor=1.5), "Constant multiplicative factor expected to be between 0 and 1."),
    (lambda o: ConstantLR(o, factor=-0.5), "Constant multiplicative factor expected to be between 0 and 1."),
], ids=["start 0", "start > 1", "end < 0", "end > 1", "factor > 1", "factor < 0"])
def test_an_invalid_factor_raises_as_pytorch(make, message):
    with pytest.raises(ValueError, match=message):
        make(sgd(0.1))


def test_multiplicative_lr_matches_pytorch_exactly():
    """lr 0.1; MultiplicativeLR(lambda t: 0.9 if t < 3 else 0.5): construction, then 6 steps."""
    optimizer = sgd(0.1)
    scheduler = MultiplicativeLR(optimizer, lambda t: 0.9 if t < 3 else 0.5)
    assert run(optimizer, scheduler, 6) == [[0.1, 0.09000000000000001, 0.08100000000000002, 0.04050000000000001,
                                             0.020250000000000004, 0.010125000000000002, 0.005062500000000001]]


def test_multiplicative_lr_keeps_the_lr_when_resuming_and_takes_one_function_per_group():
    optimizer = sgd(0.1, 0.2)
    for group in optimizer.param_groups:
        group["initial_lr"] = 1.0
    scheduler = MultiplicativeLR(optimizer, [lambda t: 0.5, lambda t: 0.1], last_epoch=3)
    assert run(optimizer, scheduler, 1) == [[0.1, 0.05], [0.2, pytest.approx(0.02)]]
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        MultiplicativeLR(optimizer, [lambda t: 0.5])


class Halving:
    def __init__(self):
        self.factor = 0.5

    def __call__(self, epoch):
        return self.factor


def test_multiplicative_lr_state_dict_saves_a_callable_objects_attributes():
    scheduler = MultiplicativeLR(sgd(0.1), Halving())
    assert scheduler.state_dict()["lr_lambdas"] == [{"factor": 0.5}]


def test_the_old_base_class_name_is_kept_for_custom_schedulers():
    class Halve(_LRScheduler):
        def get_lr(self):
            return [base_lr * 0.5**self.last_epoch for base_lr in self.base_lrs]

    optimizer = sgd(0.1)
    assert isinstance(Halve(optimizer), LRScheduler) and run(optimizer, Halve(optimizer), 2) == [[0.1, 0.05, 0.025]]


# ------------------------------------------------------------------ step(epoch)

# lr 0.1; step(3), (1), (7), (0), (5), (5), (12), then step(): PyTorch's lr after each
JUMPS = [3, 1, 7, 0, 5, 5, 12, None]
CLOSED_FORMS = {
    "StepLR": (lambda o: StepLR(o, 3, 0.5), lambda t: 0.1 * 0.5 ** (t // 3)),
    "MultiStepLR": (lambda o: MultiStepLR(o, [2, 5, 5], 0.5), lambda t: 0.1 * 0.5 ** ((t >= 2) + 2 * (t >= 5))),
    "ExponentialLR": (lambda o: ExponentialLR(o, 0.9), lambda t: 0.1 * 0.9**t),
    "CosineAnnealingLR": (lambda o: CosineAnnealingLR(o, 6, 0.01),
                          lambda t: 0.01 + 0.09 * (1 + math.cos(math.pi * t / 6)) / 2),
    "LinearLR": (lambda o: LinearLR(o, 0.2, 0.9, 4), lambda t: 0.1 * (0.2 + 0.7 * min(t, 4) / 4)),
    "ConstantLR": (lambda o: ConstantLR(o, 0.5, 3), lambda t: 0.1 * (0.5 if t < 3 else 1.0)),
    "PolynomialLR": (lambda o: PolynomialLR(o, 6, 2.0), lambda t: 0.1 * (1 - min(t, 6) / 6) ** 2),
}


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_step_with_an_epoch_jumps_there_with_the_closed_form(name):
    make, closed_form = CLOSED_FORMS[name]
    optimizer = sgd(0.1)
    scheduler = make(optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in JUMPS[:-1]:
            scheduler.step(epoch)
            assert scheduler.last_epoch == epoch
            assert optimizer.param_groups[0]["lr"] == pytest.approx(closed_form(epoch), rel=1e-12)


def test_stepping_after_a_jump_continues_from_the_current_lr():
    """The chainable update after step(epoch) starts from the lr the jump wrote (StepLR: 12 → 13
    is not a decay epoch, so the lr stays 0.1 · 0.5⁴)."""
    optimizer = sgd(0.1)
    scheduler = StepLR(optimizer, 3, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler.step(12)
    scheduler.step()
    assert (scheduler.last_epoch, optimizer.param_groups[0]["lr"]) == (13, 0.1 * 0.5**4)


def test_a_custom_schedulers_closed_form_under_pytorchs_name_is_used_by_step_with_an_epoch():
    class Halving(LRScheduler):
        def get_lr(self):
            return [group["lr"] * (0.5 if self.last_epoch else 1.0) for group in self.optimizer.param_groups]

        def _get_closed_form_lr(self):
            return [base_lr * 0.5**self.last_epoch for base_lr in self.base_lrs]

    optimizer = sgd(1.0)
    scheduler = Halving(optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler.step(3)
    assert optimizer.param_groups[0]["lr"] == 0.125


def test_a_schedule_without_a_closed_form_uses_get_lr_at_the_epoch():
    optimizer = sgd(0.1)
    scheduler = LambdaLR(optimizer, lambda epoch: 1 / (epoch + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler.step(7)
    assert optimizer.param_groups[0]["lr"] == 0.1 / 8


def test_step_with_an_epoch_warns_that_it_is_deprecated_as_pytorch():
    scheduler = StepLR(sgd(0.1), 3)
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        scheduler.step(2)
