"""Per-op overhead of tinygrad_np on tiny tensors, against NumPy and PyTorch; chains; no_grad.

    python benchmarks/bench_ops.py                  # everything; chains of 10^3 .. 10^5 ops
    python benchmarks/bench_ops.py --max 6          # chains up to 10^6 ops too (about 15 s more and 0.8 GB)
    python benchmarks/bench_ops.py --no-chains --no-torch --ops add,matmul,cross_entropy
    python benchmarks/bench_ops.py --no-chains --no-torch --ops add,mul,linear --profiler-overhead

Four sections, each a measurement (not a test), and a fifth on request:

1. Single op. For each op on tiny inputs (mostly 4x4 float32; the differentiated input x requires
   grad), the time per call of
     NumPy       the same forward written with NumPy on the arrays (softmax and friends composed
                 the usual way, with the max subtracted);
     fwd         y = op(x), graph recorded (grad mode on), y discarded;
     fwd+bwd     op(x).sum().backward() then x.grad = None (and the other grad inputs' .grad):
                 one op forward, one sum, one backward() call through both nodes and the
                 accumulation into .grad. The row 'baseline' is x.sum().backward() alone, the
                 fixed cost to subtract to get the op's own share;
   for tinygrad_np and for PyTorch (the same code on torch tensors, run by --torch-python in a
   subprocess).
2. Chains of the op. For the ops whose output has x's shape and stays bounded, a chain of
   --chain-length (64) applications y = op(y), then y.sum().backward(); the time divided by the
   chain length: the cost per op with the backward() call amortised. 'bwd' is fwd+bwd minus fwd.
   A weight that every link uses (add_bias, matmul, linear) gets one gradient per link, and
   summing them is part of its backward, in both frameworks.
3. no_grad: the forward of two MLPs with the graph recorded (parameters require grad) and under
   no_grad (the `with` entered once, outside the timed loop).
4. Long chains (--chains): bench_chain.py's measure(), a chain of n multiplications x * 1.0 and
   one backward, each n in a subprocess of its own, so that the peak RSS (ru_maxrss) is that n's;
   'RSS growth' is that peak minus the peak before the chain was built (after the imports).
5. Profiler overhead (--profiler-overhead): section 1's tinygrad_np times again, in the same process,
   (a) fresh: no profile() entered yet, (b) after: a `with profile()` block entered and left, so its
   wrappers were set on the op classes and removed, and (c) profiling: inside such a block. (a) and (b)
   should match (the ops carry no profiler check when none is active); (c) is the price of profiling.

Sections 1-3 run in one subprocess per framework, with --threads (1) BLAS/OpenMP threads. Times
are the minimum over --repeat runs of a loop calibrated to last about --min-time seconds each
(timeit's method; the minimum is the least disturbed by other work on the machine), with the
garbage collector left on, as in real use. They include the Python loop and a call of a
closure, about 0.1 µs, which is what the NumPy 'baseline' row shows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from common import TORCH_PYTHON, LoadMeter, table, thread_env

HERE = Path(__file__).resolve().parent
DEFAULT_TORCH_PYTHON = TORCH_PYTHON

# ---------------------------------------------------------------------------------------------- the ops
# An op: the shape of x, its extra inputs, the forward on NumPy arrays, the forward for a framework
# (F is its nn.functional; the same code runs on tinygrad_np and torch tensors) and, if the op maps
# a 4x4 to a 4x4 with values that stay bounded when repeated, the step of its chain.
# Extra inputs: (name, kind, requires_grad), kind one of the generators in `make_array`.


def _np_log_softmax(a: np.ndarray) -> np.ndarray:
    shifted = a - a.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def _np_softmax(a: np.ndarray) -> np.ndarray:
    e = np.exp(a - a.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _reshape_step(y):
    return y.reshape(16) if y.ndim == 2 else y.reshape(4, 4)


OPS: dict[str, dict] = {
    "baseline": dict(x=(4, 4), extra=[], numpy=lambda a: a, fn=lambda F, x: x, chain=None),
    "add": dict(text="x + c", x=(4, 4), extra=[("c", "normal", False)],
                numpy=lambda a, c: a + c, fn=lambda F, x, c: x + c, chain=lambda F, y, c: y + c),
    "add_bias": dict(text="x + b, b (4,) grad", x=(4, 4), extra=[("b", "normal4", True)],
                     numpy=lambda a, b: a + b, fn=lambda F, x, b: x + b, chain=lambda F, y, b: y + b),
    "mul": dict(text="x * c", x=(4, 4), extra=[("c", "near_one", False)],
                numpy=lambda a, c: a * c, fn=lambda F, x, c: x * c, chain=lambda F, y, c: y * c),
    "mul_scalar": dict(text="x * 1.0", x=(4, 4), extra=[],
                       numpy=lambda a: a * 1.0, fn=lambda F, x: x * 1.0, chain=lambda F, y: y * 1.0),
    "matmul": dict(text="x @ w, w 4x4 grad", x=(4, 4), extra=[("w", "orthogonal", True)],
                   numpy=lambda a, w: a @ w, fn=lambda F, x, w: x @ w, chain=lambda F, y, w: y @ w),
    "linear": dict(text="F.linear, W 8x8 b 8 grad", x=(4, 8), extra=[("w", "orthogonal8", True), ("b", "small8", True)],
                   numpy=lambda a, w, b: a @ w.T + b, fn=lambda F, x, w, b: F.linear(x, w, b),
                   chain=lambda F, y, w, b: F.linear(y, w, b)),
    "exp": dict(text="x.exp()", x=(4, 4), extra=[], numpy=np.exp, fn=lambda F, x: x.exp(), chain=None),
    "tanh": dict(text="x.tanh()", x=(4, 4), extra=[], numpy=np.tanh, fn=lambda F, x: x.tanh(),
                 chain=lambda F, y: y.tanh()),
    "relu": dict(text="x.relu()", x=(4, 4), extra=[], numpy=lambda a: np.maximum(a, 0),
                 fn=lambda F, x: x.relu(), chain=lambda F, y: y.relu()),
    "sum": dict(text="x.sum()", x=(4, 4), extra=[], numpy=lambda a: a.sum(), fn=lambda F, x: x.sum(), chain=None),
    "sum_dim": dict(text="x.sum(1)", x=(4, 4), extra=[], numpy=lambda a: a.sum(1), fn=lambda F, x: x.sum(1),
                    chain=None),
    "mean": dict(text="x.mean()", x=(4, 4), extra=[], numpy=lambda a: a.mean(), fn=lambda F, x: x.mean(), chain=None),
    "sum_vec": dict(text="v.sum(), v (8,)", x=(8,), extra=[], numpy=lambda a: a.sum(), fn=lambda F, x: x.sum(),
                    chain=None),
    "reshape": dict(text="x.reshape(16)", x=(4, 4), extra=[], numpy=lambda a: a.reshape(16),
                    fn=lambda F, x: x.reshape(16), chain=lambda F, y: _reshape_step(y)),
    "transpose": dict(text="x.T", x=(4, 4), extra=[], numpy=lambda a: a.T, fn=lambda F, x: x.T,
                      chain=lambda F, y: y.T),
    "slice": dict(text="x[1:3]", x=(4, 4), extra=[], numpy=lambda a: a[1:3], fn=lambda F, x: x[1:3], chain=None),
    "index": dict(text="x[i], i int64 (4,)", x=(4, 4), extra=[("i", "permutation", False)],
                  numpy=lambda a, i: a[i], fn=lambda F, x, i: x[i], chain=lambda F, y, i: y[i]),
    "softmax": dict(text="x.softmax(-1)", x=(4, 4), extra=[], numpy=_np_softmax, fn=lambda F, x: x.softmax(-1),
                    chain=lambda F, y: y.softmax(-1)),
    "log_softmax": dict(text="x.log_softmax(-1)", x=(4, 4), extra=[], numpy=_np_log_softmax,
                        fn=lambda F, x: x.log_softmax(-1), chain=lambda F, y: y.log_softmax(-1)),
    "cross_entropy": dict(text="F.cross_entropy(x, t)", x=(4, 4), extra=[("t", "targets", False)],
                          numpy=lambda a, t: -_np_log_softmax(a)[np.arange(len(t)), t].mean(),
                          fn=lambda F, x, t: F.cross_entropy(x, t), chain=None),
}


def make_array(kind: str, shape: tuple[int, ...] | None, rng: np.random.Generator) -> np.ndarray:
    """The same input arrays in every process: drawn from a fixed seed, in a fixed order."""
    if kind == "x":
        return rng.standard_normal(shape).astype(np.float32)
    if kind == "normal":
        return rng.standard_normal((4, 4)).astype(np.float32)
    if kind == "normal4":
        return rng.standard_normal(4).astype(np.float32)
    if kind == "near_one":
        return rng.uniform(0.95, 1.05, (4, 4)).astype(np.float32)
    if kind in ("orthogonal", "orthogonal8"):
        size = 4 if kind == "orthogonal" else 8
        q, _ = np.linalg.qr(rng.standard_normal((size, size)))
        return q.astype(np.float32)
    if kind == "small8":
        return (0.01 * rng.standard_normal(8)).astype(np.float32)
    if kind == "permutation":
        return np.array([3, 0, 2, 1], dtype=np.int64)
    if kind == "targets":
        return np.array([0, 3, 1, 2], dtype=np.int64)
    raise ValueError(kind)


def op_arrays(name: str) -> tuple[np.ndarray, list[tuple[np.ndarray, bool]]]:
    spec = OPS[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    x = make_array("x", spec["x"], rng)
    return x, [(make_array(kind, None, rng), grad) for _, kind, grad in spec["extra"]]


# ---------------------------------------------------------------------------------------------- timing


def best_time(fn: Callable[[], object], min_time: float, repeat: int) -> float:
    """Seconds per call of fn: the minimum over `repeat` runs of a loop lasting about `min_time`."""

    def run(number: int) -> float:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        return time.perf_counter() - start

    fn()  # warm up (first-call caches, lazy imports)
    number = 1
    while (elapsed := run(number)) < min_time / 10:
        number *= 10
    number = max(1, round(number * min_time / max(elapsed, 1e-9)))
    return min(run(number) for _ in range(repeat)) / number


class Framework:
    """tinygrad_np or torch behind the few calls the benchmarks need."""

    def __init__(self, name: str) -> None:
        self.name = name
        if name == "torch":
            import torch
            import torch.nn.functional as F

            self.lib, self.F, self.version = torch, F, torch.__version__
            self.no_grad = torch.no_grad
        else:
            from importlib.metadata import version

            import tinygrad_np as tg
            import tinygrad_np.nn.functional as F

            self.lib, self.F, self.version = tg, F, version("tinygrad-np")
            self.no_grad = tg.no_grad

    def tensor(self, array: np.ndarray, requires_grad: bool = False):
        return self.lib.tensor(array, requires_grad=requires_grad)

    def mlp(self, sizes: list[int]):
        nn = self.lib.nn
        layers = []
        for width_in, width_out in zip(sizes, sizes[1:]):
            layers += [nn.Linear(width_in, width_out), nn.ReLU()]
        return nn.Sequential(*layers[:-1])


def measure_ops(fw: Framework, names: list[str], min_time: float, repeat: int) -> dict[str, dict[str, float]]:
    """Section 1 for this framework: each op's forward and forward+backward time, in seconds."""
    times = {}
    F = fw.F
    for name in names:
        x_array, extras_arrays = op_arrays(name)
        x = fw.tensor(x_array, requires_grad=True)
        extras = [fw.tensor(array, requires_grad=grad) for array, grad in extras_arrays]
        grads = [x, *[t for t, (_, grad) in zip(extras, extras_arrays) if grad]]
        fn = OPS[name]["fn"]

        def forward(fn=fn, x=x, extras=extras):
            return fn(F, x, *extras)

        def forward_backward(fn=fn, x=x, extras=extras, grads=grads):
            fn(F, x, *extras).sum().backward()
            for t in grads:
                t.grad = None

        times[name] = {"fwd": best_time(forward, min_time, repeat),
                       "fwd_bwd": best_time(forward_backward, min_time, repeat)}
    return times


