"""One Fashion-MNIST epoch of examples/mnist_mlp.py's defaults, written by hand in NumPy alone.

    python benchmarks/numpy_epoch.py --data-dir /path/to/fashion-mnist      # the folder holding the IDX files

The baseline of benchmarks/bench_epoch.py: the same job as the tinygrad_np example with no
framework. It does not import tinygrad_np, so its time and memory are NumPy's own.

- The net: 784-512-256-10, Linear + ReLU, initialised as nn.Linear does (PyTorch's default,
  W ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) through kaiming_uniform_(a=sqrt(5)), b likewise), drawn
  from np.random.default_rng(seed) in the same order as `tg.manual_seed(seed); mlp(hidden)`, so
  both start from the same weights.
- The data: pixels / 255, normalised with the training set's mean 0.2860 and std 0.3530;
  shuffled by np.random.default_rng(seed).permutation, as the example's DataLoader does, so the
  batches come in the same order; batch 128, the last batch holding the remaining 96.
- The loss: cross-entropy with label smoothing eps (0.1), mean over the batch:
      (1 - eps) * mean(-log p[target]) + eps / C * mean(-sum_c log p_c);
  its gradient with respect to the logits is (softmax - ((1 - eps) onehot + eps / C)) / B.
- The optimizer: AdamW (PyTorch's equations, as tinygrad_np.optim.AdamW: decoupled decay
  theta *= 1 - lr * wd, then Adam with bias correction), stepped by a one-cycle schedule
  (OneCycleLR's defaults: lr from max_lr / 25 up to max_lr over the first 30% of the steps and
  cosine-annealed down to max_lr / 25 / 1e4; beta1 cycled the other way, 0.95 -> 0.85 -> 0.95).
  The schedule spans --schedule-epochs epochs (default 1: the epoch is a whole run).
- The net, loss and AdamW are benchmarks/numpy_mlp.py's NumpyMLP (the NumPy step of
  bench_mlp_step.py) with weight_decay and label_smoothing, and its lr and beta1 set by the
  schedule before each step. Everything is float32, in buffers allocated once before the epoch
  (inputs, activations, gradients, moments, scratch; NumpyMLP's for every batch size),
  written with out= and in-place operators.
- It keeps the same books as examples/training.py's train_epoch (loss and accuracy of every
  batch) and then measures the test accuracy in batches of 1000.

Prints one line of JSON with --json (for bench_epoch.py), otherwise a short report. The peak RSS is
this process's resource.getrusage(RUSAGE_SELF).ru_maxrss; the epoch's own peak is the same after
resetting the count (/proc/self/clear_refs) when the epoch starts.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from common import PIXEL_MEAN, PIXEL_STD, current_rss_mb, peak_rss_mb, read_idx, reset_peak_rss
from numpy_mlp import NumpyMLP


def one_cycle(step: int, total: int, max_lr: float, pct_start: float = 0.3, div_factor: float = 25.0,
              final_div_factor: float = 1e4, base_momentum: float = 0.85,
              max_momentum: float = 0.95) -> tuple[float, float]:
    """(lr, beta1) at `step` of OneCycleLR's two-phase cosine schedule (PyTorch's formula)."""
    initial = max_lr / div_factor
    minimum = initial / final_div_factor
    rise_end = float(pct_start * total) - 1

    def anneal(start: float, end: float, pct: float) -> float:
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)

    if step <= rise_end:
        pct = step / rise_end
        return anneal(initial, max_lr, pct), anneal(max_momentum, base_momentum, pct)
    pct = (step - rise_end) / (total - 1 - rise_end)
    return anneal(max_lr, minimum, pct), anneal(base_momentum, max_momentum, pct)


class Inputs:
    """Normalised float32 rows of the chosen images, in buffers allocated once (the last, smaller batch uses views)."""

    def __init__(self, width: int, batch: int) -> None:
        self.x = np.empty((batch, width), np.float32)
        self.pixels = np.empty((batch, width), np.uint8)

    def load(self, images: np.ndarray, index: np.ndarray) -> np.ndarray:
        n = len(index)
        pixels, x = self.pixels[:n], self.x[:n]
        np.take(images, index, axis=0, out=pixels)
        np.divide(pixels, np.float32(255), out=x, dtype=np.float32)
        x -= np.float32(PIXEL_MEAN)
        x /= np.float32(PIXEL_STD)
        return x


def run(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    folder = Path(args.data_dir)
    train_images = read_idx(folder, "train-images-idx3-ubyte").reshape(-1, 28 * 28)
    train_labels = read_idx(folder, "train-labels-idx1-ubyte").astype(np.int64)
    test_images = read_idx(folder, "t10k-images-idx3-ubyte").reshape(-1, 28 * 28)
    test_labels = read_idx(folder, "t10k-labels-idx1-ubyte").astype(np.int64)
    sizes = [28 * 28, *args.hidden, 10]
    model = NumpyMLP(sizes, args.seed, lr=args.lr, weight_decay=args.weight_decay,
                     label_smoothing=args.label_smoothing)
    inputs = Inputs(sizes[0], max(args.batch_size, 1000))
    shuffle = np.random.default_rng(args.seed)
    size, batch_size = len(train_labels), args.batch_size
    batches = math.ceil(size / batch_size)
    model.allocate(batch_size, size - (batches - 1) * batch_size, 1000)  # the two training batch sizes, the test one
    total_steps = args.schedule_epochs * batches
    setup_seconds, rss_start, setup_peak = time.perf_counter() - started, current_rss_mb(), peak_rss_mb()
    reset = reset_peak_rss()

    start = time.perf_counter()
    order = shuffle.permutation(size)
    total_loss, correct = 0.0, 0
    for batch in range(batches):
        index = order[batch * batch_size:(batch + 1) * batch_size]
        labels = train_labels[index]
        x = inputs.load(train_images, index)
        model.lr, model.beta1 = one_cycle(batch, total_steps, args.lr)  # the schedule's value at this step
        loss = model.step(x, labels)
        total_loss += loss * len(labels)
        correct += int((model.last_logits().argmax(1) == labels).sum())
    train_seconds = time.perf_counter() - start
    epoch_peak = peak_rss_mb() if reset else None

    start = time.perf_counter()
    test_correct = 0
    for first in range(0, len(test_labels), 1000):
        index = np.arange(first, min(first + 1000, len(test_labels)))
        test_correct += int((model.logits(inputs.load(test_images, index)).argmax(1) == test_labels[index]).sum())
    eval_seconds = time.perf_counter() - start
    return {"name": "numpy", "train_seconds": train_seconds, "eval_seconds": eval_seconds,
            "setup_seconds": setup_seconds, "train_loss": total_loss / size, "train_acc": correct / size,
            "test_acc": test_correct / len(test_labels), "rss_start_mb": rss_start, "epoch_peak_rss_mb": epoch_peak,
            "peak_rss_mb": max(setup_peak, peak_rss_mb())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, help="the folder holding the four Fashion-MNIST IDX files")
    parser.add_argument("--hidden", type=int, nargs="+", default=[512, 256], help="default: 512 256")
    parser.add_argument("--batch-size", type=int, default=128, help="default %(default)s")
    parser.add_argument("--lr", type=float, default=2e-3, help="peak of the one-cycle schedule (default %(default)s)")
    parser.add_argument("--weight-decay", type=float, default=0.05, help="AdamW's, decoupled (default %(default)s)")
    parser.add_argument("--label-smoothing", type=float, default=0.1, help="default %(default)s")
    parser.add_argument("--seed", type=int, default=0, help="seeds the init and the shuffle (default 0)")
    parser.add_argument("--schedule-epochs", type=int, default=1,
                        help="epochs the one-cycle schedule spans; only the first is run (default 1)")
    parser.add_argument("--json", action="store_true", help="print the results as one line of JSON")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result))
        return
    print(f"train {result['train_seconds']:.2f} s (loss {result['train_loss']:.4f}, "
          f"acc {100 * result['train_acc']:.2f}%), test acc {100 * result['test_acc']:.2f}% "
          f"({result['eval_seconds']:.2f} s), peak RSS {result['peak_rss_mb']:.0f} MB "
          f"(during the epoch: {result['epoch_peak_rss_mb'] or float('nan'):.0f} MB)", file=sys.stdout)


if __name__ == "__main__":
    main()
