"""RNNCell, LSTMCell and GRUCell, and the one-step gate functions that nn.RNN, nn.LSTM and
nn.GRU share with them, so that each gate equation is written once.

A step function works feature-major: the step's input projection `xw` (W_ih x plus the biases
that can be added before the recurrence; one matrix product per call for a cell, one per
sequence for a layer) is (gates·H, N), the states h and c are (H, N), N the batch. Then the
recurrent product W_hh h multiplies C-contiguous matrices, the gate blocks are row blocks, and
OpenBLAS runs the product and both of its gradient products ~1.3x faster than h @ W_hh.t() in
the batch-major layout (measured for a batch of 32 and W_hh of 1024 x 256, float32).
PyTorch's gate order, with σ the sigmoid and ⊙ the elementwise product:

    RNN   h' = act(W_ih x + b_ih + W_hh h + b_hh),  act = tanh or relu
    LSTM  (i, f, g, o) = (σ, σ, tanh, σ)(W_ih x + b_ih + W_hh h + b_hh)    (four blocks of H)
          c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')  (then W_hr h' with a projection)
    GRU   (r, z) = σ(W_i{r,z} x + b_i{r,z} + W_h{r,z} h + b_h{r,z})
          n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h = n + z ⊙ (h − n)

For RNN and LSTM both biases are in `xw`; for GRU only b_ih is, since b_hn sits inside r ⊙ (·).
"""

from __future__ import annotations

import math

import numpy as np

from ..ops.recurrent import LSTMCellUpdate
from ..tensor import Tensor
from . import init
from .factory import parameter_dtype
from .module import Module
from .parameter import Parameter


def rnn_step(xw: Tensor, h: Tensor, weight_hh: Tensor, nonlinearity: str) -> Tensor:
    """h' = act(xw + W_hh h)."""
    pre = xw + weight_hh.mm(h)
    if nonlinearity == "tanh":
        return pre.tanh()
    if nonlinearity == "relu":
        return pre.relu()
    raise RuntimeError(f"Unknown nonlinearity: {nonlinearity}")  # as PyTorch's RNNCell, at its first step


def lstm_step(xw: Tensor, h: Tensor, c: Tensor, weight_hh: Tensor,
              weight_hr: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """(h', c'): the gates' elementwise work is one primitive, `LSTMCellUpdate` (ops/recurrent.py),
    which returns h' and c' stacked."""
    state = LSTMCellUpdate.apply(xw + weight_hh.mm(h), c)
    h, c = state[0], state[1]
    return (h if weight_hr is None else weight_hr.mm(h)), c


def gru_step(xw: Tensor, h: Tensor, weight_hh: Tensor, bias_hh: Tensor | None) -> Tensor:
    """h' = n + z ⊙ (h − n); `xw` holds b_ih only, `bias_hh` is a (3·H, 1) column."""
    n = h.shape[0]
    hh = weight_hh.mm(h)
    if bias_hh is not None:
        hh = hh + bias_hh
    rz = (xw[:2 * n] + hh[:2 * n]).sigmoid()
    new = (xw[2 * n:] + rz[:n] * hh[2 * n:]).tanh()
    return new + rz[n:] * (h - new)


class RNNCellBase(Module):
    """What the cells share: weight_ih (gates·H, input_size), weight_hh (gates·H, H), bias_ih and
    bias_hh (gates·H,), all ~ U(−1/√H, 1/√H) as PyTorch; PyTorch's input and state checks."""

    _gates: int

    def __init__(self, input_size: int, hidden_size: int, bias: bool, device, dtype) -> None:
        super().__init__()
        dtype = parameter_dtype(type(self).__name__, device, dtype)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        rows = self._gates * hidden_size
        self.weight_ih = Parameter(np.empty((rows, input_size), dtype=dtype))
        self.weight_hh = Parameter(np.empty((rows, hidden_size), dtype=dtype))
        for name in ("bias_ih", "bias_hh"):
            self.register_parameter(name, Parameter(np.empty((rows,), dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text

    def _batched_input(self, input: Tensor) -> Tensor:
        """The input as (batch, input_size): an unbatched (input_size,) one becomes a batch of one."""
        if input.ndim not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.ndim == 1:
            input = input.unsqueeze(0)
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected {self.input_size}")
        return input

    def _batched_state(self, input: Tensor, state: Tensor | None, batched: bool, index: int, name: str) -> Tensor:
        """State `index` (h: 0, c: 1) as (batch, hidden_size): zeros when None."""
        if state is None:
            return input.new_zeros(input.shape[0], self.hidden_size)
        if state.ndim not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected {name} to be 1D or 2D, got {state.ndim}D instead")
        if not batched:
            state = state.unsqueeze(0)
        if state.shape[0] != input.shape[0]:
            raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{index} batch size "
                               f"{state.shape[0]}")
        if state.shape[1] != self.hidden_size:
            raise RuntimeError(f"hidden{index} has inconsistent hidden_size: got {state.shape[1]}, expected "
                               f"{self.hidden_size}")
        return state

    def _projection(self, input: Tensor, bias_hh: bool = True) -> Tensor:
        """W_ih x + b_ih (+ b_hh when `bias_hh`), feature-major: (gates·H, N)."""
        xw = self.weight_ih.mm(input.t())
        if self.bias_ih is not None:
            xw = xw + (self.bias_ih + self.bias_hh if bias_hh else self.bias_ih).unsqueeze(1)
        return xw


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh), act tanh or relu.
    forward(input (N, in) or (in,), hx (N, H) or (H,), zeros if None) -> h' of hx's shape."""

    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None) -> None:
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        batched = input.ndim == 2
        x = self._batched_input(input)
        h = self._batched_state(x, hx, batched, 0, "hidden")
        h = rnn_step(self._projection(x), h.t(), self.weight_hh, self.nonlinearity).t()
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o; see the module docstring).
    forward(input, (h, c) or None) -> (h', c'), unbatched inputs giving unbatched states."""

    _gates = 4

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        batched = input.ndim == 2
        x = self._batched_input(input)
        if hx is not None and not isinstance(hx, (tuple, list)):
            raise TypeError(f"LSTMCell: hx must be a tuple (h_0, c_0) of Tensors, not {type(hx).__name__}")
        h0, c0 = (None, None) if hx is None else hx
        h = self._batched_state(x, h0, batched, 0, "hx[0]")
        c = self._batched_state(x, c0, batched, 1, "hx[1]")
        h, c = lstm_step(self._projection(x), h.t(), c.t(), self.weight_hh)
        h, c = h.t(), c.t()
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n; see the module docstring).
    forward(input (N, in) or (in,), hx (N, H) or (H,), zeros if None) -> h' of hx's shape."""

    _gates = 3

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        batched = input.ndim == 2
        x = self._batched_input(input)
        h = self._batched_state(x, hx, batched, 0, "hidden")
        bias_hh = None if self.bias_hh is None else self.bias_hh.unsqueeze(1)
        h = gru_step(self._projection(x, bias_hh=False), h.t(), self.weight_hh, bias_hh).t()
        return h if batched else h.squeeze(0)
