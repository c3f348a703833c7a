"""Check analytic gradients against central finite differences, in float64.

gradcheck compares the whole Jacobian, column by column (one backward per output element),
and once more along a random upstream direction; gradgradcheck applies gradcheck to the
function that computes the first-order gradients with `create_graph=True`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .differentiate import grad


class GradcheckError(RuntimeError):
    """Analytic and numeric derivatives disagree; the message says where."""


def gradcheck(fn: Callable, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """True if fn's analytic Jacobian matches central differences (f(x+ε) - f(x-ε)) / 2ε.

    Checks every input that requires grad (they must be float64); raises `GradcheckError`
    naming the input, index, analytic and numeric values of the worst entry.
    """
    from ..tensor import Tensor, tensor

    inputs = _as_tuple(inputs)
    inputs = tuple(tensor(x._array, requires_grad=x.requires_grad) if isinstance(x, Tensor) else x
                   for x in inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise ValueError(f"gradcheck: input {i} is {inputs[i].dtype}; finite differences need float64 inputs")
    outputs = _as_tuple(fn(*inputs))
    numeric = _numeric_jacobians(fn, inputs, checked, [out._array.size for out in outputs], eps)
    analytic = _analytic_jacobians(outputs, [inputs[i] for i in checked])
    try:
        for k, i in enumerate(checked):
            for o in range(len(outputs)):
                _compare(analytic[k][o], numeric[k][o], atol, rtol,
                         f"output {o} with respect to input {i}", inputs[i].shape, outputs[o].shape)
        _check_random_direction(outputs, inputs, checked, numeric, atol, rtol)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(fn: Callable, inputs, grad_outputs=None, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """gradcheck of the first-order gradients, with respect to the inputs and grad_outputs."""
    from ..tensor import Tensor, as_tensor, tensor

    inputs = _as_tuple(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    differentiable = [o for o, out in enumerate(_as_tuple(fn(*inputs))) if out.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outputs = _as_tuple(fn(*inputs))
        grad_outputs = [tensor(rng.standard_normal(outputs[o].shape), requires_grad=True) for o in differentiable]
    grad_outputs = tuple(_as_tuple(grad_outputs))
    count = len(inputs)

    def first_order(*args):
        xs, upstream = args[:count], args[count:]
        outputs = _as_tuple(fn(*xs))
        grads = grad([outputs[o] for o in differentiable], [xs[i] for i in checked], list(upstream),
                     create_graph=True, allow_unused=True)
        return tuple(g if g is not None else as_tensor(np.zeros(xs[i].shape)) for g, i in zip(grads, checked))

    return gradcheck(first_order, inputs + grad_outputs, eps, atol, rtol, raise_exception)


def _as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _numeric_jacobians(fn, inputs, checked, output_sizes, eps) -> list[list[np.ndarray]]:
    """J[k][o] of shape (input size, output size), by central differences."""
    jacobians = []
    for i in checked:
        array = inputs[i]._array
        jacobian = [np.zeros((array.size, size)) for size in output_sizes]
        for row, index in enumerate(np.ndindex(array.shape)):
            original = array[index]
            array[index] = original + eps
            plus = _evaluate(fn, inputs)
            array[index] = original - eps
            minus = _evaluate(fn, inputs)
            array[index] = original
            for o, (p, m) in enumerate(zip(plus, minus)):
                jacobian[o][row] = ((p - m) / (2 * eps)).ravel()
        jacobians.append(jacobian)
    return jacobians


def _evaluate(fn, inputs) -> list[np.ndarray]:
    return [np.array(out._array, dtype=np.float64) for out in _as_tuple(fn(*inputs))]


def _analytic_jacobians(outputs, targets) -> list[list[np.ndarray]]:
    """J[k][o] of shape (input size, output size), one backward per output element."""
    from ..tensor import as_tensor

    jacobians = [[np.zeros((t._array.size, out._array.size)) for out in outputs] for t in targets]
    for o, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        for flat in range(out._array.size):
            seed = np.zeros(out._array.size, dtype=out.dtype)
            seed[flat] = 1
            grads = grad(out, targets, as_tensor(seed.reshape(out.shape)), retain_graph=True, allow_unused=True)
            for k, g in enumerate(grads):
                if g is not None:
                    jacobians[k][o][:, flat] = g._array.ravel()
    return jacobians


def _check_random_direction(outputs, inputs, checked, numeric, atol, rtol) -> None:
    """A random upstream gradient v: the backward pass must give vᵀJ in one go."""
    from ..tensor import as_tensor

    differentiable = [o for o, out in enumerate(outputs) if out.requires_grad]
    if not differentiable or not checked:
        return
    rng = np.random.default_rng(1)
    upstream = {o: rng.standard_normal(outputs[o].shape) for o in differentiable}
    grads = grad([outputs[o] for o in differentiable], [inputs[i] for i in checked],
                 [as_tensor(upstream[o].astype(outputs[o].dtype)) for o in differentiable],
                 retain_graph=True, allow_unused=True)
    for k, (i, g) in enumerate(zip(checked, grads)):
        expected = sum(numeric[k][o] @ upstream[o].ravel() for o in differentiable)
        actual = np.zeros(inputs[i]._array.size) if g is None else g._array.ravel()
        _compare(actual[:, None], np.reshape(expected, (-1, 1)), atol, rtol,
                 f"a random upstream gradient, input {i}", inputs[i].shape, ())


def _compare(analytic, numeric, atol, rtol, what, input_shape, output_shape) -> None:
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    bad = ~(excess <= 0)
    if not bad.any():
        return
    worst = np.where(bad, np.nan_to_num(excess, nan=np.inf), -np.inf)
    flat_in, flat_out = np.unravel_index(np.argmax(worst), excess.shape)
    in_index = np.unravel_index(flat_in, input_shape) if input_shape else ()
    out_index = np.unravel_index(flat_out, output_shape) if output_shape else ()
    raise GradcheckError(
        f"gradcheck failed for {what}: at input index {tuple(map(int, in_index))}, output index "
        f"{tuple(map(int, out_index))}: analytic {float(analytic[flat_in, flat_out])!r}, numeric "
        f"{float(numeric[flat_in, flat_out])!r} ({int(bad.sum())} of {bad.size} entries outside "
        f"atol={atol}, rtol={rtol})"
    )
