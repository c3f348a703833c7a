"""Layers and losses beyond the generic checks (test_ops.py runs gradcheck, gradgradcheck, the
NumPy forward, no mutation and float32 over every nn_registry spec): the registry's
completeness, float32 parameters and buffers, cross-entropy's definition and stability, the
stable forms of the other losses, and forward values and gradients against literals taken
from PyTorch 2.x (CPU; PyTorch itself is never imported).
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from nn_registry import SPECS

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

DIFFERENTIABLE = [spec for spec in SPECS if spec.differentiable]
LAYERS_WITH_PARAMETERS = [spec for spec in SPECS if spec.module is not None]

CONTAINERS = {nn.Module, nn.Sequential, nn.ModuleList, nn.ModuleDict, nn.Parameter, nn.ParameterList, nn.ParameterDict}


# --------------------------------------------------------------------- completeness


def layer_classes() -> set[str]:
    """The Module subclasses `tinygrad_np.nn` exports that compute something."""
    return {
        name for name in dir(nn)
        if isinstance(getattr(nn, name), type) and issubclass(getattr(nn, name), nn.Module)
        and getattr(nn, name) not in CONTAINERS
    }


def test_every_function_of_nn_functional_has_a_spec():
    assert set(F.__all__) - {spec.target for spec in SPECS} == set()


def test_every_layer_and_loss_class_of_nn_has_a_spec():
    assert layer_classes(), "tinygrad_np.nn exports layers"
    assert layer_classes() - {spec.target for spec in SPECS} == set()


def test_the_registry_names_only_real_functions_and_layers():
    assert {spec.target for spec in SPECS} - set(F.__all__) - layer_classes() == set()


def test_every_differentiable_function_and_layer_is_gradchecked():
    gradchecked = {spec.target for spec in DIFFERENTIABLE}
    assert (set(F.__all__) | layer_classes()) - gradchecked == {"one_hot"}  # integer output


def test_spec_ids_are_unique():
    ids = [spec.id for spec in SPECS]
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------- float32 layers


@pytest.mark.parametrize("spec", LAYERS_WITH_PARAMETERS, ids=repr)
@given(data=st.data())
def test_float32_layer_gives_float32_outputs_parameter_gradients_and_buffers(spec, data):
    case = data.draw(spec.cases)
    module = spec.module(**case.kwargs)  # float32, the default dtype
    params = list(module.parameters())
    inputs = case.arrays[:len(case.arrays) - len(params)]
    for param, array in zip(params, case.arrays[len(inputs):]):
        param.data[...] = array
    tensors = [tg.tensor(a.astype(np.float32), requires_grad=True) for a in inputs]
    out = spec.forward(module, *tensors, **case.kwargs)
    assert out.dtype == np.float32
    out.backward(tg.tensor(np.ones(out.shape, np.float32)))
    for param in params:
        assert param.dtype == np.float32
        assert param.grad is not None and param.grad.dtype == np.float32
    for tensor in tensors:
        assert tensor.grad.dtype == np.float32
    for buffer in module.buffers():
        assert buffer.dtype.kind != "f" or buffer.dtype == np.float32


# --------------------------------------------------------------------- cross-entropy


def numpy_log_softmax(x, axis):
    """x − logsumexp(x) with the max taken out first, so that 1e30 + log 2 does not round to 1e30."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def numpy_softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def minus_log_softmax_at(x, targets):
    return -numpy_log_softmax(x, 1)[np.arange(len(targets)), targets]


@st.composite
def logits_and_targets(draw, magnitude=10.0, dtype=np.float64):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    unit = draw(hnp.arrays(np.float64, (n, c), elements=st.floats(-1, 1)))
    targets = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return (unit * magnitude).astype(dtype), targets


