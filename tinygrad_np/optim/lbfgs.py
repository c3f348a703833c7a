"""L-BFGS: quasi-Newton steps from the last few gradient differences, for full-batch problems."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..tensor import Tensor
from . import checks
from .line_search import strong_wolfe
from .optimizer import Optimizer, ParamsT

LINE_SEARCHES = (None, "strong_wolfe")
HISTORY = ("old_dirs", "old_stps", "ro")
"""The state's lists: the last gradient differences y, steps s and 1 / (y · s)."""
VECTORS = ("d", "prev_flat_grad")
NUMBERS = ("t", "H_diag", "prev_loss")


class LBFGS(Optimizer):
    """PyTorch's L-BFGS (Nocedal & Wright, Numerical Optimization, Algorithms 7.4 and 7.5) over
    all parameters as one flat vector x. `step(closure)` runs up to max_iter iterations, and
    the closure (zero the gradients, compute the loss, backward, return the loss) is how it
    evaluates f and g = ∇f wherever it needs to. Each iteration, with the pairs
    s = x_{k+1} − x_k, y = g_{k+1} − g_k of the last history_size iterations (a pair is kept
    only when y · s > 1e-10, so that the inverse-Hessian estimate stays positive definite):

        d ← −H g       H: the inverse-Hessian estimate, applied by the two-loop recursion
                       from H₀ = (y · s) / (y · y) I of the newest pair (I at the start)
        α ← min(1, 1 / Σ|g|) · lr  on the very first iteration, lr after
        x ← x + α d    α as is, or from line_search_fn="strong_wolfe" (see `line_search`)

    It stops when max|g| ≤ tolerance_grad, g · d > −tolerance_change (not a descent direction),
    max|α d| ≤ tolerance_change, the loss changes by less than tolerance_change, or after
    max_iter iterations or max_eval evaluations of the closure (max_iter · 5 / 4 by default).
    The history, direction and counters carry over to the next `step`. One parameter group,
    as in PyTorch; `step` returns the closure's first loss.
    """

    state_keys = ("func_evals", "n_iter", *VECTORS, *NUMBERS, *HISTORY, "al")

    def __init__(self, params: ParamsT, lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if max_eval is None and _is_count(max_iter):
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    def hyper_parameter_problems(self, group) -> list[str]:
        """lr, the tolerances >= 0 (PyTorch checks only lr); max_iter, max_eval, history_size
        positive integers; a known line search."""
        problems = [
            *checks.non_negative("learning rate", group["lr"]),
            *checks.non_negative("tolerance_grad", group["tolerance_grad"]),
            *checks.non_negative("tolerance_change", group["tolerance_change"]),
        ]
        problems += [f"Invalid {name}: {group[name]!r} (must be an integer >= 1)"
                     for name in ("max_iter", "max_eval", "history_size") if not _is_count(group[name])]
        if group["line_search_fn"] not in LINE_SEARCHES:
            problems.append(f"Invalid line_search_fn: {group['line_search_fn']!r}; only 'strong_wolfe' is supported "
                            "(or None: steps of lr)")
        return problems

    # ------------------------------------------------------------------ the flat vector x

    @property
    def _params(self) -> list[Tensor]:
        return self.param_groups[0]["params"]

    def _flat_grad(self) -> np.ndarray:
        """g: every parameter's gradient, flattened and joined (zeros where there is none)."""
        return np.concatenate([np.zeros(p._array.size, p._array.dtype) if p.grad is None else p.grad._array.ravel()
                               for p in self._params])

    def _add(self, step: float, direction: np.ndarray) -> None:
        """x ← x + step · direction, in place, each parameter's version bumped."""
        offset = 0
        for param in self._params:
            theta = param._array
            theta += step * direction[offset:offset + theta.size].reshape(theta.shape)
            offset += theta.size
            param._bump_version()

    def _set(self, arrays: list[np.ndarray]) -> None:
        for param, array in zip(self._params, arrays):
            param._array[...] = array
            param._bump_version()

    def _evaluate_along(self, evaluate, start: list[np.ndarray], direction: np.ndarray,
                        step: float) -> tuple[float, np.ndarray]:
        """f and g at x + step · direction, x being `start`; the parameters are put back to x."""
        self._add(step, direction)
        _, value, gradient = evaluate()
        self._set(start)
        return value, gradient

    # ------------------------------------------------------------------ the step

    def step(self, closure: Callable[[], Any] | None = None):
        """Run up to max_iter L-BFGS iterations; returns the loss the closure gave at the start."""
        if closure is None:
            raise TypeError("LBFGS.step needs a closure that clears the gradients, recomputes the loss, calls "
                            "backward() and returns the loss: optimizer.step(closure)")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]

        def evaluate() -> tuple[Any, float, np.ndarray]:
            with enable_grad():
                loss = closure()
            return loss, float(loss), self._flat_grad()

        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        first_loss, loss, flat_grad = evaluate()
        evaluations = 1
        state["func_evals"] += 1
        if np.abs(flat_grad).max() <= tolerance_grad:
            return first_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_flat_grad, prev_loss = state.get("H_diag"), state.get("prev_flat_grad"), state.get("prev_loss")
        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1.0
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = float(y @ s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        del old_dirs[0], old_stps[0], ro[0]
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / float(y @ y)
                d = _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            t = min(1.0, 1.0 / float(np.abs(flat_grad).sum())) * lr if state["n_iter"] == 1 else lr
            slope = float(flat_grad @ d)
            if slope > -tolerance_change:
                break

            if group["line_search_fn"] == "strong_wolfe":
                along = partial(self._evaluate_along, evaluate, [p._array.copy() for p in self._params], d)
                loss, flat_grad, t, line_evaluations = strong_wolfe(along, d, t, loss, flat_grad, slope)
                self._add(t, d)
                converged = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add(t, d)
                line_evaluations = 0
                converged = False
                if iteration != max_iter:  # re-evaluate, unless this is the last iteration
                    _, loss, flat_grad = evaluate()
                    converged = np.abs(flat_grad).max() <= tolerance_grad
                    line_evaluations = 1
            evaluations += line_evaluations
            state["func_evals"] += line_evaluations

            if (iteration == max_iter or evaluations >= max_eval or converged
                    or np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change):
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return first_loss

    # ------------------------------------------------------------------ state dicts

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's layout, the history's arrays as Tensors too (in new lists)."""
        saved = super().state_dict()
        for values in saved["state"].values():
            for name in HISTORY:
                if isinstance(values.get(name), list):
                    values[name] = [Tensor._make(v, None) if isinstance(v, np.ndarray) else v for v in values[name]]
        return saved

    def _restored(self, name: str, value, param: Tensor):
        """Arrays copied (in lists too), numbers as floats; PyTorch's scratch list 'al' is dropped
        by `load_state_dict`."""
        if name in ("func_evals", "n_iter"):
            return int(_number(value))
        if name in NUMBERS:
            return float(_number(value))
        if name in HISTORY:
            return [float(_number(v)) if name == "ro" else np.array(_array(v)) for v in value]
        if name in VECTORS:
            return np.array(_array(value))
        return value

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        for values in self.state.values():
            values.pop("al", None)

    def _state_problems(self, values, param, group, group_valid) -> list[str]:
        """Known keys; counts integers >= 0; the direction and gradient, and every entry of the
        history, vectors with one element per parameter element; numbers where numbers go."""
        size = sum(p._array.size for p in self._params)
        problems = []
        if unknown := [name for name in values if name not in self.state_keys]:
            problems.append(f"{', '.join(map(repr, unknown))} not in LBFGS's state, which keeps "
                            f"{', '.join(map(repr, self.state_keys))} (another optimizer's state dict?)")
        if values.get("n_iter") and (missing := [n for n in (*VECTORS, *NUMBERS, *HISTORY) if n not in values]):
            problems.append(f"no {', '.join(map(repr, missing))}, which a state after an iteration needs")
        for name, value in values.items():
            if name in ("func_evals", "n_iter"):
                problems += [f"{name!r} {problem}" for problem in checks.step_count(value)]
            elif name in VECTORS and value is not None:
                problems += [f"{name!r} {problem}" for problem in checks.state_array(value, (size,))]
            elif name in NUMBERS and value is not None and not checks.is_real(_number(value)):
                problems.append(f"{name!r} must be a number, not {type(value).__name__}")
            elif name in HISTORY:
                if not isinstance(value, list | tuple):
                    problems.append(f"{name!r} must be a list, not {type(value).__name__}")
                elif name == "ro":
                    if not all(checks.is_real(_number(v)) for v in value):
                        problems.append("'ro' must hold numbers")
                else:
                    problems += [f"{name!r}[{i}] {problem}" for i, v in enumerate(value)
                                 for problem in checks.state_array(v, (size,))]
        if all(isinstance(values.get(name), list | tuple) for name in HISTORY):
            if len({len(values[name]) for name in HISTORY}) != 1:
                problems.append("'old_dirs', 'old_stps' and 'ro' must be as long as each other")
        return problems


def _two_loop(g: np.ndarray, old_dirs: list[np.ndarray], old_stps: list[np.ndarray], ro: list[float],
              h_diag: float) -> np.ndarray:
    """−H g by the two-loop recursion (Nocedal & Wright, Algorithm 7.4), newest pair last:

        q ← −g;  for i newest to oldest:  a_i ← ρ_i s_i · q,  q ← q − a_i y_i
        r ← H₀ q;  for i oldest to newest:  b ← ρ_i y_i · r,  r ← r + (a_i − b) s_i
    """
    q = -g
    alphas = [0.0] * len(old_dirs)
    for i in range(len(old_dirs) - 1, -1, -1):
        alphas[i] = float(old_stps[i] @ q) * ro[i]
        q -= alphas[i] * old_dirs[i]
    r = q * h_diag
    for i in range(len(old_dirs)):
        beta = float(old_dirs[i] @ r) * ro[i]
        r += (alphas[i] - beta) * old_stps[i]
    return r


def _is_count(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= 1


def _number(value):
    """A number from a Python or NumPy number, or a one-element Tensor or array (as PyTorch saves them)."""
    if isinstance(value, Tensor):
        value = value._array
    if isinstance(value, np.ndarray) and value.size == 1:
        return value.reshape(()).item()
    return value


def _array(value) -> np.ndarray:
    return value._array if isinstance(value, Tensor) else np.asarray(value)
