"""Milliseconds per forward and backward of examples/mnist_cnn.py's convolution layers: tinygrad_np against PyTorch.

    python benchmarks/bench_conv.py                      # 7 rounds of ~1 s measurements; about 80 s
    python benchmarks/bench_conv.py --rounds 3 --time 0.5
    python benchmarks/bench_conv.py --check              # only the correctness check

The layers are the feature extractor of mnist_cnn.py's cnn() (tinygrad_np times the example's
own modules, cnn()[:6]; PyTorch the same six layers built from torch.nn), at batch --batch
(128, the example's), float32. Four cases, a table row each:
  conv1  Conv2d(1, 16, 3, padding=1) on x (B, 1, 28, 28); x is the input image, not requiring grad;
  conv2  Conv2d(16, 32, 3, padding=1) on x (B, 16, 14, 14) requiring grad;
  pool   MaxPool2d(2) on x (B, 32, 14, 14) requiring grad;
  net    conv1-ReLU-MaxPool2d(2)-conv2-ReLU-MaxPool2d(2) on x (B, 1, 28, 28), x not requiring grad.
Each step clears the gradients (zero_grad, x.grad = None), then times the forward y = layers(x)
and the backward y.backward(g), g a fixed random upstream gradient, so that the backward is that
of the layers alone, with no loss in front. The parameters (PyTorch's default init, U(±1/√fan_in)),
x and g are drawn by NumPy from --seed in each worker: both frameworks compute the same thing.

Each framework runs in its own worker process (this script with --worker, fed JSON commands on
stdin, as bench_mlp_step.py's), since two frameworks in one process slow each other. A
measurement warms up (--warmup), then times steps for --time seconds. The measurements alternate
between the frameworks in rounds, each round in another order, so that a slow spell of a noisy
machine hits both; the table shows per framework the median over rounds of each round's median
(and of its quartiles: IQR), and the ratios tinygrad_np / PyTorch are taken within each round,
between measurements made one after the other, then the median over rounds (with their range
for forward + backward). Before timing, the check (--check) gives both workers the same weights
and data and compares the outputs and the gradients of the weights, biases and inputs.

--threads (default 2) is each framework's share of the cores: BLAS/OpenMP threads and torch's
threads. The script reports how busy other processes kept the machine: with two threads a
thread that loses its core stalls the other, and --threads 1 is then the steadier measurement.
PyTorch is run by --torch-python, by default /tmp/torchenv/bin/python or else this interpreter;
without it, tinygrad_np is timed alone and the check is skipped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import bench_mlp_step
import numpy as np
from bench_mlp_step import find_torch_python, quartiles
from common import (
    REPO,
    TORCH_PYTHON,
    allocator_env,
    alternating_order,
    machine_busy_seconds,
    print_others_load,
    table,
    thread_env,
)

CHANNELS = (16, 32)  # mnist_cnn.cnn()'s default widths
KERNEL = 3
IMPLS = ("tinygrad_np", "torch")
TITLES = {"tinygrad_np": "tinygrad_np", "torch": "PyTorch"}
PARTS = ("forward", "backward", "total")
MIN_STEPS = 5  # timed steps per measurement at least
RTOL = 1e-4  # the check's tolerance, relative to each tensor's largest magnitude


@dataclass(frozen=True)
class Case:
    layer: int | None  # the index of the layer in the feature extractor; None: all of it
    input: tuple[int, int, int]  # x's (C, H, W)
    output: tuple[int, int, int]  # y's and g's (C, H, W)
    input_grad: bool  # whether x requires grad
    text: str


CASES = {
    "conv1": Case(0, (1, 28, 28), (16, 28, 28), False, "Conv2d(1, 16, 3, padding=1), x not requiring grad"),
    "conv2": Case(3, (16, 14, 14), (32, 14, 14), True, "Conv2d(16, 32, 3, padding=1), x requiring grad"),
    "pool": Case(5, (32, 14, 14), (32, 7, 7), True, "MaxPool2d(2), x requiring grad"),
    "net": Case(None, (1, 28, 28), (32, 7, 7), False, "conv1-ReLU-pool-conv2-ReLU-pool, x not requiring grad"),
}


# ---------------------------------------------------------------------------------------------- data


def initial_weights(seed: int) -> dict[str, np.ndarray]:
    """The feature extractor's state dict, drawn from `seed` as PyTorch's default init: U(±1/√fan_in)."""
    rng = np.random.default_rng(seed)
    state = {}
    for block, (width_in, width_out) in enumerate(zip([1, *CHANNELS], CHANNELS)):
        bound = 1 / math.sqrt(width_in * KERNEL * KERNEL)
        state[f"{3 * block}.weight"] = rng.uniform(-bound, bound, (width_out, width_in, KERNEL, KERNEL))
        state[f"{3 * block}.bias"] = rng.uniform(-bound, bound, width_out)
    return {name: array.astype(np.float32) for name, array in state.items()}


def case_arrays(number: int, case: Case, batch: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The input x and the upstream gradient g of the `number`th case: standard normal, float32."""
    rng = np.random.default_rng((seed, number + 1))
    return (rng.standard_normal((batch, *case.input), dtype=np.float32),
            rng.standard_normal((batch, *case.output), dtype=np.float32))


