"""Cases and a plain NumPy reference for the recurrent layers and cells (nn.RNN, nn.LSTM, nn.GRU,
nn.RNNBase and the cells), shared by nn_registry.py (gradcheck, gradgradcheck, forward values) and
test_nn_recurrent.py.

A case's arrays are the input, the initial states when the case has them (h_0, and c_0 for an
LSTM) and then the parameters in `named_parameters()` order; its keyword arguments are the
layer's options plus `state` (whether the states are passed). Sizes stay tiny: gradgradcheck
differentiates every parameter of every layer and direction twice.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from op_registry import Case
from strategies import arrays

import tinygrad_np as tg
from tinygrad_np import nn

LAYERS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
CELLS = {"RNNCell": nn.RNNCell, "LSTMCell": nn.LSTMCell, "GRUCell": nn.GRUCell}


def values(shape):
    return arrays(shape, -1.5, 1.5)


# --------------------------------------------------------------------- layers


def make_layer(mode, input_size, hidden_size, num_layers, bias, batch_first, bidirectional, proj_size=0,
               nonlinearity="tanh", base=False, dtype=None, **_):
    """nn.RNN/LSTM/GRU with these options (or nn.RNNBase with the mode when `base`)."""
    options = dict(num_layers=num_layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional,
                   dtype=dtype)
    if base:
        mode_name = f"RNN_{nonlinearity.upper()}" if mode == "RNN" else mode
        return nn.RNNBase(mode_name, input_size, hidden_size, proj_size=proj_size, **options)
    if mode == "LSTM":
        options["proj_size"] = proj_size
    if mode == "RNN":
        options["nonlinearity"] = nonlinearity
    return LAYERS[mode](input_size, hidden_size, **options)


def flat(outputs) -> list:
    """(output, h_n) or (output, (h_n, c_n)) as a flat list."""
    output, states = outputs
    return [output, *(states if isinstance(states, tuple) else (states,))]


def run_layer(module, x, *states, mode, state, **_):
    """The layer's output and final states, raveled and joined into one tensor."""
    hx = None if not state else (tuple(states) if mode == "LSTM" else states[0])
    return tg.cat([t.reshape(-1) for t in flat(module(x, hx))])


@st.composite
def layer_cases(draw, mode, nonlinearity="tanh", base=False):
    num_layers, bidirectional = draw(st.integers(1, 2)), draw(st.booleans())
    stacks = num_layers * (2 if bidirectional else 1)
    largest = 2 if stacks <= 2 else 1  # four stacks (two layers, two directions): sides of 1
    input_size, hidden_size = draw(st.integers(1, largest)), draw(st.integers(1, largest))
    kwargs = dict(mode=mode, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers,
                  bias=draw(st.booleans()), batch_first=draw(st.booleans()), bidirectional=bidirectional,
                  proj_size=draw(st.integers(0, hidden_size - 1)) if mode == "LSTM" else 0,
                  nonlinearity=nonlinearity, base=base, state=draw(st.booleans()))
    steps, batch, unbatched = draw(st.integers(1, 3)), draw(st.integers(1, largest)), draw(st.booleans())
    if unbatched:
        shape = (steps, input_size)
    else:
        shape = (batch, steps, input_size) if kwargs["batch_first"] else (steps, batch, input_size)
    lead = (stacks,) if unbatched else (stacks, batch)
    out_size = kwargs["proj_size"] or hidden_size
    state_shapes = [lead + (out_size,)] + ([lead + (hidden_size,)] if mode == "LSTM" else [])
    module = make_layer(**kwargs, dtype=np.float64)
    shapes = [shape, *(state_shapes if kwargs["state"] else []), *(p.shape for p in module.parameters())]
    return Case(tuple(draw(values(s)) for s in shapes), kwargs)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def numpy_cell(mode, x, state, params, nonlinearity="tanh", proj=False):
    """One step, batch-major, straight from PyTorch's equations; params (w_ih, w_hh[, b_ih, b_hh][, w_hr])."""
    w_ih, w_hh = params[0], params[1]
    has_bias = len(params) - proj == 4
    b_ih, b_hh = (params[2], params[3]) if has_bias else (0.0, 0.0)
    h = state[0]
    if mode == "GRU":
        gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
        n = h.shape[-1]
        r, z = sigmoid(gi[:, :n] + gh[:, :n]), sigmoid(gi[:, n:2 * n] + gh[:, n:2 * n])
        new = np.tanh(gi[:, 2 * n:] + r * gh[:, 2 * n:])
        return [(1 - z) * new + z * h]
    pre = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    if mode == "RNN":
        return [np.tanh(pre) if nonlinearity == "tanh" else np.maximum(pre, 0)]
    c = state[1]
    n = c.shape[-1]
    i, f, g, o = sigmoid(pre[:, :n]), sigmoid(pre[:, n:2 * n]), np.tanh(pre[:, 2 * n:3 * n]), sigmoid(pre[:, 3 * n:])
    c = f * c + i * g
    h = o * np.tanh(c)
    return [h @ params[-1].T if proj else h, c]


