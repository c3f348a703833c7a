"""Regression tests for what broke earlier small autograd engines (LESSONS.md, "What broke them"):
shared nodes, repeated backward, freed graphs, dtype drift, kinks and ties, memory, deep
graphs and broadcasting. Each test pins one behaviour, as PyTorch 2.x has it."""

import gc
import weakref

import numpy as np
import pytest

import tinygrad_np as tg

RNG = np.random.default_rng(20240501)


def leaf(values, dtype=np.float64) -> tg.Tensor:
    return tg.tensor(np.array(values, dtype=dtype), requires_grad=True)


def random_leaf(*shape) -> tg.Tensor:
    return leaf(RNG.standard_normal(shape))


def graph_nodes(*roots) -> list:
    """Every graph node reachable from `roots` (iteratively)."""
    seen, stack = {}, [r.grad_fn for r in roots if r.grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(edge for edge in node.next_edges if isinstance(edge, tg.autograd.node.Node))
    return list(seen.values())


# ------------------------------------------------------------------ shared nodes


def test_diamond_graph_sums_both_paths():
    x = random_leaf(2, 3)
    upstream = RNG.standard_normal((2, 3))
    a = x * 2.0  # used by two consumers
    y = a * 3.0 + a.exp()
    y.backward(tg.tensor(upstream))
    np.testing.assert_allclose(x.grad.numpy(), upstream * 2 * (3 + np.exp(2 * x.numpy())), rtol=1e-12)


def test_diamond_graph_of_nonlinear_ops_matches_closed_form():
    x = random_leaf(4)
    upstream = RNG.standard_normal(4)
    h = x.tanh()
    y = h.sin() * h.exp()
    y.backward(tg.tensor(upstream))
    t = np.tanh(x.numpy())
    expected = upstream * (np.cos(t) * np.exp(t) + np.sin(t) * np.exp(t)) * (1 - t**2)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)


def test_node_multiplied_by_itself_has_gradient_two_x():
    x = random_leaf(3)
    (x * x).backward(tg.ones(3, dtype=tg.float64))
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy(), rtol=1e-12)


def test_node_added_to_itself_has_gradient_two():
    x = random_leaf(3)
    (x + x).backward(tg.ones(3, dtype=tg.float64))
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 2.0))


def test_intermediate_used_twice_has_gradient_two_x():
    x = random_leaf(3)
    h = x.sin()
    (h * h).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.sin(x.numpy()) * np.cos(x.numpy()), rtol=1e-12)


def test_sum_of_two_leaves_then_further_use_gives_correct_gradients():
    a, b = random_leaf(2, 3), random_leaf(2, 3)
    upstream = RNG.standard_normal((2, 3))
    y = a + b  # AddBackward hands the same gradient to both inputs
    z = y * b + a
    z.backward(tg.tensor(upstream))
    np.testing.assert_allclose(a.grad.numpy(), upstream * (b.numpy() + 1), rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), upstream * (a.numpy() + 2 * b.numpy()), rtol=1e-12)


def test_gradients_of_the_two_operands_of_an_add_are_separate_arrays():
    """As in PyTorch: mutating one leaf's gradient in place (as clip_grad_norm_ or an optimizer
    may) leaves the other leaf's gradient alone."""
    a, b = random_leaf(2, 3), random_leaf(2, 3)
    upstream = RNG.standard_normal((2, 3))
    (a + b).backward(tg.tensor(upstream))
    a.grad.data[...] *= 10.0
    np.testing.assert_array_equal(b.grad.numpy(), upstream)
    np.testing.assert_array_equal(a.grad.numpy(), 10.0 * upstream)


def test_leaf_gradient_does_not_alias_the_upstream_gradient():
    x = random_leaf(2, 3)
    upstream = RNG.standard_normal((2, 3))
    given = tg.tensor(upstream.copy())
    (x + 1.0).backward(given)
    x.grad.data[...] = 0.0
    np.testing.assert_array_equal(given.numpy(), upstream)


# ------------------------------------------------------------------ backward twice, freed graphs


