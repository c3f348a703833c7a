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
