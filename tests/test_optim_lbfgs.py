"""LBFGS and its strong-Wolfe line search: PyTorch's iterates, the quasi-Newton direction
against the BFGS update written out as matrices, the line search's conditions, the step's
stopping rules, and argument checks and state dicts.
"""

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_np as tg
from tinygrad_np import optim
from tinygrad_np.optim.lbfgs import _two_loop
from tinygrad_np.optim.line_search import Trial, cubic_minimizer, strong_wolfe


def leaf(values, dtype=np.float64):
    return tg.tensor(np.array(values, dtype=dtype), requires_grad=True)


def rosenbrock_problem(**hp):
    """Rosenbrock's function of (x₀, x₁) plus a term coupling a second parameter y:
    (1 − x₀)² + 100 (x₁ − x₀²)² + (y₀ − 1)² (x₀ + 2)², from x = (−1.2, 1), y = 0.5."""
    x, y = leaf([-1.2, 1.0]), leaf([0.5])
    optimizer = optim.LBFGS([x, y], **hp)

    def closure():
        optimizer.zero_grad()
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2 + (y[0] - 1.0) ** 2 * (x[0] + 2.0) ** 2
        loss.backward()
        return loss

    return optimizer, closure, [x, y]


A = [[1.0, 2.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, -1.0], [2.0, 1.0, 1.0], [0.0, -1.0, 1.0], [1.0, 1.0, 0.5]]
B = [[1.0, 0.0], [2.0, 1.0], [0.0, -1.0], [3.0, 1.0], [1.0, 2.0], [-1.0, 0.5]]


def least_squares_problem(dtype=np.float64, **hp):
    """mean((A W + b − B)²) over W (3×2) and b (2), from zeros."""
    W, b = leaf(np.zeros((3, 2)), dtype), leaf(np.zeros(2), dtype)
    inputs, targets = tg.tensor(np.array(A, dtype)), tg.tensor(np.array(B, dtype))
    optimizer = optim.LBFGS([W, b], **hp)

    def closure():
        optimizer.zero_grad()
        loss = ((inputs @ W + b - targets) ** 2).mean()
        loss.backward()
        return loss

    return optimizer, closure, [W, b]


def flat(params):
    return np.concatenate([p.numpy().ravel() for p in params])


# ------------------------------------------------------------------ PyTorch 2.13's iterates
# (float64): per step() call, the loss it returned, the parameters after it, and the state's
# n_iter and func_evals.

ROSENBROCK = {
    "strong_wolfe": (dict(line_search_fn="strong_wolfe"), [
        (24.359999999999996, [0.043119470556393646, -0.013828473126104388, 1.0218055330601616], 20, 24),
        (0.9422157540163396, [0.9999521723581317, 0.9999037282349257, 0.9999948224954038], 40, 48),
        (2.5670221041590153e-09, [1.0000005780516115, 1.000001096681509, 1.0000010905713332], 42, 50),
    ]),
    "fixed steps of lr": (dict(lr=0.5), [
        (24.359999999999996, [-0.6586644182456753, 0.40593319223542945, 1.0390668297569075], 20, 20),
        (2.8317859765413957, [0.7234750746197623, 0.5172884739605141, 0.999635966520084], 40, 40),
        (0.08022189983987323, [0.9999712400278762, 0.9999409785956906, 0.9999996366814681], 60, 60),
    ]),
    "strong_wolfe, history of 2": (dict(line_search_fn="strong_wolfe", history_size=2, max_iter=7), [
        (24.359999999999996, [-0.9938246942508562, 0.9656095085512002, 0.5660374290130391], 6, 8),
        (4.214737388342766, [-0.3717257361139852, 0.171420437298759, 1.1818446606881212], 12, 16),
        (2.079795063538901, [0.22710239185827613, 0.06960161033646732, 0.9043607869703585], 17, 24),
    ]),
}

LEAST_SQUARES = {
    "strong_wolfe": (dict(line_search_fn="strong_wolfe", max_iter=4), [
        (1.9375, [[0.3657048874734433, -0.11226933218116411], [0.06388948377872533, -0.29740226451598295],
                  [0.9399872477497905, 1.1377436035496271]], [0.3017677879548395, 0.4124433129619692], 4, 5),
        (0.5507861700187923, [[0.534689343195536, -0.10136882907992739], [0.0526992094444959, -0.2761426757307309],
                              [1.0355621338158698, 1.1498713489626466]], [0.08757205882336265, 0.37270349362798044],
         8, 10),
    ]),
    "fixed steps, history of 3": (dict(lr=0.2, max_iter=6, history_size=3), [
        (1.9375, [[0.2638706941952204, -0.0346011039318104], [0.09923889975703311, -0.156022980008886],
                  [0.5578242358414224, 0.6633574297613951]], [0.2591917883034596, 0.27007160805809044], 6, 6),
        (0.7227939987296982, [[0.4026926760135469, -0.09190872225791331], [0.07188545716570027, -0.2490306963884426],
                              [0.8823809573454912, 1.02564008591605]], [0.2075039459275609, 0.35905515372748], 12, 12),
    ]),
}


