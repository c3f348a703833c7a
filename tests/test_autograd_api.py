"""The autograd API around the engine: `autograd.grad`, `functional.jacobian`/`hessian`,
`gradcheck`/`gradgradcheck` (including that they can fail), anomaly detection, grad mode and
inference mode, `Variable`, `retain_grad`, and higher derivatives against closed forms."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, broadcastable_shapes, shapes

import tinygrad_np as tg
from tinygrad_np.autograd import Function, GradcheckError, gradcheck, gradgradcheck
from tinygrad_np.autograd.functional import hessian, jacobian


@pytest.fixture(autouse=True)
def grad_mode_is_restored():
    """A grad-mode bug must fail its own test, not every test after it."""
    yield
    tg.set_grad_enabled(True)


NUMBER = r"-?\d+(?:\.\d*)?(?:e[+-]?\d+)?(?![\d(])"
"""A plain decimal number (not the 64 of a `np.float64(...)` wrapper)."""


def leaf(array):
    return tg.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


@st.composite
def matrix_and_vector(draw):
    """(A, x) with A of shape (m, n) and x of shape (n,)."""
    m, n = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return draw(arrays((m, n))), draw(arrays((n,)))


# ------------------------------------------------------------------ custom ops for the checkers


class Square(Function):
    """x², with a correct backward written in Tensor ops (so it is twice differentiable)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a * 2.0


class WrongSquare(Square):
    """x², with a backward that is off by a factor: 3x instead of 2x."""

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a * 3.0


class SquareIgnoringUpstream(Square):
    """x², whose backward forgets to multiply by the upstream gradient."""

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return a * 2.0 + g * 0.0


class SquareSquaringUpstream(Square):
    """x², whose backward squares the upstream gradient: right for one-hot upstream gradients
    (0² = 0, 1² = 1), wrong for any other."""

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * g * a * 2.0


class SquareWithConstantBackward(Function):
    """x², whose backward is right in value but built from a constant, so its own derivative
    with respect to x is lost (zero instead of 2·g)."""

    @staticmethod
    def forward(ctx, a):
        ctx.twice = (2.0 * a).numpy()
        return a * a

    @staticmethod
    def backward(ctx, g):
        return g * tg.tensor(ctx.twice)


# ------------------------------------------------------------------ autograd.grad


def test_grad_returns_the_gradient():
    x = leaf([1.0, 2.0, 3.0])
    (gx,) = tg.autograd.grad((x * x).sum(), x)
    np.testing.assert_array_equal(gx.numpy(), [2.0, 4.0, 6.0])


def test_grad_does_not_touch_dot_grad():
    x = leaf([1.0, 2.0])
    tg.autograd.grad((x * x).sum(), x)
    assert x.grad is None


def test_grad_leaves_an_existing_dot_grad_unchanged():
    x = leaf([1.0, 2.0])
    (x * 5).sum().backward()
    tg.autograd.grad((x * x).sum(), x)
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])


def test_grad_with_several_inputs_returns_a_tuple_in_order():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 5.0])
    gx, gy = tg.autograd.grad((x * y).sum(), [x, y])
    np.testing.assert_array_equal(gx.numpy(), [3.0, 5.0])
    np.testing.assert_array_equal(gy.numpy(), [1.0, 2.0])


def test_grad_with_respect_to_a_non_leaf():
    x = leaf([1.0, 2.0])
    y = x * 3
    (gy,) = tg.autograd.grad((y * y + y).sum(), y)
    np.testing.assert_array_equal(gy.numpy(), 2 * y.numpy() + 1)


@given(arrays(shapes()), st.data())
def test_grad_with_grad_outputs_is_a_vector_jacobian_product(array, data):
    upstream = data.draw(arrays(array.shape))
    x = leaf(array)
    (gx,) = tg.autograd.grad(x.sin(), x, grad_outputs=tg.tensor(upstream))
    np.testing.assert_allclose(gx.numpy(), upstream * np.cos(array))


def test_grad_of_several_outputs_sums_their_gradients():
    x = leaf([1.0, 2.0])
    (gx,) = tg.autograd.grad([(x * 2).sum(), (x * x).sum()], x)
    np.testing.assert_array_equal(gx.numpy(), [4.0, 6.0])


