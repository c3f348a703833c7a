"""SequentialLR and ChainedScheduler: PyTorch 2.13's sequences (a warm-up into cosine annealing,
three schedules in turn, a restart schedule after a warm-up; two chained factors), the
milestones' restarts at epoch 0, and their argument checks."""

import warnings

import numpy as np
import pytest
from lr_schedules import run, sgd

from tinygrad_np.optim.lr_scheduler import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LinearLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

# Each: the lrs after the SequentialLR's construction and after each of 30 steps, from PyTorch.
WARMUP_THEN_COSINE = [  # groups 0.1, 0.2; LinearLR(0.1, total_iters=3), CosineAnnealingLR(T_max=10); milestone 4
    [0.010000000000000002, 0.04, 0.07, 0.1, 0.1, 0.09755282581475769, 0.09045084971874738, 0.07938926261462367,
     0.06545084971874739, 0.05000000000000001, 0.03454915028125264, 0.020610737385376353, 0.009549150281252635,
     0.002447174185242324, 0.0, 0.0024471741852423235, 0.009549150281252666, 0.020610737385376433,
     0.034549150281252786, 0.050000000000000225, 0.06545084971874766, 0.079389262614624, 0.09045084971874778,
     0.09755282581475812, 0.10000000000000044, 0.0975528258147581, 0.0904508497187478, 0.079389262614624,
     0.06545084971874766, 0.050000000000000225, 0.03454915028125279],
    [0.020000000000000004, 0.08, 0.14, 0.2, 0.2, 0.19510565162951538, 0.18090169943749476, 0.15877852522924735,
     0.13090169943749477, 0.10000000000000002, 0.06909830056250528, 0.041221474770752706, 0.01909830056250527,
     0.004894348370484648, 0.0, 0.004894348370484647, 0.019098300562505333, 0.041221474770752865, 0.06909830056250557,
     0.10000000000000045, 0.13090169943749533, 0.158778525229248, 0.18090169943749557, 0.19510565162951624,
     0.20000000000000087, 0.1951056516295162, 0.1809016994374956, 0.158778525229248, 0.13090169943749533,
     0.10000000000000045, 0.06909830056250559],
]
THREE_IN_TURN = [  # lr 0.1; ConstantLR(0.5, total_iters=2), ExponentialLR(0.9), StepLR(3, 0.5); milestones 3, 8
    [0.05, 0.05, 0.1, 0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002,
     0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.00625, 0.00625, 0.00625, 0.003125,
     0.003125, 0.003125, 0.0015625, 0.0015625, 0.0015625, 0.00078125, 0.00078125],
]
WARMUP_THEN_RESTARTS = [  # lr 0.1; LinearLR(0.2, total_iters=4), CosineAnnealingWarmRestarts(4, T_mult=2); milestone 4
    [0.020000000000000004, 0.04000000000000001, 0.06000000000000001, 0.08000000000000002, 0.1, 0.08535533905932738,
     0.05, 0.014644660940672627, 0.1, 0.09619397662556434, 0.08535533905932738, 0.0691341716182545, 0.05,
     0.030865828381745515, 0.014644660940672627, 0.0038060233744356634, 0.1, 0.09903926402016153, 0.09619397662556434,
     0.09157348061512727, 0.08535533905932738, 0.07777851165098011, 0.0691341716182545, 0.059754516100806426, 0.05,
     0.04024548389919359, 0.030865828381745515, 0.022221488349019904, 0.014644660940672627, 0.008426519384872733,
     0.0038060233744356634],
]
# groups 0.1, 1.0; ChainedScheduler([ConstantLR(0.1, total_iters=3), ExponentialLR(0.9)]): the closed form,
# which PyTorch's values meet to 1e-12
CONSTANT_TIMES_EXPONENTIAL = [
    [0.1 * 0.1 * 0.9**t if t < 3 else 0.1 * 0.9**t for t in range(31)],
    [1.0 * 0.1 * 0.9**t if t < 3 else 1.0 * 0.9**t for t in range(31)],
]


def test_sequential_warm_up_then_cosine_annealing_matches_pytorch():
    optimizer = sgd(0.1, 0.2)
    warmup, cosine = LinearLR(optimizer, 0.1, total_iters=3), CosineAnnealingLR(optimizer, T_max=10)
    assert run(optimizer, SequentialLR(optimizer, [warmup, cosine], milestones=[4]), 30) == WARMUP_THEN_COSINE


def test_sequential_three_schedules_in_turn_match_pytorch():
    optimizer = sgd(0.1)
    schedulers = [ConstantLR(optimizer, 0.5, total_iters=2), ExponentialLR(optimizer, 0.9), StepLR(optimizer, 3, 0.5)]
    assert run(optimizer, SequentialLR(optimizer, schedulers, milestones=[3, 8]), 30) == THREE_IN_TURN


