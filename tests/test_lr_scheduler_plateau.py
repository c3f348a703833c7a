"""ReduceLROnPlateau: PyTorch 2.13's lrs and counters on a metric sequence in each mode,
patience, cooldown, min_lr and eps, state dicts, and its argument checks."""

import copy

import pytest
from lr_schedules import sgd

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau


def lrs(optimizer):
    return [group["lr"] for group in optimizer.param_groups]


METRICS = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.81, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.7] + [0.7] * 17

# lr 0.1 and 0.01; ReduceLROnPlateau(patience=2, cooldown=1, factor=0.5, min_lr=[0.01, 0.004]), stepped
# with METRICS: (lrs, num_bad_epochs, cooldown_counter, best) after each step, from PyTorch
PATIENCE_COOLDOWN_MIN_LRS = [
    ([0.1, 0.01], 0, 0, 1.0), ([0.1, 0.01], 0, 0, 0.9), ([0.1, 0.01], 1, 0, 0.9), ([0.1, 0.01], 2, 0, 0.9),
    ([0.05, 0.005], 0, 1, 0.9), ([0.05, 0.005], 0, 0, 0.8), ([0.05, 0.005], 1, 0, 0.8), ([0.05, 0.005], 2, 0, 0.8),
    ([0.025, 0.004], 0, 1, 0.8), ([0.025, 0.004], 0, 0, 0.8), ([0.025, 0.004], 1, 0, 0.8),
    ([0.025, 0.004], 2, 0, 0.8), ([0.025, 0.004], 0, 0, 0.7), ([0.025, 0.004], 1, 0, 0.7),
    ([0.025, 0.004], 2, 0, 0.7), ([0.0125, 0.004], 0, 1, 0.7), ([0.0125, 0.004], 0, 0, 0.7),
    ([0.0125, 0.004], 1, 0, 0.7), ([0.0125, 0.004], 2, 0, 0.7), ([0.01, 0.004], 0, 1, 0.7),
    ([0.01, 0.004], 0, 0, 0.7), ([0.01, 0.004], 1, 0, 0.7), ([0.01, 0.004], 2, 0, 0.7), ([0.01, 0.004], 0, 1, 0.7),
    ([0.01, 0.004], 0, 0, 0.7), ([0.01, 0.004], 1, 0, 0.7), ([0.01, 0.004], 2, 0, 0.7), ([0.01, 0.004], 0, 1, 0.7),
    ([0.01, 0.004], 0, 0, 0.7), ([0.01, 0.004], 1, 0, 0.7),
]


def test_matches_pytorch_with_patience_cooldown_and_a_min_lr_per_group():
    optimizer = sgd(0.1, 0.01)
    scheduler = ReduceLROnPlateau(optimizer, patience=2, cooldown=1, factor=0.5, min_lr=[0.01, 0.004])
    seen = []
    for metric in METRICS:
        scheduler.step(metric)
        seen.append((lrs(optimizer), scheduler.num_bad_epochs, scheduler.cooldown_counter, scheduler.best))
    assert seen == PATIENCE_COOLDOWN_MIN_LRS


def reductions(metrics, **kwargs):
    """The steps (1-based) after which the lr went down."""
    optimizer = sgd(1.0)
    scheduler = ReduceLROnPlateau(optimizer, **kwargs)
    steps, before = [], 1.0
    for step, metric in enumerate(metrics, 1):
        scheduler.step(metric)
        if lrs(optimizer)[0] < before:
            steps.append(step)
            before = lrs(optimizer)[0]
    return steps


def test_the_lr_drops_once_the_metric_has_not_improved_for_more_than_patience_steps():
    assert reductions([1.0] + [1.0] * 12, patience=3) == [5, 9, 13]


def test_a_relative_improvement_smaller_than_threshold_does_not_count():
    """0.99995 is 0.5e-4 below 1.0: an improvement for threshold 1e-5, not for 1e-4."""
    metrics = [1.0, 0.99995, 0.99995, 0.99995]
    assert reductions(metrics, patience=2, threshold=1e-4) == [4]
    assert reductions(metrics, patience=2, threshold=1e-5) == []


def test_an_absolute_threshold_compares_differences():
    assert reductions([1.0, 0.96, 0.96, 0.96], patience=0, threshold=0.05, threshold_mode="abs") == [2, 3, 4]
    assert reductions([1.0, 0.94, 0.88, 0.82], patience=0, threshold=0.05, threshold_mode="abs") == []


def test_mode_max_treats_a_rising_metric_as_improving():
    assert reductions([0.1, 0.2, 0.3, 0.3, 0.3], mode="max", patience=1) == [5]
    assert reductions([0.3, 0.2, 0.1], mode="max", patience=1) == [3]