def test_grad_with_allow_unused_returns_none_for_an_unused_input():
    x, unused = leaf([1.0, 2.0]), leaf([3.0])
    gx, gu = tg.autograd.grad((x * x).sum(), [x, unused], allow_unused=True)
    np.testing.assert_array_equal(gx.numpy(), [2.0, 4.0])
    assert gu is None


def test_grad_of_an_unused_input_without_allow_unused_raises():
    x, unused = leaf([1.0, 2.0]), leaf([3.0])
    with pytest.raises(RuntimeError, match="allow_unused"):
        tg.autograd.grad((x * x).sum(), [x, unused])


def test_grad_without_create_graph_gives_a_constant():
    x = leaf([1.0, 2.0])
    (gx,) = tg.autograd.grad((x * x * x).sum(), x)
    assert not gx.requires_grad
    assert gx.grad_fn is None


def test_grad_with_create_graph_gives_a_differentiable_gradient():
    x = leaf([1.0, 2.0])
    (gx,) = tg.autograd.grad((x * x * x).sum(), x, create_graph=True)
    assert gx.requires_grad
    np.testing.assert_array_equal(gx.numpy(), [3.0, 12.0])
    (ggx,) = tg.autograd.grad(gx.sum(), x)
    np.testing.assert_array_equal(ggx.numpy(), [6.0, 12.0])


def test_grad_with_retain_graph_can_be_called_twice():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    (first,) = tg.autograd.grad(y, x, retain_graph=True)
    (second,) = tg.autograd.grad(y, x)
    np.testing.assert_array_equal(first.numpy(), second.numpy())


# ------------------------------------------------------------------ jacobian and hessian


@given(arrays(shapes()))
def test_jacobian_of_elementwise_square_is_diagonal(array):
    J = jacobian(lambda v: v**2, tg.tensor(array))
    assert J.shape == array.shape + array.shape
    expected = np.diag(2 * array.ravel()).reshape(array.shape + array.shape)
    np.testing.assert_allclose(J.numpy(), expected)


@given(matrix_and_vector())
def test_jacobian_of_a_linear_map_is_its_matrix(case):
    A, x = case
    J = jacobian(lambda v: tg.tensor(A) @ v, tg.tensor(x))
    assert J.shape == A.shape
    np.testing.assert_allclose(J.numpy(), A)


def test_jacobian_shape_is_output_shape_plus_input_shape():
    x = tg.tensor(np.arange(4.0))
    J = jacobian(lambda v: v.reshape(2, 2)[None] * tg.tensor(np.ones((3, 1, 1))), x)
    assert J.shape == (3, 2, 2, 4)


def test_jacobian_of_a_scalar_function_is_the_gradient():
    x = np.array([1.0, 2.0, 3.0])
    J = jacobian(lambda v: (v * v).sum(), tg.tensor(x))
    assert J.shape == (3,)
    np.testing.assert_allclose(J.numpy(), 2 * x)


@given(st.integers(1, 4).flatmap(lambda n: st.tuples(arrays((n,)), arrays((n,)))))
def test_jacobian_with_tuple_inputs_gives_one_jacobian_per_input(pair):
    x, y = pair
    Jx, Jy = jacobian(lambda u, v: u * v, (tg.tensor(x), tg.tensor(y)))
    np.testing.assert_allclose(Jx.numpy(), np.diag(y))
    np.testing.assert_allclose(Jy.numpy(), np.diag(x))


def test_jacobian_of_an_output_that_ignores_an_input_is_zero():
    Jx, Jy = jacobian(lambda u, v: u * 2, (tg.tensor(np.ones(2)), tg.tensor(np.ones(3))))
    np.testing.assert_array_equal(Jx.numpy(), 2 * np.eye(2))
    np.testing.assert_array_equal(Jy.numpy(), np.zeros((2, 3)))


def test_jacobian_does_not_change_its_input():
    x = tg.tensor(np.array([1.0, 2.0]))
    jacobian(lambda v: v * v, x)
    assert not x.requires_grad
    assert x.grad is None


@given(arrays(shapes(max_dims=2)))
def test_hessian_of_sum_of_cubes_is_diagonal_six_x(array):
    H = hessian(lambda v: (v**3).sum(), tg.tensor(array))
    assert H.shape == array.shape + array.shape
    expected = np.diag(6 * array.ravel()).reshape(array.shape + array.shape)
    np.testing.assert_allclose(H.numpy(), expected, atol=1e-12)


