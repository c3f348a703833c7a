"""Custom autograd functions written PyTorch's way (`class F(tg.autograd.Function)` with static
forward/backward and `F.apply`): gradients checked in float64 against finite differences,
second derivatives through differentiable backwards, the ctx API, and PyTorch's errors."""

import gc
import re
import warnings
import weakref

import numpy as np
import pytest
from hypothesis import given
from strategies import arrays, shapes

import tinygrad_np as tg
from tinygrad_np.autograd import Function, gradcheck, gradgradcheck
from tinygrad_np.autograd.function import once_differentiable
from tinygrad_np.autograd.node import AccumulateGrad


def leaf(values):
    return tg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


# ------------------------------------------------------------------ functions from PyTorch's docs and tutorials


class LegendrePolynomial3(Function):
    """P3(x) = ½(5x³ - 3x);  P3'(x) = 1.5(5x² - 1) (PyTorch's tutorial)."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


class Exp(Function):
    """exp, saving its output (PyTorch's docs example)."""

    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class ProductAndSum(Function):
    """(a·b, a + b): two inputs, two outputs;  d/da = g₁·b + g₂, d/db = g₁·a + g₂."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b, a + b

    @staticmethod
    def backward(ctx, grad_product, grad_sum):
        a, b = ctx.saved_tensors
        return grad_product * b + grad_sum, grad_product * a + grad_sum


class MulConstant(Function):
    """x·k for a number k: the number gets no gradient (PyTorch's docs example)."""

    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


class LinearFunction(Function):
    """input @ weightᵀ + bias, with an optional bias (PyTorch's docs example)."""

    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input @ weight.T
        if bias is not None:
            output += bias.unsqueeze(0).expand(output.shape)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output @ weight
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.T @ input
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class MyReLU(Function):
    """relu with a backward that writes into a clone of the upstream gradient (PyTorch's tutorial)."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


class Cube(Function):
    """x³ in the newer style: forward without ctx, what backward needs saved by setup_context."""

    @staticmethod
    def forward(x):
        return x**3

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x**2


class Identity(Function):
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


@pytest.mark.parametrize("function", [LegendrePolynomial3, Exp, Cube], ids=lambda f: f.__name__)
def test_gradient_of_a_one_input_function_matches_finite_differences(function):
    assert gradcheck(function.apply, (leaf([[-1.2, 0.3, 0.8], [0.1, -0.5, 1.5]]),))


@pytest.mark.parametrize("function", [LegendrePolynomial3, Exp, Cube], ids=lambda f: f.__name__)
def test_backward_in_tensor_ops_is_differentiable_again(function):
    assert gradgradcheck(function.apply, (leaf([-1.2, 0.3, 0.8]),))


def test_two_input_two_output_function_matches_finite_differences():
    inputs = (leaf([0.5, -1.0, 2.0]), leaf([1.5, 0.25, -0.75]))
    assert gradcheck(ProductAndSum.apply, inputs)
    assert gradgradcheck(ProductAndSum.apply, inputs)


def test_function_with_a_number_argument_matches_finite_differences():
    assert gradcheck(lambda x: MulConstant.apply(x, 2.5), (leaf([0.5, -1.0, 2.0]),))


@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_function_matches_finite_differences_to_second_order(with_bias):
    inputs = (leaf([[0.5, -1.0, 2.0], [1.0, 0.25, -0.5]]), leaf([[0.1, 0.2, 0.3], [-0.4, 0.5, -0.6]]))
    inputs += (leaf([0.7, -0.8]),) if with_bias else ()
    assert gradcheck(LinearFunction.apply, inputs)
    assert gradgradcheck(LinearFunction.apply, inputs)


def test_relu_with_an_in_place_backward_matches_finite_differences():
    assert gradcheck(MyReLU.apply, (leaf([[0.5, -1.0, 2.0], [-0.3, 0.25, -0.5]]),))


@given(arrays(shapes(max_dims=3)))
def test_legendre_p3_gradient_matches_finite_differences_on_any_shape(array):
    assert gradcheck(LegendrePolynomial3.apply, (leaf(array),))


@given(arrays(shapes(max_dims=2)))
def test_two_output_function_gradient_matches_finite_differences_on_any_shape(array):
    assert gradcheck(ProductAndSum.apply, (leaf(array), leaf(0.5 - array)))


def test_legendre_p3_gradient_is_the_closed_form():
    x = leaf([0.0, 0.5, 2.0])
    LegendrePolynomial3.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * (5 * np.array([0.0, 0.5, 2.0]) ** 2 - 1))


def test_function_composes_with_ops_on_both_sides():
    x = leaf([0.5, -1.0])
    loss = (Exp.apply(x * 2) * 3).sum()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * np.exp(2 * np.array([0.5, -1.0])))


# ------------------------------------------------------------------ the graph node


def test_grad_fn_is_the_functions_backward_node_named_as_pytorch():
    y = Exp.apply(leaf([1.0]))
    assert y.grad_fn.name() == "ExpBackward" and type(y.grad_fn).__name__ == "ExpBackward"


def test_grad_fn_is_the_ctx_with_its_attributes():
    y = MulConstant.apply(leaf([1.0]), 4.0)
    assert y.grad_fn.constant == 4.0


def test_next_functions_lead_to_the_tensor_inputs():
    x = leaf([1.0])
    y = MulConstant.apply(x, 4.0)
    ((node, zero),) = y.grad_fn.next_functions
    assert isinstance(node, AccumulateGrad) and node.variable is x and zero == 0


def test_nothing_is_recorded_when_no_input_requires_grad():
    y = Exp.apply(tg.tensor([1.0]))
    assert y.grad_fn is None and not y.requires_grad


def test_nothing_is_recorded_under_no_grad():
    with tg.no_grad():
        y = Exp.apply(leaf([1.0]))
    assert y.grad_fn is None and not y.requires_grad


def test_forward_runs_with_grad_mode_off_on_inputs_that_require_grad():
    seen = []

    class Probe(Identity):
        @staticmethod
        def forward(ctx, x):
            seen.append((tg.is_grad_enabled(), x.requires_grad))
            return x * 2

    Probe.apply(leaf([1.0]))
    assert seen == [(False, True)]


@pytest.mark.parametrize("create_graph", [False, True])
def test_backward_runs_with_grad_mode_on_only_when_creating_a_graph(create_graph):
    seen = []

    class Probe(Identity):
        @staticmethod
        def backward(ctx, grad_output):
            seen.append(tg.is_grad_enabled())
            return grad_output

    x = leaf([1.0])
    tg.autograd.grad(Probe.apply(x).sum(), x, create_graph=create_graph)
    assert seen == [create_graph]


def test_returning_an_input_gives_a_new_tensor_on_the_same_array():
    x = leaf([1.0, 2.0])
    y = Identity.apply(x)
    assert y is not x and y.grad_fn.name() == "IdentityBackward"
    assert np.shares_memory(y.numpy(), x.numpy())


def test_needs_input_grad_says_which_arguments_need_a_gradient():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b, k):
            seen.append(ctx.needs_input_grad)
            return a * b * k

        @staticmethod
        def backward(ctx, grad_output):
            return None, None, None

    Probe.apply(leaf([1.0]), tg.tensor([2.0]), 3.0)
    assert seen == [(True, False, False)]


def test_keyword_arguments_reach_forward_and_get_no_gradient():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, *, factor=1.0):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.factor

    x = leaf([1.0, 2.0])
    Scale.apply(x, factor=3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_a_keyword_tensor_that_requires_grad_is_refused():
    class Add(Function):
        @staticmethod
        def forward(ctx, x, *, other):
            return x + other

    with pytest.raises(RuntimeError, match="keyword argument 'other' requires grad"):
        Add.apply(leaf([1.0]), other=leaf([2.0]))


def test_vjp_may_be_defined_instead_of_backward():
    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def vjp(ctx, grad_output):
            return grad_output * 2

    x = leaf([1.0])
    Double.apply(x).sum().backward()
    assert x.grad.item() == 2.0


def test_non_tensor_outputs_pass_through():
    class WithCount(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x.numel()

        @staticmethod
        def backward(ctx, grad_output, grad_count):
            assert grad_count is None
            return grad_output * 2

    x = leaf([1.0, 2.0])
    y, count = WithCount.apply(x)
    assert count == 2
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


# ------------------------------------------------------------------ several outputs


def test_backward_of_a_two_output_function_runs_once_with_both_gradients():
    calls = []

    class Pair(ProductAndSum):
        @staticmethod
        def backward(ctx, grad_product, grad_sum):
            calls.append((grad_product.numpy().tolist(), grad_sum.numpy().tolist()))
            return ProductAndSum.backward(ctx, grad_product, grad_sum)

    product, total = Pair.apply(leaf([1.0]), leaf([2.0]))
    (product * 3 + total * 5).sum().backward()
    assert calls == [([3.0], [5.0])]


def test_an_unused_output_gets_a_zero_gradient():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    product, _ = ProductAndSum.apply(a, b)
    product.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 4.0])


def test_without_materialized_grads_an_unused_output_gets_none():
    seen = []

    class Pair(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.set_materialize_grads(False)
            return a * 2, a * 3

        @staticmethod
        def backward(ctx, grad_first, grad_second):
            seen.append(grad_second)
            return grad_first * 2

    x = leaf([1.0])
    first, _ = Pair.apply(x)
    first.sum().backward()
    assert seen == [None] and x.grad.item() == 2.0


def test_every_output_names_the_functions_node():
    product, total = ProductAndSum.apply(leaf([1.0]), leaf([2.0]))
    assert product.grad_fn.name() == total.grad_fn.name() == "ProductAndSumBackward"


def test_a_non_differentiable_output_requires_no_grad_and_gets_zeros():
    seen = []

    class MaxAndIndex(Function):
        @staticmethod
        def forward(ctx, x):
            index = tg.tensor(int(x.numpy().argmax()))
            ctx.mark_non_differentiable(index)
            ctx.save_for_backward(x, index)
            return x.max(), index

        @staticmethod
        def backward(ctx, grad_max, grad_index):
            seen.append(grad_index.numpy().tolist())
            x, index = ctx.saved_tensors
            grad = tg.zeros_like(x)
            grad[index.item()] = grad_max
            return grad

    x = leaf([1.0, 5.0, 2.0])
    value, index = MaxAndIndex.apply(x)
    assert value.requires_grad and not index.requires_grad and index.grad_fn is None
    value.backward()
    assert seen == [0]
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0])


# ------------------------------------------------------------------ saved tensors


def test_a_saved_output_keeps_its_history_for_double_backward():
    x = leaf([0.5])
    (first,) = tg.autograd.grad(Exp.apply(x).sum(), x, create_graph=True)
    (second,) = tg.autograd.grad(first.sum(), x)
    np.testing.assert_allclose(second.numpy(), np.exp([0.5]))


def test_a_node_that_saved_its_output_is_freed_with_the_output_without_the_garbage_collector():
    y = Exp.apply(leaf([1.0, 2.0]))
    node = weakref.ref(y.grad_fn)
    gc.disable()
    try:
        del y
        assert node() is None
    finally:
        gc.enable()


def test_saved_variables_is_the_deprecated_name_of_saved_tensors():
    x = leaf([1.0])
    y = LegendrePolynomial3.apply(x)
    with pytest.warns(DeprecationWarning, match="use 'saved_tensors'"):
        (saved,) = y.grad_fn.saved_variables
    assert saved is x


def test_saving_something_other_than_a_tensor_raises_type_error():
    class SavesNumber(Identity):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, None, 3)
            return x

    with pytest.raises(TypeError, match="save_for_backward can only save variables, but argument 2 is of type int"):
        SavesNumber.apply(leaf([1.0]))


def test_none_may_be_saved_and_comes_back_as_none():
    class SavesNone(Identity):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, None)
            return x * 1

    y = SavesNone.apply(leaf([1.0]))
    saved = y.grad_fn.saved_tensors
    assert saved[1] is None and saved[0].shape == (1,)


def test_a_saved_input_changed_in_place_makes_backward_raise():
    a = leaf([1.0, 2.0])
    h = a * 1
    y = LegendrePolynomial3.apply(h)
    with tg.no_grad():
        h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*LegendrePolynomial3Backward"):
        y.sum().backward()


def test_a_saved_output_changed_in_place_makes_backward_raise():
    y = Exp.apply(leaf([1.0, 2.0]))
    loss = y.sum()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_saved_tensors_are_freed_by_backward():
    y = Exp.apply(leaf([1.0]))
    y.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.grad_fn.saved_tensors  # noqa: B018


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0])
    y = Exp.apply(x)
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0]))


# ------------------------------------------------------------------ in place: mark_dirty


class DoubleInPlace(Function):
    """x *= 2, in place."""

    @staticmethod
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 2


def test_a_dirty_input_is_returned_itself_with_the_new_history():
    a = leaf([1.0, 2.0])
    b = a * 1
    c = DoubleInPlace.apply(b)
    assert c is b and b.grad_fn.name() == "DoubleInPlaceBackward"
    np.testing.assert_array_equal(b.numpy(), [2.0, 4.0])
    c.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [2.0, 2.0])


def test_a_leaf_that_requires_grad_cannot_be_dirtied():
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        DoubleInPlace.apply(leaf([1.0]))


def test_an_input_marked_dirty_must_be_returned():
    class Forgets(Identity):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x * 1

    with pytest.raises(RuntimeError, match="marked as dirty during the forward method were not returned"):
        Forgets.apply(leaf([1.0]) * 1)


# ------------------------------------------------------------------ once_differentiable


class NumpyCube(Function):
    """x³ with a backward computed in NumPy: right once, not differentiable again."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return tg.tensor(3 * x.numpy() ** 2 * grad_output.numpy())


def test_once_differentiable_backward_gives_the_first_derivative():
    assert gradcheck(NumpyCube.apply, (leaf([0.5, -1.0, 2.0]),))


def test_once_differentiable_backward_refuses_to_be_differentiated():
    x = leaf([0.5])
    y = NumpyCube.apply(x)
    (grad,) = tg.autograd.grad(y, x, tg.tensor([1.0], dtype=tg.float64, requires_grad=True), create_graph=True)
    with pytest.raises(RuntimeError, match="trying to differentiate twice a function that was marked with "
                                           "@once_differentiable"):
        grad.sum().backward()


# ------------------------------------------------------------------ what backward returns


def test_too_few_gradients_raise_pytorchs_error():
    class Forgets(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    y = Forgets.apply(leaf([1.0]), leaf([2.0]))
    with pytest.raises(RuntimeError, match=re.escape("function ForgetsBackward returned an incorrect number of "
                                                     "gradients (expected 2, got 1)")):
        y.sum().backward()


def test_too_many_gradients_raise_unless_the_extra_are_none():
    class Extra(Identity):
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, grad_output

    with pytest.raises(RuntimeError, match=re.escape("(expected 1, got 2)")):
        Extra.apply(leaf([1.0])).sum().backward()


def test_extra_none_gradients_are_accepted():
    class ExtraNone(Identity):
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, None, None

    x = leaf([1.0])
    ExtraNone.apply(x).sum().backward()
    assert x.grad.item() == 1.0


def test_a_gradient_for_a_number_argument_raises():
    class Wrong(MulConstant):
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, grad_output

    with pytest.raises(RuntimeError, match="returned a gradient different than None at position 2, but the "
                                           "corresponding forward input was not a Variable"):
        Wrong.apply(leaf([1.0]), 2.0).sum().backward()


def test_a_gradient_of_the_wrong_shape_raises_pytorchs_error():
    class Shrinks(Identity):
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output[:1]

    with pytest.raises(RuntimeError, match=re.escape("Function ShrinksBackward returned an invalid gradient at "
                                                     "index 0 - got [1] but expected shape compatible with [3]")):
        Shrinks.apply(leaf([1.0, 2.0, 3.0])).sum().backward()


def test_a_gradient_of_a_broadcast_shape_is_summed_to_the_input():
    class Broadcasts(Identity):
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output.expand(2, 3)

    x = leaf([1.0, 2.0, 3.0])
    Broadcasts.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_a_gradient_of_another_float_dtype_is_cast_to_the_input():
    class Float32Grad(Identity):
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output.astype(np.float32)

    x = leaf([1.0])
    Float32Grad.apply(x).sum().backward()
    assert x.grad.dtype == np.float64


def test_a_gradient_that_is_not_a_tensor_raises_type_error():
    class ReturnsArray(Identity):
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output.numpy()

    with pytest.raises(TypeError, match="returned a ndarray as the gradient of input 0"):
        ReturnsArray.apply(leaf([1.0])).sum().backward()


def test_missing_backward_raises_not_implemented():
    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    with pytest.raises(NotImplementedError, match="You must implement either the backward or vjp method"):
        NoBackward.apply(leaf([1.0])).sum().backward()


def test_missing_forward_raises_not_implemented():
    class NoForward(Function):
        pass

    with pytest.raises(NotImplementedError, match="You must implement the forward function"):
        NoForward.apply(leaf([1.0]))


def test_defining_both_backward_and_vjp_raises():
    with pytest.raises(RuntimeError, match="Implementing both 'backward' and 'vjp'"):

        class Both(Identity):
            @staticmethod
            def vjp(ctx, grad_output):
                return grad_output


# ------------------------------------------------------------------ calling it the wrong way


def test_instantiating_a_function_warns_that_its_methods_are_static():
    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        Exp()


def test_calling_an_instance_raises_the_legacy_function_error():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        instance = Exp()
    with pytest.raises(RuntimeError, match="Legacy autograd function with non-static forward method is deprecated"):
        instance(leaf([1.0]))


def test_calling_forward_directly_without_ctx_raises_type_error():
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        LegendrePolynomial3.forward(leaf([1.0]))