def test_cooldown_waits_before_counting_bad_steps_again():
    assert reductions([1.0] * 10, patience=1, cooldown=2) == [3, 7]


def test_the_lr_stops_at_min_lr_and_a_reduction_below_eps_is_skipped():
    optimizer = sgd(1.0)
    scheduler = ReduceLROnPlateau(optimizer, patience=0, factor=0.5, min_lr=0.3)
    for metric in [1.0, 1.0, 1.0, 1.0]:
        scheduler.step(metric)
    assert lrs(optimizer) == [0.3]
    optimizer = sgd(1e-8)
    scheduler = ReduceLROnPlateau(optimizer, patience=0, factor=0.5)
    scheduler.step(1.0)
    scheduler.step(1.0)
    assert lrs(optimizer) == [1e-8]


def test_the_constructor_does_not_touch_the_lrs():
    optimizer = sgd(0.1, 0.2)
    scheduler = ReduceLROnPlateau(optimizer)
    assert lrs(optimizer) == [0.1, 0.2] and scheduler.get_last_lr() == [0.1, 0.2] and scheduler.last_epoch == 0
    assert "initial_lr" not in optimizer.param_groups[0]


def test_step_takes_a_one_element_tensor_and_get_last_lr_follows():
    optimizer = sgd(0.1)
    scheduler = ReduceLROnPlateau(optimizer, patience=0)
    scheduler.step(tg.tensor(1.0))
    scheduler.step(tg.tensor([1.0]))
    assert scheduler.get_last_lr() == [pytest.approx(0.01)] and scheduler.last_epoch == 2


def test_is_an_lr_scheduler_as_in_pytorch_2():
    assert isinstance(ReduceLROnPlateau(sgd(0.1)), LRScheduler)


def test_defaults_are_pytorchs():
    scheduler = ReduceLROnPlateau(sgd(0.1))
    assert (scheduler.mode, scheduler.factor, scheduler.patience, scheduler.threshold, scheduler.threshold_mode,
            scheduler.cooldown, scheduler.min_lrs, scheduler.eps) == ("min", 0.1, 10, 1e-4, "rel", 0, [0], 1e-8)


def test_state_dict_round_trip_resumes_the_same_decisions():
    optimizer = sgd(0.1)
    scheduler = ReduceLROnPlateau(optimizer, patience=2, cooldown=1)
    for metric in METRICS[:7]:
        scheduler.step(metric)
    saved_optimizer, saved = copy.deepcopy(optimizer.state_dict()), copy.deepcopy(scheduler.state_dict())
    resumed_optimizer = sgd(0.5)
    resumed = ReduceLROnPlateau(resumed_optimizer)
    resumed_optimizer.load_state_dict(saved_optimizer)
    resumed.load_state_dict(saved)
    for metric in METRICS[7:]:
        scheduler.step(metric)
        resumed.step(metric)
        assert lrs(resumed_optimizer) == lrs(optimizer)
        assert resumed.num_bad_epochs == scheduler.num_bad_epochs


def test_state_dict_holds_every_attribute_but_the_optimizer():
    state = ReduceLROnPlateau(sgd(0.1)).state_dict()
    assert set(state) == {"factor", "min_lrs", "default_min_lr", "patience", "cooldown", "cooldown_counter", "mode",
                          "threshold", "threshold_mode", "best", "num_bad_epochs", "mode_worse", "eps", "last_epoch",
                          "_last_lr"}


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(factor=1.0), "Factor should be < 1.0."),
    (dict(mode="lowest"), "mode lowest is unknown!"),
    (dict(threshold_mode="relative"), "threshold mode relative is unknown!"),
    (dict(min_lr=[0.1, 0.2]), "expected 1 min_lrs, got 2"),
], ids=["factor", "mode", "threshold_mode", "min_lr list"])
def test_invalid_arguments_raise_as_pytorch(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ReduceLROnPlateau(sgd(0.1), **kwargs)


def test_a_group_added_later_gets_the_default_min_lr_or_an_error_with_a_list():
    optimizer = sgd(0.1)
    scheduler = ReduceLROnPlateau(optimizer, patience=0, min_lr=0.05)
    optimizer.add_param_group({"params": [nn.Parameter(tg.zeros(1))], "lr": 0.1})
    scheduler.step(1.0)
    scheduler.step(1.0)
    assert scheduler.min_lrs == [0.05, 0.05] and lrs(optimizer) == [0.05, 0.05]
    optimizer = sgd(0.1)
    scheduler = ReduceLROnPlateau(optimizer, patience=0, min_lr=[0.05])
    optimizer.add_param_group({"params": [nn.Parameter(tg.zeros(1))], "lr": 0.1})
    scheduler.step(1.0)
    with pytest.raises(RuntimeError, match="differs from when `ReduceLROnPlateau` was initialized"):
        scheduler.step(1.0)
