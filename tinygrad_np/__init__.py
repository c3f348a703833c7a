"""tinygrad_np: a small, correct autograd framework on NumPy, with PyTorch's API.

A `Tensor` records the graph of primitive ops (`tinygrad_np.ops`); one engine
(`tinygrad_np.autograd`) walks it backwards.
"""

from numpy import dtype  # PyTorch's torch.dtype: tg.float32 and friends are NumPy dtypes

from . import (
    accelerator,
    amp,
    autograd,
    backends,
    cuda,
    data,
    distributed,
    distributions,
    dtypes,
    linalg,
    mps,
    nn,
    optim,
    profiler,
    utils,
    viz,
    xpu,
)
from .amp import autocast
from .autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .compiler import compile
from .creation import (
    arange,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    zeros,
    zeros_like,
)
from .device import device, get_default_device, set_default_device
from .dtypes import (
    bfloat16,
    bool_,
    double,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from .einsum import einsum
from .errors import CheckpointError, DatasetError, DatasetNotFoundError, NotARegularFileError, ShapeError
from .grids import logspace, meshgrid, tril_indices, triu_indices
from .layout import contiguous_format, preserve_format, strided
from .legacy_types import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from .memory import keep_freed_memory
from .normal import normal
from .out import with_out
from .printing import set_printoptions
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .reductions import cdist, std_mean, var_mean
from .serialization import load, save
from .size import Size
from .tensor import (
    Tensor,
    as_tensor,
    cat,
    from_numpy,
    is_floating_point,
    is_tensor,
    maximum,
    minimum,
    numel,
    stack,
    tensor,
    where,
)
from .threads import (
    are_deterministic_algorithms_enabled,
    get_num_interop_threads,
    get_num_threads,
    is_deterministic_algorithms_warn_only_enabled,
    set_num_interop_threads,
    set_num_threads,
    use_deterministic_algorithms,
)

# PyTorch's other names of dtypes: tg.float is float32, tg.int int32, tg.bool the bool dtype.
bool, float, int = bool_, float32, int32

# Top-level ops, with PyTorch's `out=` keyword (out.py).
cat, stack, where, maximum, minimum = map(with_out, (cat, stack, where, maximum, minimum))
normal = with_out(normal)

# Function forms of Tensor methods, as torch.exp(x) is x.exp(); with_out adds PyTorch's `out=`
# keyword to those that have it (out.py).
abs = with_out(Tensor.abs)
add, sub, mul, div, pow, neg = map(with_out, (Tensor.add, Tensor.sub, Tensor.mul, Tensor.div, Tensor.pow, Tensor.neg))
matmul, mm, bmm = map(with_out, (Tensor.matmul, Tensor.mm, Tensor.bmm))
t = Tensor.t
exp, log, sqrt, sin, cos, tanh = map(with_out, (Tensor.exp, Tensor.log, Tensor.sqrt, Tensor.sin, Tensor.cos,
                                                Tensor.tanh))
log1p, erf = with_out(Tensor.log1p), with_out(Tensor.erf)
sigmoid, clamp, clip, sign = map(with_out, (Tensor.sigmoid, Tensor.clamp, Tensor.clip, Tensor.sign))
relu = Tensor.relu
sum, mean, var, std, logsumexp = Tensor.sum, Tensor.mean, Tensor.var, Tensor.std, Tensor.logsumexp
max, min, amax, amin, argmax, argmin = Tensor.max, Tensor.min, Tensor.amax, Tensor.amin, Tensor.argmax, Tensor.argmin
softmax, log_softmax = Tensor.softmax, Tensor.log_softmax
reshape, flatten, squeeze, unsqueeze = Tensor.reshape, Tensor.flatten, Tensor.squeeze, Tensor.unsqueeze
transpose, permute, broadcast_to, gather = Tensor.transpose, Tensor.permute, Tensor.broadcast_to, Tensor.gather
lt, le, gt, ge, eq, ne = map(with_out, (Tensor.lt, Tensor.le, Tensor.gt, Tensor.ge, Tensor.eq, Tensor.ne))
clone, masked_fill, index_add = Tensor.clone, Tensor.masked_fill, Tensor.index_add
narrow, split, chunk, unbind = Tensor.narrow, Tensor.split, Tensor.chunk, Tensor.unbind
norm = Tensor.norm
roll, flip, tile = Tensor.roll, Tensor.flip, Tensor.tile
sort, argsort, topk, kthvalue = Tensor.sort, Tensor.argsort, Tensor.topk, Tensor.kthvalue
tril, triu = Tensor.tril, Tensor.triu
multinomial = Tensor.multinomial
prod, cumsum, all, any = Tensor.prod, Tensor.cumsum, Tensor.all, Tensor.any
isnan, isinf, isfinite = Tensor.isnan, Tensor.isinf, Tensor.isfinite
square, rsqrt = with_out(Tensor.square), with_out(Tensor.rsqrt)
clamp_min, clamp_max = Tensor.clamp_min, Tensor.clamp_max
remainder, fmod, floor_divide = map(with_out, (Tensor.remainder, Tensor.fmod, Tensor.floor_divide))
bitwise_and, bitwise_or, bitwise_xor, bitwise_not = map(with_out, (Tensor.bitwise_and, Tensor.bitwise_or,
                                                               Tensor.bitwise_xor, Tensor.bitwise_not))
positive = Tensor.positive
cumprod, logcumsumexp, median = map(with_out, (Tensor.cumprod, Tensor.logcumsumexp, Tensor.median))
count_nonzero, diff, nan_to_num = Tensor.count_nonzero, with_out(Tensor.diff), with_out(Tensor.nan_to_num)
dot, mv, addmm = map(with_out, (Tensor.dot, Tensor.mv, Tensor.addmm))
nonzero, argwhere, unique = with_out(Tensor.nonzero), Tensor.argwhere, Tensor.unique
bincount, histc = Tensor.bincount, with_out(Tensor.histc)
tan, asin, acos, atan, atan2, sinh, cosh, asinh, acosh, atanh = map(with_out, (
    Tensor.tan, Tensor.asin, Tensor.acos, Tensor.atan, Tensor.atan2, Tensor.sinh, Tensor.cosh, Tensor.asinh,
    Tensor.acosh, Tensor.atanh))
arcsin, arccos, arctan, arctan2, arcsinh, arccosh, arctanh = map(with_out, (
    Tensor.arcsin, Tensor.arccos, Tensor.arctan, Tensor.arctan2, Tensor.arcsinh, Tensor.arccosh, Tensor.arctanh))
reciprocal, erfinv, hypot, logaddexp, lerp = map(with_out, (Tensor.reciprocal, Tensor.erfinv, Tensor.hypot,
                                                            Tensor.logaddexp, Tensor.lerp))
scatter, scatter_add, index_select, masked_select = (Tensor.scatter, Tensor.scatter_add, Tensor.index_select,
                                                   Tensor.masked_select)
floor, ceil, trunc, round, frac = map(with_out, (Tensor.floor, Tensor.ceil, Tensor.trunc, Tensor.round, Tensor.frac))
log2, log10, expm1, exp2 = map(with_out, (Tensor.log2, Tensor.log10, Tensor.expm1, Tensor.exp2))
logical_and, logical_or, logical_xor, logical_not = map(with_out, (Tensor.logical_and, Tensor.logical_or,
                                                                   Tensor.logical_xor, Tensor.logical_not))
outer, diag, bernoulli = with_out(Tensor.outer), with_out(Tensor.diag), with_out(Tensor.bernoulli)
diagonal, trace = Tensor.diagonal, Tensor.trace
isclose, allclose, equal = Tensor.isclose, Tensor.allclose, Tensor.equal

__version__ = "0.1.0"
