"""GroupNorm and InstanceNorm1d/2d: values and running statistics against literals from
PyTorch 2.x (CPU; PyTorch itself is never imported), PyTorch's defaults, errors, warnings and
reprs. gradcheck and gradgradcheck run on every form through nn_registry.py."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

X = np.array([[[1.0, 2.0, 4.0], [0.0, -1.0, 3.0]], [[2.0, 2.0, 5.0], [1.0, 0.0, -2.0]]])


def test_group_norm_with_one_group_normalises_each_sample_as_pytorch():
    np.testing.assert_allclose(F.group_norm(tg.tensor(X), 1).numpy(), [
        [[-0.29276952, 0.29276952, 1.46384764], [-0.87830853, -1.46384764, 0.87830853]],
        [[0.31234723, 0.31234723, 1.71790957], [-0.15617356, -0.62469435, -1.56173599]]], atol=1e-6)


def test_group_norm_with_a_group_per_channel_is_instance_norm():
    np.testing.assert_allclose(F.group_norm(tg.tensor(X), 2).numpy(), F.instance_norm(tg.tensor(X)).numpy())


def test_group_norm_layer_starts_at_weight_one_and_bias_zero():
    layer = nn.GroupNorm(2, 4)
    np.testing.assert_array_equal(layer.weight.numpy(), np.ones(4, np.float32))
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros(4, np.float32))


def test_group_norm_layer_without_affine_has_no_parameters():
    assert list(nn.GroupNorm(2, 4, affine=False).parameters()) == []


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.GroupNorm(3, 4), ValueError, r"num_channels \(4\) must be divisible by num_groups \(3\)"),
    (lambda: F.group_norm(tg.ones(2, 4, 3), 3), RuntimeError,
     r"divisible by num_groups, but got input of shape \[2, 4, 3\] and num_groups=3"),
    (lambda: F.group_norm(tg.ones(2, 4, 3), 2, tg.ones(3)), RuntimeError,
     r"Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape \[3\]"),
    (lambda: nn.InstanceNorm2d(3)(tg.ones(3, 3)), ValueError, r"expected 3D or 4D input \(got 2D input\)"),
    (lambda: nn.InstanceNorm1d(3)(tg.ones(2, 3, 1)), ValueError, "Expected more than 1 spatial element when training"),
    (lambda: nn.InstanceNorm1d(3, affine=True)(tg.ones(2, 4, 3)), ValueError,
     r"expected input's size at dim=1 to match num_features \(3\), but got: 4."),
])
def test_normalisation_errors_are_pytorch_s(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_instance_norm_without_affine_warns_when_channels_do_not_match_num_features():
    with pytest.warns(UserWarning, match="input's size at dim=1 does not match num_features"):
        nn.InstanceNorm2d(3)(tg.ones(2, 4, 3, 3))


def test_instance_norm_defaults_are_pytorch_s_no_parameters_and_no_running_statistics():
    layer = nn.InstanceNorm2d(3)
    assert list(layer.parameters()) == [] and layer.state_dict() == {}


def test_instance_norm_training_updates_running_statistics_as_pytorch():
    layer = nn.InstanceNorm1d(2, track_running_stats=True)
    out = layer(tg.tensor(X, dtype=tg.float32))
    np.testing.assert_allclose(out.numpy()[0], [[-1.0690415, -0.2672603, 1.3363019],
                                                [-0.3922316, -0.980579, 1.3728106]], atol=1e-5)
    np.testing.assert_allclose(layer.running_mean.numpy(), [0.26666668, 0.01666667], rtol=1e-6)
    np.testing.assert_allclose(layer.running_var.numpy(), [1.1666666, 1.2333333], rtol=1e-6)
    assert int(layer.num_batches_tracked.item()) == 0  # PyTorch's instance norm does not count batches


def test_instance_norm_eval_uses_the_running_statistics():
    layer = nn.InstanceNorm1d(2, track_running_stats=True)
    layer(tg.tensor(X, dtype=tg.float32))
    np.testing.assert_allclose(layer.eval()(tg.tensor(X, dtype=tg.float32)).numpy()[0],
                               [[0.67893183, 1.60474789, 3.45638013], [-0.01500744, -0.91545409, 2.68633246]],
                               atol=1e-5)


def test_instance_norm_without_running_statistics_normalises_in_eval_mode_too():
    layer = nn.InstanceNorm1d(2).eval()
    np.testing.assert_allclose(layer(tg.tensor(X)).numpy(), F.instance_norm(tg.tensor(X)).numpy())


def test_instance_norm_takes_an_input_without_the_batch_dim():
    layer = nn.InstanceNorm1d(2)
    np.testing.assert_allclose(layer(tg.tensor(X[0])).numpy(), layer(tg.tensor(X[:1])).numpy()[0])


@pytest.mark.parametrize("layer, text", [
    (nn.GroupNorm(2, 4), "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"),
    (nn.InstanceNorm2d(3), "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, "
                           "track_running_stats=False)"),
    (nn.InstanceNorm1d(3, affine=True, track_running_stats=True),
     "InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"),
])
def test_normalisation_layer_repr_is_pytorch_s(layer, text):
    assert repr(layer) == text