def test_sequential_warm_up_then_warm_restarts_matches_pytorch():
    optimizer = sgd(0.1)
    schedulers = [LinearLR(optimizer, 0.2, total_iters=4), CosineAnnealingWarmRestarts(optimizer, 4, T_mult=2)]
    lrs = run(optimizer, SequentialLR(optimizer, schedulers, milestones=[4]), 30)
    np.testing.assert_allclose(lrs, WARMUP_THEN_RESTARTS, rtol=1e-12)


def test_sequential_restarts_the_next_scheduler_at_epoch_0_on_its_milestone():
    optimizer = sgd(1.0)
    first, second = ExponentialLR(optimizer, 0.5), StepLR(optimizer, 2, 0.1)
    scheduler = SequentialLR(optimizer, [first, second], milestones=[3])
    for _ in range(3):
        scheduler.step()
    assert (second.last_epoch, optimizer.param_groups[0]["lr"]) == (0, 1.0)
    assert scheduler.get_last_lr() == [1.0] and scheduler.last_epoch == 3


class CountingStepLR(StepLR):
    """A scheduler that overrides step, as a user's might."""

    def step(self, epoch=None):
        self.calls = getattr(self, "calls", []) + [epoch]
        super().step(epoch)


def test_sequential_goes_through_each_schedulers_own_step_without_a_deprecation_warning():
    optimizer = sgd(1.0)
    first, second = ExponentialLR(optimizer, 0.5), CountingStepLR(optimizer, 2)
    scheduler = SequentialLR(optimizer, [first, second], milestones=[2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(4):
            scheduler.step()
    assert second.calls == [None, 0, None, None]


def test_sequential_construction_resets_the_lrs_and_steps_only_the_first_scheduler():
    optimizer = sgd(1.0)
    first, second = LinearLR(optimizer, 0.5, total_iters=2), ConstantLR(optimizer, 0.1, total_iters=2)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.05)  # both constructors' factors
    SequentialLR(optimizer, [first, second], milestones=[2])
    assert optimizer.param_groups[0]["lr"] == 0.5 and (first.last_epoch, second.last_epoch) == (0, -1)


def test_chained_factors_multiply_as_pytorch():
    optimizer = sgd(0.1, 1.0)
    chained = ChainedScheduler([ConstantLR(optimizer, 0.1, total_iters=3), ExponentialLR(optimizer, 0.9)])
    np.testing.assert_allclose(run(optimizer, chained, 30), CONSTANT_TIMES_EXPONENTIAL, rtol=1e-12)
    assert chained.get_last_lr() == [group["lr"] for group in optimizer.param_groups]


def test_chained_takes_the_first_schedulers_optimizer_by_default():
    optimizer = sgd(0.1)
    assert ChainedScheduler([ExponentialLR(optimizer, 0.9)]).optimizer is optimizer


@pytest.mark.parametrize("combine", [
    lambda o, schedulers: SequentialLR(o, schedulers, milestones=[2] * (len(schedulers) - 1)),
    lambda o, schedulers: ChainedScheduler(schedulers, o),
], ids=["SequentialLR", "ChainedScheduler"])
@pytest.mark.parametrize(("schedulers", "error", "message"), [
    (lambda o: [], ValueError, "expects at least one scheduler"),
    (lambda o: [ExponentialLR(o, 0.9), ReduceLROnPlateau(o)], ValueError, "does not support `ReduceLROnPlateau`"),
    (lambda o: [ExponentialLR(o, 0.9), ExponentialLR(sgd(0.1), 0.9)], ValueError,
     "expects all schedulers to belong to the same optimizer"),
    (lambda o: [ExponentialLR(o, 0.9), object()], TypeError, "should have `optimizer` as its attribute"),
], ids=["none", "plateau", "another optimizer", "not a scheduler"])
def test_invalid_schedulers_raise_as_pytorch(combine, schedulers, error, message):
    optimizer = sgd(0.1)
    with pytest.raises(error, match=message):
        combine(optimizer, schedulers(optimizer))


def test_sequential_needs_one_milestone_fewer_than_schedulers():
    optimizer = sgd(0.1)
    with pytest.raises(ValueError, match="number of schedulers 2 and the number of milestones to be equal to 2"):
        SequentialLR(optimizer, [ExponentialLR(optimizer, 0.9), StepLR(optimizer, 2)], milestones=[2, 4])


def test_state_dicts_hold_each_schedulers_state():
    optimizer = sgd(0.1)
    scheduler = SequentialLR(optimizer, [ExponentialLR(optimizer, 0.9), StepLR(optimizer, 2)], milestones=[2])
    state = scheduler.state_dict()
    assert set(state) == {"_milestones", "last_epoch", "_last_lr", "_schedulers"}
    assert [saved["last_epoch"] for saved in state["_schedulers"]] == [0, -1]