def numpy_layer(x, *arrays, mode, hidden_size, num_layers, bias, batch_first, bidirectional, proj_size, state,
                nonlinearity="tanh", **_):
    """nn.RNN/LSTM/GRU's flattened (output, h_n[, c_n]) by a per-step loop over each layer and direction."""
    unbatched = x.ndim == 2
    seq = x[:, None] if unbatched else (x.transpose(1, 0, 2) if batch_first else x)  # (T, N, in)
    steps, batch = seq.shape[:2]
    directions = 2 if bidirectional else 1
    count = 2 if mode == "LSTM" else 1
    sizes = [proj_size or hidden_size, hidden_size][:count]
    if state:
        states = [a[:, None] if unbatched else a for a in arrays[:count]]
        arrays = arrays[count:]
    else:
        states = [np.zeros((num_layers * directions, batch, size)) for size in sizes]
    per_stack = 2 + 2 * bias + (proj_size > 0)
    finals = [[] for _ in range(count)]
    for layer in range(num_layers):
        outputs = []
        for direction in range(directions):
            stack = layer * directions + direction
            params = arrays[stack * per_stack:(stack + 1) * per_stack]
            current = [s[stack] for s in states]
            out = [None] * steps
            for t in (reversed(range(steps)) if direction else range(steps)):
                current = numpy_cell(mode, seq[t], current, params, nonlinearity, proj_size > 0)
                out[t] = current[0]
            outputs.append(np.stack(out))
            for k in range(count):
                finals[k].append(current[k])
        seq = np.concatenate(outputs, axis=-1)
    output = seq[:, 0] if unbatched else (seq.transpose(1, 0, 2) if batch_first else seq)
    finals = [np.stack(f)[:, 0] if unbatched else np.stack(f) for f in finals]
    return np.concatenate([output.ravel(), *(f.ravel() for f in finals)])


# --------------------------------------------------------------------- cells


def make_cell(cell, input_size, hidden_size, bias, nonlinearity="tanh", dtype=None, **_):
    options = {"nonlinearity": nonlinearity} if cell == "RNNCell" else {}
    return CELLS[cell](input_size, hidden_size, bias=bias, dtype=dtype, **options)


def run_cell(module, x, *states, cell, state, **_):
    hx = None if not state else (tuple(states) if cell == "LSTMCell" else states[0])
    out = module(x, hx)
    return tg.cat([t.reshape(-1) for t in (out if isinstance(out, tuple) else (out,))])


@st.composite
def cell_cases(draw, cell):
    input_size, hidden_size, batch = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    unbatched, state = draw(st.booleans()), draw(st.booleans())
    kwargs = dict(cell=cell, input_size=input_size, hidden_size=hidden_size, bias=draw(st.booleans()), state=state)
    lead = () if unbatched else (batch,)
    module = make_cell(**kwargs, dtype=np.float64)
    states = [lead + (hidden_size,)] * ((2 if cell == "LSTMCell" else 1) if state else 0)
    shapes = [lead + (input_size,), *states, *(p.shape for p in module.parameters())]
    return Case(tuple(draw(values(s)) for s in shapes), kwargs)


def numpy_cell_layer(x, *arrays, cell, hidden_size, state, nonlinearity="tanh", **_):
    """A cell's flattened output (h', or h' and c') by `numpy_cell`."""
    mode = cell[:-len("Cell")]
    count = 2 if mode == "LSTM" else 1
    unbatched = x.ndim == 1
    x = x[None] if unbatched else x
    if state:
        states, arrays = [s[None] if unbatched else s for s in arrays[:count]], arrays[count:]
    else:
        states = [np.zeros((x.shape[0], hidden_size))] * count
    out = numpy_cell(mode, x, states, arrays, nonlinearity)
    return np.concatenate([(o[0] if unbatched else o).ravel() for o in out])
