"""nn.RNN, nn.LSTM and nn.GRU: stacks of recurrent layers over whole sequences, with PyTorch's
parameters, state layout and checks; the gate equations are those of the cells
(recurrent_cells.py).

Per layer and direction, the input projection of the whole sequence is one matrix product
(W_ih X + b, the biases summed once); the time loop then runs in Python over Tensor ops, one
product W_hh h and a few elementwise ops per step, and backpropagation through time comes from
the engine. Inside, sequences are feature-major, (features, T·N) with column t·N + n for step t
of sample n, as the step functions want them (recurrent_cells.py): a layer's output is then one
`cat` of its steps and is directly the next layer's input; the input and the output are
permuted once. The per-step slices of the projection are the outputs of one node (`TimeSteps`).
PackedSequence inputs are not supported (there is no nn.utils.rnn here): passing anything but
a Tensor raises a TypeError.
"""

from __future__ import annotations

import math
import numbers
import operator
import warnings

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, cat, stack
from . import functional as F
from . import init
from .factory import parameter_dtype
from .module import Module
from .parameter import Parameter
from .recurrent_cells import gru_step, lstm_step, rnn_step

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class TimeSteps(Function):
    """The slices of a sequence along `dim` (that dim removed), as one node with an output per
    step, whose backward stacks the steps' gradients in one pass. Cut one by one, each slice's
    gradient would be scattered into zeros the size of the whole sequence: O(T²) memory traffic
    in backward (~100 ms per layer for a 64-step LSTM of 256 units)."""

    @staticmethod
    def forward(ctx, sequence: Tensor, dim: int) -> tuple[Tensor, ...]:
        ctx.dim = dim
        return sequence.unbind(dim)

    @staticmethod
    def backward(ctx, *grads: Tensor) -> tuple[Tensor, None]:
        return stack(grads, ctx.dim), None