@pytest.mark.parametrize("case", list(ROSENBROCK))
def test_rosenbrock_iterates_match_pytorch(case):
    hp, expected = ROSENBROCK[case]
    optimizer, closure, params = rosenbrock_problem(**hp)
    for call, (loss, after, n_iter, func_evals) in enumerate(expected):
        returned = optimizer.step(closure)
        np.testing.assert_allclose(returned.item(), loss, rtol=1e-9, atol=1e-15, err_msg=f"step call {call + 1}")
        np.testing.assert_allclose(flat(params), after, rtol=1e-9, atol=1e-12, err_msg=f"step call {call + 1}")
        state = optimizer.state[params[0]]
        assert (state["n_iter"], state["func_evals"]) == (n_iter, func_evals)


@pytest.mark.parametrize("case", list(LEAST_SQUARES))
def test_least_squares_iterates_match_pytorch(case):
    hp, expected = LEAST_SQUARES[case]
    optimizer, closure, (W, b) = least_squares_problem(**hp)
    for loss, W_after, b_after, n_iter, func_evals in expected:
        np.testing.assert_allclose(optimizer.step(closure).item(), loss, rtol=1e-12)
        np.testing.assert_allclose(W.numpy(), W_after, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(b.numpy(), b_after, rtol=1e-10, atol=1e-12)
        assert (optimizer.state[W]["n_iter"], optimizer.state[W]["func_evals"]) == (n_iter, func_evals)


def test_strong_wolfe_reaches_the_least_squares_solution():
    optimizer, closure, (W, b) = least_squares_problem(line_search_fn="strong_wolfe", max_iter=100,
                                                       tolerance_grad=1e-12, tolerance_change=1e-15)
    optimizer.step(closure)
    design = np.hstack([np.array(A), np.ones((6, 1))])
    solution = np.linalg.lstsq(design, np.array(B), rcond=None)[0]
    np.testing.assert_allclose(np.vstack([W.numpy(), b.numpy()]), solution, atol=1e-9)


# ------------------------------------------------------------------ the direction


def bfgs_inverse_hessian(pairs, h0):
    """H from H₀ = h0 I by the BFGS update, oldest pair first:
    H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1 / (y · s) (Nocedal & Wright (6.17))."""
    n = len(pairs[0][0])
    H = h0 * np.eye(n)
    for s, y in pairs:
        rho = 1.0 / (y @ s)
        H = (np.eye(n) - rho * np.outer(s, y)) @ H @ (np.eye(n) - rho * np.outer(y, s)) + rho * np.outer(s, s)
    return H


@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_two_loop_recursion_is_minus_the_bfgs_inverse_hessian_times_the_gradient(n, pairs, seed):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(n, n))
    hessian = M @ M.T + n * np.eye(n)  # y = hessian s: y · s > 0 for every pair
    steps = [rng.normal(size=n) for _ in range(pairs)]
    history = [(s, hessian @ s) for s in steps]
    g = rng.normal(size=n)
    h0 = 0.7
    direction = _two_loop(g, [y for _, y in history], [s for s, _ in history], [1 / (y @ s) for s, y in history], h0)
    np.testing.assert_allclose(direction, -bfgs_inverse_hessian(history, h0) @ g, rtol=1e-8, atol=1e-10)


def test_the_history_keeps_the_last_history_size_pairs():
    optimizer, closure, params = rosenbrock_problem(line_search_fn="strong_wolfe", history_size=3, max_iter=10)
    optimizer.step(closure)
    state = optimizer.state[params[0]]
    assert len(state["old_dirs"]) == len(state["old_stps"]) == len(state["ro"]) == 3


# ------------------------------------------------------------------ the line search


def test_cubic_minimizer_finds_a_cubics_minimum():
    """φ(α) = (α − 1)³ − 3 (α − 1) + 2 has its local minimum at α = 2."""
    def point(t):
        return Trial(t, (t - 1) ** 3 - 3 * (t - 1) + 2, np.zeros(1), 3 * (t - 1) ** 2 - 3)

    assert cubic_minimizer(point(1.5), point(3.0)) == pytest.approx(2.0, rel=1e-12)
    assert cubic_minimizer(point(3.0), point(1.5)) == pytest.approx(2.0, rel=1e-12)


