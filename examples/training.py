"""What the MNIST examples share: data, optimizers, the training loop, progress, checkpoints, plots, metrics.

Built only on tinygrad_np's public API, the way a PyTorch script would be. `mnist_mlp.py`
(and any other example) defines its model and calls `run`.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

import tinygrad_np as tg
import tinygrad_np.nn.functional as F
from tinygrad_np import nn, optim
from tinygrad_np.data import MNIST, DataLoader, Dataset, FashionMNIST

from runs import (  # noqa: F401 (format_table, minutes, script: the examples use them as training.X)
    Diverged,
    Progress,
    add_file_arguments,
    check_paths,
    entries_problem,
    format_table,
    load_scheduler_state,
    minutes,
    read_checkpoint,
    restore_states,
    saved_so_far,
    script,
    write_csv,
)

DATASETS = {"mnist": MNIST, "fashion-mnist": FashionMNIST}
# Mean and standard deviation of the training pixels (scaled to [0, 1]), for normalising inputs.
PIXEL_STATISTICS = {"mnist": (0.1307, 0.3081), "fashion-mnist": (0.2860, 0.3530)}
# Each optimizer's default (peak learning rate, weight decay), measured on Fashion-MNIST (docs/mnist.md).
OPTIMIZER_DEFAULTS = {"sgd": (0.1, 0.0), "momentum": (0.05, 0.0), "rmsprop": (1e-3, 0.0),
                      "adam": (2e-3, 0.0), "adamw": (2e-3, 0.05)}
# What decides the run: a checkpoint resumes only with the same values of these options.
RUN_OPTIONS = ("dataset", "epochs", "batch_size", "lr", "optimizer", "weight_decay", "label_smoothing", "seed")
# The columns of --metrics, in the order of the history `run` keeps.
METRICS_COLUMNS = ("epoch", "train_loss", "train_acc", "test_acc", "seconds", "lr")
# The entries of a checkpoint `run` saves, each a dict.
CHECKPOINT_ENTRIES = ("model", "optimizer", "scheduler", "history", "random", "run")

def add_common_arguments(parser: argparse.ArgumentParser, epochs: int | None, batch_size: int, optimizer: str,
                         label_smoothing: float, epochs_help: str = "default %(default)s") -> None:
    """The options every MNIST example has, with that example's defaults."""
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="fashion-mnist")
    parser.add_argument("--epochs", type=int, default=epochs, help=f"epochs in the whole run ({epochs_help})")
    parser.add_argument("--batch-size", type=int, default=batch_size, help="default %(default)s")
    defaults = ", ".join(f"{name} {lr:g}" for name, (lr, _) in OPTIMIZER_DEFAULTS.items())
    parser.add_argument("--lr", type=float, help=f"peak learning rate of the one-cycle schedule (default: {defaults})")
    parser.add_argument("--optimizer", choices=list(OPTIMIZER_DEFAULTS), default=optimizer,
                        help="momentum is SGD with Nesterov momentum 0.9 (default %(default)s)")
    parser.add_argument("--weight-decay", type=float, help="default: 0.05 for adamw (decoupled), 0 for the others")
    parser.add_argument("--label-smoothing", type=float, default=label_smoothing,
                        help="of the cross-entropy loss (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seeds initialisation and shuffling (default 0)")
    add_file_arguments(parser, data="the IDX files (or <name>/ inside it)", when="after every epoch",
                       metrics="the per-epoch metrics (epoch, train_loss, train_acc and test_acc in percent, as "
                       "printed, seconds of the training pass, lr at the epoch's end)")


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fill in the optimizer's defaults; refuse bad values, and files and folders that cannot work, before
    any training."""
    default_lr, default_weight_decay = OPTIMIZER_DEFAULTS[args.optimizer]
    args.lr = default_lr if args.lr is None else args.lr
    args.weight_decay = default_weight_decay if args.weight_decay is None else args.weight_decay
    for name in ("epochs", "batch_size"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if not 0 < args.lr < math.inf:  # NaN fails every comparison
        parser.error("--lr must be a positive finite number")
    if not 0 <= args.weight_decay < math.inf:
        parser.error("--weight-decay must be finite and not negative")
    if not 0 <= args.label_smoothing <= 1:
        parser.error("--label-smoothing must lie in [0, 1]")
    if args.seed < 0:
        parser.error("--seed must not be negative")  # what np.random.default_rng, hence tg.manual_seed, takes
    check_paths(parser, args, "after every epoch")


def load_datasets(name: str, data_dir: Path | None) -> tuple[Dataset, Dataset]:
    """The training and test splits, found (or downloaded) as tinygrad_np.data.MNIST describes."""
    dataset = DATASETS[name]
    return dataset(data_dir, train=True), dataset(data_dir, train=False)


def normalizer(name: str) -> Callable[[tg.Tensor], tg.Tensor]:
    """x in [0, 1] -> (x - mean) / std with the training set's statistics."""
    mean, std = PIXEL_STATISTICS[name]
    return lambda x: (x - mean) / std


