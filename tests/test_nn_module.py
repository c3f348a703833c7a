"""Specification of the nn.Module machinery, one behaviour per test, with PyTorch's semantics.

Registration by assignment, traversal (named_parameters, modules, ...), state dicts and
load_state_dict, train/eval, zero_grad, dtype conversion, repr (compared with the text
PyTorch 2.13 prints for the same model, pasted here), Linear's default init, nn.init and
nn.utils.clip_grad_norm_. Literal numbers marked "PyTorch" were printed by PyTorch 2.13.
"""

import copy
import math

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn


def parameter(*shape, dtype=np.float32, fill=None):
    rng = np.random.default_rng(sum(shape) + len(shape))
    data = rng.standard_normal(shape).astype(dtype) if fill is None else np.full(shape, fill, dtype=dtype)
    return nn.Parameter(data)


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def mlp_with_batchnorm():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


# ------------------------------------------------------------------ registration by assignment


def test_assigning_a_parameter_registers_it_under_the_attribute_name():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = parameter(2, 3)

    m = M()
    assert [name for name, _ in m.named_parameters()] == ["w"]
    assert next(m.parameters()) is m.w


def test_assigning_a_module_registers_it_as_a_child_with_dotted_parameter_names():
    m = TwoLayer()
    assert [name for name, _ in m.named_children()] == ["fc1", "act", "fc2"]
    assert [name for name, _ in m.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def test_module_list_registers_its_modules_under_their_indices():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)])

    assert list(M().state_dict()) == ["blocks.0.weight", "blocks.0.bias", "blocks.2.weight", "blocks.2.bias"]


def test_module_dict_registers_its_modules_under_their_keys_in_insertion_order():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = nn.ModuleDict({"b": nn.Linear(2, 1), "a": nn.Linear(2, 3)})

    assert list(M().state_dict()) == ["heads.b.weight", "heads.b.bias", "heads.a.weight", "heads.a.bias"]


def test_a_plain_python_list_of_modules_is_not_registered():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(2, 2), nn.Linear(2, 2)]

    m = M()
    assert list(m.parameters()) == []
    assert m.state_dict() == {}
    assert list(m.children()) == []
    assert len(m.layers) == 2  # still an ordinary attribute


def test_a_plain_dict_of_modules_is_not_registered():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = {"a": nn.Linear(2, 2)}

    assert list(M().parameters()) == []


def test_a_plain_tensor_attribute_is_neither_a_parameter_nor_a_buffer():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.t = tg.ones(3)

    m = M()
    assert list(m.parameters()) == [] and list(m.buffers()) == [] and m.state_dict() == {}


def test_reassigning_a_parameter_to_none_unregisters_it():
    m = nn.Linear(2, 3)
    m.bias = None
    assert m.bias is None
    assert [name for name, _ in m.named_parameters()] == ["weight"]
    assert list(m.state_dict()) == ["weight"]


def test_reassigning_a_child_to_none_unregisters_it():
    m = TwoLayer()
    m.fc2 = None
    assert m.fc2 is None
    assert [name for name, _ in m.named_children()] == ["fc1", "act"]
    assert list(m.state_dict()) == ["fc1.weight", "fc1.bias"]


def test_reassigning_a_parameter_replaces_it():
    m = nn.Linear(2, 3)
    new = parameter(3, 2)
    m.weight = new
    assert m.weight is new
    assert dict(m.named_parameters())["weight"] is new


def test_reassigning_a_child_keeps_its_position_in_the_state_dict():
    # PyTorch replaces the entry in place (fine-tuning code does `model.fc1 = nn.Linear(...)`).
    m = TwoLayer()
    m.fc1 = nn.Linear(3, 4)
    assert list(m.state_dict()) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def test_reassigning_a_parameter_keeps_its_position_in_the_state_dict():
    m = nn.Linear(2, 3)
    m.weight = parameter(3, 2)
    assert list(m.state_dict()) == ["weight", "bias"]


def test_module_list_setitem_keeps_the_order_of_the_modules():
    layers = nn.ModuleList([nn.Linear(1, 1), nn.ReLU(), nn.Tanh()])
    layers[0] = nn.Sigmoid()
    assert [type(m).__name__ for m in layers] == ["Sigmoid", "ReLU", "Tanh"]


def test_deleting_a_registered_attribute_unregisters_it():
    m = nn.Linear(2, 3)
    del m.bias
    assert list(m.state_dict()) == ["weight"]
    with pytest.raises(AttributeError):
        m.bias  # noqa: B018


def test_assigning_a_parameter_before_super_init_raises_attribute_error():
    class Early(nn.Module):
        def __init__(self):
            self.w = parameter(1)
            super().__init__()

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Early()


def test_assigning_a_module_before_super_init_raises_attribute_error():
    class Early(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)
            super().__init__()

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Early()


def test_register_buffer_before_super_init_raises_attribute_error():
    class Early(nn.Module):
        def __init__(self):
            self.register_buffer("b", tg.ones(1))
            super().__init__()

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Early()


def test_assigning_a_number_to_a_parameter_name_raises_type_error():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"cannot assign 'int' as parameter 'weight'"):
        m.weight = 3


def test_assigning_a_plain_tensor_to_a_parameter_name_raises_type_error():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"as parameter 'weight'"):
        m.weight = tg.ones(2, 2)
    assert isinstance(m.weight, nn.Parameter)


def test_assigning_a_plain_tensor_to_the_bias_of_a_linear_without_bias_raises_type_error():
    # PyTorch registers the absent bias as a None parameter, so this is rejected as above.
    m = nn.Linear(2, 2, bias=False)
    with pytest.raises(TypeError, match=r"as parameter 'bias'"):
        m.bias = tg.ones(2)


def test_assigning_a_non_module_to_a_child_name_raises_type_error():
    m = nn.Sequential(nn.Linear(1, 1))
    with pytest.raises(TypeError, match=r"cannot assign 'int' as child module '0'"):
        setattr(m, "0", 3)


