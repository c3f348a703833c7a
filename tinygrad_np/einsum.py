"""`tg.einsum(equation, *operands)`: PyTorch's Einstein summation, composed from Tensor ops.

The equation names each operand's dims with letters (`'bij,bjk->bik'`); `...` stands for any
number of dims, right-aligned and broadcast across operands. Without `->`, the output is the
`...` dims, then the letters used exactly once, in alphabetical (ASCII) order. A letter
repeated within one operand takes that operand's diagonal (`'ii->i'`); a letter missing from
the output is summed over.

How it is computed (so that every step has the gradient of a Tensor op):
1. each operand's repeated letters become one dim (`diagonal`), and the letters that no other
   operand and not the output use are summed out;
2. operands are combined left to right: for two operands, the letters both have and something
   later needs are batch dims, the letters both have and nothing later needs are contracted,
   the others are kept; each side is permuted to (batch, kept, contracted) order, broadcast
   (`expand`) and reshaped to three dims, and one batched `matmul` does the products and the
   sum over the contracted letters at once;
3. the remaining letters not in the output are summed, and the dims permuted to its order.
"""

from __future__ import annotations

import math

from .tensor import Tensor

ELLIPSIS = "..."


def einsum(equation: str, *operands) -> Tensor:
    """Sum of products of `operands`' entries as `equation` says (PyTorch's `torch.einsum`);
    the operands may also come as one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for operand in operands:
        if not isinstance(operand, Tensor):
            raise TypeError(f"einsum(): expected Tensor operands, got {type(operand).__name__}")
    terms, output = _parse(equation, len(operands))
    labels = [_dim_labels(term, operand.ndim, i) for i, (term, operand) in enumerate(zip(terms, operands))]
    ellipsis_rank = max((sum(1 for label in ls if label.startswith(".")) for ls in labels), default=0)
    labels = [[_renumber(label, ls, ellipsis_rank) for label in ls] for ls in labels]
    output = _output_labels(output, labels, ellipsis_rank, equation)
    _check_dtypes(operands)
    sizes = _sizes(operands, labels)
    pieces = [_take_diagonals(t, ls) for t, ls in zip(operands, labels)]
    t, ls = pieces[0]
    for index in range(1, len(pieces)):
        later = set(output).union(*(set(p[1]) for p in pieces[index + 1:]))
        u, us = pieces[index]
        t, ls = _sum_out(t, ls, keep=later | set(us))
        u, us = _sum_out(u, us, keep=later | set(ls))
        t, ls = _contract(t, ls, u, us, later, sizes)
    t, ls = _sum_out(t, ls, keep=set(output))
    return t.permute(*(ls.index(label) for label in output)) if ls != output else t


def _parse(equation: str, count: int) -> tuple[list[str], str | None]:
    """The operands' terms and the output term (None when implicit), spaces removed, each
    character checked."""
    for index, char in enumerate(equation):
        if not (char.isascii() and char.isalpha()) and char not in ".,->" and not char.isspace():
            raise RuntimeError(f"einsum(): invalid subscript given at index {index} in the equation string, "
                               "subscripts must be in [a-zA-Z]")
    equation = "".join(equation.split())
    left, arrow, right = equation.partition("->")
    terms = left.split(",")
    if len(terms) < count:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if len(terms) > count:
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    return terms, right if arrow else None


def _dim_labels(term: str, ndim: int, index: int) -> list[str]:
    """One label per dim of the operand: its letter, or '.k' for the k-th dim the ellipsis covers."""
    letters = term.replace(ELLIPSIS, "", 1)
    if "." in letters:
        raise RuntimeError(f"einsum(): found '.' for operand {index} that is not part of any ellipsis")
    if ELLIPSIS not in term:
        if len(letters) != ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(letters)}) does not match "
                               f"the number of dimensions ({ndim}) for operand {index} and no ellipsis was given")
        return list(letters)
    if len(letters) > ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(letters)}) is more than the "
                           f"number of dimensions ({ndim}) for operand {index}")
    before, _, after = term.partition(ELLIPSIS)
    covered = ndim - len(letters)
    return [*before, *(f".{k - covered}" for k in range(covered)), *after]


def _renumber(label: str, labels: list[str], rank: int) -> str:
    """Ellipsis dims are right-aligned: '.-1' (the last covered dim) becomes '.{rank - 1}'."""
    return f".{rank + int(label[1:])}" if label.startswith(".") else label


def _output_labels(output: str | None, labels: list[list[str]], rank: int, equation: str) -> list[str]:
    ellipsis = [f".{k}" for k in range(rank)]
    if output is None:
        counts: dict[str, int] = {}
        for label in (label for ls in labels for label in ls if not label.startswith(".")):
            counts[label] = counts.get(label, 0) + 1
        return ellipsis + sorted(label for label, n in counts.items() if n == 1)
    before, has_ellipsis, after = output.partition(ELLIPSIS)
    letters = before + after
    if "." in letters:
        raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found")
    present = {label for ls in labels for label in ls}
    for letter in letters:
        if letter not in present:
            raise RuntimeError(f"einsum(): output subscript {letter} does not appear in the equation for any input "
                               "operand")
        if letters.count(letter) > 1:
            raise RuntimeError(f"einsum(): output subscript {letter} appears more than once in the output")
    return [*before, *(ellipsis if has_ellipsis else []), *after]


def _check_dtypes(operands) -> None:
    for operand in operands[1:]:
        if operand.dtype != operands[0].dtype:
            raise RuntimeError(f"expected scalar type {operands[0].dtype} but found {operand.dtype}")


def _sizes(operands, labels) -> dict[str, int]:
    """Each label's size, broadcast over the operands (a size 1 stretches)."""
    sizes: dict[str, int] = {}
    for index, (operand, ls) in enumerate(zip(operands, labels)):
        for label, n in zip(ls, operand.shape):
            seen = sizes.get(label, 1)
            if n != seen and 1 not in (n, seen):
                if label.startswith("."):
                    raise RuntimeError(f"einsum(): dimension {label[1:]} covered by ellipsis in operand {index} has "
                                       f"size {n} which does not broadcast with previously seen ellipsis with size "
                                       f"{seen} for the respective dimension")
                raise RuntimeError(f"einsum(): subscript {label} has size {n} for operand {index} which does not "
                                   f"broadcast with previously seen size {seen}")
            sizes[label] = max(n, seen)
    return sizes