def measure_framework(fw: Framework, names: list[str], chain_length: int, min_time: float,
                      repeat: int) -> dict:
    """Every time this framework contributes to the tables, in seconds."""
    results: dict = {"version": fw.version, "ops": measure_ops(fw, names, min_time, repeat), "chains": {},
                     "no_grad": {}}
    F = fw.F
    for name in names:
        spec = OPS[name]
        x_array, extras_arrays = op_arrays(name)
        x = fw.tensor(x_array, requires_grad=True)
        extras = [fw.tensor(array, requires_grad=grad) for array, grad in extras_arrays]
        grads = [x, *[t for t, (_, grad) in zip(extras, extras_arrays) if grad]]
        step = spec["chain"]
        if step is None:
            continue

        def chain(step=step, x=x, extras=extras):
            y = x
            for _ in range(chain_length):
                y = step(F, y, *extras)
            return y

        def chain_backward(chain=chain, grads=grads):
            chain().sum().backward()
            for t in grads:
                t.grad = None

        results["chains"][name] = {"fwd": best_time(chain, min_time, repeat) / chain_length,
                                   "fwd_bwd": best_time(chain_backward, min_time, repeat) / chain_length}
    for label, sizes, batch in (("MLP 16-32-32-10, batch 8", [16, 32, 32, 10], 8),
                                ("MLP 784-512-256-10, batch 128", [784, 512, 256, 10], 128)):
        fw.lib.manual_seed(0)
        model = fw.mlp(sizes)
        x = fw.tensor(np.random.default_rng(0).standard_normal((batch, sizes[0])).astype(np.float32))
        recording = best_time(lambda model=model, x=x: model(x), min_time, repeat)
        with fw.no_grad():
            plain = best_time(lambda model=model, x=x: model(x), min_time, repeat)
        results["no_grad"][label] = {"recording": recording, "no_grad": plain}
    return results