@given(matrix_and_vector())
def test_hessian_of_squared_norm_of_a_linear_map_is_two_A_transpose_A(case):
    A, x = case
    H = hessian(lambda v: ((tg.tensor(A) @ v) ** 2).sum(), tg.tensor(x))
    assert H.shape == (x.size, x.size)
    np.testing.assert_allclose(H.numpy(), 2 * A.T @ A, atol=1e-12)


def test_hessian_with_tuple_inputs_gives_blocks():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    (Hxx, Hxy), (Hyx, Hyy) = hessian(lambda u, v: (u * u).sum() * v.sum(), (tg.tensor(x), tg.tensor(y)))
    assert (Hxx.shape, Hxy.shape, Hyx.shape, Hyy.shape) == ((2, 2), (2, 3), (3, 2), (3, 3))
    np.testing.assert_allclose(Hxx.numpy(), 2 * y.sum() * np.eye(2))
    np.testing.assert_allclose(Hxy.numpy(), np.outer(2 * x, np.ones(3)))
    np.testing.assert_allclose(Hyx.numpy(), np.outer(np.ones(3), 2 * x))
    np.testing.assert_allclose(Hyy.numpy(), np.zeros((3, 3)))


def test_hessian_of_a_non_scalar_function_raises():
    with pytest.raises(RuntimeError):
        hessian(lambda v: v * v, tg.tensor(np.ones(2)))


# ------------------------------------------------------------------ gradcheck and gradgradcheck


@given(broadcastable_shapes().flatmap(lambda pair: st.tuples(arrays(pair[0]), arrays(pair[1]))))
def test_gradcheck_accepts_a_correct_function(pair):
    a, b = pair
    assert gradcheck(lambda x, y: (x.sin() * y.exp() + x * x).tanh(), (leaf(a), leaf(b)))


def test_gradcheck_accepts_a_correct_custom_op():
    assert gradcheck(Square.apply, (leaf([1.0, -2.0, 0.5]),))


def test_gradcheck_rejects_a_wrong_backward():
    with pytest.raises(GradcheckError):
        gradcheck(WrongSquare.apply, (leaf([1.0, -2.0, 0.5]),))


def test_gradcheck_error_is_a_runtime_error():
    assert issubclass(GradcheckError, RuntimeError)


def test_gradcheck_error_names_input_index_analytic_and_numeric_values():
    x = np.array([1.0, -2.0, 0.5])
    with pytest.raises(GradcheckError) as error:
        gradcheck(WrongSquare.apply, (leaf(x),))
    message = str(error.value)
    assert "input 0" in message
    assert "(1,)" in message  # the worst entry is where |x| is largest
    analytic, numeric = (
        float(re.search(rf"{word}[\s=:]*(?:np\.float64\()?({NUMBER})", message).group(1))
        for word in ("analytic", "numeric")
    )
    assert analytic == pytest.approx(3 * x[1])
    assert numeric == pytest.approx(2 * x[1], rel=1e-6)


def test_gradcheck_error_shows_values_as_plain_numbers():
    with pytest.raises(GradcheckError) as error:
        gradcheck(WrongSquare.apply, (leaf([1.0, -2.0, 0.5]),))
    message = str(error.value)
    assert re.search(rf"analytic[\s=:]*{NUMBER}", message), message
    assert re.search(rf"numeric[\s=:]*{NUMBER}", message), message
    assert "np.float64" not in message


def test_gradcheck_error_names_the_input_whose_gradient_is_wrong():
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(lambda x, y: x * 2 + WrongSquare.apply(y), (leaf([1.0, 2.0]), leaf([3.0, 4.0])))


def test_gradcheck_rejects_a_backward_that_ignores_the_upstream_gradient():
    with pytest.raises(GradcheckError):
        gradcheck(SquareIgnoringUpstream.apply, (leaf([1.0, -2.0, 0.5]),))


def test_gradcheck_rejects_a_backward_that_is_not_linear_in_the_upstream_gradient():
    with pytest.raises(GradcheckError):
        gradcheck(SquareSquaringUpstream.apply, (leaf([1.0, -2.0, 0.5]),))


def test_gradcheck_without_raise_exception_returns_false():
    assert gradcheck(WrongSquare.apply, (leaf([1.0, 2.0]),), raise_exception=False) is False