def test_cubic_minimizer_clips_to_the_bounds():
    def point(t):
        return Trial(t, (t - 1) ** 3 - 3 * (t - 1) + 2, np.zeros(1), 3 * (t - 1) ** 2 - 3)

    assert cubic_minimizer(point(1.5), point(3.0), bounds=(2.5, 4.0)) == 2.5


@pytest.mark.parametrize("points", [
    [Trial(0.0, 0.0, np.zeros(1), 2.0), Trial(1.0, 1.0, np.zeros(1), 2.0)],  # d₁² < φ'(0) φ'(1)
    [Trial(0.0, 0.0, np.zeros(1), 0.0), Trial(1.0, -1.0, np.zeros(1), -2.0)],  # the parabola −α²
], ids=["no real critical point", "concave parabola"])
def test_cubic_minimizer_without_a_minimizer_gives_the_middle_of_the_bounds(points):
    assert cubic_minimizer(*points, bounds=(0.0, 4.0)) == 2.0


@given(st.floats(0.05, 20.0), st.floats(0.1, 3.0), st.booleans(), st.floats(1e-3, 50.0))
def test_strong_wolfe_returns_a_step_meeting_both_conditions(curvature, distance, left, first_guess):
    """On f(x) = x⁴/4 + c x²/2 along d = −f'(x₀), from x₀ = ±distance."""
    def f_and_g(x):
        return x**4 / 4 + curvature * x**2 / 2, np.array([x**3 + curvature * x])

    start = -distance if left else distance
    f0, g0 = f_and_g(start)
    d = -g0
    slope = float(g0 @ d)
    f, g, t, _ = strong_wolfe(lambda step: f_and_g(start + step * d[0]), d, first_guess, f0, g0, slope)
    assert f <= f0 + 1e-4 * t * slope
    assert abs(float(g @ d)) <= -0.9 * slope


# ------------------------------------------------------------------ the step


def test_step_needs_a_closure():
    optimizer, _, _ = rosenbrock_problem()
    with pytest.raises(TypeError, match="needs a closure"):
        optimizer.step()


def test_step_returns_the_closures_first_loss():
    optimizer, closure, _ = rosenbrock_problem()
    first = closure().item()
    assert optimizer.step(closure).item() == first


def test_step_at_a_minimum_returns_at_once_without_moving():
    x = leaf([1.0, 1.0])
    optimizer = optim.LBFGS([x])
    calls = []

    def closure():
        calls.append(1)
        optimizer.zero_grad()
        loss = ((x - 1.0) ** 2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    assert np.array_equal(x.numpy(), [1.0, 1.0]) and len(calls) == 1 and optimizer.state[x]["n_iter"] == 0


def test_max_eval_defaults_to_five_quarters_of_max_iter():
    assert optim.LBFGS([leaf([1.0])], max_iter=10).param_groups[0]["max_eval"] == 12
    assert optim.LBFGS([leaf([1.0])]).param_groups[0]["max_eval"] == 25


def test_the_closure_runs_with_gradient_recording_on_inside_no_grad():
    optimizer, closure, params = rosenbrock_problem(max_iter=2)
    with tg.no_grad():
        optimizer.step(closure)
    assert params[0].grad is not None


def test_float32_parameters_and_the_state_stay_float32():
    optimizer, closure, (W, b) = least_squares_problem(np.float32, line_search_fn="strong_wolfe")
    loss = optimizer.step(closure).item()
    state = optimizer.state[W]
    assert W.dtype == np.float32 and state["d"].dtype == np.float32 and state["prev_flat_grad"].dtype == np.float32
    assert closure().item() < loss


def test_a_parameter_without_gradient_is_left_where_it_is():
    x, idle = leaf([3.0]), leaf([5.0])
    optimizer = optim.LBFGS([x, idle], line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = ((x - 1.0) ** 2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    assert idle.numpy()[0] == 5.0 and x.numpy()[0] == pytest.approx(1.0)


def test_every_update_bumps_the_parameters_versions():
    """Without a line search, each iteration moves the parameters once."""
    optimizer, closure, params = rosenbrock_problem(lr=0.1, max_iter=3, max_eval=10)
    optimizer.step(closure)
    assert optimizer.state[params[0]]["n_iter"] == 3
    assert [param._version for param in params] == [3, 3]


# ------------------------------------------------------------------ arguments


def test_defaults_are_pytorchs():
    assert optim.LBFGS([leaf([1.0])]).defaults == dict(
        lr=1, max_iter=20, max_eval=25, tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100,
        line_search_fn=None)


@pytest.mark.parametrize("kwargs", [
    dict(lr=-1.0), dict(max_iter=0), dict(max_iter=2.5), dict(max_eval=0), dict(history_size=0),
    dict(tolerance_grad=-1.0), dict(tolerance_change=float("nan")), dict(line_search_fn="backtracking"),
], ids=repr)
def test_an_invalid_argument_is_refused(kwargs):
    with pytest.raises(ValueError):
        optim.LBFGS([leaf([1.0])], **kwargs)


def test_an_unknown_line_search_is_refused_naming_the_one_there_is():
    with pytest.raises(ValueError, match="only 'strong_wolfe' is supported"):
        optim.LBFGS([leaf([1.0])], line_search_fn="backtracking")


def test_parameter_groups_are_refused_as_in_pytorch():
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [leaf([1.0])]}, {"params": [leaf([2.0])], "lr": 0.1}])
    optimizer = optim.LBFGS([leaf([1.0])])
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optimizer.add_param_group({"params": [leaf([2.0])]})


