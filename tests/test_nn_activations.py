"""The activations beyond relu, elu, sigmoid and tanh: values and gradients, kinks included,
against literals from PyTorch 2.x (CPU, float64; PyTorch itself is never imported), PyTorch's
errors and reprs, and PReLU's parameter. gradcheck and gradgradcheck run on every one through
nn_registry.py."""

import warnings

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

X = [-3.5, -3.0, -1.0, 0.0, 0.5, 3.0, 6.5]  # with the kinks of hardswish, hardsigmoid, relu6, hardtanh

EXPECTED = {  # name: (F form, values, gradient of the sum)
    "silu": (F.silu, [-0.1025928076, -0.1422776195, -0.2689414214, 0.0, 0.3112296656, 2.8577223805, 6.4902423153],
             [-0.0702733528, -0.088104106, 0.0723294881, 0.5, 0.7399611873, 1.088104106, 1.0082418543]),
    "mish": (F.mish, [-0.1040957545, -0.1456474613, -0.3034014614, 0.0, 0.3752452113, 2.986535005, 6.4999707039],
             [-0.0727604134, -0.0933931145, 0.0592167559, 0.6, 0.8864243754, 1.0211069109, 1.0000539969]),
    "hardtanh": (F.hardtanh, [-1.0, -1.0, -1.0, 0.0, 0.5, 1.0, 1.0], [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]),
    "relu6": (F.relu6, [0.0, 0.0, 0.0, 0.0, 0.5, 3.0, 6.0], [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0]),
    "hardsigmoid": (F.hardsigmoid, [0.0, 0.0, 1 / 3, 0.5, 0.5833333333, 1.0, 1.0],
                    [0.0, 0.0, 1 / 6, 1 / 6, 1 / 6, 0.0, 0.0]),
    "hardswish": (F.hardswish, [0.0, 0.0, -1 / 3, 0.0, 0.2916666667, 3.0, 6.5],
                  [0.0, 0.0, 1 / 6, 0.5, 0.6666666667, 1.0, 1.0]),
    "selu": (F.selu, [-1.705009341, -1.6705687288, -1.1113307378, 0.0, 0.5253504937, 3.1521029621, 6.8295564178],
             [0.0530899999, 0.0875306121, 0.646768603, 1.7580993408, 1.0507009874, 1.0507009874, 1.0507009874]),
    "celu": (lambda x: F.celu(x, 2.0), [-1.6524521131, -1.5537396797, -0.7869386806, 0.0, 0.5, 3.0, 6.5],
             [0.1737739435, 0.2231301601, 0.6065306597, 1.0, 1.0, 1.0, 1.0]),
    "threshold": (lambda x: F.threshold(x, 0.5, -2.0), [-2.0, -2.0, -2.0, -2.0, -2.0, 3.0, 6.5],
                  [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]),
    "softsign": (F.softsign, [-0.7777777778, -0.75, -0.5, 0.0, 1 / 3, 0.75, 0.8666666667],
                 [0.049382716, 0.0625, 0.25, 1.0, 0.4444444444, 0.0625, 0.0177777778]),
    "tanhshrink": (F.tanhshrink, [-2.5018221024, -2.0049452463, -0.238405844, 0.0, 0.0378828427, 2.0049452463,
                                  5.5000045206],
                   [0.9963591153, 0.9901339628, 0.5800256584, 0.0, 0.213552267, 0.9901339628, 0.9999909587]),
    "prelu": (lambda x: F.prelu(x, tg.tensor([0.25], dtype=tg.float64)), [-0.875, -0.75, -0.25, 0.0, 0.5, 3.0, 6.5],
              [0.25, 0.25, 0.25, 0.25, 1.0, 1.0, 1.0]),
    "softplus": (lambda x: F.softplus(x, 2.0, 5.0), [0.0004557332, 0.0012378426, 0.0634640055, 0.3465735903,
                                                      0.6566308438, 3.0, 6.5],
                 [0.0009110512, 0.0024726232, 0.119202922, 0.5, 0.7310585786, 1.0, 1.0]),
    "logsigmoid": (F.logsigmoid, [-3.5297504183, -3.0485873516, -1.3132616875, -0.6931471806, -0.4740769842,
                                  -0.0485873516, -0.0015023102],
                   [0.9706877692, 0.9525741268, 0.7310585786, 0.5, 0.3775406688, 0.0474258732, 0.0015011823]),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_activation_values_and_gradients_at_and_between_kinks_match_pytorch(name):
    function, values, gradient = EXPECTED[name]
    x = tg.tensor(X, dtype=tg.float64, requires_grad=True)
    y = function(x)
    y.sum().backward()
    np.testing.assert_allclose(y.numpy(), values, atol=1e-9)
    np.testing.assert_allclose(x.grad.numpy(), gradient, atol=1e-7)


@pytest.mark.parametrize("function", [F.silu, F.mish, F.hardtanh, F.relu6, F.hardsigmoid, F.hardswish, F.selu,
                                      F.celu, lambda x, inplace: F.threshold(x, 0.5, -2.0, inplace)])
def test_inplace_activation_writes_into_its_input_and_returns_it(function):
    x = tg.tensor(X)
    expected = function(x.clone(), inplace=False).numpy()
    assert function(x, inplace=True) is x
    np.testing.assert_allclose(x.numpy(), expected)


def test_glu_multiplies_the_first_half_by_the_sigmoid_of_the_second():
    np.testing.assert_allclose(F.glu(tg.tensor([[1.0, 2.0, 3.0, 4.0]])).numpy(), [[0.9525741268, 1.9640275801]])


def test_softmin_is_the_softmax_of_the_negated_input():
    np.testing.assert_allclose(F.softmin(tg.tensor([1.0, 2.0, 3.0]), 0).numpy(),
                               [0.6652409558, 0.2447284711, 0.0900305732], rtol=1e-6)


def test_softmin_dtype_casts_the_input_first():
    assert F.softmin(tg.tensor([1.0, 2.0]), 0, dtype=tg.float64).dtype == tg.float64


def test_softmin_without_dim_warns_as_pytorch():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        F.softmin(tg.tensor([1.0, 2.0]))


def test_prelu_with_one_slope_per_channel_scales_each_channel_s_negatives():
    x = tg.tensor([[[-1.0, 2.0], [3.0, -4.0]], [[-0.5, 0.5], [1.0, -1.0]]])
    np.testing.assert_allclose(F.prelu(x, tg.tensor([0.1, 0.2])).numpy(),
                               [[[-0.1, 2.0], [3.0, -0.8]], [[-0.05, 0.5], [1.0, -0.2]]], rtol=1e-6)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.prelu(tg.ones(2, 4), tg.ones(3)), RuntimeError,
     "Mismatch of parameter numbers and input channel size. Found parameter numbers = 3 and channel size = 4."),
    (lambda: F.prelu(tg.ones(4), tg.ones(3)), RuntimeError, "channel size = 1"),
    (lambda: F.prelu(tg.ones(2, 3), tg.ones(3, 1)), RuntimeError, "scalar or 1D tensor, but got: ndim = 2"),
    (lambda: F.glu(tg.ones(2, 5)), RuntimeError, "Halving dimension must be even, but dimension 1 is size 5"),
    (lambda: F.glu(tg.tensor(1.0)), RuntimeError, "glu does not support scalars"),
    (lambda: F.glu(tg.ones(2, 4), 2), IndexError, "Dimension out of range"),
    (lambda: F.hardtanh(tg.ones(2), 2.0, 1.0), ValueError, "min_val cannot be greater than max_val"),
    (lambda: nn.Hardtanh(1.0, 1.0), ValueError, r"max_val \(1.0\) must be greater than min_val \(1.0\)"),
    (lambda: F.celu(tg.ones(2), 0.0), RuntimeError, "alpha cannot be 0 for CELU"),
])
def test_activation_errors_are_pytorch_s(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_prelu_layer_has_one_weight_per_parameter_filled_with_init():
    layer = nn.PReLU(3, init=0.1)
    assert [(name, p.shape) for name, p in layer.named_parameters()] == [("weight", (3,))]
    np.testing.assert_array_equal(layer.weight.numpy(), np.full(3, 0.1, np.float32))


def test_prelu_layer_takes_device_and_dtype():
    assert nn.PReLU(dtype=tg.float64, device="cpu").weight.dtype == tg.float64


def test_prelu_layer_gradient_reaches_its_weight():
    layer = nn.PReLU()
    layer(tg.tensor([-2.0, 1.0, -1.0])).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), [-3.0])