def measure_numpy(names: list[str], min_time: float, repeat: int) -> dict[str, float]:
    times = {}
    for name in names:
        x, extras = op_arrays(name)
        arrays = [array for array, _ in extras]
        fn = OPS[name]["numpy"]
        times[name] = best_time(lambda fn=fn, x=x, arrays=arrays: fn(x, *arrays), min_time, repeat)
    return times


def measure_profiler_overhead(fw: Framework, names: list[str], min_time: float, repeat: int) -> dict:
    """Section 5: section 1's times before any profile(), after one was entered and left, and inside one; and
    whether leaving it put back every op class's own apply and backward (the same objects)."""
    from tinygrad_np.autograd.node import Node
    from tinygrad_np.profiler import profile

    def own_attributes() -> list:
        classes, stack = [], [Node]
        while stack:
            subclasses = stack.pop().__subclasses__()
            classes += subclasses
            stack += subclasses
        return [vars(cls).get(name) for cls in classes for name in ("apply", "backward")]

    results: dict = {"fresh": measure_ops(fw, names, min_time, repeat)}
    before = own_attributes()
    with profile(print_table=False):
        pass
    results["restored"] = all(a is b for a, b in zip(before, own_attributes(), strict=True))
    results["after"] = measure_ops(fw, names, min_time, repeat)
    with profile(print_table=False):
        results["profiling"] = measure_ops(fw, names, min_time, repeat)
    return results


