"""`Optimizer.load_state_dict` checks a state dict before taking anything from it.

Hyper-parameters as each optimizer's constructor checks them, the number of groups and of
parameters per group, the state's keys (that optimizer's, and those its settings need), step
counts and array shapes. A state dict with problems raises one ValueError that lists every
problem, and the optimizer is left as it was. Valid state dicts, the optimizer's own (also
through tg.save and tg.load) and PyTorch's with its tensors as NumPy arrays, still load.
"""

import copy

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import optim

OPTIONS = {
    "SGD": (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    "RMSprop": (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    "Adam": (optim.Adam, dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
    "AdamW": (optim.AdamW, dict(lr=0.01, maximize=True, foreach=False)),
    "Adadelta": (optim.Adadelta, dict(lr=0.5, rho=0.8, weight_decay=0.01, maximize=True)),
    "Adagrad": (optim.Adagrad, dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, foreach=False)),
    "Adamax": (optim.Adamax, dict(lr=0.1, weight_decay=0.01)),
    "RAdam": (optim.RAdam, dict(lr=0.1, decoupled_weight_decay=True, weight_decay=0.01)),
    "NAdam": (optim.NAdam, dict(lr=0.1, momentum_decay=0.01)),
}


def leaves():
    return [tg.tensor(np.ones(3), requires_grad=True), tg.tensor(np.ones((2, 2)), requires_grad=True)]


def stepped(name, steps=2):
    """An optimizer of `name` with every option of OPTIONS, after `steps` steps, and its parameters."""
    optimizer_class, hp = OPTIONS[name]
    params = leaves()
    optimizer = optimizer_class(params, **hp)
    for step in range(steps):
        for param in params:
            param.grad = tg.tensor(np.full(param.shape, 0.5 - step))
        optimizer.step()
    return optimizer, params


def saved(name):
    """A copy of the state dict of a stepped optimizer of `name` (copied, so that tests may edit it)."""
    return copy.deepcopy(stepped(name)[0].state_dict())


def fresh(name):
    optimizer_class, _ = OPTIONS[name]
    return optimizer_class(leaves(), lr=0.5)


def refusal(name, state_dict):
    """The message of the ValueError that loading `state_dict` into a fresh `name` raises."""
    with pytest.raises(ValueError) as error:
        fresh(name).load_state_dict(state_dict)
    return str(error.value)


# ------------------------------------------------------------------ valid state dicts load


@pytest.mark.parametrize("name", OPTIONS)
def test_an_optimizers_own_state_dict_loads(name):
    optimizer = fresh(name)
    optimizer.load_state_dict(saved(name))
    assert optimizer.param_groups[0]["lr"] == OPTIONS[name][1]["lr"]


@pytest.mark.parametrize("name", OPTIONS)
def test_an_optimizers_own_state_dict_loads_through_a_checkpoint_file(name, tmp_path):
    tg.save(stepped(name)[0].state_dict(), tmp_path / "optimizer.npz")
    optimizer = fresh(name)
    optimizer.load_state_dict(tg.load(tmp_path / "optimizer.npz"))
    assert optimizer.param_groups[0]["lr"] == OPTIONS[name][1]["lr"]


def pytorch_format(group, state):
    """A PyTorch 2 state dict with its tensors converted by .numpy(): steps as 0-d float32
    arrays, and the group keys this library does not use (foreach, fused, capturable, ...)."""
    extras = dict(foreach=None, fused=None, capturable=False, differentiable=False)
    return {"state": state, "param_groups": [{**group, **extras, "params": [0, 1]}]}


PYTORCH_FORMAT = {
    "SGD": pytorch_format(
        dict(lr=0.1, momentum=0.9, dampening=0, weight_decay=0, nesterov=False, maximize=False),
        {0: {"momentum_buffer": np.ones(3)}, 1: {"momentum_buffer": np.ones((2, 2))}}),
    "RMSprop": pytorch_format(
        dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, maximize=False),
        {0: {"step": np.array(3.0, np.float32), "square_avg": np.ones(3)},
         1: {"step": np.array(3.0, np.float32), "square_avg": np.ones((2, 2))}}),
    "Adam": pytorch_format(
        dict(lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False,
             decoupled_weight_decay=False),
        {0: {"step": np.array(3.0, np.float32), "exp_avg": np.ones(3), "exp_avg_sq": np.ones(3)},
         1: {"step": np.array(3.0, np.float32), "exp_avg": np.ones((2, 2)), "exp_avg_sq": np.ones((2, 2))}}),
    "Adadelta": pytorch_format(
        dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False),
        {0: {"step": np.array(3.0, np.float32), "square_avg": np.ones(3), "acc_delta": np.ones(3)},
         1: {"step": np.array(3.0, np.float32), "square_avg": np.ones((2, 2)), "acc_delta": np.ones((2, 2))}}),
    "Adagrad": pytorch_format(
        dict(lr=0.01, lr_decay=0, eps=1e-10, weight_decay=0, initial_accumulator_value=0, maximize=False),
        {0: {"step": np.array(3.0, np.float32), "sum": np.ones(3)},
         1: {"step": np.array(3.0, np.float32), "sum": np.ones((2, 2))}}),
    "NAdam": pytorch_format(
        dict(lr=0.002, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
             decoupled_weight_decay=False, maximize=False),
        {i: {"step": np.array(3.0, np.float32), "mu_product": np.array(0.7, np.float32), "exp_avg": np.ones(shape),
             "exp_avg_sq": np.ones(shape)} for i, shape in enumerate([(3,), (2, 2)])}),
}


