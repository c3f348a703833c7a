"""The margin, embedding and likelihood losses and pairwise_distance: values against literals
from PyTorch 2.x (CPU; PyTorch itself is never imported), PyTorch's errors and its deprecated
size_average/reduce slots. gradcheck and gradgradcheck run on every one through nn_registry.py."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

A = [[1.0, 2.0], [0.0, 1.0]]
P = [[1.5, 2.0], [1.0, 1.0]]
N = [[0.0, 0.0], [0.5, 1.0]]
X1, X2, Y = [0.5, -1.0, 2.0], [1.0, 0.5, 2.5], [1.0, -1.0, 1.0]


def t(values):
    return tg.tensor(values)


def close(out, expected):
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6, atol=1e-7)


def test_pairwise_distance_adds_eps_to_the_difference_as_pytorch():
    close(F.pairwise_distance(t(A), t(P)), [0.4999989867, 0.9999989867])
    assert F.pairwise_distance(t(A[0]), t(P[0])).shape == ()
    assert F.pairwise_distance(t(A), t(P), keepdim=True).shape == (2, 1)


def test_triplet_margin_loss_matches_pytorch():
    close(F.triplet_margin_loss(t(A), t(P), t(N)), 0.75)
    close(F.triplet_margin_loss(t(A), t(P), t(N), swap=True, p=1, reduction="none"), [0.0, 1.5])


def test_margin_ranking_hinge_and_soft_margin_losses_match_pytorch():
    close(F.margin_ranking_loss(t(X1), t(X2), t(Y), 0.3, reduction="none"), [0.8, 0.0, 0.8])
    close(F.hinge_embedding_loss(t(X1), t([1.0, -1.0, 0.0]), reduction="none"), [0.5, 2.0, 2.0])
    close(F.soft_margin_loss(t(X1), t(Y)), 0.3047555685)


def test_multilabel_soft_margin_loss_averages_over_classes_as_pytorch():
    labels = t([[1.0, 0.0], [0.0, 1.0]])
    close(F.multilabel_soft_margin_loss(t(A), labels, reduction="none"), [1.2200949192, 0.503204465])
    close(F.multilabel_soft_margin_loss(t(A), labels, weight=t([2.0, 1.0])), 1.1132519245)


def test_cosine_embedding_loss_matches_pytorch():
    close(F.cosine_embedding_loss(t(A), t(P), t([1.0, -1.0]), 0.1, reduction="none"), [0.0161300898, 0.6071067452])
    close(F.cosine_embedding_loss(t(A[0]), t(P[0]), t(1.0)), 0.0161300898)


def test_gaussian_nll_loss_matches_pytorch():
    close(F.gaussian_nll_loss(t(X1), t(X2), t([0.5, 1.0, 2.0]), reduction="none"), [-0.0965735912, 1.125, 0.4090735912])
    close(F.gaussian_nll_loss(t(X1), t(X2), t([0.5, 1.0, 2.0]), full=True), 1.3981051445)
    close(F.gaussian_nll_loss(t(A), t(P), t([1.0, 2.0])), 0.2670367956)  # one variance per row


def test_gaussian_nll_loss_clamps_the_variance_but_lets_its_gradient_through():
    var = tg.tensor([0.0, 1.0], requires_grad=True)
    F.gaussian_nll_loss(tg.tensor([0.0, 0.0]), tg.tensor([0.0, 0.0]), var, eps=0.5, reduction="sum").backward()
    close(var.grad, [1.0, 0.5])  # d/dv ½ log v at the clamped v = 0.5, and at v = 1


def test_poisson_nll_loss_matches_pytorch():
    close(F.poisson_nll_loss(t(X1), t([0.0, 2.0, 3.0]), reduction="none"), [1.6487212181, 2.3678793907, 1.3890562057])
    close(F.poisson_nll_loss(t([0.5, 1.0, 2.0]), t([0.0, 2.0, 3.0]), log_input=False, full=True, reduction="none"),
          [0.5, 1.6518064737, 1.68464005])


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.triplet_margin_loss(t(A), t(P), t(N), margin=0), ValueError, "margin must be greater than 0, got 0"),
    (lambda: nn.TripletMarginLoss(margin=0), ValueError, "expected margin to be greater than 0, got 0 instead"),
    (lambda: F.triplet_margin_loss(t(A), t(P[0]), t(N)), RuntimeError, "anchor 2D, positive 1D, and negative 2D"),
    (lambda: F.margin_ranking_loss(t(X1), t(X2), t([Y])), RuntimeError,
     "margin_ranking_loss : All input tensors should have same dimension"),
    (lambda: F.gaussian_nll_loss(t(X1), t(X2), t([-1.0, 1.0, 1.0])), ValueError, "var has negative entry/entries"),
    (lambda: F.gaussian_nll_loss(t(X1), t(X2), -1.0), ValueError, "var has negative entry/entries"),
    (lambda: F.gaussian_nll_loss(t(A), t(P), tg.ones(3)), ValueError, "var is of incorrect size"),
    (lambda: F.gaussian_nll_loss(t(X1), t(X2), tg.ones(3), reduction="foo"), ValueError, "foo is not valid"),
    (lambda: F.soft_margin_loss(t(X1), t(Y), reduction="foo"), ValueError, "foo is not a valid value for reduction"),
])
def test_loss_errors_are_pytorch_s(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_losses_take_the_deprecated_pair_in_pytorch_s_positions():
    with pytest.warns(UserWarning, match="reduction='sum'"):
        close(F.margin_ranking_loss(t(X1), t(X2), t(Y), 0.3, False), 1.6)
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.TripletMarginLoss(1.0, 2.0, 1e-6, False, None, False).reduction == "none"


@pytest.mark.parametrize("layer, call, expected", [
    (nn.MarginRankingLoss(0.3), lambda m: m(t(X1), t(X2), t(Y)), 1.6 / 3),
    (nn.HingeEmbeddingLoss(reduction="sum"), lambda m: m(t(X1), t([1.0, -1.0, 0.0])), 4.5),
    (nn.SoftMarginLoss(), lambda m: m(t(X1), t(Y)), 0.3047555685),
    (nn.MultiLabelSoftMarginLoss(t([2.0, 1.0])), lambda m: m(t(A), t([[1.0, 0.0], [0.0, 1.0]])), 1.1132519245),
    (nn.CosineEmbeddingLoss(0.1, reduction="sum"), lambda m: m(t(A), t(P), t([1.0, -1.0])), 0.623236835),
    (nn.TripletMarginLoss(), lambda m: m(t(A), t(P), t(N)), 0.75),
    (nn.GaussianNLLLoss(full=True), lambda m: m(t(X1), t(X2), t([0.5, 1.0, 2.0])), 1.3981051445),
    (nn.PoissonNLLLoss(), lambda m: m(t(X1), t([0.0, 2.0, 3.0])), 5.4056568146 / 3),
    (nn.PairwiseDistance(), lambda m: m(t(A), t(P)), [0.4999989867, 0.9999989867]),
])
def test_loss_layer_calls_its_function_with_its_options(layer, call, expected):
    close(call(layer), expected)
