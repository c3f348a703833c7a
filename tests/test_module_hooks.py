"""Specification of Module hooks, one behaviour per test, with PyTorch's signatures, call order and
errors: forward pre-hooks, forward hooks, full backward pre-hooks and full backward hooks, their
handles, and how they get along with state dicts, deepcopy and summary().

The call orders of the nested models were printed by PyTorch 2.14 for the same models and hooks.
"""

import copy
import warnings
from collections import namedtuple

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn

NO_INPUT_WARNING = "no inputs require gradients"


def linear(in_features=3, out_features=2, seed=0):
    tg.manual_seed(seed)
    return nn.Linear(in_features, out_features)


def inputs(*shape, requires_grad=True, seed=1):
    data = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return tg.tensor(data, requires_grad=requires_grad)


def record_all(log, name, module):
    """Register one hook of each kind that appends `name` and the kind to `log`."""
    module.register_forward_pre_hook(lambda m, args: log.append(f"{name} forward pre"))
    module.register_forward_hook(lambda m, args, output: log.append(f"{name} forward"))
    module.register_full_backward_pre_hook(lambda m, grad_output: log.append(f"{name} backward pre"))
    module.register_full_backward_hook(lambda m, grad_input, grad_output: log.append(f"{name} backward"))


def capture_backward(module):
    """The (grad_input, grad_output) of each backward hook call, in order."""
    calls = []
    module.register_full_backward_hook(lambda m, grad_input, grad_output: calls.append((grad_input, grad_output)))
    return calls


def numpy_of(grads):
    return [None if g is None else g.numpy() for g in grads]


class Scale(nn.Module):
    """forward(a, b, factor) = (a * factor, a + b): two tensor inputs, a number and a tuple output."""

    def forward(self, a, b, factor):
        return a * factor, a + b


class InPlace(nn.Module):
    def forward(self, x):
        x.mul_(2)
        return x


class Failing(nn.Module):
    def forward(self, x):
        raise ValueError("forward failed")


# ------------------------------------------------------------------ forward pre-hooks


def test_a_forward_pre_hook_gets_the_module_and_the_tuple_of_positional_inputs_before_forward():
    layer, x = linear(), inputs(4, 3)
    seen = []
    layer.register_forward_pre_hook(lambda m, args: seen.append((m, args)))
    layer(x)
    assert seen == [(layer, (x,))]


def test_a_forward_pre_hook_returning_a_tuple_replaces_the_positional_inputs():
    layer, x = linear(), inputs(4, 3)
    layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    np.testing.assert_array_equal(layer(x).numpy(), np.broadcast_to(layer.bias.numpy(), (4, 2)))


def test_a_forward_pre_hook_returning_a_single_value_passes_it_as_the_only_input():
    layer, x = linear(), inputs(4, 3)
    layer.register_forward_pre_hook(lambda m, args: args[0] * 0)
    np.testing.assert_array_equal(layer(x).numpy(), np.broadcast_to(layer.bias.numpy(), (4, 2)))


def test_a_forward_pre_hook_with_kwargs_gets_and_replaces_args_and_kwargs():
    seen = []

    def hook(module, args, kwargs):
        seen.append((args, kwargs))
        return (args[0], args[0]), {"factor": 10}

    scale = Scale()
    scale.register_forward_pre_hook(hook, with_kwargs=True)
    a, b = tg.tensor([1.0]), tg.tensor([2.0])
    product, total = scale(a, b, factor=3)
    assert seen == [((a, b), {"factor": 3})]
    assert (product.item(), total.item()) == (10.0, 2.0)


def test_a_forward_pre_hook_with_kwargs_returning_anything_but_a_pair_raises_runtime_error():
    identity = nn.Identity()
    identity.register_forward_pre_hook(lambda m, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"must return None or a tuple of \(new_args, new_kwargs\)"):
        identity(tg.tensor([1.0]))


# ------------------------------------------------------------------ forward hooks


def test_a_forward_hook_gets_the_inputs_and_the_output_of_forward():
    layer, x = linear(), inputs(4, 3)
    seen = []
    layer.register_forward_hook(lambda m, args, output: seen.append((m, args, output)))
    y = layer(x)
    assert len(seen) == 1 and seen[0][0] is layer and seen[0][1] == (x,) and seen[0][2] is y