@pytest.mark.parametrize("name", PYTORCH_FORMAT)
def test_a_pytorch_state_dict_loads(name):
    optimizer = fresh(name)
    optimizer.load_state_dict(PYTORCH_FORMAT[name])
    steps = [state.get("step") for state in optimizer.state.values()]
    assert steps == ([None, None] if name == "SGD" else [3, 3])


def test_nadams_mu_product_saved_as_a_0d_tensor_loads_as_a_float():
    optimizer = fresh("NAdam")
    optimizer.load_state_dict(PYTORCH_FORMAT["NAdam"])
    assert [state["mu_product"] for state in optimizer.state.values()] == [pytest.approx(0.7)] * 2
    assert all(type(state["mu_product"]) is float for state in optimizer.state.values())


@pytest.mark.parametrize("value", [np.ones(3), "0.7", float("nan"), None])
def test_a_mu_product_that_is_not_a_number_is_refused(value):
    state_dict = saved("NAdam")
    state_dict["state"][0]["mu_product"] = value
    assert "state[0]: 'mu_product' must be a finite number" in refusal("NAdam", state_dict)


def test_an_sgd_state_without_momentum_buffers_as_older_pytorch_saved_it_loads():
    state_dict = pytorch_format(dict(lr=0.1, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False),
                                {0: {"momentum_buffer": None}, 1: {"momentum_buffer": None}})
    fresh("SGD").load_state_dict(state_dict)


@pytest.mark.parametrize(("optimizer_class", "decoupled"), [(optim.Adam, False), (optim.AdamW, True)])
def test_a_group_without_a_flag_takes_the_constructors_value(optimizer_class, decoupled):
    """As PyTorch fills flags that older versions did not save (decoupled_weight_decay, foreach)."""
    state_dict = copy.deepcopy(PYTORCH_FORMAT["Adam"])
    for key in ("decoupled_weight_decay", "foreach", "maximize"):
        del state_dict["param_groups"][0][key]
    optimizer = optimizer_class(leaves(), foreach=True)
    optimizer.load_state_dict(state_dict)
    group = optimizer.param_groups[0]
    assert (group["decoupled_weight_decay"], group["foreach"], group["maximize"]) == (decoupled, True, False)


def test_a_parameter_without_state_may_be_left_out_or_empty():
    state_dict = saved("Adam")
    state_dict["state"] = {0: {}}
    optimizer = fresh("Adam")
    optimizer.load_state_dict(state_dict)
    assert list(optimizer.state.values()) == [{}]


# ------------------------------------------------------------------ hyper-parameters


@pytest.mark.parametrize(("name", "key", "value", "complaint"), [
    ("SGD", "lr", "abc", "Invalid learning rate: 'abc'"),
    ("SGD", "lr", -0.1, "Invalid learning rate: -0.1"),
    ("Adam", "lr", float("nan"), "Invalid learning rate: nan"),
    ("RMSprop", "lr", float("inf"), "Invalid learning rate: inf"),
    ("Adam", "lr", None, "Invalid learning rate: None"),
    ("Adam", "eps", -1e-8, "Invalid epsilon value: -1e-08"),
    ("RMSprop", "eps", -1e-8, "Invalid epsilon value: -1e-08"),
    ("AdamW", "weight_decay", -0.01, "Invalid weight_decay value: -0.01"),
    ("SGD", "weight_decay", -0.01, "Invalid weight_decay value: -0.01"),
    ("SGD", "momentum", -0.9, "Invalid momentum value: -0.9"),
    ("RMSprop", "momentum", -0.5, "Invalid momentum value: -0.5"),
    ("RMSprop", "alpha", -0.5, "Invalid alpha value: -0.5"),
    ("SGD", "dampening", float("nan"), "Invalid dampening value: nan"),
    ("Adam", "betas", (1.0, 0.999), "Invalid beta parameter at index 0: 1.0"),
    ("Adam", "betas", (0.9, -0.1), "Invalid beta parameter at index 1: -0.1"),
    ("AdamW", "betas", 0.9, "Invalid betas: 0.9"),
    ("Adam", "amsgrad", "yes", "Invalid amsgrad: 'yes'"),
    ("RMSprop", "centered", 1, "Invalid centered: 1"),
    ("SGD", "maximize", None, "Invalid maximize: None"),
    ("Adam", "foreach", "yes", "Invalid foreach: 'yes'"),
], ids=lambda value: repr(value) if isinstance(value, float) else None)
def test_an_invalid_hyper_parameter_is_refused(name, key, value, complaint):
    state_dict = saved(name)
    state_dict["param_groups"][0][key] = value
    assert f"param_groups[0]: {complaint}" in refusal(name, state_dict)


