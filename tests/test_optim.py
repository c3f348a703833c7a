"""The optimizers (SGD, RMSprop, Adam, AdamW, Adadelta, Adagrad, Adamax, RAdam, NAdam) against their
documented update equations.

Each optimizer is checked, for Hypothesis-drawn parameters, gradient sequences and
hyper-parameters, against a step-by-step reference written here in plain NumPy straight from
the equations in its class docstring (which are PyTorch's), to 1e-12 in float64 after every
step. Then the Optimizer machinery: in-place float32 updates, gradients never written to,
skipped parameters, zero_grad, parameter groups, state dicts and argument validation. A few
fixed sequences pin the numbers PyTorch 2.13 gives.
"""

import copy
import re

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import shapes

import tinygrad_np as tg
from tinygrad_np import optim

TOLERANCE = dict(rtol=1e-12, atol=1e-12)
CONDITIONING = dict(rtol=1e-14, atol=1e-14)

# ------------------------------------------------------------------ references in plain NumPy
#
# Each takes the initial parameter, the gradient of every step (None: the parameter has no
# gradient that step, so nothing about it changes) and the hyper-parameters, and returns the
# parameter after each step. `lr` may be a list: the learning rate of each step. `real` is the
# floating type the equations are evaluated in: float64, or np.longdouble to measure how much
# float64 rounding moves the result (see `float64_references`).


def as_reals(real, *values):
    return tuple([real(x) for x in value] if isinstance(value, list | tuple) else real(value) for value in values)


def lr_of_step(lr, step):
    return lr[step] if isinstance(lr, list) else lr


def sgd_reference(theta0, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                  maximize=False, real=np.float64):
    lr, momentum, dampening, weight_decay = as_reals(real, lr, momentum, dampening, weight_decay)
    theta = np.array(theta0, dtype=real)
    b = None
    after_each_step = []
    for step, g in enumerate(grads):
        if g is not None:
            g = np.asarray(g, dtype=real)
            if maximize:
                g = -g
            g = g + weight_decay * theta
            if momentum != 0:
                b = g if b is None else momentum * b + (1 - dampening) * g
                g = g + momentum * b if nesterov else b
            theta = theta - lr_of_step(lr, step) * g
        after_each_step.append(theta)
    return after_each_step


def rmsprop_reference(theta0, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                      maximize=False, real=np.float64):
    lr, alpha, eps, weight_decay, momentum = as_reals(real, lr, alpha, eps, weight_decay, momentum)
    theta = np.array(theta0, dtype=real)
    v = np.zeros_like(theta)
    g_avg = np.zeros_like(theta)
    b = np.zeros_like(theta)
    after_each_step = []
    for step, g in enumerate(grads):
        if g is not None:
            g = np.asarray(g, dtype=real)
            if maximize:
                g = -g
            g = g + weight_decay * theta
            v = alpha * v + (1 - alpha) * g**2
            if centered:
                g_avg = alpha * g_avg + (1 - alpha) * g
                v_tilde = v - g_avg**2
            else:
                v_tilde = v
            if momentum > 0:
                b = momentum * b + g / (np.sqrt(v_tilde) + eps)
                theta = theta - lr_of_step(lr, step) * b
            else:
                theta = theta - lr_of_step(lr, step) * g / (np.sqrt(v_tilde) + eps)
        after_each_step.append(theta)
    return after_each_step


def adam_reference(theta0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                   maximize=False, decoupled_weight_decay=False, foreach=None, real=np.float64):
    """(`foreach` picks the optimizer's path, not its equations.)"""
    lr, (beta1, beta2), eps, weight_decay = as_reals(real, lr, betas, eps, weight_decay)
    theta = np.array(theta0, dtype=real)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    v_max = np.zeros_like(theta)
    t = 0
    after_each_step = []
    for step, g in enumerate(grads):
        if g is not None:
            g = np.asarray(g, dtype=real)
            t += 1
            if maximize:
                g = -g
            if decoupled_weight_decay:  # AdamW's decay
                theta = theta * (1 - lr_of_step(lr, step) * weight_decay)
            else:
                g = g + weight_decay * theta
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g**2
            m_hat = m / (1 - beta1**t)
            if amsgrad:
                v_max = np.maximum(v_max, v)
                v_hat = v_max / (1 - beta2**t)
            else:
                v_hat = v / (1 - beta2**t)
            theta = theta - lr_of_step(lr, step) * m_hat / (np.sqrt(v_hat) + eps)
        after_each_step.append(theta)
    return after_each_step


def adamw_reference(theta0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
                    maximize=False, foreach=None, real=np.float64):
    """AdamW is Adam with the decoupled decay (and its own default weight_decay)."""
    return adam_reference(theta0, grads, lr, betas, eps, weight_decay, amsgrad, maximize,
                          decoupled_weight_decay=True, real=real)


def adadelta_reference(theta0, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False, foreach=None,
                       real=np.float64):
    """(`foreach` picks PyTorch's kernel, not the equations.)"""
    lr, rho, eps, weight_decay = as_reals(real, lr, rho, eps, weight_decay)
    theta = np.array(theta0, dtype=real)
    v = np.zeros_like(theta)
    u = np.zeros_like(theta)
    after_each_step = []
    for step, g in enumerate(grads):
        if g is not None:
            g = np.asarray(g, dtype=real)
            if maximize:
                g = -g
            g = g + weight_decay * theta
            v = rho * v + (1 - rho) * g**2
            delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
            u = rho * u + (1 - rho) * delta**2
            theta = theta - lr_of_step(lr, step) * delta
        after_each_step.append(theta)
    return after_each_step


def adagrad_reference(theta0, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                      eps=1e-10, maximize=False, foreach=None, real=np.float64):
    lr, lr_decay, weight_decay, tau, eps = as_reals(real, lr, lr_decay, weight_decay, initial_accumulator_value, eps)
    theta = np.array(theta0, dtype=real)
    s = np.full_like(theta, tau)
    t = 0
    after_each_step = []
    for step, g in enumerate(grads):
        if g is not None:
            g = np.asarray(g, dtype=real)
            t += 1
            if maximize:
                g = -g
            g = g + weight_decay * theta
            decayed_lr = lr_of_step(lr, step) / (1 + (t - 1) * lr_decay)
            s = s + g**2
            theta = theta - decayed_lr * g / (np.sqrt(s) + eps)
        after_each_step.append(theta)
    return after_each_step


def adamax_reference(theta0, grads, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False,
                     foreach=None, real=np.float64):
    lr, (beta1, beta2), eps, weight_decay = as_reals(real, lr, betas, eps, weight_decay)
    theta = np.array(theta0, dtype=real)
    m = np.zeros_like(theta)
    u = np.zeros_like(theta)
    t = 0
    after_each_step = []
    for step, g in enumerate(grads):
        if g is not None:
            g = np.asarray(g, dtype=real)
            t += 1
            if maximize:
                g = -g
            g = g + weight_decay * theta
            m = beta1 * m + (1 - beta1) * g
            u = np.maximum(beta2 * u, np.abs(g) + eps)
            theta = theta - lr_of_step(lr, step) * m / ((1 - beta1**t) * u)
        after_each_step.append(theta)
    return after_each_step


