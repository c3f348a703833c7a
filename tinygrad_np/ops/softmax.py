"""Softmax and log-softmax: primitives, for speed.

Composed, each is six nodes (shift by the max, exp, sum, log or divide, and the broadcasts),
and the loss of every classifier goes through one. As primitives they are one node each, with
the forward in a few NumPy calls and the backward from the output alone. `axis` is a
normalised tuple of dims, or None for all. The shift by the max m is exact arithmetic on the
result (any constant gives the same softmax), so m needs no gradient; an infinite m gives
NaN, as in PyTorch.
"""

import numpy as np

from ..autograd.node import Node


def _shifted_exp(a, axis):
    """(a - m, exp(a - m)), m the max along axis (-inf for an empty axis, so the sum is 0)."""
    shifted = a - np.max(a, axis=axis, keepdims=True, initial=-np.inf)
    return shifted, np.exp(shifted)


class Softmax(Node):
    """s = eᵃ / Σ eᵃ along axis;  d/da: s ⊙ (g − Σ g⊙s)"""

    save_output = True

    def forward(self, a, axis):
        self.axis = axis
        e = _shifted_exp(a, axis)[1]
        e /= np.sum(e, axis=axis, keepdims=True)
        return e

    def backward(self, g):
        s = self.output
        return s * (g - (g * s).sum(self.axis, keepdim=True))


class LogSoftmax(Node):
    """a − log Σ eᵃ along axis;  d/da: g − softmax(a) Σ g, softmax(a) = exp(output)"""

    save_output = True

    def forward(self, a, axis):
        self.axis = axis
        shifted, e = _shifted_exp(a, axis)
        shifted -= np.log(np.sum(e, axis=axis, keepdims=True))
        return shifted

    def backward(self, g):
        return g - self.output.exp() * g.sum(self.axis, keepdim=True)
