"""Milliseconds per training step of a 784-512-512-256-128-10 MLP: tinygrad_np, NumPy by hand, PyTorch.

    python benchmarks/bench_mlp_step.py                  # batches 8, 32, 128, 512; about 3 minutes
    python benchmarks/bench_mlp_step.py --quick          # about 30 s
    python benchmarks/bench_mlp_step.py --check          # only the correctness check
    python benchmarks/bench_mlp_step.py --phases         # also split each step into forward/backward/optimizer

One step is zero_grad, forward, softmax cross-entropy, backward and Adam (PyTorch's defaults),
float32, on real Fashion-MNIST batches (normalised, shuffled, cycling through the training set:
one repeated batch would drive the gradients to subnormal numbers and distort the timings).
The three implementations:
  tinygrad_np  nn.Sequential of Linear/ReLU, F.cross_entropy, optim.Adam;
  NumPy        benchmarks/numpy_mlp.py: the same step by hand, fused and allocation-free;
  PyTorch      eager, torch.set_num_threads(--threads), Adam(fused=False); run by --torch-python,
               by default /tmp/torchenv/bin/python or else this interpreter; skipped if neither has torch.
Each runs in its own worker process (this script with --worker IMPL, fed JSON commands on stdin),
since two frameworks in one process slow each other. Each measurement builds a fresh model,
warms up, then times single steps. The measurements alternate between the implementations in
rounds, each round in another order, so that a slow spell of a noisy machine hits all of them;
the table shows per implementation the median over rounds of each round's median (and of its
quartiles), and the ratios are taken within each round, between measurements made one after
the other, then the median over rounds (with their range). Before timing, the check (--check)
confirms that tinygrad_np and the NumPy step compute the same loss, gradients and update.

--threads (default 2) is each implementation's share of the cores: BLAS/OpenMP threads and
torch's threads. When other processes keep a core busy, two-thread
matrix products stall (a thread waits for one that lost its core) and the times explode: the
script reports how busy the other processes kept the machine; --threads 1 is then the steadier
measurement.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import (
    HERE,
    PIXEL_MEAN,
    PIXEL_STD,
    TORCH_PYTHON,
    alternating_order,
    data_folder,
    machine_busy_seconds,
    print_others_load,
    read_idx,
    table,
    thread_env,
)

SIZES = (784, 512, 512, 256, 128, 10)
IMPLS = ("tinygrad_np", "numpy", "torch")
TITLES = {"tinygrad_np": "tinygrad_np", "numpy": "NumPy", "torch": "PyTorch"}


# ---------------------------------------------------------------------------------------------- data


def training_set(folder: Path, seed: int, with_library: bool) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST's 60,000 training images as float32 rows (N, 784), normalised, and int64 labels,
    shuffled by `seed`: the same arrays in every worker."""
    if with_library:
        from tinygrad_np.data import FashionMNIST

        dataset = FashionMNIST(folder, train=True, download=False)
        images, labels = dataset.data.numpy(), dataset.targets.numpy()
    else:
        images, labels = read_idx(folder, "train-images-idx3-ubyte"), read_idx(folder, "train-labels-idx1-ubyte")
    order = np.random.default_rng(seed).permutation(len(labels))
    x = images.reshape(len(labels), -1)[order].astype(np.float32)
    x /= np.float32(255)
    x -= np.float32(PIXEL_MEAN)
    x /= np.float32(PIXEL_STD)
    return x, labels[order].astype(np.int64)


# ---------------------------------------------------------------------------------------------- the three steps


class TinygradStep:
    def __init__(self, seed: int, threads: int | None = None) -> None:
        import tinygrad_np as tg
        import tinygrad_np.nn.functional as F
        from tinygrad_np import nn, optim

        tg.manual_seed(seed)
        layers = []
        for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        self.tg, self.F = tg, F
        self.model = nn.Sequential(*layers[:-1])
        self.optimizer = optim.Adam(self.model.parameters(), lr=1e-3)

    def forward(self, x: np.ndarray, y: np.ndarray) -> float:
        self.optimizer.zero_grad()
        self.loss = self.F.cross_entropy(self.model(self.tg.as_tensor(x)), self.tg.as_tensor(y))
        return self.loss.item()

    def backward(self) -> None:
        self.loss.backward()

    def update(self) -> None:
        self.optimizer.step()


