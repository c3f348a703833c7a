"""Wall time and peak memory of one Fashion-MNIST epoch: tinygrad_np's example against hand-written NumPy.

    python benchmarks/bench_epoch.py                      # 3 rounds, each runs both once
    python benchmarks/bench_epoch.py --rounds 5 --threads 1

The job is examples/mnist_mlp.py's defaults: a 784-512-256-10 ReLU MLP, AdamW with weight decay
0.05 under a one-cycle schedule peaking at lr 2e-3 (beta1 cycled too), cross-entropy with label
smoothing 0.1, batches of 128 normalised inputs, shuffled. The schedule spans --schedule-epochs
epochs: by default 1, as `mnist_mlp.py --epochs 1`, so the epoch is a whole run and the lr does
reach 2e-3; --schedule-epochs 10 times the first epoch of the default 10-epoch run instead.

- tinygrad_np: a subprocess builds the run from examples/training.py's pieces, as its run()
  does (load_datasets, normalizer, DataLoader, make_optimizer, OneCycleLR, Progress), with
  mnist_mlp.py's mlp() and option defaults, then times training.train_epoch and
  training.evaluate.
- NumPy: a subprocess runs benchmarks/numpy_epoch.py: the same net, init (the same draws),
  batch order, loss, AdamW and schedule arithmetic, written by hand in float32 with
  preallocated buffers, without importing tinygrad_np.

Each round runs both, one after the other, alternating which goes first. Each child reports its
training-epoch wall time (the batch loop: fetching and normalising batches, forward, loss,
backward, optimizer and schedule steps, the running loss and accuracy), the test pass, and its
own peak RSS (resource.getrusage(RUSAGE_SELF).ru_maxrss, which includes the datasets, held as
uint8 by both, and the transient copies made while reading them), its RSS when the epoch starts
(after imports, data loading and set-up; from /proc/self/statm) and the peak during the epoch
(ru_maxrss again, its count restarted at the epoch's start through /proc/self/clear_refs; '-'
where that is not supported). The table shows the medians over the rounds (and the fastest
epoch) and the ratios tinygrad_np / NumPy. The test accuracies should agree closely: both start
from the same weights and see the same batches; only float32 rounding (different summation
orders) separates them.

Each run also reports how much CPU other processes used meanwhile ("others' load", in cores, from
/proc/stat): on a shared machine that is what makes one run many times slower than another,
above all with several BLAS threads (--threads 1 makes the runs steadier, and slower).

The data is looked for as the example does (--data-dir, $TINYGRAD_NP_DATA, ~/.cache/tinygrad_np,
/usr/share/datasets, then a download), after the project's shared copy ../shared/datasets (as
.ci/run does) when neither --data-dir nor $TINYGRAD_NP_DATA is set.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import (
    HERE,
    PIXEL_MEAN,
    PIXEL_STD,
    REPO,
    LoadMeter,
    current_rss_mb,
    data_folder,
    peak_rss_mb,
    reset_peak_rss,
    table,
    thread_env,
)

BUSY = 0.1  # cores used by other processes during a run above which the run is reported as disturbed


def tinygrad_child(argv: list[str]) -> None:
    """One epoch of the example, from examples/training.py's pieces; prints the results as JSON."""
    started = time.perf_counter()
    sys.path.insert(0, str(REPO / "examples"))
    import mnist_mlp
    import numpy as np

    import tinygrad_np as tg
    from tinygrad_np import optim
    from tinygrad_np.data import DataLoader

    import training

    args = mnist_mlp.parse_arguments(argv)
    # As mnist_mlp.main and training.run do, in their order.
    tg.manual_seed(args.seed)
    model = mnist_mlp.mlp(args.hidden)
    train_set, test_set = training.load_datasets(args.dataset, args.data_dir)
    prepare = training.normalizer(args.dataset)
    shuffle = np.random.default_rng(args.seed)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, generator=shuffle)
    test_loader = DataLoader(test_set, batch_size=1000)
    optimizer = training.make_optimizer(args.optimizer, model.parameters(), args.lr, args.weight_decay)
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=args.epochs * len(train_loader),
                                              cycle_momentum=args.optimizer in ("momentum", "adam", "adamw"))
    progress = training.Progress(io.StringIO())  # not a terminal: prints nothing
    setup_seconds, rss_start, setup_peak = time.perf_counter() - started, current_rss_mb(), peak_rss_mb()
    reset = reset_peak_rss()

    start = time.perf_counter()
    train_loss, train_acc = training.train_epoch(model, train_loader, optimizer, scheduler, prepare, progress,
                                                 "epoch", args.label_smoothing)
    train_seconds = time.perf_counter() - start
    epoch_peak = peak_rss_mb() if reset else None
    start = time.perf_counter()
    test_acc = training.evaluate(model, test_loader, prepare)
    eval_seconds = time.perf_counter() - start
    print(json.dumps({"name": "tinygrad_np", "train_seconds": train_seconds, "eval_seconds": eval_seconds,
                      "setup_seconds": setup_seconds, "train_loss": train_loss, "train_acc": train_acc,
                      "test_acc": test_acc, "rss_start_mb": rss_start, "epoch_peak_rss_mb": epoch_peak,
                      "peak_rss_mb": max(setup_peak, peak_rss_mb())}))


