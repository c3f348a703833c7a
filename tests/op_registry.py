"""The op registry: every public op of tinygrad_np, with inputs inside its valid domain.

The property tests in test_ops.py iterate this list, and test_registry.py fails if a public
Tensor op, a top-level op function or a primitive is missing from it — so an op without
tests cannot exist. An entry's `cases` strategy draws the input arrays (float64, away from
kinks and singular points, where finite differences are meaningless) and keyword arguments.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import (
    arrays,
    away_from_zero,
    broadcastable_into,
    broadcastable_shapes,
    dims_of,
    distinct,
    floats,
    shapes,
)

import tinygrad_np as tg
from tinygrad_np.random import default_generator


@dataclass(frozen=True)
class Case:
    arrays: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OpSpec:
    id: str  # the test id: the op's name, or name-variant
    op: str  # the public op exercised (a Tensor method or a tinygrad_np function)
    fn: Callable  # (*tensors, **kwargs) -> Tensor
    cases: st.SearchStrategy  # of Case
    reference: Callable | None = None  # the NumPy expression for the forward value
    differentiable: bool = True
    second_order: bool = True  # run gradgradcheck too
    eps: float = 1e-6  # finite-difference step (larger for ops that round through float32)

    def __repr__(self) -> str:
        return self.id


# --------------------------------------------------------------------- case strategies


def one(elements=arrays, shape=None, **kwargs) -> st.SearchStrategy:
    """One array drawn by `elements(shape)`, plus keyword arguments drawn from strategies."""
    return (shapes() if shape is None else shape).flatmap(
        lambda s: st.builds(lambda a, kw: Case((a,), kw), elements(s), st.fixed_dictionaries(kwargs))
    )


def pair(first=arrays, second=arrays) -> st.SearchStrategy:
    """Two arrays of mutually broadcastable shapes."""
    return broadcastable_shapes(2).flatmap(lambda ss: st.tuples(first(ss[0]), second(ss[1])).map(Case))


def with_scalar(elements=arrays, scalars=None) -> st.SearchStrategy:
    scalars = floats(-2, 2) if scalars is None else scalars
    return shapes().flatmap(lambda s: st.builds(lambda a, c: Case((a,), {"scalar": c}), elements(s), scalars))


def untied_pair() -> st.SearchStrategy:
    """Two broadcastable arrays that differ everywhere by at least 0.05 (maximum is smooth there)."""

    def separate(case: Case) -> Case:
        a, b = case.arrays
        b = np.where(np.abs(a - b) < 0.05, b + 0.1, b)
        return Case((a, b))

    return pair().map(separate)


def reduction(elements=arrays, min_dims=0, **kwargs) -> st.SearchStrategy:
    """An array with a `dim` for it and `keepdim`."""
    return shapes(min_dims=min_dims).flatmap(
        lambda s: st.builds(
            lambda a, d, kw: Case((a,), {"dim": d, **kw}),
            elements(s),
            dims_of(len(s)),
            st.fixed_dictionaries({"keepdim": st.booleans(), **kwargs}),
        )
    )


def along_one_dim(elements=arrays, keepdim=False) -> st.SearchStrategy:
    """An array of at least one dim and a single `dim` of it (softmax and friends)."""
    extra = {"keepdim": st.booleans()} if keepdim else {}
    return shapes(min_dims=1).flatmap(
        lambda s: st.builds(
            lambda a, d, kw: Case((a,), {"dim": d, **kw}),
            elements(s),
            st.integers(-len(s), len(s) - 1),
            st.fixed_dictionaries(extra),
        )
    )


def counted(case: Case) -> Case:
    """Reject var/std cases with fewer than two reduced values or no more than the correction
    (std is not differentiable where the variance is 0)."""
    (a,), kw = case.arrays, case.kwargs
    dims = range(a.ndim) if kw["dim"] is None else np.atleast_1d(kw["dim"])
    count = int(np.prod([a.shape[d] for d in dims])) if a.ndim else 1
    assume(count > max(kw["correction"], 1))
    return case


def matmul_cases() -> st.SearchStrategy:
    """1-D, 2-D and batched operands, batch dims broadcasting."""

    def build(draw_sizes, batches, vector_a, vector_b):
        m, k, n = draw_sizes
        shape_a = (k,) if vector_a else batches[0] + (m, k)
        shape_b = (k,) if vector_b else batches[1] + (k, n)
        return st.tuples(arrays(shape_a), arrays(shape_b)).map(Case)

    return st.tuples(
        st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
        broadcastable_shapes(2, max_dims=2),
        st.booleans(),
        st.booleans(),
    ).flatmap(lambda args: build(*args))


def numpy_matmul(a, b):
    return np.matmul(a, b)


def matrices_cases(batched: bool) -> st.SearchStrategy:
    """(m, k) and (k, n) matrices for mm; (b, m, k) and (b, k, n) batches of them for bmm."""
    def build(batch: tuple, m: int, k: int, n: int) -> st.SearchStrategy:
        return st.tuples(arrays(batch + (m, k)), arrays(batch + (k, n))).map(Case)

    side = st.integers(1, 3)
    return st.tuples(st.tuples(side) if batched else st.just(()), side, side, side).flatmap(lambda t: build(*t))


def same_size_as(a, shape) -> tg.Tensor:
    """A tensor of the shape `a.reshape(shape)` has (-1 resolved), for view_as and reshape_as."""
    return tg.zeros(np.empty(tuple(a.shape)).reshape(shape).shape)


def where_cases() -> st.SearchStrategy:
    return broadcastable_shapes(3).flatmap(
        lambda ss: st.tuples(hnp.arrays(np.bool_, ss[0]), arrays(ss[1]), arrays(ss[2])).map(Case)
    )


def reshape_cases() -> st.SearchStrategy:
    def targets(a: np.ndarray):
        size = a.size
        divisors = [d for d in range(1, size + 1) if size % d == 0]
        return st.one_of(
            st.just((-1,)),
            st.just(()) if size == 1 else st.just((size,)),
            st.sampled_from(divisors).map(lambda d: (d, -1)),
            st.sampled_from(divisors).map(lambda d: (1, size // d, d)),
        ).map(lambda shape: Case((a,), {"shape": shape}))

    return shapes().flatmap(arrays).flatmap(targets)


def flatten_cases() -> st.SearchStrategy:
    return shapes(min_dims=1).flatmap(
        lambda s: st.tuples(arrays(s), st.integers(0, len(s) - 1), st.integers(0, len(s) - 1)).map(
            lambda t: Case((t[0],), {"start_dim": min(t[1], t[2]), "end_dim": max(t[1], t[2]) - len(s)})
        )
    )


def squeeze_cases() -> st.SearchStrategy:
    ones_shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=2)
    return ones_shapes.flatmap(
        lambda s: st.tuples(arrays(s), st.none() if not s else st.one_of(st.none(), dims_of(len(s)))).map(
            lambda t: Case((t[0],), {"dim": t[1]})
        )
    )


def unsqueeze_cases() -> st.SearchStrategy:
    return shapes().flatmap(lambda s: st.tuples(arrays(s), st.integers(-len(s) - 1, len(s))).map(
        lambda t: Case((t[0],), {"dim": t[1]})
    ))


def permute_cases() -> st.SearchStrategy:
    return shapes().flatmap(lambda s: st.tuples(arrays(s), st.permutations(range(len(s)))).map(
        lambda t: Case((t[0],), {"dims": tuple(t[1])})
    ))


def transpose_cases() -> st.SearchStrategy:
    return shapes(min_dims=1).flatmap(
        lambda s: st.tuples(arrays(s), st.integers(-len(s), len(s) - 1), st.integers(-len(s), len(s) - 1)).map(
            lambda t: Case((t[0],), {"dim0": t[1], "dim1": t[2]})
        )
    )


def expand_cases() -> st.SearchStrategy:
    """A shape with size-1 dims and a target that stretches them and adds leading dims."""

    def targets(s):
        stretched = st.tuples(*[st.integers(1, 3) if n == 1 else st.just(n) for n in s])
        return st.tuples(arrays(s), shapes(max_dims=2), stretched).map(
            lambda t: Case((t[0],), {"shape": tuple(t[1]) + tuple(t[2])})
        )

    return hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3).flatmap(targets)


def index_keys(shape: tuple, repeats: bool = True) -> st.SearchStrategy:
    """Basic and advanced keys for a tensor of `shape`: ints, slices, None, Ellipsis, int lists
    (repeated positions only if `repeats`), masks."""
    parts = []
    for n in shape:
        positions = st.lists(st.integers(-n, n - 1), min_size=1, max_size=4) if repeats else \
            st.lists(st.integers(-n, n - 1), min_size=1, max_size=n, unique_by=lambda i, n=n: i % n)
        parts.append(st.one_of(
            st.integers(-n, n - 1),
            st.builds(slice, st.none() | st.integers(-n, n), st.none() | st.integers(-n, n),
                      st.none() | st.integers(1, 2)),
            positions,
        ))
    mask = hnp.arrays(np.bool_, shape) if shape else st.nothing()
    plain = st.tuples(*parts).map(_at_most_one_list)
    decorated = plain.map(lambda key: (None,) + key if len(key) % 2 else (Ellipsis,) + key[1:] if key else key)
    return st.one_of(plain, decorated, mask)


def index_cases() -> st.SearchStrategy:
    """An array and any key (repeated indices allowed: their gradients add up)."""
    return shapes(min_dims=1).flatmap(arrays).flatmap(
        lambda a: index_keys(a.shape).map(lambda key: Case((a,), {"key": key}))
    )


def _at_most_one_list(key: tuple) -> tuple:
    """Several list indices broadcast against each other; keep one so any key is valid."""
    seen = False
    out = []
    for part in key:
        if isinstance(part, list):
            if seen:
                part = part[0]
            seen = True
        out.append(part)
    return tuple(out)


def gather_cases() -> st.SearchStrategy:
    def build(s):
        return st.integers(0, len(s) - 1).flatmap(lambda dim: st.tuples(
            arrays(s),
            hnp.arrays(np.int64, s, elements=st.integers(0, s[dim] - 1)),
        ).map(lambda t: Case((t[0],), {"dim": dim, "index": t[1]})))

    return shapes(min_dims=1).flatmap(build)


def cat_cases(same_shape: bool) -> st.SearchStrategy:
    def build(s, count, dim):
        def shape_for(n):
            return s if same_shape else s[:dim] + (n,) + s[dim + 1:]

        sizes = st.lists(st.integers(1, 3), min_size=count, max_size=count)
        return sizes.flatmap(lambda ns: st.tuples(*[arrays(shape_for(n)) for n in ns])).map(
            lambda arrs: Case(arrs, {"dim": dim - len(s) if dim % 2 else dim})
        )

    low = 0 if same_shape else 1
    return shapes(min_dims=low).flatmap(lambda s: st.tuples(
        st.just(s), st.integers(1, 3), st.integers(0, len(s) if same_shape else len(s) - 1)
    )).flatmap(lambda t: build(*t))


def grid(shape):
    """Small integers as floats, so that comparisons see equal values too."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-2, 2).map(float))


