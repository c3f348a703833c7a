"""Milliseconds per training step of examples/shakespeare.py's models: tinygrad_np against PyTorch eager.

    python benchmarks/bench_sequence.py                    # both models, 5 rounds; about 4 minutes
    python benchmarks/bench_sequence.py --model gpt --rounds 3

One step is what the example does: zero_grad, forward on a batch of random windows of tiny
Shakespeare, cross-entropy, backward, clip_grad_norm_(1.0) and AdamW (weight decay on the
matrices only), float32. The model is the same source file for both frameworks:
examples/sequence_models.py, its import lines mapped to torch for PyTorch (`import tinygrad_np as
torch` -> `import torch`, ...), nothing else changed. Configurations are the issue's: GPT 4 layers,
4 heads, 128 wide, batch 12, context 64; LSTM embedding 64, 2 layers of 256, batch 32, context 64.

With --torch-composite, PyTorch also runs with oneDNN switched off ("torch-composite"): its CPU
nn.LSTM is then ATen's per-step ops, the structure tinygrad_np's LSTM has, instead of oneDNN's
fused kernel (which runs a layer's whole time loop in native code).

Each implementation runs in its own worker process (this script with --worker), with --threads
BLAS/OpenMP threads and torch threads, and with glibc's malloc keeping freed memory for both
(what tinygrad_np.memory.keep_freed_memory sets; examples/shakespeare.py calls it). Each
measurement builds a fresh model, warms up, then times steps; measurements alternate between the
implementations in rounds (each round in another order), and the ratio is taken within each round,
then the median over rounds is shown with its range. PyTorch is run by --torch-python (default
/tmp/torchenv/bin/python, else this interpreter); skipped if neither has torch.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np
from common import REPO, TORCH_PYTHON, LoadMeter, allocator_env, alternating_order, table, thread_env

MODELS_FILE = REPO / "examples" / "sequence_models.py"
CONFIGS = {  # the configurations: model arguments, batch size, context, learning rate
    "gpt": {"model": "GPT", "kwargs": {"block_size": 64, "n_layer": 4, "n_head": 4, "n_embd": 128}, "batch": 12,
            "block": 64, "lr": 1e-3},
    "lstm": {"model": "CharLSTM", "kwargs": {"embedding": 64, "hidden": 256, "layers": 2}, "batch": 32, "block": 64,
             "lr": 2e-3},
}
IMPORTS = {"import tinygrad_np as torch": "import torch", "import tinygrad_np.nn.functional as F":
           "import torch.nn.functional as F", "from tinygrad_np import nn": "from torch import nn"}


def load_models(impl: str) -> types.ModuleType:
    """examples/sequence_models.py as a module, for PyTorch with its import lines mapped back."""
    source = MODELS_FILE.read_text()
    if impl.startswith("torch"):
        for ours, theirs in IMPORTS.items():
            source, count = re.subn(rf"^{re.escape(ours)}$", theirs, source, flags=re.M)
            if count != 1:
                raise SystemExit(f"{MODELS_FILE}: expected the line {ours!r} once")
    module = types.ModuleType("sequence_models")
    exec(compile(source, str(MODELS_FILE), "exec"), module.__dict__)
    return module


def encoded_text(path: Path) -> np.ndarray:
    """The text as indices into its sorted characters (the example's vocabulary)."""
    codes = np.frombuffer(path.read_text(encoding="utf-8").encode("utf-32-le"), dtype=np.uint32)
    return np.unique(codes, return_inverse=True)[1].astype(np.int64)


class Step:
    """One framework's training step of one model ('torch' is tinygrad_np's name inside the model file)."""

    def __init__(self, impl: str, name: str, vocab: int, seed: int) -> None:
        if impl.startswith("torch"):
            import torch

            torch.backends.mkldnn.enabled = impl == "torch"
        else:
            import tinygrad_np as torch
        config = CONFIGS[name]
        models = load_models(impl)
        torch.manual_seed(seed)
        self.torch = torch
        self.model = getattr(models, config["model"])(vocab, **config["kwargs"])
        groups = models.param_groups(self.model, 0.1)
        options = {"fused": False} if impl.startswith("torch") else {}
        self.optimizer = torch.optim.AdamW(groups, lr=config["lr"], betas=(0.9, 0.99), **options)
        self.vocab = vocab

    def __call__(self, x: np.ndarray, y: np.ndarray) -> float:
        torch = self.torch
        logits = self.model(torch.from_numpy(x))
        loss = torch.nn.functional.cross_entropy(logits.view(-1, self.vocab), torch.from_numpy(y).view(-1))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        return loss.item()


def worker(args: argparse.Namespace) -> None:
    """Answer one JSON line of step times per JSON command {"model", "round", "warmup", "steps"} from stdin."""
    info = {"numpy": np.__version__}
    if args.worker.startswith("torch"):
        import torch

        torch.set_num_threads(args.threads)
        info["torch"] = torch.__version__
    data = encoded_text(args.text)
    vocab = int(data.max()) + 1
    print(json.dumps({"ready": True, "info": info}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command.get("quit"):
            break
        config = CONFIGS[command["model"]]
        step = Step(args.worker, command["model"], vocab, args.seed)
        rng = np.random.default_rng(command["round"])
        times, loss = [], float("nan")
        for number in range(command["warmup"] + command["steps"]):
            starts = rng.integers(0, len(data) - config["block"] - 1, config["batch"])
            windows = starts[:, None] + np.arange(config["block"] + 1)
            batch = data[windows]
            started = time.perf_counter()
            loss = step(np.ascontiguousarray(batch[:, :-1]), np.ascontiguousarray(batch[:, 1:]))
            if number >= command["warmup"]:
                times.append((time.perf_counter() - started) * 1e3)
        print(json.dumps({"times": times, "loss": loss}), flush=True)


def torch_python(option: str | None) -> str | None:
    for python in ([option] if option else [TORCH_PYTHON, "/tmp/torchvenv/bin/python", sys.executable]):
        has_torch = Path(python).exists() and subprocess.run([python, "-c", "import torch"],
                                                             stderr=subprocess.DEVNULL).returncode == 0
        if has_torch:
            return python
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=("gpt", "lstm", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=30, help="timed steps per measurement (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first (default %(default)s)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads per worker (default 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep-freed-memory", type=int, default=64, metavar="MB",
                        help="glibc keeps this much freed memory in both workers (default 64; 0: glibc's defaults)")
    parser.add_argument("--text", type=Path, help="default: $TINYGRAD_NP_DATA/tinyshakespeare/input.txt")
    parser.add_argument("--torch-python", help="an interpreter with torch")
    parser.add_argument("--torch-composite", action="store_true",
                        help="also time PyTorch with oneDNN off (its per-step LSTM, as tinygrad_np's)")
    parser.add_argument("--worker", choices=("tinygrad_np", "torch", "torch-composite"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.text is None:
        args.text = Path(os.environ.get("TINYGRAD_NP_DATA", REPO.parent / "shared" / "datasets")) / \
            "tinyshakespeare" / "input.txt"
    if args.worker:
        worker(args)
        return
    if not args.text.is_file():
        parser.error(f"{args.text}: no such file (set TINYGRAD_NP_DATA or pass --text)")
    models = ["gpt", "lstm"] if args.model == "both" else [args.model]
    pythons = {"tinygrad_np": sys.executable}
    if (python := torch_python(args.torch_python)) is not None:
        pythons["torch"] = python
        if args.torch_composite:
            pythons["torch-composite"] = python
    else:
        print("PyTorch skipped: no interpreter with torch (--torch-python)")
    env = thread_env(args.threads) | allocator_env(args.keep_freed_memory) | {"PYTHONPATH": str(REPO)}
    workers = {impl: subprocess.Popen([python, __file__, "--worker", impl, "--threads", str(args.threads),
                                       "--seed", str(args.seed), "--text", str(args.text)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
               for impl, python in pythons.items()}
    impls = list(workers)

    def ask(impl: str, command: dict) -> dict:
        workers[impl].stdin.write(json.dumps(command) + "\n")
        workers[impl].stdin.flush()
        return json.loads(workers[impl].stdout.readline())

    infos = {impl: json.loads(w.stdout.readline())["info"] for impl, w in workers.items()}
    print(f"{args.rounds} rounds; per measurement {args.warmup} warm-up steps, then {args.steps} timed; "
          f"{args.threads} thread(s) per worker; numpy {infos['tinygrad_np']['numpy']}"
          + (f", torch {infos['torch']['torch']}" if "torch" in infos else ""), flush=True)
    medians = {(impl, model): [] for impl in impls for model in models}
    meter, wall_before = LoadMeter(), time.perf_counter()
    try:
        for number in range(args.rounds):
            for model in models:
                for impl in alternating_order(impls, number):
                    result = ask(impl, {"model": model, "round": number, "warmup": args.warmup, "steps": args.steps})
                    medians[impl, model].append(statistics.median(result["times"]))
            print(f"  round {number + 1}/{args.rounds} done ({time.perf_counter() - wall_before:.0f} s)",
                  file=sys.stderr, flush=True)
    finally:
        for w in workers.values():
            w.stdin.write(json.dumps({"quit": True}) + "\n")
            w.stdin.close()
            w.wait(timeout=60)
    others = meter.others_load()
    references = [impl for impl in impls if impl != "tinygrad_np"]
    header = ["model", *(f"{impl} ms/step" for impl in impls), *(f"tinygrad_np / {impl}" for impl in references)]
    rows = []
    for model in models:
        row = [model, *(f"{statistics.median(medians[impl, model]):.1f}" for impl in impls)]
        for impl in references:
            ratios = [a / b for a, b in zip(medians["tinygrad_np", model], medians[impl, model])]
            row.append(f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})")
        rows.append(row)
    print("\nmedian over rounds of each measurement's median step time; the ratio within each round, then "
          "the median (range) over rounds:\n")
    print(table(header, rows))
    if others is not None:
        print(f"\nother processes kept {others:.2f} of the {os.cpu_count()} cores busy meanwhile"
              + ("; the timings were disturbed: trust the ratios more than the times" if others > 0.1 else ""))


if __name__ == "__main__":
    main()