@given(logits_and_targets())
def test_cross_entropy_is_minus_log_softmax_at_the_target(case):
    x, t = case
    expected = minus_log_softmax_at(x, t)
    losses = F.cross_entropy(tg.tensor(x), tg.tensor(t), reduction="none")
    np.testing.assert_allclose(losses.numpy(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(F.cross_entropy(tg.tensor(x), tg.tensor(t)).item(), expected.mean(), rtol=1e-12)
    np.testing.assert_allclose(F.cross_entropy(tg.tensor(x), tg.tensor(t), reduction="sum").item(), expected.sum(),
                               rtol=1e-12, atol=1e-12)


@given(st.lists(st.floats(-10, 10), min_size=1, max_size=5), st.data())
def test_cross_entropy_of_a_single_sample_is_minus_log_softmax_at_the_target(values, data):
    x = np.array(values)
    t = data.draw(st.integers(0, len(values) - 1))
    loss = F.cross_entropy(tg.tensor(x), tg.tensor(np.int64(t)))
    assert loss.shape == ()
    np.testing.assert_allclose(loss.item(), -numpy_log_softmax(x, 0)[t], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("magnitude", [1.0, 1e4, 1e30], ids=["1", "1e4", "1e30"])
@given(data=st.data())
def test_cross_entropy_is_finite_with_gradient_softmax_minus_one_hot_for_extreme_logits(magnitude, dtype,
                                                                                         reduction, data):
    x, t = data.draw(logits_and_targets(magnitude, dtype))
    logits = tg.tensor(x, requires_grad=True)
    loss = F.cross_entropy(logits, tg.tensor(t), reduction=reduction)
    loss.backward()
    exact = x.astype(np.float64)  # the reference, in float64 from the same (rounded) logits
    losses = minus_log_softmax_at(exact, t)
    expected_grad = numpy_softmax(exact, 1) - np.eye(x.shape[1])[t]
    if reduction == "mean":
        losses, expected_grad = losses.mean(), expected_grad / len(t)
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    assert loss.dtype == dtype and logits.grad.dtype == dtype
    assert np.isfinite(loss.item()) and np.isfinite(logits.grad.numpy()).all()
    np.testing.assert_allclose(loss.item(), losses.sum(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(logits.grad.numpy(), expected_grad, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_cross_entropy_of_logits_at_plus_and_minus_1e30_is_their_difference(dtype):
    logits = tg.tensor(np.array([[1e30, -1e30, 0.0], [1e30, -1e30, 0.0]], dtype), requires_grad=True)
    loss = F.cross_entropy(logits, tg.tensor([0, 1]), reduction="none")
    loss.sum().backward()
    np.testing.assert_allclose(loss.numpy(), [0.0, 2e30], rtol=1e-6)
    np.testing.assert_array_equal(logits.grad.numpy(), [[0.0, 0.0, 0.0], [1.0, -1.0, 0.0]])


# --------------------------------------------------------------------- stable forms


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_bce_with_logits_is_finite_for_logits_of_plus_and_minus_1e4(dtype):
    x = tg.tensor(np.array([1e4, -1e4, 1e4, -1e4], dtype), requires_grad=True)
    target = tg.tensor(np.array([0.0, 1.0, 1.0, 0.0], dtype))
    loss = F.binary_cross_entropy_with_logits(x, target, reduction="none", pos_weight=tg.tensor(np.array(2.0, dtype)))
    loss.sum().backward()
    # PyTorch: [10000.0, 20000.0, 0.0, 0.0], gradient [1.0, -2.0, 0.0, 0.0]
    np.testing.assert_allclose(loss.numpy(), [1e4, 2e4, 0.0, 0.0], rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [1.0, -2.0, 0.0, 0.0], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("threshold", [20.0, math.inf], ids=["threshold20", "no-threshold"])
def test_softplus_has_a_finite_gradient_at_plus_and_minus_1e4(dtype, threshold):
    x = tg.tensor(np.array([-1e4, 1e4], dtype), requires_grad=True)
    out = F.softplus(x, threshold=threshold)
    out.sum().backward()
    np.testing.assert_allclose(out.numpy(), [0.0, 1e4])
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 1.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_logsigmoid_has_a_finite_gradient_at_plus_and_minus_1e4(dtype):
    x = tg.tensor(np.array([-1e4, 1e4], dtype), requires_grad=True)
    out = F.logsigmoid(x)
    out.sum().backward()
    np.testing.assert_allclose(out.numpy(), [-1e4, 0.0])
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 0.0])


def test_bce_is_finite_with_logs_clamped_at_minus_100_for_inputs_exactly_0_and_1():
    x = tg.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(x, tg.tensor([0.0, 1.0, 1.0, 0.0]), reduction="none")
    loss.sum().backward()
    np.testing.assert_array_equal(loss.numpy(), [0.0, 0.0, 100.0, 100.0])  # PyTorch: [0.0, -0.0, 100.0, 100.0]
    assert np.isfinite(x.grad.numpy()).all()


def test_bce_gradient_at_inputs_exactly_0_and_1_is_the_derivative_of_the_clamped_loss():
    """Where a log is clamped at -100 the loss is flat, so its gradient is 0; where x = y the
    gradient is the exact derivative (±1). PyTorch instead returns (x − y) / max(x(1 − x), 1e-12):
    ±1e12 and 0 (a documented difference, docs/nn.md)."""
    x = tg.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    F.binary_cross_entropy(x, tg.tensor([0.0, 1.0, 1.0, 0.0]), reduction="sum").backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, -1.0, 0.0, 0.0])


@given(st.data())
def test_embedding_gradient_sums_upstream_rows_per_index_and_skips_the_padding_row(data):
    num, dim = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 3))
    indices = data.draw(hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=4),
                                   elements=st.integers(0, num - 1)))
    padding_idx = data.draw(st.none() | st.integers(-num, num - 1))
    upstream = np.random.default_rng(0).standard_normal(indices.shape + (dim,))
    weight = tg.tensor(np.zeros((num, dim)), requires_grad=True)
    F.embedding(tg.tensor(indices), weight, padding_idx).backward(tg.tensor(upstream))
    expected = np.zeros((num, dim))
    np.add.at(expected, indices, upstream)
    if padding_idx is not None:
        expected[padding_idx] = 0.0
    np.testing.assert_allclose(weight.grad.numpy(), expected, rtol=1e-12, atol=1e-12)


