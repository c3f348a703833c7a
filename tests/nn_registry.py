"""The nn registry: every function of `nn.functional` and every layer of `nn`, with inputs
inside its valid domain.

test_nn_gradients.py iterates this list and fails if a name in `nn.functional.__all__` or a
computing Module class exported by `tinygrad_np.nn` is missing from it, so a layer or loss
without a gradient test cannot exist. As in op_registry.py, an entry's `cases` strategy draws
the float64 arrays to differentiate (inputs, differentiable targets and, for layers, the
parameters) and keyword arguments (options and constants: class-index targets, class weights,
running statistics). Values stay away from kinks (relu at 0, |x − y| at ties, softplus's
threshold), where finite differences are meaningless.

A layer with parameters is a `layer(...)` entry: its function builds the module in float64 and
runs it with the given tensors standing in for its parameters (in `named_parameters()` order),
so gradcheck differentiates with respect to the parameters too.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import hypothesis
import numpy as np
from attention_cases import (
    attention_cases,
    encoder_cases,
    encoder_forward,
    f_attention,
    make_encoder,
    make_multihead_attention,
    multihead_cases,
    multihead_forward,
    numpy_attention,
    numpy_encoder,
    numpy_multihead,
)
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_registry import Case, numpy_flatten, numpy_softmax, one
from recurrent_cases import (
    cell_cases,
    layer_cases,
    make_cell,
    make_layer,
    numpy_cell_layer,
    numpy_layer,
    run_cell,
    run_layer,
)
from strategies import arrays, away_from_zero, shapes

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

SMALL = 3
"""The largest side of a drawn dim: gradgradcheck's cost grows with the square of the size."""


@dataclass(frozen=True)
class NNSpec:
    id: str  # the test id: the function's or layer's name, or name-variant
    target: str  # the public name exercised: a name in nn.functional.__all__ or an nn layer class
    fn: Callable  # (*tensors, **kwargs) -> Tensor, differentiated w.r.t. every float array of a case
    cases: st.SearchStrategy  # of Case
    reference: Callable | None = None  # the NumPy expression for the forward value
    module: Callable | None = None  # layers with parameters: (**kwargs) -> the Module (float32 by default)
    forward: Callable | None = None  # layers with parameters: (module, *inputs, **kwargs) -> Tensor
    differentiable: bool = True
    second_order: bool = True  # smooth to second order: run gradgradcheck too
    eps: float = 1e-6

    def __repr__(self) -> str:
        return self.id


def call_module(module, *inputs, **_):
    return module(*inputs)


def layer(id: str, target: str, make: Callable, cases: st.SearchStrategy, forward: Callable = call_module,
          **options) -> NNSpec:
    """A layer with parameters; a case's arrays are the inputs followed by the parameters. The
    layer is built in the dtype of the arrays (float64 for gradcheck)."""

    def fn(*tensors, **kwargs):
        dtype = next(t.dtype for t in tensors if t.dtype.kind == "f")  # float64 in gradcheck
        module = make(**kwargs, dtype=dtype)
        names = [name for name, _ in module.named_parameters()]
        inputs, params = tensors[:len(tensors) - len(names)], tensors[len(tensors) - len(names):]
        substitute_parameters(module, dict(zip(names, params)))
        return forward(module, *inputs, **kwargs)

    return NNSpec(id, target, fn, cases, module=make, forward=forward, **options)


def substitute_parameters(module, tensors: dict) -> None:
    """Run `module` with these tensors in place of its own parameters (a test-only
    functional_call: the tensors are gradcheck's inputs, not Parameters)."""
    for name, tensor in tensors.items():
        owner, _, leaf = name.rpartition(".")
        module.get_submodule(owner)._parameters[leaf] = tensor


def constant(array):
    """A constant tensor for an option array (a copy: some functions update buffers in place)."""
    return None if array is None else tg.tensor(np.array(array))


# --------------------------------------------------------------------- value strategies


def positive(shape, low=0.2, high=3.0):
    return arrays(shape, low, high)


def probabilities(shape, low=0.05, high=0.95):
    """Strictly inside (0, 1), where log x and log(1 − x) are smooth."""
    return arrays(shape, low, high)


def unit_interval(shape):
    return arrays(shape, 0.0, 1.0)


def expandable_to(shape):
    """Shapes that broadcast to `shape` without enlarging it: a suffix, some dims set to 1."""
    return st.integers(0, len(shape)).flatmap(
        lambda k: st.tuples(*[st.sampled_from([n, 1]) for n in shape[len(shape) - k:]])
    )


def small_shapes(min_dims=0, max_dims=3):
    return shapes(min_dims=min_dims, max_dims=max_dims, max_side=SMALL)


# --------------------------------------------------------------------- case strategies


@st.composite
def linear_cases(draw, bias: str = "full", layer: bool = False):
    """x of shape (*batch, in), W (out, in) and a bias: "full" (out,), "broadcast" (out,), (1,)
    or (), or "none". A layer's case names its constructor's arguments."""
    batch = draw(small_shapes(max_dims=2))
    n_in, n_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    found = [draw(arrays(batch + (n_in,))), draw(arrays((n_out, n_in)))]
    if bias == "broadcast":
        found.append(draw(arrays(draw(st.sampled_from([(n_out,), (1,), ()])))))
    elif bias == "full":
        found.append(draw(arrays((n_out,))))
    options = {"in_features": n_in, "out_features": n_out, "bias": bias != "none"} if layer else {}
    return Case(tuple(found), options)


def softplus_cases():
    def off_threshold(case: Case) -> Case:
        (x,), kw = case.arrays, case.kwargs
        scaled = kw["beta"] * x
        return Case((np.where(np.abs(scaled - kw["threshold"]) < 0.1, x + 0.3 / kw["beta"], x),), kw)

    return one(lambda s: arrays(s, -4, 4), shape=small_shapes(),
               beta=st.sampled_from([1.0, 0.5, 2.0]), threshold=st.sampled_from([20.0, 1.0])).map(off_threshold)


@st.composite
def along_dim(draw):
    """An array of at least one dim and a `dim` of it (softmax and friends)."""
    shape = draw(small_shapes(min_dims=1))
    return Case((draw(arrays(shape)),), {"dim": draw(st.integers(-len(shape), len(shape) - 1))})


@st.composite
def flatten_cases(draw):
    shape = draw(small_shapes(min_dims=1))
    first, last = sorted(draw(st.lists(st.integers(0, len(shape) - 1), min_size=2, max_size=2)))
    return Case((draw(arrays(shape)),), {"start_dim": first, "end_dim": last - len(shape)})


@st.composite
def unflatten_cases(draw):
    """An array, a dim of it and a split of that dim's size (the second factor sometimes -1)."""
    shape = list(draw(small_shapes(min_dims=1)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    first, second = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    shape[dim] = first * second
    return Case((draw(arrays(tuple(shape))),), {"dim": dim, "sizes": (first, draw(st.sampled_from([second, -1])))})


@st.composite
def dropout_cases(draw, training=None):
    x = draw(arrays(draw(small_shapes())))
    return Case((x,), {
        "p": draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])),
        "training": draw(st.booleans()) if training is None else training,
        "seed": draw(st.integers(0, 2**16)),
    })


@st.composite
def layer_norm_cases(draw, weight: bool | None = None, bias: bool | None = None):
    """x, then the weight and bias of the normalized (trailing) shape where present."""
    shape = draw(small_shapes(min_dims=1))
    normalized = shape[len(shape) - draw(st.integers(1, len(shape))):]
    weight = draw(st.booleans()) if weight is None else weight
    bias = draw(st.booleans()) if bias is None else bias
    found = [draw(arrays(shape))]
    found += [draw(arrays(normalized))] if weight else []
    found += [draw(arrays(normalized))] if bias else []
    eps = draw(st.sampled_from([1e-5, 0.1]))
    return Case(tuple(found), {"normalized_shape": normalized, "eps": eps, "weight": weight, "bias": bias})


@st.composite
def batch_norm_cases(draw, training: bool, images: bool = False):
    """x of shape (N, C) or (N, C, L) (or (N, C, H, W) for `images`), then weight and bias (C,)
    if affine; the running statistics are constants (always present in eval mode, where they
    are used)."""
    n, c = draw(st.integers(1, SMALL)), draw(st.integers(1, SMALL))
    spatial = [(1, 1), (1, 2), (2, 2), (2, 3)] if images else [(), (1,), (2,), (3,)]
    shape = (n, c) + draw(st.sampled_from(spatial))
    if training and n * math.prod(shape[2:]) < 2:
        shape = (2,) + shape[1:]
    affine = draw(st.booleans())
    found = [draw(arrays(shape))]
    found += [draw(arrays((c,))), draw(arrays((c,)))] if affine else []
    tracked = draw(st.booleans()) if training else True
    return Case(tuple(found), {
        "num_features": c,
        "affine": affine,
        "training": training,
        "running_mean": draw(arrays((c,))) if tracked else None,
        "running_var": draw(positive((c,))) if tracked else None,
        "momentum": draw(st.sampled_from([0.1, 0.5])),
        "eps": draw(st.sampled_from([1e-5, 0.1])),
    })


@st.composite
def embedding_cases(draw):
    """A weight (num, dim) and integer indices (repeats included) with an optional padding_idx."""
    num, dim = draw(st.integers(1, 4)), draw(st.integers(1, SMALL))
    indices = draw(hnp.arrays(np.int64, draw(small_shapes(max_dims=2)), elements=st.integers(0, num - 1)))
    padding_idx = draw(st.none() | st.integers(-num, num - 1))
    return Case((draw(arrays((num, dim))),),
                {"indices": indices, "padding_idx": padding_idx, "num_embeddings": num, "embedding_dim": dim})


@st.composite
def one_hot_cases(draw):
    indices = draw(hnp.arrays(np.int64, draw(small_shapes()), elements=st.integers(0, 4)))
    num_classes = draw(st.sampled_from([-1, int(indices.max()) + 1, int(indices.max()) + 2]))
    return Case((indices,), {"num_classes": num_classes})


def class_layout(draw):
    """(input shape, per-sample shape, classes): (C,), (N, C) or (N, C, d1[, d2])."""
    c = draw(st.integers(1, 4))
    n = draw(st.integers(1, SMALL))
    layout = draw(st.sampled_from(["C", "NC", "NCd"]))
    if layout == "C":
        return (c,), (), c
    if layout == "NC":
        return (n, c), (n,), c
    extra = draw(shapes(min_dims=1, max_dims=2, max_side=2))
    return (n, c) + extra, (n,) + extra, c


@st.composite
def class_index_cases(draw, smoothing: bool):
    """Logits (or log-probabilities), integer targets with some at ignore_index (which may be
    a real class), optional positive class weights, every reduction."""
    shape, sample_shape, c = class_layout(draw)
    targets = draw(hnp.arrays(np.int64, sample_shape, elements=st.integers(0, c - 1)))
    ignore_index = draw(st.sampled_from([-100, c - 1]))
    ignored = draw(hnp.arrays(np.bool_, sample_shape))
    targets = np.where(ignored, ignore_index, targets)
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    if reduction == "mean" and (targets == ignore_index).all():  # the mean would be 0/0 (nan, as PyTorch)
        kept_classes = [k for k in range(c) if k != ignore_index]
        if kept_classes:
            targets.flat[0] = kept_classes[0]
        else:  # the only class is ignore_index: ignore nothing instead
            ignore_index = -100
    kwargs = {
        "target": np.asarray(targets, dtype=np.int64),
        "weight": draw(st.none() | positive((c,))),
        "ignore_index": ignore_index,
        "reduction": reduction,
    }
    if smoothing:
        kwargs["label_smoothing"] = draw(st.sampled_from([0.0, 0.1, 0.5]))
    return Case((draw(arrays(shape)),), kwargs)