def test_assigning_a_non_tensor_to_a_buffer_name_raises_type_error():
    m = nn.BatchNorm1d(3)
    with pytest.raises(TypeError, match=r"cannot assign 'list' as buffer 'running_mean'"):
        m.running_mean = [1.0, 2.0, 3.0]


def test_register_buffer_rejects_a_non_tensor():
    with pytest.raises(TypeError, match=r"'list'"):
        nn.Module().register_buffer("b", [1.0])


def test_register_parameter_rejects_a_plain_tensor():
    with pytest.raises(TypeError, match=r"parameter 'p'"):
        nn.Module().register_parameter("p", tg.ones(1))


def test_add_module_rejects_a_non_module():
    with pytest.raises(TypeError, match="is not a Module subclass"):
        nn.Module().add_module("m", 3)


@pytest.mark.parametrize("name", ["a.b", ""])
def test_register_buffer_rejects_an_empty_or_dotted_name(name):
    with pytest.raises(KeyError):
        nn.Module().register_buffer(name, tg.ones(1))


def test_register_buffer_rejects_the_name_of_an_existing_attribute():
    with pytest.raises(KeyError, match="already exists"):
        nn.BatchNorm1d(3).register_buffer("eps", tg.ones(1))


def test_register_parameter_and_add_module_register_by_name():
    m = nn.Module()
    p = parameter(2)
    m.register_parameter("p", p)
    m.add_module("child", nn.Linear(2, 1))
    assert m.p is p
    assert list(m.state_dict()) == ["p", "child.weight", "child.bias"]


def test_register_parameter_none_registers_nothing_in_the_state_dict():
    m = nn.Module()
    m.register_parameter("p", None)
    assert m.p is None
    assert m.state_dict() == {} and list(m.parameters()) == []


# ------------------------------------------------------------------ traversal


def test_named_parameters_follow_registration_order_depth_first():
    m = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert [n for n, _ in m.named_parameters()] == ["0.weight", "0.bias", "1.1.weight", "1.1.bias"]


def test_named_parameters_prefix_and_recurse_false():
    m = nn.Linear(2, 2)
    assert [n for n, _ in m.named_parameters(prefix="fc")] == ["fc.weight", "fc.bias"]
    assert [n for n, _ in TwoLayer().named_parameters(recurse=False)] == []


def test_named_parameters_yields_a_shared_parameter_once():
    m = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    m[1].weight = m[0].weight
    assert [n for n, _ in m.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    assert len(list(m.parameters())) == 3


def test_a_shared_module_contributes_its_parameters_once():
    shared = nn.Linear(2, 2)
    m = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in m.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in m.named_modules()] == ["", "0", "1"]


def test_named_parameters_remove_duplicate_false_yields_every_occurrence():
    shared = nn.Linear(2, 2)
    m = nn.Sequential(shared, shared)
    names = [n for n, _ in m.named_parameters(remove_duplicate=False)]
    assert names == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_state_dict_keeps_every_key_of_tied_parameters():
    m = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    m[1].weight = m[0].weight
    sd = m.state_dict()
    assert sorted(sd) == ["0.bias", "0.weight", "1.bias", "1.weight"]
    assert np.shares_memory(sd["0.weight"].numpy(), sd["1.weight"].numpy())


def test_children_are_the_direct_children_only():
    m = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    assert [type(c).__name__ for c in m.children()] == ["Linear", "Sequential"]


def test_named_modules_starts_with_self_and_goes_depth_first():
    m = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    assert [n for n, _ in m.named_modules()] == ["", "0", "1", "1.0"]
    assert next(m.modules()) is m


def test_get_submodule_follows_a_dotted_path():
    m = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU(), nn.Tanh()))
    assert m.get_submodule("1.1") is m[1][1]
    assert m.get_submodule("") is m


def test_get_submodule_raises_attribute_error_for_a_missing_name():
    with pytest.raises(AttributeError):
        nn.Sequential(nn.Linear(1, 1)).get_submodule("0.nope")


def test_apply_visits_children_before_the_module_and_returns_it():
    m = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    visited = []
    assert m.apply(lambda module: visited.append(module)) is m
    assert visited == [m[0], m[1][0], m[1], m]


def test_apply_can_reinitialise_every_linear():
    m = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2))

    def init(module):
        if isinstance(module, nn.Linear):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)

    m.apply(init)
    assert all(np.all(p.numpy() == (1 if name.endswith("weight") else 0)) for name, p in m.named_parameters())


def test_buffers_include_non_persistent_buffers():
    m = nn.Module()
    m.register_buffer("kept", tg.ones(1))
    m.register_buffer("scratch", tg.zeros(1), persistent=False)
    assert [n for n, _ in m.named_buffers()] == ["kept", "scratch"]


# ------------------------------------------------------------------ state_dict


def test_batchnorm1d_state_dict_keys_are_pytorchs():
    assert list(nn.BatchNorm1d(3).state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                                    "num_batches_tracked"]


def test_num_batches_tracked_is_an_int64_scalar():
    value = nn.BatchNorm1d(3).state_dict()["num_batches_tracked"]
    assert value.shape == () and value.dtype == np.int64 and value.item() == 0


def test_state_dict_lists_own_parameters_then_buffers_then_children():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.child = nn.Linear(1, 1)
            self.register_buffer("buf", tg.zeros(1))
            self.w = parameter(1)
            self.late = nn.BatchNorm1d(1)

    assert list(M().state_dict()) == ["w", "buf", "child.weight", "child.bias", "late.weight", "late.bias",
                                      "late.running_mean", "late.running_var", "late.num_batches_tracked"]


def test_state_dict_of_a_sequential_uses_index_keys():
    assert list(mlp_with_batchnorm().state_dict()) == [
        "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
        "3.weight", "3.bias"]


def test_state_dict_excludes_non_persistent_buffers():
    m = nn.Module()
    m.register_buffer("kept", tg.ones(1))
    m.register_buffer("scratch", tg.zeros(1), persistent=False)
    assert list(m.state_dict()) == ["kept"]