class NumpyStep:
    def __init__(self, seed: int, threads: int = 1) -> None:
        sys.path.insert(0, str(HERE))
        from numpy_mlp import NumpyMLP

        self.net = NumpyMLP(SIZES, seed, threads=threads)
        self.forward, self.backward, self.update = self.net.forward, self.net.backward, self.net.update


class TorchStep:
    def __init__(self, seed: int, threads: int = 1) -> None:
        import torch

        torch.manual_seed(seed)
        layers = []
        for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
            layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
        self.torch = torch
        self.model = torch.nn.Sequential(*layers[:-1])
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3, fused=False)

    def forward(self, x: np.ndarray, y: np.ndarray) -> float:
        self.optimizer.zero_grad()
        self.loss = self.torch.nn.functional.cross_entropy(self.model(self.torch.from_numpy(x)),
                                                           self.torch.from_numpy(y))
        return self.loss.item()

    def backward(self) -> None:
        self.loss.backward()

    def update(self) -> None:
        self.optimizer.step()


STEPS = {"tinygrad_np": TinygradStep, "numpy": NumpyStep, "torch": TorchStep}


# ---------------------------------------------------------------------------------------------- the worker


def worker(args: argparse.Namespace) -> None:
    """Load the data, say ready, then answer one JSON line per JSON command read from stdin:
    {"batch", "start", "warmup", "time", "min_steps", "max_steps", "phases"} -> step times in ms."""
    info = {"numpy": np.__version__}
    if args.worker == "torch":
        import torch

        torch.set_num_threads(args.threads)
        info["torch"] = torch.__version__
        info["torch threads"] = torch.get_num_threads()
    x_all, y_all = training_set(args.data_dir, args.seed, with_library=args.worker != "torch")
    threads = args.numpy_adam_threads if args.worker == "numpy" else args.threads
    print(json.dumps({"ready": True, "info": info}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command.get("quit"):
            break
        print(json.dumps(measure(args.worker, command, x_all, y_all, args.seed, threads)), flush=True)


def measure(impl: str, command: dict, x_all: np.ndarray, y_all: np.ndarray, seed: int, threads: int) -> dict:
    batch, position = command["batch"], command["start"] % len(y_all)
    step = STEPS[impl](seed, threads)
    forward, backward, update = step.forward, step.backward, step.update

    def next_batch() -> tuple[np.ndarray, np.ndarray]:
        nonlocal position
        if position + batch > len(y_all):
            position = 0
        position += batch
        return x_all[position - batch:position], y_all[position - batch:position]

    started, steps = time.perf_counter(), 0
    while steps < 3 or time.perf_counter() - started < command["warmup"]:
        x, y = next_batch()
        forward(x, y)
        backward()
        update()
        steps += 1
    times, parts, loss = [], [], math.nan
    clock = time.perf_counter
    started = clock()
    while len(times) < command["min_steps"] or (clock() - started < command["time"]
                                                 and len(times) < command["max_steps"]):
        x, y = next_batch()
        if command["phases"]:
            t0 = clock()
            loss = forward(x, y)
            t1 = clock()
            backward()
            t2 = clock()
            update()
            t3 = clock()
            parts.append(((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3))
        else:
            t0 = clock()
            loss = forward(x, y)
            backward()
            update()
            t3 = clock()
        times.append((t3 - t0) * 1e3)
    return {"impl": impl, "batch": batch, "times": times, "parts": parts, "loss": loss}


# ---------------------------------------------------------------------------------------------- the check


def check(folder: Path, seed: int, batch: int = 64, steps: int = 3) -> bool:
    """tinygrad_np and NumpyMLP from the same weights on the same batches: loss, gradients, update."""
    sys.path.insert(0, str(HERE))
    from numpy_mlp import NumpyMLP

    rtol, lr = 1e-4, 1e-3
    param_tol = rtol * lr  # an error of 1e-4 of Adam's step
    x_all, y_all = training_set(folder, seed, with_library=True)
    reference = TinygradStep(seed)
    params = list(reference.model.parameters())
    net = NumpyMLP(SIZES, seed + 1)          # another init, then overwritten: the copy must take
    net.load_parameters([p._array for p in params])
    own = NumpyMLP(SIZES, seed + 1)          # the same, but it takes its first Adam step from its own gradients
    own.load_parameters([p._array for p in params])
    print(f"check: tinygrad_np vs numpy_mlp from the same weights, {steps} steps on Fashion-MNIST batches of {batch}")
    print(f"  {'step':<5}{'loss tinygrad_np':>17}{'loss numpy':>13}{'|diff|':>10}"
          f"{'max|diff grad|/max|grad|':>26}{'max|diff param| after Adam':>28}")
    passed = True
    for number in range(1, steps + 1):
        x, y = x_all[(number - 1) * batch:number * batch], y_all[(number - 1) * batch:number * batch]
        loss_tg = reference.forward(x, y)
        reference.backward()
        grads_tg = [p.grad._array.copy() for p in params]
        loss_np = net.forward(x, y)
        net.backward()
        grad_error = max(float(np.abs(g - h).max() / max(np.abs(g).max(), 1e-30))
                         for g, h in zip(grads_tg, net.gradients()))
        if number == 1:
            own.step(x, y)
        # NumPy's Adam from tinygrad_np's gradients, so that both updates get the same input (see below)
        for view, grad in zip(net.grads, grads_tg):
            np.multiply(grad, np.float32(1 - net.beta1), out=view)
        net.update()
        reference.update()
        param_error = max(float(np.abs(p._array - q).max()) for p, q in zip(params, net.parameters()))
        loss_error = abs(loss_tg - loss_np)
        ok = loss_error <= rtol * abs(loss_tg) and grad_error <= rtol and param_error <= param_tol
        passed &= ok
        print(f"  {number:<5}{loss_tg:>17.7f}{loss_np:>13.7f}{loss_error:>10.1e}{grad_error:>26.1e}"
              f"{param_error:>28.1e}{'' if ok else '   FAILED'}")
        if number == 1:
            first = [(q - p._array, np.abs(g) >= 1e-6) for q, p, g in zip(own.parameters(), params, grads_tg)]
            # own took one step from its own gradients; params are now after one step too
            own_all = max(float(np.abs(d).max()) for d, _ in first)
            own_large = max(float(np.abs(d[big]).max(initial=0)) for d, big in first)
    ok = own_large <= param_tol
    passed &= ok
    print(f"  step 1 with NumPy's own gradients: max|diff param| {own_large:.1e} where |grad| >= 1e-6, "
          f"{own_all:.1e} anywhere{'' if ok else '   FAILED'}")
    print("    (Adam's first step is lr*g/(|g|+eps): where |g| is far below 1e-6 it magnifies the rounding noise of g,"
          "\n     so above, NumPy's Adam takes tinygrad_np's gradients and the gradients are compared on their own)")
    print(f"check {'passed' if passed else 'FAILED'}: loss and gradients to rtol {rtol:g} (gradients relative to "
          f"each tensor's largest), parameters to {param_tol:g} (1e-4 of lr)\n")
    return passed


# ---------------------------------------------------------------------------------------------- the parent


def find_torch_python(option: str | None) -> tuple[str | None, str]:
    """The first interpreter that imports torch and numpy, and a note on what was tried."""
    candidates = [option] if option else [TORCH_PYTHON, sys.executable]
    tried = []
    for python in candidates:
        if not (Path(python).exists() or option):
            tried.append(f"{python} (missing)")
            continue
        try:
            result = subprocess.run([python, "-c", "import numpy, torch; print(torch.__version__)"],
                                    capture_output=True, text=True, timeout=180)
        except (OSError, subprocess.TimeoutExpired) as error:
            tried.append(f"{python} ({error})")
            continue
        if result.returncode == 0:
            return python, f"PyTorch from {python} (torch {result.stdout.strip()})"
        tried.append(f"{python} (no torch)")
    return None, "PyTorch skipped: no python with torch and numpy; tried " + ", ".join(tried)


class Worker:
    def __init__(self, impl: str, python: str, args: argparse.Namespace, folder: Path) -> None:
        env = thread_env(args.threads)
        command = [python, str(Path(__file__).resolve()), "--worker", impl, "--data-dir", str(folder),
                   "--threads", str(args.threads), "--numpy-adam-threads", str(args.numpy_adam_threads),
                   "--seed", str(args.seed)]
        self.impl = impl
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)

    def read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.impl} worker stopped (exit code {self.process.wait()})")
        return json.loads(line)

    def ask(self, command: dict) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self.read()

    def cpu_seconds(self) -> float:
        """user + system time of the worker so far (Linux; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return 0.0

    def close(self) -> None:
        try:
            self.process.stdin.write(json.dumps({"quit": True}) + "\n")
            self.process.stdin.close()
        except OSError:
            pass
        self.process.wait(timeout=60)


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = np.percentile(values, [25, 50, 75])
    return float(q1), float(q2), float(q3)


def run(args: argparse.Namespace) -> None:
    folder = data_folder(args.data_dir, download=False)
    if not check(folder, args.seed):
        raise SystemExit("the check failed: the NumPy step does not compute what tinygrad_np does; not timing it")
    if args.check:
        return
    impls = [impl for impl in IMPLS if impl in args.impls]
    pythons = {impl: sys.executable for impl in impls}
    if "torch" in impls:
        python, note = find_torch_python(args.torch_python)
        print(note)
        if python is None:
            impls.remove("torch")
        else:
            pythons["torch"] = python
    workers: dict[str, Worker] = {}
    try:
        for impl in impls:
            workers[impl] = Worker(impl, pythons[impl], args, folder)
        infos = {impl: w.read()["info"] for impl, w in workers.items()}
        print(f"{args.rounds} rounds x {len(args.batches)} batch sizes x {len(impls)} implementations; per measurement "
              f"{args.warmup:g} s warm-up, then timed steps for {args.time:g} s (at least {args.min_steps}); "
              f"{args.threads} threads per implementation (NumPy's Adam: {args.numpy_adam_threads}); "
              f"numpy {infos[impls[0]]['numpy']}" + (f"; torch {infos['torch']['torch']}" if "torch" in infos else ""),
              flush=True)
        results: dict[tuple[str, int], list[dict]] = {(impl, b): [] for impl in impls for b in args.batches}
        busy_before, wall_before = machine_busy_seconds(), time.perf_counter()
        ours_before = sum(w.cpu_seconds() for w in workers.values())
        for number in range(args.rounds):
            order = alternating_order(impls, number)
            for batch in args.batches:
                for impl in order:
                    command = {"batch": batch, "start": number * 10007, "warmup": args.warmup, "time": args.time,
                               "min_steps": args.min_steps, "max_steps": 100000, "phases": args.phases}
                    result = workers[impl].ask(command)
                    if not math.isfinite(result["loss"]):
                        raise SystemExit(f"{impl} at batch {batch}: the loss is {result['loss']}")
                    results[impl, batch].append(result)
            print(f"  round {number + 1}/{args.rounds} done ({time.perf_counter() - wall_before:.0f} s)",
                  file=sys.stderr, flush=True)
        ours = sum(w.cpu_seconds() for w in workers.values()) - ours_before
    finally:
        for w in workers.values():
            w.close()
    wall = time.perf_counter() - wall_before
    report(args, impls, results)
    if args.json is not None:
        args.json.write_text(json.dumps({"rounds": args.rounds, "threads": args.threads, "results": [
            {"impl": impl, "batch": batch, "round": number, "times_ms": r["times"], "phases_ms": r["parts"]}
            for (impl, batch), rs in results.items() for number, r in enumerate(rs)]}))
        print(f"every step's time written to {args.json}")
    print_others_load(busy_before, ours, wall, args.threads)


def report(args: argparse.Namespace, impls: list[str], results: dict[tuple[str, int], list[dict]]) -> None:
    header = ["batch"]
    for impl in impls:
        header += [f"{TITLES[impl]} ms", "IQR"]
    ratio_with = [impl for impl in impls if impl != "tinygrad_np"] if "tinygrad_np" in impls else []
    header += [f"tg/{TITLES[impl]} (range)" for impl in ratio_with]
    rows, noisy, noisiest = [], 0.0, ""
    for batch in args.batches:
        row, medians = [str(batch)], {}
        for impl in impls:
            stats = [quartiles(r["times"]) for r in results[impl, batch]]
            q1, q2, q3 = (statistics.median(s[i] for s in stats) for i in range(3))
            medians[impl] = [s[1] for s in stats]
            if max(medians[impl]) / min(medians[impl]) > noisy:
                noisy, noisiest = max(medians[impl]) / min(medians[impl]), f"{TITLES[impl]} at batch {batch}"
            row += [f"{q2:.3f}", f"{q1:.3f}-{q3:.3f}"]
        for impl in ratio_with:
            ratios = [a / b for a, b in zip(medians["tinygrad_np"], medians[impl])]
            row.append(f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})")
        rows.append(row)
    print("\nms per training step (median over rounds of each round's median; IQR: the same for its quartiles;"
          "\nratios: median over rounds of the ratio within the round, and its range over rounds)")
    print(table(header, rows, left=0))
    print(f"round medians of one implementation and batch size varied by up to {100 * (noisy - 1):.0f}% "
          f"(max/min - 1, {noisiest})")
    if args.phases:
        print("\nphases, ms per step (median over rounds of each round's median): forward = zero_grad + forward + loss")
        phase_rows = []
        for batch in args.batches:
            for impl in impls:
                per_round = [np.median(np.array(r["parts"]), axis=0) for r in results[impl, batch]]
                parts = np.median(np.array(per_round), axis=0)
                total = float(parts.sum())
                phase_rows.append([str(batch), TITLES[impl], *(f"{p:.3f} ({100 * p / total:.0f}%)" for p in parts),
                                   f"{total:.3f}"])
        print(table(["batch", "implementation", "forward", "backward", "optimizer", "sum"], phase_rows, left=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog="\n".join(__doc__.splitlines()[1:]),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", default="8,32,128,512", help="batch sizes, comma-separated (default 8,32,128,512)")
    parser.add_argument("--rounds", type=int, help="rounds of alternating measurements (default 9; 3 with --quick)")
    parser.add_argument("--time", type=float, help="seconds of timed steps per measurement (default 1.0; 0.4 quick)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per measurement (default 0.3; 0.2 quick)")
    parser.add_argument("--min-steps", type=int, default=5, help="timed steps per measurement at least (default 5)")
    parser.add_argument("--quick", action="store_true", help="a ~30 s run: 3 rounds of shorter measurements")
    parser.add_argument("--check", action="store_true", help="only the correctness check (it also runs before timing)")
    parser.add_argument("--phases", action="store_true", help="also time forward, backward and optimizer separately")
    parser.add_argument("--impls", default=",".join(IMPLS), help=f"which to time (default {','.join(IMPLS)})")
    parser.add_argument("--torch-python", help=f"a python with torch (default: {TORCH_PYTHON}, else this one)")
    parser.add_argument("--threads", type=int, default=2,
                        help="threads per implementation (default 2): BLAS/OpenMP threads of every worker "
                             "and torch.set_num_threads")
    parser.add_argument("--numpy-adam-threads", type=int, default=1,
                        help="threads of the NumPy step's Adam (default 1: a second one competes with the BLAS "
                             "thread that spins after each matrix product, and loses)")
    parser.add_argument("--data-dir", type=Path, help="Fashion-MNIST folder (default: ../shared/datasets if it holds "
                        "it and $TINYGRAD_NP_DATA is unset, else where tinygrad_np.data.FashionMNIST looks)")
    parser.add_argument("--json", type=Path, help="also write every timed step, per round, to this JSON file")
    parser.add_argument("--seed", type=int, default=0, help="initial weights and the shuffle (default 0)")
    parser.add_argument("--worker", choices=IMPLS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    defaults = (3, 0.4, 0.2) if args.quick else (9, 1.0, 0.3)
    for name, default in zip(("rounds", "time", "warmup"), defaults):
        if getattr(args, name) is None:
            setattr(args, name, default)
    try:
        args.batches = [int(b) for b in args.batches.split(",")]
    except ValueError:
        parser.error(f"--batches {args.batches}: give integers separated by commas")
    args.impls = [name.strip() for name in args.impls.split(",")]
    if unknown := set(args.impls) - set(IMPLS):
        parser.error(f"--impls: unknown {', '.join(sorted(unknown))}; choose from {', '.join(IMPLS)}")
    if min(min(args.batches), args.rounds, args.threads, args.numpy_adam_threads, args.min_steps) < 1:
        parser.error("--batches, --rounds, --threads, --numpy-adam-threads and --min-steps must be positive")
    run(args)


if __name__ == "__main__":
    main()
