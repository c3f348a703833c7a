"""Algebraic properties of the autograd engine, checked on random inputs with Hypothesis.

- linearity: the gradient of f + g is the gradient of f plus the gradient of g;
- accumulation: a second backward adds the same gradient again;
- the chain rule through random compositions of ops (checked against finite differences);
- `no_grad` records nothing;
- matmul and transposes against their closed-form gradients under a random upstream gradient;
- broadcasting: the gradient of a broadcast operand is summed over the broadcast dims.
"""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import arrays, away_from_zero, broadcastable_shapes, shapes

import tinygrad_np as tg
from tinygrad_np.autograd import GradcheckError
from tinygrad_np.autograd.gradcheck import gradcheck
from tinygrad_np.autograd.node import Node

# ------------------------------------------------------------------ smooth functions of one tensor

FUNCTIONS = {
    "exp": lambda x: x.exp(),
    "tanh": lambda x: x.tanh(),
    "sin": lambda x: x.sin(),
    "sigmoid": lambda x: x.sigmoid(),
    "square": lambda x: x * x,
    "cube": lambda x: x**3,
    "scaled_by_last_dim_sum": lambda x: x * x.sum(-1, keepdim=True),
    "centered": lambda x: x - x.mean(),
    "reciprocal_of_one_plus_square": lambda x: 1.0 / (1.0 + x * x),
}
function_names = st.sampled_from(sorted(FUNCTIONS))


@st.composite
def input_and_upstream(draw):
    """A float64 input array and a random (non-uniform) upstream gradient of the same shape."""
    shape = draw(shapes())
    return draw(arrays(shape, -2.0, 2.0)), draw(arrays(shape))


def leaf(array) -> tg.Tensor:
    return tg.tensor(np.array(array, dtype=np.float64), requires_grad=True)


def gradient_of(f, x, upstream) -> np.ndarray:
    """d f(x) / dx applied to `upstream`, by .backward on a fresh leaf."""
    t = leaf(x)
    f(t).backward(tg.tensor(upstream))
    return t.grad.numpy()


# ------------------------------------------------------------------ linearity and accumulation


@given(function_names, function_names, input_and_upstream())
def test_gradient_of_a_sum_is_the_sum_of_gradients(f_name, g_name, data):
    f, g = FUNCTIONS[f_name], FUNCTIONS[g_name]
    x, upstream = data
    together = gradient_of(lambda t: f(t) + g(t), x, upstream)
    separately = gradient_of(f, x, upstream) + gradient_of(g, x, upstream)
    np.testing.assert_allclose(together, separately, rtol=1e-10, atol=1e-12)