def test_backward_twice_accumulates_into_grad():
    x = random_leaf(3)
    y = (x * x.exp()).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-12)


def test_backward_of_two_graphs_accumulates_into_the_shared_leaf():
    x = random_leaf(3)
    (x * 2.0).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2.0 + 2 * x.numpy(), rtol=1e-12)


def test_second_backward_through_freed_graph_raises_runtime_error_mentioning_retain_graph():
    x = random_leaf(3)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_backward_through_a_graph_partly_freed_by_another_backward_raises():
    x = random_leaf(3)
    h = x.exp()
    h.sum().backward()  # frees ExpBackward
    with pytest.raises(RuntimeError, match="retain_graph"):
        (h * 2.0).sum().backward()


# ------------------------------------------------------------------ dtypes


def test_float32_inputs_give_float32_gradients_through_an_mlp_with_python_scalars():
    def f32(*shape):
        return RNG.standard_normal(shape).astype(np.float32)

    x, target = tg.tensor(f32(4, 3)), tg.tensor(f32(4, 2))
    w1, b1 = leaf(f32(3, 5), np.float32), leaf(f32(5), np.float32)
    w2, b2 = leaf(f32(5, 2), np.float32), leaf(f32(2), np.float32)
    h = (x @ w1 + b1).relu() * 0.5 + 0.1
    h = 2.0 * h.tanh() - 1.0 + h.sigmoid() / 3.0
    h = (1.0 / (1.0 + h * h)) ** 2.0 + (h * h + 1e-3).sqrt()
    out = h @ w2 + b2
    loss = ((out - target) ** 2).mean() + 1e-3 * (w1 * w1).sum() - 0.5 * out.log_softmax(dim=1).mean()
    loss = loss + 0.1 * out.var() + out.exp().mean().log() * 0.25
    assert loss.dtype == np.float32
    loss.backward()
    for p in (w1, b1, w2, b2):
        assert p.grad.dtype == np.float32, f"a float32 parameter got a {p.grad.dtype} gradient"


def test_numpy_float64_scalar_does_not_promote_a_float32_tensor():
    """PyTorch treats NumPy scalars like Python numbers: float32 * np.float64(0.5) is float32."""
    x = leaf([1.0, 2.0], np.float32)
    y = x * np.float64(0.5)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


# ------------------------------------------------------------------ kinks and ties


def test_relu_gradient_at_zero_is_zero():
    x = leaf([-1.0, 0.0, 2.0])
    x.relu().backward(tg.tensor([1.0, 1.0, 1.0], dtype=tg.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 1.0])


def test_max_of_all_elements_splits_gradient_evenly_among_ties():
    x = leaf([1.0, 3.0, 3.0, 2.0, 3.0])
    x.max().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 1 / 3, 1 / 3, 0.0, 1 / 3], rtol=1e-12)


def test_amax_along_dim_splits_gradient_evenly_among_ties():
    x = leaf([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    x.amax(dim=1).backward(tg.tensor([1.0, 2.0], dtype=tg.float64))
    np.testing.assert_allclose(x.grad.numpy(), [[0.0, 0.5, 0.5], [1.0, 1.0, 0.0]])


def test_amin_along_dim_splits_gradient_evenly_among_ties():
    x = leaf([[1.0, 1.0, 3.0], [0.0, 2.0, 0.0]])
    x.amin(dim=1).backward(tg.tensor([1.0, 2.0], dtype=tg.float64))
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, 0.5, 0.0], [1.0, 0.0, 1.0]])


def test_max_along_dim_returns_values_and_first_index_and_routes_gradient_there():
    x = leaf([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(values.numpy(), [3.0, 2.0])
    np.testing.assert_array_equal(indices.numpy(), [1, 0])
    values.backward(tg.tensor([1.0, 2.0], dtype=tg.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 1.0, 0.0], [2.0, 0.0, 0.0]])


def test_min_along_dim_returns_values_and_first_index_and_routes_gradient_there():
    x = leaf([[1.0, 1.0, 3.0], [0.0, 2.0, 0.0]])
    result = x.min(dim=1)
    np.testing.assert_array_equal(result.values.numpy(), [1.0, 0.0])
    np.testing.assert_array_equal(result.indices.numpy(), [0, 0])
    result.values.backward(tg.tensor([1.0, 2.0], dtype=tg.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 0.0, 0.0], [2.0, 0.0, 0.0]])