@given(st.data())
def test_batch_norm_training_step_moves_running_stats_toward_batch_mean_and_unbiased_variance(data):
    shape = data.draw(st.sampled_from([(2, 3), (3, 2), (1, 2, 3), (2, 1, 2)]))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-3, 3)))
    momentum = data.draw(st.sampled_from([0.1, 0.5, 1.0]))
    start_mean, start_var = np.linspace(-1, 1, shape[1]), np.linspace(0.5, 2, shape[1])
    running_mean, running_var = tg.tensor(start_mean.copy()), tg.tensor(start_var.copy())
    F.batch_norm(tg.tensor(x), running_mean, running_var, training=True, momentum=momentum)
    axes = (0, *range(2, x.ndim))
    np.testing.assert_allclose(running_mean.numpy(), (1 - momentum) * start_mean + momentum * x.mean(axes),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(running_var.numpy(), (1 - momentum) * start_var + momentum * x.var(axes, ddof=1),
                               rtol=1e-12, atol=1e-12)


@given(st.floats(0.05, 0.95), st.integers(0, 2**16))
def test_dropout_keeps_each_element_scaled_by_one_over_one_minus_p_or_zeroes_it(p, seed):
    x = np.linspace(1.0, 2.0, 24).reshape(4, 6)
    tg.manual_seed(seed)
    out = F.dropout(tg.tensor(x), p).numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-12)


def test_dropout_draws_the_same_mask_after_the_same_seed():
    x = tg.ones(5, 5)
    tg.manual_seed(3)
    first = F.dropout(x, 0.5).numpy()
    tg.manual_seed(3)
    np.testing.assert_array_equal(F.dropout(x, 0.5).numpy(), first)


# --------------------------------------------------------------------- PyTorch's values


def f64(values) -> tg.Tensor:
    return tg.tensor(np.array(values, dtype=np.float64))


def leaf(values) -> tg.Tensor:
    return tg.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def close(actual, expected) -> None:
    actual = actual.numpy() if isinstance(actual, tg.Tensor) else actual
    np.testing.assert_allclose(actual, np.array(expected, dtype=np.float64), rtol=1e-6, atol=1e-6)


def backward(out) -> None:
    out.backward(tg.ones(*out.shape, dtype=out.dtype))