def test_state_dict_values_are_detached():
    for value in TwoLayer().state_dict().values():
        assert not value.requires_grad and value.grad_fn is None
        assert not isinstance(value, nn.Parameter)


def test_state_dict_values_share_memory_with_the_module():
    m = nn.Linear(2, 3)
    sd = m.state_dict()
    assert np.shares_memory(sd["weight"].numpy(), m.weight.numpy())
    m.weight.data[0, 0] = 42.0
    assert sd["weight"].numpy()[0, 0] == 42.0


def test_state_dict_keep_vars_returns_the_parameters_themselves():
    m = nn.Linear(2, 3)
    sd = m.state_dict(keep_vars=True)
    assert sd["weight"] is m.weight and sd["bias"] is m.bias


# ------------------------------------------------------------------ load_state_dict


def shifted_state(model, shift=1.0):
    return {k: v.numpy() + (shift if v.dtype.kind == "f" else 1) for k, v in model.state_dict().items()}


def snapshot(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def test_load_state_dict_copies_every_value():
    src, dst = mlp_with_batchnorm(), mlp_with_batchnorm()
    src(tg.randn(5, 3))  # training pass: non-trivial buffers
    dst.load_state_dict(src.state_dict())
    for key, value in dst.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), src.state_dict()[key].numpy(), err_msg=key)


def test_load_state_dict_makes_outputs_equal():
    src, dst = TwoLayer(), TwoLayer()
    dst.load_state_dict(src.state_dict())
    x = tg.randn(4, 3)
    np.testing.assert_array_equal(dst(x).numpy(), src(x).numpy())


def test_load_state_dict_accepts_numpy_arrays():
    m = nn.Linear(2, 3)
    state = {"weight": np.arange(6, dtype=np.float32).reshape(3, 2), "bias": np.ones(3, dtype=np.float32)}
    m.load_state_dict(state)
    np.testing.assert_array_equal(m.weight.numpy(), state["weight"])
    np.testing.assert_array_equal(m.bias.numpy(), state["bias"])


def test_load_state_dict_keeps_the_parameter_objects_and_their_arrays():
    m = nn.Linear(2, 3)
    weight, array = m.weight, m.weight.numpy()
    m.load_state_dict(shifted_state(m))
    assert m.weight is weight and m.weight.numpy() is array


def test_load_state_dict_copies_instead_of_aliasing_the_source():
    m = nn.Linear(2, 3)
    state = shifted_state(m)
    m.load_state_dict(state)
    state["weight"][...] = 0
    assert np.any(m.weight.numpy() != 0)


def test_load_state_dict_keeps_the_float32_dtype_of_the_target():
    m = nn.Linear(2, 3)
    state = {"weight": np.full((3, 2), 1 / 3, dtype=np.float64), "bias": np.zeros(3, dtype=np.float64)}
    m.load_state_dict(state)
    assert m.weight.dtype == np.float32 and m.bias.dtype == np.float32
    np.testing.assert_array_equal(m.weight.numpy(), np.float32(1 / 3))


def test_load_state_dict_keeps_the_int64_dtype_of_num_batches_tracked():
    bn = nn.BatchNorm1d(2)
    state = {k: v.numpy() for k, v in bn.state_dict().items()}
    state["num_batches_tracked"] = np.array(7, dtype=np.int32)
    bn.load_state_dict(state)
    assert bn.num_batches_tracked.dtype == np.int64 and bn.num_batches_tracked.item() == 7


def test_load_state_dict_strict_success_returns_empty_key_lists():
    m = TwoLayer()
    result = m.load_state_dict(m.state_dict())
    assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []


def test_load_state_dict_strict_error_lists_every_missing_unexpected_and_mismatched_key():
    m = mlp_with_batchnorm()
    state = shifted_state(m)
    del state["1.running_var"], state["3.bias"]
    state["extra"] = np.ones(1)
    state["1.foo"] = np.ones(1)
    state["0.weight"] = np.ones((5, 3))
    state["3.weight"] = np.ones((2, 5))
    with pytest.raises(RuntimeError) as error:
        m.load_state_dict(state)
    message = str(error.value)
    assert message.startswith("Error(s) in loading state_dict for Sequential")
    for key in ("1.running_var", "3.bias", "extra", "1.foo"):
        assert f'"{key}"' in message, key
    assert "Missing key(s)" in message and "Unexpected key(s)" in message
    assert "size mismatch for 0.weight" in message and "size mismatch for 3.weight" in message
    assert "(5, 3)" in message and "(4, 3)" in message


def test_load_state_dict_modifies_nothing_when_it_raises():
    m = mlp_with_batchnorm()
    before = snapshot(m)
    state = shifted_state(m)
    state["3.weight"] = np.ones((2, 5))  # a mismatch in the last layer, after the others would be copied
    with pytest.raises(RuntimeError):
        m.load_state_dict(state)
    for key, value in snapshot(m).items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)


def test_load_state_dict_modifies_nothing_when_a_key_is_missing():
    m = mlp_with_batchnorm()
    before = snapshot(m)
    state = shifted_state(m)
    del state["3.bias"]
    with pytest.raises(RuntimeError, match="3.bias"):
        m.load_state_dict(state)
    for key, value in snapshot(m).items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)


def test_load_state_dict_non_strict_returns_missing_and_unexpected_keys():
    m = TwoLayer()
    state = shifted_state(m)
    del state["fc1.bias"]
    state["zz"] = np.ones(1)
    missing, unexpected = m.load_state_dict(state, strict=False)
    assert list(missing) == ["fc1.bias"] and list(unexpected) == ["zz"]
    result = m.load_state_dict(state, strict=False)
    assert list(result.missing_keys) == ["fc1.bias"] and list(result.unexpected_keys) == ["zz"]


def test_load_state_dict_non_strict_copies_the_keys_present():
    m = TwoLayer()
    old_bias = m.fc1.bias.numpy().copy()
    state = shifted_state(m)
    del state["fc1.bias"]
    m.load_state_dict(state, strict=False)
    np.testing.assert_array_equal(m.fc1.weight.numpy(), state["fc1.weight"])
    np.testing.assert_array_equal(m.fc1.bias.numpy(), old_bias)


