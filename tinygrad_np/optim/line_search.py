"""A line search that ends at a step satisfying the strong Wolfe conditions, for LBFGS.

Along a direction d from x, with φ(α) = f(x + α d) and φ'(α) = ∇f(x + α d) · d < 0 at α = 0,
a step α is accepted when

    φ(α) ≤ φ(0) + c₁ α φ'(0)        (sufficient decrease)
    |φ'(α)| ≤ −c₂ φ'(0)             (curvature: the slope has flattened)

with 0 < c₁ < c₂ < 1. The search is Nocedal & Wright's (Numerical Optimization, 2nd ed.,
Algorithm 3.5 to find an interval that holds such a step, 3.6 "zoom" to shrink it), each trial
step the minimizer of the cubic through the two last points' values and slopes, kept away from
the interval's ends (the safeguards of Schmidt's minFunc, which PyTorch's LBFGS follows), so
that LBFGS takes the same steps as PyTorch's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class Trial:
    """One evaluated step: α, φ(α), ∇f(x + α d) and φ'(α)."""

    t: float
    f: float
    g: np.ndarray
    slope: float


def cubic_minimizer(a: Trial, b: Trial, bounds: tuple[float, float] | None = None) -> float:
    """The minimizer of the cubic with a's and b's values and slopes, clipped to `bounds`
    (by default the interval between a and b); the middle of the bounds when the cubic has no
    minimizer (where PyTorch's division by zero for a concave parabola gives NaN). Nocedal &
    Wright (3.59), written from the larger of the two steps, `hi`:

        d₁ = φ'(lo) + φ'(hi) − 3 (φ(lo) − φ(hi)) / (lo − hi)
        d₂ = √(d₁² − φ'(lo) φ'(hi))
        α  = hi − (hi − lo) (φ'(hi) + d₂ − d₁) / (φ'(hi) − φ'(lo) + 2 d₂)
    """
    low, high = bounds if bounds is not None else (min(a.t, b.t), max(a.t, b.t))
    lo, hi = (a, b) if a.t <= b.t else (b, a)
    if lo.t == hi.t:
        return (low + high) / 2
    d1 = lo.slope + hi.slope - 3 * (lo.f - hi.f) / (lo.t - hi.t)
    square = d1 * d1 - lo.slope * hi.slope
    if square < 0:
        return (low + high) / 2
    d2 = math.sqrt(square)
    denominator = hi.slope - lo.slope + 2 * d2
    if denominator == 0:
        return (low + high) / 2
    t = hi.t - (hi.t - lo.t) * ((hi.slope + d2 - d1) / denominator)
    return min(max(t, low), high)


def strong_wolfe(evaluate: Callable[[float], tuple[float, np.ndarray]], d: np.ndarray, t: float, f: float,
                 g: np.ndarray, slope: float, c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9,
                 max_ls: int = 25) -> tuple[float, np.ndarray, float, int]:
    """(φ(α), ∇f(x + α d), α, evaluations) for a step α from the first guess `t`, where
    `evaluate(α)` returns f(x + α d) and its gradient, and f, g, slope are f(x), ∇f(x), φ'(0).

    Bracketing: step out (each guess the cubic's minimizer in [α + 0.01 (α − α_prev), 10 α])
    until φ rises above the sufficient-decrease line or above the previous trial, or the slope
    turns non-negative: the interval between the last two trials then holds an acceptable step.
    A trial meeting both conditions on the way ends the search. Zoom: try the cubic's
    minimizer between the ends (moved to 10% of the interval from an end when it falls closer,
    on the second time running or when outside), keeping at `low` the best trial meeting
    sufficient decrease and at `high` an end with φ'(low) (high − low) < 0, until a trial meets
    both conditions, the interval is shorter than tolerance_change / max|d|, or max_ls trials
    are spent. Returns the best trial (α = 0, nothing gained, when none was better)."""
    d_norm = float(np.abs(d).max())
    start = Trial(0.0, f, g, slope)

    def trial(step: float) -> Trial:
        value, gradient = evaluate(step)
        return Trial(step, value, gradient, float(gradient @ d))

    previous, current = start, trial(t)
    evaluations, iterations = 1, 0
    bracket: list[Trial] | None = None
    while iterations < max_ls:
        if current.f > f + c1 * current.t * slope or (iterations > 1 and current.f >= previous.f):
            bracket = [previous, current]
            break
        if abs(current.slope) <= -c2 * slope:
            return current.f, current.g, current.t, evaluations
        if current.slope >= 0:
            bracket = [previous, current]
            break
        bounds = (current.t + 0.01 * (current.t - previous.t), current.t * 10)
        previous, current = current, trial(cubic_minimizer(previous, current, bounds))
        evaluations += 1
        iterations += 1
    if bracket is None:  # max_ls trials, all still descending: the better of x and the last one
        bracket = [start, current]

    low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
    insufficient_progress = False
    while iterations < max_ls:
        if abs(bracket[1].t - bracket[0].t) * d_norm < tolerance_change:
            break
        t = cubic_minimizer(bracket[0], bracket[1])
        left, right = min(bracket[0].t, bracket[1].t), max(bracket[0].t, bracket[1].t)
        margin = 0.1 * (right - left)
        if min(right - t, t - left) < margin:
            if insufficient_progress or t >= right or t <= left:
                t = right - margin if abs(t - right) < abs(t - left) else left + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        new = trial(t)
        evaluations += 1
        iterations += 1
        if new.f > f + c1 * new.t * slope or new.f >= bracket[low].f:
            bracket[high] = new
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
            continue
        if abs(new.slope) <= -c2 * slope:
            return new.f, new.g, new.t, evaluations
        if new.slope * (bracket[high].t - bracket[low].t) >= 0:
            bracket[high] = bracket[low]
        bracket[low] = new
    best = bracket[low]
    return best.f, best.g, best.t, evaluations
