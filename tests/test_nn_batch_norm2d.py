"""BatchNorm2d: per-channel statistics over (N, H, W), the running statistics PyTorch 2.x keeps
(literals; PyTorch is never imported), its state dict and its input checks."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn

X1 = np.arange(16.0).reshape(2, 2, 2, 2)
X2 = (np.arange(16.0) ** 2 / 10).reshape(2, 2, 2, 2)


@pytest.mark.parametrize("momentum, mean, var, eval_out", [
    (0.1, [0.97, 1.93], [5.06228584, 9.79371427], [[3.21777397, 3.53731458], [3.8568552, 4.17639581]]),
    (None, [5.12500005, 10.12499998], [22.24714347, 45.90428565],
     [[0.27674171, 0.42433728], [0.57193285, 0.71952843]]),
])
def test_batch_norm2d_running_stats_after_two_training_steps_and_eval_output_match_pytorch(momentum, mean, var,
                                                                                          eval_out):
    m = nn.BatchNorm2d(2, momentum=momentum, dtype=tg.float64)
    m(tg.tensor(X1))
    out = m(tg.tensor(X2))
    np.testing.assert_allclose(out.numpy()[0, 0], [[-1.0200908, -0.9986152], [-0.93418842, -0.82681045]], rtol=1e-6)
    np.testing.assert_allclose(m.running_mean.numpy(), mean, rtol=1e-7)
    np.testing.assert_allclose(m.running_var.numpy(), var, rtol=1e-7)
    assert m.num_batches_tracked.item() == 2
    np.testing.assert_allclose(m.eval()(tg.tensor(X1)).numpy()[1, 1], eval_out, rtol=1e-7)


def test_batch_norm2d_training_output_has_zero_mean_and_unit_variance_per_channel():
    x = np.random.default_rng(0).standard_normal((4, 3, 5, 5)) * 3 + 2
    out = nn.BatchNorm2d(3, eps=0.0, dtype=tg.float64)(tg.tensor(x)).numpy()
    np.testing.assert_allclose(out.mean((0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var((0, 2, 3)), 1.0, rtol=1e-12)


def test_batch_norm2d_state_dict_keys_are_pytorchs():
    assert list(nn.BatchNorm2d(2).state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                                    "num_batches_tracked"]


@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3)])
def test_batch_norm2d_of_an_input_that_is_not_4d_raises_shape_error(shape):
    with pytest.raises(tg.ShapeError, match="expected 4D input"):
        nn.BatchNorm2d(3)(tg.zeros(*shape))


def test_batch_norm1d_of_a_4d_input_raises_shape_error():
    with pytest.raises(tg.ShapeError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(tg.zeros(2, 3, 4, 4))


def test_batch_norm2d_with_other_channels_raises_shape_error():
    with pytest.raises(tg.ShapeError, match="expected 3"):
        nn.BatchNorm2d(3)(tg.zeros(2, 4, 2, 2))


def test_batch_norm2d_without_running_stats_uses_batch_statistics_in_eval_mode():
    m = nn.BatchNorm2d(2, track_running_stats=False, dtype=tg.float64).eval()
    assert m.running_mean is None
    out = m(tg.tensor(X1)).numpy()
    np.testing.assert_allclose(out.mean((0, 2, 3)), 0.0, atol=1e-12)