def test_gradcheck_accepts_an_empty_input():
    assert gradcheck(lambda x: x * 2, (leaf(np.zeros((0, 2))),))


def test_gradcheck_skips_inputs_that_do_not_require_grad():
    assert gradcheck(lambda x, c: x * c, (leaf([1.0, 2.0]), tg.tensor(np.array([3.0, 4.0]))))


@given(arrays(shapes(max_dims=2, max_side=3)))
def test_gradgradcheck_accepts_a_twice_differentiable_function(array):
    assert gradgradcheck(lambda x: (x.tanh() * x.exp()).sum() * x, (leaf(array),))


def test_gradgradcheck_accepts_a_correct_custom_op():
    assert gradgradcheck(Square.apply, (leaf([1.0, -2.0, 0.5]),))


def test_constant_backward_passes_gradcheck_but_fails_gradgradcheck():
    x = [1.0, -2.0, 0.5]
    assert gradcheck(SquareWithConstantBackward.apply, (leaf(x),))
    with pytest.raises(GradcheckError):
        gradgradcheck(SquareWithConstantBackward.apply, (leaf(x),))


def test_gradgradcheck_without_raise_exception_returns_false():
    assert gradgradcheck(SquareWithConstantBackward.apply, (leaf([1.0, 2.0]),), raise_exception=False) is False


# ------------------------------------------------------------------ custom Function


def test_custom_function_backward_reaches_the_leaf():
    x = leaf([1.0, 2.0])
    y = Square.apply(x)
    assert y.grad_fn.name() == "SquareBackward"
    y.backward(tg.tensor(np.array([1.0, 10.0])))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 40.0])


# ------------------------------------------------------------------ detect_anomaly


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_names_the_op_whose_backward_made_nan_and_where_it_was_created():
    x = leaf([0.0, 1.0])
    with tg.autograd.detect_anomaly():
        root = x.sqrt()  # d sqrt / dx = inf at 0, times the 0 below: nan
        loss = (root * 0.0).sum()
        with pytest.raises(RuntimeError) as error:
            loss.backward()
    message = str(error.value)
    assert root.grad_fn.name() in message
    assert "test_autograd_api.py" in message
    assert "root = x.sqrt()" in message


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_catches_nan_from_log_at_zero():
    x = leaf([0.0, 1.0])
    with tg.autograd.detect_anomaly():
        logs = x.log()
        with pytest.raises(RuntimeError) as error:
            (logs * 0.0).sum().backward()
    assert logs.grad_fn.name() in str(error.value)
    assert "test_autograd_api.py" in str(error.value)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_without_detect_anomaly_nan_gradients_pass_silently():
    x = leaf([0.0, 1.0])
    (x.sqrt() * 0.0).sum().backward()
    assert np.isnan(x.grad.numpy()[0])
    assert x.grad.numpy()[1] == 0.0