def make_optimizer(name: str, parameters: Iterable[nn.Parameter], lr: float, weight_decay: float) -> optim.Optimizer:
    """PyTorch's optimizers; 'momentum' is SGD with momentum 0.9 and Nesterov's correction."""
    if name == "sgd":
        return optim.SGD(parameters, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return optim.SGD(parameters, lr=lr, momentum=0.9, nesterov=True, weight_decay=weight_decay)
    if name == "rmsprop":
        return optim.RMSprop(parameters, lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(parameters, lr=lr, weight_decay=weight_decay)
    return optim.AdamW(parameters, lr=lr, weight_decay=weight_decay)


def train_epoch(model: nn.Module, loader: DataLoader, optimizer: optim.Optimizer,
                scheduler: optim.lr_scheduler.LRScheduler | None, prepare: Callable[[tg.Tensor], tg.Tensor],
                progress: Progress, label: str, label_smoothing: float = 0.0) -> tuple[float, float]:
    """One pass over `loader`, stepping the scheduler every batch; (mean loss, accuracy) over it.
    Raises Diverged at the first batch whose loss is not finite, before stepping on it."""
    model.train()
    total_loss, correct, seen, started = 0.0, 0, 0, time.perf_counter()
    try:
        for batch, (images, labels) in enumerate(loader, start=1):
            optimizer.zero_grad()
            logits = model(prepare(images))
            loss = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
            if not math.isfinite(value := loss.item()):
                raise Diverged(f"the training loss is {value} at batch {batch}/{len(loader)} of {label} "
                               f"(learning rate {optimizer.param_groups[0]['lr']:.3g} at that step)")
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            total_loss += value * len(labels)
            correct += int((logits.argmax(1) == labels).sum().item())
            seen += len(labels)
            progress.update(label, batch, len(loader), seen, total_loss / seen, started)
    finally:
        progress.clear()
    return total_loss / seen, correct / seen


@tg.no_grad()
def evaluate(model: nn.Module, loader: DataLoader, prepare: Callable[[tg.Tensor], tg.Tensor]) -> float:
    """Accuracy of `model` (in eval mode) over `loader`."""
    model.eval()
    correct = sum(int((model(prepare(images)).argmax(1) == labels).sum().item()) for images, labels in loader)
    return correct / len(loader.dataset)


def run(args: argparse.Namespace, model: nn.Module, run_options: Sequence[str] = (),
        out: TextIO | None = None) -> dict[str, list[float]]:
    """Train `model` as `args` say, print one line per epoch and the final test accuracy last.

    Every epoch ends with a checkpoint (--save): model, optimizer, scheduler, both random
    generators' states, the metrics so far and the options that define the run, so --resume
    continues bit for bit where the run stopped, and with --metrics's CSV of the epochs so far.
    `run_options` names the example's own options that define the run, besides RUN_OPTIONS.
    Returns the per-epoch metrics. A checkpoint that cannot be resumed, and a loss that is no
    longer finite, end the run with a one-line message (SystemExit).
    """
    run_options = (*RUN_OPTIONS, *run_options)
    out = out or sys.stdout
    checkpoint = None if args.resume is None else read_checkpoint(args.resume, args, run_options, checkpoint_problem)
    train_set, test_set = load_datasets(args.dataset, args.data_dir)
    prepare = normalizer(args.dataset)
    shuffle = np.random.default_rng(args.seed)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, generator=shuffle)
    test_loader = DataLoader(test_set, batch_size=1000)
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr, args.weight_decay)
    # OneCycleLR also cycles momentum (or Adam's beta1) by default; for plain SGD and RMSprop that would
    # switch momentum on, so it cycles only the learning rate for them.
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=args.epochs * len(train_loader),
                                              cycle_momentum=args.optimizer in ("momentum", "adam", "adamw"))
    history: dict[str, list[float]] = {key: [] for key in METRICS_COLUMNS}
    save = args.save or args.resume
    latest = None  # (the newest checkpoint of this run, which epoch it holds)
    if checkpoint is not None:
        history = restore(checkpoint, args.resume, model, optimizer, scheduler, shuffle)
        latest = (args.resume, f"epoch {len(history['epoch'])}")
        print(f"resumed {args.resume} after epoch {len(history['epoch'])} of {args.epochs}", file=out)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"{args.dataset}: {len(train_set):,} training / {len(test_set):,} test images from {train_set.folder}; "
          f"{parameters:,} parameters; {args.optimizer}, one-cycle lr up to {args.lr:g}, batch {args.batch_size}",
          file=out, flush=True)
    if args.metrics is not None:
        write_metrics(history, args.metrics)  # now, so that no older file there passes for this run's
    progress = Progress()
    for epoch in range(len(history["epoch"]) + 1, args.epochs + 1):
        started = time.perf_counter()
        try:
            loss, train_acc = train_epoch(model, train_loader, optimizer, scheduler, prepare, progress,
                                          f"epoch {epoch}/{args.epochs}", args.label_smoothing)
        except KeyboardInterrupt:
            print(f"interrupted during epoch {epoch}; {saved_so_far(latest, save, 'after every epoch')}",
                  file=sys.stderr)
            raise
        except Diverged as error:
            default = OPTIMIZER_DEFAULTS[args.optimizer][0]
            raise SystemExit(f"training diverged: {error}; the one-cycle schedule peaks at --lr {args.lr:g}: try a "
                             f"smaller --lr ({args.optimizer}'s default is {default:g})") from None
        seconds = time.perf_counter() - started
        test_acc = evaluate(model, test_loader, prepare)
        for key, value in zip(METRICS_COLUMNS, (epoch, loss, train_acc, test_acc, seconds, scheduler.get_last_lr()[0])):
            history[key].append(value)
        print(f"epoch {epoch:>{len(str(args.epochs))}}/{args.epochs}  train loss {loss:.4f}  "
              f"train acc {100 * train_acc:.2f}%  test acc {100 * test_acc:.2f}%  {seconds:.1f} s "
              f"({len(train_set) / seconds:,.0f} samples/s)", file=out, flush=True)
        if save is not None:
            tg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                     "scheduler": scheduler.state_dict(), "history": history,
                     "random": {"library": tg.random.default_generator().bit_generator.state,
                                "shuffle": shuffle.bit_generator.state},
                     "run": {name: str(getattr(args, name)) for name in run_options}}, save)
            latest = (save, f"epoch {epoch}")
        if args.metrics is not None:
            write_metrics(history, args.metrics)
    if args.plot is not None:
        plot_curves(history, args.plot, f"{type(model).__name__} on {args.dataset}")
        print(f"training curves written to {args.plot}", file=out)
    if args.metrics is not None:
        print(f"metrics written to {args.metrics}", file=out)
    print(f"final test accuracy: {100 * history['test_acc'][-1]:.2f}%", file=out, flush=True)
    return history