# ------------------------------------------------------------------ state dicts


@pytest.mark.parametrize("through", ["a copy", "a checkpoint file"])
def test_state_dict_round_trip_continues_identically(through, tmp_path):
    optimizer, closure, params = rosenbrock_problem(line_search_fn="strong_wolfe", max_iter=5)
    optimizer.step(closure)
    if through == "a copy":
        saved = copy.deepcopy(optimizer.state_dict())
    else:
        tg.save(optimizer.state_dict(), tmp_path / "lbfgs.npz")
        saved = tg.load(tmp_path / "lbfgs.npz")
    restored, restored_closure, restored_params = rosenbrock_problem(line_search_fn="strong_wolfe", max_iter=5)
    for param, source in zip(restored_params, params):
        param.numpy()[...] = source.numpy()
    restored.load_state_dict(saved)
    for _ in range(2):
        optimizer.step(closure)
        restored.step(restored_closure)
        assert np.array_equal(flat(restored_params), flat(params))
    assert restored.state[restored_params[0]]["n_iter"] == optimizer.state[params[0]]["n_iter"]


def test_state_dict_gives_the_history_as_tensors_in_new_lists():
    optimizer, closure, params = rosenbrock_problem(max_iter=4)
    optimizer.step(closure)
    saved = optimizer.state_dict()["state"][0]
    assert all(isinstance(v, tg.Tensor) for v in saved["old_dirs"] + saved["old_stps"] + [saved["d"]])
    assert saved["old_dirs"] is not optimizer.state[params[0]]["old_dirs"]


def pytorch_state_dict():
    """A PyTorch 2 LBFGS state dict with its tensors converted by .numpy(): t, ro and H_diag as
    0-d arrays, and the scratch list 'al'."""
    d, g = np.array([0.5, -0.25, 0.0]), np.array([-1.0, 0.5, 0.0])
    state = dict(func_evals=5, n_iter=4, d=d, t=np.array(0.5), old_dirs=[np.array([1.0, 0.5, 0.0])],
                 old_stps=[np.array([0.25, 0.1, 0.0])], ro=[np.array(3.0)], H_diag=np.array(0.4),
                 prev_flat_grad=g, prev_loss=2.5, al=[None] * 100)
    group = dict(lr=1, max_iter=20, max_eval=25, tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100,
                 line_search_fn=None, params=[0, 1])
    return {"state": {0: state}, "param_groups": [group]}


def test_a_pytorch_state_dict_loads():
    optimizer, _, params = rosenbrock_problem()
    optimizer.load_state_dict(pytorch_state_dict())
    state = optimizer.state[params[0]]
    assert "al" not in state and state["n_iter"] == 4 and state["t"] == 0.5 and state["ro"] == [3.0]
    assert isinstance(state["H_diag"], float) and isinstance(state["d"], np.ndarray)


@pytest.mark.parametrize(("edit", "complaint"), [
    (lambda s: s.update(d=np.zeros(2)), "'d' has shape (2,), its parameter (3,)"),
    (lambda s: s.update(old_stps=[]), "must be as long as each other"),
    (lambda s: s.pop("prev_flat_grad"), "no 'prev_flat_grad'"),
    (lambda s: s.update(n_iter=-1), "'n_iter' must be an integer >= 0"),
    (lambda s: s.update(exp_avg=np.zeros(3)), "not in LBFGS's state"),
    (lambda s: s.update(t="half"), "'t' must be a number"),
], ids=["vector size", "history lengths", "missing vector", "negative count", "another optimizer's", "number"])
def test_an_invalid_state_dict_is_refused(edit, complaint):
    state_dict = pytorch_state_dict()
    edit(state_dict["state"][0])
    optimizer, _, _ = rosenbrock_problem()
    with pytest.raises(ValueError, match=complaint.replace("(", r"\(").replace(")", r"\)")):
        optimizer.load_state_dict(state_dict)