def radam_reference(theta0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                    decoupled_weight_decay=False, maximize=False, foreach=None, real=np.float64):
    lr, (beta1, beta2), eps, weight_decay = as_reals(real, lr, betas, eps, weight_decay)
    theta = np.array(theta0, dtype=real)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    rho_inf = 2 / (1 - beta2) - 1
    t = 0
    after_each_step = []
    for step, g in enumerate(grads):
        if g is not None:
            g = np.asarray(g, dtype=real)
            t += 1
            gamma = lr_of_step(lr, step)
            if maximize:
                g = -g
            if decoupled_weight_decay:
                theta = theta * (1 - gamma * weight_decay)
            else:
                g = g + weight_decay * theta
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g**2
            m_hat = m / (1 - beta1**t)
            rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
            if rho_t > 5:
                l_t = np.sqrt(1 - beta2**t) / (np.sqrt(v) + eps)
                r_t = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                theta = theta - gamma * m_hat * r_t * l_t
            else:
                theta = theta - gamma * m_hat
        after_each_step.append(theta)
    return after_each_step


def nadam_reference(theta0, grads, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                    decoupled_weight_decay=False, maximize=False, foreach=None, real=np.float64):
    lr, (beta1, beta2), eps, weight_decay, psi = as_reals(real, lr, betas, eps, weight_decay, momentum_decay)
    theta = np.array(theta0, dtype=real)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    mu_product = real(1)
    t = 0
    after_each_step = []
    for step, g in enumerate(grads):
        if g is not None:
            g = np.asarray(g, dtype=real)
            t += 1
            gamma = lr_of_step(lr, step)
            if maximize:
                g = -g
            if decoupled_weight_decay:
                theta = theta * (1 - gamma * weight_decay)
            else:
                g = g + weight_decay * theta
            mu = beta1 * (1 - real(0.5) * real(0.96) ** (t * psi))
            mu_next = beta1 * (1 - real(0.5) * real(0.96) ** ((t + 1) * psi))
            mu_product = mu_product * mu
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g**2
            m_hat = mu_next * m / (1 - mu_product * mu_next) + (1 - mu) * g / (1 - mu_product)
            theta = theta - gamma * m_hat / (np.sqrt(v / (1 - beta2**t)) + eps)
        after_each_step.append(theta)
    return after_each_step


# ------------------------------------------------------------------ strategies


def reals(low, high, **kwargs):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False, **kwargs)


def zero_or(strategy):
    return st.one_of(st.just(0.0), strategy)


# Valid ranges (lr, weight_decay, dampening and alpha in [0, 1], momentum in [0, 0.99], betas in
# [0, 1)); eps from 1e-10 up, since eps = 0 divides 0 by 0 when a gradient is all zeros.
epsilons = st.one_of(st.just(1e-8), reals(1e-10, 1e-1))
betas = st.one_of(st.just(0.9), st.just(0.999), reals(0.0, 1.0, exclude_max=True))


@st.composite
def sgd_hyper_parameters(draw):
    nesterov = draw(st.booleans())
    if nesterov:  # Nesterov needs a momentum and no dampening
        momentum, dampening = draw(reals(0.01, 0.99)), 0.0
    else:
        momentum, dampening = draw(zero_or(reals(0.0, 0.99))), draw(zero_or(reals(0.0, 1.0)))
    return dict(lr=draw(reals(0.0, 1.0)), momentum=momentum, dampening=dampening,
                weight_decay=draw(zero_or(reals(0.0, 1.0))), nesterov=nesterov, maximize=draw(st.booleans()))


rmsprop_hyper_parameters = st.fixed_dictionaries(dict(
    lr=reals(0.0, 1.0), alpha=st.one_of(st.just(0.99), reals(0.0, 1.0)), eps=epsilons,
    weight_decay=zero_or(reals(0.0, 1.0)), momentum=zero_or(reals(0.0, 0.99)), centered=st.booleans(),
    maximize=st.booleans(),
))
adamw_hyper_parameters = st.fixed_dictionaries(dict(
    lr=reals(0.0, 1.0), betas=st.tuples(betas, betas), eps=epsilons, weight_decay=zero_or(reals(0.0, 1.0)),
    amsgrad=st.booleans(), maximize=st.booleans(), foreach=st.sampled_from([None, True, False]),
))
adam_hyper_parameters = st.builds(dict, adamw_hyper_parameters, decoupled_weight_decay=st.booleans())
adadelta_hyper_parameters = st.fixed_dictionaries(dict(
    lr=st.one_of(st.just(1.0), reals(0.0, 2.0)), rho=st.one_of(st.just(0.9), reals(0.0, 1.0)), eps=epsilons,
    weight_decay=zero_or(reals(0.0, 1.0)), maximize=st.booleans(), foreach=st.sampled_from([None, True, False]),
))
adamax_hyper_parameters = st.fixed_dictionaries(dict(
    lr=reals(0.0, 1.0), betas=st.tuples(betas, betas), eps=epsilons, weight_decay=zero_or(reals(0.0, 1.0)),
    maximize=st.booleans(), foreach=st.sampled_from([None, True, False]),
))
radam_hyper_parameters = st.builds(dict, adamax_hyper_parameters, decoupled_weight_decay=st.booleans())
nadam_hyper_parameters = st.builds(dict, radam_hyper_parameters,
                                   momentum_decay=st.one_of(st.just(4e-3), reals(0.0, 0.5)))
adagrad_hyper_parameters = st.fixed_dictionaries(dict(
    lr=reals(0.0, 1.0), lr_decay=zero_or(reals(0.0, 1.0)), weight_decay=zero_or(reals(0.0, 1.0)),
    initial_accumulator_value=zero_or(reals(0.0, 1.0)), eps=epsilons, maximize=st.booleans(),
    foreach=st.sampled_from([None, True, False]),
))

OPTIMIZERS = {
    "SGD": (optim.SGD, sgd_reference, sgd_hyper_parameters()),
    "RMSprop": (optim.RMSprop, rmsprop_reference, rmsprop_hyper_parameters),
    "Adam": (optim.Adam, adam_reference, adam_hyper_parameters),
    "AdamW": (optim.AdamW, adamw_reference, adamw_hyper_parameters),
    "Adadelta": (optim.Adadelta, adadelta_reference, adadelta_hyper_parameters),
    "Adagrad": (optim.Adagrad, adagrad_reference, adagrad_hyper_parameters),
    "Adamax": (optim.Adamax, adamax_reference, adamax_hyper_parameters),
    "RAdam": (optim.RAdam, radam_reference, radam_hyper_parameters),
    "NAdam": (optim.NAdam, nadam_reference, nadam_hyper_parameters),
}
NAMES = list(OPTIMIZERS)


def values(shape, dtype=np.float64, scale=1.0):
    return hnp.arrays(dtype, shape, elements=reals(-5.0, 5.0, width=np.dtype(dtype).itemsize * 8)).map(
        lambda array: np.asarray(array * dtype(scale))  # a 0-d product is a NumPy scalar: keep an array
    )


@st.composite
def gradient_sequences(draw, shape, steps, dtype=np.float64, allow_none=True):
    """`steps` gradients of one parameter: mostly random (at one of three scales, to meet eps
    both ways), some all zeros and, if allowed, some None (the parameter skips that step)."""
    scale = draw(st.sampled_from([1.0, 1e-3, 1e2]))
    kinds = ["values", "values", "values", "zeros"] + (["none"] if allow_none else [])
    grads = []
    for _ in range(steps):
        kind = draw(st.sampled_from(kinds))
        if kind == "none":
            grads.append(None)
        elif kind == "zeros":
            grads.append(np.zeros(shape, dtype=dtype))
        else:
            grads.append(draw(values(shape, dtype, scale)))
    return grads


@st.composite
def parameters_with_gradients(draw, steps, dtype=np.float64, allow_none=True):
    """(initial value, gradient sequence) of one parameter of a drawn shape (0-d and size-1 dims included)."""
    shape = draw(shapes())
    return draw(values(shape, dtype)), draw(gradient_sequences(shape, steps, dtype, allow_none))


