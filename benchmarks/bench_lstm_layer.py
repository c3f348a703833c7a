"""Milliseconds per training step of the char-level LSTM of issue 16: tinygrad_np against PyTorch.

    python benchmarks/bench_lstm_layer.py                 # 4 alternating rounds of 10 steps each
    python benchmarks/bench_lstm_layer.py --rounds 6 --steps 20

The model: Embedding(65, 64) -> nn.LSTM(64, 256, num_layers=2, batch_first=True) -> Linear(256, 65),
cross-entropy, backward, clip_grad_norm_(1.0), AdamW; batch 32, context 64, float32, random
tokens. One step is zero_grad, forward, loss, backward, clipping and the update.

Each implementation runs in its own process (this script with --worker IMPL), one BLAS/OpenMP
thread and torch.set_num_threads(1); the rounds alternate the order. PyTorch runs twice: as it
is ("torch", whose CPU LSTM is oneDNN's fused kernel) and with oneDNN switched off
("torch-composite": ATen's per-step ops, the structure tinygrad_np has). For tinygrad_np the
worker also reports the time spent in matrix products (the MatMul primitive's forward, which
the backward's products go through too): the part no Python overhead can remove.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np
from common import HERE, REPO, TORCH_PYTHON, alternating_order, thread_env

VOCAB, EMBED, HIDDEN, LAYERS, BATCH, CONTEXT = 65, 64, 256, 2, 32, 64


def worker(impl: str, steps: int) -> dict:
    if impl.startswith("torch"):
        import torch as lib
        lib.set_num_threads(1)
        lib.backends.mkldnn.enabled = impl == "torch"
    else:
        sys.path.insert(0, str(REPO))
        import tinygrad_np as lib
        from tinygrad_np.ops.matmul import MatMul
        matmul_seconds = [0.0]
        forward = MatMul.forward

        def timed(self, a, b):
            start = time.perf_counter()
            out = forward(self, a, b)
            matmul_seconds[0] += time.perf_counter() - start
            return out

        MatMul.forward = timed
    nn, F = lib.nn, lib.nn.functional
    lib.manual_seed(0)

    class CharLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCAB, EMBED)
            self.lstm = nn.LSTM(EMBED, HIDDEN, num_layers=LAYERS, batch_first=True)
            self.head = nn.Linear(HIDDEN, VOCAB)

        def forward(self, tokens):
            return self.head(self.lstm(self.embedding(tokens))[0])

    model = CharLSTM()
    optimizer = lib.optim.AdamW(model.parameters(), lr=2e-3)
    rng = np.random.default_rng(0)
    batches = [tuple(lib.tensor(rng.integers(0, VOCAB, (BATCH, CONTEXT))) for _ in range(2)) for _ in range(4)]

    def step(i: int) -> None:
        tokens, targets = batches[i % len(batches)]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(tokens).reshape(-1, VOCAB), targets.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    for i in range(3):
        step(i)
    times = []
    if not impl.startswith("torch"):
        matmul_seconds[0] = 0.0
    for i in range(steps):
        start = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - start)
    result = {"times": times}
    if not impl.startswith("torch"):
        result["matmul"] = matmul_seconds[0] / steps
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--torch-python", default=TORCH_PYTHON, help=f"a python with torch (default {TORCH_PYTHON})")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.steps)))
        return
    impls = ["tinygrad_np", "torch", "torch-composite"]
    medians: dict[str, list[float]] = {impl: [] for impl in impls}
    matmul, ratios = [], []
    for round_number in range(args.rounds):
        for impl in alternating_order(impls, round_number):
            python = sys.executable if impl == "tinygrad_np" else args.torch_python
            found = subprocess.run([python, str(HERE / "bench_lstm_layer.py"), "--worker", impl, "--steps",
                                    str(args.steps)], env=thread_env(1), capture_output=True, text=True, check=True)
            result = json.loads(found.stdout.strip().splitlines()[-1])
            medians[impl].append(1e3 * statistics.median(result["times"]))
            if "matmul" in result:
                matmul.append(1e3 * result["matmul"])
        ratios.append(medians["tinygrad_np"][-1] / medians["torch"][-1])
        print(f"round {round_number + 1}: " + ", ".join(f"{impl} {medians[impl][-1]:.1f} ms" for impl in impls))
    print()
    for impl in impls:
        print(f"{impl:16s} {statistics.median(medians[impl]):7.1f} ms/step (median over rounds)")
    print(f"tinygrad_np / torch: {statistics.median(ratios):.2f}x (per-round ratios {min(ratios):.2f}-"
          f"{max(ratios):.2f}); of tinygrad_np's step, {statistics.median(matmul):.1f} ms in matrix products")


if __name__ == "__main__":
    main()
