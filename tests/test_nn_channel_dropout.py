"""dropout1d / dropout2d and their layers: whole channels kept (scaled by 1/(1 − p)) or zeroed,
PyTorch's treatment of other ranks, and the identity in eval mode."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F


@given(seed=st.integers(0, 2**16), p=st.sampled_from([0.2, 0.5, 0.8]))
def test_dropout2d_keeps_or_zeroes_each_channel_of_each_image_as_a_whole(seed, p):
    tg.manual_seed(seed)
    out = F.dropout2d(tg.ones(4, 6, 3, 5), p).numpy()
    per_channel = out.reshape(4, 6, -1)
    assert (per_channel == per_channel[:, :, :1]).all()
    assert set(np.unique(per_channel)) <= {0.0, np.float32(1 / (1 - p))}


@given(seed=st.integers(0, 2**16))
def test_dropout1d_keeps_or_zeroes_each_channel_of_each_sequence_as_a_whole(seed):
    tg.manual_seed(seed)
    for shape in [(4, 6, 7), (6, 7)]:
        out = F.dropout1d(tg.ones(*shape), 0.5).numpy()
        assert (out == out[..., :1]).all()
        assert set(np.unique(out)) <= {0.0, 2.0}


def test_dropout2d_draws_the_same_channels_after_the_same_seed():
    tg.manual_seed(3)
    first = F.dropout2d(tg.ones(8, 8, 2, 2)).numpy()
    tg.manual_seed(3)
    np.testing.assert_array_equal(F.dropout2d(tg.ones(8, 8, 2, 2)).numpy(), first)


def test_dropout2d_of_a_3d_input_drops_channels_of_n_c_l_with_pytorch_s_warning():
    tg.manual_seed(0)
    with pytest.warns(UserWarning, match=r"interpreted as shape \(N, C, L\)"):
        out = F.dropout2d(tg.ones(8, 4, 5)).numpy()
    assert (out == out[..., :1]).all()


@pytest.mark.parametrize("shape", [(4, 4), (2, 2, 2, 2, 2)])
def test_dropout2d_of_other_ranks_warns_as_pytorch(shape):
    with pytest.warns(UserWarning, match="please use dropout instead"):
        F.dropout2d(tg.ones(*shape))


@pytest.mark.parametrize("shape", [(4,), (2, 2, 2, 2)])
def test_dropout1d_of_an_input_that_is_not_2d_or_3d_raises_shape_error(shape):
    with pytest.raises(tg.ShapeError, match="dropout1d: Expected 2D or 3D input"):
        F.dropout1d(tg.ones(*shape))


@pytest.mark.parametrize("dropout", [F.dropout1d, F.dropout2d])
def test_channel_dropout_outside_training_or_with_p_0_is_the_identity(dropout):
    x = tg.ones(2, 3, 4, 4) if dropout is F.dropout2d else tg.ones(2, 3, 4)
    assert dropout(x, 0.5, training=False) is x
    assert dropout(x, 0.0) is x


@pytest.mark.parametrize("p", [-0.1, 1.1])
def test_channel_dropout_probability_outside_0_1_raises_value_error(p):
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout2d(p)


def test_channel_dropout_with_p_1_zeroes_everything():
    np.testing.assert_array_equal(F.dropout2d(tg.ones(2, 3, 2, 2), 1.0).numpy(), 0.0)


def test_channel_dropout_layers_drop_in_training_and_pass_through_in_eval():
    x = tg.ones(8, 8, 3, 3)
    tg.manual_seed(1)
    assert (nn.Dropout2d(0.5)(x).numpy() == 0).any()
    assert nn.Dropout2d(0.5).eval()(x) is x
    assert nn.Dropout1d(0.5).eval()(tg.ones(2, 3, 4)).shape == (2, 3, 4)