@st.composite
def problems(draw, hyper_parameters, dtype=np.float64, allow_none=True):
    """1 to 8 steps of one or two parameter groups, each with its own hyper-parameters and one or
    two parameters: a list of (hyper-parameters, [(initial value, gradients), ...])."""
    steps = draw(st.integers(1, 8))
    return [
        (draw(hyper_parameters), [draw(parameters_with_gradients(steps, dtype, allow_none))
                                  for _ in range(draw(st.integers(1, 2)))])
        for _ in range(draw(st.integers(1, 2)))
    ]


# ------------------------------------------------------------------ helpers


def leaf(array):
    """A parameter: a leaf tensor that requires grad, owning a copy of `array`."""
    return tg.tensor(np.array(array, copy=True), requires_grad=True)


def build(optimizer_class, problem, tensors):
    """One group: hyper-parameters as keyword arguments. Two groups: the first group's given in its
    dict, the second's as the constructor's defaults (which the second group inherits)."""
    if len(problem) == 1:
        return optimizer_class(tensors[0], **problem[0][0])
    (first, _), (second, _) = problem
    return optimizer_class([{"params": tensors[0], **first}, {"params": tensors[1]}], **second)


def set_gradients(problem, tensors, step):
    for (_, params), group in zip(problem, tensors):
        for (_, grads), tensor in zip(params, group):
            tensor.grad = None if grads[step] is None else tg.tensor(grads[step].copy())


def steps_of(problem):
    return len(problem[0][1][0][1])


def float64_references(reference, theta0, grads, hp):
    """The reference's float64 trajectory, for a well-conditioned example. Where float64 rounding
    alone moves it by more than 1e-14 from the same equations in extended precision
    (np.longdouble), two correct orderings of the arithmetic can disagree by more than 1e-12
    (say θ lands near 0 by cancellation, and the next step divides its gradient by a tiny
    √v + ε; or, centered with a small alpha, v − ḡ² is mostly rounding), so Hypothesis discards
    the example; so too where the equations overflow. (Where longdouble is float64, only
    overflows are discarded.)"""
    with np.errstate(all="ignore"):
        expected = reference(theta0, grads, **hp)
        precise = reference(theta0, grads, **hp, real=np.longdouble)
    assume(all(np.isfinite(a).all() and np.allclose(a, b, **CONDITIONING) for a, b in zip(expected, precise)))
    return expected


def arrays_of_state(state):
    return {name: value for name, value in state.items() if isinstance(value, np.ndarray)}


# ------------------------------------------------------------------ the equations


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_step_follows_the_documented_equations(name, data):
    optimizer_class, reference, hyper_parameters = OPTIMIZERS[name]
    problem = data.draw(problems(hyper_parameters))
    expected = [[float64_references(reference, theta0, grads, hp) for theta0, grads in params]
                for hp, params in problem]
    tensors = [[leaf(theta0) for theta0, _ in params] for _, params in problem]
    optimizer = build(optimizer_class, problem, tensors)
    for step in range(steps_of(problem)):
        set_gradients(problem, tensors, step)
        optimizer.step()
        for g, group in enumerate(tensors):
            for i, tensor in enumerate(group):
                np.testing.assert_allclose(tensor.numpy(), expected[g][i][step], **TOLERANCE,
                                           err_msg=f"group {g}, parameter {i}, after step {step + 1}")


@pytest.mark.parametrize(("hp", "expected"), [
    (dict(maximize=False, weight_decay=0.0), [0.5, -1.0]),
    (dict(maximize=True, weight_decay=0.0), [-0.5, 1.0]),
    (dict(maximize=False, weight_decay=0.1), [0.5 + 0.1 * 2.0, -1.0 + 0.1 * 3.0]),
    (dict(maximize=True, weight_decay=0.1), [-0.5 + 0.1 * 2.0, 1.0 + 0.1 * 3.0]),
    (dict(maximize=True, weight_decay=0.1, decoupled_weight_decay=True), [-0.5, 1.0]),
], ids=["plain", "maximize", "L2", "maximize+L2", "decoupled"])
def test_the_gradient_an_update_follows_is_negated_to_maximize_and_gets_l2_decay_unless_decoupled(hp, expected):
    grad, theta = np.array([0.5, -1.0]), np.array([2.0, 3.0])
    used = optim.Adam([leaf(theta)]).gradient(grad, theta, hp)
    np.testing.assert_allclose(used, expected, **TOLERANCE)
    assert np.array_equal(grad, [0.5, -1.0])


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_changing_a_groups_lr_between_steps_takes_effect(name, data):
    optimizer_class, reference, hyper_parameters = OPTIMIZERS[name]
    hp = data.draw(hyper_parameters)
    steps = data.draw(st.integers(2, 6))
    theta0, grads = data.draw(parameters_with_gradients(steps, allow_none=False))
    lrs = data.draw(st.lists(reals(0.0, 1.0), min_size=steps, max_size=steps))
    param = leaf(theta0)
    optimizer = optimizer_class([param], **hp)
    expected = float64_references(reference, theta0, grads, {**hp, "lr": lrs})
    for step, (lr, grad) in enumerate(zip(lrs, grads)):
        optimizer.param_groups[0]["lr"] = lr
        param.grad = tg.tensor(grad.copy())
        optimizer.step()
        np.testing.assert_allclose(param.numpy(), expected[step], **TOLERANCE, err_msg=f"after step {step + 1}")


@pytest.mark.parametrize("name", NAMES)
def test_a_0d_parameter_is_updated_like_a_one_element_one(name):
    """With every option on, a 0-d parameter follows the same path as a (1,)-shaped one and its
    state stays arrays. (NumPy arithmetic on 0-d arrays returns scalars; a state buffer that
    became one is no longer updated in place, which shows from the third step on.)"""
    optimizer_class, _, _ = OPTIMIZERS[name]
    hp = {"SGD": dict(lr=0.5, momentum=0.5, nesterov=True, weight_decay=0.1, maximize=True),
          "RMSprop": dict(lr=0.1, momentum=0.5, centered=True, weight_decay=0.1, maximize=True),
          "Adam": dict(lr=0.1, amsgrad=True, weight_decay=0.1, maximize=True),
          "AdamW": dict(lr=0.1, amsgrad=True, weight_decay=0.1, maximize=True),
          "Adadelta": dict(lr=0.5, rho=0.5, weight_decay=0.1, maximize=True),
          "Adagrad": dict(lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.1, maximize=True),
          "Adamax": dict(lr=0.1, weight_decay=0.1, maximize=True),
          "RAdam": dict(lr=0.1, betas=(0.5, 0.5), weight_decay=0.1, maximize=True),
          "NAdam": dict(lr=0.1, weight_decay=0.1, momentum_decay=0.1, maximize=True)}[name]
    scalar, vector = leaf(np.array(0.5)), leaf(np.array([0.5]))
    optimizers = optimizer_class([scalar], **hp), optimizer_class([vector], **hp)
    for grad in [1.0, 0.0, -2.0, 0.0]:
        scalar.grad, vector.grad = tg.tensor(np.array(grad)), tg.tensor(np.array([grad]))
        for optimizer in optimizers:
            optimizer.step()
        assert scalar.shape == ()
        np.testing.assert_allclose(scalar.numpy(), vector.numpy()[0], **TOLERANCE)
    numbers = ("step", *optimizers[0].number_state_keys)
    state = optimizers[0].state[scalar]
    assert all(isinstance(value, np.ndarray) for key, value in state.items() if key not in numbers)


