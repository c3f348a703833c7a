"""inplace=True on relu, leaky_relu, elu and the dropouts (functions and layers), as PyTorch:
the input tensor itself takes the result and is returned, its version moves, its views see the
new values, a leaf that requires grad refuses, a value saved for backward that it overwrites
makes backward raise, and otherwise gradients equal those of the out-of-place form."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

VALUES = [[-2.0, -0.5, 0.5, 2.0], [1.0, -1.0, 3.0, -3.0]]

IN_PLACE = [
    ("relu", lambda x: F.relu(x, inplace=True), F.relu),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2, inplace=True), lambda x: F.leaky_relu(x, 0.2)),
    ("elu", lambda x: F.elu(x, 0.5, inplace=True), lambda x: F.elu(x, 0.5)),
    ("ReLU", nn.ReLU(inplace=True), nn.ReLU()),
    ("LeakyReLU", nn.LeakyReLU(0.2, inplace=True), nn.LeakyReLU(0.2)),
    ("ELU", nn.ELU(inplace=True), nn.ELU()),
]
IDS = [name for name, _, _ in IN_PLACE]


@pytest.mark.parametrize("name, in_place, out_of_place", IN_PLACE, ids=IDS)
def test_in_place_form_returns_its_input_holding_the_out_of_place_result(name, in_place, out_of_place):
    x = tg.tensor(VALUES)
    expected = out_of_place(tg.tensor(VALUES)).numpy()
    version = x._version
    assert in_place(x) is x
    np.testing.assert_array_equal(x.numpy(), expected)
    assert x._version == version + 1


@pytest.mark.parametrize("name, in_place, out_of_place", IN_PLACE, ids=IDS)
def test_in_place_form_is_seen_through_a_view_of_its_input(name, in_place, out_of_place):
    base = tg.tensor(VALUES)
    in_place(base[0])
    np.testing.assert_array_equal(base.numpy()[0], out_of_place(tg.tensor(VALUES[0])).numpy())


@pytest.mark.parametrize("name, in_place, out_of_place", IN_PLACE, ids=IDS)
def test_in_place_form_on_a_leaf_that_requires_grad_raises_as_pytorch(name, in_place, out_of_place):
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        in_place(tg.tensor(VALUES, requires_grad=True))


@pytest.mark.parametrize("name, in_place, out_of_place", IN_PLACE, ids=IDS)
def test_in_place_form_on_an_intermediate_gives_the_out_of_place_gradient(name, in_place, out_of_place):
    x = tg.tensor(VALUES, requires_grad=True)
    (in_place(x * 3) * tg.tensor(VALUES)).sum().backward()
    y = tg.tensor(VALUES, requires_grad=True)
    (out_of_place(y * 3) * tg.tensor(VALUES)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), rtol=1e-6)


def test_in_place_relu_over_an_output_saved_for_backward_makes_backward_raise_as_pytorch():
    x = tg.tensor(VALUES, requires_grad=True)
    y = x.sigmoid()  # sigmoid's backward reads its output
    F.relu(y, inplace=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_relu_inplace_layer_in_a_model_trains_as_the_out_of_place_one():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(inplace=True), nn.Linear(3, 1))
    tg.manual_seed(0)
    reference = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))
    x = tg.tensor(VALUES)
    model(x).sum().backward()
    reference(x).sum().backward()
    for p, q in zip(model.parameters(), reference.parameters()):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


@pytest.mark.parametrize("dropout, shape", [(F.dropout, (4, 4)), (F.dropout1d, (4, 4, 3)),
                                            (F.dropout2d, (4, 4, 2, 2))])
def test_in_place_dropout_returns_its_input_holding_the_same_draw(dropout, shape):
    tg.manual_seed(5)
    expected = dropout(tg.ones(*shape), 0.5).numpy()
    x = tg.ones(*shape)
    tg.manual_seed(5)
    assert dropout(x, 0.5, inplace=True) is x
    np.testing.assert_array_equal(x.numpy(), expected)


def test_in_place_dropout_outside_training_returns_its_input_unchanged():
    x = tg.tensor(VALUES)
    assert nn.Dropout(0.5, inplace=True).eval()(x) is x
    np.testing.assert_array_equal(x.numpy(), VALUES)