# ---------------------------------------------------------------------------------------------- the worker


class Step:
    """One case in a worker: its layers, x and g as the framework's objects (both have PyTorch's API)."""

    def __init__(self, layers, x, g) -> None:
        self.layers, self.x, self.g = layers, x, g

    def clear(self) -> None:
        self.layers.zero_grad()
        self.x.grad = None

    def timed(self) -> tuple[float, float]:
        """(forward, backward) in ms, from cleared gradients; y is freed after the clock stops."""
        self.clear()
        clock = time.perf_counter
        t0 = clock()
        y = self.layers(self.x)
        t1 = clock()
        y.backward(self.g)
        t2 = clock()
        return (t1 - t0) * 1e3, (t2 - t1) * 1e3

    def results(self) -> dict[str, np.ndarray]:
        """The output and the gradients of one step, for the check."""
        self.clear()
        y = self.layers(self.x)
        y.backward(self.g)
        inputs = dict(self.layers.named_parameters())
        if self.x.requires_grad:
            inputs["x"] = self.x
        return {"output": y.detach().numpy(), **{f"{name} grad": t.grad.detach().numpy() for name, t in inputs.items()}}


def worker(args: argparse.Namespace) -> None:
    """Build the cases, say ready (with a digest of the data), then answer one JSON line per JSON
    command read from stdin: {"check": folder} -> the results saved to folder/IMPL.npz;
    {"case", "warmup", "time"} -> the forward and backward times of each timed step in ms."""
    info = {"numpy": np.__version__}
    if args.worker == "torch":
        import torch

        torch.set_num_threads(args.threads)
        info["torch"] = torch.__version__
        info["torch threads"] = torch.get_num_threads()
        layers = []
        for width_in, width_out in zip([1, *CHANNELS], CHANNELS):  # as mnist_cnn.cnn()
            layers += [torch.nn.Conv2d(width_in, width_out, KERNEL, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
        features, tensor = torch.nn.Sequential(*layers), torch.tensor
    else:
        sys.path.insert(0, str(REPO / "examples"))
        import mnist_cnn

        import tinygrad_np as tg

        features, tensor = mnist_cnn.cnn(CHANNELS)[:6], tg.tensor
    weights = initial_weights(args.seed)
    features.load_state_dict({name: tensor(array) for name, array in weights.items()})
    digest = hashlib.sha256(b"".join(array.tobytes() for array in weights.values()))
    steps = {}
    for number, (name, case) in enumerate(CASES.items()):
        x, g = case_arrays(number, case, args.batch, args.seed)
        digest.update(x.tobytes() + g.tobytes())
        layers = features if case.layer is None else features[case.layer]
        steps[name] = Step(layers, tensor(x, requires_grad=case.input_grad), tensor(g))
    info["data"] = digest.hexdigest()
    print(json.dumps({"ready": True, "info": info}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command.get("quit"):
            break
        if "check" in command:
            path = Path(command["check"]) / f"{args.worker}.npz"
            np.savez(path, **{f"{name}/{key}": array for name, step in steps.items()
                              for key, array in step.results().items()})
            print(json.dumps({"saved": str(path)}), flush=True)
        else:
            print(json.dumps(measure(steps[command["case"]], command["warmup"], command["time"])), flush=True)


def measure(step: Step, warmup: float, seconds: float) -> dict[str, list[float]]:
    """Steps for `warmup` seconds (at least 2), then the times of those of the next `seconds` (at least MIN_STEPS)."""
    started, count = time.perf_counter(), 0
    while count < 2 or time.perf_counter() - started < warmup:
        step.timed()
        count += 1
    forward, backward = [], []
    started = time.perf_counter()
    while len(forward) < MIN_STEPS or time.perf_counter() - started < seconds:
        f, b = step.timed()
        forward.append(f)
        backward.append(b)
    return {"forward": forward, "backward": backward}


# ---------------------------------------------------------------------------------------------- the parent


class Worker(bench_mlp_step.Worker):
    """A worker process of this script, spoken to as bench_mlp_step.py's (read, ask, cpu_seconds, close)."""

    def __init__(self, impl: str, python: str, args: argparse.Namespace) -> None:
        command = [python, str(Path(__file__).resolve()), "--worker", impl, "--batch", str(args.batch),
                   "--threads", str(args.threads), "--seed", str(args.seed)]
        self.impl = impl
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        env=thread_env(args.threads) | allocator_env(args.keep_freed_memory))


def check(workers: dict[str, Worker], batch: int) -> bool:
    """Both workers' outputs and gradients, from the same weights and data, to RTOL."""
    with tempfile.TemporaryDirectory() as folder:
        saved = {impl: w.ask({"check": folder})["saved"] for impl, w in workers.items()}
        with np.load(saved["tinygrad_np"]) as ours, np.load(saved["torch"]) as theirs:
            results = {key: (ours[key], theirs[key]) for key in theirs.files}
            missing = set(ours.files) ^ set(theirs.files)
    print(f"check: tinygrad_np vs PyTorch, the same weights and data, batch {batch}: "
          "max|difference| / max|PyTorch's| per tensor")
    rows, passed = [], not missing
    for key, (a, b) in results.items():
        scale = float(np.abs(b).max())
        error = float(np.abs(a.astype(np.float64) - b).max()) / max(scale, 1e-30) if a.shape == b.shape else math.inf
        float32 = a.dtype == b.dtype == np.float32
        passed &= float32 and error <= RTOL
        case, tensor = key.split("/")
        rows.append([case, tensor, str(b.shape), f"{scale:.3g}", f"{error:.1e}" + ("" if error <= RTOL else " FAILED")
                     + ("" if float32 else f" (dtypes {a.dtype}, {b.dtype})")])
    print(table(["case", "tensor", "shape", "max|PyTorch|", "rel. difference"], rows, left=3))
    if missing:
        print(f"only one framework gave: {', '.join(sorted(missing))}")
    print(f"check {'passed' if passed else 'FAILED'}: float32, to rtol {RTOL:g} (relative to each tensor's largest "
          "magnitude)\n")
    return passed


def run(args: argparse.Namespace) -> None:
    impls, pythons = ["tinygrad_np"], {"tinygrad_np": sys.executable}
    python, note = find_torch_python(args.torch_python)
    print(note)
    if python is not None:
        impls.append("torch")
        pythons["torch"] = python
    elif args.check:
        raise SystemExit("the check compares tinygrad_np with PyTorch: give --torch-python")
    workers: dict[str, Worker] = {}
    try:
        for impl in impls:
            workers[impl] = Worker(impl, pythons[impl], args)
        infos = {impl: w.read()["info"] for impl, w in workers.items()}
        if "torch" in infos:
            if infos["torch"]["data"] != infos["tinygrad_np"]["data"]:
                raise SystemExit(f"the workers drew different weights and data from seed {args.seed} (numpy "
                                 f"{infos['tinygrad_np']['numpy']} and {infos['torch']['numpy']}): not comparable")
            if not check(workers, args.batch):
                raise SystemExit("the check failed: tinygrad_np and PyTorch disagree; not timing them")
        else:
            print("check skipped: it compares tinygrad_np with PyTorch\n")
        if args.check:
            return
        print(f"{args.rounds} rounds x {len(CASES)} cases x {len(impls)} implementations; per measurement "
              f"{args.warmup:g} s warm-up, then timed steps for {args.time:g} s (at least {MIN_STEPS}); batch "
              f"{args.batch}, float32; {args.threads} threads per implementation; malloc keeps "
              f"{f'{args.keep_freed_memory} MB of freed memory' if args.keep_freed_memory else 'glibc defaults'} in "
              f"every worker; numpy {infos['tinygrad_np']['numpy']}"
              + (f"; torch {infos['torch']['torch']} ({infos['torch']['torch threads']} threads)"
                 if "torch" in infos else ""), flush=True)
        results: dict[tuple[str, str], list[dict]] = {(impl, name): [] for impl in impls for name in CASES}
        busy_before, wall_before = machine_busy_seconds(), time.perf_counter()
        ours_before = sum(w.cpu_seconds() for w in workers.values())
        for number in range(args.rounds):
            order = alternating_order(impls, number)
            for name in CASES:
                for impl in order:
                    results[impl, name].append(workers[impl].ask({"case": name, "warmup": args.warmup,
                                                                  "time": args.time}))
            print(f"  round {number + 1}/{args.rounds} done ({time.perf_counter() - wall_before:.0f} s)",
                  file=sys.stderr, flush=True)
        ours = sum(w.cpu_seconds() for w in workers.values()) - ours_before
    finally:
        for w in workers.values():
            w.close()
    wall = time.perf_counter() - wall_before
    report(args, impls, results)
    print_others_load(busy_before, ours, wall, args.threads)


def report(args: argparse.Namespace, impls: list[str], results: dict[tuple[str, str], list[dict]]) -> None:
    header = ["case", "implementation", "forward ms", "IQR", "backward ms", "IQR", "fwd+bwd ms", "IQR"]
    if "torch" in impls:
        header += ["tg/PyTorch fwd", "bwd", "fwd+bwd (range)"]
    rows, noisy, noisiest = [], 0.0, ""
    for name in CASES:
        medians: dict[str, dict[str, list[float]]] = {}
        for impl in impls:
            per_round = []  # per round, per part: the quartiles of the timed steps
            for r in results[impl, name]:
                total = [f + b for f, b in zip(r["forward"], r["backward"])]
                per_round.append({"forward": quartiles(r["forward"]), "backward": quartiles(r["backward"]),
                                  "total": quartiles(total)})
            medians[impl] = {part: [q[part][1] for q in per_round] for part in PARTS}
            spread = max(medians[impl]["total"]) / min(medians[impl]["total"])
            if spread > noisy:
                noisy, noisiest = spread, f"{TITLES[impl]}, {name}"
            row = [name if impl == impls[0] else "", TITLES[impl]]
            for part in PARTS:
                q1, q2, q3 = (statistics.median(q[part][i] for q in per_round) for i in range(3))
                row += [f"{q2:.3f}", f"{q1:.3f}-{q3:.3f}"]
            rows.append(row)
        if "torch" in impls:
            ratios = {part: [a / b for a, b in zip(medians["tinygrad_np"][part], medians["torch"][part])]
                      for part in PARTS}
            total = ratios["total"]
            rows[-2] += [f"{statistics.median(ratios['forward']):.2f}", f"{statistics.median(ratios['backward']):.2f}",
                         f"{statistics.median(total):.2f} ({min(total):.2f}-{max(total):.2f})"]
            rows[-1] += ["", "", ""]
    print(f"\nbatch {args.batch}, float32:")
    for name, case in CASES.items():
        print(f"  {name:<6} x {(args.batch, *case.input)} -> y {(args.batch, *case.output)}: {case.text}")
    print("ms per forward, per backward y.backward(g) and per both (median over rounds of each round's median; IQR:"
          "\nthe same for its quartiles; ratios: median over rounds of the ratio within the round, and its range)")
    print("\n".join(line.rstrip() for line in table(header, rows, left=2).splitlines()))  # PyTorch's rows: no ratios
    print(f"round medians of fwd+bwd of one implementation and case varied by up to {100 * (noisy - 1):.0f}% "
          f"(max/min - 1, {noisiest})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog="\n".join(__doc__.splitlines()[1:]),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=128, help="batch size (default 128, the example's)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of alternating measurements (default 7)")
    parser.add_argument("--time", type=float, default=1.0, help="seconds of timed steps per measurement (default 1.0)")
    parser.add_argument("--warmup", type=float, default=0.3, help="seconds of warm-up per measurement (default 0.3)")
    parser.add_argument("--threads", type=int, default=2,
                        help="threads per implementation (default 2): BLAS/OpenMP threads of every worker "
                             "and torch.set_num_threads")
    parser.add_argument("--keep-freed-memory", type=int, default=64, metavar="MB",
                        help="megabytes of freed memory glibc's malloc keeps for reuse in every worker (default 64, "
                             "what tinygrad_np.keep_freed_memory() sets; 0: glibc's default)")
    parser.add_argument("--check", action="store_true", help="only the correctness check (it also runs before timing)")
    parser.add_argument("--torch-python", help=f"a python with torch (default: {TORCH_PYTHON}, else this one)")
    parser.add_argument("--seed", type=int, default=0, help="the weights, inputs and upstream gradients (default 0)")
    parser.add_argument("--worker", choices=IMPLS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if min(args.batch, args.rounds, args.threads) < 1 or args.time <= 0 or min(args.warmup, args.keep_freed_memory) < 0:
        parser.error("--batch, --rounds, --threads and --time must be positive, --warmup and --keep-freed-memory "
                     "not negative")
    if args.worker:
        return worker(args)
    run(args)


if __name__ == "__main__":
    main()