X = [[1.5, -0.3, 0.2], [0.1, 2.0, -1.0], [-0.7, 0.4, 0.9], [0.3, 0.3, -2.2]]
CLASS_WEIGHT = [0.5, 2.0, 1.5]
SMOOTHED_CE = {  # weight, ignore_index=1 (a real class), label_smoothing=0.2; targets [0, 2, 1, 2]
    "mean": (2.619328556816127,
             [[0.008665177808232297, -0.016197317200336597, 0.0075321393921043145],
              [0.04273456088122168, 0.31129871015833144, -0.35403327103955307], [0.0, 0.0, 0.0],
              [0.191739644813827, 0.16316821624239844, -0.3549078610562254]]),
    "sum": (9.167649948856445,
            [[0.03032812232881304, -0.0566906102011781, 0.02636248787236508],
             [0.1495709630842759, 1.0895454855541602, -1.2391164486384358], [0.0, 0.0, 0.0],
             [0.6710887568483946, 0.5710887568483947, -1.2421775136967892]]),
    "none": ([0.612090337579169, 4.229950578864034, 0.0, 4.325609032413244],
             [[0.03032812232881304, -0.0566906102011781, 0.02636248787236508],
              [0.1495709630842759, 1.0895454855541602, -1.2391164486384358], [0.0, 0.0, 0.0],
              [0.6710887568483946, 0.5710887568483947, -1.2421775136967892]]),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_weight_ignore_index_and_label_smoothing_matches_pytorch(reduction):
    x = leaf(X)
    loss = F.cross_entropy(x, tg.tensor([0, 2, 1, 2]), weight=f64(CLASS_WEIGHT), ignore_index=1,
                           reduction=reduction, label_smoothing=0.2)
    backward(loss)
    close(loss, SMOOTHED_CE[reduction][0])
    close(x.grad, SMOOTHED_CE[reduction][1])


def test_cross_entropy_loss_module_with_default_ignore_index_and_smoothing_matches_pytorch():
    x = leaf(X)
    loss = nn.CrossEntropyLoss(f64(CLASS_WEIGHT), label_smoothing=0.1)(x, tg.tensor([0, -100, 1, 2]))
    loss.backward()
    close(loss, 1.7725196876376752)
    close(x.grad, [[-0.015240723240572135, 9.892901849229259e-05, 0.015141794222079865], [0.0, 0.0, 0.0],
                   [0.04979365766027999, -0.30456089368252337, 0.2547672360222433],
                   [0.17394005499859974, 0.16144005499859973, -0.3353801099971995]])


def test_label_smoothed_cross_entropy_ignores_a_sample_whose_logits_hold_minus_infinity():
    x = leaf([[0.3, -1.2, 0.5], [-math.inf, 0.0, 1.0]])
    loss = F.cross_entropy(x, tg.tensor([2, -100]), label_smoothing=0.1)
    loss.backward()
    reference = F.cross_entropy(leaf([[0.3, -1.2, 0.5]]), tg.tensor([2]), label_smoothing=0.1)
    close(loss, reference.item())
    assert np.isfinite(x.grad.numpy()).all() and (x.grad.numpy()[1] == 0).all()


X3 = [[[0.2, -1.0], [1.1, 0.3], [-0.4, 0.8]], [[0.5, 0.5], [-1.2, 2.0], [0.0, -0.6]]]  # (N=2, C=3, d=2)
SPATIAL_CE_SUM_GRAD = [[[0.31173901440573953, -0.33003042176899483], [0.6897344052592057, 0.056739140237751215],
                        [-1.0014734196649453, 0.2732912815312436]],
                       [[0.9560282420810756, 0.0], [-1.4162152154400514, 0.0], [0.46018697335897574, 0.0]]]
SPATIAL_CE = {
    "mean": (1.9110952983014444,
             [[[0.07793475360143488, -0.08250760544224871], [0.17243360131480143, 0.014184785059437804],
               [-0.2503683549162363, 0.0683228203828109]],
              [[0.2390070605202689, 0.0], [-0.35405380386001284, 0.0], [0.11504674333974393, 0.0]]]),
    "sum": (7.644381193205778, SPATIAL_CE_SUM_GRAD),
    "none": ([[2.5531739655087997, 1.2490094917340797], [3.8421977359628987, 0.0]], SPATIAL_CE_SUM_GRAD),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_of_n_c_d_logits_with_weight_ignore_index_and_smoothing_matches_pytorch(reduction):
    x = leaf(X3)
    loss = F.cross_entropy(x, tg.tensor([[2, 0], [1, -100]]), weight=f64(CLASS_WEIGHT), reduction=reduction,
                           label_smoothing=0.3)
    backward(loss)
    close(loss, SPATIAL_CE[reduction][0])
    close(x.grad, SPATIAL_CE[reduction][1])


PROBABILITIES = [[0.2, 0.5, 0.3], [1.0, 0.0, 0.0], [0.1, 0.1, 0.8], [0.25, 0.25, 0.5]]
PROBABILITY_CE_SUM_GRADS = (
    [[0.9345415564631175, -0.7601207790546626, -0.17442077740845488],
     [-0.35019501677987463, 0.42252067525189085, -0.07232565847201622],
     [0.08594265847310233, 0.18515818968193115, -0.27110084815503355],
     [0.5230599779723676, 0.12305997797236759, -0.6461199559447351]],
    [[0.1452542025475014, 3.461016810190006, 1.9957626076425043],
     [0.8327137942356453, 0.2908551769425814, 3.8181413827069366],
     [0.8769830019672894, 1.7479320078691574, 0.7109490059018679],
     [0.2933479179308845, 1.173391671723538, 3.8800437537926538]],
)
PROBABILITY_CE = {
    "mean": (1.9827896449838793, (
        [[0.23363538911577938, -0.19003019476366564, -0.04360519435211372],
         [-0.08754875419496866, 0.10563016881297271, -0.018081414618004055],
         [0.02148566461827558, 0.04628954742048279, -0.06777521203875839],
         [0.1307649944930919, 0.030764994493091898, -0.1615299889861838]],
        [[0.03631355063687535, 0.8652542025475015, 0.4989406519106261],
         [0.20817844855891132, 0.07271379423564535, 0.9545353456767341],
         [0.21924575049182235, 0.43698300196728934, 0.17773725147546698],
         [0.07333697948272112, 0.2933479179308845, 0.9700109384481634]])),
    "sum": (7.931158579935517, PROBABILITY_CE_SUM_GRADS),
    "none": ([2.8251241629289217, 1.2445229903927422, 1.109239373683332, 2.752272052930522],
             PROBABILITY_CE_SUM_GRADS),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_probability_targets_weight_and_smoothing_matches_pytorch(reduction):
    x, p = leaf(X), leaf(PROBABILITIES)
    loss = F.cross_entropy(x, p, weight=f64(CLASS_WEIGHT), reduction=reduction, label_smoothing=0.2)
    backward(loss)
    close(loss, PROBABILITY_CE[reduction][0])
    close(x.grad, PROBABILITY_CE[reduction][1][0])
    close(p.grad, PROBABILITY_CE[reduction][1][1])


def test_cross_entropy_of_an_unbatched_sample_matches_pytorch():
    x = leaf([0.3, -1.2, 2.5, 0.0])
    loss = F.cross_entropy(x, tg.tensor(2), label_smoothing=0.1)
    loss.backward()
    close(loss, 0.4068913035593499)
    close(x.grad, [0.06600040667134893, -0.004695064685849671, -0.10372010133708076, 0.04241475935158146])


LOG_PROBS_3D = [[[-0.2, -1.0], [-1.1, -0.3], [-2.4, -0.8]], [[-0.5, -0.9], [-1.2, -2.0], [-0.1, -0.6]]]
NLL_3D_SUM_GRAD = [[[0.0, 0.0], [0.0, 0.0], [-1.5, 0.0]], [[0.0, 0.0], [-2.0, -2.0], [0.0, 0.0]]]
NLL_3D = {
    "mean": (1.8181818181818181, [[[0.0, 0.0], [0.0, 0.0], [-0.2727272727272727, 0.0]],
                                  [[0.0, 0.0], [-0.36363636363636365, -0.36363636363636365], [0.0, 0.0]]]),
    "sum": (10.0, NLL_3D_SUM_GRAD),
    "none": ([[3.5999999999999996, 0.0], [2.4, 4.0]], NLL_3D_SUM_GRAD),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_of_3d_input_with_weight_and_ignore_index_matches_pytorch(reduction):
    x = leaf(LOG_PROBS_3D)
    loss = F.nll_loss(x, tg.tensor([[2, 0], [1, 1]]), weight=f64(CLASS_WEIGHT), ignore_index=0, reduction=reduction)
    backward(loss)
    close(loss, NLL_3D[reduction][0])
    close(x.grad, NLL_3D[reduction][1])


BN_A = [[[0.1, 0.5, -0.3, 1.2], [2.0, -1.0, 0.0, 0.4], [0.7, 0.7, 0.1, -0.2]],
        [[-0.6, 0.2, 0.9, 0.3], [1.5, 0.5, -0.5, 0.0], [0.3, -0.8, 1.1, 0.6]]]
BN_B = [[[1.0, -0.5, 0.2, 0.0], [0.3, 0.3, 0.9, -1.4], [2.2, 0.1, -0.7, 0.5]],
        [[0.4, 0.4, -0.1, 0.8], [-0.2, 1.1, 0.6, 0.0], [0.9, -1.3, 0.2, 0.1]]]
BN_C = [[[0.5, -0.5, 1.0, 0.0], [0.0, 0.2, -0.2, 0.4], [1.0, 1.0, -1.0, 0.3]]]
BN_TRAIN_OUT_B = [[[2.490918452342123, -2.4558093800898555, -0.14733639162159892, -0.8069001026125294],
                   [-0.1313203659436753, -0.1313203659436753, 0.280757438394273, -1.2988741449011953],
                   [-1.6954031422674165, 0.45349254940518596, 1.2721194795661772, 0.04417908432469031]],
                  [[0.5122273193693316, 0.5122273193693316, -1.1366819581079948, 1.8313547413511926],
                   [-0.47471853622529886, 0.41811670650692245, 0.07471853622529882, -0.33735926811264944],
                   [-0.3651343807558054, 1.8860896771869209, 0.35116418313506204, 0.45349254940518596]]]
BN_AFTER_TWO_STEPS = {  # running_mean, running_var, eval output on BN_C
    0.1: ([0.053375000000000006, 0.052625000000000005, 0.053125000000000006],
          [0.8648696428571429, 0.9587553571428573, 0.9519125000000002],
          [[[0.8203713809627726, -0.7925508266225005, 1.6268324847554092, 0.013910277170136041],
            [-0.2268723685091963, -0.12474460220346223, -0.32900013481493035, -0.02261683589772816],
            [-0.6704917640055397, -0.6704917640055397, 1.3793918299335541, 0.04696749387314312]]]),
    None: ([0.28125, 0.28125, 0.28125], [0.2916964285714286, 0.7927678571428571, 0.7277678571428572],
           [[[0.7075280307926547, -2.069742967116624, 2.096163529747294, -0.6811074681619845],
             [-0.35793805293366787, -0.24562654862528183, -0.4702495572420539, -0.13331504431689578],
             [-0.5425165461918033, -0.5425165461918033, 1.801877321472345, 0.2780213074906486]]]),
}


@pytest.mark.parametrize("momentum", [0.1, None], ids=["momentum0.1", "cumulative"])
def test_batch_norm_running_stats_after_two_training_steps_match_pytorch(momentum):
    bn = nn.BatchNorm1d(3, momentum=momentum).double()
    bn.weight.data[...] = [1.5, 0.5, -1.0]
    bn.bias.data[...] = [0.1, -0.2, 0.3]
    bn(f64(BN_A))
    out = bn(f64(BN_B))
    running_mean, running_var, eval_out = BN_AFTER_TWO_STEPS[momentum]
    close(out, BN_TRAIN_OUT_B)
    close(bn.running_mean, running_mean)
    close(bn.running_var, running_var)
    assert int(bn.num_batches_tracked.item()) == 2
    close(bn.eval()(f64(BN_C)), eval_out)


def test_batch_norm_of_2d_input_running_stats_after_two_training_steps_match_pytorch():
    bn = nn.BatchNorm1d(2).double()
    bn(f64([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]]))
    bn(f64([[0.0, 1.0], [-2.0, 4.0]]))
    close(bn.running_mean, [0.03500000000000003, 0.295])
    close(bn.running_var, [1.1675, 1.4625])


def test_layer_norm_value_and_gradients_match_pytorch():
    x, w, b = leaf([[0.1, 0.5, -0.3], [2.0, -1.0, 0.4]]), leaf([1.5, 0.5, -1.0]), leaf([0.1, -0.2, 0.3])
    out = F.layer_norm(x, (3,), w, b)
    out.backward(f64([[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]]))
    close(out, [[0.1, 0.41234373275603103, 1.5246874655120621], [1.976546365719482, -0.7983191310989655,
                                                                  0.3543926482817241]])
    close(x.grad, [[4.592577995670232, -2.2963607501395202, -2.296217245530712],
                   [-0.1782644721702033, -0.20373122621036366, 0.38199569838056735]])
    close(w.grad, [0.37530927314389645, -3.287021714562675, -0.5525118196461344])
    close(b.grad, [1.3, -1.3, -0.6000000000000001])


def test_layer_norm_over_two_dims_with_large_eps_matches_pytorch():
    x = f64([[[0.1, 0.5], [-0.3, 1.2]], [[2.0, -1.0], [0.0, 0.4]]])
    close(F.layer_norm(x, (2, 2), eps=0.1),
          [[[-0.43112399091829134, 0.19596545041740515], [-1.0582134322539878, 1.293371972754874]],
           [[1.4655814525582804, -1.1991120975476843], [-0.31088091417902924, 0.044411559168432736]]])


GELU_POINTS = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0]
GELU = {
    "none": ([-0.00404969409489031, -0.15865525393145702, -0.15426876936299344, 0.0, 0.34573123063700656,
              0.841344746068543, 2.99595030590511],
             [-0.01194564720418392, -0.08331547058768635, 0.13250487534383712, 0.5, 0.8674951246561629,
              1.0833154705876864, 1.011945647204184]),
    "tanh": ([-0.0036373920817729943, -0.15880800939172324, -0.15428599017485606, 0.0, 0.34571400982514394,
              0.8411919906082768, 2.996362607918227],
             [-0.011584166630969648, -0.08296408384578252, 0.13263009646535764, 0.5, 0.8673699035346424,
              1.0829640838457826, 1.0115841666309695]),
}


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_value_and_gradient_match_pytorch(approximate):
    x = leaf(GELU_POINTS)
    out = nn.GELU(approximate)(x)
    out.sum().backward()
    close(out, GELU[approximate][0])
    close(x.grad, GELU[approximate][1])


def test_leaky_relu_gradient_at_zero_is_the_negative_slope_as_pytorch():
    x = leaf([-1.0, 0.0, 2.0])
    F.leaky_relu(x, 0.2).sum().backward()
    close(x.grad, [0.2, 0.2, 1.0])


def test_relu_gradient_at_zero_is_zero_as_pytorch():
    x = leaf([-1.0, 0.0, 2.0])
    nn.ReLU()(x).sum().backward()
    close(x.grad, [0.0, 0.0, 1.0])


def test_embedding_with_padding_idx_accumulates_repeats_and_skips_the_padding_row_as_pytorch():
    weight = leaf([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8]])
    out = F.embedding(tg.tensor([[0, 2, 0], [1, 2, 3]]), weight, padding_idx=2)
    out.backward(f64([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]]]))
    close(out, [[[0.1, 0.2], [0.5, 0.6], [0.1, 0.2]], [[0.3, 0.4], [0.5, 0.6], [0.7, 0.8]]])
    close(weight.grad, [[6.0, 8.0], [7.0, 8.0], [0.0, 0.0], [11.0, 12.0]])


