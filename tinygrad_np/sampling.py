"""Drawing category indices from rows of non-negative weights (`Tensor.multinomial`), on arrays.

With replacement, each draw inverts the row's cumulative sum at a uniform point: category i
is picked when Σ_{j<i} w_j <= u·Σw < Σ_{j<=i} w_j, with probability w_i / Σw (a zero weight
owns an empty interval). Without replacement, each category gets the key E_i / w_i with E_i
drawn from Exp(1), and the `num_samples` smallest keys win, in order: this picks category i
first with probability w_i / Σw, then the next among the rest in proportion to their weights,
exactly as drawing one at a time and removing it. Zero weights get infinite keys, so they
come after every positive one (as PyTorch, when more samples than positive weights are asked).
"""

from __future__ import annotations

import numpy as np


def multinomial(weights: np.ndarray, num_samples: int, replacement: bool, rng: np.random.Generator) -> np.ndarray:
    """int64 indices of shape weights.shape[:-1] + (num_samples,), drawn from each row of `weights`."""
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise TypeError(f"multinomial(): argument 'num_samples' must be int, not {type(num_samples).__name__}")
    if weights.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {weights.dtype}")
    if weights.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    rows = (weights[None] if weights.ndim == 1 else weights).astype(np.float64)
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    drawn = _with_replacement(rows, num_samples, rng) if replacement else _without_replacement(rows, num_samples, rng)
    return drawn.reshape(weights.shape[:-1] + (num_samples,))


def _with_replacement(rows: np.ndarray, num_samples: int, rng: np.random.Generator) -> np.ndarray:
    cumulative = np.cumsum(rows, axis=1)
    points = rng.random((rows.shape[0], num_samples)) * cumulative[:, -1:]
    drawn = np.stack([np.searchsorted(c, u, side="right") for c, u in zip(cumulative, points)]) if len(rows) else \
        np.zeros((0, num_samples), np.int64)
    # u·Σw < Σw, but rounding can reach Σw: such a draw belongs to the last positive weight
    last_positive = rows.shape[1] - 1 - np.argmax(rows[:, ::-1] > 0, axis=1)
    return np.minimum(drawn, last_positive[:, None]).astype(np.int64)


def _without_replacement(rows: np.ndarray, num_samples: int, rng: np.random.Generator) -> np.ndarray:
    with np.errstate(divide="ignore"):
        keys = rng.exponential(size=rows.shape) / rows
    return np.argsort(keys, axis=1, kind="stable")[:, :num_samples].astype(np.int64)