def _take_diagonals(t: Tensor, labels: list[str]) -> tuple[Tensor, list[str]]:
    """A letter repeated within one operand: the diagonal of those dims, as one dim at the end."""
    labels = list(labels)
    for label in dict.fromkeys(labels):
        while labels.count(label) > 1:
            first = labels.index(label)
            second = labels.index(label, first + 1)
            t = t.diagonal(0, first, second)
            labels = [lb for i, lb in enumerate(labels) if i not in (first, second)] + [label]
    return t, labels


def _sum_out(t: Tensor, labels: list[str], keep: set[str]) -> tuple[Tensor, list[str]]:
    dims = [i for i, label in enumerate(labels) if label not in keep]
    if not dims:
        return t, labels
    return t.sum(tuple(dims)), [label for label in labels if label in keep]


def _contract(t: Tensor, ts: list[str], u: Tensor, us: list[str], later: set[str], sizes: dict[str, int]):
    """Two operands as one: a batched matmul over their shared letters."""
    batch = [label for label in ts if label in us and label in later]
    summed = [label for label in ts if label in us and label not in later]
    left = [label for label in ts if label not in us]
    right = [label for label in us if label not in ts]
    shared = set(batch + summed)
    a = _arranged(t, ts, batch + left + summed, shared, sizes)
    b = _arranged(u, us, batch + summed + right, shared, sizes)
    batch_shape = [sizes[label] for label in batch]
    left_shape = [t.shape[ts.index(label)] for label in left]
    right_shape = [u.shape[us.index(label)] for label in right]
    n, k = math.prod(batch_shape), math.prod(sizes[label] for label in summed)
    product = a.reshape(n, math.prod(left_shape), k) @ b.reshape(n, k, math.prod(right_shape))
    return product.reshape(*batch_shape, *left_shape, *right_shape), batch + left + right


def _arranged(t: Tensor, labels: list[str], order: list[str], shared: set[str], sizes: dict[str, int]) -> Tensor:
    """`t` permuted to `order`, its shared dims broadcast to their full size."""
    if order != labels:
        t = t.permute(*(labels.index(label) for label in order))
    target = tuple(sizes[label] if label in shared else n for label, n in zip(order, t.shape))
    return t.expand(*target) if target != tuple(t.shape) else t