def test_detect_anomaly_does_not_disturb_finite_gradients():
    x = leaf([1.0, 4.0])
    with tg.autograd.detect_anomaly():
        x.sqrt().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.5, 0.25])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_is_off_again_after_the_block():
    with tg.autograd.detect_anomaly():
        pass
    x = leaf([0.0])
    (x.sqrt() * 0.0).sum().backward()
    assert np.isnan(x.grad.numpy()[0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_works_as_a_decorator():
    @tg.autograd.detect_anomaly()
    def step(x):
        (x.log() * 0.0).sum().backward()

    with pytest.raises(RuntimeError, match="LogBackward"):
        step(leaf([0.0]))


# ------------------------------------------------------------------ grad mode


def test_grad_is_enabled_by_default():
    assert tg.is_grad_enabled()


def test_no_grad_context_stops_recording():
    x = leaf([1.0])
    with tg.no_grad():
        assert not tg.is_grad_enabled()
        y = x * 2
    assert tg.is_grad_enabled()
    assert not y.requires_grad
    assert y.grad_fn is None


def test_no_grad_context_restores_grad_mode_after_an_exception():
    with pytest.raises(KeyError), tg.no_grad():
        raise KeyError
    assert tg.is_grad_enabled()


def test_no_grad_decorator_stops_recording_inside_the_function():
    @tg.no_grad()
    def double(t):
        return t * 2, tg.is_grad_enabled()

    y, enabled = double(leaf([1.0]))
    assert not enabled
    assert not y.requires_grad
    assert tg.is_grad_enabled()


def test_no_grad_works_as_a_bare_decorator():
    # PyTorch 2.x accepts @torch.no_grad without parentheses
    @tg.no_grad
    def enabled():
        return tg.is_grad_enabled()

    assert enabled() is False
    assert tg.is_grad_enabled()


def test_no_grad_decorator_on_a_recursive_function_restores_grad_mode():
    @tg.no_grad()
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(3) == 3
    assert tg.is_grad_enabled()


def test_enable_grad_inside_no_grad_records():
    x = leaf([1.0])
    with tg.no_grad():
        with tg.enable_grad():
            assert tg.is_grad_enabled()
            y = x * 2
        assert not tg.is_grad_enabled()
    assert y.requires_grad


def test_enable_grad_decorator_records_inside_no_grad():
    @tg.enable_grad()
    def double(t):
        return t * 2

    with tg.no_grad():
        y = double(leaf([1.0]))
        assert not tg.is_grad_enabled()
    assert y.requires_grad


@pytest.mark.parametrize("mode", [False, True])
def test_set_grad_enabled_as_a_context_manager(mode):
    with tg.no_grad():
        with tg.set_grad_enabled(mode):
            assert tg.is_grad_enabled() is mode
        assert tg.is_grad_enabled() is False
    with tg.set_grad_enabled(mode):
        assert tg.is_grad_enabled() is mode
    assert tg.is_grad_enabled()


def test_set_grad_enabled_as_a_function_call_switches_immediately():
    tg.set_grad_enabled(False)
    assert not tg.is_grad_enabled()
    assert not (leaf([1.0]) * 2).requires_grad
    tg.set_grad_enabled(True)
    assert tg.is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_applies_only_inside_the_function():
    @tg.set_grad_enabled(False)
    def enabled():
        return tg.is_grad_enabled()

    assert tg.is_grad_enabled(), "decorating must not switch grad mode off"
    assert enabled() is False
    assert tg.is_grad_enabled()


def test_grad_mode_functions_are_exported_from_autograd_too():
    assert tg.autograd.no_grad is tg.no_grad
    assert tg.autograd.enable_grad is tg.enable_grad
    assert tg.autograd.set_grad_enabled is tg.set_grad_enabled
    assert tg.autograd.is_grad_enabled is tg.is_grad_enabled


# ------------------------------------------------------------------ inference_mode


def test_inference_mode_records_nothing():
    x = leaf([1.0, 2.0])
    with tg.inference_mode():
        y = x * 2
    assert y.grad_fn is None and not y.requires_grad


def test_inference_mode_is_reported_inside_only():
    with tg.inference_mode():
        inside = (tg.is_inference_mode_enabled(), tg.is_grad_enabled())
    assert inside == (True, False)
    assert not tg.is_inference_mode_enabled() and tg.is_grad_enabled()


@pytest.mark.parametrize("decorate", [tg.inference_mode(), tg.inference_mode], ids=["called", "bare"])
def test_inference_mode_as_a_decorator(decorate):
    @decorate
    def predict(x):
        return x * 2, tg.is_inference_mode_enabled()

    y, inside = predict(leaf([1.0]))
    assert inside and not y.requires_grad
    assert not tg.is_inference_mode_enabled()


def test_inference_mode_false_records_even_inside_no_grad():
    with tg.no_grad(), tg.inference_mode(False):
        y = leaf([1.0]) * 2
        inside = tg.is_inference_mode_enabled()
    assert y.requires_grad and not inside


def test_inference_mode_restores_both_modes_after_an_exception():
    with pytest.raises(ValueError), tg.inference_mode():
        raise ValueError
    assert tg.is_grad_enabled() and not tg.is_inference_mode_enabled()


def test_inference_mode_is_exported_from_autograd_too():
    assert tg.autograd.inference_mode is tg.inference_mode
    assert tg.autograd.is_inference_mode_enabled is tg.is_inference_mode_enabled


# ------------------------------------------------------------------ Variable


def test_variable_returns_a_tensor_on_the_same_array():
    t = tg.tensor([1.0, 2.0])
    v = tg.autograd.Variable(t)
    assert type(v) is tg.Tensor and v is not t and np.shares_memory(v.numpy(), t.numpy())
    assert not v.requires_grad


def test_variable_with_requires_grad_is_a_leaf_that_requires_grad():
    v = tg.autograd.Variable(tg.tensor([1.0]), requires_grad=True)
    assert v.requires_grad and v.is_leaf


def test_variable_of_a_non_leaf_is_cut_from_the_graph():
    v = tg.autograd.Variable(leaf([1.0]) * 2)
    assert v.grad_fn is None and not v.requires_grad


def test_every_tensor_is_a_variable():
    assert isinstance(tg.tensor([1.0]), tg.autograd.Variable)
    assert not isinstance([1.0], tg.autograd.Variable)


def test_variable_of_something_else_raises_type_error():
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        tg.autograd.Variable([1.0])


def test_variable_volatile_warns_that_it_has_no_effect():
    with pytest.warns(UserWarning, match="volatile was removed"):
        v = tg.autograd.Variable(tg.tensor([1.0]), volatile=True)
    assert not v.requires_grad


# ------------------------------------------------------------------ retain_grad


def test_non_leaf_has_no_grad_without_retain_grad():
    x = leaf([1.0, 2.0])
    y = x * 3
    (y * y).sum().backward()
    assert y.grad is None


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    y = x * 3
    assert y.retain_grad() is y
    (y * y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [6.0, 12.0])
    np.testing.assert_array_equal(x.grad.numpy(), [18.0, 36.0])


def test_retained_gradient_accumulates_over_backward_calls():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    z = (y * y).sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_array_equal(y.grad.numpy(), [12.0, 24.0])


def test_retain_grad_on_a_leaf_changes_nothing():
    x = leaf([1.0, 2.0])
    x.retain_grad()
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_retain_grad_on_a_root():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    y.backward(tg.tensor(np.array([1.0, -1.0])))
    np.testing.assert_array_equal(y.grad.numpy(), [1.0, -1.0])


def test_autograd_grad_does_not_fill_retained_gradients():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    tg.autograd.grad((y * y).sum(), x)
    assert y.grad is None


# ------------------------------------------------------------------ higher derivatives against closed forms


def derivatives(f, array, order):
    """The elementwise derivatives of f up to `order`, by nested create_graph."""
    x = leaf(array)
    out = f(x)
    found = []
    for _ in range(order):
        (out,) = tg.autograd.grad(out.sum(), x, create_graph=True)
        found.append(out.numpy())
    return found


@given(arrays(shapes()))
def test_second_derivative_of_tanh(array):
    first, second = derivatives(lambda x: x.tanh(), array, 2)
    t = np.tanh(array)
    np.testing.assert_allclose(first, 1 - t**2, atol=1e-12)
    np.testing.assert_allclose(second, -2 * t * (1 - t**2), atol=1e-12)


@given(arrays(shapes()))
def test_second_derivative_of_exp_times_sin(array):
    _, second = derivatives(lambda x: x.exp() * x.sin(), array, 2)
    np.testing.assert_allclose(second, 2 * np.exp(array) * np.cos(array), rtol=1e-10, atol=1e-12)


@given(matrix_and_vector())
def test_hessian_of_squared_norm_of_a_linear_map_by_nested_grad(case):
    A, x = case
    v = leaf(x)
    (g,) = tg.autograd.grad(((tg.tensor(A) @ v) ** 2).sum(), v, create_graph=True)
    rows = [tg.autograd.grad(g[i], v, retain_graph=True)[0].numpy() for i in range(x.size)]
    np.testing.assert_allclose(np.stack(rows), 2 * A.T @ A, atol=1e-12)


@given(arrays(shapes()))
def test_third_derivative_of_tanh(array):
    *_, third = derivatives(lambda x: x.tanh(), array, 3)
    t = np.tanh(array)
    np.testing.assert_allclose(third, (1 - t**2) * (6 * t**2 - 2), atol=1e-12)


def test_backward_with_create_graph_gives_a_differentiable_grad():
    x = leaf([1.0, 2.0])
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (second,) = tg.autograd.grad(x.grad.sum(), x)
    np.testing.assert_array_equal(second.numpy(), [6.0, 12.0])


def test_grad_runs_and_frees_only_the_part_of_the_graph_it_needs():
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    hidden = x * 3
    (grad_hidden,) = tg.autograd.grad((hidden * hidden).sum(), hidden)
    np.testing.assert_allclose(grad_hidden.numpy(), [6.0, 12.0])
    hidden.sum().backward()  # the part below `hidden` was neither run nor freed
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])