def test_load_state_dict_non_strict_still_raises_on_a_shape_mismatch():
    m = TwoLayer()
    state = shifted_state(m)
    state["fc2.weight"] = np.ones((3, 4), dtype=np.float32)
    with pytest.raises(RuntimeError, match="size mismatch for fc2.weight"):
        m.load_state_dict(state, strict=False)


def test_a_non_persistent_buffer_key_is_unexpected():
    m = nn.Module()
    m.register_buffer("scratch", tg.zeros(1), persistent=False)
    _, unexpected = m.load_state_dict({"scratch": np.ones(1)}, strict=False)
    assert list(unexpected) == ["scratch"]
    assert m.scratch.numpy()[0] == 0


def test_load_state_dict_accepts_tinygrad_tensors():
    m = nn.Linear(2, 1)
    m.load_state_dict({"weight": tg.ones(1, 2), "bias": tg.zeros(1)})
    np.testing.assert_array_equal(m.weight.numpy(), [[1, 1]])


# ------------------------------------------------------------------ train / eval


def test_a_new_module_is_in_training_mode():
    assert TwoLayer().training


def test_eval_propagates_to_every_submodule_and_returns_the_module():
    m = nn.Sequential(nn.Linear(1, 1), nn.ModuleList([nn.Dropout()]), nn.ModuleDict({"bn": nn.BatchNorm1d(1)}))
    assert m.eval() is m
    assert all(not module.training for module in m.modules())


def test_train_propagates_to_every_submodule():
    m = nn.Sequential(nn.Linear(1, 1), nn.ModuleList([nn.Dropout()]))
    m.eval()
    assert m.train() is m
    assert all(module.training for module in m.modules())
    m.train(False)
    assert all(not module.training for module in m.modules())


def test_train_rejects_a_non_boolean_mode():
    with pytest.raises(ValueError, match="boolean"):
        TwoLayer().train("yes")


def test_dropout_is_the_identity_in_eval_mode():
    layer = nn.Dropout(0.5).eval()
    x = tg.randn(100, 10)
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())


def test_dropout_in_training_zeroes_about_p_and_scales_the_rest():
    tg.manual_seed(0)
    layer = nn.Dropout(0.25)
    x = tg.ones(200, 100)
    out = layer(x).numpy()
    assert out.dtype == np.float32
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((out == 0).mean() - 0.25) < 0.01


def test_batchnorm_in_training_uses_batch_statistics_and_updates_the_buffers():
    bn = nn.BatchNorm1d(2)
    x = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]], dtype=np.float32)
    out = bn(tg.tensor(x)).numpy()
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.1 * x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 + 0.1 * x.var(0, ddof=1), rtol=1e-6)
    assert bn.num_batches_tracked.item() == 1


def test_batchnorm_in_eval_uses_running_statistics_and_leaves_them():
    bn = nn.BatchNorm1d(2)
    bn.load_state_dict({"weight": np.ones(2), "bias": np.zeros(2), "running_mean": np.array([1.0, 2.0]),
                        "running_var": np.array([4.0, 9.0]), "num_batches_tracked": np.array(5)})
    bn.eval()
    x = np.array([[3.0, 8.0], [5.0, 2.0]], dtype=np.float32)
    out = bn(tg.tensor(x)).numpy()
    np.testing.assert_allclose(out, (x - [1.0, 2.0]) / np.sqrt(np.array([4.0, 9.0]) + 1e-5), rtol=1e-6)
    np.testing.assert_array_equal(bn.running_mean.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(bn.running_var.numpy(), [4.0, 9.0])
    assert bn.num_batches_tracked.item() == 5


# ------------------------------------------------------------------ zero_grad, requires_grad_


def give_grads(model):
    model(tg.randn(4, 3)).sum().backward()


def test_zero_grad_sets_gradients_to_none_by_default():
    m = TwoLayer()
    give_grads(m)
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_zero_grad_set_to_none_false_fills_zeros_of_the_same_shape_and_dtype():
    m = TwoLayer()
    give_grads(m)
    m.zero_grad(set_to_none=False)
    for p in m.parameters():
        assert p.grad.shape == p.shape and p.grad.dtype == p.dtype
        assert not np.any(p.grad.numpy())


def test_zero_grad_leaves_parameters_without_gradients_alone():
    m = TwoLayer()
    m.zero_grad(set_to_none=False)
    assert all(p.grad is None for p in m.parameters())


def test_gradients_accumulate_until_zero_grad():
    m = nn.Linear(3, 1)
    x = tg.ones(1, 3)
    m(x).sum().backward()
    m(x).sum().backward()
    np.testing.assert_array_equal(m.weight.grad.numpy(), [[2, 2, 2]])


def test_requires_grad_false_freezes_every_parameter():
    m = TwoLayer()
    assert m.requires_grad_(False) is m
    assert all(not p.requires_grad for p in m.parameters())


def test_deepcopy_gives_an_independent_model_with_the_same_state():
    m = mlp_with_batchnorm()
    clone = copy.deepcopy(m)
    assert list(clone.state_dict()) == list(m.state_dict())
    for (name, p), q in zip(m.named_parameters(), clone.parameters()):
        assert q is not p and isinstance(q, nn.Parameter) and q.requires_grad, name
        np.testing.assert_array_equal(q.numpy(), p.numpy(), err_msg=name)
        assert not np.shares_memory(q.numpy(), p.numpy()), name


# ------------------------------------------------------------------ dtype conversion


def test_to_float64_keeps_the_same_parameter_objects():
    m = mlp_with_batchnorm()
    params = list(m.parameters())
    assert m.to(tg.float64) is m
    assert all(p is q for p, q in zip(params, m.parameters()))
    assert all(p.dtype == np.float64 for p in m.parameters())


def test_to_float64_converts_float_buffers_and_keeps_integer_buffers():
    bn = nn.BatchNorm1d(3).double()
    assert bn.running_mean.dtype == np.float64 and bn.running_var.dtype == np.float64
    assert bn.num_batches_tracked.dtype == np.int64


def test_to_float64_converts_existing_gradients():
    m = TwoLayer()
    give_grads(m)
    m.double()
    assert all(p.grad.dtype == np.float64 for p in m.parameters())


def test_double_model_gives_float64_outputs_and_float_converts_back():
    m = TwoLayer().double()
    assert m(tg.randn(2, 3).double()).dtype == np.float64
    m.float()
    assert all(p.dtype == np.float32 for p in m.parameters())


def test_to_an_integer_dtype_raises_type_error():
    with pytest.raises(TypeError):
        TwoLayer().to(tg.int64)


def test_to_cpu_changes_nothing():
    m = TwoLayer()
    assert m.to("cpu") is m
    assert all(p.dtype == np.float32 for p in m.parameters())


# ------------------------------------------------------------------ repr, against PyTorch's text


class ReprNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(100, 16, padding_idx=0)
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 32, bias=False),
                                  nn.LeakyReLU(0.2), nn.GELU(), nn.Tanh())
        self.blocks = nn.ModuleList([nn.Linear(32, 32), nn.Sigmoid()])
        self.heads = nn.ModuleDict({"logits": nn.Sequential(nn.Linear(32, 10), nn.LogSoftmax(dim=1)),
                                    "probs": nn.Softmax(dim=-1)})
        self.skip = nn.Identity()