def bools(shape):
    return hnp.arrays(np.bool_, shape)


def positive(shape):
    return arrays(shape, 0.2, 3.0)


def off_bounds(shape):
    """Values on a 0.1-grid shifted by 0.03: never exactly at the clamp bounds ±0.5."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-20, 20).map(lambda i: i / 10 + 0.03))


def np_axis(a, dim):
    """NumPy's axis for a PyTorch dim: a 0-d tensor accepts dim 0 and -1, NumPy does not."""
    return None if a.ndim == 0 else dim


def keepdim_sum_var(a, dim, keepdim, correction):
    return np.var(a, axis=np_axis(a, dim), ddof=correction, keepdims=keepdim)


def numpy_logsumexp(a, dim, keepdim):
    m = np.max(a, axis=dim, keepdims=True)
    out = np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=dim)


def numpy_softmax(a, dim):
    e = np.exp(a - np.max(a, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def numpy_flatten(a, start_dim, end_dim):
    end = end_dim % a.ndim
    return a.reshape(a.shape[:start_dim] + (-1,) + a.shape[end + 1:])


def numpy_squeeze(a, dim):
    if dim is None:
        return np.squeeze(a)
    dims = tuple(d % a.ndim for d in np.atleast_1d(dim))
    return np.squeeze(a, axis=tuple(d for d in dims if a.shape[d] == 1))


def numpy_reshape(a, shape):
    return np.reshape(a, shape)


def numpy_permute(a, dims):
    return np.transpose(a, dims)


def numpy_expand(a, shape):
    return np.broadcast_to(a, shape)


def numpy_transpose(a, dim0, dim1):
    return np.swapaxes(a, dim0, dim1)


def numpy_gather(a, dim, index):
    return np.take_along_axis(a, index, axis=dim)


def numpy_index(a, key):
    return a[tuple(np.asarray(k) if isinstance(k, list) else k for k in key) if isinstance(key, tuple) else key]


def numpy_clamp(a, min=None, max=None):
    return np.clip(a, min, max)


def numpy_arg(reducer):
    def reference(a, dim, keepdim):
        if dim is None:
            out = reducer(a)
            return np.asarray(out).reshape((1,) * a.ndim if keepdim else ())
        return reducer(a, axis=dim, keepdims=keepdim)

    return reference


def with_ties():
    """Arrays whose reduction along `dim` may have ties: argmax/argmin pick the first."""
    return one(grid, shape=shapes(min_dims=1)).flatmap(
        lambda case: st.integers(-case.arrays[0].ndim, case.arrays[0].ndim - 1).map(
            lambda d: Case(case.arrays, {"dim": d, "keepdim": False})
        )
    )


def dims_only(case: Case) -> Case:
    """Reductions whose dim must not be None (logsumexp)."""
    assume(case.kwargs["dim"] is not None)
    return case


# --------------------------------------------------------------------- selection and rearrangement


def along(s: tuple, dim: int) -> int:
    """`dim` of a shape, written negatively for odd dims (both forms get exercised)."""
    return dim - len(s) if dim % 2 else dim


def with_dim(build) -> st.SearchStrategy:
    """`build(shape, dim)` over shapes of at least one dim and a dim of them."""
    return shapes(min_dims=1).flatmap(lambda s: st.integers(0, len(s) - 1).flatmap(lambda dim: build(s, dim)))


def narrow_cases() -> st.SearchStrategy:
    """A start anywhere in [0, size] (written negatively at times) and a length that fits."""

    def build(s, dim):
        n = s[dim]
        return st.tuples(arrays(s), st.integers(0, n), st.booleans()).flatmap(lambda t: st.integers(0, n - t[1]).map(
            lambda length: Case((t[0],), {"dim": along(s, dim), "start": t[1] - n if t[2] and t[1] < n else t[1],
                                          "length": length})))

    return with_dim(build)


def numpy_narrow(a, dim, start, length):
    start %= a.shape[dim]
    return np.take(a, np.arange(start, start + length, dtype=np.int64), axis=dim)


def split_cases() -> st.SearchStrategy:
    """An equal piece size (1 to beyond the dim's size), or a list of sizes adding up to it (zeros included)."""

    def build(s, dim):
        n = s[dim]
        sections = st.lists(st.integers(0, n), max_size=3).map(lambda cuts: np.diff([0, *sorted(cuts), n]).tolist())
        return st.tuples(arrays(s), st.integers(1, n + 1) | sections).map(
            lambda t: Case((t[0],), {"split_size": t[1], "dim": along(s, dim)}))

    return with_dim(build)


def numpy_pieces_reversed(a, split_size, dim):
    """The pieces of `split` joined in reverse order (so that each piece's place is checked)."""
    n = a.shape[dim]
    cuts = np.cumsum(split_size)[:-1] if isinstance(split_size, list) else np.arange(split_size, n, split_size)
    return np.concatenate(np.split(a, cuts, axis=dim)[::-1], axis=dim)


def chunk_cases() -> st.SearchStrategy:
    return with_dim(lambda s, dim: st.tuples(arrays(s), st.integers(1, 5)).map(
        lambda t: Case((t[0],), {"chunks": t[1], "dim": along(s, dim)})))


def numpy_chunks_reversed(a, chunks, dim):
    return numpy_pieces_reversed(a, -(-a.shape[dim] // chunks), dim)


def unbind_cases() -> st.SearchStrategy:
    return with_dim(lambda s, dim: arrays(s).map(lambda a: Case((a,), {"dim": along(s, dim)})))


def distinct_magnitudes(shape):
    """Values whose magnitudes are pairwise distinct and at least 0.1 (max |x| is smooth there)."""
    signs = hnp.arrays(np.bool_, shape).map(lambda negative: np.where(negative, -1.0, 1.0))
    return st.tuples(distinct(shape, 2, 100, 0.05), signs).map(lambda pair: pair[0] * pair[1])


def at_most_two_dims(case: Case) -> Case:
    """The Frobenius norm takes one or two dims (or all)."""
    dim = case.kwargs["dim"]
    assume(not isinstance(dim, tuple) or len(dim) <= 2)
    return case


def numpy_vector_norm(a, p=2, dim=None, keepdim=False):
    axis = np_axis(a, tuple(np.atleast_1d(dim)) if dim is not None else None)
    magnitude = np.abs(a)
    if p in ("fro", 2):
        return np.sqrt(np.sum(magnitude**2, axis=axis, keepdims=keepdim))
    if p == math.inf:
        return np.max(magnitude, axis=axis, keepdims=keepdim)
    if p == -math.inf:
        return np.min(magnitude, axis=axis, keepdims=keepdim)
    if p == 0:
        return np.sum(magnitude != 0, axis=axis, keepdims=keepdim).astype(a.dtype)
    return np.sum(magnitude**p, axis=axis, keepdims=keepdim) ** (1 / p)


def untied_sums(case: Case) -> Case:
    """Matrix 1- and inf-norms are the largest (or smallest) column or row sum of |A|: keep them untied."""
    (a,), kw = case.arrays, case.kwargs
    if kw["ord"] in (1, -1, math.inf, -math.inf):
        rows, cols = kw["dim"]
        summed, across = (rows, cols) if abs(kw["ord"]) == 1 else (cols, rows)
        sums = np.moveaxis(np.abs(a).sum(axis=summed, keepdims=True), across, -1)
        ordered = np.sort(sums, axis=-1)
        assume(ordered.shape[-1] < 2 or np.min(np.diff(ordered, axis=-1)) > 1e-3)
    return case


def untied_whole_matrix(case: Case) -> Case:
    """linalg.norm of a matrix with a number for ord is a matrix norm over both dims."""
    if case.arrays[0].ndim == 2:
        untied_sums(Case(case.arrays, {"ord": case.kwargs["ord"], "dim": (0, 1)}))
    return case


def matrix_norm_cases() -> st.SearchStrategy:
    """A batch of matrices, the two dims holding them, and a norm that needs no singular values."""

    def build(s):
        pairs = st.permutations(range(len(s))).map(lambda dims: (along(s, dims[0]), along(s, dims[1])))
        return st.builds(lambda a, dim, ord, keepdim: Case((a,), {"ord": ord, "dim": dim, "keepdim": keepdim}),
                         distinct_magnitudes(s), pairs,
                         st.sampled_from(["fro", 1, -1, math.inf, -math.inf]), st.booleans()).map(untied_sums)

    return shapes(min_dims=2).flatmap(build)


def numpy_matrix_norm(a, ord, dim, keepdim):
    return np.linalg.norm(a, ord, axis=dim, keepdims=keepdim)


def roll_cases() -> st.SearchStrategy:
    """One shift of the flattened tensor, or shifts along a list of dims (repeats add up)."""
    flat = one(shifts=st.integers(-7, 7))
    along_dims = shapes(min_dims=1).flatmap(lambda s: st.lists(
        st.tuples(st.integers(-7, 7), st.integers(-len(s), len(s) - 1)), min_size=1, max_size=3,
    ).flatmap(lambda pairs: arrays(s).map(lambda a: Case((a,), {"shifts": tuple(p[0] for p in pairs),
                                                                 "dims": tuple(p[1] for p in pairs)}))))
    return flat | along_dims


def numpy_roll(a, shifts, dims=None):
    return np.roll(a, shifts, dims)


def flip_cases() -> st.SearchStrategy:
    return shapes().flatmap(lambda s: st.tuples(arrays(s), st.lists(st.integers(0, len(s) - 1), unique=True)).map(
        lambda t: Case((t[0],), {"dims": [along(s, d) for d in t[1]]})) if s else arrays(s).map(
        lambda a: Case((a,), {"dims": []})))


def repeat_cases() -> st.SearchStrategy:
    """Sizes for every dim and up to two leading new ones, 0 (an empty result) included."""
    return shapes().flatmap(lambda s: st.tuples(arrays(s), st.lists(st.integers(0, 3), min_size=len(s),
                                                                    max_size=len(s) + 2)).map(
        lambda t: Case((t[0],), {"sizes": tuple(t[1])})))


def tile_cases() -> st.SearchStrategy:
    """Sizes for some of the trailing dims (the others kept) or more."""
    return shapes().flatmap(lambda s: st.tuples(arrays(s), st.lists(st.integers(1, 3), max_size=len(s) + 1)).map(
        lambda t: Case((t[0],), {"dims": tuple(t[1])})))


def one_category_cases() -> st.SearchStrategy:
    """Rows of weights with a single positive entry: every draw must be that category."""

    def build(s):
        chosen = hnp.arrays(np.int64, s[:-1], elements=st.integers(0, s[-1] - 1))
        return st.tuples(positive(s), chosen, st.integers(1, 4), st.booleans()).map(lambda t: Case(
            (np.where(np.arange(s[-1]) == t[1][..., None], t[0], 0.0),),
            {"num_samples": t[2] if t[3] else 1, "replacement": t[3]}))

    return shapes(min_dims=1, max_dims=2).flatmap(build)


def numpy_one_category(a, num_samples, replacement):
    return np.repeat(np.argmax(a, axis=-1)[..., None], num_samples, axis=-1)


def scatter_cases(src: bool = True, unique: bool = True) -> st.SearchStrategy:
    """A target, a dim, and an index no larger than the target apart from that dim (its entries
    distinct along the dim when `unique`, so that no write is overwritten: an overwritten src
    entry has no derivative); then a src no smaller than the index, or a number."""

    def build(s, dim):
        extents = st.tuples(*[st.integers(1, n if d != dim or unique else 4) for d, n in enumerate(s)])
        return st.tuples(arrays(s), extents).flatmap(lambda t: indices(t[0], t[1], dim))

    def indices(a, extents, dim):
        if unique:  # the first extents[dim] positions of a random permutation along dim
            keys = hnp.arrays(np.float64, extents[:dim] + (a.shape[dim],) + extents[dim + 1:], elements=floats())
            index = keys.map(lambda k: np.take(np.argsort(k, axis=dim), np.arange(extents[dim]), axis=dim))
        else:
            index = hnp.arrays(np.int64, extents, elements=st.integers(0, a.shape[dim] - 1))
        kwargs = {"dim": along(a.shape, dim)}
        if not src:
            return st.tuples(index, floats(-2, 2)).map(
                lambda t: Case((a,), {**kwargs, "index": t[0], "value": t[1]}))
        larger = st.tuples(*[st.integers(n, n + 1) for n in extents]).flatmap(arrays)
        return st.tuples(index, larger).map(lambda t: Case((a, t[1]), {**kwargs, "index": t[0]}))

    return with_dim(build)


def scatter_key(index, dim):
    """index along dim, aranges along the others: out[key] is out[index[i][j]][j] for dim 0."""
    def arange_along(d, n):
        return np.arange(n).reshape([-1 if i == d else 1 for i in range(index.ndim)])

    return tuple(index if d == dim % index.ndim else arange_along(d, n) for d, n in enumerate(index.shape))


def numpy_scatter(a, src=None, *, dim, index, value=None):
    out = a.copy()
    out[scatter_key(index, dim)] = value if src is None else src[tuple(slice(0, n) for n in index.shape)]
    return out


def numpy_scatter_add(a, src, dim, index):
    out = a.copy()
    np.add.at(out, scatter_key(index, dim), src[tuple(slice(0, n) for n in index.shape)])
    return out


def index_select_cases() -> st.SearchStrategy:
    """A vector of indices along a dim (repeats allowed: their gradients add up), or one index as a 0-d array."""
    def build(s, dim):
        positions = st.integers(0, s[dim] - 1)
        index = st.lists(positions, min_size=1, max_size=4).map(np.array) | positions.map(np.array)
        return st.tuples(arrays(s), index).map(lambda t: Case((t[0],), {"dim": along(s, dim), "index": t[1]}))

    return with_dim(build)


def numpy_masked_select(a, mask):
    a, mask = np.broadcast_arrays(a, mask)
    return a[mask]


def specials(shape):
    """Finite values, NaN and both infinities."""
    return hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, -1.5, 2.0, math.nan, math.inf, -math.inf]))


def integers(shape):
    return hnp.arrays(np.int64, shape, elements=st.integers(-3, 3))


def one_dim_or_all(elements) -> st.SearchStrategy:
    """A single dim (or None: all dims) and keepdim, as prod takes them."""
    return shapes().flatmap(lambda s: st.tuples(
        elements(s), st.none() | st.integers(-max(len(s), 1), max(len(s), 1) - 1), st.booleans(),
    ).map(lambda t: Case((t[0],), {"dim": t[1], "keepdim": t[2]})))


def numpy_prod(a, dim, keepdim):
    return np.prod(a, axis=np_axis(a, dim), keepdims=keepdim)


def numpy_logical(reduce):
    def reference(a, dim, keepdim):
        axis = None if dim is None or a.ndim == 0 else tuple(np.atleast_1d(dim))
        return reduce(a, axis=axis, keepdims=keepdim)

    return reference


def ordering_cases(elements, **kwargs) -> st.SearchStrategy:
    """An array of at least one dim, a dim of it, and keyword arguments drawn from strategies."""
    return with_dim(lambda s, dim: st.tuples(elements(s), st.fixed_dictionaries(kwargs)).map(
        lambda t: Case((t[0],), {"dim": along(s, dim), **t[1]})))


def with_k(low: int):
    """Add a `k` from `low` to the size of the case's dim."""
    def add(case: Case):
        n = case.arrays[0].shape[case.kwargs["dim"]]
        return st.integers(low, n).map(lambda k: Case(case.arrays, {**case.kwargs, "k": k}))
    return add


def numpy_stable_order(a, dim, descending, stable=True):
    """np.argsort, stable (tinygrad_np's sort always is); descending as the stable ascending order
    of -a (no NaN in these cases)."""
    return np.argsort(-a if descending else a, axis=dim, kind="stable")


def numpy_sort(a, dim, descending):
    return np.take_along_axis(a, numpy_stable_order(a, dim, descending), dim)


def numpy_topk(a, dim, k, largest):
    order = np.take(numpy_stable_order(a, dim, largest), np.arange(k), axis=dim)
    return order, np.take_along_axis(a, order, dim)


def numpy_kthvalue(a, dim, k, keepdim):
    values = np.take(np.sort(a, axis=dim), [k - 1], axis=dim)
    return values if keepdim else np.squeeze(values, dim)


def nonzero_integers(shape):
    return hnp.arrays(np.int64, shape, elements=st.sampled_from([-3, -2, -1, 1, 2, 3]))


def off_multiples() -> st.SearchStrategy:
    """A dividend and a divisor (0.5 <= |b| <= 3, broadcasting into the dividend's shape) whose
    quotient is at least 0.1 from every integer: remainders and rounded quotients jump there."""
    return into(first=off_integers, second=lambda s: away_from_zero(s, 0.5)).map(
        lambda case: Case((case.arrays[0] * case.arrays[1], case.arrays[1])))


def scalar_multiples() -> st.SearchStrategy:
    """An array of quotients off the integers and a scalar divisor (the fn multiplies them)."""
    return with_scalar(off_integers, st.sampled_from([1.5, -2.0, 0.7]))


def numpy_trunc_divide(a, b):
    return np.trunc(a / b) if a.dtype.kind == "f" else np.trunc(a / b).astype(a.dtype)


def numpy_erfinv(a):
    """erf⁻¹ by bisection on math.erf: 80 halvings of [−6, 6] reach float64's resolution."""
    def invert(x: float) -> float:
        low, high = -6.0, 6.0
        for _ in range(80):
            middle = (low + high) / 2
            low, high = (middle, high) if math.erf(middle) < x else (low, middle)
        return (low + high) / 2
    return np.vectorize(invert, otypes=[float])(a)


TRIG = {
    "tan": (lambda s: arrays(s, -1.2, 1.2), np.tan), "asin": (lambda s: arrays(s, -0.9, 0.9), np.arcsin),
    "acos": (lambda s: arrays(s, -0.9, 0.9), np.arccos), "atan": (arrays, np.arctan), "sinh": (arrays, np.sinh),
    "cosh": (arrays, np.cosh), "asinh": (arrays, np.arcsinh), "acosh": (lambda s: arrays(s, 1.1, 3.0), np.arccosh),
    "atanh": (lambda s: arrays(s, -0.9, 0.9), np.arctanh),
    "reciprocal": (lambda s: away_from_zero(s, 0.5), lambda a: 1 / a),
    "erfinv": (lambda s: arrays(s, -0.9, 0.9), numpy_erfinv),
}
"""The unary ops of tinygrad_np/ops/trig.py (and reciprocal), with their in-place forms: domain and NumPy reference."""

ARC_ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh",
               "arctanh": "atanh"}


