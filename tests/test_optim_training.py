"""Every optimizer trains: a small regression's loss falls under each, and `step(closure)`
evaluates the closure with gradient recording on and returns its loss, as PyTorch's."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn, optim

OPTIMIZERS = {
    "SGD": (optim.SGD, dict(lr=0.1, momentum=0.9)),
    "RMSprop": (optim.RMSprop, dict(lr=0.01)),
    "Adam": (optim.Adam, dict(lr=0.05)),
    "AdamW": (optim.AdamW, dict(lr=0.05)),
    "Adadelta": (optim.Adadelta, dict()),
    "Adagrad": (optim.Adagrad, dict(lr=0.1)),
    "Adamax": (optim.Adamax, dict(lr=0.05)),
    "RAdam": (optim.RAdam, dict(lr=0.05)),
    "NAdam": (optim.NAdam, dict(lr=0.05)),
    "LBFGS": (optim.LBFGS, dict(line_search_fn="strong_wolfe", max_iter=5)),
}


def regression():
    """A two-layer network and 32 samples of a smooth target."""
    tg.manual_seed(0)
    rng = np.random.default_rng(0)
    inputs = rng.uniform(-1, 1, size=(32, 3)).astype(np.float32)
    targets = (np.sin(inputs.sum(axis=1, keepdims=True)) + 0.5 * inputs[:, :1] ** 2).astype(np.float32)
    model = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 1))
    return model, tg.tensor(inputs), tg.tensor(targets)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_training_with_each_optimizer_lowers_the_loss(name):
    optimizer_class, hp = OPTIMIZERS[name]
    model, inputs, targets = regression()
    optimizer = optimizer_class(model.parameters(), **hp)

    def closure():
        optimizer.zero_grad()
        loss = ((model(inputs) - targets) ** 2).mean()
        loss.backward()
        return loss

    first = closure().item()
    for _ in range(30):
        optimizer.step(closure)
    assert closure().item() < 0.5 * first


@pytest.mark.parametrize("name", [name for name in OPTIMIZERS if name != "LBFGS"])
def test_step_with_a_closure_returns_its_loss_computed_with_gradients_on(name):
    optimizer_class, hp = OPTIMIZERS[name]
    model, inputs, targets = regression()
    optimizer = optimizer_class(model.parameters(), **hp)
    weight = model[0].weight
    before = weight.numpy().copy()

    def closure():
        optimizer.zero_grad()
        loss = ((model(inputs) - targets) ** 2).mean()
        loss.backward()
        return loss

    with tg.no_grad():
        loss = optimizer.step(closure)
    assert loss.requires_grad
    assert weight.grad is not None and not np.array_equal(weight.numpy(), before)


def test_step_without_a_closure_returns_none():
    param = tg.tensor(np.ones(2), requires_grad=True)
    param.grad = tg.tensor(np.ones(2))
    assert optim.Adagrad([param]).step() is None