# ------------------------------------------------------------------ how step treats parameters and gradients


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_float32_parameters_and_their_state_stay_float32(name, data):
    optimizer_class, _, hyper_parameters = OPTIMIZERS[name]
    problem = data.draw(problems(hyper_parameters, dtype=np.float32))
    tensors = [[leaf(theta0) for theta0, _ in params] for _, params in problem]
    optimizer = build(optimizer_class, problem, tensors)
    for step in range(steps_of(problem)):
        set_gradients(problem, tensors, step)
        with np.errstate(over="ignore", invalid="ignore"):  # float32 may overflow (g / eps, eps = 1e-10)
            optimizer.step()
        for tensor in (t for group in tensors for t in group):
            assert tensor.numpy().dtype == np.float32
            for key, array in arrays_of_state(optimizer.state.get(tensor, {})).items():
                assert array.dtype == np.float32, f"state {key!r} is {array.dtype}"


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), dtype=st.sampled_from([np.float32, np.float64]))
def test_step_updates_each_parameter_array_in_place(name, data, dtype):
    optimizer_class, _, hyper_parameters = OPTIMIZERS[name]
    problem = data.draw(problems(hyper_parameters, dtype=dtype))
    tensors = [[leaf(theta0) for theta0, _ in params] for _, params in problem]
    arrays = [[t.numpy() for t in group] for group in tensors]
    optimizer = build(optimizer_class, problem, tensors)
    for step in range(steps_of(problem)):
        set_gradients(problem, tensors, step)
        optimizer.step()
        for group, group_tensors, group_arrays in zip(optimizer.param_groups, tensors, arrays):
            assert all(a is b for a, b in zip(group["params"], group_tensors, strict=True))
            assert all(t.numpy() is a for t, a in zip(group_tensors, group_arrays))


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_step_never_writes_to_the_gradient(name, data):
    optimizer_class, _, hyper_parameters = OPTIMIZERS[name]
    problem = data.draw(problems(hyper_parameters, allow_none=False))
    tensors = [[leaf(theta0) for theta0, _ in params] for _, params in problem]
    optimizer = build(optimizer_class, problem, tensors)
    for step in range(steps_of(problem)):
        set_gradients(problem, tensors, step)
        grads = [t.grad for group in tensors for t in group]
        snapshots = [g.numpy().copy() for g in grads]
        optimizer.step()
        for tensor, grad, snapshot in zip((t for group in tensors for t in group), grads, snapshots):
            assert tensor.grad is grad
            assert np.array_equal(grad.numpy(), snapshot)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_a_parameter_without_gradient_is_left_untouched(name, data):
    optimizer_class, _, hyper_parameters = OPTIMIZERS[name]
    hp = data.draw(hyper_parameters)
    steps = data.draw(st.integers(1, 4))
    theta0, grads = data.draw(parameters_with_gradients(steps, allow_none=False))
    idle0 = data.draw(values(data.draw(shapes())))
    param, idle = leaf(theta0), leaf(idle0)
    optimizer = optimizer_class([param, idle], **hp)
    for grad in grads:
        param.grad = tg.tensor(grad.copy())
        optimizer.step()
    assert np.array_equal(idle.numpy(), idle0)
    assert idle.grad is None
    if optimizer_class is optim.Adagrad:  # its state starts at construction, as PyTorch's
        assert optimizer.state[idle]["step"] == 0
        assert np.array_equal(optimizer.state[idle]["sum"], np.full(idle.shape, hp["initial_accumulator_value"]))
    else:
        assert idle not in optimizer.state


def test_adagrad_gives_every_parameter_its_initial_state_at_construction_as_pytorch():
    params = [leaf(np.ones(2)), leaf(np.ones((2, 3), dtype=np.float32))]
    optimizer = optim.Adagrad(params, initial_accumulator_value=0.25)
    for param in params:
        state = optimizer.state[param]
        assert state["step"] == 0
        assert state["sum"].dtype == param.dtype and np.array_equal(state["sum"], np.full(param.shape, 0.25))


def test_adagrad_gives_a_parameter_added_later_its_initial_state_at_its_first_step():
    optimizer = optim.Adagrad([leaf(np.ones(2))])
    added = leaf(np.array([1.0, 2.0]))
    optimizer.add_param_group({"params": [added], "initial_accumulator_value": 9.0, "lr": 1.0})
    added.grad = tg.tensor(np.array([4.0, 0.0]))
    optimizer.step()
    assert optimizer.state[added]["step"] == 1
    np.testing.assert_allclose(added.numpy(), [1.0 - 4.0 / (5.0 + 1e-10), 2.0], **TOLERANCE)


# ------------------------------------------------------------------ version counters
#
# An update writes the parameter's array in place, so, as after PyTorch's in-place updates, a
# graph that saved the parameter before the step cannot backward through the new values.

VERSIONED = {**{name: (cls, {}) for name, (cls, _, _) in OPTIMIZERS.items()},
             "SGD momentum": (optim.SGD, {"momentum": 0.9}),
             "Adam foreach=True": (optim.Adam, {"foreach": True}),
             "Adam foreach=False": (optim.Adam, {"foreach": False})}


@pytest.mark.parametrize("name", VERSIONED)
def test_each_step_bumps_an_updated_parameters_version_by_one(name):
    optimizer_class, hp = VERSIONED[name]
    params = [leaf(np.ones(3)), leaf(np.ones((2, 2))), leaf(np.array(1.0))]
    optimizer = optimizer_class(params, **hp)
    for step in range(1, 4):
        for param in params:
            param.grad = tg.tensor(np.full(param.shape, 0.5))
        optimizer.step()
        assert [param._version for param in params] == [step] * 3


@pytest.mark.parametrize("name", VERSIONED)
def test_step_leaves_the_version_of_a_parameter_without_gradient(name):
    optimizer_class, hp = VERSIONED[name]
    updated, skipped = leaf(np.ones(3)), leaf(np.ones(3))
    optimizer = optimizer_class([updated, skipped], **hp)
    updated.grad = tg.tensor(np.ones(3))
    optimizer.step()
    assert (updated._version, skipped._version) == (1, 0)


def test_backward_through_a_graph_built_before_the_step_raises():
    weight = leaf(np.array([1.0, -2.0]))
    optimizer = optim.SGD([weight], lr=0.1)
    first, second = (weight * weight).sum(), (weight * weight).sum()  # both save the weight
    first.backward()
    optimizer.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        second.backward()


def test_a_graph_built_after_the_step_backwards():
    weight = leaf(np.array([1.0, -2.0]))
    optimizer = optim.SGD([weight], lr=0.1)
    (weight * weight).sum().backward()
    optimizer.step()
    optimizer.zero_grad()
    (weight * weight).sum().backward()
    np.testing.assert_allclose(weight.grad.numpy(), 2 * weight.numpy(), **TOLERANCE)


def test_zero_grad_sets_gradients_to_none_by_default():
    params = [leaf(np.ones(3)), leaf(np.ones((2, 2)))]
    optimizer = optim.SGD(params, lr=0.1)
    for p in params:
        p.grad = tg.tensor(np.full(p.shape, 2.0))
    optimizer.zero_grad()
    assert all(p.grad is None for p in params)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_zero_grad_without_set_to_none_fills_zeros_of_the_gradients_shape_and_dtype(dtype):
    with_grad, without_grad = leaf(np.ones((2, 3), dtype=dtype)), leaf(np.ones(4, dtype=dtype))
    optimizer = optim.Adam([with_grad, without_grad])
    with_grad.grad = tg.tensor(np.full((2, 3), 2.0, dtype=dtype))
    optimizer.zero_grad(set_to_none=False)
    assert with_grad.grad.dtype == dtype
    assert np.array_equal(with_grad.grad.numpy(), np.zeros((2, 3)))
    assert without_grad.grad is None


