"""nn.utils.clip_grad_value_, parameters_to_vector and vector_to_parameters, and
Module.get_parameter/get_buffer, as PyTorch 2.x's."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn


def model():
    tg.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))


def test_clip_grad_value_clamps_every_gradient_elementwise_and_returns_none():
    layer = nn.Linear(2, 3)
    (layer(tg.tensor([[10.0, -10.0]])) * tg.tensor([[1.0, -2.0, 0.01]])).sum().backward()
    assert nn.utils.clip_grad_value_(layer.parameters(), 0.5) is None
    np.testing.assert_allclose(layer.weight.grad.numpy(), [[0.5, -0.5], [-0.5, 0.5], [0.1, -0.1]], rtol=1e-6)
    np.testing.assert_allclose(layer.bias.grad.numpy(), [0.5, -0.5, 0.01], rtol=1e-6)


def test_clip_grad_value_skips_parameters_without_a_gradient_and_takes_one_tensor():
    unused, used = nn.Parameter(tg.ones(2)), nn.Parameter(tg.ones(2))
    (used * 3).sum().backward()
    nn.utils.clip_grad_value_([unused, used], 1.0)
    nn.utils.clip_grad_value_(used, 1.0)
    assert unused.grad is None and used.grad.numpy().tolist() == [1.0, 1.0]


def test_parameters_to_vector_concatenates_the_flattened_parameters_differentiably():
    net = model()
    vector = nn.utils.parameters_to_vector(net.parameters())
    assert vector.shape == (15,)
    np.testing.assert_array_equal(vector.numpy()[:6], net[0].weight.numpy().ravel())
    (vector * tg.arange(15.0)).sum().backward()
    np.testing.assert_array_equal(net[0].weight.grad.numpy().ravel(), np.arange(6.0))


def test_vector_to_parameters_makes_each_parameter_a_view_of_its_slice():
    net = model()
    vector = tg.arange(15.0)
    nn.utils.vector_to_parameters(vector, net.parameters())
    np.testing.assert_array_equal(net[0].weight.numpy(), [[0, 1], [2, 3], [4, 5]])
    np.testing.assert_array_equal(net[1].bias.numpy(), [12, 13, 14])
    vector.data[0] = 100.0
    assert net[0].weight.numpy()[0, 0] == 100.0 and net[0].weight.requires_grad


def test_vector_to_parameters_round_trips_parameters_to_vector():
    net, other = model(), nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    nn.utils.vector_to_parameters(nn.utils.parameters_to_vector(net.parameters()).detach(), other.parameters())
    for a, b in zip(net.parameters(), other.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_vector_to_parameters_refuses_a_non_tensor_as_pytorch():
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        nn.utils.vector_to_parameters([1.0], model().parameters())


def test_vector_to_parameters_of_a_short_vector_raises():
    with pytest.raises(RuntimeError):
        nn.utils.vector_to_parameters(tg.ones(3), model().parameters())


def test_get_parameter_follows_a_dotted_path():
    net = model()
    assert net.get_parameter("0.weight") is net[0].weight
    assert net.get_buffer("1.running_mean") is net[1].running_mean


@pytest.mark.parametrize("call, message", [
    (lambda net: net.get_parameter("0.foo"), "Linear has no attribute `foo`"),
    (lambda net: net.get_parameter("1.running_mean"), "`running_mean` is not an nn.Parameter"),
    (lambda net: net.get_parameter("weight"), "Sequential has no attribute `weight`"),
    (lambda net: net.get_parameter("2.weight"), "has no submodule `2`"),
    (lambda net: net.get_buffer("0.weight"), "`weight` is not a buffer"),
])
def test_get_parameter_and_get_buffer_errors_are_attribute_errors(call, message):
    with pytest.raises(AttributeError, match=message):
        call(model())