def test_maximum_at_equal_inputs_gives_half_to_each():
    a, b = leaf([1.0, 2.0, 5.0]), leaf([1.0, 3.0, 4.0])
    tg.maximum(a, b).backward(tg.tensor([2.0, 2.0, 2.0], dtype=tg.float64))
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 0.0, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 2.0, 0.0])


def test_minimum_at_equal_inputs_gives_half_to_each():
    a, b = leaf([1.0, 2.0, 5.0]), leaf([1.0, 3.0, 4.0])
    tg.minimum(a, b).backward(tg.tensor([2.0, 2.0, 2.0], dtype=tg.float64))
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 2.0, 0.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 0.0, 2.0])


# ------------------------------------------------------------------ memory


def _training_step(params, x, target) -> list:
    """Forward, backward, SGD update under no_grad, zero the grads. Returns weak references to
    everything the step created: intermediate tensors, their arrays, graph nodes, gradients."""
    w1, b1, w2, b2 = params
    pre = x @ w1 + b1
    hidden = pre.relu()
    out = hidden @ w2 + b2
    loss = ((out - target) ** 2).mean()
    intermediates = [pre, hidden, out, loss]
    refs = [weakref.ref(t) for t in intermediates] + [weakref.ref(t.numpy()) for t in (pre, hidden, out)]
    refs += [weakref.ref(node) for node in graph_nodes(loss)]
    loss.backward()
    refs += [weakref.ref(p.grad) for p in params] + [weakref.ref(p.grad.numpy()) for p in params]
    with tg.no_grad():
        for p in params:
            p.data -= 0.1 * p.grad.data
    for p in params:
        p.grad = None
    return refs


def _mlp():
    params = [random_leaf(3, 4), random_leaf(4), random_leaf(4, 2), random_leaf(2)]
    return params, tg.tensor(RNG.standard_normal((5, 3))), tg.tensor(RNG.standard_normal((5, 2)))


def test_nothing_created_in_a_training_step_survives_it():
    refs = _training_step(*_mlp())
    gc.collect()
    survivors = [r() for r in refs if r() is not None]
    assert survivors == []


def test_a_training_step_is_freed_by_reference_counting_alone():
    """No reference cycles: the graph goes as soon as the step ends, without the cycle collector."""
    problem = _mlp()
    gc.collect()
    gc.disable()
    try:
        refs = _training_step(*problem)
        survivors = [r() for r in refs if r() is not None]
    finally:
        gc.enable()
    assert survivors == []


def _saved_value_refs():
    """A graph whose nodes save tensors, with weak references to those tensors and their arrays."""
    x = random_leaf(3)
    h = x.exp()  # ExpBackward saves its output
    s = h.sin()  # SinBackward saves h
    y = (h * s).sum()  # MulBackward saves h and s
    return y, [weakref.ref(h), weakref.ref(s), weakref.ref(h.numpy()), weakref.ref(s.numpy())]


def test_backward_without_retain_graph_releases_saved_values():
    y, refs = _saved_value_refs()
    y.backward()
    gc.collect()
    assert y.grad_fn is not None  # the graph is still referenced ...
    assert [r() for r in refs if r() is not None] == []  # ... but its saved values are gone


def test_backward_with_retain_graph_keeps_saved_values():
    y, refs = _saved_value_refs()
    y.backward(retain_graph=True)
    gc.collect()
    assert all(r() is not None for r in refs)


# ------------------------------------------------------------------ deep graphs

CHAIN_LENGTH = 100_000


def test_chain_of_100000_multiplications_backpropagates_without_recursion_error():
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(CHAIN_LENGTH):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(2, 1.0001**CHAIN_LENGTH), rtol=1e-9)
    del y
    gc.collect()