# ------------------------------------------------------------------ parameter groups


def test_each_param_group_keeps_its_hyper_parameters_and_defaults_fill_the_rest():
    fast, slow = leaf(np.array([1.0, 2.0])), leaf(np.array(3.0))
    optimizer = optim.SGD([{"params": [fast], "lr": 1.0, "momentum": 0.5}, {"params": slow}], lr=0.1, weight_decay=0.5)
    first, second = optimizer.param_groups
    assert (first["lr"], first["momentum"], first["weight_decay"]) == (1.0, 0.5, 0.5)
    assert (second["lr"], second["momentum"], second["weight_decay"]) == (0.1, 0.0, 0.5)
    assert first["params"] == [fast] and second["params"] == [slow]
    fast.grad, slow.grad = tg.tensor(np.array([1.0, -1.0])), tg.tensor(np.array(1.0))
    optimizer.step()
    np.testing.assert_allclose(fast.numpy(), [1.0 - 1.0 * (1.0 + 0.5), 2.0 - 1.0 * (-1.0 + 1.0)], **TOLERANCE)
    np.testing.assert_allclose(slow.numpy(), 3.0 - 0.1 * (1.0 + 1.5), **TOLERANCE)


# ------------------------------------------------------------------ state dicts


FRESH_HYPER_PARAMETERS = {"SGD": {"lr": 0.5}, "RMSprop": {}, "Adam": {}, "AdamW": {}, "Adadelta": {}, "Adagrad": {},
                          "Adamax": {}, "RAdam": {}, "NAdam": {}}
"""What the restored optimizer is built with: not the saved values, which load_state_dict restores."""


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_state_dict_round_trip_continues_bitwise_identically(name, data):
    optimizer_class, _, hyper_parameters = OPTIMIZERS[name]
    problem = data.draw(problems(hyper_parameters))
    steps = steps_of(problem)
    saved_at = data.draw(st.integers(0, steps))
    tensors = [[leaf(theta0) for theta0, _ in params] for _, params in problem]
    optimizer = build(optimizer_class, problem, tensors)
    restored_tensors = restored = None
    for step in range(steps):
        if step == saved_at:
            restored_tensors = [[leaf(t.numpy()) for t in group] for group in tensors]
            restored = optimizer_class([{"params": group} for group in restored_tensors],
                                       **FRESH_HYPER_PARAMETERS[name])
            restored.load_state_dict(optimizer.state_dict())
        set_gradients(problem, tensors, step)
        optimizer.step()
        if restored is not None:
            set_gradients(problem, restored_tensors, step)
            restored.step()
            for group, restored_group in zip(tensors, restored_tensors):
                for tensor, restored_tensor in zip(group, restored_group):
                    assert np.array_equal(restored_tensor.numpy(), tensor.numpy()), f"after step {step + 1}"
                    state, restored_state = optimizer.state.get(tensor, {}), restored.state.get(restored_tensor, {})
                    assert restored_state.keys() == state.keys()
                    for key in state:
                        assert np.array_equal(restored_state[key], state[key]), key


def test_state_dict_uses_pytorchs_layout():
    params = [leaf(np.ones(2)), leaf(np.ones(3))]
    optimizer = optim.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.5}], amsgrad=True)
    params[1].grad = tg.tensor(np.ones(3))
    optimizer.step()
    saved = optimizer.state_dict()
    assert [group["params"] for group in saved["param_groups"]] == [[0], [1]]
    assert [group["lr"] for group in saved["param_groups"]] == [1e-3, 0.5]
    assert list(saved["state"]) == [1]
    assert set(saved["state"][1]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}


def test_load_state_dict_casts_state_to_the_parameters_dtype():
    source = leaf(np.array([1.0, -2.0]))
    saving = optim.Adam([source], lr=0.1)
    source.grad = tg.tensor(np.array([0.5, 0.25]))
    saving.step()
    target = leaf(np.array([1.0, -2.0], dtype=np.float32))
    loading = optim.Adam([target])
    loading.load_state_dict(copy.deepcopy(saving.state_dict()))
    assert all(array.dtype == np.float32 for array in arrays_of_state(loading.state[target]).values())
    assert loading.param_groups[0]["lr"] == 0.1


def test_load_state_dict_rejects_a_different_number_of_groups():
    saved = optim.SGD([leaf(np.ones(2)), leaf(np.ones(2))], lr=0.1).state_dict()
    two_groups = optim.SGD([{"params": [leaf(np.ones(2))]}, {"params": [leaf(np.ones(2))]}], lr=0.1)
    with pytest.raises(ValueError):
        two_groups.load_state_dict(saved)


def test_load_state_dict_rejects_a_group_of_a_different_size():
    saved = optim.Adam([leaf(np.ones(2)), leaf(np.ones(2))]).state_dict()
    with pytest.raises(ValueError):
        optim.Adam([leaf(np.ones(2))]).load_state_dict(saved)


# ------------------------------------------------------------------ argument validation


ALL_CLASSES = (optim.SGD, optim.RMSprop, optim.Adam, optim.AdamW, optim.Adadelta, optim.Adagrad, optim.Adamax,
               optim.RAdam, optim.NAdam)


def constructors_with_a_negative(argument):
    return [(cls, {"lr": 0.1, argument: -0.1} if cls is optim.SGD else {argument: -0.1})
            for cls in ALL_CLASSES]


@pytest.mark.parametrize(("optimizer_class", "kwargs"), [
    *constructors_with_a_negative("lr"),
    *constructors_with_a_negative("weight_decay"),
    (optim.SGD, {"lr": 0.1, "momentum": -0.5}),
    (optim.RMSprop, {"momentum": -0.5}),
    (optim.RMSprop, {"alpha": -0.5}),
    (optim.RMSprop, {"eps": -1e-8}),
    (optim.Adam, {"eps": -1e-8}),
    *[(cls, {"lr": lr}) for cls in ALL_CLASSES
      for lr in ["abc", float("nan"), float("inf"), None]],
    (optim.SGD, {"lr": 0.1, "dampening": float("nan")}),
    (optim.SGD, {"lr": 0.1, "maximize": "yes"}),
    (optim.RMSprop, {"centered": 1}),
    (optim.Adam, {"amsgrad": None}),
    (optim.Adam, {"foreach": "yes"}),
    (optim.AdamW, {"foreach": 0}),
    (optim.Adam, {"betas": 0.9}),
    (optim.Adadelta, {"rho": -0.1}),
    (optim.Adadelta, {"rho": 1.5}),
    (optim.Adadelta, {"eps": -1e-6}),
    (optim.Adadelta, {"foreach": "yes"}),
    (optim.Adagrad, {"lr_decay": -0.1}),
    (optim.Adagrad, {"initial_accumulator_value": -0.1}),
    (optim.Adagrad, {"eps": -1e-10}),
    (optim.Adagrad, {"fused": "yes"}),
    (optim.Adagrad, {"fused": True, "foreach": True}),
    *[(cls, {"betas": (0.9, 1.0)}) for cls in (optim.Adamax, optim.RAdam, optim.NAdam)],
    (optim.NAdam, {"momentum_decay": -0.1}),
    *[(cls, {"capturable": True}) for cls in (optim.Adamax, optim.RAdam, optim.NAdam)],
    (optim.RAdam, {"decoupled_weight_decay": "yes"}),
    (optim.Adam, {"betas": (0.9, 0.99, 0.999)}),
    (optim.SGD, {"lr": 0.1, "nesterov": True}),
    (optim.SGD, {"lr": 0.1, "nesterov": True, "momentum": 0.9, "dampening": 0.1}),
    *[(cls, {"betas": betas}) for cls in (optim.Adam, optim.AdamW)
      for betas in [(-0.1, 0.999), (1.0, 0.999), (0.9, -0.1), (0.9, 1.0), (0.9, 1.5)]],
], ids=lambda value: value.__name__ if isinstance(value, type) else repr(value))
def test_constructor_rejects_an_invalid_hyper_parameter(optimizer_class, kwargs):
    with pytest.raises(ValueError):
        optimizer_class([leaf(np.ones(2))], **kwargs)