def lerp_cases() -> st.SearchStrategy:
    """start, end and a weight array, all three mutually broadcastable."""
    return broadcastable_shapes(3).flatmap(lambda ss: st.tuples(*(arrays(s) for s in ss)).map(Case))


def numpy_lerp(a, b, weight):
    return a + weight * (b - a)


def numpy_median_dim(a, dim, keepdim):
    values = np.take(np.sort(a, axis=dim), [(a.shape[dim] - 1) // 2], axis=dim)
    return values if keepdim else np.squeeze(values, dim)


def count_cases() -> st.SearchStrategy:
    return reduction(grid).map(lambda case: Case(case.arrays, {"dim": case.kwargs["dim"]}))


def numpy_count_nonzero(a, dim):
    return np.asarray(np.count_nonzero(a, axis=None if a.ndim == 0 else dim), dtype=np.int64)


def same_shape_pair(min_dims: int = 1, max_dims: int = 3) -> st.SearchStrategy:
    return shapes(min_dims, max_dims).flatmap(lambda s: st.tuples(arrays(s), arrays(s)).map(Case))


def matrix_vector_cases() -> st.SearchStrategy:
    return st.tuples(st.integers(1, 3), st.integers(1, 3)).flatmap(
        lambda nm: st.tuples(arrays(nm), arrays(nm[1:])).map(Case))


def addmm_cases() -> st.SearchStrategy:
    """input broadcasting into (n, p), mat1 (n, m), mat2 (m, p), beta and alpha."""
    def build(n, m, p):
        return st.builds(lambda i, a, b, kw: Case((i, a, b), kw), broadcastable_into((n, p)).flatmap(arrays),
                         arrays((n, m)), arrays((m, p)),
                         st.fixed_dictionaries({"beta": st.sampled_from([1, 0.5, 0]),
                                                "alpha": st.sampled_from([1, -2.0])}))
    return st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)).flatmap(lambda t: build(*t))


def numpy_addmm(i, a, b, beta, alpha):
    return beta * i + alpha * (a @ b)


def cdist_cases() -> st.SearchStrategy:
    """Two sets of points, batched alike or not, on grids 0.05 apart: no coordinate of one equals
    one of the other, so every |difference| is smooth; p in {1, 2, 3}."""
    def build(batch, p_rows, r_rows, m):
        return st.tuples(distinct(batch + (p_rows, m)), distinct(batch + (r_rows, m)),
                         st.sampled_from([1.0, 2.0, 3.0])).map(lambda t: Case((t[0], t[1] + 0.05), {"p": t[2]}))
    return st.tuples(shapes(0, 1), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)).flatmap(
        lambda t: build(*t))


def numpy_cdist(a, b, p):
    return (np.abs(a[..., :, None, :] - b[..., None, :, :]) ** p).sum(-1) ** (1 / p)


def numpy_stat_mean(stat):
    def reference(a, dim, keepdim, correction):
        axis = np_axis(a, dim)
        return np.stack([stat(a, axis=axis, keepdims=keepdim, ddof=correction),
                         np.mean(a, axis=axis, keepdims=keepdim)])
    return reference


def counts_of(shape):
    return hnp.arrays(np.int64, shape, elements=st.integers(0, 5))