REPR_NET_TORCH = """\
ReprNet(
  (embed): Embedding(100, 16, padding_idx=0)
  (body): Sequential(
    (0): Flatten(start_dim=1, end_dim=-1)
    (1): Linear(in_features=64, out_features=32, bias=True)
    (2): ReLU()
    (3): Linear(in_features=32, out_features=32, bias=False)
    (4): LeakyReLU(negative_slope=0.2)
    (5): GELU(approximate='none')
    (6): Tanh()
  )
  (blocks): ModuleList(
    (0): Linear(in_features=32, out_features=32, bias=True)
    (1): Sigmoid()
  )
  (heads): ModuleDict(
    (logits): Sequential(
      (0): Linear(in_features=32, out_features=10, bias=True)
      (1): LogSoftmax(dim=1)
    )
    (probs): Softmax(dim=-1)
  )
  (skip): Identity()
)"""

MLP_TORCH = """\
Sequential(
  (0): Flatten(start_dim=1, end_dim=-1)
  (1): Linear(in_features=784, out_features=512, bias=True)
  (2): ReLU()
  (3): Linear(in_features=512, out_features=512, bias=True)
  (4): ReLU()
  (5): Linear(in_features=512, out_features=10, bias=True)
)"""


def test_repr_of_the_mnist_mlp_equals_pytorchs():
    m = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                      nn.Linear(512, 10))
    assert repr(m) == MLP_TORCH


def test_repr_of_a_nested_custom_model_equals_pytorchs():
    assert repr(ReprNet()) == REPR_NET_TORCH


def test_repr_shows_a_child_set_to_none_as_pytorch():
    m = ReprNet()
    m.skip = None
    assert repr(m).splitlines()[-2:] == ["  (skip): None", ")"]


# (the constructor call, as text, and what PyTorch 2.13 prints for it)
LAYER_REPRS = [
    ("nn.Module()", "Module()"),
    ("nn.Sequential()", "Sequential()"),
    ("nn.ModuleList()", "ModuleList()"),
    ("nn.Dropout(0.2)", "Dropout(p=0.2, inplace=False)"),
    ("nn.Dropout()", "Dropout(p=0.5, inplace=False)"),
    ("nn.Dropout2d(0.25)", "Dropout2d(p=0.25, inplace=False)"),
    ("nn.Dropout1d()", "Dropout1d(p=0.5, inplace=False)"),
    ("nn.ReLU(inplace=True)", "ReLU(inplace=True)"),
    ("nn.ReLU()", "ReLU()"),
    ("nn.LeakyReLU(0.2, inplace=True)", "LeakyReLU(negative_slope=0.2, inplace=True)"),
    ("nn.ELU()", "ELU(alpha=1.0)"),
    ("nn.ELU(0.5, inplace=True)", "ELU(alpha=0.5, inplace=True)"),
    ("nn.BatchNorm2d(8)", "BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"),
    ("nn.Conv1d(2, 4, 3, padding='same', groups=2, bias=False)",
     "Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=same, groups=2, bias=False)"),
    ("nn.Conv1d(1, 2, (5,), stride=2, dilation=3)", "Conv1d(1, 2, kernel_size=(5,), stride=(2,), dilation=(3,))"),
    ("nn.ConvTranspose2d(100, 64, 4, 1, 0, bias=False)",
     "ConvTranspose2d(100, 64, kernel_size=(4, 4), stride=(1, 1), bias=False)"),
    ("nn.ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2)",
     "ConvTranspose2d(2, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), groups=2)"),
    ("nn.MaxPool1d(3)", "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)"),
    ("nn.MaxPool1d(3, 2, 1)", "MaxPool1d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)"),
    ("nn.AvgPool1d(3)", "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"),
    ("nn.AvgPool1d(4, stride=2, padding=1)", "AvgPool1d(kernel_size=(4,), stride=(2,), padding=(1,))"),
    ("nn.AdaptiveAvgPool2d((1, 1))", "AdaptiveAvgPool2d(output_size=(1, 1))"),
    ("nn.AdaptiveAvgPool2d((None, 7))", "AdaptiveAvgPool2d(output_size=(None, 7))"),
    ("nn.AdaptiveMaxPool2d(2)", "AdaptiveMaxPool2d(output_size=2)"),
    ("nn.SmoothL1Loss(beta=0.5)", "SmoothL1Loss()"),
    ("nn.HuberLoss(delta=2.0)", "HuberLoss()"),
    ("nn.KLDivLoss(reduction='batchmean')", "KLDivLoss()"),
    ("nn.CosineSimilarity(dim=0)", "CosineSimilarity()"),
    ("nn.Embedding(7, 3, padding_idx=0)", "Embedding(7, 3, padding_idx=0)"),
    ("nn.LayerNorm(10)", "LayerNorm((10,), eps=1e-05, elementwise_affine=True, bias=True)"),
    ("nn.LayerNorm((3, 4), elementwise_affine=False)",
     "LayerNorm((3, 4), eps=1e-05, elementwise_affine=False, bias=False)"),
    ("nn.BatchNorm1d(10)",
     "BatchNorm1d(10, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"),
    ("nn.BatchNorm1d(3, momentum=None, affine=False, track_running_stats=False)",
     "BatchNorm1d(3, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=False)"),
    ("nn.Embedding(7, 3)", "Embedding(7, 3)"),
    ("nn.LeakyReLU()", "LeakyReLU(negative_slope=0.01)"),
    ("nn.GELU(approximate='tanh')", "GELU(approximate='tanh')"),
    ("nn.Softmax()", "Softmax(dim=None)"),
    ("nn.Flatten(0, 2)", "Flatten(start_dim=0, end_dim=2)"),
    ("nn.CrossEntropyLoss()", "CrossEntropyLoss()"),
    ("nn.MSELoss()", "MSELoss()"),
]