def test_constructor_names_every_invalid_hyper_parameter():
    with pytest.raises(ValueError) as error:
        optim.Adam([leaf(np.ones(2))], lr=-1.0, eps=-1e-8, betas=(0.9, 1.0))
    message = str(error.value)
    assert all(part in message for part in ["learning rate: -1.0", "epsilon value: -1e-08", "index 1: 1.0"])


@pytest.mark.parametrize(("optimizer_class", "group"), [
    (optim.SGD, {"lr": -0.1}),
    (optim.RMSprop, {"alpha": -0.5}),
    (optim.Adam, {"betas": (0.9, 1.5)}),
    (optim.AdamW, {"weight_decay": "abc"}),
], ids=lambda value: value.__name__ if isinstance(value, type) else repr(value))
def test_a_group_with_an_invalid_hyper_parameter_is_refused(optimizer_class, group):
    """Stricter than PyTorch, which checks only the constructor's arguments: a group's own
    value goes through the same checks."""
    with pytest.raises(ValueError, match="parameter group 1"):
        optimizer_class([{"params": [leaf(np.ones(2))]}, {"params": [leaf(np.ones(2))], **group}], lr=0.1)


@pytest.mark.parametrize(("optimizer_class", "kwargs", "complaint"), [
    (optim.Adadelta, {"capturable": True}, "capturable=True is for CUDA graphs"),
    (optim.Adadelta, {"differentiable": True}, "differentiable=True (backward through the optimizer step) is not"),
    (optim.Adagrad, {"differentiable": True}, "differentiable=True (backward through the optimizer step) is not"),
], ids=["Adadelta-capturable", "Adadelta-differentiable", "Adagrad-differentiable"])
def test_an_option_this_library_does_not_implement_is_refused_with_its_reason(optimizer_class, kwargs, complaint):
    with pytest.raises(ValueError, match=re.escape(complaint)):
        optimizer_class([leaf(np.ones(2))], **kwargs)


@pytest.mark.parametrize(("optimizer_class", "kwargs"), [
    (optim.Adadelta, dict(foreach=True, capturable=False, differentiable=False, maximize=True)),
    (optim.Adagrad, dict(foreach=False, fused=True, differentiable=False)),
], ids=["Adadelta", "Adagrad"])
def test_pytorchs_implementation_choices_are_accepted_and_kept_in_the_groups(optimizer_class, kwargs):
    group = optimizer_class([leaf(np.ones(2))], **kwargs).state_dict()["param_groups"][0]
    assert {key: group[key] for key in kwargs} == kwargs


@pytest.mark.parametrize(("optimizer_class", "defaults"), [
    (optim.Adadelta, dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, capturable=False,
                          maximize=False, differentiable=False)),
    (optim.Adagrad, dict(lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                         foreach=None, maximize=False, differentiable=False, fused=None)),
    (optim.Adamax, dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, maximize=False,
                        differentiable=False, capturable=False)),
    (optim.RAdam, dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                       foreach=None, maximize=False, capturable=False, differentiable=False)),
    (optim.NAdam, dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                       decoupled_weight_decay=False, foreach=None, maximize=False, capturable=False,
                       differentiable=False)),
], ids=["Adadelta", "Adagrad", "Adamax", "RAdam", "NAdam"])
def test_defaults_are_pytorchs(optimizer_class, defaults):
    assert optimizer_class([leaf(np.ones(2))]).defaults == defaults


def test_sgd_lr_defaults_to_1e_3_as_in_pytorch_2():
    assert optim.SGD([leaf(np.ones(2))]).param_groups[0]["lr"] == 1e-3


@pytest.mark.parametrize("optimizer_class", ALL_CLASSES)
def test_an_empty_parameter_list_raises(optimizer_class):
    with pytest.raises(ValueError):
        optimizer_class([], lr=0.1)


def test_a_non_leaf_tensor_raises():
    x = leaf(np.ones(2))
    with pytest.raises(ValueError):
        optim.SGD([x * 2], lr=0.1)


def test_a_parameter_twice_raises():
    x = leaf(np.ones(2))
    with pytest.raises(ValueError):
        optim.SGD([x, x], lr=0.1)
    with pytest.raises(ValueError):
        optim.SGD([{"params": [x]}, {"params": [x]}], lr=0.1)


def test_a_bare_tensor_instead_of_a_list_raises():
    with pytest.raises(TypeError):
        optim.SGD(leaf(np.ones(2)), lr=0.1)


def test_adam_flushes_moments_that_decayed_into_subnormals_to_zero():
    """A gradient that stops (a dead ReLU) leaves moments decaying geometrically; the flush
    every FLUSH_EVERY steps turns them from subnormal (slow for every later pass) into 0."""
    from tinygrad_np.optim.adam import FLUSH_EVERY

    params = [tg.tensor(np.ones(3, np.float32), requires_grad=True) for _ in range(2)]
    optimizer = optim.Adam(params, betas=(0.5, 0.5))
    tiny = np.finfo(np.float32).tiny
    for step in range(1, 4 * FLUSH_EVERY + 1):
        for param in params:
            param.grad = tg.tensor(np.full(3, 1e-3 if step == 1 else 0.0, np.float32))
        optimizer.step()
        moments = [optimizer.state[p][name] for p in params for name in ("exp_avg", "exp_avg_sq")]
        if step == 4 * FLUSH_EVERY - 1:
            assert all(((m != 0) & (np.abs(m) < tiny)).any() for m in moments[::2]), "m should be subnormal by now"
    assert all((m == 0).all() for m in moments)


# ------------------------------------------------------------------ Adam's foreach: two paths, one result


@pytest.mark.parametrize("optimizer_class", [optim.Adam, optim.AdamW])
@given(data=st.data())
def test_adams_single_and_multi_tensor_paths_give_bitwise_equal_parameters_and_state(optimizer_class, data):
    """foreach=False and foreach=True from the same start, over drawn groups, options (amsgrad,
    weight decay, maximize) and gradient sequences in which parameters skip steps."""
    hyper_parameters = adam_hyper_parameters if optimizer_class is optim.Adam else adamw_hyper_parameters
    problem = data.draw(problems(hyper_parameters.map(lambda hp: {k: v for k, v in hp.items() if k != "foreach"})))
    runs = {}
    for foreach in (False, True):
        tensors = [[leaf(theta0) for theta0, _ in params] for _, params in problem]
        optimizer = build(optimizer_class, [({**hp, "foreach": foreach}, params) for hp, params in problem], tensors)
        for step in range(steps_of(problem)):
            set_gradients(problem, tensors, step)
            with np.errstate(all="ignore"):
                optimizer.step()
        runs[foreach] = [(t.numpy(), optimizer.state.get(t, {})) for group in tensors for t in group]
    for (single, single_state), (multi, multi_state) in zip(runs[False], runs[True]):
        np.testing.assert_array_equal(multi, single)
        assert multi_state.keys() == single_state.keys()
        for key in single_state:
            np.testing.assert_array_equal(multi_state[key], single_state[key], err_msg=key)