def run_child(command: list[str], env: dict[str, str]) -> dict:
    """Run one child; its JSON result plus its wall time and the CPU that other processes used
    meanwhile, in cores (the machine's busy time minus the child's own CPU time, over the wall time)."""
    meter = LoadMeter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - meter.start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_seconds"] = wall
    result["others_load"] = meter.others_load()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each (default %(default)s)")
    parser.add_argument("--data-dir", type=Path, help="a folder holding the Fashion-MNIST IDX files (or "
                        "fashion-mnist/ inside it)")
    parser.add_argument("--schedule-epochs", type=int, default=1, help="epochs the one-cycle schedule spans; "
                        "only the first is run (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="init and shuffling seed of both (default 0)")
    parser.add_argument("--threads", type=int, help="limit BLAS/OpenMP threads of both children "
                        "(default: the libraries' own choice, all cores)")
    if sys.argv[1:2] == ["--child"]:  # the tinygrad_np subprocess; the rest are mnist_mlp.py's options
        tinygrad_child(sys.argv[2:])
        return
    args = parser.parse_args()
    if args.rounds < 1 or args.schedule_epochs < 1:
        parser.error("--rounds and --schedule-epochs must be positive")

    sys.path.insert(0, str(REPO / "examples"))
    import mnist_mlp
    import numpy as np

    import tinygrad_np as tg

    import training

    folder = data_folder(args.data_dir)
    defaults = mnist_mlp.parse_arguments(["--epochs", str(args.schedule_epochs), "--seed", str(args.seed)])
    mean, std = training.PIXEL_STATISTICS[defaults.dataset]
    if (defaults.dataset, mean, std) != ("fashion-mnist", PIXEL_MEAN, PIXEL_STD):
        sys.exit(f"numpy_epoch.py's pixel statistics differ from the example's {defaults.dataset} {mean}, {std}")
    common = ["--data-dir", str(folder), "--seed", str(args.seed), "--schedule-epochs", str(args.schedule_epochs)]
    tinygrad_command = [sys.executable, str(Path(__file__).resolve()), "--child", "--epochs",
                        str(args.schedule_epochs), "--seed", str(args.seed), "--data-dir", str(folder)]
    numpy_command = [sys.executable, str(HERE / "numpy_epoch.py"), "--json", *common,
                     "--hidden", *map(str, defaults.hidden), "--batch-size", str(defaults.batch_size),
                     "--lr", repr(defaults.lr), "--weight-decay", repr(defaults.weight_decay),
                     "--label-smoothing", repr(defaults.label_smoothing)]
    env = thread_env(args.threads)
    print(f"{defaults.dataset} from {folder}; MLP 784-{'-'.join(map(str, defaults.hidden))}-10, {defaults.optimizer} "
          f"one-cycle to lr {defaults.lr:g} over {args.schedule_epochs} epoch(s), weight decay "
          f"{defaults.weight_decay:g}, label smoothing {defaults.label_smoothing:g}, batch {defaults.batch_size}, "
          f"seed {args.seed}\ntinygrad_np from {Path(tg.__file__).parent}, NumPy {np.__version__}, "
          f"{os.cpu_count()} CPUs, {'BLAS threads ' + str(args.threads) if args.threads else 'default BLAS threads'}")
    print(f"tinygrad_np: {' '.join(tinygrad_command[1:])}\nNumPy:       {' '.join(numpy_command[1:])}\n")

    results: dict[str, list[dict]] = {"tinygrad_np": [], "numpy": []}
    for round_ in range(args.rounds):
        order = ["tinygrad_np", "numpy"] if round_ % 2 == 0 else ["numpy", "tinygrad_np"]
        for name in order:
            r = run_child(tinygrad_command if name == "tinygrad_np" else numpy_command, env)
            results[name].append(r)
            print(f"round {round_ + 1}/{args.rounds} {name:<11}  epoch {r['train_seconds']:6.2f} s  "
                  f"test pass {r['eval_seconds']:5.2f} s  process {r['process_seconds']:6.2f} s  "
                  f"peak RSS {r['peak_rss_mb']:4.0f} MB (epoch {mb(r['epoch_peak_rss_mb'])})  "
                  f"train loss {r['train_loss']:.4f}  test acc {100 * r['test_acc']:.2f}%  "
                  f"others' load {load(r['others_load'])}", flush=True)

    def summary(name: str, key: str) -> float | None:
        if key == "best_seconds":
            return min(r["train_seconds"] for r in results[name])
        values = [r[key] for r in results[name]]
        return None if None in values else statistics.median(values)

    # (key, column, format, compare): the medians over the rounds (the minimum for 'fastest epoch')
    columns = [("train_seconds", "epoch s", "{:.2f}", True), ("best_seconds", "fastest epoch s", "{:.2f}", True),
               ("eval_seconds", "test pass s", "{:.2f}", True), ("process_seconds", "process s", "{:.2f}", True),
               ("rss_start_mb", "RSS at epoch start MB", "{:.0f}", True),
               ("epoch_peak_rss_mb", "epoch peak RSS MB", "{:.0f}", True),
               ("peak_rss_mb", "peak RSS MB", "{:.0f}", True), ("train_loss", "train loss", "{:.4f}", False),
               ("train_acc", "train acc %", "{:.2f}", False), ("test_acc", "test acc %", "{:.2f}", False)]
    rows = []
    for name in ("tinygrad_np", "numpy"):
        cells = []
        for key, _, fmt, _ in columns:
            value = summary(name, key)
            scale = 100 if key.endswith("_acc") else 1
            cells.append("-" if value is None else fmt.format(scale * value))
        rows.append([name, *cells])
    ratios = []
    for key, _, _, compare in columns:
        ours, theirs = summary("tinygrad_np", key), summary("numpy", key)
        ratios.append(f"{ours / theirs:.2f}x" if compare and ours is not None and theirs else "")
    rows.append(["tinygrad_np / NumPy", *ratios])
    print(f"\nMedians over {args.rounds} round(s), except 'fastest epoch' (the minimum); 'epoch' is the training "
          "pass, 'process' the child's whole run (start-up, data loading, epoch, test pass)\n")
    print(table(["", *[label for _, label, _, _ in columns]], rows))
    spread = {name: (min(r["train_seconds"] for r in results[name]), max(r["train_seconds"] for r in results[name]))
              for name in results}
    print("\nepoch seconds, min-max over the rounds: "
          + ", ".join(f"{name} {low:.2f}-{high:.2f}" for name, (low, high) in spread.items()))
    loads = [r["others_load"] for rs in results.values() for r in rs if r["others_load"] is not None]
    if loads and max(loads) > BUSY:
        busy = sum(load > BUSY for load in loads)
        print(f"{busy} of {len(loads)} runs shared the machine with other work (others' load above {BUSY} cores, up "
              f"to {max(loads):.2f}): their times are inflated, the more so with several BLAS threads. Trust "
              "'fastest epoch' more than the medians, or rerun with more --rounds"
              + (" or --threads 1." if args.threads is None else "."))


def mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} MB"


def load(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} cores"

if __name__ == "__main__":
    main()