def checkpoint_problem(checkpoint: Any) -> str | None:
    """What shows that `checkpoint` (as tg.load read it) is not what `run` saves, or None: its entries and their
    types, both generator states, and a history of one number per epoch in each column, for epochs 1, 2, ..."""
    if problem := entries_problem(checkpoint, CHECKPOINT_ENTRIES, {"library": dict, "shuffle": dict}):
        return problem
    history = checkpoint["history"]
    for name in METRICS_COLUMNS:
        values = history.get(name)
        if values is None and name != "lr":  # checkpoints from before --metrics have no lr
            return f"its history has no {name!r} column"
        if values is not None and not (isinstance(values, list) and len(values) == len(history["epoch"]) and all(
                isinstance(value, (int, float)) or (value is None and name == "lr") for value in values)):
            return f"its history's {name!r} column is not a list of one number per epoch"
    if history["epoch"] != list(range(1, len(history["epoch"]) + 1)):
        return "its history's epochs are not 1, 2, 3, ..."
    return None


def restore(checkpoint: dict[str, Any], path: Path, model: nn.Module, optimizer: optim.Optimizer,
            scheduler: optim.lr_scheduler.LRScheduler, shuffle: np.random.Generator) -> dict[str, list[float]]:
    """Put the states `checkpoint` holds into the run's objects and return its history; a state that does not fit
    ends the run with a one-line message naming the file (SystemExit)."""
    library = tg.random.default_generator()
    states = (("its 'model' entry", checkpoint["model"], model.load_state_dict),
              ("its 'optimizer' entry", checkpoint["optimizer"], optimizer.load_state_dict),
              ("its 'scheduler' entry", checkpoint["scheduler"], lambda state: load_scheduler_state(scheduler, state)),
              ("its 'library' generator state", checkpoint["random"]["library"],
               lambda state: setattr(library.bit_generator, "state", state)),
              ("its 'shuffle' generator state", checkpoint["random"]["shuffle"],
               lambda state: setattr(shuffle.bit_generator, "state", state)))
    restore_states(path, states)
    history = {key: list(values) for key, values in checkpoint["history"].items()}
    history.setdefault("lr", [None] * len(history["epoch"]))  # a checkpoint from before the lr was kept
    return history