def test_adams_multi_tensor_path_takes_parameters_of_several_dtypes():
    def run(foreach):
        params = [leaf(np.array([1.0, -2.0], dtype=dtype)) for dtype in (np.float32, np.float64, np.float32)]
        optimizer = optim.Adam(params, lr=0.1, amsgrad=True, foreach=foreach)
        for step in range(3):
            for param in params:
                param.grad = tg.tensor(np.array([0.5, step - 1.0], dtype=param.dtype))
            optimizer.step()
        return params

    for single, multi in zip(run(False), run(True)):
        assert multi.dtype == single.dtype
        np.testing.assert_array_equal(multi.numpy(), single.numpy())


def shares_a_buffer(optimizer, params):
    """Whether the parameters' exp_avg arrays are views into one buffer (the multi-tensor path's layout)."""
    bases = {id(optimizer.state[param]["exp_avg"].base) for param in params}
    return len(bases) == 1 and optimizer.state[params[0]]["exp_avg"].base is not None


@pytest.mark.parametrize(("foreach", "dtypes", "skip_first_step", "multi_tensor"), [
    (None, [np.float32, np.float32], False, True),
    (None, [np.float32], False, False),
    (None, [np.float32, np.float64], False, False),
    (None, [np.float32, np.float32], True, False),
    (True, [np.float32], False, True),
    (True, [np.float32, np.float32], True, True),
    (False, [np.float32, np.float32], False, False),
], ids=["None-two-alike", "None-one", "None-two-dtypes", "None-two-step-counts", "True-one", "True-two-step-counts",
        "False"])
def test_adams_foreach_chooses_the_path(foreach, dtypes, skip_first_step, multi_tensor):
    """None: the multi-tensor path for two or more parameters with gradients, of one dtype and
    one step count; True: always; False: never."""
    params = [leaf(np.ones(2, dtype=dtype)) for dtype in dtypes]
    optimizer = optim.Adam(params, foreach=foreach)
    for step in range(2):
        for number, param in enumerate(params):
            skips = skip_first_step and step == 0 and number == 0
            param.grad = None if skips else tg.tensor(np.ones(2, dtype=param.dtype))
        optimizer.step()
    assert shares_a_buffer(optimizer, params) == multi_tensor


@pytest.mark.parametrize("optimizer_class", [optim.Adam, optim.AdamW])
def test_foreach_is_a_group_hyper_parameter_saved_in_the_state_dict(optimizer_class):
    optimizer = optimizer_class([{"params": [leaf(np.ones(2))]}, {"params": [leaf(np.ones(2))], "foreach": True}],
                                foreach=False)
    assert [group["foreach"] for group in optimizer.state_dict()["param_groups"]] == [False, True]


# ------------------------------------------------------------------ parity with PyTorch
#
# Numbers from PyTorch 2.13 (float64 CPU tensors, default implementation): the parameter after
# each of four steps from THETA0 with the gradients GRADS (the second all zeros).

THETA0 = [0.5, -1.5, 2.0]
GRADS = [[0.1, -0.2, 0.3], [0.0, 0.0, 0.0], [-0.5, 0.4, 1.0], [0.3, 0.3, -0.7]]
PYTORCH = {
    "SGD nesterov": (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), [
        [0.48005, -1.45915, 1.9392],
        [0.470632905, -1.438962615, 1.90959552],
        [0.5566953619805, -1.4953731745315, 1.6910685365120002],
        [0.531517421689687, -1.56559653543174, 1.7158998571214275]]),
    "SGD dampening maximize": (optim.SGD, dict(lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.05,
                                               maximize=True), [
        [0.5075, -1.5125, 2.02],
        [0.5117237499999999, -1.5172062499999999, 2.02893],
        [0.4783117168749999, -1.4876610281249998, 2.0989727449999998],
        [0.4709079993659374, -1.4378180370265623, 2.0986605363925]]),
    "RMSprop centered momentum": (optim.RMSprop, dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.5,
                                                      centered=True), [
        [0.46666740739094686, -1.4666669841239608, 1.9666668888874075],
        [0.43933101360759913, -1.4360448468555966, 1.9367968542951852],
        [0.4564370483979454, -1.4397497939622523, 1.889336440948675],
        [0.4457923509817367, -1.4529149228953904, 1.8782299937696796]]),
    "RMSprop maximize": (optim.RMSprop, dict(lr=0.01, maximize=True), [
        [0.5999999000001, -1.599999950000025, 2.0999999666666778],
        [0.5999999000001, -1.599999950000025, 2.0999999666666778],
        [0.5019043040531825, -1.510378726897456, 2.195861374247694],
        [0.5528173936853709, -1.4544004000815691, 2.139947677046434]]),
    "Adam amsgrad weight_decay": (optim.Adam, dict(lr=0.05, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1,
                                                   amsgrad=True), [
        [0.4500003333311111, -1.4500001428567346, 1.9500000999998],
        [0.4081607919144741, -1.4055258818427396, 1.906030743065939],
        [0.43161555298084625, -1.3992581470501173, 1.8615202415140935],
        [0.4270550315223932, -1.4060090278137982, 1.841915316797193]]),
    "AdamW": (optim.AdamW, dict(lr=0.05, betas=(0.85, 0.99), weight_decay=0.2), [
        [0.4450000049999995, -1.4350000024999998, 1.9300000016666665],
        [0.4079793808028643, -1.3880793760189651, 1.8781293744243321],
        [0.4320101634165952, -1.3933738756288137, 1.820277906458775],
        [0.4310512215245318, -1.4094971203175466, 1.7937597011140323]]),
    "Adam decoupled_weight_decay (the same numbers as AdamW)": (
        optim.Adam, dict(lr=0.05, betas=(0.85, 0.99), weight_decay=0.2, decoupled_weight_decay=True), [
            [0.4450000049999995, -1.4350000024999998, 1.9300000016666665],
            [0.4079793808028643, -1.3880793760189651, 1.8781293744243321],
            [0.4320101634165952, -1.3933738756288137, 1.820277906458775],
            [0.4310512215245318, -1.4094971203175466, 1.7937597011140323]]),
    "AdamW amsgrad maximize": (optim.AdamW, dict(lr=0.05, weight_decay=0.2, amsgrad=True, maximize=True), [
        [0.5449999950000005, -1.5349999975, 2.0299999983333334],
        [0.5730361473760416, -1.5531361522182774, 2.043186153832356],
        [0.5410582712066545, -1.5206030678349207, 2.0607853035919788],
        [0.531859459828752, -1.477639252372187, 2.0498600298480394]]),
    "Adadelta weight_decay": (optim.Adadelta, dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1), [
        [0.4964683879298899, -1.4964651874107953, 1.9964648195944337],
        [0.4947362319526077, -1.4943094314780052, 1.9944269004936939],
        [0.4995912439020993, -1.4975817420114919, 1.9895777740762521],
        [0.49522185484284204, -1.499874928007123, 1.992341694369168]]),
    "Adadelta defaults maximize": (optim.Adadelta, dict(maximize=True), [
        [0.5031606977062051, -1.5031618824495614, 2.003162101992715],
        [0.5031606977062051, -1.5031618824495614, 2.003162101992715],
        [0.498871840286679, -1.4991872473620755, 2.0073701794585608],
        [0.5020637856963575, -1.495782574685388, 2.003898352281183]]),
    "Adagrad lr_decay initial_accumulator_value": (optim.Adagrad, dict(lr=0.1, lr_decay=0.2,
                                                                       initial_accumulator_value=0.05,
                                                                       weight_decay=0.1), [
        [0.4442913985675741, -1.4157299028602515, 1.9087129070991389],
        [0.4307243784414949, -1.3888433334664823, 1.8812901692140667],
        [0.49204819692693386, -1.4253703445591728, 1.8171020551999726],
        [0.4577615413099572, -1.4437882831885716, 1.8399123711999579]]),
    "Adagrad maximize": (optim.Adagrad, dict(lr=0.3, maximize=True), [
        [0.7999999997, -1.79999999985, 2.2999999999],
        [0.7999999997, -1.79999999985, 2.2999999999],
        [0.5058257970504163, -1.5316718426100253, 2.587347885438822],
        [0.6579535628758351, -1.3645460382817132, 2.42028085577521]]),
    "Adamax weight_decay": (optim.Adamax, dict(lr=0.1, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1), [
        [0.4000006666622222, -1.4000002857134695, 1.9000001999996],
        [0.33762288888201863, -1.3298250428438463, 1.8309944877186315],
        [0.36735486685579083, -1.3208748420551069, 1.7736604334986807],
        [0.36229602504199643, -1.333600186484638, 1.7495051310523855]]),
    "Adamax maximize": (optim.Adamax, dict(maximize=True), [
        [0.5019999998, -1.5019999999, 2.0019999999333336],
        [0.5029483164429588, -1.5029483165903745, 2.0029483166395132],
        [0.502329866270826, -1.5025092022102084, 2.0038656598037714],
        [0.5022400992738691, -1.501760852832705, 2.004109404563834]]),
    "RAdam decoupled maximize": (optim.RAdam, dict(lr=0.1, betas=(0.8, 0.7), weight_decay=0.2,
                                                   decoupled_weight_decay=True, maximize=True), [
        [0.5, -1.49, 1.99],
        [0.49444444444444446, -1.4690888888888889, 1.9635333333333334],
        [0.4666867030965392, -1.4285595701275045, 1.9731151256830601],
        [0.45569985250344314, -1.382454503386201, 1.942243609077258]]),
    "NAdam momentum_decay weight_decay": (optim.NAdam, dict(lr=0.1, betas=(0.85, 0.95), weight_decay=0.1,
                                                            momentum_decay=0.1), [
        [0.39213520604625046, -1.3921352019371156, 1.8921352010125603],
        [0.35606207322938616, -1.3436406397840817, 1.8452951145238035],
        [0.46311497137754004, -1.403081363536979, 1.7343508592058956],
        [0.3948186063843349, -1.4440055457315542, 1.7695000027240446]]),
    "NAdam decoupled maximize": (optim.NAdam, dict(lr=0.1, weight_decay=0.2, decoupled_weight_decay=True,
                                                   maximize=True), [
        [0.5956451672710221, -1.5756451725532803, 2.065645174314033],
        [0.590039364625975, -1.5504393702486787, 2.0306393721229132],
        [0.4688582092846684, -1.4214114493156955, 2.100027273707006],
        [0.5164034442558764, -1.3203698433354645, 1.9972571643898855]]),
}