@st.composite
def class_probability_cases(draw):
    """Logits and class-probability targets of the same shape (both differentiated)."""
    shape, _, c = class_layout(draw)
    class_dim = 1 if len(shape) > 1 else 0
    target = numpy_softmax(draw(arrays(shape)), class_dim)
    return Case((draw(arrays(shape)), target), {
        "weight": draw(st.none() | positive((c,))),
        "reduction": draw(st.sampled_from(["mean", "sum", "none"])),
        "label_smoothing": draw(st.sampled_from([0.0, 0.1, 0.5])),
    })


reductions = st.sampled_from(["mean", "sum", "none"])


@st.composite
def regression_cases(draw, untied: bool = False):
    shape = draw(small_shapes())
    x = draw(arrays(shape))
    y = x + draw(away_from_zero(shape)) if untied else draw(arrays(shape))
    return Case((x, y), {"reduction": draw(reductions)})


@st.composite
def binary_cases(draw, logits: bool):
    """Probabilities strictly inside (0, 1) (or logits), soft targets in [0, 1] (both
    differentiated), an optional weight broadcasting to the input (and pos_weight)."""
    shape = draw(small_shapes())
    x = draw(arrays(shape, -4, 4) if logits else probabilities(shape))
    kwargs = {"weight": draw(st.none() | expandable_to(shape).flatmap(positive)), "reduction": draw(reductions)}
    if logits:
        kwargs["pos_weight"] = draw(st.none() | expandable_to(shape).flatmap(positive))
    return Case((x, draw(unit_interval(shape))), kwargs)


# --------------------------------------------------------------------- NumPy references


def erf(x):
    return np.vectorize(math.erf, otypes=[float])(x)


def numpy_log_softmax(x, axis):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def numpy_linear(x, w, b=None, **_):
    return x @ w.T if b is None else x @ w.T + b


def numpy_gelu(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def numpy_softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.logaddexp(0, beta * x) / beta)


def numpy_layer_norm(x, *params, normalized_shape, eps, weight, bias, **_):
    axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    out = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + eps)
    params = list(params)
    out = out * params.pop(0) if weight else out
    return out + params.pop(0) if bias else out


def numpy_batch_norm(x, *params, training, running_mean, running_var, eps, **_):
    axes = (0, *range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if training or running_mean is None:
        mean, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    else:
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    out = (x - mean) / np.sqrt(var + eps)
    if params:
        out = out * params[0].reshape(shape) + params[1].reshape(shape)
    return out


def numpy_embedding(weight, indices, padding_idx, num_embeddings, **_):
    return without_padding(weight[indices], indices, padding_idx, num_embeddings)


def numpy_one_hot(indices, num_classes):
    classes = int(indices.max()) + 1 if num_classes == -1 else num_classes
    return (indices[..., None] == np.arange(classes)).astype(np.int64)


def numpy_reduce(losses, reduction):
    return losses.mean() if reduction == "mean" else losses.sum() if reduction == "sum" else losses


def numpy_nll(log_probs, target, weight, ignore_index, reduction, label_smoothing=0.0):
    """PyTorch's nll_loss / cross_entropy on log-probabilities, label smoothing included."""
    class_dim = 1 if log_probs.ndim > 1 else 0
    classes = log_probs.shape[class_dim]
    kept = target != ignore_index
    safe = np.where(kept, target, 0)
    w = np.ones(classes) if weight is None else weight
    sample_weight = w[safe] * kept
    picked = np.squeeze(np.take_along_axis(log_probs, np.expand_dims(safe, class_dim), class_dim), class_dim)
    w_shape = (classes,) + (1,) * (log_probs.ndim - class_dim - 1)
    smooth = -(log_probs * w.reshape(w_shape)).sum(class_dim) * kept
    losses = (1 - label_smoothing) * -picked * sample_weight + label_smoothing / classes * smooth
    return losses.sum() / sample_weight.sum() if reduction == "mean" else numpy_reduce(losses, reduction)


def numpy_cross_entropy(x, probs=None, *, weight, reduction, label_smoothing, ignore_index=-100, target=None):
    """Class-index targets come as the keyword `target`, class probabilities as an array."""
    class_dim = 1 if x.ndim > 1 else 0
    log_probs = numpy_log_softmax(x, class_dim)
    if probs is None:
        return numpy_nll(log_probs, target, weight, ignore_index, reduction, label_smoothing)
    classes = x.shape[class_dim]
    probs = (1 - label_smoothing) * probs + label_smoothing / classes
    w = np.ones(classes) if weight is None else weight
    losses = -(log_probs * probs * w.reshape((classes,) + (1,) * (x.ndim - class_dim - 1))).sum(class_dim)
    return numpy_reduce(losses, reduction)


def numpy_nll_loss(x, *, target, weight, ignore_index, reduction):
    return numpy_nll(x, target, weight, ignore_index, reduction)


def numpy_bce(x, y, weight, reduction):
    losses = -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log1p(-x), -100))
    return numpy_reduce(losses if weight is None else losses * weight, reduction)


def numpy_bce_with_logits(x, y, weight, reduction, pos_weight):
    p = 1 if pos_weight is None else pos_weight
    losses = (1 - y) * x + (1 + (p - 1) * y) * np.logaddexp(0, -x)
    return numpy_reduce(losses if weight is None else losses * weight, reduction)


# --------------------------------------------------------------------- layers with parameters


def make_batch_norm(num_features, affine, training, running_mean, running_var, momentum, eps, dtype=None, **_):
    module = nn.BatchNorm1d(num_features, eps=eps, momentum=momentum, affine=affine,
                            track_running_stats=running_mean is not None, dtype=dtype)
    if running_mean is not None:
        module.running_mean.data[...] = running_mean
        module.running_var.data[...] = running_var
    return module.train(training)


def make_layer_norm(normalized_shape, eps, weight, bias, dtype=None, **_):
    return nn.LayerNorm(normalized_shape, eps=eps, elementwise_affine=weight, bias=bias, dtype=dtype)


def make_linear(in_features, out_features, bias, dtype=None, **_):
    return nn.Linear(in_features, out_features, bias=bias, dtype=dtype)


def make_embedding(num_embeddings, embedding_dim, padding_idx, dtype=None, **_):
    return nn.Embedding(num_embeddings, embedding_dim, padding_idx=padding_idx, dtype=dtype)


def embed(module, indices, padding_idx, num_embeddings, **_):
    return without_padding(module(tg.tensor(indices)), indices, padding_idx, num_embeddings)


def without_padding(out, indices, padding_idx, num_embeddings):
    """Zero the outputs at padding positions: there the padding row is read but, by design (as
    PyTorch), gets no gradient, which finite differences cannot know. (Literal tests check it.)"""
    if padding_idx is None:
        return out
    keep = (indices != padding_idx % num_embeddings)[..., None]
    return out * keep.astype(out.dtype)


def affine_layer_norm_cases():
    """LayerNorm's parameters: both (elementwise_affine), neither, or only the weight (bias=False)."""
    return st.sampled_from([(True, True), (False, False), (True, False)]).flatmap(
        lambda flags: layer_norm_cases(weight=flags[0], bias=flags[1]))


# --------------------------------------------------------------------- functional forms


def f_layer_norm(x, *params, normalized_shape, eps, weight, bias):
    params = list(params)
    w = params.pop(0) if weight else None
    b = params.pop(0) if bias else None
    return F.layer_norm(x, normalized_shape, w, b, eps)


def f_batch_norm(x, *params, running_mean, running_var, training, momentum, eps, **_):
    weight, bias = params if params else (None, None)
    return F.batch_norm(x, constant(running_mean), constant(running_var), weight, bias, training, momentum, eps)


def f_embedding(weight, indices, padding_idx, num_embeddings, **_):
    return without_padding(F.embedding(tg.tensor(indices), weight, padding_idx), indices, padding_idx, num_embeddings)


def f_dropout(x, p, training, seed):
    tg.manual_seed(seed)  # the same mask on every evaluation gradcheck makes
    return F.dropout(x, p, training)


def m_dropout(x, p, training, seed):
    module = nn.Dropout(p).train(training)
    tg.manual_seed(seed)
    return module(x)


def f_cross_entropy(x, probs=None, **kw):
    target = constant(kw.pop("target")) if probs is None else probs
    return F.cross_entropy(x, target, weight=constant(kw.pop("weight")), **kw)


def m_cross_entropy(x, probs=None, **kw):
    target = constant(kw.pop("target")) if probs is None else probs
    return nn.CrossEntropyLoss(constant(kw.pop("weight")), **kw)(x, target)


def f_nll_loss(x, *, target, weight, **kw):
    return F.nll_loss(x, constant(target), weight=constant(weight), **kw)


def m_nll_loss(x, *, target, weight, **kw):
    return nn.NLLLoss(constant(weight), **kw)(x, constant(target))


def f_bce(x, y, weight, reduction):
    return F.binary_cross_entropy(x, y, constant(weight), reduction=reduction)


def m_bce(x, y, weight, reduction):
    return nn.BCELoss(constant(weight), reduction=reduction)(x, y)


def f_bce_with_logits(x, y, weight, reduction, pos_weight):
    return F.binary_cross_entropy_with_logits(x, y, constant(weight), reduction=reduction,
                                              pos_weight=constant(pos_weight))


def m_bce_with_logits(x, y, weight, reduction, pos_weight):
    return nn.BCEWithLogitsLoss(constant(weight), reduction=reduction, pos_weight=constant(pos_weight))(x, y)


# --------------------------------------------------------------------- convolution and pooling