def bincount_cases(weighted: bool) -> st.SearchStrategy:
    def build(values: np.ndarray):
        extra = arrays(values.shape) if weighted else st.just(None)
        return st.tuples(extra, st.integers(0, 8)).map(
            lambda t: Case((values,) if t[0] is None else (values, t[0]), {"minlength": t[1]}))
    return shapes(1, 1, min_side=0).flatmap(counts_of).flatmap(build)


def off_edges(shape):
    """Values off every bin edge of bins 1, 2, 3 and 6 over [-1, 2] (where PyTorch's rounding of
    (x - min) * bins / (max - min) may differ from NumPy's exact comparison), the bounds
    themselves, and values outside."""
    return hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.75, -1.0, -0.75, 0.25, 1.25, 2.0, 2.25]))


def numpy_histc(a, bins, min, max):  # noqa: A002
    return np.histogram(a, bins, range=(min, max))[0].astype(a.dtype)


def meshgrid_cases() -> st.SearchStrategy:
    """One to three vectors (or 0-d arrays) and an indexing."""
    return st.lists(shapes(0, 1), min_size=1, max_size=3).flatmap(
        lambda ss: st.tuples(st.tuples(*(arrays(s) for s in ss)), st.sampled_from(["ij", "xy"])).map(
            lambda t: Case(t[0], {"indexing": t[1]})))


def numpy_unique_part(index: int):
    def reference(a):
        return np.unique(a, return_inverse=True, return_counts=True)[index].reshape(-1 if index == 2 else a.shape)
    return reference


def numpy_bernoulli_fill(a, seed):
    return (np.random.default_rng(seed).random(a.shape) < 0.3).astype(a.dtype)


def numpy_integer_draws(a, seed):
    return np.random.default_rng(seed).integers(-3, 10, a.shape).astype(a.dtype)


BITWISE = {"bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or, "bitwise_xor": np.bitwise_xor}
BITWISE_OPERATORS = {"bitwise_and": "__and__", "bitwise_or": "__or__", "bitwise_xor": "__xor__"}


# --------------------------------------------------------------------- in-place ops
#
# Each in-place entry applies the op to a clone of its first input (`in_graph`), as PyTorch code
# does: the clone is a non-leaf, so the op is recorded and rebases its history, the gradient
# reaches the input through the in-place form, and the input itself is never changed. Operands
# broadcast *into* the target's shape (an in-place op cannot change it).


def in_graph(a: tg.Tensor) -> tg.Tensor:
    """A non-leaf copy of `a`: in-place ops on it are recorded (a leaf that requires grad refuses them)."""
    return a.clone()


def into(first=arrays, second=arrays, shape=None, **kwargs) -> st.SearchStrategy:
    """A target array, an operand whose shape broadcasts into the target's, and keyword arguments."""
    return (shapes() if shape is None else shape).flatmap(lambda s: st.builds(
        lambda a, b, kw: Case((a, b), kw), first(s), broadcastable_into(s).flatmap(second),
        st.fixed_dictionaries(kwargs),
    ))


def view_keys(shape: tuple) -> st.SearchStrategy:
    """A basic key that selects a non-empty view of at least one dim: a slice of the last dim, a
    slice or an int on the others (an int on every dim gives a copy in NumPy, not a view)."""

    def part(n: int, last: bool):
        sliced = st.integers(0, n - 1).flatmap(
            lambda start: st.builds(slice, st.just(start), st.integers(start + 1, n), st.integers(1, 2)))
        return sliced if last else sliced | st.integers(-n, n - 1)

    return st.tuples(*[part(n, i == len(shape) - 1) for i, n in enumerate(shape)])


def into_view(second=arrays) -> st.SearchStrategy:
    """A target array, a basic key giving a view of it, and an operand broadcasting into that view."""

    def build(a: np.ndarray, key: tuple):
        return broadcastable_into(a[key].shape).flatmap(second).map(lambda b: Case((a, b), {"key": key}))

    return shapes(min_dims=1).flatmap(lambda s: st.tuples(arrays(s), view_keys(s))).flatmap(lambda t: build(*t))


def through_view(method: str):
    """`y[key].<method>(b)` on a non-leaf copy y of the input, returning y: the base is rebased
    through IndexPut."""

    def fn(a, b, key):
        y = in_graph(a)
        getattr(y[key], method)(b)
        return y

    return fn


def numpy_at(update):
    """The NumPy reference of an in-place update of `a[key]`."""

    def reference(a, b, key):
        out = a.copy()
        out[key] = update(out[key], b)
        return out

    return reference


def into_transposed() -> st.SearchStrategy:
    """A target array and an operand broadcasting into the target's transpose."""
    return shapes().flatmap(lambda s: st.tuples(arrays(s), broadcastable_into(s[::-1]).flatmap(arrays)).map(Case))


def copy_into_transpose(a, b):
    y = in_graph(a)
    y.T.copy_(b)
    return y


def masked_cases(with_tensor_value: bool) -> st.SearchStrategy:
    """A target array, a bool mask broadcasting into it, and the value: a number, or a 0-d array."""
    if not with_tensor_value:
        return into(second=bools, value=floats(-2, 2))
    return into(second=bools).flatmap(lambda case: arrays(()).map(lambda v: Case(case.arrays + (v,))))


def numpy_masked_fill(a, mask, value):
    return np.where(mask, value, a)


def index_add_cases() -> st.SearchStrategy:
    """A target, a dim, 1-D indices along it (repeats allowed: they add up), a source of the
    target's shape with that dim's size replaced by the number of indices, and alpha."""

    def build(s: tuple, dim: int):
        n = s[dim]
        return st.lists(st.integers(-n, n - 1), min_size=1, max_size=4).flatmap(lambda index: st.builds(
            lambda a, source, alpha: Case((a, source), {"dim": dim - len(s) if dim % 2 else dim,
                                                        "index": np.array(index, dtype=np.int64), "alpha": alpha}),
            arrays(s), arrays(s[:dim] + (len(index),) + s[dim + 1:]), st.sampled_from([1, -0.5, 2.0]),
        ))

    return shapes(min_dims=1).flatmap(lambda s: st.integers(0, len(s) - 1).flatmap(lambda dim: build(s, dim)))


def numpy_index_add(a, source, dim, index, alpha):
    out = a.copy()
    np.add.at(out, (slice(None),) * (dim % a.ndim) + (index,), alpha * source)
    return out


@contextmanager
def drawn_from(seed: int):
    """The library's generator draws as after `tg.manual_seed(seed)`; its state is restored
    afterwards, so other tests' draws are unaffected."""
    generator = default_generator()
    state = generator.bit_generator.state
    generator.bit_generator.state = np.random.default_rng(seed).bit_generator.state
    try:
        yield
    finally:
        generator.bit_generator.state = state


def off_integers(shape):
    """Values at least 0.1 away from every integer (floor, ceil, trunc and frac jump there)."""
    return arrays(shape).map(lambda a: np.floor(a) + 0.1 + 0.8 * (a - np.floor(a)))


def off_halves(shape):
    """Values at least 0.1 away from every half-integer (round jumps there)."""
    return arrays(shape).map(lambda a: np.round(a) + 0.8 * (a - np.round(a)))


def vector_pairs() -> st.SearchStrategy:
    return st.tuples(shapes(1, 1), shapes(1, 1)).flatmap(lambda ss: st.tuples(arrays(ss[0]), arrays(ss[1])).map(Case))


def diagonal_cases() -> st.SearchStrategy:
    """An array of 2 or more dims, an offset and two distinct dims (maybe negative)."""
    def case(a: np.ndarray) -> st.SearchStrategy:
        dims = st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=2, max_size=2).filter(
            lambda d: d[0] % a.ndim != d[1] % a.ndim)
        return st.tuples(st.integers(-2, 2), dims).map(
            lambda t: Case((a,), {"offset": t[0], "dim1": t[1][0], "dim2": t[1][1]}))
    return shapes(min_dims=2).flatmap(arrays).flatmap(case)


def numpy_diagonal(a, offset, dim1, dim2):
    return np.diagonal(a, offset, dim1, dim2)


EINSUM_EQUATIONS = ["ij,jk->ik", "ij,jk", "bij,bjk->bik", "ii->i", "ii", "ij->", "i,j->ij", "ij->ji", "...ij,...jk",
                    "bhqd,bhkd->bhqk", "ijk,ikl,jl->k", "iij->ji", "a...b,b...->...a"]
"""Matrix and batched products, diagonals, traces, sums, outer products, transposes, ellipses, three operands."""


def einsum_cases() -> st.SearchStrategy:
    """An equation of EINSUM_EQUATIONS, each letter a size in 1..3, the ellipsis 0 to 2 dims."""
    def shape_of(term: str, sizes: dict, ellipsis: tuple) -> tuple:
        before, dots, after = term.partition("...")
        return (*(sizes[c] for c in before), *(ellipsis if dots else ()), *(sizes[c] for c in after))

    def arrays_for(equation: str, sizes: dict, ellipsis: tuple) -> st.SearchStrategy:
        terms = equation.split("->")[0].split(",")
        return st.tuples(*(arrays(shape_of(t, sizes, ellipsis)) for t in terms)).map(
            lambda a: Case(a, {"equation": equation}))

    letters = st.fixed_dictionaries({c: st.integers(1, 3) for c in "abdhijklq"})
    return st.tuples(st.sampled_from(EINSUM_EQUATIONS), letters, shapes(max_dims=2)).flatmap(lambda t: arrays_for(*t))


def numpy_bernoulli(a, seed):
    return (np.random.default_rng(seed).random(a.shape) < a).astype(a.dtype)


def seeded(method: str, *args):
    """`in_graph(a).<method>(*args)` with the draws fixed by `seed`: the same values on every
    call, so finite differences see the (zero) gradient to the overwritten value."""

    def fn(a, seed):
        with drawn_from(seed):
            return getattr(in_graph(a), method)(*args)

    return fn


def numpy_draws(method: str, *args):
    def reference(a, seed):
        return getattr(np.random.default_rng(seed), method)(*args, a.shape)

    return reference


def setitem_cases(scalar: bool = False, transposed: bool = False) -> st.SearchStrategy:
    """A target array, a key (no position written twice: with repeats the last write wins and
    the overwritten values have no derivative) and the value: an array broadcasting into the
    indexed shape, or a number. With `transposed`, the key indexes the target's transpose."""

    def values(a: np.ndarray, key):
        if scalar:
            return floats(-2, 2).map(lambda v: Case((a,), {"key": key, "value": v}))
        indexed = numpy_index(a.T if transposed else a, key).shape
        return broadcastable_into(indexed).flatmap(arrays).map(lambda v: Case((a, v), {"key": key}))

    return shapes(min_dims=1).flatmap(arrays).flatmap(
        lambda a: index_keys((a.T if transposed else a).shape, repeats=False).flatmap(lambda key: values(a, key))
    )


def numpy_key(key):
    return tuple(np.asarray(k) if isinstance(k, list) else k for k in key) if isinstance(key, tuple) else key