@pytest.mark.parametrize("case", list(PYTORCH))
def test_matches_pytorch_on_a_fixed_sequence(case):
    optimizer_class, hp, expected = PYTORCH[case]
    param = leaf(np.array(THETA0))
    optimizer = optimizer_class([param], **hp)
    for step, (grad, after) in enumerate(zip(GRADS, expected)):
        param.grad = tg.tensor(np.array(grad))
        optimizer.step()
        np.testing.assert_allclose(param.numpy(), after, **TOLERANCE, err_msg=f"after step {step + 1}")


def test_matches_pytorch_when_a_parameter_skips_steps():
    """Adam(lr=0.1, amsgrad=True) on two parameters; the second has no gradient at steps 2 and 3,
    so its step count (hence its bias correction) stays at 1 until step 4, as in PyTorch."""
    param, skipping = leaf(np.array(THETA0)), leaf(np.array([1.0, -1.0]))
    optimizer = optim.Adam([param, skipping], lr=0.1, amsgrad=True)
    skipping_grads = [[0.5, -0.25], None, None, [0.1, 0.2]]
    expected = [[0.900000002, -0.9000000039999998]] * 3 + [[0.8196959063846518, -0.8941874995266317]]
    for grad, skipping_grad, after in zip(GRADS, skipping_grads, expected):
        param.grad = tg.tensor(np.array(grad))
        skipping.grad = None if skipping_grad is None else tg.tensor(np.array(skipping_grad))
        optimizer.step()
        np.testing.assert_allclose(skipping.numpy(), after, **TOLERANCE)
    assert optimizer.state[skipping]["step"] == 2


def test_radam_matches_pytorch_through_the_switch_to_rectified_steps():
    """RAdam(lr=0.1, betas=(0.9, 0.99), eps=1e-6, weight_decay=0.1): ρ_t passes 5 at step 6, so
    the first five steps are momentum SGD and the last three rectified Adam steps."""
    param = leaf(np.array(THETA0))
    optimizer = optim.RAdam([param], lr=0.1, betas=(0.9, 0.99), eps=1e-6, weight_decay=0.1)
    grads = GRADS + [[0.2, -0.1, 0.05], [1.0, 2.0, -3.0], [0.1, 0.1, 0.1], [-0.2, 0.5, 0.3]]
    expected = [
        [0.485, -1.465, 1.95],
        [0.4753421052631579, -1.4407105263157896, 1.9160526315789472],
        [0.48594416391532336, -1.4348278306467277, 1.8506612934550397],
        [0.4833268273097631, -1.435206960322997, 1.8192579533507185],
        [0.4752844872445713, -1.4295468725736848, 1.7898596340202035],
        [0.4706568259397434, -1.4331451779801319, 1.792185570206699],
        [0.4649306391440154, -1.4370260599097822, 1.7943003754523925],
        [0.4597359985659223, -1.4421127835395875, 1.7955799442362796],
    ]
    for step, (grad, after) in enumerate(zip(grads, expected)):
        param.grad = tg.tensor(np.array(grad))
        optimizer.step()
        np.testing.assert_allclose(param.numpy(), after, **TOLERANCE, err_msg=f"after step {step + 1}")


# ------------------------------------------------------------------ an optimizer written PyTorch's way


class HeavyBall(optim.Optimizer):
    """Momentum SGD as a PyTorch user writes a custom optimizer: Tensor methods under no_grad,
    its state created on the first step through `self.state[p]`."""

    def __init__(self, params, lr=0.1, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @tg.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["buf"] = tg.zeros_like(p)
                state["buf"].mul_(group["momentum"]).add_(p.grad)
                p.add_(state["buf"], alpha=-group["lr"])


def test_an_optimizer_written_pytorchs_way_steps_and_its_tensor_state_round_trips():
    weight = leaf(np.array([1.0, -2.0]))
    optimizer = HeavyBall([weight], lr=0.1, momentum=0.5)
    for _ in range(2):
        weight.grad = tg.tensor(np.array([1.0, 1.0]))
        optimizer.step()
    np.testing.assert_allclose(weight.numpy(), [1.0 - 0.1 - 0.15, -2.0 - 0.1 - 0.15], **TOLERANCE)
    restored_weight = leaf(weight.numpy())
    restored = HeavyBall([restored_weight], lr=0.1, momentum=0.5)
    restored.load_state_dict(copy.deepcopy(optimizer.state_dict()))
    assert isinstance(restored.state[restored_weight]["buf"], tg.Tensor)
    for param in (weight, restored_weight):
        param.grad = tg.tensor(np.array([1.0, 1.0]))
    optimizer.step()
    restored.step()
    np.testing.assert_array_equal(restored_weight.numpy(), weight.numpy())