REGRESSION_X, REGRESSION_Y = [[0.5, -1.0], [2.0, 0.0]], [[0.0, -1.0], [1.0, 0.5]]  # one tie, for l1
REGRESSION = {
    ("mse", "mean"): (0.375, [[0.25, 0.0], [0.5, -0.25]]),
    ("mse", "sum"): (1.5, [[1.0, 0.0], [2.0, -1.0]]),
    ("mse", "none"): ([[0.25, 0.0], [1.0, 0.25]], [[1.0, 0.0], [2.0, -1.0]]),
    ("l1", "mean"): (0.5, [[0.25, 0.0], [0.25, -0.25]]),
    ("l1", "sum"): (2.0, [[1.0, 0.0], [1.0, -1.0]]),
    ("l1", "none"): ([[0.5, 0.0], [1.0, 0.5]], [[1.0, 0.0], [1.0, -1.0]]),
}


@pytest.mark.parametrize("loss, reduction", list(REGRESSION), ids=lambda v: v)
def test_mse_and_l1_losses_match_pytorch_with_a_zero_l1_gradient_at_a_tie(loss, reduction):
    x = leaf(REGRESSION_X)
    fn = F.mse_loss if loss == "mse" else F.l1_loss
    out = fn(x, f64(REGRESSION_Y), reduction=reduction)
    backward(out)
    close(out, REGRESSION[loss, reduction][0])
    close(x.grad, REGRESSION[loss, reduction][1])


