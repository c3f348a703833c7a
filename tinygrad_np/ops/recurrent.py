"""The elementwise part of an LSTM step as one primitive, for speed.

An LSTM runs its step once per time step and layer (128 times per step of a 2-layer, 64-step
model), and each step's elementwise work is small (H·N values), so the cost is per node, not per
value: composed (a sigmoid, a tanh, four gate slices, the cell update, its tanh, the output
product) a step was about a dozen nodes forward and twice that backward, each slice's gradient
scattered into zeros of the whole gate block. As one node it is one forward and seven Tensor ops
backward.
"""

import numpy as np

from ..autograd.grad_mode import grad_state
from ..autograd.node import Node
from .elementwise import Sigmoid
from .movement import Cat


class LSTMCellUpdate(Node):
    """From the gate pre-activations a (4H, ...) — blocks i, f, g, o along dim 0, PyTorch's order —
    and the cell c (H, ...), the new state stacked as (2, H, ...) = (h', c'):

        i, f, o = σ(a_i), σ(a_f), σ(a_o);  g = tanh(a_g);  c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c')

    With upstream gradients (g_h, g_c), dc = g_c + g_h ⊙ o ⊙ (1 − tanh²c'), and

        d/da = (dc ⊙ g ⊙ i(1−i), dc ⊙ c ⊙ f(1−f), dc ⊙ i ⊙ (1−g²), g_h ⊙ tanh c' ⊙ o(1−o)),  d/dc = dc ⊙ f

    that is, d/da = (dc, dc, dc, g_h) ⊙ F with F a factor that depends on the forward only. F,
    o(1 − tanh²c') and f come from the forward's arrays, constants, unless the backward is itself
    being recorded (create_graph=True): then they are recomputed from a and c in Tensor ops, so
    that they are differentiated too."""

    save_inputs = True
    saves = ("gates", "cell_tanh")

    def forward(self, a, c):
        n = c.shape[0]
        gates = Sigmoid().forward(a)
        gates[2 * n:3 * n] = np.tanh(a[2 * n:3 * n])
        out = np.empty((2, *c.shape), dtype=np.result_type(a, c))
        np.multiply(gates[n:2 * n], c, out=out[1])
        out[1] += gates[:n] * gates[2 * n:3 * n]
        self.cell_tanh = np.tanh(out[1])
        np.multiply(gates[3 * n:], self.cell_tanh, out=out[0])
        self.gates = gates
        return out

    def backward(self, grad):
        a, c = self.inputs
        n = c.shape[0]
        if grad_state.enabled:
            i, f, o = a[:n].sigmoid(), a[n:2 * n].sigmoid(), a[3 * n:].sigmoid()
            g = a[2 * n:3 * n].tanh()
            cell_tanh = (f * c + i * g).tanh()
            cell_factor = o * (1 - cell_tanh * cell_tanh)
            factor = Cat.apply(g * (i * (1 - i)), c * (f * (1 - f)), i * (1 - g * g), cell_tanh * (o * (1 - o)),
                               axis=0)
        else:
            cell_factor, f, factor = (self.constant(array) for array in self._factors(c._array))
        h_grad, c_grad = grad[0], grad[1]
        dc = c_grad + h_grad * cell_factor
        return Cat.apply(dc, dc, dc, h_grad, axis=0) * factor, dc * f

    def _factors(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """o(1 − tanh²c'), f and F, from the forward's gate activations and tanh(c')."""
        n = c.shape[0]
        gates, cell_tanh = self.gates, self.cell_tanh
        i, f, g, o = gates[:n], gates[n:2 * n], gates[2 * n:3 * n], gates[3 * n:]
        factor = np.empty_like(gates)
        np.multiply(i * (1 - i), g, out=factor[:n])
        np.multiply(f * (1 - f), c, out=factor[n:2 * n])
        np.multiply(1 - g * g, i, out=factor[2 * n:3 * n])
        np.multiply(o * (1 - o), cell_tanh, out=factor[3 * n:])
        return o * (1 - cell_tanh * cell_tanh), f, factor