@pytest.mark.parametrize("call, torch_text", LAYER_REPRS, ids=[call for call, _ in LAYER_REPRS])
def test_layer_repr_equals_pytorchs(call, torch_text):
    assert repr(eval(call, {"nn": nn})) == torch_text


def test_module_list_repr_groups_repeated_modules_as_pytorch():
    layers = nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Linear(2, 2), nn.ReLU()])
    assert repr(layers) == ("ModuleList(\n"
                            "  (0-1): 2 x ReLU()\n"
                            "  (2): Linear(in_features=2, out_features=2, bias=True)\n"
                            "  (3): ReLU()\n"
                            ")")


# ------------------------------------------------------------------ default initialisation


def test_linear_weight_has_pytorchs_layout_and_default_dtype():
    m = nn.Linear(5, 3)
    assert m.weight.shape == (3, 5) and m.bias.shape == (3,)
    assert m.weight.dtype == np.float32 and m.bias.dtype == np.float32
    assert m.weight.requires_grad and m.weight.is_leaf


def test_linear_default_init_is_bounded_by_one_over_sqrt_fan_in():
    tg.manual_seed(0)
    m = nn.Linear(400, 500)
    bound = np.float32(1 / math.sqrt(400))
    assert np.abs(m.weight.numpy()).max() <= bound
    assert np.abs(m.bias.numpy()).max() <= bound
    assert np.abs(m.weight.numpy()).max() > 0.99 * bound  # the whole interval is used


def test_linear_default_init_variance_is_one_third_over_fan_in():
    tg.manual_seed(0)
    m = nn.Linear(400, 500)
    w = m.weight.numpy().astype(np.float64)
    assert abs(w.var() / (1 / (3 * 400)) - 1) < 0.02
    assert abs(w.mean()) < 0.02 / math.sqrt(400)


def test_linear_bias_default_init_is_uniform_in_its_bound():
    tg.manual_seed(1)
    bias = nn.Linear(16, 20000).bias.numpy().astype(np.float64)
    assert abs(bias.var() / ((1 / 16) / 3) - 1) < 0.05


def test_embedding_default_init_is_standard_normal_with_a_zero_padding_row():
    tg.manual_seed(0)
    m = nn.Embedding(1000, 50, padding_idx=3)
    w = m.weight.numpy()
    assert not np.any(w[3])
    rest = np.delete(w, 3, axis=0).astype(np.float64)
    assert abs(rest.mean()) < 0.02 and abs(rest.std() - 1) < 0.02


def test_layernorm_and_batchnorm_default_state_is_pytorchs():
    ln, bn = nn.LayerNorm(4), nn.BatchNorm1d(4)
    assert ln.eps == 1e-5 and bn.eps == 1e-5 and bn.momentum == 0.1
    np.testing.assert_array_equal(ln.weight.numpy(), np.ones(4))
    np.testing.assert_array_equal(ln.bias.numpy(), np.zeros(4))
    np.testing.assert_array_equal(bn.running_mean.numpy(), np.zeros(4))
    np.testing.assert_array_equal(bn.running_var.numpy(), np.ones(4))


def test_manual_seed_makes_default_init_reproducible():
    tg.manual_seed(123)
    a = TwoLayer()
    tg.manual_seed(123)
    b = TwoLayer()
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=name)
    tg.manual_seed(124)
    c = TwoLayer()
    assert not np.array_equal(a.fc1.weight.numpy(), c.fc1.weight.numpy())


def test_manual_seed_makes_dropout_reproducible():
    x = tg.ones(20, 30)
    tg.manual_seed(7)
    first = nn.Dropout(0.5)(x).numpy()
    tg.manual_seed(7)
    second = nn.Dropout(0.5)(x).numpy()
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, nn.Dropout(0.5)(x).numpy())  # the next draw differs


# ------------------------------------------------------------------ nn.init


INIT_FUNCTIONS = {
    "uniform_": lambda t: nn.init.uniform_(t, -0.5, 0.5),
    "normal_": lambda t: nn.init.normal_(t, 0.0, 0.1),
    "constant_": lambda t: nn.init.constant_(t, 0.3),
    "zeros_": nn.init.zeros_,
    "ones_": nn.init.ones_,
    "xavier_uniform_": nn.init.xavier_uniform_,
    "xavier_normal_": nn.init.xavier_normal_,
    "kaiming_uniform_": nn.init.kaiming_uniform_,
    "kaiming_normal_": nn.init.kaiming_normal_,
}