def setitem(a, v=None, *, key, value=None):
    y = in_graph(a)
    y[key] = v if v is not None else value
    return y


def setitem_transposed(a, v, *, key):
    y = in_graph(a)
    y.T[key] = v
    return y


def numpy_setitem(a, v=None, *, key, value=None):
    out = a.copy()
    out[numpy_key(key)] = v if v is not None else value
    return out


def numpy_setitem_transposed(a, v, *, key):
    out = a.copy()
    out.T[numpy_key(key)] = v
    return out


UNARY_IN_PLACE = {
    "abs": (away_from_zero, np.abs), "exp": (arrays, np.exp), "log": (positive, np.log), "log1p": (positive, np.log1p),
    "sqrt": (positive, np.sqrt), "rsqrt": (positive, lambda a: 1 / np.sqrt(a)), "sin": (arrays, np.sin),
    "cos": (arrays, np.cos), "tanh": (arrays, np.tanh),
    "sigmoid": (lambda s: arrays(s, -6, 6), lambda a: 1 / (1 + np.exp(-a))),
    "relu": (away_from_zero, lambda a: np.maximum(a, 0)), "square": (arrays, np.square),
}
"""The unary ops with an in-place form, each with its inputs' domain and NumPy reference."""

COMPARISONS = {"lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
               "eq": np.equal, "ne": np.not_equal}