def test_a_forward_hook_returning_a_value_replaces_the_output():
    layer, x = linear(), inputs(4, 3)
    expected = layer(x).numpy() * 2
    layer.register_forward_hook(lambda m, args, output: output * 2)
    np.testing.assert_allclose(layer(x).numpy(), expected)


def test_a_forward_hook_with_kwargs_gets_the_keyword_arguments_before_the_output():
    seen = []
    scale = Scale()
    scale.register_forward_hook(lambda m, args, kwargs, output: seen.append(kwargs), with_kwargs=True)
    scale(tg.tensor([1.0]), tg.tensor([2.0]), factor=3)
    assert seen == [{"factor": 3}]


def test_an_always_call_forward_hook_runs_with_output_none_when_forward_raises_and_the_error_propagates():
    failing = Failing()
    seen = []
    failing.register_forward_hook(lambda m, args, output: seen.append(("always", output)), always_call=True)
    failing.register_forward_hook(lambda m, args, output: seen.append(("normal", output)))
    with pytest.raises(ValueError, match="forward failed"):
        failing(tg.tensor([1.0]))
    assert seen == [("always", None)]


def test_an_always_call_hook_runs_once_when_a_later_forward_hook_raises():
    layer, x = linear(), inputs(4, 3)
    seen = []
    layer.register_forward_hook(lambda m, args, output: seen.append(output), always_call=True)
    layer.register_forward_hook(lambda m, args, output: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        layer(x)
    assert len(seen) == 1 and isinstance(seen[0], tg.Tensor)


def test_an_error_of_an_always_call_hook_after_a_failing_forward_is_silenced_with_a_warning():
    failing = Failing()
    failing.register_forward_hook(lambda m, args, output: 1 / 0, always_call=True)
    with pytest.raises(ValueError, match="forward failed"), pytest.warns(UserWarning, match="division by zero"):
        failing(tg.tensor([1.0]))


# ------------------------------------------------------------------ order


def test_hooks_of_one_kind_run_in_registration_order_and_prepend_puts_a_hook_first():
    layer, log = linear(), []
    layer.register_forward_hook(lambda m, args, output: log.append("first"))
    layer.register_forward_hook(lambda m, args, output: log.append("second"))
    layer.register_forward_hook(lambda m, args, output: log.append("prepended"), prepend=True)
    layer(inputs(4, 3))
    assert log == ["prepended", "first", "second"]


def test_prepend_puts_a_backward_hook_before_the_others():
    layer, log = linear(), []
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: log.append("first"))
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: log.append("prepended"), prepend=True)
    layer.register_full_backward_pre_hook(lambda m, grad_output: log.append("pre first"))
    layer.register_full_backward_pre_hook(lambda m, grad_output: log.append("pre prepended"), prepend=True)
    layer(inputs(4, 3)).sum().backward()
    assert log == ["pre prepended", "pre first", "prepended", "first"]


def test_a_linear_runs_pre_hooks_forward_hooks_then_backward_pre_hooks_and_backward_hooks():
    layer, log = linear(), []
    record_all(log, "linear", layer)
    layer.register_forward_pre_hook(lambda m, args: log.append("forward runs after this"))
    y = layer(inputs(4, 3))
    log.append("backward starts")
    y.sum().backward()
    assert log == ["linear forward pre", "forward runs after this", "linear forward", "backward starts",
                   "linear backward pre", "linear backward"]


def test_nested_modules_run_hooks_in_pytorchs_order_when_the_input_requires_grad():
    first, second, log = linear(3, 4), linear(4, 2), []
    model = nn.Sequential(first, second)
    record_all(log, "model", model)
    record_all(log, "first", first)
    record_all(log, "second", second)
    model(inputs(5, 3)).sum().backward()
    assert log == ["model forward pre", "first forward pre", "first forward", "second forward pre",
                   "second forward", "model forward",
                   "model backward pre", "second backward pre", "second backward", "first backward pre",
                   "first backward", "model backward"]