def child(framework: str, config: dict) -> None:
    """Run in a subprocess (the torch one by --torch-python): measure, print the results as JSON."""
    fw = Framework(framework)
    if framework == "torch":
        fw.lib.set_num_threads(config["threads"])
    results = measure_framework(fw, config["ops"], config["chain_length"], config["min_time"], config["repeat"])
    if framework == "torch":
        results["threads"] = fw.lib.get_num_threads()
    else:
        results["numpy"] = measure_numpy(config["ops"], config["min_time"], config["repeat"])
        if config["profiler_overhead"]:
            results["profiler"] = measure_profiler_overhead(fw, config["ops"], config["min_time"], config["repeat"])
    print(json.dumps(results))


def run_child(python: str, framework: str, names: list[str], args: argparse.Namespace) -> tuple[dict | None, str]:
    """Measure `framework` in a subprocess of `python`; its results (with 'others_load': the cores
    that other processes kept busy meanwhile) or None and why."""
    config = {"ops": names, "chain_length": args.chain_length, "min_time": args.min_time, "repeat": args.repeat,
              "threads": args.threads, "profiler_overhead": args.profiler_overhead}
    env = thread_env(args.threads)
    if framework == "torch":
        env["PYTHONPATH"] = ""  # the torch venv has no tinygrad_np, and needs none
    meter = LoadMeter()
    try:
        proc = subprocess.run([python, str(Path(__file__).resolve()), "--child", framework, json.dumps(config)],
                              capture_output=True, text=True, env=env)
    except OSError as error:
        return None, f"{framework} skipped: cannot run {python} ({error.strerror})"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"{framework} run failed ({python}): {last}"
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    results["others_load"] = meter.others_load()
    return results, ""