def plot_curves(history: dict[str, list[float]], path: Path, title: str) -> None:
    """Loss and accuracies per epoch, side by side, as an image file (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    epochs = history["epoch"]
    left.plot(epochs, history["train_loss"], marker="o")
    left.set(xlabel="epoch", ylabel="training loss (cross-entropy)", title=title)
    right.plot(epochs, [100 * a for a in history["train_acc"]], marker="o", label="train (during the epoch)")
    right.plot(epochs, [100 * a for a in history["test_acc"]], marker="o", label="test")
    best = max(history["test_acc"])
    right.set(xlabel="epoch", ylabel="accuracy (%)", title=f"best test accuracy {100 * best:.2f}%")
    right.legend()
    for axis in (left, right):
        axis.grid(alpha=0.3)
        axis.xaxis.get_major_locator().set_params(integer=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def write_metrics(history: dict[str, list[float]], path: Path) -> None:
    """The history as CSV, accuracies in percent like the epoch lines; atomic, so a run stopped at any
    moment leaves the complete table of its finished epochs (an lr a checkpoint lacks stays empty)."""
    write_csv(path, METRICS_COLUMNS, ([epoch, loss, percent(train_acc), percent(test_acc), seconds, lr]
                                      for epoch, loss, train_acc, test_acc, seconds, lr
                                      in zip(*(history[key] for key in METRICS_COLUMNS))))


def percent(fraction: float) -> float:
    """100 x an accuracy, without the float noise of the product (78.695, not 78.69500000000001)."""
    return round(100 * fraction, 10)