@pytest.mark.parametrize("name", list(INIT_FUNCTIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_init_works_in_place_keeping_shape_dtype_and_array(name, dtype):
    p = parameter(6, 4, 3, dtype=dtype, fill=np.nan)
    array = p.numpy()
    assert INIT_FUNCTIONS[name](p) is p
    assert p.numpy() is array
    assert p.shape == (6, 4, 3) and p.dtype == dtype
    assert np.all(np.isfinite(p.numpy()))


@pytest.mark.parametrize("name", list(INIT_FUNCTIONS))
def test_init_records_no_graph(name):
    p = parameter(4, 4)
    INIT_FUNCTIONS[name](p)
    assert p.is_leaf and p.requires_grad and p.grad is None


@pytest.mark.parametrize("nonlinearity, param, torch_gain", [
    ("linear", None, 1),
    ("conv2d", None, 1),
    ("sigmoid", None, 1),
    ("tanh", None, 1.6666666666666667),
    ("relu", None, 1.4142135623730951),
    ("leaky_relu", None, 1.4141428569978354),
    ("leaky_relu", 0.2, 1.3867504905630728),
    ("leaky_relu", math.sqrt(5), 0.5773502691896257),
    ("selu", None, 0.75),
])
def test_calculate_gain_equals_pytorchs(nonlinearity, param, torch_gain):
    assert nn.init.calculate_gain(nonlinearity, param) == pytest.approx(torch_gain, rel=1e-15)


def test_calculate_gain_rejects_an_unknown_nonlinearity():
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        nn.init.calculate_gain("foo")


@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"])
def test_fan_based_init_of_a_1d_tensor_raises_value_error(name):
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        INIT_FUNCTIONS[name](parameter(5))


@pytest.mark.parametrize("name", ["uniform_", "normal_", "constant_", "zeros_", "ones_"])
def test_elementwise_init_of_a_1d_tensor_works(name):
    p = parameter(5, fill=np.nan)
    INIT_FUNCTIONS[name](p)
    assert np.all(np.isfinite(p.numpy()))


def test_kaiming_init_rejects_an_unknown_mode():
    with pytest.raises(ValueError, match="fan_avg"):
        nn.init.kaiming_normal_(parameter(3, 3), mode="fan_avg")


def test_constant_zeros_and_ones_fill_the_value():
    p = parameter(3, 2)
    np.testing.assert_array_equal(nn.init.constant_(p, 0.25).numpy(), np.full((3, 2), 0.25))
    np.testing.assert_array_equal(nn.init.zeros_(p).numpy(), np.zeros((3, 2)))
    np.testing.assert_array_equal(nn.init.ones_(p).numpy(), np.ones((3, 2)))


def uniform_check(values, bound):
    values = values.astype(np.float64)
    assert np.abs(values).max() <= np.float32(bound)
    assert np.abs(values).max() > 0.99 * bound
    assert abs(values.var() / (bound**2 / 3) - 1) < 0.03


def normal_check(values, std):
    values = values.astype(np.float64)
    assert abs(values.mean()) < 0.02 * std
    assert abs(values.std() / std - 1) < 0.02


def test_uniform_init_draws_in_the_interval():
    tg.manual_seed(0)
    values = nn.init.uniform_(parameter(100, 100), -2.0, 3.0).numpy()
    assert values.min() >= -2.0 and values.max() <= 3.0
    assert values.min() < -1.99 and values.max() > 2.99
    assert abs(values.mean() - 0.5) < 0.05


def test_normal_init_has_the_mean_and_std():
    tg.manual_seed(0)
    values = nn.init.normal_(parameter(200, 100), 1.5, 0.3).numpy().astype(np.float64)
    assert abs(values.mean() - 1.5) < 0.01 and abs(values.std() / 0.3 - 1) < 0.02


def test_xavier_uniform_bound_is_gain_sqrt_6_over_fan_in_plus_fan_out():
    tg.manual_seed(0)
    p = nn.init.xavier_uniform_(parameter(300, 200), gain=2.0)
    uniform_check(p.numpy(), 2.0 * math.sqrt(6 / (200 + 300)))


def test_xavier_normal_std_is_gain_sqrt_2_over_fan_in_plus_fan_out():
    tg.manual_seed(0)
    p = nn.init.xavier_normal_(parameter(300, 200), gain=0.5)
    normal_check(p.numpy(), 0.5 * math.sqrt(2 / (200 + 300)))


def test_kaiming_uniform_bound_is_gain_sqrt_3_over_fan_in():
    tg.manual_seed(0)
    p = nn.init.kaiming_uniform_(parameter(300, 200), nonlinearity="relu")
    uniform_check(p.numpy(), math.sqrt(2) * math.sqrt(3 / 200))


def test_kaiming_uniform_with_fan_out_and_a_uses_leaky_relu_gain():
    tg.manual_seed(0)
    p = nn.init.kaiming_uniform_(parameter(300, 200), a=0.2, mode="fan_out")
    uniform_check(p.numpy(), math.sqrt(2 / (1 + 0.2**2)) * math.sqrt(3 / 300))


def test_kaiming_normal_std_is_gain_over_sqrt_fan_in():
    tg.manual_seed(0)
    p = nn.init.kaiming_normal_(parameter(300, 200), nonlinearity="relu")
    normal_check(p.numpy(), math.sqrt(2) / math.sqrt(200))


def test_fans_of_a_conv_weight_include_the_receptive_field():
    tg.manual_seed(0)
    p = nn.init.kaiming_normal_(parameter(64, 32, 3, 3), mode="fan_out", nonlinearity="relu")
    normal_check(p.numpy(), math.sqrt(2) / math.sqrt(64 * 9))
    q = nn.init.xavier_uniform_(parameter(64, 32, 3, 3))
    uniform_check(q.numpy(), math.sqrt(6 / (32 * 9 + 64 * 9)))


@pytest.mark.parametrize("name", ["uniform_", "normal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                                  "kaiming_normal_"])
def test_manual_seed_makes_init_reproducible(name):
    tg.manual_seed(5)
    first = INIT_FUNCTIONS[name](parameter(8, 8)).numpy().copy()
    tg.manual_seed(5)
    second = INIT_FUNCTIONS[name](parameter(8, 8)).numpy().copy()
    np.testing.assert_array_equal(first, second)


# ------------------------------------------------------------------ clip_grad_norm_


def with_grads(*grads, dtype=np.float32):
    params = []
    for grad in grads:
        p = nn.Parameter(np.zeros(np.shape(grad), dtype=dtype))
        p.grad = tg.tensor(np.asarray(grad, dtype=dtype))
        params.append(p)
    return params


def clip_reference(grads, max_norm, norm_type=2.0):
    grads = [np.asarray(g, dtype=np.float64) for g in grads]
    if norm_type == np.inf:
        total = max(np.abs(g).max() for g in grads)
    else:
        total = sum((np.abs(g) ** norm_type).sum() for g in grads) ** (1 / norm_type)
    scale = min(1.0, max_norm / (total + 1e-6))
    return total, [g * scale for g in grads]


def test_clip_grad_norm_returns_the_total_norm_of_all_gradients():
    params = with_grads([3.0, 4.0, 0.0], [[12.0, 0.0], [0.0, 0.0]])
    total = nn.utils.clip_grad_norm_(params, 100.0)
    assert float(total) == pytest.approx(13.0)
    assert total.dtype == np.float32


def test_clip_grad_norm_scales_the_gradients_to_max_norm_when_above():
    params = with_grads([3.0, 4.0, 0.0], [[12.0, 0.0], [0.0, 0.0]])
    grads = [p.grad for p in params]
    nn.utils.clip_grad_norm_(params, 1.0)
    # PyTorch prints tensor([0.2308, 0.3077, 0.0000]) and tensor([[0.9231, 0.], [0., 0.]])
    np.testing.assert_allclose(params[0].grad.numpy(), np.array([3, 4, 0]) / (13 + 1e-6), rtol=1e-6)
    np.testing.assert_allclose(params[1].grad.numpy(), np.array([[12, 0], [0, 0]]) / (13 + 1e-6), rtol=1e-6)
    assert all(p.grad is g for p, g in zip(params, grads))  # the same gradient tensors, as PyTorch
    assert all(p.grad.dtype == np.float32 for p in params)


def test_clip_grad_norm_leaves_the_gradients_when_below_max_norm():
    params = with_grads([0.3, -0.4], [[0.1]])
    before = [p.grad.numpy().copy() for p in params]
    total = nn.utils.clip_grad_norm_(params, 1.0)
    assert float(total) == pytest.approx(math.sqrt(0.26), rel=1e-6)
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p.grad.numpy(), b)


def test_clip_grad_norm_inf_norm_is_the_largest_absolute_gradient():
    params = with_grads([3.0, -4.0, 0.0], [[1.0, 0.0], [0.0, 0.0]])
    total = nn.utils.clip_grad_norm_(params, 2.0, norm_type=float("inf"))
    assert float(total) == pytest.approx(4.0)
    # PyTorch prints tensor([ 1.5000, -2.0000,  0.0000]) and tensor([[0.5000, 0.], [0., 0.]])
    np.testing.assert_allclose(params[0].grad.numpy(), [1.5, -2.0, 0.0], rtol=1e-6)
    np.testing.assert_allclose(params[1].grad.numpy(), [[0.5, 0.0], [0.0, 0.0]], rtol=1e-6)


def test_clip_grad_norm_skips_parameters_without_gradients():
    params = with_grads([3.0, 4.0])
    params.append(nn.Parameter(np.ones(2, dtype=np.float32)))
    assert float(nn.utils.clip_grad_norm_(params, 1.0)) == pytest.approx(5.0)
    assert params[1].grad is None


def test_clip_grad_norm_with_no_gradients_returns_zero():
    assert float(nn.utils.clip_grad_norm_([nn.Parameter(np.ones(1, dtype=np.float32))], 1.0)) == 0.0


def test_clip_grad_norm_accepts_a_single_tensor():
    (p,) = with_grads([6.0, 8.0])
    assert float(nn.utils.clip_grad_norm_(p, 5.0)) == pytest.approx(10.0)
    np.testing.assert_allclose(p.grad.numpy(), [3.0, 4.0], rtol=1e-6)


def test_clip_grad_norm_accepts_a_generator_of_parameters():
    m = TwoLayer()
    give_grads(m)
    grads = [p.grad.numpy().copy() for p in m.parameters()]
    total = nn.utils.clip_grad_norm_(m.parameters(), 1e-3)
    expected_total, expected = clip_reference(grads, 1e-3)
    assert float(total) == pytest.approx(expected_total, rel=1e-5)
    for p, e in zip(m.parameters(), expected):
        np.testing.assert_allclose(p.grad.numpy(), e, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.1, 1.0, 1e3])
def test_clip_grad_norm_matches_a_numpy_reference(norm_type, max_norm):
    rng = np.random.default_rng(int(norm_type * 10 if norm_type != np.inf else 99) + int(max_norm * 10))
    grads = [rng.standard_normal(shape) for shape in [(3, 4), (4,), (2, 2, 2), ()]]
    params = with_grads(*grads, dtype=np.float64)
    total = nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    expected_total, expected = clip_reference(grads, max_norm, norm_type)
    assert float(total) == pytest.approx(expected_total, rel=1e-12)
    for p, e in zip(params, expected):
        np.testing.assert_allclose(p.grad.numpy(), e, rtol=1e-12, atol=1e-15)


def test_clip_grad_norm_error_if_nonfinite():
    params = with_grads([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)


def test_batchnorm_state_dict_without_num_batches_tracked_loads_and_keeps_the_count():
    """Older PyTorch state dicts have no num_batches_tracked; PyTorch fills it in, so do we."""
    bn = nn.BatchNorm1d(3)
    bn.num_batches_tracked.data[...] = 5
    state = {k: v.numpy() + 1 for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
    result = bn.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert int(bn.num_batches_tracked.item()) == 5
    np.testing.assert_array_equal(bn.running_mean.numpy(), np.ones(3, np.float32))
