"""CyclicLR: PyTorch 2.13's lrs and momenta in its three modes, the closed form, a custom
scale function, and its argument checks and state dict."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lr_schedules import sgd

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.optim import Adagrad, Adam
from tinygrad_np.optim.lr_scheduler import CyclicLR


def run(optimizer, scheduler, steps, momentum="momentum"):
    """(lr, momentum or β₁) of the first group after construction and after each step."""
    def read(group):
        return group["lr"], group["momentum"] if momentum == "momentum" else group["betas"][0]

    rows = [read(optimizer.param_groups[0])]
    for _ in range(steps):
        scheduler.step()
        rows.append(read(optimizer.param_groups[0]))
    return rows


# CyclicLR(base_lr=[0.01], max_lr=[0.2], step_size_up=3, step_size_down=5, mode="triangular2") on SGD
TRIANGULAR2 = [
    (0.01, 0.9), (0.07333333333333332, 0.8666666666666667), (0.13666666666666666, 0.8333333333333334), (0.2, 0.8),
    (0.16200000000000003, 0.8200000000000001), (0.12399999999999999, 0.8400000000000001), (0.08600000000000001, 0.86),
    (0.04800000000000001, 0.88), (0.01, 0.9), (0.041666666666666664, 0.8833333333333333),
    (0.07333333333333332, 0.8666666666666667), (0.105, 0.8500000000000001), (0.08600000000000001, 0.86),
    (0.06699999999999999, 0.87),
]
# CyclicLR(0.001, 0.1, step_size_up=2, mode="exp_range", gamma=0.9, base_momentum=0.7, max_momentum=0.95) on Adam
EXP_RANGE = [
    (0.001, 0.95), (0.04555000000000001, 0.8374999999999999), (0.08119000000000001, 0.7474999999999999),
    (0.03708550000000001, 0.8588749999999999), (0.001, 0.95), (0.030229255000000007, 0.87618875),
    (0.05361265900000001, 0.8171397499999999), (0.024675696550000004, 0.8902128874999999), (0.001, 0.95),
    (0.020177314205500008, 0.9015724388749999), (0.035519165569900014, 0.862830389975),
    (0.016533624506455003, 0.91077367548875), (0.001, 0.95), (0.013582235850228556, 0.9182266771458875),
]


def test_triangular2_with_a_longer_way_down_matches_pytorch_exactly():
    optimizer = sgd(0.5, momentum=0.5)
    scheduler = CyclicLR(optimizer, [0.01], [0.2], step_size_up=3, step_size_down=5, mode="triangular2")
    assert run(optimizer, scheduler, 13) == TRIANGULAR2


def test_exp_range_cycles_adams_beta1_as_pytorch():
    optimizer = Adam([nn.Parameter(tg.zeros(1))], lr=0.5, betas=(0.9, 0.99))
    scheduler = CyclicLR(optimizer, 0.001, 0.1, step_size_up=2, mode="exp_range", gamma=0.9, base_momentum=0.7,
                         max_momentum=0.95)
    assert run(optimizer, scheduler, 13, momentum="betas") == EXP_RANGE
    assert optimizer.param_groups[0]["betas"][1] == 0.99


@given(st.integers(1, 6), st.integers(1, 6), st.floats(1e-4, 0.1), st.floats(1.5, 10.0))
def test_triangular_goes_linearly_up_and_down_between_the_bounds(up, down, base_lr, ratio):
    optimizer = sgd(1.0, momentum=0.5)
    scheduler = CyclicLR(optimizer, base_lr, base_lr * ratio, step_size_up=up, step_size_down=down)
    for t, (lr, momentum) in enumerate(run(optimizer, scheduler, 3 * (up + down))):
        position = t % (up + down)
        height = position / up if position <= up else (up + down - position) / down
        assert lr == pytest.approx(base_lr + (base_lr * ratio - base_lr) * height, rel=1e-9)
        assert momentum == pytest.approx(0.9 - 0.1 * height, rel=1e-9)


def test_a_custom_scale_fn_of_the_cycle_number():
    """scale_fn(c) = 1/c: the second cycle peaks half as high."""
    optimizer = sgd(1.0, momentum=0.5)
    scheduler = CyclicLR(optimizer, 0.0, 1.0, step_size_up=2, scale_fn=lambda cycle: 1 / cycle, cycle_momentum=False)
    lrs = [lr for lr, _ in run(optimizer, scheduler, 8)]
    assert lrs == [0.0, 0.5, 1.0, 0.5, 0.0, 0.25, 0.5, 0.25, 0.0]
    assert optimizer.param_groups[0]["momentum"] == 0.5


def test_construction_sets_base_lr_and_max_momentum_in_each_group():
    optimizer = sgd(0.5, 0.3, momentum=0.5)
    CyclicLR(optimizer, [0.01, 0.02], 0.1, base_momentum=0.6, max_momentum=0.7)
    assert [(g["lr"], g["momentum"], g["base_momentum"], g["max_momentum"], g["initial_lr"])
            for g in optimizer.param_groups] == [(0.01, 0.7, 0.6, 0.7, 0.01), (0.02, 0.7, 0.6, 0.7, 0.02)]


@pytest.mark.parametrize(("make", "message"), [
    (lambda: CyclicLR(sgd(0.1), 0.01, 0.1, mode="sawtooth"), "mode is invalid and scale_fn is None"),
    (lambda: CyclicLR(sgd(0.1, 0.2), [0.01], 0.1), "base_lr must have the same length as optimizer.param_groups"),
    (lambda: CyclicLR(Adagrad([nn.Parameter(tg.zeros(1))]), 0.01, 0.1),
     "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"),
], ids=["mode", "base_lr per group", "no momentum"])
def test_invalid_arguments_raise_as_pytorch(make, message):
    with pytest.raises(ValueError, match=message):
        make()


class Decay:
    def __init__(self):
        self.base = 0.5

    def __call__(self, x):
        return self.base**x


def test_state_dict_saves_a_callable_scale_objects_attributes_and_resumes():
    optimizer = sgd(0.5, momentum=0.5)
    scheduler = CyclicLR(optimizer, 0.01, 0.1, step_size_up=3, scale_fn=Decay(), scale_mode="iterations")
    for _ in range(4):
        scheduler.step()
    saved = scheduler.state_dict()
    assert saved["_scale_fn_custom"] == {"base": 0.5} and "optimizer" not in saved
    resumed_optimizer = sgd(0.5, momentum=0.5)
    resumed = CyclicLR(resumed_optimizer, 0.01, 0.1, step_size_up=3, scale_fn=Decay(), scale_mode="iterations")
    resumed.load_state_dict(saved)
    scheduler.step()
    resumed.step()
    assert math.isclose(resumed_optimizer.param_groups[0]["lr"], optimizer.param_groups[0]["lr"], rel_tol=1e-15)