BCE = {
    "mean": (1.0469617036428172, [[0.6249999999999999, -0.1388888888888889], [0.4, -12.499999999999998]]),
    "sum": (4.187846814571269, [[2.4999999999999996, -0.5555555555555556], [1.6, -49.99999999999999]]),
    "none": ([[0.44628710262841953, 0.05268025782891314], [1.3862943611198906, 2.3025850929940455]],
             [[2.4999999999999996, -0.5555555555555556], [1.6, -49.99999999999999]]),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_broadcast_weight_matches_pytorch(reduction):
    x = leaf([[0.2, 0.9], [0.5, 0.01]])
    out = nn.BCELoss(f64([2.0, 0.5]), reduction=reduction)(x, f64([[0.0, 1.0], [0.3, 1.0]]))
    backward(out)
    close(out, BCE[reduction][0])
    close(x.grad, BCE[reduction][1])


BCE_LOGITS_SUM_GRAD = [[-1.094553142838138, 0.2127787415941705], [0.9280551601516338, -0.2201992694944706]]
BCE_LOGITS = {
    "mean": (1.52249725114069, [[-0.2736382857095345, 0.05319468539854263],
                                [0.23201379003790845, -0.05504981737361765]]),
    "sum": (6.08998900456276, BCE_LOGITS_SUM_GRAD),
    "none": ([[1.2084796678965144, 0.27717762223426357], [4.072599711671239, 0.5317320027607432]],
             BCE_LOGITS_SUM_GRAD),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_weight_and_pos_weight_matches_pytorch(reduction):
    x = leaf([[1.5, -0.3], [4.0, -2.0]])
    loss = nn.BCEWithLogitsLoss(f64([2.0, 0.5]), reduction=reduction, pos_weight=f64([3.0, 0.5]))
    out = loss(x, f64([[1.0, 0.0], [0.5, 1.0]]))
    backward(out)
    close(out, BCE_LOGITS[reduction][0])
    close(x.grad, BCE_LOGITS[reduction][1])


def test_softplus_with_beta_and_threshold_matches_pytorch():
    x = leaf([-2.0, -0.1, 0.0, 0.3, 0.6, 3.0])
    out = F.softplus(x, beta=2.0, threshold=1.0)
    out.sum().backward()
    close(out, [0.009074963958904869, 0.2990694346907959, 0.34657359027997264, 0.5187439752429428, 0.6, 3.0])
    close(x.grad, [0.017986209962091555, 0.4501660026875221, 0.5, 0.6456563062257954, 1.0, 1.0])


def test_softplus_and_logsigmoid_at_moderate_and_extreme_points_match_pytorch():
    points = [-1e4, -3.0, 0.0, 3.0, 1e4]
    x, y = leaf(points), leaf(points)
    softplus, logsigmoid = F.softplus(x), F.logsigmoid(y)
    softplus.sum().backward()
    logsigmoid.sum().backward()
    close(softplus, [0.0, 0.04858735157374206, 0.6931471805599453, 3.048587351573742, 10000.0])
    close(x.grad, [0.0, 0.04742587317756679, 0.5, 0.9525741268224333, 1.0])
    close(logsigmoid, [-10000.0, -3.048587351573742, -0.6931471805599453, -0.04858735157374206, 0.0])
    close(y.grad, [1.0, 0.9525741268224333, 0.5, 0.04742587317756679, 0.0])


def test_softmax_and_log_softmax_match_pytorch():
    x = f64([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    close(nn.Softmax(dim=0)(x), [[0.8807970779778823, 0.8807970779778823, 0.07585818002124356],
                                 [0.11920292202211755, 0.11920292202211755, 0.9241418199787566]])
    close(nn.LogSoftmax(dim=1)(x), [[-1.464368784107945, -0.4643687841079449, -1.964368784107945],
                                    [-4.065883903757429, -3.0658839037574293, -0.06588390375742911]])


def test_linear_sigmoid_and_tanh_match_pytorch():
    x = f64([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    close(F.linear(x, f64([[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]]), f64([0.05, -0.1])),
          [[-0.10000000000000005, 0.9], [0.85, -2.4]])
    close(nn.Sigmoid()(f64([-2.0, 0.0, 3.0])), [0.11920292202211755, 0.5, 0.9525741268224334])
    close(nn.Tanh()(f64([-2.0, 0.0, 3.0])), [-0.9640275800758169, 0.0, 0.9950547536867305])


def test_one_hot_matches_pytorch():
    out = F.one_hot(tg.tensor([[0, 2], [1, 0]]), 4)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), [[[1, 0, 0, 0], [0, 0, 1, 0]], [[0, 1, 0, 0], [1, 0, 0, 0]]])