@pytest.mark.parametrize("layer, text", [
    (nn.SiLU(), "SiLU()"), (nn.SiLU(True), "SiLU(inplace=True)"), (nn.Mish(True), "Mish(inplace=True)"),
    (nn.ReLU6(True), "ReLU6(inplace=True)"), (nn.SELU(True), "SELU(inplace=True)"),
    (nn.Hardswish(True), "Hardswish()"), (nn.Hardsigmoid(True), "Hardsigmoid()"),
    (nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)"), (nn.PReLU(3), "PReLU(num_parameters=3)"),
    (nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"),
    (nn.Hardtanh(-2, 3, True), "Hardtanh(min_val=-2, max_val=3, inplace=True)"),
    (nn.CELU(2.0, True), "CELU(alpha=2.0, inplace=True)"), (nn.GLU(), "GLU(dim=-1)"),
    (nn.Threshold(0.1, 20), "Threshold(threshold=0.1, value=20)"), (nn.Softmin(1), "Softmin(dim=1)"),
    (nn.LogSigmoid(), "LogSigmoid()"), (nn.Softsign(), "Softsign()"), (nn.Tanhshrink(), "Tanhshrink()"),
])
def test_activation_layer_repr_is_pytorch_s(layer, text):
    assert repr(layer) == text


def test_inplace_activation_layer_writes_into_its_input():
    x = tg.tensor([-1.0, 2.0, 7.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nn.ReLU6(inplace=True)(x) is x
    np.testing.assert_array_equal(x.numpy(), [0.0, 2.0, 6.0])
