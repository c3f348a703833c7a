"""The primitive ops. Every Node subclass defined here registers itself in
`tinygrad_np.autograd.node.PRIMITIVES`; everything else in the library is composed
from these. The table with each op's gradient is docs/ops.md.
"""

from . import division, elementwise, exact, matmul, movement, normalization, recurrent, reduce, softmax, trig

__all__ = ["division", "elementwise", "exact", "matmul", "movement", "normalization", "recurrent", "reduce", "softmax",
           "trig"]