class RNNBase(Module):
    """What RNN, LSTM and GRU share: for layer k and direction d (suffix "_reverse" for the
    backward one) the parameters weight_ih_l{k} (gates·H, in_k), weight_hh_l{k} (gates·H, H_out),
    bias_ih_l{k}, bias_hh_l{k} (gates·H,) and, for an LSTM with proj_size > 0, weight_hr_l{k}
    (proj_size, H), in PyTorch's order, all ~ U(−1/√H, 1/√H); in_0 = input_size, in_k = D·H_out
    after (D directions, H_out = proj_size or H). Dropout applies to each layer's output but the
    last, in training mode only."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None) -> None:
        super().__init__()
        if mode not in GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          stacklevel=3)
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int):
                raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{name} must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        dtype = parameter_dtype(type(self).__name__, device, dtype)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = operator.index(num_layers), bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        directions = 2 if bidirectional else 1
        rows, out_size = GATES[mode] * hidden_size, proj_size or hidden_size
        self._all_weights: list[list[str]] = []
        for layer in range(self.num_layers):
            layer_input = input_size if layer == 0 else out_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = {"weight_ih": (rows, layer_input), "weight_hh": (rows, out_size)}
                if bias:
                    shapes.update(bias_ih=(rows,), bias_hh=(rows,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                for name, shape in shapes.items():
                    setattr(self, name + suffix, Parameter(np.empty(shape, dtype=dtype)))
                self._all_weights.append([name + suffix for name in shapes])
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def flatten_parameters(self) -> None:
        """PyTorch's call to pack the weights for cuDNN: nothing to do here."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each layer and direction, in PyTorch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("proj_size", 0), ("num_layers", 1), ("bias", True), ("batch_first", False),
                              ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text

    # ----------------------------------------------------------------- forward

    def forward(self, input: Tensor, hx=None):
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__} (PackedSequence inputs are "
                            "not supported)")
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D instead")
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). Convert "
                             f"input: input.to({weight.dtype}), or convert model: model.to({input.dtype})")
        batched = input.ndim == 3
        time_dim = 1 if self.batch_first else 0
        if not batched:
            input = input.unsqueeze(1 - time_dim)
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")
        if input.shape[time_dim] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        steps, batch = input.shape[time_dim], input.shape[1 - time_dim]
        states = self._initial_states(input, hx, batched, batch)
        # (features, T·N), column t·N + n: from (N, T, in) batch first or (T, N, in)
        output = input.permute(2, 1, 0) if self.batch_first else input.permute(2, 0, 1)
        output = output.reshape(self.input_size, steps * batch)
        finals = []
        directions = 2 if self.bidirectional else 1
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                output = F.dropout(output, self.dropout, True)
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                sequence, final = self._run(output, steps, [state[index] for state in states],
                                            self.all_weights[index], reverse=direction == 1)
                outputs.append(sequence)
                finals.append(final)
            output = outputs[0] if directions == 1 else cat(outputs, 0)
        output = output.reshape(output.shape[0], steps, batch)
        output = output.permute(2, 1, 0) if self.batch_first else output.permute(1, 2, 0)
        h_n = tuple(stack([final[i].t() for final in finals]) for i in range(len(states)))
        if not batched:
            output, h_n = output.squeeze(1 - time_dim), tuple(h.squeeze(1) for h in h_n)
        return output, (h_n if self.mode == "LSTM" else h_n[0])

    def _state_sizes(self) -> tuple[int, ...]:
        """The sizes of the states: h (proj_size or H) and, for an LSTM, c (H)."""
        out_size = self.proj_size or self.hidden_size
        return (out_size, self.hidden_size) if self.mode == "LSTM" else (out_size,)

    def _initial_states(self, input: Tensor, hx, batched: bool, batch: int) -> list[list[Tensor]]:
        """Each initial state (h, and c for an LSTM) as a list of feature-major (H, N) tensors,
        one per layer and direction: zeros when hx is None."""
        layers = self.num_layers * (2 if self.bidirectional else 1)
        sizes = self._state_sizes()
        if hx is None:
            return [[input.new_zeros(size, batch)] * layers for size in sizes]
        given = self._given_states(hx)
        wanted = 3 if batched else 2
        if any(h.ndim != wanted for h in given):
            kind = "batched 3-D" if batched else "unbatched 2-D"
            dims = ", ".join(f"{h.ndim}-D" for h in given)
            what = "hx and cx" if len(given) == 2 else "hx"
            tensors = f"({dims}) tensors" if len(given) == 2 else f"{dims} tensor"
            raise RuntimeError(f"For {kind} input, {what} should also be {wanted}-D but got {tensors}")
        if not batched:
            given = [h.unsqueeze(1) for h in given]
        for i, (h, size) in enumerate(zip(given, sizes)):
            expected = (layers, batch, size)
            if tuple(h.shape) != expected:
                label = f"hidden[{i}]" if len(given) == 2 else "hidden"
                raise RuntimeError(f"Expected {label} size {expected}, got {list(h.shape)}")
        return [[state.t() for state in h.unbind(0)] for h in given]

    def _given_states(self, hx) -> list[Tensor]:
        if self.mode != "LSTM":
            return [hx]
        if not isinstance(hx, (tuple, list)):
            raise TypeError(f"LSTM: hx must be a tuple (h_0, c_0) of Tensors, not {type(hx).__name__}")
        if len(hx) != 2:
            raise RuntimeError("lstm expects two hidden states")
        return list(hx)

    def _run(self, input: Tensor, steps: int, state: list[Tensor], weights: list[Tensor],
             reverse: bool) -> tuple[Tensor, list[Tensor]]:
        """One layer in one direction, feature-major: the output sequence (H_out, T·N) and the
        final state."""
        projection = self._projection(input, weights)
        pieces = TimeSteps.apply(projection.reshape(projection.shape[0], steps, input.shape[1] // steps), 1)
        step = self._step_function(weights)
        outputs = [None] * steps
        for t in (reversed(range(steps)) if reverse else range(steps)):
            state = step(pieces[t], state)
            outputs[t] = state[0]
        return cat(outputs, 1), state

    def _projection(self, input: Tensor, weights: list[Tensor]) -> Tensor:
        """W_ih X + b_ih + b_hh for the whole (feature-major) sequence, GRU: + b_ih only; with a
        bias as one product [W_ih b][X; 1], ~7 ms faster for a (1024, 2048) result than adding b
        to W_ih X, which writes the whole result once more."""
        if not self.bias:
            return weights[0].mm(input)
        bias = weights[2] if self.mode == "GRU" else weights[2] + weights[3]
        return cat([weights[0], bias.unsqueeze(1)], 1).mm(cat([input, input.new_ones(1, input.shape[1])], 0))

    def _step_function(self, weights: list[Tensor]):
        """(xw, state) -> the next state, a list [h] or [h, c], for this layer and direction."""
        weight_hh = weights[1]
        if self.mode == "LSTM":
            weight_hr = weights[-1] if self.proj_size else None
            return lambda xw, state: lstm_step(xw, state[0], state[1], weight_hh, weight_hr)
        if self.mode == "GRU":
            bias_hh = weights[3].unsqueeze(1) if self.bias else None
            return lambda xw, state: [gru_step(xw, state[0], weight_hh, bias_hh)]
        nonlinearity = "tanh" if self.mode == "RNN_TANH" else "relu"
        return lambda xw, state: [rnn_step(xw, state[0], weight_hh, nonlinearity)]


class RNN(RNNBase):
    """Elman RNN layers, h_t = act(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh), act tanh or relu.
    forward(input (L, N, in) or (N, L, in) batch_first or (L, in), h_0 (D·layers, N, H) or None)
    -> (output (L, N, D·H), h_n (D·layers, N, H))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__(f"RNN_{nonlinearity.upper()}", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class LSTM(RNNBase):
    """LSTM layers (gates i, f, g, o as PyTorch; see recurrent_cells.py), with PyTorch's
    projections when proj_size > 0 (h_t = (o ⊙ tanh c_t) W_hrᵀ).
    forward(input, (h_0, c_0) or None) -> (output (L, N, D·H_out), (h_n (D·layers, N, H_out),
    c_n (D·layers, N, H)))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    """GRU layers (gates r, z, n as PyTorch, n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); see
    recurrent_cells.py). forward(input, h_0 or None) -> (output, h_n), shaped as RNN's."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)
