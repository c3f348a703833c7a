"""An MLP training step written by hand in NumPy: the floor that tinygrad_np is measured against.

    from numpy_mlp import NumpyMLP
    net = NumpyMLP((784, 512, 512, 256, 128, 10), seed=0)
    loss = net.step(x, y)          # x: (B, 784) float32, y: (B,) integer labels in [0, 10), not checked

Linear layers with ReLU between them, softmax cross-entropy averaged over the batch and Adam
with PyTorch's defaults (lr 1e-3, betas 0.9/0.999, eps 1e-8, bias correction), all float32.
Weights are in PyTorch's layout (out, in) with PyTorch's default Linear init:
W, b ~ U(-1/sqrt(in), 1/sqrt(in)), the same draws in the same order as tinygrad_np's
`manual_seed(seed)` then nn.Linear(...) layer by layer. `load_parameters` starts it from another
model's weights, `gradients()` returns the last step's gradients.

Options, for benchmarks/numpy_epoch.py (examples/mnist_mlp.py's job): `weight_decay` makes it
AdamW (decoupled: theta *= 1 - lr * weight_decay before the Adam step, as PyTorch's and
tinygrad_np's AdamW); `label_smoothing` eps makes the loss
(1 - eps) * mean(-log p[target]) + eps / C * mean(-sum_c log p_c); and `lr` and `beta1` are
plain attributes that a schedule may change between steps (set them before `backward`).
`logits(x)` is the forward alone (for evaluation), `allocate(*batches)` makes the buffers of
those batch sizes ahead of the steps.

What makes it fast (the same math as PyTorch's step, rearranged):
- No array is allocated in the step: every one (activations, masks, gradients, Adam's moments, the
  softmax) is allocated once per batch size and written with out=.
- All parameters live in one flat buffer (each weight and bias is a view into it), and so do
  the gradients and both moments, so Adam is ten whole-buffer ufunc calls, not ten per tensor.
- Hidden activations are stored transposed, (features, batch): BLAS computes W x^T faster than
  x W^T for small batches (about twice as fast for the first layer at batch 8).
- The ReLU mask is made once, as float32, in the forward: the forward multiplies by it (faster
  than np.maximum) and the backward reuses it.
- The backward writes each layer's input gradient over that layer's input activation, which
  is dead by then.
- The gradient of the logits is scaled by (1 - beta1) / B in one go, so every parameter gradient
  arrives already multiplied by (1 - beta1): m = beta1 m + (1 - beta1) g is then two passes.
  The second moment is kept as w = v (1 - beta1)^2 / (1 - beta2), i.e. w = beta2 w + G^2, and
  the constants are moved into eps and the step size (beta1 here is the one the model was made
  with; when a schedule changes it, G^2 is rescaled to that one's (1 - beta1)^2 first):
      lr m_hat / (sqrt(v_hat) + eps) = K m / (sqrt(w) + eps'),
      c = sqrt(bias_correction2 (1 - beta1)^2 / (1 - beta2)),  eps' = eps c,  K = lr c / bias_correction1.
- With threads > 1, Adam's slices of the flat buffers run in that many threads (NumPy releases
  the GIL inside a ufunc), as tinygrad_np's optimizers spread their work over the cores. The
  forward and backward use more than one core only inside BLAS's matrix products.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

DTYPE = np.float32
_POOLS: dict[int, ThreadPoolExecutor] = {}


def _pool(workers: int) -> ThreadPoolExecutor:
    """One thread pool per size, shared by all the models of a process."""
    if workers not in _POOLS:
        _POOLS[workers] = ThreadPoolExecutor(workers, thread_name_prefix="numpy_mlp")
    return _POOLS[workers]


class NumpyMLP:
    """Linear-ReLU-...-Linear trained with softmax cross-entropy and Adam, by hand.

    `sizes` = (inputs, hidden..., classes). `step(x, y)` does forward, backward and the Adam
    update and returns the loss; `forward`, `backward` and `update` are its three parts."""

    def __init__(self, sizes: Sequence[int] = (784, 512, 512, 256, 128, 10), seed: int = 0, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, threads: int = 1,
                 weight_decay: float = 0.0, label_smoothing: float = 0.0) -> None:
        self.sizes = tuple(int(n) for n in sizes)
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        self.weight_decay, self.label_smoothing = weight_decay, label_smoothing
        self._beta1_w = self.beta1       # the beta1 of w's scale (see the module doc)
        self._grad_scale = 1 - self.beta1  # what the last backward multiplied the gradients by
        shapes = [shape for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]) for shape in ((n_out, n_in), (n_out,))]
        total = sum(math.prod(shape) for shape in shapes)
        self.flat_params = np.empty(total, DTYPE)
        self.flat_grads = np.zeros(total, DTYPE)      # (1 - beta1) x the gradient, see the module doc
        self.exp_avg = np.zeros(total, DTYPE)         # m
        self.exp_avg_sq = np.zeros(total, DTYPE)      # w = v (1 - beta1)^2 / (1 - beta2)
        self.scratch = np.empty(total, DTYPE)
        self.params = self._views(self.flat_params, shapes)
        self.grads = self._views(self.flat_grads, shapes)
        self.weights, self.biases = self.params[0::2], self.params[1::2]
        self.weight_grads, self.bias_grads = self.grads[0::2], self.grads[1::2]
        self.bias_columns = [bias[:, None] for bias in self.biases]
        self.steps = 0
        self._buffers: dict[int, dict] = {}
        # Adam's elementwise work, cut into `threads` slices of multiples of 16 (NumPy releases the GIL)
        bounds = [min(total, total * i // threads // 16 * 16) for i in range(threads)] + [total]
        flats = (self.flat_params, self.flat_grads, self.exp_avg, self.exp_avg_sq, self.scratch)
        self._slices = [tuple(a[lo:hi] for a in flats) for lo, hi in zip(bounds[:-1], bounds[1:])]
        self._pool = _pool(threads - 1) if threads > 1 else None
        rng = np.random.default_rng(seed)
        gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))  # calculate_gain("leaky_relu", sqrt(5)), as tinygrad_np.nn.init
        for weight, bias in zip(self.weights, self.biases):
            fan_in = weight.shape[1]
            bound = gain * math.sqrt(3.0 / fan_in)  # kaiming_uniform_(a=sqrt(5)): 1/sqrt(fan_in), up to rounding
            weight[...] = rng.uniform(-bound, bound, weight.shape)
            bias_bound = 1 / math.sqrt(fan_in)
            bias[...] = rng.uniform(-bias_bound, bias_bound, bias.shape)

    @staticmethod
    def _views(flat: np.ndarray, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
        views, start = [], 0
        for shape in shapes:
            size = math.prod(shape)
            views.append(flat[start:start + size].reshape(shape))
            start += size
        return views

    # ------------------------------------------------------------------ parameters

    def load_parameters(self, arrays: Sequence[np.ndarray] | Mapping[str, np.ndarray]) -> None:
        """Copy in weight, bias, weight, bias, ... (PyTorch's layout), or a state dict of
        nn.Sequential(Linear, ReLU, ...) in that order; Adam's state starts afresh."""
        arrays = list(arrays.values()) if isinstance(arrays, Mapping) else list(arrays)
        if len(arrays) != len(self.params):
            raise ValueError(f"expected {len(self.params)} arrays (weight and bias per layer), got {len(arrays)}")
        for view, array in zip(self.params, arrays):
            array = np.asarray(array)
            if array.shape != view.shape:
                raise ValueError(f"parameter of shape {array.shape} where {view.shape} is expected")
            view[...] = array
        self.exp_avg.fill(0)
        self.exp_avg_sq.fill(0)
        self.steps = 0

    def parameters(self) -> list[np.ndarray]:
        """weight, bias, weight, bias, ...: views into the live parameters."""
        return list(self.params)

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies, with nn.Sequential(Linear, ReLU, ...)'s keys: '0.weight', '0.bias', '2.weight', ..."""
        return {f"{2 * (i // 2)}.{'bias' if i % 2 else 'weight'}": p.copy() for i, p in enumerate(self.params)}

    def gradients(self) -> list[np.ndarray]:
        """The last backward's gradients (weight, bias, ...), as new arrays."""
        return [g / DTYPE(self._grad_scale) for g in self.grads]

    # ------------------------------------------------------------------ the step

    def _buffers_for(self, batch: int) -> dict:
        buffers = self._buffers.get(batch)
        if buffers is None:
            hidden = self.sizes[1:-1]
            classes = self.sizes[-1]
            buffers = self._buffers[batch] = {
                "acts": [np.empty((n, batch), DTYPE) for n in hidden],   # post-ReLU, transposed; later gradients
                "masks": [np.empty((n, batch), DTYPE) for n in hidden],  # 1.0 where the pre-activation > 0
                "logits": np.empty((batch, classes), DTYPE),             # shifted logits, then exp
                "probs": np.empty((batch, classes), DTYPE),              # softmax, then dL/dlogits
                "row_max": np.empty((batch, 1), DTYPE),
                "row_sum": np.empty((batch, 1), DTYPE),
                "log_sum": np.empty((batch, 1), DTYPE),
                "picked": np.empty(batch, DTYPE),
                "row_start": np.arange(batch, dtype=np.int64) * classes,
                "index": np.empty(batch, np.int64),
            }
        return buffers

    def allocate(self, *batches: int) -> None:
        """Make the buffers of these batch sizes now rather than at their first step."""
        for batch in batches:
            self._buffers_for(batch)

    def logits(self, x: np.ndarray) -> np.ndarray:
        """The forward alone: the logits (B, classes), in a buffer that the next call with this batch size
        overwrites. x must be float32 (B, in)."""
        if x.dtype != DTYPE:
            raise TypeError(f"x must be float32, got {x.dtype}")
        buf = self._buffers_for(x.shape[0])
        self._x, self._buf = x, buf
        h = x
        for weight, bias, act, mask in zip(self.weights, self.bias_columns, buf["acts"], buf["masks"]):
            np.matmul(weight, h.T, out=act)       # (x W^T)^T = W x^T: hidden activations are stored transposed
            act += bias
            np.greater(act, 0, out=mask)
            act *= mask
            h = act.T
        logits = buf["logits"]
        np.matmul(h, self.weights[-1].T, out=logits)
        logits += self.biases[-1]
        return logits

    def last_logits(self) -> np.ndarray:
        """The last forward's logits, shifted by their row max after a `forward` (argmax unchanged)."""
        return self._buf["logits"]

    def forward(self, x: np.ndarray, y: np.ndarray) -> float:
        """Logits and the mean cross-entropy (label-smoothed if asked); keeps what backward needs."""
        logits = self.logits(x)
        buf = self._buf
        # log-softmax, shifted by the row max: loss_i = log sum_c exp(z_ic - max_i) - (z_iy - max_i)
        row_max, row_sum, log_sum, picked, index = buf["row_max"], buf["row_sum"], buf["log_sum"], buf["picked"], \
            buf["index"]
        np.max(logits, axis=1, keepdims=True, out=row_max)
        logits -= row_max
        probs = buf["probs"]
        np.exp(logits, out=probs)
        np.sum(probs, axis=1, keepdims=True, out=row_sum)
        np.log(row_sum, out=log_sum)
        np.add(buf["row_start"], y, out=index)
        np.take(logits.reshape(-1), index, out=picked, mode="clip")  # "clip": unbuffered
        loss = float((log_sum.sum() - picked.sum()) / x.shape[0])
        if self.label_smoothing:  # mean over rows of -sum_c log p_c = C log_sum - sum_c (z_c - max)
            eps, classes = self.label_smoothing, logits.shape[1]
            uniform = float((classes * log_sum.sum() - logits.sum()) / x.shape[0])
            loss = (1 - eps) * loss + eps / classes * uniform
        return loss

    def backward(self) -> None:
        """The gradients, times (1 - beta1), into the flat gradient buffer."""
        buf, x = self._buf, self._x
        batch = x.shape[0]
        probs, row_sum, picked, index = buf["probs"], buf["row_sum"], buf["picked"], buf["index"]
        # dL/dlogits = (softmax - onehot) / B, scaled by (1 - beta1) for Adam; with label smoothing eps
        # (softmax - (1 - eps) onehot - eps / C) / B
        self._grad_scale = 1 - self.beta1
        scale = self._grad_scale / batch
        row_sum *= 1 / scale
        probs /= row_sum
        eps = self.label_smoothing
        if eps:
            probs -= DTYPE(scale * eps / probs.shape[1])
        np.take(probs.reshape(-1), index, out=picked, mode="clip")
        picked -= scale * (1 - eps)
        np.put(probs.reshape(-1), index, picked, mode="clip")
        delta = probs
        inputs = [x, *(act.T for act in buf["acts"])]
        for layer in range(len(self.weights) - 1, -1, -1):
            np.matmul(delta.T, inputs[layer], out=self.weight_grads[layer])
            np.sum(delta, axis=0, out=self.bias_grads[layer])
            if layer:
                below = buf["acts"][layer - 1]    # the activation is dead now: its gradient goes there
                np.matmul(self.weights[layer].T, delta.T, out=below)
                below *= buf["masks"][layer - 1]
                delta = below.T

    def update(self) -> None:
        """Adam (AdamW with weight_decay) with bias correction, on the whole flat buffer at once (in
        `threads` slices), with the current lr and beta1 and the gradients of the last backward."""
        self.steps += 1
        beta1, beta2 = self.beta1, self.beta2
        bias_correction1 = 1 - beta1**self.steps
        bias_correction2 = 1 - beta2**self.steps
        c = math.sqrt(bias_correction2 * (1 - self._beta1_w) ** 2 / (1 - beta2))
        eps, step_size = self.eps * c, self.lr * c / bias_correction1
        # G = (1 - beta1) grad; w takes ((1 - beta1_w) grad)^2
        square_scale = 1.0 if self._grad_scale == 1 - self._beta1_w else ((1 - self._beta1_w) / self._grad_scale) ** 2
        decay = 1 - self.lr * self.weight_decay
        args = (eps, step_size, square_scale, decay)
        if self._pool is None:
            self._adam(*self._slices[0], *args)
            return
        others = [self._pool.submit(self._adam, *arrays, *args) for arrays in self._slices[1:]]
        self._adam(*self._slices[0], *args)
        for future in others:
            future.result()

    def _adam(self, param: np.ndarray, g: np.ndarray, m: np.ndarray, w: np.ndarray, t: np.ndarray,
              eps: float, step_size: float, square_scale: float = 1.0, decay: float = 1.0) -> None:
        if decay != 1:
            param *= decay            # AdamW's decoupled weight decay
        m *= self.beta1
        m += g                        # m = beta1 m + (1 - beta1) grad
        np.multiply(g, g, out=t)
        if square_scale != 1:
            t *= square_scale
        w *= self.beta2
        w += t                        # w = beta2 w + ((1 - beta1) grad)^2
        np.sqrt(w, out=t)
        t += eps
        np.divide(m, t, out=t)
        t *= step_size
        param -= t

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One training step on the batch (x, y); returns the loss before the update."""
        loss = self.forward(x, y)
        self.backward()
        self.update()
        return loss