def test_nested_modules_run_the_outer_backward_hook_first_when_no_input_requires_grad():
    first, second, log = linear(3, 4), linear(4, 2), []
    model = nn.Sequential(first, second)
    record_all(log, "model", model)
    record_all(log, "first", first)
    record_all(log, "second", second)
    y = model(inputs(5, 3, requires_grad=False))
    with pytest.warns(UserWarning, match=NO_INPUT_WARNING):
        y.sum().backward()
    assert log[6:] == ["model backward pre", "model backward", "second backward pre", "second backward",
                       "first backward pre", "first backward"]


def test_a_module_called_twice_runs_its_hooks_once_per_call():
    layer, log = linear(3, 3), []
    record_all(log, "linear", layer)
    layer(layer(inputs(4, 3))).sum().backward()
    assert log == ["linear forward pre", "linear forward"] * 2 + ["linear backward pre", "linear backward"] * 2


# ------------------------------------------------------------------ backward hook values


def test_a_linear_backward_hook_gets_the_gradients_of_its_input_and_its_output():
    layer, x = linear(), inputs(4, 3)
    calls = capture_backward(layer)
    upstream = np.random.default_rng(2).standard_normal((4, 2)).astype(np.float32)
    layer(x).backward(tg.tensor(upstream))
    [(grad_input, grad_output)] = calls
    np.testing.assert_allclose(grad_output[0].numpy(), upstream)
    np.testing.assert_allclose(grad_input[0].numpy(), upstream @ layer.weight.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(grad_input[0].numpy(), x.grad.numpy())


def test_a_backward_pre_hook_gets_the_gradient_of_the_output():
    layer, seen = linear(), []
    layer.register_full_backward_pre_hook(lambda m, grad_output: seen.append(grad_output))
    layer(inputs(4, 3)).backward(tg.full((4, 2), 3.0))
    assert len(seen) == 1 and len(seen[0]) == 1
    np.testing.assert_array_equal(seen[0][0].numpy(), np.full((4, 2), 3.0))


def test_returning_a_new_grad_input_replaces_the_gradient_of_the_input_only():
    layer, x = linear(), inputs(4, 3)
    layer(x).sum().backward()
    weight_grad = layer.weight.grad.numpy()
    layer.zero_grad()
    x.grad = None
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: (grad_input[0] * 10,))
    layer(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 10 * np.ones((4, 2), np.float32) @ layer.weight.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(layer.weight.grad.numpy(), weight_grad)


def test_each_backward_hook_gets_the_grad_input_the_previous_one_returned():
    layer, seen = linear(), []
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: (tg.ones(4, 3),))
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: seen.append(grad_input[0].numpy()))
    layer(inputs(4, 3)).sum().backward()
    np.testing.assert_array_equal(seen[0], np.ones((4, 3)))


def test_returning_a_new_grad_output_from_a_pre_hook_changes_every_gradient_below_and_what_the_hook_sees():
    layer, x = linear(), inputs(4, 3)
    calls = capture_backward(layer)
    layer.register_full_backward_pre_hook(lambda m, grad_output: (grad_output[0] * 2,), prepend=True)
    layer(x).sum().backward()
    twos = np.full((4, 2), 2.0, np.float32)
    np.testing.assert_array_equal(calls[0][1][0].numpy(), twos)
    np.testing.assert_allclose(x.grad.numpy(), twos @ layer.weight.numpy(), rtol=1e-6)
    np.testing.assert_allclose(layer.weight.grad.numpy(), twos.T @ x.numpy(), rtol=1e-6)