def test_nesterov_with_dampening_is_refused():
    state_dict = saved("SGD")
    state_dict["param_groups"][0]["dampening"] = 0.1
    assert "Nesterov momentum requires a momentum and zero dampening" in refusal("SGD", state_dict)


def test_a_group_without_a_numeric_hyper_parameter_is_refused():
    state_dict = saved("RMSprop")
    del state_dict["param_groups"][0]["alpha"]
    assert "param_groups[0]: no 'alpha'" in refusal("RMSprop", state_dict)


# ------------------------------------------------------------------ groups and parameters


def test_a_different_number_of_groups_is_refused():
    state_dict = saved("SGD")
    state_dict["param_groups"].append({**state_dict["param_groups"][0], "params": [2]})
    assert "2 parameter groups, this optimizer has 1" in refusal("SGD", state_dict)


def test_a_group_of_a_different_size_is_refused():
    state_dict = saved("Adam")
    state_dict["param_groups"][0]["params"] = [0]
    del state_dict["state"][1]
    assert "param_groups[0] has 1 parameters, this optimizer's has 2" in refusal("Adam", state_dict)


def test_a_parameter_listed_twice_is_refused():
    state_dict = saved("Adam")
    state_dict["param_groups"][0]["params"] = [0, 0]
    assert "a parameter number is listed twice" in refusal("Adam", state_dict)


def test_state_of_a_parameter_no_group_lists_is_refused():
    state_dict = saved("Adam")
    state_dict["state"][7] = state_dict["state"][0]
    assert "state[7]: no group lists this parameter" in refusal("Adam", state_dict)


# ------------------------------------------------------------------ the state


@pytest.mark.parametrize(("source", "target"), [("Adam", "SGD"), ("SGD", "Adam"), ("RMSprop", "Adam"),
                                                ("Adagrad", "Adadelta"), ("Adadelta", "Adagrad"),
                                                ("Adam", "RMSprop")])
def test_another_optimizers_state_is_refused(source, target):
    state_dict = saved(source)
    state_dict["param_groups"][0] = {**fresh(target).state_dict()["param_groups"][0], "params": [0, 1]}
    assert f"not in {target}'s state" in refusal(target, state_dict)


@pytest.mark.parametrize(("name", "key"), [("Adam", "exp_avg_sq"), ("Adam", "max_exp_avg_sq"), ("Adam", "step"),
                                           ("RMSprop", "momentum_buffer"), ("RMSprop", "grad_avg"),
                                           ("Adadelta", "acc_delta"), ("Adagrad", "sum")])
def test_a_state_without_an_array_its_settings_need_is_refused(name, key):
    """amsgrad needs max_exp_avg_sq; RMSprop's momentum a momentum_buffer, centered a grad_avg."""
    state_dict = saved(name)
    del state_dict["state"][0][key]
    assert f"state[0]: no {key!r}, which these hyper-parameters need" in refusal(name, state_dict)


@pytest.mark.parametrize("step", [-1, 2.5, np.array(-3.0, np.float32), np.array([2]), "2", None])
def test_a_step_that_is_not_an_integer_of_at_least_0_is_refused(step):
    state_dict = saved("Adam")
    state_dict["state"][1]["step"] = step
    assert "state[1]: 'step' must be an integer >= 0" in refusal("Adam", state_dict)


def test_a_state_array_of_another_shape_is_refused():
    state_dict = saved("Adam")
    state_dict["state"][1]["exp_avg"] = np.ones(4)
    assert "state[1]: 'exp_avg' has shape (4,), its parameter (2, 2)" in refusal("Adam", state_dict)


def test_a_state_entry_that_is_not_an_array_is_refused():
    state_dict = saved("RMSprop")
    state_dict["state"][0]["square_avg"] = 0.5
    assert "state[0]: 'square_avg' must be an array, not float" in refusal("RMSprop", state_dict)


# ------------------------------------------------------------------ one error, nothing changed


def test_one_error_lists_every_problem():
    state_dict = saved("Adam")
    state_dict["param_groups"][0]["lr"] = "abc"
    state_dict["param_groups"][0]["betas"] = (0.9, 1.0)
    state_dict["state"][0]["step"] = -1
    state_dict["state"][1]["exp_avg"] = np.ones(4)
    message = refusal("Adam", state_dict)
    assert message.startswith("cannot load this state dict into Adam (4 problems):")
    assert all(part in message for part in ["learning rate", "index 1", "'step'", "'exp_avg'"])


def test_a_refused_state_dict_changes_nothing():
    optimizer, params = stepped("Adam")
    before = copy.deepcopy(optimizer.state_dict())
    state_dict = copy.deepcopy(before)
    state_dict["param_groups"][0]["lr"] = 5.0
    state_dict["state"][1]["step"] = -1
    with pytest.raises(ValueError):
        optimizer.load_state_dict(state_dict)
    after = optimizer.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for index, values in before["state"].items():
        for key, value in values.items():
            assert np.array_equal(np.asarray(after["state"][index][key]), np.asarray(value)), key