# ---------------------------------------------------------------------------------------------- long chains


def chain_child(length: int) -> None:
    """Run in a fresh process: bench_chain.measure(length), with the peak RSS before it, as JSON."""
    sys.path.insert(0, str(HERE))
    import bench_chain

    import tinygrad_np as tg

    tg.tensor(np.float32(1.0), requires_grad=True) * 1.0  # noqa: B018  (load everything the chain touches)
    before = bench_chain.peak_rss_mb()
    forward, backward, peak = bench_chain.measure(length)
    print(json.dumps({"length": length, "forward": forward, "backward": backward, "before": before, "peak": peak}))


def run_chains(max_exponent: int, threads: int) -> list[dict]:
    rows = []
    for exponent in range(3, max_exponent + 1):
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--chain-child", str(10**exponent)],
                              capture_output=True, text=True, check=True, env=thread_env(threads))
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return rows


# ---------------------------------------------------------------------------------------------- output


def us(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    value = seconds * 1e6
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b <= 0 else f"{a / b:.1f}x"


def change(value: float, reference: float) -> str:
    return f"{100 * (value / reference - 1):+.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", help=f"comma-separated subset of: {', '.join(OPS)} (default: all)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement; the minimum is kept "
                        "(default %(default)s)")
    parser.add_argument("--min-time", type=float, default=0.02, help="seconds per timed run (default %(default)s)")
    parser.add_argument("--chain-length", type=int, default=64, help="ops per chain in section 2 (default %(default)s)")
    default_torch = DEFAULT_TORCH_PYTHON if os.path.exists(DEFAULT_TORCH_PYTHON) else None
    parser.add_argument("--torch-python", default=default_torch,
                        help="a Python with torch, run in a subprocess (default: %(default)s)")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    parser.add_argument("--chains", action=argparse.BooleanOptionalAction, default=True,
                        help="section 4: backward time and peak RSS of long chains (default: on)")
    parser.add_argument("--max", type=int, default=5, help="longest chain of section 4 is 10^MAX ops (default 5; "
                        "6 adds about 15 s and 0.8 GB of RSS)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads of NumPy and torch in the "
                        "measuring processes (default 1: tiny ops gain nothing from threads, and on a busy machine "
                        "a thread waiting for a core costs milliseconds)")
    parser.add_argument("--profiler-overhead", action="store_true", help="section 5: section 1's tinygrad_np times "
                        "before any profile(), after one was entered and left, and while profiling")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--chain-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], json.loads(args.child[1]))
        return
    if args.chain_child:
        chain_child(args.chain_child)
        return
    names = list(OPS) if not args.ops else [name.strip() for name in args.ops.split(",")]
    unknown = [name for name in names if name not in OPS]
    if unknown:
        parser.error(f"unknown ops {unknown}; choose from {', '.join(OPS)}")
    if args.repeat < 1 or args.min_time <= 0 or args.chain_length < 1 or args.max < 3:
        parser.error("--repeat, --min-time, --chain-length must be positive and --max at least 3")

    note = ""
    torch_results = None
    if args.no_torch:
        note = "PyTorch skipped (--no-torch)"
    elif args.torch_python is None:
        note = f"PyTorch skipped: no --torch-python given and {DEFAULT_TORCH_PYTHON} does not exist"
    else:
        torch_results, note = run_child(args.torch_python, "torch", names, args)
    tg_results, failure = run_child(sys.executable, "tinygrad_np", names, args)
    if tg_results is None:
        sys.exit(failure)
    numpy_times = tg_results["numpy"]
    torch_ops = torch_results["ops"] if torch_results else {}
    torch_chains = torch_results["chains"] if torch_results else {}

    print(f"Python {platform.python_version()}, NumPy {np.__version__}, tinygrad_np {tg_results['version']}"
          + (f", PyTorch {torch_results['version']} ({torch_results['threads']} threads)" if torch_results else "")
          + f"; {os.cpu_count()} CPUs, {args.threads} BLAS/OpenMP thread(s); best of {args.repeat} runs of "
          f"~{args.min_time * 1e3:g} ms; µs per call")
    if note:
        print(note)
    loads = {name: r["others_load"] for name, r in (("tinygrad_np", tg_results), ("PyTorch", torch_results))
             if r and r["others_load"] is not None}
    if loads:
        print("other processes kept busy, on average, while measuring: "
              + ", ".join(f"{name} {load:.2f} cores" for name, load in loads.items())
              + (" (disturbed: compare with a rerun)" if max(loads.values()) > 0.1 else ""))
    print("\n1. One op on tiny inputs: NumPy forward; tinygrad_np (tg) and PyTorch forward (graph recorded) and\n"
          "   forward+backward = op(x).sum().backward() + clearing .grad (the baseline row: x.sum().backward())\n")
    rows = []
    for name in names:
        t, p = tg_results["ops"][name], torch_ops.get(name, {})
        rows.append([name, OPS[name].get("text", "x"), us(numpy_times[name]), us(t["fwd"]), us(t["fwd_bwd"]),
                     us(p.get("fwd")), us(p.get("fwd_bwd")), ratio(t["fwd"], numpy_times[name]),
                     ratio(t["fwd"], p.get("fwd")), ratio(t["fwd_bwd"], p.get("fwd_bwd"))])
    print(table(["op", "what", "NumPy", "tg fwd", "tg fwd+bwd", "torch fwd", "torch fwd+bwd",
                 "tg/NumPy fwd", "tg/torch fwd", "tg/torch f+b"], rows, left=2))

    chained = [name for name in names if name in tg_results["chains"]]
    if chained:
        print(f"\n2. Chains of {args.chain_length} ops y = op(y), then y.sum().backward(): µs per op "
              "(bwd = fwd+bwd - fwd)\n")
        rows = []
        for name in chained:
            t, p = tg_results["chains"][name], torch_chains.get(name, {})
            p_bwd = p["fwd_bwd"] - p["fwd"] if p else None
            rows.append([name, us(t["fwd"]), us(t["fwd_bwd"] - t["fwd"]), us(t["fwd_bwd"]), us(p.get("fwd")),
                         us(p_bwd), us(p.get("fwd_bwd")), ratio(t["fwd"], p.get("fwd")),
                         ratio(t["fwd_bwd"] - t["fwd"], p_bwd), ratio(t["fwd_bwd"], p.get("fwd_bwd"))])
        print(table(["op", "tg fwd", "tg bwd", "tg fwd+bwd", "torch fwd", "torch bwd", "torch fwd+bwd",
                     "tg/torch fwd", "tg/torch bwd", "tg/torch f+b"], rows))

    print("\n3. MLP forward with the graph recorded vs under no_grad (µs per forward)\n")
    rows = []
    for label, t in tg_results["no_grad"].items():
        p = torch_results["no_grad"][label] if torch_results else {}
        rows.append([label, us(t["recording"]), us(t["no_grad"]), f"{100 * (1 - t['no_grad'] / t['recording']):.0f}%",
                     us(p.get("recording")), us(p.get("no_grad")),
                     f"{100 * (1 - p['no_grad'] / p['recording']):.0f}%" if p else "-",
                     ratio(t["recording"], p.get("recording")), ratio(t["no_grad"], p.get("no_grad"))])
    print(table(["model", "tg recording", "tg no_grad", "tg saved", "torch recording", "torch no_grad",
                 "torch saved", "tg/torch rec", "tg/torch no_grad"], rows))

    if args.chains:
        print(f"\n4. Long chains: bench_chain.measure(n), x * 1.0 n times then backward; one process per n "
              f"(10^3 .. 10^{args.max})\n")
        chain_rows = run_chains(args.max, args.threads)
        rows = []
        for r in chain_rows:
            n, growth = r["length"], r["peak"] - r["before"]
            rows.append([f"{n:,}", f"{r['forward']:.3f}", f"{r['backward']:.3f}", f"{r['forward'] / n * 1e6:.2f}",
                         f"{r['backward'] / n * 1e6:.2f}", f"{r['peak']:.0f}", f"{growth:.1f}",
                         f"{growth * 2**20 / n:.0f}"])
        print(table(["ops", "forward s", "backward s", "fwd µs/op", "bwd µs/op", "peak RSS MB",
                     "RSS growth MB", "bytes/op"], rows))
        if len(chain_rows) > 1:
            first, last = chain_rows[0], chain_rows[-1]
            growth = (last["backward"] / last["length"]) / (first["backward"] / first["length"])
            before = chain_rows[-2]
            per_op = (last["peak"] - before["peak"]) * 2**20 / (last["length"] - before["length"])
            print(f"\nbackward µs/op at {last['length']:,} ops is {growth:.2f}x that at {first['length']:,} "
                  f"(1x = linear time); peak RSS from {before['length']:,} to {last['length']:,} ops: "
                  f"{per_op:.0f} bytes per extra op")

    if args.profiler_overhead:
        overhead = tg_results["profiler"]
        print("\n5. Profiler overhead: section 1's tinygrad_np times (a) fresh, no profile() entered yet, (b) after\n"
              "   a profile() block was entered and left (its wrappers removed), (c) inside a profile() block;\n"
              "   µs per call\n")
        rows = []
        for name in names:
            fresh, after, profiling = (overhead[state][name] for state in ("fresh", "after", "profiling"))
            rows.append([name] + [value for key in ("fwd", "fwd_bwd") for value in (
                us(fresh[key]), us(after[key]), change(after[key], fresh[key]), us(profiling[key]),
                change(profiling[key], fresh[key]))])
        print(table(["op", "fwd (a)", "fwd (b)", "(b) vs (a)", "fwd (c)", "(c) vs (a)", "f+b (a)", "f+b (b)",
                     "(b) vs (a)", "f+b (c)", "(c) vs (a)"], rows))
        print(f"\nafter the block every op class held its own apply and backward again (the same objects): "
              f"{'yes' if overhead['restored'] else 'NO'}")


if __name__ == "__main__":
    main()