def test_a_sequentials_hooks_get_the_gradients_of_its_input_and_output_and_each_layers():
    first, second = linear(3, 4), linear(4, 2, seed=1)
    model = nn.Sequential(first, nn.Tanh(), second)
    calls = {name: capture_backward(module) for name, module in [("model", model), ("first", first),
                                                                  ("second", second)]}
    x, hidden_grad = inputs(5, 3), []

    def keep_gradient_of_output(module, args, output):
        output.register_hook(hidden_grad.append)

    first.register_forward_hook(keep_gradient_of_output)
    model(x).backward(tg.ones(5, 2))
    (model_in, model_out), = calls["model"]
    (first_in, first_out), = calls["first"]
    (second_in, second_out), = calls["second"]
    np.testing.assert_array_equal(model_in[0].numpy(), x.grad.numpy())
    np.testing.assert_array_equal(first_in[0].numpy(), x.grad.numpy())
    np.testing.assert_array_equal(model_out[0].numpy(), np.ones((5, 2)))
    np.testing.assert_array_equal(second_out[0].numpy(), np.ones((5, 2)))
    np.testing.assert_allclose(second_in[0].numpy(), np.ones((5, 2), np.float32) @ second.weight.numpy(), rtol=1e-6)
    np.testing.assert_allclose(first_out[0].numpy(), hidden_grad[0].numpy())


def test_a_linear_used_twice_gets_each_calls_own_gradients():
    layer, x = linear(3, 3), inputs(4, 3)
    calls = capture_backward(layer)
    hidden = layer(x)
    hidden.retain_grad()
    layer(hidden).backward(tg.ones(4, 3))
    (second_in, second_out), (first_in, first_out) = calls
    np.testing.assert_array_equal(second_out[0].numpy(), np.ones((4, 3)))
    np.testing.assert_array_equal(second_in[0].numpy(), hidden.grad.numpy())
    np.testing.assert_array_equal(first_out[0].numpy(), hidden.grad.numpy())
    np.testing.assert_array_equal(first_in[0].numpy(), x.grad.numpy())


def test_grad_input_is_none_for_arguments_that_are_not_tensors_requiring_grad():
    scale = Scale()
    calls = capture_backward(scale)
    a, b = tg.tensor([1.0, 2.0], requires_grad=True), tg.tensor([3.0, 4.0])
    product, total = scale(a, b, 5.0)
    (product + total).sum().backward()
    [(grad_input, grad_output)] = calls
    assert len(grad_input) == 3 and grad_input[1] is None and grad_input[2] is None
    np.testing.assert_array_equal(grad_input[0].numpy(), [6.0, 6.0])


def test_an_input_forward_does_not_use_gets_a_zero_gradient_as_in_pytorch():
    class FirstOnly(nn.Module):
        def forward(self, a, b):
            return a * 2

    module = FirstOnly()
    calls = capture_backward(module)
    a, b = tg.ones(2, requires_grad=True), tg.ones(2, requires_grad=True)
    module(a, b).sum().backward()
    assert numpy_of(calls[0][0])[1].tolist() == [0.0, 0.0]
    assert b.grad.tolist() == [0.0, 0.0]


def test_each_tuple_output_gets_its_gradient_and_an_output_without_one_gets_none():
    scale = Scale()
    calls = capture_backward(scale)
    pre = []
    scale.register_full_backward_pre_hook(lambda m, grad_output: pre.append(grad_output))
    a, b = tg.ones(2, requires_grad=True), tg.ones(2, requires_grad=True)
    product, total = scale(a, b, 3.0)
    product.sum().backward()
    assert pre[0][0].tolist() == [1.0, 1.0] and pre[0][1] is None
    [(grad_input, grad_output)] = calls
    assert grad_output[1] is None
    assert numpy_of(grad_input)[:2] == [pytest.approx([3.0, 3.0]), pytest.approx([0.0, 0.0])]


def test_a_named_tuple_output_keeps_its_type():
    Pair = namedtuple("Pair", ["left", "right"])

    class Split(nn.Module):
        def forward(self, x):
            return Pair(x * 1, x * 2)

    split = Split()
    split.register_full_backward_hook(lambda m, grad_input, grad_output: None)
    output = split(tg.ones(2, requires_grad=True))
    assert type(output) is Pair and output.right.tolist() == [2.0, 2.0]


def test_without_an_input_requiring_grad_the_backward_hook_runs_at_the_outputs_with_grad_input_none_and_warns():
    layer = linear()
    calls = capture_backward(layer)
    y = layer(inputs(4, 3, requires_grad=False))
    with pytest.warns(UserWarning, match=NO_INPUT_WARNING):
        y.sum().backward()
    [(grad_input, grad_output)] = calls
    assert grad_input == (None,)
    np.testing.assert_array_equal(grad_output[0].numpy(), np.ones((4, 2)))
    assert layer.weight.grad is not None


