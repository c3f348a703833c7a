"""smooth_l1_loss, huber_loss and kl_div and their modules, against PyTorch 2.x's values
(literals; PyTorch is never imported), their relations and their error cases."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

INPUT, TARGET = [0.0, 0.5, 1.5, -3.0], [0.2, -0.5, 0.0, 1.0]
LOG_PROBS = np.log([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
PROBS = np.array([[0.0, 0.5, 0.5], [0.2, 0.2, 0.6]])


def loss_and_gradient(loss, **kwargs):
    x = tg.tensor(INPUT, dtype=tg.float64, requires_grad=True)
    out = loss(x, tg.tensor(TARGET, dtype=tg.float64), reduction="none", **kwargs)
    out.sum().backward()
    return out.numpy(), x.grad.numpy()


def test_smooth_l1_loss_is_quadratic_below_beta_and_linear_above_as_pytorch():
    values, gradient = loss_and_gradient(F.smooth_l1_loss, beta=0.5)
    np.testing.assert_allclose(values, [0.04, 0.75, 1.25, 3.75], rtol=1e-7)
    np.testing.assert_allclose(gradient, [-0.4, 1.0, 1.0, -1.0], rtol=1e-7)


def test_huber_loss_is_quadratic_up_to_delta_and_delta_sloped_above_as_pytorch():
    values, gradient = loss_and_gradient(F.huber_loss, delta=0.5)
    np.testing.assert_allclose(values, [0.02, 0.375, 0.625, 1.875], rtol=1e-7)
    np.testing.assert_allclose(gradient, [-0.2, 0.5, 0.5, -0.5], rtol=1e-7)


@given(data=st.data())
def test_huber_loss_is_delta_times_smooth_l1_loss_with_beta_delta(data):
    x, y = data.draw(arrays((4,))), data.draw(arrays((4,)))
    delta = data.draw(st.sampled_from([0.3, 1.0, 2.5]))
    huber = F.huber_loss(tg.tensor(x), tg.tensor(y), "sum", delta)
    smooth = F.smooth_l1_loss(tg.tensor(x), tg.tensor(y), reduction="sum", beta=delta)
    np.testing.assert_allclose(huber.item(), delta * smooth.item(), rtol=1e-12, atol=1e-12)


def test_smooth_l1_loss_with_beta_0_is_the_l1_loss():
    x, y = tg.tensor(INPUT), tg.tensor(TARGET)
    np.testing.assert_allclose(F.smooth_l1_loss(x, y, beta=0.0).item(), F.l1_loss(x, y).item())


def test_smooth_l1_loss_with_a_negative_beta_raises_value_error():
    with pytest.raises(ValueError, match="negative values for beta"):
        F.smooth_l1_loss(tg.tensor(INPUT), tg.tensor(TARGET), beta=-1.0)


@pytest.mark.parametrize("delta", [0.0, -1.0])
def test_huber_loss_with_a_non_positive_delta_raises_value_error(delta):
    with pytest.raises(ValueError, match="non-positive values for delta"):
        F.huber_loss(tg.tensor(INPUT), tg.tensor(TARGET), delta=delta)


def test_huber_loss_weight_multiplies_each_element_s_loss():
    x, y = tg.tensor(INPUT), tg.tensor(TARGET)
    weighted = F.huber_loss(x, y, "none", weight=tg.tensor([1.0, 2.0, 0.0, 1.0]))
    np.testing.assert_allclose(weighted.numpy(), F.huber_loss(x, y, "none").numpy() * [1.0, 2.0, 0.0, 1.0])


@pytest.mark.parametrize("reduction, expected", [
    ("batchmean", 0.18003124), ("sum", 0.36006248),
    ("none", [[0.0, 0.25541282, 0.0], [0.13862945, 0.13862945, -0.17260924]]),
])
def test_kl_div_of_probability_targets_with_a_zero_matches_pytorch(reduction, expected):
    out = F.kl_div(tg.tensor(LOG_PROBS), tg.tensor(PROBS), reduction=reduction)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6, atol=1e-8)


def test_kl_div_batchmean_gradient_is_minus_target_over_batch_size():
    x = tg.tensor(LOG_PROBS, requires_grad=True)
    F.kl_div(x, tg.tensor(PROBS), reduction="batchmean").backward()
    np.testing.assert_allclose(x.grad.numpy(), -PROBS / 2)


def test_kl_div_with_log_targets_matches_pytorch():
    out = F.kl_div(tg.tensor(LOG_PROBS), tg.tensor(np.log(PROBS + 0.1)), reduction="sum", log_target=True)
    np.testing.assert_allclose(out.item(), 1.02166197, rtol=1e-6)


def test_kl_div_mean_divides_by_every_element_and_warns_as_pytorch():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        out = F.kl_div(tg.tensor(LOG_PROBS), tg.tensor(PROBS))
    np.testing.assert_allclose(out.item(), 0.36006248 / 6, rtol=1e-6)


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none"])
def test_kl_div_other_reductions_do_not_warn(reduction):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(tg.tensor(LOG_PROBS), tg.tensor(PROBS), reduction=reduction)


def test_kl_div_of_a_distribution_with_itself_is_zero():
    out = F.kl_div(tg.tensor(LOG_PROBS), tg.tensor(np.exp(LOG_PROBS)), reduction="sum")
    assert abs(out.item()) < 1e-12


def test_kl_div_with_an_unknown_reduction_raises_value_error():
    with pytest.raises(ValueError, match="batchmean"):
        F.kl_div(tg.tensor(LOG_PROBS), tg.tensor(PROBS), reduction="average")


def test_loss_modules_compute_their_functions():
    x, y = tg.tensor(INPUT), tg.tensor(TARGET)
    assert nn.SmoothL1Loss(beta=0.5)(x, y).item() == F.smooth_l1_loss(x, y, beta=0.5).item()
    assert nn.HuberLoss("sum", 0.5)(x, y).item() == F.huber_loss(x, y, "sum", 0.5).item()
    lp, p = tg.tensor(LOG_PROBS), tg.tensor(PROBS)
    assert nn.KLDivLoss(reduction="batchmean")(lp, p).item() == F.kl_div(lp, p, reduction="batchmean").item()
    out = nn.KLDivLoss(reduction="none", log_target=True)(lp, lp)
    np.testing.assert_array_equal(out.numpy(), np.zeros((2, 3)))


def test_kl_div_loss_module_with_an_unknown_reduction_raises_value_error_at_construction():
    with pytest.raises(ValueError):
        nn.KLDivLoss(reduction="average")


@pytest.mark.parametrize(("make", "name"), [(lambda w: nn.CrossEntropyLoss(weight=w), "weight"),
                                            (lambda w: nn.NLLLoss(weight=w), "weight"),
                                            (lambda w: nn.BCEWithLogitsLoss(pos_weight=w), "pos_weight")])
def test_a_loss_keeps_the_weight_tensor_it_was_given_as_pytorch(make, name):
    weight = tg.ones(3)
    loss = make(weight)
    assert getattr(loss, name) is weight
    weight.mul_(2)  # a later in-place change reaches the loss, as in PyTorch
    np.testing.assert_array_equal(getattr(loss, name).numpy(), [2.0, 2.0, 2.0])
