"""Resume is exact: N steps, save model + optimizer, load into fresh objects, M more steps
gives bitwise the parameters of N + M uninterrupted steps."""

import numpy as np
import pytest

import tinygrad_np as tg
import tinygrad_np.nn.functional as F
from tinygrad_np import nn, optim

OPTIMIZERS = {
    "sgd-nesterov": lambda params: optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "sgd-dampening": lambda params: optim.SGD(params, lr=0.05, momentum=0.8, dampening=0.3),
    "rmsprop-centered-momentum": lambda params: optim.RMSprop(params, lr=1e-3, momentum=0.5, centered=True),
    "adam-amsgrad": lambda params: optim.Adam(params, lr=1e-2, amsgrad=True, weight_decay=1e-4),
    "adamw": lambda params: optim.AdamW(params, lr=1e-2),
}


def make_model(seed: int) -> nn.Module:
    tg.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3))


def batches(count: int):
    rng = np.random.default_rng(0)
    return [(tg.tensor(rng.standard_normal((8, 6)).astype(np.float32)), tg.tensor(rng.integers(0, 3, 8)))
            for _ in range(count)]


def train(model, optimizer, data) -> None:
    for x, y in data:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_resumed_training_equals_uninterrupted_training_bitwise(name, tmp_path):
    data = batches(7)
    reference = make_model(1)
    train(reference, OPTIMIZERS[name](reference.parameters()), data)

    model = make_model(1)
    optimizer = OPTIMIZERS[name](model.parameters())
    train(model, optimizer, data[:4])
    tg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, tmp_path / "checkpoint.npz")

    checkpoint = tg.load(tmp_path / "checkpoint.npz")
    resumed = make_model(2)
    resumed_optimizer = OPTIMIZERS[name](resumed.parameters())
    resumed.load_state_dict(checkpoint["model"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    train(resumed, resumed_optimizer, data[4:])

    expected, actual = reference.state_dict(), resumed.state_dict()
    assert list(actual) == list(expected)
    for key in expected:
        assert actual[key].dtype == expected[key].dtype
        assert np.array_equal(actual[key].numpy(), expected[key].numpy()), key


def test_a_fresh_model_differs_before_loading(tmp_path):
    """The resume test is meaningful: the fresh model starts elsewhere."""
    assert not np.array_equal(make_model(1)[0].weight.numpy(), make_model(2)[0].weight.numpy())


SCHEDULERS = {
    "one-cycle": lambda opt: optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=7),
    "multi-step": lambda opt: optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 5], gamma=0.5),
    "cosine": lambda opt: optim.lr_scheduler.CosineAnnealingLR(opt, T_max=3),
}


def train_scheduled(model, optimizer, scheduler, data) -> None:
    for x, y in data:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
        scheduler.step()


@pytest.mark.parametrize("name", SCHEDULERS)
def test_resume_with_a_learning_rate_scheduler_is_bitwise_exact(name, tmp_path):
    data = batches(7)
    reference = make_model(1)
    reference_optimizer = optim.SGD(reference.parameters(), lr=0.05, momentum=0.9)
    reference_scheduler = SCHEDULERS[name](reference_optimizer)
    train_scheduled(reference, reference_optimizer, reference_scheduler, data)

    model = make_model(1)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = SCHEDULERS[name](optimizer)
    train_scheduled(model, optimizer, scheduler, data[:3])
    tg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()},
            tmp_path / "checkpoint.npz")

    checkpoint = tg.load(tmp_path / "checkpoint.npz")
    resumed = make_model(2)
    resumed_optimizer = optim.SGD(resumed.parameters(), lr=0.05, momentum=0.9)
    resumed_scheduler = SCHEDULERS[name](resumed_optimizer)
    resumed.load_state_dict(checkpoint["model"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    resumed_scheduler.load_state_dict(checkpoint["scheduler"])
    train_scheduled(resumed, resumed_optimizer, resumed_scheduler, data[3:])

    assert resumed_scheduler.get_last_lr() == reference_scheduler.get_last_lr()
    assert resumed_optimizer.param_groups[0]["momentum"] == reference_optimizer.param_groups[0]["momentum"]
    for key, expected in reference.state_dict().items():
        assert np.array_equal(resumed.state_dict()[key].numpy(), expected.numpy()), key