def test_gradients_through_a_hooked_module_can_be_differentiated_again():
    layer, x = linear(), inputs(4, 3, seed=3)
    reference, = tg.autograd.grad((layer(x) ** 2).sum(), x, create_graph=True)
    reference.sum().backward()
    expected = x.grad.numpy()
    x.grad = None
    layer.zero_grad()
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: None)
    grad_x, = tg.autograd.grad((layer(x) ** 2).sum(), x, create_graph=True)
    np.testing.assert_array_equal(grad_x.numpy(), reference.numpy())
    grad_x.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)


def test_a_second_backward_through_a_retained_graph_runs_the_hooks_again():
    layer, log = linear(), []
    record_all(log, "linear", layer)
    y = layer(inputs(4, 3)).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert log[2:] == ["linear backward pre", "linear backward"] * 2


def test_under_no_grad_a_module_with_backward_hooks_records_nothing():
    layer, log = linear(), []
    record_all(log, "linear", layer)
    with tg.no_grad():
        y = layer(inputs(4, 3))
    assert y.grad_fn is None and log == ["linear forward pre", "linear forward"]


def test_a_module_with_backward_hooks_gives_the_same_output_and_gradients_as_without():
    layer, x = linear(), inputs(4, 3)
    y = layer(x)
    y.sum().backward()
    expected = y.numpy().copy(), x.grad.numpy(), layer.weight.grad.numpy()
    x.grad = None
    layer.zero_grad()
    capture_backward(layer)
    layer.register_full_backward_pre_hook(lambda m, grad_output: None)
    y = layer(x)
    y.sum().backward()
    for got, want in zip((y.numpy(), x.grad.numpy(), layer.weight.grad.numpy()), expected):
        np.testing.assert_array_equal(got, want)


# ------------------------------------------------------------------ errors


def test_a_backward_hook_returning_the_wrong_number_of_gradients_raises_runtime_error():
    layer = linear()
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: (grad_input[0], grad_input[0]))
    with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of grad_input, got 2, "
                                           "but expected 1"):
        layer(inputs(4, 3)).sum().backward()


def test_a_backward_pre_hook_returning_the_wrong_number_of_gradients_raises_runtime_error():
    layer = linear()
    layer.register_full_backward_pre_hook(lambda m, grad_output: (grad_output[0], grad_output[0]))
    with pytest.raises(RuntimeError, match="Backward pre hook returned an invalid number of grad_output, got 2, "
                                           "but expected 1"):
        layer(inputs(4, 3)).sum().backward()


def test_a_backward_hook_returning_a_gradient_of_another_shape_raises_runtime_error():
    layer = linear()
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: (tg.ones(3),))
    with pytest.raises(RuntimeError, match=r"grad_input\[0\] of shape \(3,\).*expected shape \(4, 3\)"):
        layer(inputs(4, 3)).sum().backward()


def test_a_backward_hook_returning_a_tensor_instead_of_a_tuple_raises_type_error():
    layer = linear()
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: grad_input[0])
    with pytest.raises(TypeError, match="must return None or a tuple of gradients"):
        layer(inputs(4, 3)).sum().backward()