SPECS: list[OpSpec] = [
    # arithmetic
    OpSpec("add", "add", lambda a, b: a + b, pair(), np.add),
    OpSpec("add-scalar", "add", lambda a, scalar: scalar + a + scalar, with_scalar(), lambda a, scalar: a + 2 * scalar),
    OpSpec("sub", "sub", lambda a, b: a - b, pair(), np.subtract),
    OpSpec("sub-scalar", "sub", lambda a, scalar: scalar - (a - scalar), with_scalar(),
           lambda a, scalar: 2 * scalar - a),
    OpSpec("mul", "mul", lambda a, b: a * b, pair(), np.multiply),
    OpSpec("mul-scalar", "mul", lambda a, scalar: scalar * a * scalar, with_scalar(),
           lambda a, scalar: scalar * a * scalar),
    OpSpec("div", "div", lambda a, b: a / b, pair(second=lambda s: away_from_zero(s, 0.5)), np.divide),
    OpSpec("div-scalar", "div", lambda a, scalar: 2.0 / a / scalar, with_scalar(away_from_zero, floats(0.5, 2)),
           lambda a, scalar: 2.0 / a / scalar),
    OpSpec("pow", "pow", lambda a, b: a**b, pair(first=positive, second=lambda s: arrays(s, -2, 2)), np.power),
    OpSpec("pow-scalar-exponent", "pow", lambda a, scalar: a**scalar,
           with_scalar(positive, st.sampled_from([2, 3, 0.5, -1.0, 0])), lambda a, scalar: np.power(a, scalar)),
    OpSpec("pow-scalar-base", "pow", lambda a, scalar: scalar**a, with_scalar(scalars=floats(0.5, 3)),
           lambda a, scalar: np.power(scalar, a)),
    OpSpec("neg", "neg", lambda a: -a, one(), np.negative),
    OpSpec("abs", "abs", lambda a: a.abs(), one(away_from_zero), np.abs),
    OpSpec("matmul", "matmul", lambda a, b: a @ b, matmul_cases(), numpy_matmul),
    OpSpec("mm", "mm", lambda a, b: a.mm(b), matrices_cases(batched=False), np.matmul),
    OpSpec("bmm", "bmm", lambda a, b: a.bmm(b), matrices_cases(batched=True), np.matmul),
    # remainders and rounded quotients (gradient zero), bitwise ops (forward only)
    OpSpec("remainder", "remainder", lambda a, b: a % b, off_multiples(), np.remainder),
    OpSpec("remainder-scalar", "remainder", lambda a, scalar: tg.remainder(a * scalar, scalar), scalar_multiples(),
           lambda a, scalar: np.remainder(a * scalar, scalar)),
    OpSpec("remainder-int", "remainder", lambda a, b: a.remainder(b), pair(integers, nonzero_integers), np.remainder,
           differentiable=False),
    OpSpec("remainder-reflected-int", "remainder", lambda a, scalar: scalar % a,
           with_scalar(nonzero_integers, st.integers(-5, 5)), lambda a, scalar: np.remainder(scalar, a),
           differentiable=False),
    OpSpec("fmod", "fmod", lambda a, b: tg.fmod(a, b), off_multiples(), np.fmod),
    OpSpec("fmod-int", "fmod", lambda a, b: a.fmod(b), pair(integers, nonzero_integers), np.fmod,
           differentiable=False),
    OpSpec("floor_divide", "floor_divide", lambda a, b: a // b, off_multiples(), np.floor_divide),
    OpSpec("floor_divide-int", "floor_divide", lambda a, b: tg.floor_divide(a, b), pair(integers, nonzero_integers),
           np.floor_divide, differentiable=False),
    OpSpec("floor_divide-reflected-int", "floor_divide", lambda a, scalar: scalar // a,
           with_scalar(nonzero_integers, st.integers(-5, 5)), lambda a, scalar: np.floor_divide(scalar, a),
           differentiable=False),
    OpSpec("div-trunc", "div", lambda a, b: a.div(b, rounding_mode="trunc"), off_multiples(), numpy_trunc_divide),
    OpSpec("div-floor", "div", lambda a, b: tg.div(a, b, rounding_mode="floor"), off_multiples(), np.floor_divide),
    OpSpec("div-trunc-int", "div", lambda a, b: a.div(b, rounding_mode="trunc"), pair(integers, nonzero_integers),
           numpy_trunc_divide, differentiable=False),
    OpSpec("positive", "positive", lambda a: +a, one(), np.positive),
    # scans, medians, counts, differences, products, distances (reductions.py)
    OpSpec("sum-dtype", "sum", lambda a, dim, keepdim: a.sum(dim, keepdim, dtype=tg.float64), reduction(integers),
           lambda a, dim, keepdim: np.sum(a, axis=np_axis(a, dim), keepdims=keepdim, dtype=np.float64),
           differentiable=False),
    OpSpec("sum-dtype-int16", "sum", lambda a, dim, keepdim: tg.sum(a, dim, keepdim, dtype=tg.int16),
           reduction(integers),
           lambda a, dim, keepdim: np.sum(a, axis=np_axis(a, dim), keepdims=keepdim, dtype=np.int16),
           differentiable=False),
    OpSpec("mean-dtype", "mean", lambda a, dim, keepdim: a.mean(dim, keepdim, dtype=tg.float64), reduction(integers),
           lambda a, dim, keepdim: np.mean(a, axis=np_axis(a, dim), keepdims=keepdim, dtype=np.float64),
           differentiable=False),
    OpSpec("cumprod", "cumprod", lambda a, dim: a.cumprod(dim), along_one_dim(), lambda a, dim: np.cumprod(a, dim)),
    OpSpec("cumprod-zeros", "cumprod", lambda a, dim: tg.cumprod(a, dim), along_one_dim(grid),
           lambda a, dim: np.cumprod(a, dim)),
    OpSpec("cumprod-int", "cumprod", lambda a, dim: a.cumprod(dim), along_one_dim(integers),
           lambda a, dim: np.cumprod(a, dim), differentiable=False),
    OpSpec("logcumsumexp", "logcumsumexp", lambda a, dim: tg.logcumsumexp(a, dim), along_one_dim(),
           lambda a, dim: np.logaddexp.accumulate(a, axis=dim)),
    OpSpec("median", "median", lambda a: a.median(), one(distinct),
           lambda a: np.sort(a.ravel())[(a.size - 1) // 2]),
    OpSpec("median-dim", "median", lambda a, **kw: tg.median(a, **kw).values,
           ordering_cases(distinct, keepdim=st.booleans()), numpy_median_dim),
    OpSpec("count_nonzero", "count_nonzero", lambda a, dim: a.count_nonzero(dim), count_cases(),
           numpy_count_nonzero, differentiable=False),
    OpSpec("diff", "diff", lambda a, n: a.diff(n), one(shape=shapes(min_dims=1), n=st.integers(0, 3)),
           lambda a, n: np.diff(a, n)),
    OpSpec("diff-prepend-append", "diff", lambda a, b: tg.diff(a, dim=0, prepend=b, append=a), same_shape_pair(),
           lambda a, b: np.diff(a, axis=0, prepend=b, append=a)),
    OpSpec("diff-bool", "diff", lambda a: a.diff(), one(bools, shape=shapes(min_dims=1)), np.diff,
           differentiable=False),
    OpSpec("nan_to_num", "nan_to_num", lambda a: a.nan_to_num(), one(), np.nan_to_num),
    OpSpec("nan_to_num-specials", "nan_to_num", lambda a: tg.nan_to_num(a, 0.5, 2.0, -3.0), one(specials),
           lambda a: np.nan_to_num(a, nan=0.5, posinf=2.0, neginf=-3.0), differentiable=False),
    OpSpec("dot", "dot", lambda a, b: tg.dot(a, b), same_shape_pair(1, 1), np.dot),
    OpSpec("mv", "mv", lambda a, v: a.mv(v), matrix_vector_cases(), np.matmul),
    OpSpec("addmm", "addmm", lambda i, a, b, **kw: tg.addmm(i, a, b, **kw), addmm_cases(), numpy_addmm),
    OpSpec("var_mean", "var_mean", lambda a, **kw: tg.stack(tg.var_mean(a, **kw)),
           reduction(correction=st.sampled_from([0, 1])).map(counted), numpy_stat_mean(np.var)),
    OpSpec("std_mean", "std_mean", lambda a, **kw: tg.stack(tg.std_mean(a, **kw)),
           reduction(distinct, correction=st.sampled_from([0, 1])).map(counted), numpy_stat_mean(np.std)),
    OpSpec("cdist", "cdist", lambda a, b, p: tg.cdist(a, b, p), cdist_cases(), numpy_cdist),
    # positions, distinct values, counts and grids (counting.py, grids.py)
    OpSpec("nonzero", "nonzero", lambda a: a.nonzero(), one(grid), np.argwhere, differentiable=False),
    OpSpec("nonzero-as_tuple", "nonzero", lambda a: tg.stack(tg.nonzero(a, as_tuple=True)), one(grid),
           lambda a: np.stack(np.nonzero(np.atleast_1d(a))), differentiable=False),
    OpSpec("argwhere", "argwhere", lambda a: tg.argwhere(a), one(grid), np.argwhere, differentiable=False),
    OpSpec("unique", "unique", lambda a: a.unique(), one(grid), np.unique, differentiable=False),
    OpSpec("unique-inverse", "unique", lambda a: tg.unique(a, return_inverse=True)[1], one(grid),
           numpy_unique_part(1), differentiable=False),
    OpSpec("unique-counts", "unique", lambda a: tg.unique(a, return_inverse=True, return_counts=True)[2], one(grid),
           numpy_unique_part(2), differentiable=False),
    OpSpec("bincount", "bincount", lambda a, minlength: a.bincount(minlength=minlength), bincount_cases(False),
           lambda a, minlength: np.bincount(a, minlength=minlength), differentiable=False),
    OpSpec("bincount-weights", "bincount", lambda a, w, minlength: tg.bincount(a, w, minlength), bincount_cases(True),
           lambda a, w, minlength: np.bincount(a, w, minlength).astype(np.float64), differentiable=False),
    OpSpec("histc", "histc", lambda a, **kw: tg.histc(a, **kw),
           one(off_edges, bins=st.sampled_from([1, 2, 3, 6]), min=st.just(-1.0), max=st.just(2.0)), numpy_histc,
           differentiable=False),
    OpSpec("meshgrid", "meshgrid", lambda *arrays, indexing: tg.stack(tg.meshgrid(*arrays, indexing=indexing)),
           meshgrid_cases(), lambda *arrays, indexing: np.stack(np.meshgrid(*arrays, indexing=indexing))),
    # trigonometry and friends (ops/trig.py)
    *[OpSpec(name, name, (lambda n: lambda a: getattr(tg, n)(a))(name), one(elements), ref)
      for name, (elements, ref) in TRIG.items()],
    *[OpSpec(alias, alias, (lambda n: lambda a: getattr(a, n)())(alias), one(TRIG[name][0]), TRIG[name][1])
      for alias, name in ARC_ALIASES.items()],
    OpSpec("atan2", "atan2", lambda a, b: tg.atan2(a, b), pair(away_from_zero, arrays), np.arctan2),
    OpSpec("arctan2", "arctan2", lambda a, b: a.arctan2(b), pair(away_from_zero, arrays), np.arctan2),
    OpSpec("hypot", "hypot", lambda a, b: tg.hypot(a, b), pair(away_from_zero, arrays), np.hypot),
    OpSpec("logaddexp", "logaddexp", lambda a, b: a.logaddexp(b), untied_pair(), np.logaddexp),
    OpSpec("lerp", "lerp", lambda a, b, w: tg.lerp(a, b, w), lerp_cases(), numpy_lerp),
    OpSpec("lerp-scalar", "lerp", lambda a, b, weight: a.lerp(b, weight),
           pair().map(lambda case: Case(case.arrays, {"weight": 0.3})), numpy_lerp),
    *[OpSpec(name, name, (lambda n: lambda a, b: getattr(a, BITWISE_OPERATORS[n])(b))(name),
             pair(integers, integers), ufunc, differentiable=False) for name, ufunc in BITWISE.items()],
    *[OpSpec(f"{name}-bool", name, (lambda n: lambda a, b: getattr(tg, n)(a, b))(name), pair(bools, bools), ufunc,
             differentiable=False) for name, ufunc in BITWISE.items()],
    OpSpec("bitwise_not", "bitwise_not", lambda a: a.bitwise_not(), one(integers), np.invert, differentiable=False),
    OpSpec("bitwise_not-bool", "bitwise_not", lambda a: tg.bitwise_not(a), one(bools), np.invert,
           differentiable=False),
    # comparisons and other constant-gradient ops: forward only
    *[OpSpec(name, name, (lambda n: lambda a, b: getattr(a, n)(b))(name), pair(grid, grid), ufunc,
             differentiable=False) for name, ufunc in COMPARISONS.items()],
    OpSpec("logical_not", "logical_not", lambda a: ~a, one(bools), np.logical_not, differentiable=False),
    OpSpec("sign", "sign", lambda a: a.sign(), one(grid), np.sign, differentiable=False),
    # elementwise
    OpSpec("exp", "exp", lambda a: a.exp(), one(), np.exp),
    OpSpec("log", "log", lambda a: a.log(), one(positive), np.log),
    OpSpec("log1p", "log1p", lambda a: a.log1p(), one(positive), np.log1p),
    OpSpec("erf", "erf", lambda a: a.erf(), one(), np.vectorize(math.erf, otypes=[float])),
    OpSpec("sqrt", "sqrt", lambda a: a.sqrt(), one(positive), np.sqrt),
    OpSpec("sin", "sin", lambda a: a.sin(), one(), np.sin),
    OpSpec("cos", "cos", lambda a: a.cos(), one(), np.cos),
    OpSpec("tanh", "tanh", lambda a: a.tanh(), one(), np.tanh),
    OpSpec("sigmoid", "sigmoid", lambda a: a.sigmoid(), one(lambda s: arrays(s, -6, 6)),
           lambda a: 1 / (1 + np.exp(-a))),
    OpSpec("relu", "relu", lambda a: a.relu(), one(away_from_zero), lambda a: np.maximum(a, 0)),
    OpSpec("maximum", "maximum", lambda a, b: tg.maximum(a, b), untied_pair(), np.maximum),
    OpSpec("minimum", "minimum", lambda a, b: a.minimum(b), untied_pair(), np.minimum),
    OpSpec("clamp", "clamp", lambda a, **kw: a.clamp(**kw), one(off_bounds, min=st.just(-0.5), max=st.just(0.5)),
           numpy_clamp),
    OpSpec("clamp-min", "clamp", lambda a, **kw: a.clamp(**kw), one(off_bounds, min=st.just(-0.5)), numpy_clamp),
    OpSpec("clip-max", "clip", lambda a, **kw: a.clip(**kw), one(off_bounds, max=st.just(0.5)), numpy_clamp),
    OpSpec("where", "where", lambda c, a, b: tg.where(c, a, b), where_cases(), np.where),
    OpSpec("where-method", "where", lambda c, a, b: a.where(c, b), where_cases(), np.where),
    # reductions
    OpSpec("sum", "sum", lambda a, **kw: a.sum(**kw), reduction(),
           lambda a, dim, keepdim: np.sum(a, axis=np_axis(a, dim), keepdims=keepdim)),
    OpSpec("mean", "mean", lambda a, **kw: a.mean(**kw), reduction(),
           lambda a, dim, keepdim: np.mean(a, axis=np_axis(a, dim), keepdims=keepdim)),
    OpSpec("var", "var", lambda a, **kw: a.var(**kw), reduction(correction=st.sampled_from([0, 1])).map(counted),
           keepdim_sum_var),
    OpSpec("std", "std", lambda a, **kw: a.std(**kw),
           reduction(distinct, correction=st.sampled_from([0, 1])).map(counted),
           lambda a, **kw: np.sqrt(keepdim_sum_var(a, **kw))),
    OpSpec("amax", "amax", lambda a, **kw: a.amax(**kw), reduction(distinct),
           lambda a, dim, keepdim: np.max(a, axis=np_axis(a, dim), keepdims=keepdim)),
    OpSpec("amin", "amin", lambda a, **kw: a.amin(**kw), reduction(distinct),
           lambda a, dim, keepdim: np.min(a, axis=np_axis(a, dim), keepdims=keepdim)),
    OpSpec("max", "max", lambda a: a.max(), one(distinct), np.max),
    OpSpec("max-dim", "max", lambda a, **kw: a.max(**kw).values, along_one_dim(distinct, keepdim=True),
           lambda a, dim, keepdim: np.max(a, axis=np_axis(a, dim), keepdims=keepdim)),
    OpSpec("min", "min", lambda a: a.min(), one(distinct), np.min),
    OpSpec("min-dim", "min", lambda a, **kw: a.min(**kw).values, along_one_dim(distinct, keepdim=True),
           lambda a, dim, keepdim: np.min(a, axis=np_axis(a, dim), keepdims=keepdim)),
    OpSpec("argmax", "argmax", lambda a, **kw: a.argmax(**kw), with_ties(), numpy_arg(np.argmax),
           differentiable=False),
    OpSpec("argmin", "argmin", lambda a, **kw: a.argmin(**kw), with_ties(), numpy_arg(np.argmin),
           differentiable=False),
    OpSpec("norm", "norm", lambda a, **kw: a.norm(**kw),
           reduction(away_from_zero, p=st.sampled_from([2, 1, 3, 0.5, -1.5, 0])), numpy_vector_norm),
    OpSpec("norm-fro", "norm", lambda a, **kw: tg.norm(a, "fro", **kw), reduction(away_from_zero).map(at_most_two_dims),
           lambda a, **kw: numpy_vector_norm(a, 2, **kw)),
    OpSpec("norm-inf", "norm", lambda a, **kw: a.norm(**kw),
           reduction(distinct_magnitudes, p=st.sampled_from([math.inf, -math.inf])), numpy_vector_norm),
    OpSpec("linalg.vector_norm", "linalg.vector_norm", lambda a, ord, **kw: tg.linalg.vector_norm(a, ord, **kw),
           reduction(distinct_magnitudes, ord=st.sampled_from([2, 1, 0, 2.5, -1, math.inf, -math.inf])),
           lambda a, ord, **kw: numpy_vector_norm(a, ord, **kw)),
    OpSpec("linalg.matrix_norm", "linalg.matrix_norm", lambda a, **kw: tg.linalg.matrix_norm(a, **kw),
           matrix_norm_cases(), numpy_matrix_norm),
    OpSpec("linalg.norm", "linalg.norm", lambda a, ord: tg.linalg.norm(a, ord),
           one(distinct_magnitudes, shape=shapes(min_dims=1, max_dims=2), ord=st.sampled_from([None, 1, math.inf]))
           .map(untied_whole_matrix), lambda a, ord: np.linalg.norm(a, ord)),
    OpSpec("logsumexp", "logsumexp", lambda a, **kw: a.logsumexp(**kw), reduction(min_dims=1).map(dims_only),
           numpy_logsumexp),
    OpSpec("softmax", "softmax", lambda a, **kw: a.softmax(**kw), along_one_dim(), numpy_softmax),
    OpSpec("log_softmax", "log_softmax", lambda a, **kw: a.log_softmax(**kw), along_one_dim(),
           lambda a, dim: np.log(numpy_softmax(a, dim))),
    # shape
    OpSpec("reshape", "reshape", lambda a, shape: a.reshape(shape), reshape_cases(), numpy_reshape),
    OpSpec("view", "view", lambda a, shape: a.view(*shape), reshape_cases(), numpy_reshape),
    OpSpec("flatten", "flatten", lambda a, **kw: a.flatten(**kw), flatten_cases(), numpy_flatten),
    OpSpec("squeeze", "squeeze", lambda a, dim: a.squeeze(dim), squeeze_cases(), numpy_squeeze),
    OpSpec("unsqueeze", "unsqueeze", lambda a, dim: a.unsqueeze(dim), unsqueeze_cases(),
           lambda a, dim: np.expand_dims(a, dim)),
    OpSpec("permute", "permute", lambda a, dims: a.permute(*dims), permute_cases(), numpy_permute),
    OpSpec("transpose", "transpose", lambda a, **kw: a.transpose(**kw), transpose_cases(), numpy_transpose),
    OpSpec("T", "T", lambda a: a.T, one(), lambda a: a.T),
    OpSpec("mT", "mT", lambda a: a.mT, one(shape=shapes(min_dims=2)), lambda a: np.swapaxes(a, -1, -2)),
    OpSpec("t", "t", lambda a: a.t(), one(shape=shapes(max_dims=2)), lambda a: a.T),
    OpSpec("view_as", "view_as", lambda a, shape: a.view_as(same_size_as(a, shape)), reshape_cases(),
           numpy_reshape),
    OpSpec("reshape_as", "reshape_as", lambda a, shape: a.reshape_as(same_size_as(a, shape)), reshape_cases(),
           numpy_reshape),
    OpSpec("expand_as", "expand_as", lambda a, shape: a.expand_as(tg.zeros(shape)), expand_cases(), numpy_expand),
    OpSpec("contiguous", "contiguous", lambda a: a.T.contiguous(), one(), lambda a: a.T),
    OpSpec("expand", "expand", lambda a, shape: a.expand(*shape), expand_cases(), numpy_expand),
    OpSpec("broadcast_to", "broadcast_to", lambda a, shape: a.broadcast_to(shape), expand_cases(), numpy_expand),
    OpSpec("getitem", "getitem", lambda a, key: a[key], index_cases(), numpy_index),
    OpSpec("gather", "gather", lambda a, dim, index: a.gather(dim, tg.tensor(index)), gather_cases(), numpy_gather),
    OpSpec("cat", "cat", lambda *arrs, dim: tg.cat(arrs, dim), cat_cases(same_shape=False),
           lambda *arrs, dim: np.concatenate(arrs, axis=dim)),
    OpSpec("stack", "stack", lambda *arrs, dim: tg.stack(arrs, dim), cat_cases(same_shape=True),
           lambda *arrs, dim: np.stack(arrs, axis=dim)),
    OpSpec("clone", "clone", lambda a: a.clone(), one(), np.copy),
    # selection and rearrangement (ops returning several tensors are checked through their
    # pieces joined in reverse order)
    OpSpec("narrow", "narrow", lambda a, **kw: a.narrow(**kw), narrow_cases(), numpy_narrow),
    OpSpec("split", "split", lambda a, split_size, dim: tg.cat(tg.split(a, split_size, dim)[::-1], dim),
           split_cases(), numpy_pieces_reversed),
    OpSpec("chunk", "chunk", lambda a, chunks, dim: tg.cat(a.chunk(chunks, dim)[::-1], dim), chunk_cases(),
           numpy_chunks_reversed),
    OpSpec("sort", "sort", lambda a, **kw: a.sort(**kw).values, ordering_cases(distinct, descending=st.booleans()),
           numpy_sort),
    OpSpec("sort-indices", "sort", lambda a, **kw: tg.sort(a, **kw).indices,
           ordering_cases(grid, descending=st.booleans(), stable=st.booleans()), numpy_stable_order,
           differentiable=False),
    OpSpec("argsort", "argsort", lambda a, **kw: tg.argsort(a, **kw), ordering_cases(grid, descending=st.booleans()),
           numpy_stable_order, differentiable=False),
    OpSpec("topk", "topk", lambda a, **kw: a.topk(**kw).values,
           ordering_cases(distinct, largest=st.booleans()).flatmap(with_k(0)), lambda a, **kw: numpy_topk(a, **kw)[1]),
    OpSpec("topk-indices", "topk", lambda a, **kw: tg.topk(a, **kw).indices,
           ordering_cases(grid, largest=st.booleans()).flatmap(with_k(0)), lambda a, **kw: numpy_topk(a, **kw)[0],
           differentiable=False),
    OpSpec("kthvalue", "kthvalue", lambda a, **kw: tg.kthvalue(a, **kw).values,
           ordering_cases(distinct, keepdim=st.booleans()).flatmap(with_k(1)), numpy_kthvalue),
    OpSpec("multinomial", "multinomial", lambda a, **kw: a.multinomial(**kw), one_category_cases(),
           numpy_one_category, differentiable=False),
    OpSpec("scatter", "scatter", lambda a, src, dim, index: a.scatter(dim, tg.tensor(index), src), scatter_cases(),
           numpy_scatter),
    OpSpec("scatter-value", "scatter", lambda a, **kw: a.scatter(**kw), scatter_cases(src=False), numpy_scatter),
    OpSpec("scatter_", "scatter_", lambda a, src, dim, index: in_graph(a).scatter_(dim, index, src), scatter_cases(),
           numpy_scatter),
    OpSpec("scatter_-value", "scatter_", lambda a, dim, index, value: in_graph(a).scatter_(dim, index, value=value),
           scatter_cases(src=False), numpy_scatter),
    OpSpec("scatter_add", "scatter_add", lambda a, src, dim, index: tg.scatter_add(a, dim, index, src),
           scatter_cases(unique=False), numpy_scatter_add),
    OpSpec("scatter_add_", "scatter_add_", lambda a, src, dim, index: in_graph(a).scatter_add_(dim, index, src),
           scatter_cases(unique=False), numpy_scatter_add),
    OpSpec("index_select", "index_select", lambda a, dim, index: tg.index_select(a, dim, tg.tensor(index)),
           index_select_cases(), lambda a, dim, index: np.take(a, np.atleast_1d(index), axis=dim)),
    OpSpec("masked_select", "masked_select", lambda a, mask: a.masked_select(mask), pair(second=bools),
           numpy_masked_select),
    OpSpec("cumsum", "cumsum", lambda a, dim: a.cumsum(dim), along_one_dim(), lambda a, dim: np.cumsum(a, axis=dim)),
    OpSpec("cumsum-int", "cumsum", lambda a, dim: tg.cumsum(a, dim), along_one_dim(integers),
           lambda a, dim: np.cumsum(a, axis=dim), differentiable=False),
    OpSpec("prod", "prod", lambda a, **kw: a.prod(**kw), one_dim_or_all(grid), numpy_prod),
    OpSpec("prod-int", "prod", lambda a, **kw: tg.prod(a, **kw), one_dim_or_all(integers), numpy_prod,
           differentiable=False),
    OpSpec("all", "all", lambda a, **kw: a.all(**kw), reduction(grid), numpy_logical(np.all), differentiable=False),
    OpSpec("any", "any", lambda a, **kw: tg.any(a, **kw), reduction(grid), numpy_logical(np.any),
           differentiable=False),
    OpSpec("isnan", "isnan", lambda a: a.isnan(), one(specials), np.isnan, differentiable=False),
    OpSpec("isinf", "isinf", lambda a: tg.isinf(a), one(specials), np.isinf, differentiable=False),
    OpSpec("isfinite", "isfinite", lambda a: a.isfinite(), one(specials), np.isfinite, differentiable=False),
    OpSpec("square", "square", lambda a: a.square(), one(), np.square),
    OpSpec("rsqrt", "rsqrt", lambda a: tg.rsqrt(a), one(positive), lambda a: 1 / np.sqrt(a)),
    OpSpec("clamp_min", "clamp_min", lambda a, min: a.clamp_min(min), one(off_bounds, min=st.just(-0.5)),
           lambda a, min: np.maximum(a, min)),
    OpSpec("clamp_max", "clamp_max", lambda a, max: tg.clamp_max(a, max), one(off_bounds, max=st.just(0.5)),
           lambda a, max: np.minimum(a, max)),
    OpSpec("tril", "tril", lambda a, diagonal: a.tril(diagonal),
           one(shape=shapes(min_dims=2), diagonal=st.integers(-3, 3)), lambda a, diagonal: np.tril(a, diagonal)),
    OpSpec("triu", "triu", lambda a, diagonal: tg.triu(a, diagonal=diagonal),
           one(shape=shapes(min_dims=2), diagonal=st.integers(-3, 3)), lambda a, diagonal: np.triu(a, diagonal)),
    OpSpec("roll", "roll", lambda a, **kw: a.roll(**kw), roll_cases(), numpy_roll),
    OpSpec("flip", "flip", lambda a, dims: tg.flip(a, dims), flip_cases(), lambda a, dims: np.flip(a, tuple(dims))),
    OpSpec("repeat", "repeat", lambda a, sizes: a.repeat(sizes), repeat_cases(), lambda a, sizes: np.tile(a, sizes)),
    OpSpec("tile", "tile", lambda a, dims: tg.tile(a, dims), tile_cases(), lambda a, dims: np.tile(a, dims)),
    OpSpec("unbind", "unbind", lambda a, dim: tg.stack(a.unbind(dim)[::-1], dim), unbind_cases(),
           lambda a, dim: np.flip(a, dim)),
    # in place, on a clone of the first input (in_graph)
    OpSpec("add_", "add_", lambda a, b: in_graph(a).add_(b), into(), np.add),
    OpSpec("add_-scalar", "add_", lambda a, scalar: in_graph(a).add_(scalar, alpha=2), with_scalar(),
           lambda a, scalar: a + 2 * scalar),
    OpSpec("add_-view", "add_", through_view("add_"), into_view(), numpy_at(np.add)),
    OpSpec("sub_", "sub_", lambda a, b, alpha: in_graph(a).sub_(b, alpha=alpha),
           into(alpha=st.sampled_from([1, -0.5, 2.0])), lambda a, b, alpha: a - alpha * b),
    OpSpec("sub_-scalar", "sub_", lambda a, scalar: in_graph(a).sub_(scalar), with_scalar(),
           lambda a, scalar: a - scalar),
    OpSpec("mul_", "mul_", lambda a, b: in_graph(a).mul_(b), into(), np.multiply),
    OpSpec("mul_-scalar", "mul_", lambda a, scalar: in_graph(a).mul_(scalar), with_scalar(),
           lambda a, scalar: a * scalar),
    OpSpec("mul_-view", "mul_", through_view("mul_"), into_view(), numpy_at(np.multiply)),
    OpSpec("div_", "div_", lambda a, b: in_graph(a).div_(b), into(second=lambda s: away_from_zero(s, 0.5)),
           np.divide),
    OpSpec("div_-scalar", "div_", lambda a, scalar: in_graph(a).div_(scalar), with_scalar(scalars=floats(0.5, 2)),
           lambda a, scalar: a / scalar),
    OpSpec("pow_", "pow_", lambda a, b: in_graph(a).pow_(b), into(first=positive, second=lambda s: arrays(s, -2, 2)),
           np.power),
    OpSpec("pow_-scalar", "pow_", lambda a, scalar: in_graph(a).pow_(scalar),
           with_scalar(positive, st.sampled_from([2, 3, 0.5, -1.0])), lambda a, scalar: np.power(a, scalar)),
    OpSpec("neg_", "neg_", lambda a: in_graph(a).neg_(), one(), np.negative),
    *[OpSpec(f"{name}_", f"{name}_", (lambda n: lambda a: getattr(in_graph(a), f"{n}_")())(name), one(elements), ref)
      for name, (elements, ref) in TRIG.items()],
    OpSpec("atan2_", "atan2_", lambda a, b: in_graph(a).atan2_(b), into(away_from_zero, arrays), np.arctan2),
    OpSpec("hypot_", "hypot_", lambda a, b: in_graph(a).hypot_(b), into(away_from_zero, arrays), np.hypot),
    OpSpec("lerp_", "lerp_", lambda a, b, weight: in_graph(a).lerp_(b, weight), into(weight=st.just(0.3)),
           numpy_lerp),
    OpSpec("unsqueeze_", "unsqueeze_", lambda a, dim: in_graph(a).unsqueeze_(dim), unsqueeze_cases(),
           lambda a, dim: np.expand_dims(a, dim)),
    OpSpec("squeeze_", "squeeze_", lambda a, dim: in_graph(a).squeeze_(dim), squeeze_cases(), numpy_squeeze),
    OpSpec("transpose_", "transpose_", lambda a, **kw: in_graph(a).transpose_(**kw), transpose_cases(),
           numpy_transpose),
    OpSpec("t_", "t_", lambda a: in_graph(a).t_(), one(shape=shapes(max_dims=2)), lambda a: a.T),
    OpSpec("bernoulli_", "bernoulli_", seeded("bernoulli_", 0.3), one(seed=st.integers(0, 2**32 - 1)),
           numpy_bernoulli_fill),
    OpSpec("exponential_", "exponential_", seeded("exponential_", 2.0), one(seed=st.integers(0, 2**32 - 1)),
           numpy_draws("exponential", 0.5)),
    OpSpec("log_normal_", "log_normal_", seeded("log_normal_", 0.5, 0.3), one(seed=st.integers(0, 2**32 - 1)),
           numpy_draws("lognormal", 0.5, 0.3)),
    OpSpec("random_", "random_", seeded("random_", -3, 10), one(seed=st.integers(0, 2**32 - 1)), numpy_integer_draws),
    OpSpec("remainder_", "remainder_", lambda a, b: in_graph(a).remainder_(b), off_multiples(), np.remainder),
    OpSpec("fmod_", "fmod_", lambda a, b: in_graph(a).fmod_(b), off_multiples(), np.fmod),
    OpSpec("floor_divide_", "floor_divide_", lambda a, b: in_graph(a).floor_divide_(b), off_multiples(),
           np.floor_divide),
    OpSpec("div_-floor", "div_", lambda a, b: in_graph(a).div_(b, rounding_mode="floor"), off_multiples(),
           np.floor_divide),
    *[OpSpec(f"{name}_", f"{name}_", (lambda n: lambda a, b: getattr(in_graph(a), f"{n}_")(b))(name),
             into(integers, integers), ufunc, differentiable=False) for name, ufunc in BITWISE.items()],
    OpSpec("bitwise_not_", "bitwise_not_", lambda a: in_graph(a).bitwise_not_(), one(integers), np.invert,
           differentiable=False),
    OpSpec("clamp_", "clamp_", lambda a, **kw: in_graph(a).clamp_(**kw),
           one(off_bounds, min=st.just(-0.5), max=st.just(0.5)), numpy_clamp),
    OpSpec("clamp_-min", "clamp_", lambda a, **kw: in_graph(a).clamp_(**kw), one(off_bounds, min=st.just(-0.5)),
           numpy_clamp),
    OpSpec("clip_-max", "clip_", lambda a, **kw: in_graph(a).clip_(**kw), one(off_bounds, max=st.just(0.5)),
           numpy_clamp),
    *[OpSpec(f"{name}_", f"{name}_", (lambda n: lambda a: getattr(in_graph(a), f"{n}_")())(name), one(elements), ref)
      for name, (elements, ref) in UNARY_IN_PLACE.items()],
    OpSpec("clamp_min_", "clamp_min_", lambda a, min: in_graph(a).clamp_min_(min), one(off_bounds, min=st.just(-0.5)),
           lambda a, min: np.maximum(a, min)),
    OpSpec("clamp_max_", "clamp_max_", lambda a, max: in_graph(a).clamp_max_(max), one(off_bounds, max=st.just(0.5)),
           lambda a, max: np.minimum(a, max)),
    OpSpec("fill_", "fill_", lambda a, value: in_graph(a).fill_(value), one(value=floats(-2, 2)),
           lambda a, value: np.full(a.shape, value)),
    OpSpec("fill_-tensor", "fill_", lambda a, v: in_graph(a).fill_(v),
           shapes().flatmap(lambda s: st.tuples(arrays(s), arrays(())).map(Case)), lambda a, v: np.full(a.shape, v)),
    OpSpec("zero_", "zero_", lambda a: in_graph(a).zero_(), one(), np.zeros_like),
    OpSpec("copy_", "copy_", lambda a, b: in_graph(a).copy_(b), into(),
           lambda a, b: np.broadcast_to(b, a.shape)),
    OpSpec("copy_-transposed", "copy_", copy_into_transpose, into_transposed(),
           lambda a, b: np.broadcast_to(b, a.T.shape).T),
    OpSpec("masked_fill_", "masked_fill_", lambda a, mask, value: in_graph(a).masked_fill_(mask, value),
           masked_cases(with_tensor_value=False), numpy_masked_fill),
    OpSpec("masked_fill_-tensor", "masked_fill_", lambda a, mask, v: in_graph(a).masked_fill_(mask, v),
           masked_cases(with_tensor_value=True), numpy_masked_fill),
    OpSpec("masked_fill", "masked_fill", lambda a, mask, value: a.masked_fill(mask, value),
           masked_cases(with_tensor_value=False), numpy_masked_fill),
    OpSpec("masked_fill-tensor", "masked_fill", lambda a, mask, v: a.masked_fill(mask, v),
           masked_cases(with_tensor_value=True), numpy_masked_fill),
    OpSpec("masked_fill-wider-mask", "masked_fill", lambda mask, a, value: a.masked_fill(mask, value),
           into(first=bools, value=floats(-2, 2)), lambda mask, a, value: np.where(mask, value, a)),
    OpSpec("index_add_", "index_add_",
           lambda a, source, dim, index, alpha: in_graph(a).index_add_(dim, tg.tensor(index), source, alpha=alpha),
           index_add_cases(), numpy_index_add),
    OpSpec("index_add", "index_add",
           lambda a, source, dim, index, alpha: a.index_add(dim, index, source, alpha=alpha),
           index_add_cases(), numpy_index_add),
    OpSpec("uniform_", "uniform_", seeded("uniform_", -2.0, 2.0), one(seed=st.integers(0, 2**32 - 1)),
           numpy_draws("uniform", -2.0, 2.0)),
    OpSpec("normal_", "normal_", seeded("normal_", 1.0, 3.0), one(seed=st.integers(0, 2**32 - 1)),
           numpy_draws("normal", 1.0, 3.0)),
    OpSpec("setitem", "setitem", setitem, setitem_cases(), numpy_setitem),
    OpSpec("setitem-scalar", "setitem", setitem, setitem_cases(scalar=True), numpy_setitem),
    OpSpec("setitem-transposed", "setitem", setitem_transposed, setitem_cases(transposed=True),
           numpy_setitem_transposed),
    # conversions: float casts are differentiable (through float32, hence the large step)
    OpSpec("float", "float", lambda a: a.float().double(), one(), None, eps=1e-2),
    OpSpec("double", "double", lambda a: a.float().double(), one(), None, eps=1e-2),
    OpSpec("astype", "astype", lambda a: a.astype(tg.float32).astype(np.float64), one(), None, eps=1e-2),
    OpSpec("to", "to", lambda a: a.to(tg.float32).to(tg.float64), one(), None, eps=1e-2),
    OpSpec("type", "type", lambda a: a.type(tg.float32).type("torch.DoubleTensor"), one(), None, eps=1e-2),
    OpSpec("type_as", "type_as", lambda a: a.type_as(tg.zeros(1)).type_as(tg.zeros(1, dtype=tg.float64)), one(),
           None, eps=1e-2),
    OpSpec("half", "half", lambda a: a.half(), one(), lambda a: a.astype(np.float16), differentiable=False),
    OpSpec("long", "long", lambda a: a.long(), one(), lambda a: a.astype(np.int64), differentiable=False),
    OpSpec("int", "int", lambda a: a.int(), one(), lambda a: a.astype(np.int32), differentiable=False),
    OpSpec("bool", "bool", lambda a: a.bool(), one(grid), lambda a: a.astype(bool), differentiable=False),
    # rounding (gradient zero), logs, logic, diagonals, closeness, draws
    OpSpec("floor", "floor", lambda a: tg.floor(a), one(off_integers), np.floor),
    OpSpec("floor-int", "floor", lambda a: a.floor(), one(integers), np.floor, differentiable=False),
    OpSpec("ceil", "ceil", lambda a: a.ceil(), one(off_integers), np.ceil),
    OpSpec("trunc", "trunc", lambda a: tg.trunc(a), one(off_integers), np.trunc),
    OpSpec("round", "round", lambda a: a.round(), one(off_halves), np.round),
    OpSpec("round-decimals", "round", lambda a, decimals: tg.round(a, decimals=decimals),
           one(lambda s: off_halves(s).map(lambda a: a / 100), decimals=st.just(2)), np.round),
    OpSpec("frac", "frac", lambda a: tg.frac(a), one(off_integers), lambda a: a - np.trunc(a)),
    OpSpec("log2", "log2", lambda a: tg.log2(a), one(positive), np.log2),
    OpSpec("log10", "log10", lambda a: a.log10(), one(positive), np.log10),
    OpSpec("expm1", "expm1", lambda a: tg.expm1(a), one(), np.expm1),
    OpSpec("exp2", "exp2", lambda a: a.exp2(), one(), np.exp2),
    *[OpSpec(name, name, (lambda n: lambda a, b: getattr(tg, n)(a, b))(name), pair(grid, grid), ufunc,
             differentiable=False)
      for name, ufunc in {"logical_and": np.logical_and, "logical_or": np.logical_or,
                          "logical_xor": np.logical_xor}.items()],
    OpSpec("isclose", "isclose", lambda a, b: a.isclose(b, atol=0.5), pair(grid, grid),
           lambda a, b: np.isclose(a, b, atol=0.5), differentiable=False),
    OpSpec("outer", "outer", lambda a, b: tg.outer(a, b), vector_pairs(), np.outer),
    OpSpec("diag", "diag", lambda a, diagonal: tg.diag(a, diagonal),
           one(shape=shapes(min_dims=1, max_dims=2), diagonal=st.integers(-2, 2)),
           lambda a, diagonal: np.diag(a, diagonal)),
    OpSpec("diagonal", "diagonal", lambda a, **kw: a.diagonal(**kw), diagonal_cases(), numpy_diagonal),
    OpSpec("trace", "trace", lambda a: tg.trace(a), one(shape=shapes(min_dims=2, max_dims=2)), np.trace),
    OpSpec("einsum", "einsum", lambda *arrays, equation: tg.einsum(equation, *arrays), einsum_cases(),
           lambda *arrays, equation: np.einsum(equation, *arrays)),
    OpSpec("bernoulli", "bernoulli", seeded("bernoulli"),
           one(lambda s: arrays(s, 0.05, 0.95), seed=st.integers(0, 2**32 - 1)), numpy_bernoulli),
]

BY_ID = {spec.id: spec for spec in SPECS}
