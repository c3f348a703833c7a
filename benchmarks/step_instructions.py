"""Instructions per training step, counted by valgrind: a measure that the VM's changing speed
cannot blur, for comparing two versions of the library's Python overhead.

    python benchmarks/step_instructions.py                      # this checkout
    python benchmarks/step_instructions.py --repo ../old-checkout --repo .

For each repo it runs the benchmark's MLP step (784-512-512-256-128-10, Adam, cross-entropy
with label smoothing) under `valgrind --tool=callgrind` twice, with 0 and with --steps steps
after one warm-up step, and prints (difference) / steps for the forward (zero_grad, forward,
loss), forward + backward, and the whole step. One BLAS thread, so the count is repeatable.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

PHASES = {"forward": "f", "forward+backward": "fb", "step": "fbo"}

STEP = """
import sys
import numpy as np
import tinygrad_np as tg
import tinygrad_np.nn.functional as F
from tinygrad_np import nn, optim

tg.manual_seed(0)
sizes = [784, 512, 512, 256, 128, 10]
layers = []
for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
    layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
model = nn.Sequential(*layers[:-1])
optimizer = optim.Adam(model.parameters(), lr=1e-3)
batch, steps, phases = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
x = tg.tensor(np.random.default_rng(0).standard_normal((batch, 784)).astype(np.float32))
y = tg.tensor(np.random.default_rng(1).integers(0, 10, batch))


def step(phases):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
    if "b" in phases:
        loss.backward()
    if "o" in phases:
        optimizer.step()


step("fbo")
for _ in range(steps):
    step(phases)
"""


def count(repo: Path, batch: int, steps: int, phases: str) -> int:
    """Instructions that valgrind counted for the whole run."""
    env = dict(os.environ, PYTHONPATH=str(repo), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", STEP,
         str(batch), str(steps), phases],
        env=env, cwd=repo, capture_output=True, text=True, check=True,  # -c puts the working folder first on sys.path
    )
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", action="append", type=Path,
                        help="a checkout to measure (repeatable; default: this one)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    repos = args.repo or [Path(__file__).resolve().parent.parent]
    print(f"instructions per step, batch {args.batch}, {args.steps} steps")
    for repo in repos:
        per_step = {name: (count(repo, args.batch, args.steps, phases) - count(repo, args.batch, 0, phases))
                    / args.steps for name, phases in PHASES.items()}
        print(f"{str(repo):<40}" + "".join(f"{name} {value / 1e6:.2f} M   " for name, value in per_step.items()))


if __name__ == "__main__":
    main()