@st.composite
def conv_geometry(draw, pooling: bool = False, max_dilation: int = 2):
    """Kernel, stride, padding, dilation and an input height/width that the kernel fits."""
    kernel = draw(st.integers(1, 3))
    stride, dilation = draw(st.integers(1, 2)), draw(st.integers(1, max_dilation))
    padding = draw(st.integers(0, (dilation * (kernel - 1) + 1) // 2 if pooling else 1))
    reach = dilation * (kernel - 1) + 1
    size = draw(st.integers(max(reach - 2 * padding, 1), max(reach - 2 * padding, 1) + 2))
    return kernel, stride, padding, dilation, size


@st.composite
def conv_cases(draw, bias: bool = True, layer: bool = False):
    """x (N, C_in, H, W) or unbatched, weight (C_out, C_in/groups, k, k) and a bias."""
    kernel, stride, padding, dilation, size = draw(conv_geometry())
    groups = draw(st.integers(1, 2))
    channels_in, channels_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    batch = draw(st.sampled_from([(1,), (2,), ()]))
    found = [draw(arrays(batch + (channels_in, size, size + 1))),
             draw(arrays((channels_out, channels_in // groups, kernel, kernel)))]
    if bias:
        found.append(draw(arrays((channels_out,))))
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    if layer:
        options.update(in_channels=channels_in, out_channels=channels_out, kernel_size=kernel, bias=bias)
    return Case(tuple(found), options)


@st.composite
def pool_cases(draw, distinct: bool = False, layer: bool = False):
    """x (N, C, H, W) or unbatched; with `distinct`, no two values tie (max pooling's kink)."""
    kernel, stride, padding, dilation, size = draw(conv_geometry(pooling=True, max_dilation=2 if distinct else 1))
    if dilation > 1:  # a dilated window can then lie wholly in the padding: a max of -inf
        padding = 0
        size = max(size, dilation * (kernel - 1) + 1)
    shape = draw(st.sampled_from([(1,), (2,), ()])) + (draw(st.integers(1, 2)), size, size + 1)
    if distinct:
        x = draw(st.permutations(range(math.prod(shape)))).__iter__()
        array = np.array(list(x), dtype=np.float64).reshape(shape) / 4
    else:
        array = draw(arrays(shape))
    options = dict(kernel_size=kernel, stride=stride, padding=padding)
    if distinct:
        options["dilation"] = dilation
    return Case((array,), options)


@st.composite
def pad_cases(draw):
    shape = draw(small_shapes(min_dims=1))
    pads = []
    for n in reversed(shape[len(shape) - draw(st.integers(1, len(shape))):]):
        pads += [draw(st.integers(-(n // 2), 2)), draw(st.integers(-(n // 2), 2))]
    return Case((draw(arrays(shape)),), {"pad": tuple(pads), "value": draw(st.sampled_from([0.0, 1.5]))})


def numpy_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, **_):
    """out[n, o, y, x] = b[o] + Σ w[o] ⊙ the window at (y, x) of o's group, one pixel at a time."""
    unbatched = x.ndim == 3
    x = np.pad(x[None] if unbatched else x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, _, height, width = x.shape
    out_channels, per_group, kernel, _ = w.shape
    reach = dilation * (kernel - 1) + 1
    out = np.zeros((n, out_channels, (height - reach) // stride + 1, (width - reach) // stride + 1))
    for o in range(out_channels):
        group = o // (out_channels // groups)
        channels = x[:, group * per_group:(group + 1) * per_group]
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                window = channels[:, :, i * stride:i * stride + reach:dilation, j * stride:j * stride + reach:dilation]
                out[:, o, i, j] = (window * w[o]).sum((1, 2, 3)) + (0 if b is None else b[o])
    return out[0] if unbatched else out


def numpy_pool2d(reduce, x, kernel_size, stride, padding, dilation=1, fill=0.0):
    unbatched = x.ndim == 3
    x = np.pad(x[None] if unbatched else x, ((0, 0), (0, 0), (padding, padding), (padding, padding)),
               constant_values=fill)
    reach = dilation * (kernel_size - 1) + 1
    out_h, out_w = (x.shape[2] - reach) // stride + 1, (x.shape[3] - reach) // stride + 1
    out = np.zeros(x.shape[:2] + (out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = reduce(x[:, :, i * stride:i * stride + reach:dilation,
                                       j * stride:j * stride + reach:dilation], axis=(2, 3))
    return out[0] if unbatched else out


def numpy_max_pool2d(x, **kw):
    return numpy_pool2d(np.max, x, fill=-np.inf, **kw)


def numpy_avg_pool2d(x, **kw):
    return numpy_pool2d(np.mean, x, **kw)


def numpy_pad(x, pad, value):
    for k in range(len(pad) // 2):
        dim, (before, after) = x.ndim - 1 - k, pad[2 * k:2 * k + 2]
        x = x[(slice(None),) * dim + (slice(max(-before, 0), x.shape[dim] - max(-after, 0)),)]
        widths = [(0, 0)] * x.ndim
        widths[dim] = (max(before, 0), max(after, 0))
        x = np.pad(x, widths, constant_values=value)
    return x


def make_conv2d(in_channels, out_channels, kernel_size, bias, stride, padding, dilation, groups, dtype=None, **_):
    return nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias=bias, dtype=dtype)


def make_padded_conv2d(padding_mode):
    """Conv2d padding with F.pad's `padding_mode` before convolving."""
    def make(in_channels, out_channels, kernel_size, bias, stride, padding, dilation, groups, dtype=None, **_):
        return nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias=bias,
                         padding_mode=padding_mode, dtype=dtype)

    return make


def numpy_padded_conv2d(numpy_mode):
    def reference(x, w, b=None, padding=0, **kw):
        widths = [(0, 0)] * (x.ndim - 2) + [(padding, padding)] * 2
        return numpy_conv2d(np.pad(x, widths, mode=numpy_mode), w, b, padding=0, **kw)

    return reference


# --------------------------------------------------------------------- 1-d, transposed and adaptive


@st.composite
def conv1d_cases(draw, bias: bool = True, layer: bool = False):
    """x (N, C_in, L) or unbatched, weight (C_out, C_in/groups, k) and a bias; padding an int,
    or 'same' / 'valid' (stride 1)."""
    kernel, stride, padding, dilation, size = draw(conv_geometry())
    groups = draw(st.integers(1, 2))
    channels_in, channels_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    batch = draw(st.sampled_from([(1,), (2,), ()]))
    if stride == 1 and draw(st.booleans()):
        padding = draw(st.sampled_from(["same", "valid"]))
        size = max(size, dilation * (kernel - 1) + 1)
    found = [draw(arrays(batch + (channels_in, size + 1))),
             draw(arrays((channels_out, channels_in // groups, kernel)))]
    if bias:
        found.append(draw(arrays((channels_out,))))
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    if layer:
        options.update(in_channels=channels_in, out_channels=channels_out, kernel_size=kernel, bias=bias)
    return Case(tuple(found), options)


@st.composite
def conv_transpose2d_cases(draw, bias: bool = True, layer: bool = False):
    """x (N, C_in, H, W) or unbatched, weight (C_in, C_out/groups, kH, kW), a bias, and a stride,
    padding, output_padding (below the stride or the dilation) and dilation that leave an output."""
    kernel_h, kernel_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, dilation = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    output_padding = draw(st.integers(0, max(stride, dilation) - 1))
    groups = draw(st.integers(1, 2))
    channels_in, channels_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    height, width = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    smallest = min((n - 1) * stride + dilation * (k - 1) + 1 for n, k in ((height, kernel_h), (width, kernel_w)))
    padding = draw(st.integers(0, min(1, (smallest + output_padding - 1) // 2)))
    batch = draw(st.sampled_from([(1,), (2,), ()]))
    found = [draw(arrays(batch + (channels_in, height, width))),
             draw(arrays((channels_in, channels_out // groups, kernel_h, kernel_w)))]
    if bias:
        found.append(draw(arrays((channels_out,))))
    options = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation)
    if layer:
        options.update(in_channels=channels_in, out_channels=channels_out, kernel_size=(kernel_h, kernel_w),
                       bias=bias)
    return Case(tuple(found), options)


@st.composite
def pool1d_cases(draw, distinct: bool = False):
    """x (N, C, L) or unbatched; with `distinct`, no two values tie (max pooling's kink)."""
    kernel, stride, padding, dilation, size = draw(conv_geometry(pooling=True, max_dilation=2 if distinct else 1))
    if dilation > 1:  # a dilated window can then lie wholly in the padding
        padding = 0
        size = max(size, dilation * (kernel - 1) + 1)
    shape = draw(st.sampled_from([(1,), (2,), ()])) + (draw(st.integers(1, 2)), size + 1)
    array = distinct_values(draw, shape) if distinct else draw(arrays(shape))
    options = dict(kernel_size=kernel, stride=stride, padding=padding)
    if distinct:
        options["dilation"] = dilation
    else:
        options["count_include_pad"] = draw(st.booleans())
    return Case((array,), options)


def distinct_values(draw, shape):
    return np.array(draw(st.permutations(range(math.prod(shape)))), dtype=np.float64).reshape(shape) / 4


@st.composite
def adaptive_cases(draw, distinct: bool = False):
    """x (N, C, H, W) or unbatched and an output size (an int, or a pair with None entries)
    smaller than, equal to or larger than the input, so bins tile, overlap or repeat."""
    shape = draw(st.sampled_from([(1,), (2,), ()])) + (draw(st.integers(1, 2)), draw(st.integers(1, 4)),
                                                       draw(st.integers(1, 4)))
    side = st.integers(1, 4)
    output_size = draw(side | st.tuples(st.none() | side, st.none() | side))
    array = distinct_values(draw, shape) if distinct else draw(arrays(shape))
    return Case((array,), {"output_size": output_size})


def numpy_conv1d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, **_):
    """out[n, o, t] = b[o] + Σ w[o] ⊙ the window at t of o's group, one position at a time."""
    unbatched = x.ndim == 2
    x = x[None] if unbatched else x
    out_channels, per_group, kernel = w.shape
    reach = dilation * (kernel - 1) + 1
    if padding == "same":
        left, right = (reach - 1) // 2, reach - 1 - (reach - 1) // 2
    else:
        left = right = 0 if padding == "valid" else padding
    x = np.pad(x, ((0, 0), (0, 0), (left, right)))
    out = np.zeros((x.shape[0], out_channels, (x.shape[2] - reach) // stride + 1))
    for o in range(out_channels):
        group = o // (out_channels // groups)
        channels = x[:, group * per_group:(group + 1) * per_group]
        for t in range(out.shape[2]):
            window = channels[:, :, t * stride:t * stride + reach:dilation]
            out[:, o, t] = (window * w[o]).sum((1, 2)) + (0 if b is None else b[o])
    return out[0] if unbatched else out


def numpy_conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1, **_):
    """Each input pixel scatters its kernel, scaled, into the output (the definition), then
    `padding` is cropped from each side and `output_padding` zeros added at the end."""
    unbatched = x.ndim == 3
    x = x[None] if unbatched else x
    n, channels_in, height, width = x.shape
    _, per_group, kernel_h, kernel_w = w.shape
    full = np.zeros((n, per_group * groups, (height - 1) * stride + dilation * (kernel_h - 1) + 1,
                     (width - 1) * stride + dilation * (kernel_w - 1) + 1))
    for c in range(channels_in):
        group = c // (channels_in // groups)
        for y, z, i, j in np.ndindex(height, width, kernel_h, kernel_w):
            full[:, group * per_group:(group + 1) * per_group, y * stride + i * dilation,
                 z * stride + j * dilation] += x[:, c, y, z, None] * w[c, :, i, j]
    full = np.pad(full, ((0, 0), (0, 0), (0, output_padding), (0, output_padding)))
    out = full[:, :, padding:full.shape[2] - padding, padding:full.shape[3] - padding]
    out = out + (0 if b is None else b[:, None, None])
    return out[0] if unbatched else out


def numpy_pool1d(reduce, x, kernel_size, stride, padding, dilation=1, fill=0.0, count_include_pad=True):
    unbatched = x.ndim == 2
    x = x[None] if unbatched else x
    inside = np.pad(np.ones(x.shape), ((0, 0), (0, 0), (padding, padding)))
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding)), constant_values=fill)
    reach = dilation * (kernel_size - 1) + 1
    out = np.zeros(x.shape[:2] + ((x.shape[2] - reach) // stride + 1,))
    for t in range(out.shape[2]):
        window = slice(t * stride, t * stride + reach, dilation)
        out[:, :, t] = reduce(x[:, :, window], axis=2)
        if not count_include_pad:
            out[:, :, t] *= kernel_size / inside[:, :, window].sum(2)
    return out[0] if unbatched else out


def numpy_max_pool1d(x, **kw):
    return numpy_pool1d(np.max, x, fill=-np.inf, **kw)


def numpy_avg_pool1d(x, **kw):
    return numpy_pool1d(np.mean, x, **kw)


def numpy_adaptive_pool2d(reduce, x, output_size):
    """One bin at a time: rows floor(i·H/oH) to ceil((i + 1)·H/oH), likewise for columns."""
    sizes = (output_size, output_size) if isinstance(output_size, int) else output_size
    out_h, out_w = (n if o is None else o for n, o in zip(x.shape[-2:], sizes))
    height, width = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (out_h, out_w))
    for i, j in np.ndindex(out_h, out_w):
        rows = slice(i * height // out_h, math.ceil((i + 1) * height / out_h))
        cols = slice(j * width // out_w, math.ceil((j + 1) * width / out_w))
        out[..., i, j] = reduce(x[..., rows, cols], axis=(-2, -1))
    return out


def make_conv1d(in_channels, out_channels, kernel_size, bias, stride, padding, dilation, groups, dtype=None, **_):
    return nn.Conv1d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, dtype=dtype)


def make_conv_transpose2d(in_channels, out_channels, kernel_size, bias, stride, padding, output_padding, groups,
                          dilation, dtype=None, **_):
    return nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                              dilation, dtype=dtype)


# --------------------------------------------------------------------- channel dropout, elu, norms, losses


@st.composite
def channel_dropout_cases(draw, ranks, training=None):
    shape = draw(shapes(min_dims=ranks[0], max_dims=ranks[-1], max_side=SMALL))
    return Case((draw(arrays(shape)),), {
        "p": draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])),
        "training": draw(st.booleans()) if training is None else training,
        "seed": draw(st.integers(0, 2**16)),
    })


def seeded(dropout):
    """A dropout function drawing its mask after `seed`: the same mask on every evaluation."""
    def fn(x, p, training, seed, inplace=False):
        tg.manual_seed(seed)
        return dropout(x * 1 if inplace else x, p, training, inplace)  # in place on a copy, not the leaf

    return fn


def m_channel_dropout(layer):
    def fn(x, p, training, seed):
        module = layer(p).train(training)
        tg.manual_seed(seed)
        return module(x)

    return fn


def numpy_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


@st.composite
def normalize_cases(draw):
    """Values away from 0 (|x| is smooth there), a dim and an order p; for p = inf, magnitudes
    that do not tie (the maximum's kink)."""
    shape = draw(small_shapes(min_dims=1))
    p = draw(st.sampled_from([1.0, 2.0, 3.0, math.inf]))
    x = draw(away_from_zero(shape))
    if p == math.inf:
        x = np.sign(x) * (distinct_values(draw, shape) + 0.25)
    return Case((x,), {"dim": draw(st.integers(-len(shape), len(shape) - 1)), "p": p})


def numpy_norm(x, p, axis):
    if p == math.inf:
        return np.abs(x).max(axis=axis, keepdims=True)
    return (np.abs(x) ** p).sum(axis=axis, keepdims=True) ** (1 / p)


def numpy_normalize(x, p, dim):
    return x / np.maximum(numpy_norm(x, p, dim), 1e-12)


@st.composite
def cosine_cases(draw):
    """x1 and x2 broadcasting to a shape of at least one dim (x2 may be a suffix with 1s), a dim."""
    shape = draw(small_shapes(min_dims=1))
    other = draw(expandable_to(shape).filter(len))
    return Case((draw(away_from_zero(shape)), draw(away_from_zero(other))),
                {"dim": draw(st.integers(-len(shape), len(shape) - 1))})


def numpy_cosine_similarity(x1, x2, dim):
    x1, x2 = np.broadcast_arrays(x1, x2)
    norms = np.maximum(np.sqrt((x1 * x1).sum(dim)), 1e-8) * np.maximum(np.sqrt((x2 * x2).sum(dim)), 1e-8)
    return (x1 * x2).sum(dim) / norms


@st.composite
def smooth_regression_cases(draw, option: str):
    """x, y and a β (smooth_l1) or δ (huber), with |x − y| away from 0 and from β or δ, where
    the second derivative jumps."""
    case = draw(regression_cases(untied=True))
    x, y = case.arrays
    threshold = draw(st.sampled_from([1.0, 0.5, 2.0]))
    gap = np.abs(x - y)
    y = np.where(np.abs(gap - threshold) < 0.05, y + 0.1 * np.sign(y - x), y)
    return Case((x, y), {**case.kwargs, option: threshold})


def numpy_smooth_l1(x, y, reduction, beta):
    d = np.abs(x - y)
    return numpy_reduce(np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def numpy_huber(x, y, reduction, delta):
    d = np.abs(x - y)
    return numpy_reduce(np.where(d <= delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction)


@st.composite
def kl_div_cases(draw):
    """Log-probabilities and a target (probabilities inside (0, 1], or any log-probabilities
    with log_target), both differentiated, with every reduction."""
    shape = draw(small_shapes())
    log_target = draw(st.booleans())
    target = draw(arrays(shape) if log_target else probabilities(shape))
    return Case((draw(arrays(shape, -4, 0)), target),
                {"reduction": draw(st.sampled_from(["mean", "batchmean", "sum", "none"])), "log_target": log_target})


def numpy_kl_div(x, y, reduction, log_target):
    losses = np.exp(y) * (y - x) if log_target else y * (np.log(y) - x)
    if reduction == "batchmean":
        return losses.sum() / (x.shape[0] if x.ndim else 1)
    return numpy_reduce(losses, reduction)


def quiet_mean(loss):
    """kl_div's 'mean' warns that it is not the KL divergence, as PyTorch (a literal test checks it)."""
    def fn(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "reduction: 'mean' divides")
            return loss(*args, **kwargs)

    return fn


def make_batch_norm2d(num_features, affine, training, running_mean, running_var, momentum, eps, dtype=None, **_):
    module = nn.BatchNorm2d(num_features, eps=eps, momentum=momentum, affine=affine,
                            track_running_stats=running_mean is not None, dtype=dtype)
    if running_mean is not None:
        module.running_mean.data[...] = running_mean
        module.running_var.data[...] = running_var
    return module.train(training)


def in_place(layer):
    """The layer applied in place to a copy of x (gradcheck's inputs are leaves, which refuse)."""
    return lambda x, **kw: layer(**kw)(x * 1)


# --------------------------------------------------------------------- activations


def away_from(*kinks, low: float = -6.0, high: float = 6.0):
    """Element strategy: values in [low, high], those within 0.1 of a kink moved 0.3 past it
    (the kinks are further apart than that)."""
    def nudge(x):
        for kink in kinks:
            x = np.where(np.abs(x - kink) < 0.1, kink + 0.3, x)
        return x

    return lambda shape: arrays(shape, low, high).map(nudge)


@st.composite
def hardtanh_cases(draw):
    min_val, max_val = draw(st.sampled_from([(-1.0, 1.0), (-2.0, 0.5), (0.0, 6.0)]))
    x = draw(away_from(min_val, max_val, low=-8, high=8)(draw(small_shapes())))
    return Case((x,), {"min_val": min_val, "max_val": max_val})


@st.composite
def threshold_cases(draw):
    threshold, value = draw(st.sampled_from([(0.0, 0.0), (0.5, -2.0), (-1.0, 20.0)]))
    return Case((draw(away_from(threshold)(draw(small_shapes()))),), {"threshold": threshold, "value": value})


@st.composite
def prelu_cases(draw, layer: bool = False):
    """x away from 0 and one slope, or (for inputs of 2 dims or more) one per channel (dim 1)."""
    shape = draw(small_shapes())
    count = shape[1] if len(shape) >= 2 and draw(st.booleans()) else 1
    found = (draw(away_from_zero(shape)), draw(arrays((count,), -1.0, 1.0)))
    return Case(found, {"num_parameters": count, "init": 0.25} if layer else {})


@st.composite
def glu_cases(draw):
    shape = list(draw(small_shapes(min_dims=1)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] = 2 * draw(st.integers(1, 2))
    return Case((draw(arrays(tuple(shape))),), {"dim": dim})


def numpy_prelu(x, weight, **_):
    if weight.size > 1:
        weight = weight.reshape((weight.size,) + (1,) * (x.ndim - 2))
    return np.where(x > 0, x, weight.reshape(weight.shape if weight.size > 1 else ()) * x)


def numpy_glu(x, dim):
    first, second = np.split(x, 2, axis=dim)
    return first / (1 + np.exp(-second))


def numpy_selu(x):
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946  # Klambauer et al.
    return scale * np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))


def numpy_celu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0) / alpha) - 1))


def numpy_silu(x):
    return x / (1 + np.exp(-x))


def numpy_mish(x):
    return x * np.tanh(np.logaddexp(0, x))


def numpy_hardsigmoid(x):
    return np.clip(x / 6 + 0.5, 0, 1)


def numpy_hardswish(x):
    return x * np.clip(x + 3, 0, 6) / 6


def numpy_hardtanh(x, min_val, max_val):
    return np.clip(x, min_val, max_val)


def numpy_threshold(x, threshold, value):
    return np.where(x > threshold, x, value)


def make_prelu(num_parameters, init, dtype=None, **_):
    return nn.PReLU(num_parameters, init, dtype=dtype)


def inplace_f(function):
    """The F form applied with inplace=True to a copy of x (gradcheck's inputs are leaves)."""
    return lambda x, **kw: function(x * 1, **kw, inplace=True)


# --------------------------------------------------------------------- padding layers

NUMPY_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@st.composite
def index_pad_cases(draw, mode: str, dims: int | None = None, layer: bool = False):
    """An input of dims + 1 or dims + 2 dims and non-negative amounts its sizes allow: below n
    for reflect, up to n for circular, up to 2 for replicate."""
    dims = draw(st.integers(1, 2)) if dims is None else dims
    shape = draw(st.lists(st.integers(1, SMALL), min_size=dims + 1, max_size=dims + 2).map(tuple))
    pads = []
    for n in reversed(shape[-dims:]):
        most = n - 1 if mode == "reflect" else n if mode == "circular" else 2
        pads += [draw(st.integers(0, most)), draw(st.integers(0, most))]
    return Case((draw(arrays(shape)),), {"padding" if layer else "pad": tuple(pads)}
                | ({} if layer else {"mode": mode}))


def numpy_index_pad(x, pad=None, mode=None, padding=None, numpy_mode=None):
    pad = pad if pad is not None else padding
    widths = [(0, 0)] * x.ndim
    for k in range(len(pad) // 2):
        widths[x.ndim - 1 - k] = tuple(pad[2 * k:2 * k + 2])
    return np.pad(x, widths, mode=numpy_mode or NUMPY_PAD_MODES[mode])


def constant_pad_layer_cases(dims: int):
    return pad_cases().filter(lambda case: len(case.kwargs["pad"]) == 2 * dims).map(
        lambda case: Case(case.arrays, {"padding": case.kwargs["pad"], "value": case.kwargs["value"]}))


# --------------------------------------------------------------------- upsampling


@st.composite
def interpolate_cases(draw, modes=("nearest", "nearest-exact", "linear", "area"), layer: bool = False):
    """An (N, C, L) or (N, C, H, W) input, a mode and either a size or a scale factor."""
    mode = draw(st.sampled_from(modes))
    rank = 3 if mode == "linear" else 4 if mode == "bilinear" else draw(st.sampled_from([3, 4]))
    shape = draw(st.lists(st.integers(1, SMALL), min_size=rank, max_size=rank).map(tuple))
    options = {"mode": mode}
    if mode in ("linear", "bilinear"):
        options["align_corners"] = draw(st.booleans())
    if draw(st.booleans()):
        options["size"] = tuple(draw(st.integers(1, 4)) for _ in shape[2:])
    else:
        factors = draw(st.sampled_from([2.0, 1.5, 0.7]))
        if any(math.floor(n * factors) < 1 for n in shape[2:]):
            factors = 2.0
        options["scale_factor"] = factors
    return Case((draw(arrays(shape)),), options)


def numpy_interpolate(x, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Each spatial dim resized in turn, output position by output position (PyTorch's formulas)."""
    for dim in range(2, x.ndim):
        n_in = x.shape[dim]
        n_out = size[dim - 2] if size is not None else math.floor(n_in * scale_factor)
        scale = 1 / scale_factor if scale_factor is not None and mode != "area" else n_in / n_out
        rows = []
        for dst in range(n_out):
            if mode == "area":
                start, stop = (dst * n_in) // n_out, -((-(dst + 1) * n_in) // n_out)
                rows.append(np.take(x, range(start, stop), axis=dim).mean(axis=dim))
            elif mode in ("nearest", "nearest-exact"):
                offset = np.float32(0.5) if mode == "nearest-exact" else np.float32(0)
                src = min(int(np.floor((np.float32(dst) + offset) * np.float32(scale))), n_in - 1)
                rows.append(np.take(x, src, axis=dim))
            else:
                if align_corners:
                    src = dst * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
                else:
                    src = max(scale * (dst + 0.5) - 0.5, 0.0)
                low = int(np.floor(src))
                high = min(low + 1, n_in - 1)
                rows.append((1 - (src - low)) * np.take(x, low, axis=dim) + (src - low) * np.take(x, high, axis=dim))
        x = np.stack(rows, axis=dim)
    return x


@st.composite
def pixel_shuffle_cases(draw, unshuffle: bool = False):
    r = draw(st.integers(1, 2))
    batch = draw(st.lists(st.integers(1, 2), max_size=1).map(tuple))
    c, h, w = (draw(st.integers(1, 2)) for _ in range(3))
    shape = batch + ((c, h * r, w * r) if unshuffle else (c * r * r, h, w))
    return Case((draw(arrays(shape)),), {"downscale_factor" if unshuffle else "upscale_factor": r})


def numpy_pixel_shuffle(x, upscale_factor):
    r = upscale_factor
    *batch, c, h, w = x.shape
    out = np.empty((*batch, c // (r * r), h * r, w * r))
    for channel in range(c // (r * r)):
        for i in range(r):
            for j in range(r):
                out[..., channel, i::r, j::r] = x[..., channel * r * r + i * r + j, :, :]
    return out


def numpy_pixel_unshuffle(x, downscale_factor):
    r = downscale_factor
    *batch, c, h, w = x.shape
    out = np.empty((*batch, c * r * r, h // r, w // r))
    for channel in range(c):
        for i in range(r):
            for j in range(r):
                out[..., channel * r * r + i * r + j, :, :] = x[..., channel, i::r, j::r]
    return out


def quiet_upsample(x, **kw):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "`nn.functional.upsample` is deprecated")
        return F.upsample(x, **kw)


# --------------------------------------------------------------------- group and instance norm


@st.composite
def group_norm_cases(draw, layer: bool = False):
    """x (N, C, *) with C a multiple of the groups, then weight and bias (C,) when affine."""
    groups, per_group = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    channels = groups * per_group
    shape = (draw(st.integers(1, 2)), channels) + draw(st.sampled_from([(), (2,), (3,), (2, 2)]))
    affine = draw(st.booleans())
    found = [draw(arrays(shape))] + ([draw(arrays((channels,))), draw(arrays((channels,)))] if affine else [])
    options = {"num_groups": groups, "eps": draw(st.sampled_from([1e-5, 0.1]))}
    if layer:
        options |= {"num_channels": channels, "affine": affine}
    return Case(tuple(found), options)


def numpy_group_norm(x, *params, num_groups, eps, **_):
    grouped = x.reshape(x.shape[0], num_groups, -1)
    normalized = ((grouped - grouped.mean(2, keepdims=True)) / np.sqrt(grouped.var(2, keepdims=True) + eps))
    return numpy_channel_affine(normalized.reshape(x.shape), *params)


def numpy_channel_affine(x, weight=None, bias=None):
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    x = x if weight is None else x * weight.reshape(shape)
    return x if bias is None else x + bias.reshape(shape)


def f_group_norm(x, *params, num_groups, eps):
    return F.group_norm(x, num_groups, *params, eps=eps)


def make_group_norm(num_groups, num_channels, affine, eps, dtype=None, **_):
    return nn.GroupNorm(num_groups, num_channels, eps, affine, dtype=dtype)


@st.composite
def instance_norm_cases(draw, use_input_stats: bool, rank: int | None = None):
    """x (N, C, *spatial) with more than one position, weight and bias (C,) when affine, and
    running statistics (constants) when tracked, always when they are used."""
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    spatial = draw(st.sampled_from([(2,), (3,)] if rank == 3 else [(2, 2), (1, 3)] if rank == 4
                                   else [(2,), (3,), (2, 2)]))
    affine = draw(st.booleans())
    found = [draw(arrays((n, c) + spatial))] + ([draw(arrays((c,))), draw(arrays((c,)))] if affine else [])
    tracked = True if not use_input_stats else draw(st.booleans())
    return Case(tuple(found), {
        "num_features": c, "affine": affine, "use_input_stats": use_input_stats,
        "running_mean": draw(arrays((c,))) if tracked else None,
        "running_var": draw(positive((c,))) if tracked else None,
        "eps": draw(st.sampled_from([1e-5, 0.1])),
    })


def numpy_instance_norm(x, *params, use_input_stats, running_mean, running_var, eps, **_):
    dims = tuple(range(2, x.ndim))
    if use_input_stats:
        mean, var = x.mean(dims, keepdims=True), x.var(dims, keepdims=True)
    else:
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    return numpy_channel_affine((x - mean) / np.sqrt(var + eps), *params)


def f_instance_norm(x, *params, use_input_stats, running_mean, running_var, eps, **_):
    return F.instance_norm(x, constant(running_mean), constant(running_var), *(params or (None, None)),
                           use_input_stats=use_input_stats, eps=eps)


def make_instance_norm(layer):
    def make(num_features, affine, use_input_stats, running_mean, running_var, eps, dtype=None, **_):
        module = layer(num_features, eps, affine=affine, track_running_stats=running_mean is not None, dtype=dtype)
        if running_mean is not None:
            module.running_mean.data[...] = running_mean
            module.running_var.data[...] = running_var
        return module.train(use_input_stats)

    return make


# --------------------------------------------------------------------- margin, embedding and likelihood losses

REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


@st.composite
def pair_of_vectors(draw):
    """Two arrays of one shape, (N, D) or (D,)."""
    shape = draw(st.sampled_from([(SMALL,), (1, 2), (2, SMALL), (SMALL, 2)]))
    return shape, draw(arrays(shape)), draw(arrays(shape))


@st.composite
def pairwise_distance_cases(draw):
    """x2 differs from x1 in every element by at least 0.1 (|·| and the norm are smooth there)."""
    shape, x1, _ = draw(pair_of_vectors())
    x2 = x1 + draw(away_from_zero(shape))
    return Case((x1, x2), {"p": draw(st.sampled_from([1.0, 2.0, 3.0])), "keepdim": draw(st.booleans())})


def numpy_pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    return (np.abs(x1 - x2 + eps) ** p).sum(-1, keepdims=keepdim) ** (1 / p)


def signs(draw, shape):
    return draw(hnp.arrays(np.bool_, shape)).astype(np.float64) * 2 - 1


@st.composite
def margin_ranking_cases(draw):
    n = draw(st.integers(1, SMALL))
    x1, x2, y = draw(arrays((n,))), draw(arrays((n,))), signs(draw, (n,))
    margin = draw(st.sampled_from([0.0, 0.5]))
    hypothesis.assume(np.all(np.abs(-y * (x1 - x2) + margin) > 0.05))
    return Case((x1, x2), {"target": y, "margin": margin, "reduction": draw(REDUCTIONS)})


def numpy_margin_ranking(x1, x2, target, margin, reduction):
    return numpy_reduce(np.maximum(0, -target * (x1 - x2) + margin), reduction)


@st.composite
def hinge_embedding_cases(draw):
    shape = draw(small_shapes())
    margin = draw(st.sampled_from([1.0, 0.5]))
    x = draw(away_from(margin)(shape))
    return Case((x,), {"target": signs(draw, shape), "margin": margin, "reduction": draw(REDUCTIONS)})


def numpy_hinge_embedding(x, target, margin, reduction):
    return numpy_reduce(np.where(target == 1, x, np.maximum(0, margin - x)), reduction)


@st.composite
def soft_margin_cases(draw):
    shape = draw(small_shapes())
    return Case((draw(arrays(shape)),), {"target": signs(draw, shape), "reduction": draw(REDUCTIONS)})


def numpy_soft_margin(x, target, reduction):
    return numpy_reduce(np.logaddexp(0, -target * x), reduction)


@st.composite
def multilabel_cases(draw):
    shape = draw(st.sampled_from([(SMALL,), (2, SMALL), (1, 2)]))
    return Case((draw(arrays(shape)),), {"target": draw(unit_interval(shape)), "reduction": draw(REDUCTIONS),
                                        "weight": draw(st.none() | positive(shape[-1:]))})


def numpy_multilabel_soft_margin(x, target, weight, reduction):
    losses = target * np.logaddexp(0, -x) + (1 - target) * np.logaddexp(0, x)
    losses = losses * (1 if weight is None else weight)
    return numpy_reduce(losses.sum(-1) / x.shape[-1], reduction)


def numpy_cosine(x1, x2):
    return (x1 * x2).sum(-1) / np.sqrt(((x1 * x1).sum(-1) + 1e-12) * ((x2 * x2).sum(-1) + 1e-12))


@st.composite
def cosine_embedding_cases(draw):
    shape, x1, x2 = draw(pair_of_vectors())
    margin = draw(st.sampled_from([0.0, 0.3]))
    y = signs(draw, shape[:-1])
    hypothesis.assume(np.all(np.abs(numpy_cosine(x1, x2) - margin) > 0.05))
    hypothesis.assume(np.all((x1 * x1).sum(-1) > 0.1) and np.all((x2 * x2).sum(-1) > 0.1))
    return Case((x1, x2), {"target": y, "margin": margin, "reduction": draw(REDUCTIONS)})


def numpy_cosine_embedding(x1, x2, target, margin, reduction):
    cosine = numpy_cosine(x1, x2)
    return numpy_reduce(np.where(target == 1, 1 - cosine, np.maximum(0, cosine - margin)), reduction)


@st.composite
def triplet_cases(draw):
    shape = draw(st.sampled_from([(SMALL,), (1, 2), (2, SMALL)]))
    a, p, n = (draw(arrays(shape)) for _ in range(3))
    hypothesis.assume(min(np.abs(a - p).min(), np.abs(a - n).min(), np.abs(p - n).min()) > 0.05)
    options = {"margin": draw(st.sampled_from([1.0, 0.5])), "p": draw(st.sampled_from([2.0, 3.0])),
               "swap": draw(st.booleans()), "reduction": draw(REDUCTIONS)}
    to_negative = numpy_pairwise_distance(a, n, options["p"])
    if options["swap"]:
        other = numpy_pairwise_distance(p, n, options["p"])
        hypothesis.assume(np.all(np.abs(to_negative - other) > 0.05))
        to_negative = np.minimum(to_negative, other)
    hypothesis.assume(np.all(np.abs(options["margin"] + numpy_pairwise_distance(a, p, options["p"]) - to_negative)
                             > 0.05))
    return Case((a, p, n), options)


def numpy_triplet(anchor, positive, negative, margin, p, swap, reduction):
    to_negative = numpy_pairwise_distance(anchor, negative, p)
    if swap:
        to_negative = np.minimum(to_negative, numpy_pairwise_distance(positive, negative, p))
    return numpy_reduce(np.maximum(0, margin + numpy_pairwise_distance(anchor, positive, p) - to_negative), reduction)


@st.composite
def gaussian_nll_cases(draw):
    shape = draw(st.sampled_from([(SMALL,), (2, SMALL), (2, 1)]))
    var_shape = draw(st.sampled_from([shape, shape[:-1], shape[:-1] + (1,)]))
    return Case((draw(arrays(shape)), draw(arrays(shape)), draw(positive(var_shape, 0.3, 2.0))),
                {"full": draw(st.booleans()), "reduction": draw(REDUCTIONS)})


def numpy_gaussian_nll(x, y, var, full, reduction):
    var = var[..., None] if var.shape == x.shape[:-1] else var
    losses = 0.5 * (np.log(var) + (x - y) ** 2 / var) + (0.5 * np.log(2 * np.pi) if full else 0)
    return numpy_reduce(losses, reduction)


@st.composite
def poisson_nll_cases(draw):
    shape = draw(small_shapes())
    log_input = draw(st.booleans())
    x = draw(arrays(shape, -2.0, 2.0) if log_input else positive(shape))
    return Case((x,), {"target": draw(arrays(shape, 0.0, 4.0)), "log_input": log_input, "full": draw(st.booleans()),
                       "reduction": draw(REDUCTIONS)})


def numpy_poisson_nll(x, target, log_input, full, reduction):
    losses = np.exp(x) - target * x if log_input else x - target * np.log(x + 1e-8)
    if full:
        safe = np.where(target > 1, target, 1.0)
        losses = losses + np.where(target > 1, safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe), 0.0)
    return numpy_reduce(losses, reduction)


def with_constant(function, *names):
    """Call `function` with the named options as constant tensors."""
    def call(*arrays, **kwargs):
        return function(*arrays, **{k: constant(v) if k in names else v for k, v in kwargs.items()})

    return call


# --------------------------------------------------------------------- the registry

slopes = st.sampled_from([0.01, 0.2, 1.5, -0.5])
alphas = st.sampled_from([1.0, 0.5, 2.0])


def inplace_case(case: Case) -> Case:
    return Case(case.arrays, {**case.kwargs, "inplace": True})

SPECS: list[NNSpec] = [
    # ---- nn.functional: layers
    NNSpec("linear", "linear", F.linear, linear_cases("broadcast"), numpy_linear),
    NNSpec("linear-no-bias", "linear", F.linear, linear_cases("none"), numpy_linear),
    NNSpec("relu", "relu", F.relu, one(away_from_zero, shape=small_shapes()), lambda x: np.maximum(x, 0)),
    NNSpec("relu-inplace", "relu", lambda x: F.relu(x * 1, inplace=True), one(away_from_zero, shape=small_shapes()),
           lambda x: np.maximum(x, 0)),
    NNSpec("leaky_relu", "leaky_relu", F.leaky_relu, one(away_from_zero, shape=small_shapes(), negative_slope=slopes),
           lambda x, negative_slope: np.where(x > 0, x, negative_slope * x)),
    NNSpec("leaky_relu-inplace", "leaky_relu", lambda x, negative_slope: F.leaky_relu(x * 1, negative_slope, True),
           one(away_from_zero, shape=small_shapes(), negative_slope=slopes),
           lambda x, negative_slope: np.where(x > 0, x, negative_slope * x)),
    NNSpec("elu", "elu", F.elu, one(away_from_zero, shape=small_shapes(), alpha=alphas), numpy_elu),
    NNSpec("elu-inplace", "elu", lambda x, alpha: F.elu(x * 1, alpha, inplace=True),
           one(away_from_zero, shape=small_shapes(), alpha=alphas), numpy_elu),
    NNSpec("sigmoid", "sigmoid", F.sigmoid, one(lambda s: arrays(s, -6, 6), shape=small_shapes()),
           lambda x: 1 / (1 + np.exp(-x))),
    NNSpec("tanh", "tanh", F.tanh, one(shape=small_shapes()), np.tanh),
    NNSpec("gelu", "gelu", F.gelu, one(shape=small_shapes()), numpy_gelu),
    NNSpec("gelu-tanh", "gelu", F.gelu, one(shape=small_shapes(), approximate=st.just("tanh")), numpy_gelu),
    NNSpec("softplus", "softplus", F.softplus, softplus_cases(), numpy_softplus),
    NNSpec("logsigmoid", "logsigmoid", F.logsigmoid, one(lambda s: arrays(s, -6, 6), shape=small_shapes()),
           lambda x: -np.logaddexp(0, -x)),
    NNSpec("silu", "silu", F.silu, one(shape=small_shapes()), numpy_silu),
    NNSpec("silu-inplace", "silu", inplace_f(F.silu), one(shape=small_shapes()), numpy_silu),
    NNSpec("mish", "mish", F.mish, one(lambda s: arrays(s, -6, 6), shape=small_shapes()), numpy_mish),
    NNSpec("hardtanh", "hardtanh", F.hardtanh, hardtanh_cases(), numpy_hardtanh),
    NNSpec("hardtanh-inplace", "hardtanh", inplace_f(F.hardtanh), hardtanh_cases(), numpy_hardtanh),
    NNSpec("relu6", "relu6", F.relu6, one(away_from(0, 6, low=-8, high=8), shape=small_shapes()),
           lambda x: np.clip(x, 0, 6)),
    NNSpec("relu6-inplace", "relu6", inplace_f(F.relu6), one(away_from(0, 6, low=-8, high=8), shape=small_shapes()),
           lambda x: np.clip(x, 0, 6)),
    NNSpec("hardsigmoid", "hardsigmoid", F.hardsigmoid, one(away_from(-3, 3), shape=small_shapes()),
           numpy_hardsigmoid),
    NNSpec("hardswish", "hardswish", F.hardswish, one(away_from(-3, 3), shape=small_shapes()), numpy_hardswish),
    NNSpec("hardswish-inplace", "hardswish", inplace_f(F.hardswish), one(away_from(-3, 3), shape=small_shapes()),
           numpy_hardswish),
    NNSpec("selu", "selu", F.selu, one(away_from_zero, shape=small_shapes()), numpy_selu),
    NNSpec("selu-inplace", "selu", inplace_f(F.selu), one(away_from_zero, shape=small_shapes()), numpy_selu),
    NNSpec("celu", "celu", F.celu, one(away_from_zero, shape=small_shapes(), alpha=alphas), numpy_celu),
    NNSpec("threshold", "threshold", F.threshold, threshold_cases(), numpy_threshold),
    NNSpec("threshold-inplace", "threshold", inplace_f(F.threshold), threshold_cases(), numpy_threshold),
    NNSpec("prelu", "prelu", F.prelu, prelu_cases(), numpy_prelu),
    NNSpec("glu", "glu", F.glu, glu_cases(), numpy_glu),
    NNSpec("softsign", "softsign", F.softsign, one(away_from_zero, shape=small_shapes()),
           lambda x: x / (1 + np.abs(x))),
    NNSpec("tanhshrink", "tanhshrink", F.tanhshrink, one(shape=small_shapes()), lambda x: x - np.tanh(x)),
    NNSpec("softmin", "softmin", F.softmin, along_dim(), lambda x, dim: numpy_softmax(-x, dim)),
    NNSpec("softmax", "softmax", F.softmax, along_dim(), numpy_softmax),
    NNSpec("log_softmax", "log_softmax", F.log_softmax, along_dim(), lambda x, dim: numpy_log_softmax(x, dim)),
    NNSpec("dropout", "dropout", f_dropout, dropout_cases()),
    NNSpec("dropout-inplace", "dropout", seeded(F.dropout), dropout_cases().map(inplace_case)),
    NNSpec("dropout1d", "dropout1d", seeded(F.dropout1d), channel_dropout_cases((2, 3))),
    NNSpec("dropout2d", "dropout2d", seeded(F.dropout2d), channel_dropout_cases((4,))),
    NNSpec("dropout2d-inplace", "dropout2d", seeded(F.dropout2d), channel_dropout_cases((4,)).map(inplace_case)),
    NNSpec("layer_norm", "layer_norm", f_layer_norm, layer_norm_cases(), numpy_layer_norm),
    NNSpec("batch_norm-train", "batch_norm", f_batch_norm, batch_norm_cases(training=True), numpy_batch_norm),
    NNSpec("batch_norm-eval", "batch_norm", f_batch_norm, batch_norm_cases(training=False), numpy_batch_norm),
    NNSpec("group_norm", "group_norm", f_group_norm, group_norm_cases(), numpy_group_norm),
    NNSpec("instance_norm", "instance_norm", f_instance_norm, instance_norm_cases(use_input_stats=True),
           numpy_instance_norm),
    NNSpec("instance_norm-running-stats", "instance_norm", f_instance_norm, instance_norm_cases(use_input_stats=False),
           numpy_instance_norm),
    NNSpec("embedding", "embedding", f_embedding, embedding_cases(), numpy_embedding),
    NNSpec("normalize", "normalize", F.normalize, normalize_cases(), numpy_normalize),
    NNSpec("cosine_similarity", "cosine_similarity", F.cosine_similarity, cosine_cases(), numpy_cosine_similarity),
    NNSpec("conv2d", "conv2d", F.conv2d, conv_cases(), numpy_conv2d),
    NNSpec("conv2d-no-bias", "conv2d", F.conv2d, conv_cases(bias=False), numpy_conv2d),
    NNSpec("max_pool2d", "max_pool2d", F.max_pool2d, pool_cases(distinct=True), numpy_max_pool2d),
    NNSpec("avg_pool2d", "avg_pool2d", F.avg_pool2d, pool_cases(), numpy_avg_pool2d),
    NNSpec("pad", "pad", F.pad, pad_cases(), numpy_pad),
    NNSpec("pad-reflect", "pad", F.pad, index_pad_cases("reflect"), numpy_index_pad),
    NNSpec("pad-replicate", "pad", F.pad, index_pad_cases("replicate"), numpy_index_pad),
    NNSpec("pad-circular", "pad", F.pad, index_pad_cases("circular"), numpy_index_pad),
    NNSpec("interpolate", "interpolate", F.interpolate, interpolate_cases(), numpy_interpolate),
    NNSpec("interpolate-bilinear", "interpolate", F.interpolate, interpolate_cases(("bilinear",)), numpy_interpolate),
    NNSpec("upsample", "upsample", quiet_upsample, interpolate_cases(("nearest", "bilinear")), numpy_interpolate),
    NNSpec("pixel_shuffle", "pixel_shuffle", F.pixel_shuffle, pixel_shuffle_cases(), numpy_pixel_shuffle),
    NNSpec("pixel_unshuffle", "pixel_unshuffle", F.pixel_unshuffle, pixel_shuffle_cases(unshuffle=True),
           numpy_pixel_unshuffle),
    NNSpec("conv1d", "conv1d", F.conv1d, conv1d_cases(), numpy_conv1d),
    NNSpec("conv1d-no-bias", "conv1d", F.conv1d, conv1d_cases(bias=False), numpy_conv1d),
    NNSpec("conv_transpose2d", "conv_transpose2d", F.conv_transpose2d, conv_transpose2d_cases(),
           numpy_conv_transpose2d),
    NNSpec("conv_transpose2d-no-bias", "conv_transpose2d", F.conv_transpose2d, conv_transpose2d_cases(bias=False),
           numpy_conv_transpose2d),
    NNSpec("max_pool1d", "max_pool1d", F.max_pool1d, pool1d_cases(distinct=True), numpy_max_pool1d),
    NNSpec("avg_pool1d", "avg_pool1d", F.avg_pool1d, pool1d_cases(), numpy_avg_pool1d),
    NNSpec("adaptive_avg_pool2d", "adaptive_avg_pool2d", F.adaptive_avg_pool2d, adaptive_cases(),
           lambda x, output_size: numpy_adaptive_pool2d(np.mean, x, output_size)),
    NNSpec("adaptive_max_pool2d", "adaptive_max_pool2d", F.adaptive_max_pool2d, adaptive_cases(distinct=True),
           lambda x, output_size: numpy_adaptive_pool2d(np.max, x, output_size)),
    NNSpec("one_hot", "one_hot", lambda indices, num_classes: F.one_hot(indices, num_classes), one_hot_cases(),
           numpy_one_hot, differentiable=False),
    # ---- nn.functional: losses
    NNSpec("cross_entropy", "cross_entropy", f_cross_entropy, class_index_cases(smoothing=True),
           numpy_cross_entropy),
    NNSpec("cross_entropy-probabilities", "cross_entropy", f_cross_entropy, class_probability_cases(),
           numpy_cross_entropy),
    NNSpec("nll_loss", "nll_loss", f_nll_loss, class_index_cases(smoothing=False), numpy_nll_loss),
    NNSpec("mse_loss", "mse_loss", F.mse_loss, regression_cases(),
           lambda x, y, reduction: numpy_reduce((x - y) ** 2, reduction)),
    NNSpec("l1_loss", "l1_loss", F.l1_loss, regression_cases(untied=True),
           lambda x, y, reduction: numpy_reduce(np.abs(x - y), reduction)),
    NNSpec("smooth_l1_loss", "smooth_l1_loss", F.smooth_l1_loss, smooth_regression_cases("beta"), numpy_smooth_l1),
    NNSpec("huber_loss", "huber_loss", F.huber_loss, smooth_regression_cases("delta"), numpy_huber),
    NNSpec("kl_div", "kl_div", quiet_mean(F.kl_div), kl_div_cases(), numpy_kl_div),
    NNSpec("binary_cross_entropy", "binary_cross_entropy", f_bce, binary_cases(logits=False), numpy_bce),
    NNSpec("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits", f_bce_with_logits,
           binary_cases(logits=True), numpy_bce_with_logits),
    NNSpec("pairwise_distance", "pairwise_distance", F.pairwise_distance, pairwise_distance_cases(),
           numpy_pairwise_distance),
    NNSpec("margin_ranking_loss", "margin_ranking_loss", with_constant(F.margin_ranking_loss, "target"),
           margin_ranking_cases(), numpy_margin_ranking),
    NNSpec("hinge_embedding_loss", "hinge_embedding_loss", with_constant(F.hinge_embedding_loss, "target"),
           hinge_embedding_cases(), numpy_hinge_embedding),
    NNSpec("soft_margin_loss", "soft_margin_loss", with_constant(F.soft_margin_loss, "target"), soft_margin_cases(),
           numpy_soft_margin),
    NNSpec("multilabel_soft_margin_loss", "multilabel_soft_margin_loss",
           with_constant(F.multilabel_soft_margin_loss, "target", "weight"), multilabel_cases(),
           numpy_multilabel_soft_margin),
    NNSpec("cosine_embedding_loss", "cosine_embedding_loss", with_constant(F.cosine_embedding_loss, "target"),
           cosine_embedding_cases(), numpy_cosine_embedding),
    NNSpec("triplet_margin_loss", "triplet_margin_loss", F.triplet_margin_loss, triplet_cases(), numpy_triplet),
    NNSpec("gaussian_nll_loss", "gaussian_nll_loss", F.gaussian_nll_loss, gaussian_nll_cases(), numpy_gaussian_nll),
    NNSpec("poisson_nll_loss", "poisson_nll_loss", with_constant(F.poisson_nll_loss, "target"), poisson_nll_cases(),
           numpy_poisson_nll),
    # ---- layers
    layer("Linear", "Linear", make_linear, linear_cases("full", layer=True), reference=numpy_linear),
    layer("Linear-no-bias", "Linear", make_linear, linear_cases("none", layer=True), reference=numpy_linear),
    NNSpec("ReLU", "ReLU", lambda x: nn.ReLU()(x), one(away_from_zero, shape=small_shapes()),
           lambda x: np.maximum(x, 0)),
    NNSpec("LeakyReLU", "LeakyReLU", lambda x, negative_slope: nn.LeakyReLU(negative_slope)(x),
           one(away_from_zero, shape=small_shapes(), negative_slope=slopes),
           lambda x, negative_slope: np.where(x > 0, x, negative_slope * x)),
    NNSpec("Sigmoid", "Sigmoid", lambda x: nn.Sigmoid()(x), one(lambda s: arrays(s, -6, 6), shape=small_shapes()),
           lambda x: 1 / (1 + np.exp(-x))),
    NNSpec("Tanh", "Tanh", lambda x: nn.Tanh()(x), one(shape=small_shapes()), np.tanh),
    NNSpec("GELU", "GELU", lambda x: nn.GELU()(x), one(shape=small_shapes()), numpy_gelu),
    NNSpec("GELU-tanh", "GELU", lambda x, approximate: nn.GELU(approximate)(x),
           one(shape=small_shapes(), approximate=st.just("tanh")), numpy_gelu),
    NNSpec("Softmax", "Softmax", lambda x, dim: nn.Softmax(dim)(x), along_dim(), numpy_softmax),
    NNSpec("LogSoftmax", "LogSoftmax", lambda x, dim: nn.LogSoftmax(dim)(x), along_dim(),
           lambda x, dim: numpy_log_softmax(x, dim)),
    NNSpec("SiLU", "SiLU", lambda x: nn.SiLU()(x), one(shape=small_shapes()), numpy_silu),
    NNSpec("SiLU-inplace", "SiLU", in_place(lambda: nn.SiLU(inplace=True)), one(shape=small_shapes()), numpy_silu),
    NNSpec("Mish", "Mish", lambda x: nn.Mish()(x), one(lambda s: arrays(s, -6, 6), shape=small_shapes()), numpy_mish),
    NNSpec("ReLU6", "ReLU6", lambda x: nn.ReLU6()(x), one(away_from(0, 6, low=-8, high=8), shape=small_shapes()),
           lambda x: np.clip(x, 0, 6)),
    NNSpec("Hardtanh", "Hardtanh", lambda x, **kw: nn.Hardtanh(**kw)(x), hardtanh_cases(), numpy_hardtanh),
    NNSpec("Hardsigmoid", "Hardsigmoid", lambda x: nn.Hardsigmoid()(x), one(away_from(-3, 3), shape=small_shapes()),
           numpy_hardsigmoid),
    NNSpec("Hardswish", "Hardswish", lambda x: nn.Hardswish()(x), one(away_from(-3, 3), shape=small_shapes()),
           numpy_hardswish),
    NNSpec("SELU", "SELU", lambda x: nn.SELU()(x), one(away_from_zero, shape=small_shapes()), numpy_selu),
    NNSpec("CELU", "CELU", lambda x, alpha: nn.CELU(alpha)(x), one(away_from_zero, shape=small_shapes(), alpha=alphas),
           numpy_celu),
    NNSpec("Threshold", "Threshold", lambda x, threshold, value: nn.Threshold(threshold, value)(x), threshold_cases(),
           numpy_threshold),
    NNSpec("Softplus", "Softplus", lambda x, **kw: nn.Softplus(**kw)(x), softplus_cases(), numpy_softplus),
    layer("PReLU", "PReLU", make_prelu, prelu_cases(layer=True), reference=numpy_prelu),
    NNSpec("GLU", "GLU", lambda x, dim: nn.GLU(dim)(x), glu_cases(), numpy_glu),
    NNSpec("Softmin", "Softmin", lambda x, dim: nn.Softmin(dim)(x), along_dim(), lambda x, dim: numpy_softmax(-x, dim)),
    NNSpec("LogSigmoid", "LogSigmoid", lambda x: nn.LogSigmoid()(x),
           one(lambda s: arrays(s, -6, 6), shape=small_shapes()), lambda x: -np.logaddexp(0, -x)),
    NNSpec("Softsign", "Softsign", lambda x: nn.Softsign()(x), one(away_from_zero, shape=small_shapes()),
           lambda x: x / (1 + np.abs(x))),
    NNSpec("Tanhshrink", "Tanhshrink", lambda x: nn.Tanhshrink()(x), one(shape=small_shapes()),
           lambda x: x - np.tanh(x)),
    NNSpec("Identity", "Identity", lambda x: nn.Identity(3, unused=True)(x), one(shape=small_shapes()), lambda x: x),
    NNSpec("Unflatten", "Unflatten", lambda x, dim, sizes: nn.Unflatten(dim, sizes)(x), unflatten_cases(),
           lambda x, dim, sizes: x.reshape(x.shape[:dim % x.ndim] + (sizes[0], -1) + x.shape[dim % x.ndim + 1:])),
    NNSpec("Flatten", "Flatten", lambda x, **kw: nn.Flatten(**kw)(x), flatten_cases(), numpy_flatten),
    NNSpec("Dropout-train", "Dropout", m_dropout, dropout_cases(training=True)),
    NNSpec("Dropout-eval", "Dropout", m_dropout, dropout_cases(training=False), lambda x, **_: x),
    NNSpec("Dropout1d", "Dropout1d", m_channel_dropout(nn.Dropout1d), channel_dropout_cases((2, 3))),
    NNSpec("Dropout2d", "Dropout2d", m_channel_dropout(nn.Dropout2d), channel_dropout_cases((4,))),
    NNSpec("ELU", "ELU", lambda x, alpha: nn.ELU(alpha)(x), one(away_from_zero, shape=small_shapes(), alpha=alphas),
           numpy_elu),
    NNSpec("ReLU-inplace", "ReLU", in_place(lambda: nn.ReLU(inplace=True)), one(away_from_zero, shape=small_shapes()),
           lambda x: np.maximum(x, 0)),
    layer("LayerNorm", "LayerNorm", make_layer_norm, affine_layer_norm_cases(), reference=numpy_layer_norm),
    layer("BatchNorm1d-train", "BatchNorm1d", make_batch_norm, batch_norm_cases(training=True),
          reference=numpy_batch_norm),
    layer("BatchNorm1d-eval", "BatchNorm1d", make_batch_norm, batch_norm_cases(training=False),
          reference=numpy_batch_norm),
    layer("Conv2d", "Conv2d", make_conv2d, conv_cases(layer=True), reference=numpy_conv2d),
    layer("Conv2d-no-bias", "Conv2d", make_conv2d, conv_cases(bias=False, layer=True), reference=numpy_conv2d),
    layer("Conv2d-replicate", "Conv2d", make_padded_conv2d("replicate"), conv_cases(layer=True),
          reference=numpy_padded_conv2d("edge")),
    layer("Conv2d-circular", "Conv2d", make_padded_conv2d("circular"), conv_cases(layer=True),
          reference=numpy_padded_conv2d("wrap")),
    layer("BatchNorm2d-train", "BatchNorm2d", make_batch_norm2d, batch_norm_cases(training=True, images=True),
          reference=numpy_batch_norm),
    layer("BatchNorm2d-eval", "BatchNorm2d", make_batch_norm2d, batch_norm_cases(training=False, images=True),
          reference=numpy_batch_norm),
    layer("Conv1d", "Conv1d", make_conv1d, conv1d_cases(layer=True), reference=numpy_conv1d),
    layer("Conv1d-no-bias", "Conv1d", make_conv1d, conv1d_cases(bias=False, layer=True), reference=numpy_conv1d),
    layer("ConvTranspose2d", "ConvTranspose2d", make_conv_transpose2d, conv_transpose2d_cases(layer=True),
          reference=numpy_conv_transpose2d),
    layer("ConvTranspose2d-no-bias", "ConvTranspose2d", make_conv_transpose2d,
          conv_transpose2d_cases(bias=False, layer=True), reference=numpy_conv_transpose2d),
    NNSpec("MaxPool1d", "MaxPool1d", lambda x, **kw: nn.MaxPool1d(**kw)(x), pool1d_cases(distinct=True),
           numpy_max_pool1d),
    NNSpec("AvgPool1d", "AvgPool1d", lambda x, **kw: nn.AvgPool1d(**kw)(x), pool1d_cases(), numpy_avg_pool1d),
    NNSpec("AdaptiveAvgPool2d", "AdaptiveAvgPool2d", lambda x, output_size: nn.AdaptiveAvgPool2d(output_size)(x),
           adaptive_cases(), lambda x, output_size: numpy_adaptive_pool2d(np.mean, x, output_size)),
    NNSpec("AdaptiveMaxPool2d", "AdaptiveMaxPool2d", lambda x, output_size: nn.AdaptiveMaxPool2d(output_size)(x),
           adaptive_cases(distinct=True), lambda x, output_size: numpy_adaptive_pool2d(np.max, x, output_size)),
    NNSpec("MaxPool2d", "MaxPool2d", lambda x, **kw: nn.MaxPool2d(**kw)(x), pool_cases(distinct=True),
           numpy_max_pool2d),
    NNSpec("AvgPool2d", "AvgPool2d", lambda x, **kw: nn.AvgPool2d(**kw)(x), pool_cases(), numpy_avg_pool2d),
    layer("Embedding", "Embedding", make_embedding, embedding_cases(), forward=embed, reference=numpy_embedding),
    # ---- loss layers (the same cases and references as their functions)
    NNSpec("CrossEntropyLoss", "CrossEntropyLoss", m_cross_entropy, class_index_cases(smoothing=True),
           numpy_cross_entropy),
    NNSpec("CrossEntropyLoss-probabilities", "CrossEntropyLoss", m_cross_entropy, class_probability_cases(),
           numpy_cross_entropy),
    NNSpec("NLLLoss", "NLLLoss", m_nll_loss, class_index_cases(smoothing=False), numpy_nll_loss),
    NNSpec("MSELoss", "MSELoss", lambda x, y, reduction: nn.MSELoss(reduction=reduction)(x, y), regression_cases(),
           lambda x, y, reduction: numpy_reduce((x - y) ** 2, reduction)),
    NNSpec("L1Loss", "L1Loss", lambda x, y, reduction: nn.L1Loss(reduction=reduction)(x, y),
           regression_cases(untied=True),
           lambda x, y, reduction: numpy_reduce(np.abs(x - y), reduction)),
    NNSpec("SmoothL1Loss", "SmoothL1Loss", lambda x, y, **kw: nn.SmoothL1Loss(**kw)(x, y),
           smooth_regression_cases("beta"), numpy_smooth_l1),
    NNSpec("HuberLoss", "HuberLoss", lambda x, y, reduction, delta: nn.HuberLoss(reduction, delta)(x, y),
           smooth_regression_cases("delta"), numpy_huber),
    NNSpec("KLDivLoss", "KLDivLoss", quiet_mean(lambda x, y, **kw: nn.KLDivLoss(**kw)(x, y)), kl_div_cases(),
           numpy_kl_div),
    NNSpec("ConstantPad1d", "ConstantPad1d", lambda x, padding, value: nn.ConstantPad1d(padding, value)(x),
           constant_pad_layer_cases(1), lambda x, padding, value: numpy_pad(x, padding, value)),
    NNSpec("ConstantPad2d", "ConstantPad2d", lambda x, padding, value: nn.ConstantPad2d(padding, value)(x),
           constant_pad_layer_cases(2), lambda x, padding, value: numpy_pad(x, padding, value)),
    NNSpec("ZeroPad1d", "ZeroPad1d", lambda x, padding, value: nn.ZeroPad1d(padding)(x),
           constant_pad_layer_cases(1), lambda x, padding, value: numpy_pad(x, padding, 0.0)),
    NNSpec("ZeroPad2d", "ZeroPad2d", lambda x, padding, value: nn.ZeroPad2d(padding)(x),
           constant_pad_layer_cases(2), lambda x, padding, value: numpy_pad(x, padding, 0.0)),
    NNSpec("ReflectionPad1d", "ReflectionPad1d", lambda x, padding: nn.ReflectionPad1d(padding)(x),
           index_pad_cases("reflect", 1, layer=True), lambda x, padding: numpy_index_pad(x, padding, "reflect")),
    NNSpec("ReflectionPad2d", "ReflectionPad2d", lambda x, padding: nn.ReflectionPad2d(padding)(x),
           index_pad_cases("reflect", 2, layer=True), lambda x, padding: numpy_index_pad(x, padding, "reflect")),
    NNSpec("ReplicationPad1d", "ReplicationPad1d", lambda x, padding: nn.ReplicationPad1d(padding)(x),
           index_pad_cases("replicate", 1, layer=True), lambda x, padding: numpy_index_pad(x, padding, "replicate")),
    NNSpec("ReplicationPad2d", "ReplicationPad2d", lambda x, padding: nn.ReplicationPad2d(padding)(x),
           index_pad_cases("replicate", 2, layer=True), lambda x, padding: numpy_index_pad(x, padding, "replicate")),
    NNSpec("Upsample", "Upsample", lambda x, **kw: nn.Upsample(**kw)(x),
           interpolate_cases(("nearest", "bilinear", "linear")), numpy_interpolate),
    NNSpec("UpsamplingNearest2d", "UpsamplingNearest2d",
           lambda x, size=None, scale_factor=None, **_: nn.UpsamplingNearest2d(size, scale_factor)(x),
           interpolate_cases(("nearest",)).filter(lambda case: case.arrays[0].ndim == 4), numpy_interpolate),
    NNSpec("UpsamplingBilinear2d", "UpsamplingBilinear2d",
           lambda x, size=None, scale_factor=None, **_: nn.UpsamplingBilinear2d(size, scale_factor)(x),
           interpolate_cases(("bilinear",)).map(lambda case: Case(case.arrays, {**case.kwargs, "align_corners": True})),
           numpy_interpolate),
    NNSpec("PixelShuffle", "PixelShuffle", lambda x, upscale_factor: nn.PixelShuffle(upscale_factor)(x),
           pixel_shuffle_cases(), numpy_pixel_shuffle),
    NNSpec("PixelUnshuffle", "PixelUnshuffle", lambda x, downscale_factor: nn.PixelUnshuffle(downscale_factor)(x),
           pixel_shuffle_cases(unshuffle=True), numpy_pixel_unshuffle),
    layer("GroupNorm", "GroupNorm", make_group_norm, group_norm_cases(layer=True), reference=numpy_group_norm),
    layer("InstanceNorm1d-train", "InstanceNorm1d", make_instance_norm(nn.InstanceNorm1d),
          instance_norm_cases(use_input_stats=True, rank=3), reference=numpy_instance_norm),
    layer("InstanceNorm1d-eval", "InstanceNorm1d", make_instance_norm(nn.InstanceNorm1d),
          instance_norm_cases(use_input_stats=False, rank=3), reference=numpy_instance_norm),
    layer("InstanceNorm2d-train", "InstanceNorm2d", make_instance_norm(nn.InstanceNorm2d),
          instance_norm_cases(use_input_stats=True, rank=4), reference=numpy_instance_norm),
    layer("InstanceNorm2d-eval", "InstanceNorm2d", make_instance_norm(nn.InstanceNorm2d),
          instance_norm_cases(use_input_stats=False, rank=4), reference=numpy_instance_norm),
    NNSpec("PairwiseDistance", "PairwiseDistance", lambda x1, x2, p, keepdim: nn.PairwiseDistance(p, keepdim=keepdim)(
           x1, x2), pairwise_distance_cases(), numpy_pairwise_distance),
    NNSpec("MarginRankingLoss", "MarginRankingLoss", lambda x1, x2, target, margin, reduction: nn.MarginRankingLoss(
           margin, reduction=reduction)(x1, x2, constant(target)), margin_ranking_cases(), numpy_margin_ranking),
    NNSpec("HingeEmbeddingLoss", "HingeEmbeddingLoss", lambda x, target, margin, reduction: nn.HingeEmbeddingLoss(
           margin, reduction=reduction)(x, constant(target)), hinge_embedding_cases(), numpy_hinge_embedding),
    NNSpec("SoftMarginLoss", "SoftMarginLoss", lambda x, target, reduction: nn.SoftMarginLoss(reduction=reduction)(
           x, constant(target)), soft_margin_cases(), numpy_soft_margin),
    NNSpec("MultiLabelSoftMarginLoss", "MultiLabelSoftMarginLoss",
           lambda x, target, weight, reduction: nn.MultiLabelSoftMarginLoss(constant(weight), reduction=reduction)(
               x, constant(target)), multilabel_cases(), numpy_multilabel_soft_margin),
    NNSpec("CosineEmbeddingLoss", "CosineEmbeddingLoss",
           lambda x1, x2, target, margin, reduction: nn.CosineEmbeddingLoss(margin, reduction=reduction)(
               x1, x2, constant(target)), cosine_embedding_cases(), numpy_cosine_embedding),
    NNSpec("TripletMarginLoss", "TripletMarginLoss",
           lambda anchor, positive, negative, **kw: nn.TripletMarginLoss(**kw)(anchor, positive, negative),
           triplet_cases(), numpy_triplet),
    NNSpec("GaussianNLLLoss", "GaussianNLLLoss", lambda x, y, var, full, reduction: nn.GaussianNLLLoss(
           full=full, reduction=reduction)(x, y, var), gaussian_nll_cases(), numpy_gaussian_nll),
    NNSpec("PoissonNLLLoss", "PoissonNLLLoss", lambda x, target, log_input, full, reduction: nn.PoissonNLLLoss(
           log_input, full, reduction=reduction)(x, constant(target)), poisson_nll_cases(), numpy_poisson_nll),
    NNSpec("DataParallel", "DataParallel", lambda x: nn.DataParallel(nn.Tanh())(x), one(shape=small_shapes()),
           np.tanh),
    NNSpec("CosineSimilarity", "CosineSimilarity", lambda x1, x2, dim: nn.CosineSimilarity(dim)(x1, x2),
           cosine_cases(), numpy_cosine_similarity),
    NNSpec("BCELoss", "BCELoss", m_bce, binary_cases(logits=False), numpy_bce),
    NNSpec("BCEWithLogitsLoss", "BCEWithLogitsLoss", m_bce_with_logits, binary_cases(logits=True),
           numpy_bce_with_logits),
    # ---- recurrent layers and cells (tests/recurrent_cases.py); relu's kink is left to test_nn_recurrent.py
    layer("RNN", "RNN", make_layer, layer_cases("RNN"), forward=run_layer, reference=numpy_layer),
    layer("LSTM", "LSTM", make_layer, layer_cases("LSTM"), forward=run_layer, reference=numpy_layer),
    layer("GRU", "GRU", make_layer, layer_cases("GRU"), forward=run_layer, reference=numpy_layer),
    layer("RNNBase", "RNNBase", make_layer, layer_cases("RNN", base=True), forward=run_layer, reference=numpy_layer),
    layer("RNNCell", "RNNCell", make_cell, cell_cases("RNNCell"), forward=run_cell, reference=numpy_cell_layer),
    layer("LSTMCell", "LSTMCell", make_cell, cell_cases("LSTMCell"), forward=run_cell, reference=numpy_cell_layer),
    layer("GRUCell", "GRUCell", make_cell, cell_cases("GRUCell"), forward=run_cell, reference=numpy_cell_layer),
    # ---- attention and transformer layers
    NNSpec("scaled_dot_product_attention", "scaled_dot_product_attention", f_attention, attention_cases(),
           numpy_attention),
    layer("MultiheadAttention", "MultiheadAttention", make_multihead_attention, multihead_cases(),
          forward=multihead_forward, reference=numpy_multihead),
    layer("TransformerEncoderLayer", "TransformerEncoderLayer", make_encoder, encoder_cases(),
          forward=encoder_forward, reference=numpy_encoder),
    # one layer (stacking is checked in test_nn_transformer.py); second order: its layer's and
    # LayerNorm's gradgradchecks cover it, and it would add ~10 s
    layer("TransformerEncoder", "TransformerEncoder", make_encoder, encoder_cases(layers=1),
          forward=encoder_forward, reference=numpy_encoder, second_order=False),
]

BY_ID = {spec.id: spec for spec in SPECS}