def test_a_backward_hook_returning_gradients_when_no_input_requires_grad_raises_runtime_error():
    layer = linear()
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: (tg.ones(4, 3),))
    y = layer(inputs(4, 3, requires_grad=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="no input requires gradient should always return None"):
            y.sum().backward()


def test_modifying_an_input_in_place_in_a_module_with_a_backward_hook_raises_runtime_error():
    module = InPlace()
    module.register_full_backward_hook(lambda m, grad_input, grad_output: None)
    with pytest.raises(RuntimeError, match="input 0 of InPlace, a module with backward hooks, was modified in place"):
        module(inputs(2) * 1)


def test_changing_the_output_in_place_keeps_the_hooks_and_gradients_right():
    layer, x = linear(), inputs(4, 3)
    calls = capture_backward(layer)
    y = layer(x)
    y.mul_(3)
    y.sum().backward()
    threes = np.full((4, 2), 3.0, np.float32)
    np.testing.assert_array_equal(calls[0][1][0].numpy(), threes)
    np.testing.assert_allclose(x.grad.numpy(), threes @ layer.weight.numpy(), rtol=1e-6)


# ------------------------------------------------------------------ handles


@pytest.mark.parametrize("register", [
    lambda m, log: m.register_forward_pre_hook(lambda *a: log.append("hook")),
    lambda m, log: m.register_forward_hook(lambda *a: log.append("hook")),
    lambda m, log: m.register_full_backward_pre_hook(lambda *a: log.append("hook")),
    lambda m, log: m.register_full_backward_hook(lambda *a: log.append("hook")),
], ids=["forward_pre", "forward", "backward_pre", "backward"])
def test_removing_the_handle_removes_the_hook(register):
    layer, log = linear(), []
    register(layer, log).remove()
    layer(inputs(4, 3)).sum().backward()
    assert log == [] and not layer._hooks


def test_a_handle_used_as_a_context_manager_removes_its_hook_on_exit():
    layer, log = linear(), []
    with layer.register_forward_hook(lambda m, args, output: log.append("inside")):
        layer(inputs(4, 3))
    layer(inputs(4, 3))
    assert log == ["inside"]


def test_a_hook_that_removes_itself_runs_once_and_the_other_hooks_still_run():
    layer, log = linear(), []
    handle = layer.register_forward_hook(lambda m, args, output: (log.append("once"), handle.remove()))
    layer.register_forward_hook(lambda m, args, output: log.append("always"))
    layer(inputs(4, 3))
    layer(inputs(4, 3))
    assert log == ["once", "always", "always"]


# ------------------------------------------------------------------ state dicts, deepcopy, summary


def test_state_dict_and_load_state_dict_ignore_hooks_and_call_none():
    model, log = nn.Sequential(linear(3, 4), nn.ReLU(), linear(4, 2)), []
    keys = list(model.state_dict())
    for module in model.modules():
        record_all(log, "module", module)
    assert list(model.state_dict()) == keys
    model.load_state_dict({key: value.numpy() * 0 for key, value in model.state_dict().items()})
    assert log == [] and not model[0].weight.numpy().any()


def test_deepcopy_keeps_the_hooks_and_the_originals_handle_removes_only_the_originals():
    layer, log = linear(), []
    handle = layer.register_forward_hook(lambda m, args, output: log.append(m))
    clone = copy.deepcopy(layer)
    handle.remove()
    layer(inputs(4, 3))
    clone(inputs(4, 3))
    assert len(log) == 1 and log[0] is clone


def test_after_deepcopy_a_hook_bound_to_a_module_is_bound_to_the_copy():
    class Counting(nn.Linear):
        calls = 0

        def count(self, module, args, output):
            self.calls += 1

    tg.manual_seed(0)
    layer = Counting(3, 2)
    layer.register_forward_hook(layer.count)
    clone = copy.deepcopy(layer)
    clone(inputs(4, 3))
    assert (layer.calls, clone.calls) == (0, 1)


def test_summary_of_a_hooked_model_works_and_its_forward_hooks_fire_once_per_call():
    model, log = nn.Sequential(linear(3, 4), nn.ReLU(), linear(4, 2)), []
    for index, module in enumerate(model.modules()):
        record_all(log, str(index), module)
    table = model.summary((5, 3))
    assert [row.output_shapes for row in table.rows] == [((5, 2),), ((5, 4),), ((5, 4),), ((5, 2),)]
    assert log == ["0 forward pre", "1 forward pre", "1 forward", "2 forward pre", "2 forward", "3 forward pre",
                   "3 forward", "0 forward"]


def test_hooks_still_fire_after_summary():
    model, log = nn.Sequential(linear(3, 4), nn.ReLU(), linear(4, 2)), []
    record_all(log, "first", model[0])
    model.summary((5, 3))
    log.clear()
    model(inputs(5, 3)).sum().backward()
    assert log == ["first forward pre", "first forward", "first backward pre", "first backward"]