def test_chain_of_100000_additions_of_the_same_leaf_backpropagates_without_recursion_error():
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(CHAIN_LENGTH):
        y = y + x
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(2, CHAIN_LENGTH + 1.0))
    del y
    gc.collect()


# ------------------------------------------------------------------ broadcasting


@pytest.mark.parametrize("op", ["add", "mul"])
def test_broadcast_of_3x1_and_2x1x4_gives_gradients_summed_over_broadcast_dims(op):
    a, b = random_leaf(3, 1), random_leaf(2, 1, 4)
    upstream = RNG.standard_normal((2, 3, 4))
    out = a + b if op == "add" else a * b
    assert out.shape == (2, 3, 4)
    out.backward(tg.tensor(upstream))
    grad_a = upstream if op == "add" else upstream * b.numpy()
    grad_b = upstream if op == "add" else upstream * a.numpy()
    assert a.grad.shape == (3, 1) and b.grad.shape == (2, 1, 4)
    np.testing.assert_allclose(a.grad.numpy(), grad_a.sum(axis=(0, 2))[:, None], rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), grad_b.sum(axis=1, keepdims=True), rtol=1e-12)


def test_zero_dim_tensor_broadcast_against_a_matrix_gets_the_summed_gradient():
    s, m = leaf(1.5), random_leaf(2, 3)
    upstream = RNG.standard_normal((2, 3))
    (s * m).backward(tg.tensor(upstream))
    assert s.grad.shape == ()
    np.testing.assert_allclose(s.grad.numpy(), np.sum(upstream * m.numpy()), rtol=1e-12)
    np.testing.assert_allclose(m.grad.numpy(), upstream * 1.5, rtol=1e-12)


def test_zero_dim_tensors_combine_into_a_zero_dim_result_with_zero_dim_gradients():
    s, t = leaf(1.5), leaf(-2.0)
    out = s * t + s
    assert out.shape == ()
    out.backward()
    assert s.grad.shape == () and t.grad.shape == ()
    np.testing.assert_allclose(s.grad.numpy(), -1.0)
    np.testing.assert_allclose(t.grad.numpy(), 1.5)


def test_zero_dim_results_hold_zero_dim_ndarrays():
    """`.data` is an ndarray, also for 0-d results (NumPy turns 0-d results into scalars)."""
    s, m = leaf(1.5), random_leaf(2, 3)
    for out in (s * s, s.exp(), m.sum(), m.amax(), m.mean()):
        assert out.shape == ()
        assert isinstance(out.numpy(), np.ndarray), f"{out.grad_fn} gave a {type(out.numpy()).__name__}"


def test_zero_dim_leaf_gradient_is_a_zero_dim_ndarray():
    s = leaf(1.5)
    (s * 2.0).backward()
    assert isinstance(s.grad.numpy(), np.ndarray), f"the gradient is a {type(s.grad.numpy()).__name__}"
    s.grad.data[...] = 0.0  # in-place writes to a gradient work, as optimizers may need


def test_zero_dim_tensor_plus_one_element_vector_gives_gradients_of_each_shape():
    s, v = leaf(1.5), leaf([2.0])
    out = s + v
    assert out.shape == (1,)
    out.backward(tg.tensor([3.0], dtype=tg.float64))
    assert s.grad.shape == () and v.grad.shape == (1,)
    np.testing.assert_allclose(s.grad.numpy(), 3.0)
    np.testing.assert_allclose(v.grad.numpy(), [3.0])


@pytest.mark.parametrize(("product", "other_shape"), [
    (lambda w, other: other @ w.T, (4, 3)),  # the transposed weight on the right
    (lambda w, other: w.T @ other, (2, 4)),  # and on the left
])
def test_gradient_of_a_transposed_weight_is_c_contiguous_like_the_weight(product, other_shape):
    weight = tg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    out = product(weight, tg.tensor(np.ones(other_shape)))
    out.backward(tg.tensor(np.ones(out.shape)))
    assert weight.grad.numpy().flags.c_contiguous
    np.testing.assert_allclose(weight.grad.numpy(), np.full((2, 3), 4.0))