@given(function_names, input_and_upstream())
def test_backward_twice_with_retained_graph_doubles_the_leaf_gradient(name, data):
    x, upstream = data
    t = leaf(x)
    out = FUNCTIONS[name](t)
    out.backward(tg.tensor(upstream), retain_graph=True)
    first = t.grad.numpy().copy()
    out.backward(tg.tensor(upstream))
    np.testing.assert_allclose(t.grad.numpy(), 2 * first, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ chain rule through random compositions

UNARY_STEPS = ("exp", "tanh", "sin", "sigmoid")
BINARY_STEPS = ("add", "sub", "rsub", "mul", "div")
STEP_KINDS = UNARY_STEPS + BINARY_STEPS + ("square", "sum", "reshape", "transpose")
MAX_INTERMEDIATE = 20.0
"""Intermediate values are kept this small so that finite differences stay accurate."""


@st.composite
def partner_shapes(draw, shape):
    """A shape that broadcasts against `shape`: some dims set to 1 (or stretched where `shape`
    has 1), maybe fewer leading dims, maybe one more leading dim."""
    dims = []
    for n in shape:
        dims.append(draw(st.sampled_from([1, 2, 3])) if n == 1 else draw(st.sampled_from([1, n])))
    if draw(st.booleans()):
        dims = dims[draw(st.integers(0, len(dims))):]
    elif len(dims) < 3 and draw(st.booleans()):
        dims = [draw(st.integers(1, 3))] + dims
    return tuple(dims)


def reshapes_of(shape):
    size = int(np.prod(shape))
    candidates = [tuple(reversed(shape)), (size,)]
    if len(shape) < 3:
        candidates.append(shape + (1,))
    return candidates


@st.composite
def compositions(draw):
    """(steps, input arrays): a chain of 2-6 ops applied to inputs[0], binary ops taking their
    second operand from a further input of a broadcast-compatible shape."""
    shape = draw(shapes(min_dims=1, max_side=3))
    inputs = [draw(arrays(shape, -1.5, 1.5))]
    steps = []
    for _ in range(draw(st.integers(2, 6))):
        kind = draw(st.sampled_from(STEP_KINDS))
        if kind in BINARY_STEPS:
            other = draw(partner_shapes(shape))
            if kind == "div":
                inputs.append(draw(away_from_zero(other, low=0.5, high=2.0)))
            else:
                inputs.append(draw(arrays(other, -1.5, 1.5)))
            steps.append((kind, len(inputs) - 1))
            shape = np.broadcast_shapes(shape, other)
        elif kind == "sum":
            axis = draw(st.integers(-len(shape), len(shape) - 1))
            keepdim = True if len(shape) == 1 else draw(st.booleans())
            steps.append((kind, axis, keepdim))
            shape = np.sum(np.zeros(shape), axis=axis, keepdims=keepdim).shape
        elif kind == "reshape":
            shape = draw(st.sampled_from(reshapes_of(shape)))
            steps.append((kind, shape))
        elif kind == "transpose":
            dim0, dim1 = draw(st.integers(0, len(shape) - 1)), draw(st.integers(0, len(shape) - 1))
            steps.append((kind, dim0, dim1))
            shape = list(shape)
            shape[dim0], shape[dim1] = shape[dim1], shape[dim0]
            shape = tuple(shape)
        else:
            steps.append((kind,))
    return steps, inputs


def apply_step(step, out, inputs):
    kind, *args = step
    if kind in UNARY_STEPS:
        return getattr(out, kind)()
    if kind == "square":
        return out * out
    if kind == "add":
        return out + inputs[args[0]]
    if kind == "sub":
        return out - inputs[args[0]]
    if kind == "rsub":
        return inputs[args[0]] - out
    if kind == "mul":
        return out * inputs[args[0]]
    if kind == "div":
        return out / inputs[args[0]]
    if kind == "sum":
        return out.sum(args[0], keepdim=args[1])
    if kind == "reshape":
        return out.reshape(args[0])
    if kind == "transpose":
        return out.transpose(args[0], args[1])
    raise AssertionError(kind)


def run_composition(steps, inputs, intermediates=None):
    out = inputs[0]
    for step in steps:
        out = apply_step(step, out, inputs)
        if intermediates is not None:
            intermediates.append(out.numpy())
    return out


@given(compositions())
def test_chain_rule_through_random_compositions_matches_finite_differences(composition):
    steps, arrays_in = composition
    inputs = [leaf(a) for a in arrays_in]
    intermediates = []
    with np.errstate(all="ignore"), tg.no_grad():
        run_composition(steps, inputs, intermediates)
    largest = max(float(np.max(np.abs(v))) for v in intermediates)
    assume(np.isfinite(largest) and largest <= MAX_INTERMEDIATE)
    assert gradcheck(lambda *xs: run_composition(steps, list(xs)), inputs)


class _WrongExp(Node):
    """exp with a deliberately wrong derivative (2·exp): gradcheck must reject it."""

    save_output = True

    def forward(self, a):
        return np.exp(a)

    def backward(self, g):
        return g * self.output * 2


def test_gradcheck_rejects_a_wrong_gradient():
    x = leaf([0.1, -0.4, 0.7])
    with pytest.raises(GradcheckError):
        gradcheck(lambda t: _WrongExp.apply(t), (x,))


# ------------------------------------------------------------------ no_grad


@given(function_names, input_and_upstream())
def test_no_grad_context_records_nothing(name, data):
    t = leaf(data[0])
    with tg.no_grad():
        out = FUNCTIONS[name](t)
    assert out.grad_fn is None
    assert out.requires_grad is False
    assert tg.is_grad_enabled()


@given(function_names, input_and_upstream())
def test_no_grad_decorator_records_nothing(name, data):
    @tg.no_grad()
    def apply(t):
        return FUNCTIONS[name](t)

    out = apply(leaf(data[0]))
    assert out.grad_fn is None
    assert out.requires_grad is False
    assert tg.is_grad_enabled()


def test_no_grad_works_as_a_bare_decorator():
    """PyTorch 2.x accepts `@torch.no_grad` without parentheses."""

    @tg.no_grad
    def double(t):
        return t * 2

    out = double(leaf([1.0, 2.0]))
    assert out.grad_fn is None
    assert out.requires_grad is False


@given(function_names, input_and_upstream())
def test_tensor_made_under_no_grad_is_a_constant_for_later_backward(name, data):
    x, upstream = data
    t = leaf(x)
    with tg.no_grad():
        constant = FUNCTIONS[name](t)
    (constant * t).backward(tg.tensor(upstream))
    np.testing.assert_allclose(t.grad.numpy(), upstream * constant.numpy(), rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ matmul and transposes, closed forms


def _batched_t(m):
    return np.swapaxes(m, -1, -2)


MATMUL_CASES = {
    # name: (input shapes from (b, n, k, m), forward, closed-form gradients given arrays and upstream g)
    "a@b": (
        lambda b, n, k, m: [(n, k), (k, m)],
        lambda A, B: A @ B,
        lambda A, B, g: [g @ B.T, A.T @ g],
    ),
    "a.T@b": (
        lambda b, n, k, m: [(k, n), (k, m)],
        lambda A, B: A.T @ B,
        lambda A, B, g: [B @ g.T, A @ g],
    ),
    "a@b.T": (
        lambda b, n, k, m: [(n, k), (m, k)],
        lambda A, B: A @ B.T,
        lambda A, B, g: [g @ B, g.T @ A],
    ),
    "(a@b).T": (
        lambda b, n, k, m: [(n, k), (k, m)],
        lambda A, B: (A @ B).T,
        lambda A, B, g: [g.T @ B.T, A.T @ g.T],
    ),
    "a.transpose(0,1)@b.transpose(0,1)": (
        lambda b, n, k, m: [(k, n), (m, k)],
        lambda A, B: A.transpose(0, 1) @ B.transpose(0, 1),
        lambda A, B, g: [B.T @ g.T, g.T @ A.T],
    ),
    "batched_a@b": (
        lambda b, n, k, m: [(b, n, k), (k, m)],
        lambda A, B: A @ B,
        lambda A, B, g: [g @ B.T, np.sum(_batched_t(A) @ g, axis=0)],
    ),
    "batched_a@batched_b.mT": (
        lambda b, n, k, m: [(b, n, k), (b, m, k)],
        lambda A, B: A @ B.permute(0, 2, 1),
        lambda A, B, g: [g @ B, _batched_t(g) @ A],
    ),
    "vector@b": (
        lambda b, n, k, m: [(k,), (k, m)],
        lambda A, B: A @ B,
        lambda A, B, g: [B @ g, np.outer(A, g)],
    ),
    "a@vector": (
        lambda b, n, k, m: [(n, k), (k,)],
        lambda A, B: A @ B,
        lambda A, B, g: [np.outer(g, B), A.T @ g],
    ),
}


@st.composite
def matmul_problems(draw, case):
    sizes = [draw(st.integers(1, 4)) for _ in range(4)]
    input_shapes, forward, _ = MATMUL_CASES[case]
    operands = [draw(arrays(shape)) for shape in input_shapes(*sizes)]
    out_shape = forward(*[tg.zeros(s, dtype=tg.float64) for s in input_shapes(*sizes)]).shape
    return operands, draw(arrays(out_shape))


@pytest.mark.parametrize("case", sorted(MATMUL_CASES))
@given(data=st.data())
def test_matmul_gradients_match_closed_form_under_random_upstream(case, data):
    (a, b), upstream = data.draw(matmul_problems(case))
    _, forward, closed_form = MATMUL_CASES[case]
    ta, tb = leaf(a), leaf(b)
    forward(ta, tb).backward(tg.tensor(upstream))
    expected_a, expected_b = closed_form(a, b, upstream)
    np.testing.assert_allclose(ta.grad.numpy(), expected_a, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(tb.grad.numpy(), expected_b, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ broadcasting


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum `grad` down to `shape`: over the leading dims, then over the stretched size-1 dims."""
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True)


@st.composite
def broadcast_problems(draw):
    shape_a, shape_b = draw(broadcastable_shapes())
    a, b = draw(arrays(shape_a)), draw(arrays(shape_b))
    return a, b, draw(arrays(np.broadcast_shapes(shape_a, shape_b)))


@given(broadcast_problems())
def test_broadcast_add_gradient_is_upstream_summed_over_broadcast_dims(problem):
    a, b, upstream = problem
    ta, tb = leaf(a), leaf(b)
    (ta + tb).backward(tg.tensor(upstream))
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    np.testing.assert_allclose(ta.grad.numpy(), unbroadcast(upstream, a.shape), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tb.grad.numpy(), unbroadcast(upstream, b.shape), rtol=1e-12, atol=1e-12)


@given(broadcast_problems())
def test_broadcast_mul_gradient_is_product_summed_over_broadcast_dims(problem):
    a, b, upstream = problem
    ta, tb = leaf(a), leaf(b)
    (ta * tb).backward(tg.tensor(upstream))
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    np.testing.assert_allclose(ta.grad.numpy(), unbroadcast(upstream * b, a.shape), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(tb.grad.numpy(), unbroadcast(upstream * a, b.shape), rtol=1e-10, atol=1e-12)
