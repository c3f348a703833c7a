"""PyTorch's deprecated `size_average` and `reduce` on the losses: in PyTorch's positional slots,
overriding `reduction` when either is given (None counts as True: reduce false gives 'none',
else size_average false gives 'sum', else 'mean'), each use warned with PyTorch's text.
Expected values are PyTorch 2.x's (CPU; PyTorch itself is never imported)."""

import warnings

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

LOGITS = np.array([[0.1, -0.3, 0.7], [0.5, 0.2, -1.0]])
TARGET = tg.tensor([2, 0])
LOG_PROBS = np.array([[-1.0, -0.5], [-2.0, -0.2]])
PROBS = np.array([[0.3, 0.7], [0.1, 0.9]])


def log_probs():
    return tg.tensor(LOGITS).log_softmax(1)


def deprecation(reduction):
    return pytest.warns(UserWarning, match=f"size_average and reduce args will be deprecated, please use "
                                           f"reduction='{reduction}' instead.")


def test_nll_loss_size_average_false_sums_as_the_2018_mnist_example_does():
    with deprecation("sum"):
        assert F.nll_loss(log_probs(), TARGET, size_average=False).item() == pytest.approx(1.3255572319030762)


def test_nll_loss_reduce_false_gives_the_per_sample_losses():
    with deprecation("none"):
        np.testing.assert_allclose(F.nll_loss(log_probs(), TARGET, reduce=False).numpy(), [0.6506, 0.6750],
                                   atol=1e-4)


def test_nll_loss_takes_size_average_and_reduce_in_pytorch_s_positions():
    with deprecation("sum"):
        assert F.nll_loss(log_probs(), TARGET, None, False).item() == pytest.approx(1.3255572319030762)
    with deprecation("none"):
        assert F.nll_loss(log_probs(), TARGET, None, None, -100, False).shape == (2,)


def test_cross_entropy_size_average_false_sums():
    with deprecation("sum"):
        assert F.cross_entropy(tg.tensor(LOGITS), TARGET, None, False).item() == pytest.approx(1.3255572319030762)


@pytest.mark.parametrize("size_average, reduce, reduction", [
    (None, False, "none"), (True, False, "none"), (False, False, "none"),
    (False, None, "sum"), (False, True, "sum"),
    (True, None, "mean"), (True, True, "mean"), (None, True, "mean"),
])
def test_the_legacy_pair_resolves_as_pytorch(size_average, reduce, reduction):
    x, y = tg.tensor([1.0, 2.0]), tg.tensor([0.0, 0.0])
    expected = {"none": [1.0, 4.0], "sum": 5.0, "mean": 2.5}[reduction]
    with deprecation(reduction):
        np.testing.assert_allclose(F.mse_loss(x, y, size_average, reduce).numpy(), expected)


def test_the_legacy_pair_overrides_reduction_and_reads_truthiness():
    x, y = tg.tensor([1.0, 2.0]), tg.tensor([0.0, 0.0])
    with deprecation("mean"):
        assert F.mse_loss(x, y, True, True, "sum").item() == 2.5
    with deprecation("none"):
        assert F.mse_loss(x, y, reduce=0).shape == (2,)


def test_without_the_legacy_pair_nothing_is_warned():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.nll_loss(log_probs(), TARGET, reduction="sum")
        nn.MSELoss(reduction="sum")


@pytest.mark.parametrize("loss, args, expected", [
    (F.l1_loss, ([0.0, 2.0], [0.5, 0.0]), 2.5),
    (F.smooth_l1_loss, ([0.0, 2.0], [0.5, 0.0]), 1.625),
    (F.binary_cross_entropy, ([0.2, 0.9], [0.0, 1.0], None), 0.32850411534309387),
    (F.binary_cross_entropy_with_logits, ([0.2, 0.9], [0.0, 1.0], None), 1.1392927169799805),
])
def test_size_average_false_sums_each_loss(loss, args, expected):
    tensors = [tg.tensor(a) if a is not None else None for a in args]
    with deprecation("sum"):
        assert loss(*tensors, False).item() == pytest.approx(expected)


def test_kl_div_size_average_false_sums_without_the_batchmean_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert F.kl_div(tg.tensor(LOG_PROBS), tg.tensor(PROBS), False).item() == pytest.approx(0.09405266493558884)
    assert [str(w.message) for w in caught] == [
        "size_average and reduce args will be deprecated, please use reduction='sum' instead."]


def test_kl_div_batchmean_still_divides_the_legacy_reduction_by_the_batch_size():
    with deprecation("sum"):
        out = F.kl_div(tg.tensor(LOG_PROBS), tg.tensor(PROBS), False, None, "batchmean")
    assert out.item() == pytest.approx(0.04702633246779442)
    with deprecation("none"):
        out = F.kl_div(tg.tensor(LOG_PROBS), tg.tensor(PROBS), None, False, "batchmean")
    np.testing.assert_allclose(out.numpy(), [[-0.0306, 0.0502], [-0.0151, 0.0426]], atol=1e-4)


@pytest.mark.parametrize("args, reduction", [
    ((None, "sum"), "mean"), ((False,), "sum"), ((False, False), "none"), ((True, True, "sum"), "mean"),
])
def test_loss_module_resolves_the_legacy_pair_at_construction(args, reduction):
    with deprecation(reduction):
        assert nn.MSELoss(*args).reduction == reduction


@pytest.mark.parametrize("make", [
    lambda: nn.L1Loss(False), lambda: nn.SmoothL1Loss(False), lambda: nn.KLDivLoss(False, reduction="batchmean"),
    lambda: nn.BCELoss(None, False), lambda: nn.BCEWithLogitsLoss(None, False),
    lambda: nn.NLLLoss(None, False), lambda: nn.CrossEntropyLoss(None, False),
])
def test_every_loss_module_takes_size_average_in_pytorch_s_position(make):
    with deprecation("sum"):
        assert make().reduction == "sum"


def test_weighted_loss_modules_take_ignore_index_and_reduce_in_pytorch_s_positions():
    with deprecation("none"):
        loss = nn.NLLLoss(None, None, 1, False)
    assert loss.ignore_index == 1 and loss.reduction == "none"
    np.testing.assert_allclose(loss(log_probs(), tg.tensor([1, 0])).numpy()[0], 0.0)


def test_module_options_after_the_legacy_slots_are_positional_too():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nn.SmoothL1Loss(None, None, "sum", 0.5).beta == 0.5
        assert nn.KLDivLoss(None, None, "batchmean", True).log_target is True
        assert nn.CrossEntropyLoss(None, None, -100, None, "mean", 0.1).label_smoothing == 0.1


def test_pytorch_1_0_s_elementwise_mean_reads_as_mean_with_pytorch_s_warning():
    x, y = tg.tensor([1.0, 2.0]), tg.tensor([0.0, 0.0])
    with pytest.warns(UserWarning, match="reduction='elementwise_mean' is deprecated. Please use reduction='mean'"):
        assert F.mse_loss(x, y, reduction="elementwise_mean").item() == 2.5
    with pytest.warns(UserWarning, match="elementwise_mean"):
        assert nn.NLLLoss(reduction="elementwise_mean").reduction == "mean"
