"""Train a character-level language model on tiny Shakespeare, PyTorch-style, on the CPU.

    python examples/shakespeare.py                     # a 4-layer GPT: validation loss 1.89 in 2,000 steps
    python examples/shakespeare.py --model lstm        # a 2-layer LSTM of 256: 1.58
    python examples/shakespeare.py --text FILE         # any UTF-8 text instead (its own vocabulary)

The models are examples/sequence_models.py's. Each step trains on a batch of windows of --block-size
characters at random places of the first 90% of the text (nanoGPT's batches), predicting every next
character; every --eval-interval steps the train and validation losses are averaged over
--eval-batches random batches, in eval mode without gradients. AdamW (betas 0.9, 0.99) with weight
decay on the matrices only, gradients clipped to norm --clip, and a LambdaLR schedule: for step
s = 0 .. steps-1 (w warm-up steps, n steps)

    lr(s) = lr · (s + 1) / w                                              for s < w  (linear warm-up)
    lr(s) = min_lr + (lr - min_lr) · (1 + cos(π (s - w) / (n - 1 - w))) / 2   for s ≥ w

so step w-1 and step w take the peak lr and the last step min_lr exactly. At the end: the final
validation loss, the time per training step (evaluation excluded) and a --sample of generated
text. --save/--resume continue a run bit for bit (the batch generators' states are in the
checkpoint); --metrics and --plot as in the MNIST examples (examples/runs.py).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

import tinygrad_np as tg
import tinygrad_np.nn.functional as F
from tinygrad_np import nn, optim
from tinygrad_np.data import TinyShakespeare
from tinygrad_np.errors import DatasetError

from runs import (
    Diverged,
    Progress,
    add_file_arguments,
    check_paths,
    entries_problem,
    load_scheduler_state,
    minutes,
    read_checkpoint,
    restore_states,
    saved_so_far,
    script,
    write_csv,
)
from sequence_models import GPT, CharLSTM, param_groups

# Each model's defaults: its sizes, and the training options in which the two configurations differ.
MODEL_DEFAULTS = {"gpt": {"layers": 4, "heads": 4, "embedding": 128, "hidden": None,
                          "batch_size": 12, "lr": 1e-3, "min_lr": 1e-4},
                  "lstm": {"layers": 2, "heads": None, "embedding": 64, "hidden": 256,
                           "batch_size": 32, "lr": 2e-3, "min_lr": 2e-4}}
BETAS = (0.9, 0.99)
# What decides the run: a checkpoint resumes only with the same values of these options.
RUN_OPTIONS = ("model", "text", "steps", "batch_size", "block_size", "lr", "min_lr", "warmup", "weight_decay",
               "clip", "dropout", "layers", "heads", "embedding", "hidden", "eval_interval", "eval_batches", "seed")
# The columns of --metrics, in the order of the history `run` keeps.
METRICS_COLUMNS = ("step", "train_loss", "val_loss", "seconds", "lr")
CHECKPOINT_ENTRIES = ("model", "optimizer", "scheduler", "history", "random", "run", "timing")
GENERATORS = ("library", "batches", "evaluation")
SAVES = "at every evaluation"
EVALUATION_SEED = 2**63  # added to --seed: the evaluation batches come from a stream apart from any seed's training


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=sorted(MODEL_DEFAULTS), default="gpt", help="default %(default)s")
    parser.add_argument("--steps", type=int, default=2000, help="training steps (default %(default)s)")
    parser.add_argument("--batch-size", type=int, help="windows per step (default: gpt 12, lstm 32)")
    parser.add_argument("--block-size", type=int, default=64, help="the context: characters per window "
                        "(default %(default)s)")
    parser.add_argument("--lr", type=float, help="peak learning rate (default: gpt 1e-3, lstm 2e-3)")
    parser.add_argument("--min-lr", type=float, help="learning rate of the last step (default: gpt 1e-4, lstm 2e-4)")
    parser.add_argument("--warmup", type=int, default=100, help="linear warm-up steps (default %(default)s)")
    parser.add_argument("--weight-decay", type=float, default=0.1, help="AdamW's, on the matrices only "
                        "(default %(default)s)")
    parser.add_argument("--clip", type=float, default=1.0, help="clip the gradients' norm to this; 0: no clipping "
                        "(default %(default)s)")
    parser.add_argument("--dropout", type=float, default=0.0, help="default %(default)s")
    parser.add_argument("--layers", type=int, help="transformer blocks or LSTM layers (default: gpt 4, lstm 2)")
    parser.add_argument("--heads", type=int, help="attention heads, gpt only (default 4)")
    parser.add_argument("--embedding", type=int, help="embedding width (default: gpt 128, lstm 64)")
    parser.add_argument("--hidden", type=int, help="LSTM hidden width, lstm only (default 256)")
    parser.add_argument("--eval-interval", type=int, default=250, help="evaluate every this many steps, and at "
                        "the end (default %(default)s)")
    parser.add_argument("--eval-batches", type=int, default=200, help="random batches each loss is averaged over "
                        "(default %(default)s)")
    parser.add_argument("--sample", type=int, default=500, metavar="N", help="characters to generate at the end "
                        "(default %(default)s)")
    parser.add_argument("--prompt", default="\n", help="the text the sample continues (default a newline)")
    parser.add_argument("--temperature", type=float, default=1.0, help="of the sampling softmax (default 1.0)")
    parser.add_argument("--top-k", type=int, help="sample among the k likeliest characters only (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="seeds initialisation, batches and the sample "
                        "(default 0)")
    parser.add_argument("--text", type=Path, help="train on this UTF-8 text file instead of tiny Shakespeare "
                        "(no checksum; its own vocabulary; the same 90/10 split)")
    add_file_arguments(parser, data="input.txt (or tinyshakespeare/ inside it)", when="at every evaluation",
                       metrics="the losses (step, train_loss, val_loss, seconds of the training steps so far, "
                       "evaluation excluded, lr of the step before the evaluation)")
    args = parser.parse_args(argv)
    check_arguments(parser, args)
    return args


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fill in the model's defaults; refuse bad values, and files and folders that cannot work, before any
    training."""
    defaults = MODEL_DEFAULTS[args.model]
    for name in ("heads", "hidden"):
        if getattr(args, name) is not None and defaults[name] is None:
            parser.error(f"--{name} is not an option of --model {args.model}")
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    for name in ("steps", "batch_size", "block_size", "eval_interval", "eval_batches", "layers", "embedding"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    for name in ("heads", "hidden"):
        if getattr(args, name) is not None and getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive")
    if args.heads is not None and args.embedding % args.heads:
        parser.error(f"--embedding {args.embedding} must be a multiple of --heads {args.heads}")
    for name in ("lr", "min_lr"):
        if not 0 < getattr(args, name) < math.inf:  # NaN fails every comparison
            parser.error(f"--{name.replace('_', '-')} must be a positive finite number")
    if args.min_lr > args.lr:
        parser.error(f"--min-lr {args.min_lr:g} must not exceed --lr {args.lr:g}")
    if not 0 <= args.warmup < args.steps:
        parser.error("--warmup must lie in [0, --steps)")
    for name in ("weight_decay", "clip"):
        if not 0 <= getattr(args, name) < math.inf:
            parser.error(f"--{name.replace('_', '-')} must be finite and not negative")
    if not 0 <= args.dropout < 1:
        parser.error("--dropout must lie in [0, 1)")
    if args.sample < 0:
        parser.error("--sample must not be negative")
    if args.sample and not args.prompt:
        parser.error("--prompt must not be empty: the sample continues it")
    if not 0 < args.temperature < math.inf:
        parser.error("--temperature must be a positive finite number")
    if args.top_k is not None and args.top_k <= 0:
        parser.error("--top-k must be positive")
    if args.seed < 0:
        parser.error("--seed must not be negative")
    if args.text is not None:
        if args.data_dir is not None:
            parser.error("--text and --data-dir exclude each other: --text names the file itself")
        if not args.text.is_file():
            parser.error(f"--text {args.text}: {'is a directory' if args.text.is_dir() else 'no such file'}")
    check_paths(parser, args, SAVES)


class TextFile(TinyShakespeare):
    """Any UTF-8 text file, split and cut into windows as tiny Shakespeare is, with its own vocabulary and
    no checksum."""

    def __init__(self, path: Path, split: str, block_size: int) -> None:
        self.name, self.filename, self.title = path.name, path.name, str(path)
        super().__init__(path.parent, split, block_size)

    def _read(self, path: Path) -> str:
        try:
            return path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            raise DatasetError(f"{path}: not UTF-8 text ({error})") from None


def load_splits(args: argparse.Namespace) -> tuple[TinyShakespeare, TinyShakespeare]:
    """The training and validation windows of the text; a --block-size too long for a split ends the run
    with a one-line message (SystemExit)."""
    try:
        if args.text is not None:
            return tuple(TextFile(args.text, split, args.block_size) for split in ("train", "val"))
        return tuple(TinyShakespeare(args.data_dir, split, args.block_size, download=True)
                     for split in ("train", "val"))
    except ValueError as error:
        raise SystemExit(f"--block-size {args.block_size}: too long for the text: {error}") from None


def make_model(args: argparse.Namespace, vocab_size: int) -> nn.Module:
    if args.model == "gpt":
        return GPT(vocab_size, args.block_size, args.layers, args.heads, args.embedding, args.dropout)
    return CharLSTM(vocab_size, args.embedding, args.hidden, args.layers, args.dropout)


class WarmupCosine:
    """LambdaLR's factor for step s: (s + 1) / warmup during the warm-up, then a half cosine from 1 at step
    `warmup` to `floor` (min_lr / lr) at the last step, `steps` - 1. An object, not a function, so that the
    scheduler's state_dict holds its settings."""

    def __init__(self, warmup: int, steps: int, floor: float) -> None:
        self.warmup, self.steps, self.floor = warmup, steps, floor

    def __call__(self, step: int) -> float:
        if step < self.warmup:
            return (step + 1) / self.warmup
        progress = min(1.0, (step - self.warmup) / max(1, self.steps - 1 - self.warmup))
        return self.floor + (1 - self.floor) * (1 + math.cos(math.pi * progress)) / 2


def draw_batch(dataset: TinyShakespeare, batch_size: int, generator: tg.Generator) -> tuple[tg.Tensor, tg.Tensor]:
    """`batch_size` windows at random places (with replacement) and the characters following them."""
    return dataset.get_batch(tg.randint(len(dataset), (batch_size,), generator=generator).numpy())


def lm_loss(model: nn.Module, x: tg.Tensor, y: tg.Tensor) -> tg.Tensor:
    """The mean cross-entropy of the next-character predictions at every position."""
    logits = model(x)
    return F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))


@tg.no_grad()
def estimate_loss(model: nn.Module, dataset: TinyShakespeare, batches: int, batch_size: int,
                  generator: tg.Generator) -> float:
    """The loss averaged over `batches` random batches, in eval mode (the model is left in train mode)."""
    model.eval()
    losses = [lm_loss(model, *draw_batch(dataset, batch_size, generator)).item() for _ in range(batches)]
    model.train()
    return float(np.mean(losses))


@tg.no_grad()
def generate(model: nn.Module, prompt: list[int], length: int, block_size: int, temperature: float,
             top_k: int | None, generator: tg.Generator) -> list[int]:
    """`length` characters continuing `prompt`, each drawn from the softmax of the model's last logits / temperature
    (only the top_k largest kept), the context cropped to the last `block_size` characters."""
    model.eval()
    idx = tg.tensor([prompt], dtype=tg.long)
    for _ in range(length):
        logits = model(idx[:, -block_size:])[:, -1, :] / temperature
        if top_k is not None:
            kept, _ = tg.topk(logits, min(top_k, logits.size(-1)))
            logits = logits.masked_fill(logits < kept[:, [-1]], -math.inf)
        following = tg.multinomial(F.softmax(logits, dim=-1), num_samples=1, generator=generator)
        idx = tg.cat((idx, following), dim=1)
    model.train()
    return idx[0, len(prompt):].tolist()


def run(args: argparse.Namespace, out: TextIO | None = None) -> dict[str, Any]:
    """Train as `args` say, printing a line per evaluation, the final validation loss, the time per step and a
    sample. Returns {"history": the losses at each evaluation, "sample": the sample's text}.

    Every evaluation ends with a checkpoint (--save): model, optimizer, scheduler, the generators' states, the
    history, the step times and the options that define the run, so --resume continues bit for bit. A
    checkpoint that cannot be resumed, and a loss that is no longer finite, end the run with a one-line
    message (SystemExit)."""
    out = out or sys.stdout
    started = time.perf_counter()
    checkpoint = None if args.resume is None else read_checkpoint(args.resume, args, RUN_OPTIONS, checkpoint_problem)
    train_set, val_set = load_splits(args)
    prompt = encode_prompt(train_set, args.prompt)
    tg.manual_seed(args.seed)
    model = make_model(args, train_set.vocab_size)
    optimizer = optim.AdamW(param_groups(model, args.weight_decay), lr=args.lr, betas=BETAS)
    scheduler = optim.lr_scheduler.LambdaLR(optimizer, WarmupCosine(args.warmup, args.steps, args.min_lr / args.lr))
    generators = {"batches": tg.Generator().manual_seed(args.seed),
                  "evaluation": tg.Generator().manual_seed(args.seed + EVALUATION_SEED)}
    history: dict[str, list[float]] = {key: [] for key in METRICS_COLUMNS}
    timing: dict[str, Any] = {"step_seconds": [], "elapsed": 0.0}
    save = args.save or args.resume
    latest = None  # (the newest checkpoint of this run, which step it holds)
    if checkpoint is not None:
        history, timing = restore(checkpoint, args.resume, model, optimizer, scheduler, generators)
        latest = (args.resume, f"step {done_steps(history)}")
        print(f"resumed {args.resume} after step {done_steps(history)} of {args.steps}", file=out)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"{train_set.title}: {len(train_set.text):,} training / {len(val_set.text):,} validation characters, "
          f"{train_set.vocab_size} distinct, from {train_set.folder}", file=out)
    print(f"{type(model).__name__}, {parameters:,} parameters; AdamW lr {args.lr:g} ({args.warmup} warm-up steps, "
          f"cosine to {args.min_lr:g}), batch {args.batch_size}, context {args.block_size}, {args.steps} steps",
          file=out, flush=True)
    if args.metrics is not None:
        write_metrics(history, args.metrics)  # now, so that no older file there passes for this run's
    progress, width = Progress(), len(str(args.steps))
    step = done_steps(history)
    model.train()
    try:
        while step < args.steps:
            end = min(args.steps, (step // args.eval_interval + 1) * args.eval_interval)
            try:
                lr = train_steps(model, optimizer, scheduler, train_set, args.batch_size, args.clip,
                                 generators["batches"], step, end, timing["step_seconds"], progress)
            except Diverged as error:
                default = MODEL_DEFAULTS[args.model]["lr"]
                raise SystemExit(f"training diverged: {error}; try a smaller --lr ({args.model}'s default is "
                                 f"{default:g})") from None
            step = end
            train_loss = estimate_loss(model, train_set, args.eval_batches, args.batch_size, generators["evaluation"])
            val_loss = estimate_loss(model, val_set, args.eval_batches, args.batch_size, generators["evaluation"])
            seconds = sum(timing["step_seconds"])
            for key, value in zip(METRICS_COLUMNS, (step, train_loss, val_loss, seconds, lr)):
                history[key].append(value)
            print(f"step {step:>{width}}/{args.steps}  train loss {train_loss:.4f}  val loss {val_loss:.4f}  "
                  f"lr {lr:.3g}  {1000 * seconds / step:.1f} ms/step", file=out, flush=True)
            if save is not None:
                timing_so_far = {"step_seconds": timing["step_seconds"],
                                 "elapsed": timing["elapsed"] + time.perf_counter() - started}
                save_checkpoint(save, args, model, optimizer, scheduler, generators, history, timing_so_far)
                latest = (save, f"step {step}")
            if args.metrics is not None:
                write_metrics(history, args.metrics)
    except KeyboardInterrupt:
        done = len(timing["step_seconds"])  # one time per step done
        print(f"interrupted after step {done}; {saved_so_far(latest, save, SAVES)}", file=sys.stderr)
        raise
    if args.plot is not None:
        plot_curves(history, args.plot, f"{type(model).__name__} on {train_set.title}")
        print(f"loss curves written to {args.plot}", file=out)
    if args.metrics is not None:
        print(f"metrics written to {args.metrics}", file=out)
    step_ms = [1000 * seconds for seconds in timing["step_seconds"]]
    print(f"final validation loss: {history['val_loss'][-1]:.4f}", file=out)
    print(f"time per step: median {statistics.median(step_ms):.1f} ms, mean {statistics.fmean(step_ms):.1f} ms "
          f"(training steps, evaluation excluded); whole run "
          f"{minutes(timing['elapsed'] + time.perf_counter() - started)}", file=out, flush=True)
    sample = ""
    if args.sample:
        sample = train_set.decode(generate(model, prompt, args.sample, args.block_size, args.temperature,
                                           args.top_k, tg.Generator().manual_seed(args.seed)))
        top_k = "all characters" if args.top_k is None else f"top {args.top_k}"
        print(f"sample ({args.sample} characters, temperature {args.temperature:g}, {top_k}, seed {args.seed}):",
              file=out)
        print(sample, file=out, flush=True)
    return {"history": history, "sample": sample}


def train_steps(model: nn.Module, optimizer: optim.Optimizer, scheduler: optim.lr_scheduler.LRScheduler,
                train_set: TinyShakespeare, batch_size: int, clip: float, generator: tg.Generator, first: int,
                end: int, step_seconds: list[float], progress: Progress) -> float:
    """Steps first+1 .. end, each timed into `step_seconds`; returns the learning rate of the last one. Raises
    Diverged at the first step whose loss is not finite, before stepping on it."""
    label, total_loss, started = f"steps {first + 1}-{end}:", 0.0, time.perf_counter()
    try:
        for step in range(first + 1, end + 1):
            step_started = time.perf_counter()
            loss = lm_loss(model, *draw_batch(train_set, batch_size, generator))
            lr = optimizer.param_groups[0]["lr"]
            if not math.isfinite(value := loss.item()):
                raise Diverged(f"the training loss is {value} at step {step} (learning rate {lr:.3g} at that step)")
            optimizer.zero_grad()
            loss.backward()
            if clip:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            scheduler.step()
            step_seconds.append(time.perf_counter() - step_started)
            total_loss += value
            done = step - first
            progress.update(label, done, end - first, done * batch_size, total_loss / done, started, unit="steps")
    finally:
        progress.clear()
    return lr


def save_checkpoint(path: Path, args: argparse.Namespace, model: nn.Module, optimizer: optim.Optimizer,
                    scheduler: optim.lr_scheduler.LRScheduler, generators: dict[str, tg.Generator],
                    history: dict[str, list[float]], timing: dict[str, Any]) -> None:
    tg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
             "history": history,
             "random": {"library": tg.get_rng_state(),
                        **{name: generator.get_state() for name, generator in generators.items()}},
             "run": {name: str(getattr(args, name)) for name in RUN_OPTIONS}, "timing": timing}, path)


def done_steps(history: dict[str, list[float]]) -> int:
    return history["step"][-1] if history["step"] else 0


def encode_prompt(dataset: TinyShakespeare, prompt: str) -> list[int]:
    try:
        return dataset.encode(prompt)
    except KeyError as error:
        raise SystemExit(f"--prompt: {error.args[0]}") from None


def checkpoint_problem(checkpoint: Any) -> str | None:
    """What shows that `checkpoint` (as tg.load read it) is not what `run` saves, or None: its entries, the
    generator states, a history of one number per evaluation in each column at increasing steps, and one
    time per step done."""
    if problem := entries_problem(checkpoint, CHECKPOINT_ENTRIES, dict.fromkeys(GENERATORS, tg.Tensor)):
        return problem
    history = checkpoint["history"]
    steps = history.get("step")
    for name in METRICS_COLUMNS:
        values = history.get(name)
        if values is None:
            return f"its history has no {name!r} column"
        if not (isinstance(values, list) and isinstance(steps, list) and len(values) == len(steps)
                and all(isinstance(value, (int, float)) for value in values)):
            return f"its history's {name!r} column is not a list of one number per evaluation"
    if not all(isinstance(s, int) and 0 < s for s in steps) or any(a >= b for a, b in zip(steps, steps[1:])):
        return "its history's steps are not increasing positive integers"
    times = checkpoint["timing"].get("step_seconds")
    if not isinstance(times, list) or len(times) != (steps[-1] if steps else 0):
        return "its timing does not hold one time per step done"
    if not isinstance(checkpoint["timing"].get("elapsed"), float):
        return "its timing has no elapsed time"
    return None


def restore(checkpoint: dict[str, Any], path: Path, model: nn.Module, optimizer: optim.Optimizer,
            scheduler: optim.lr_scheduler.LRScheduler,
            generators: dict[str, tg.Generator]) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Put the states `checkpoint` holds into the run's objects; return its history and timing."""
    random = checkpoint["random"]
    restore_states(path, [("its 'model' entry", checkpoint["model"], model.load_state_dict),
                          ("its 'optimizer' entry", checkpoint["optimizer"], optimizer.load_state_dict),
                          ("its 'scheduler' entry", checkpoint["scheduler"],
                           lambda state: load_scheduler_state(scheduler, state)),
                          ("its 'library' generator state", random["library"], tg.set_rng_state),
                          *((f"its {name!r} generator state", random[name], generator.set_state)
                            for name, generator in generators.items())])
    history = {key: list(values) for key, values in checkpoint["history"].items()}
    timing = checkpoint["timing"]
    return history, {"step_seconds": list(timing["step_seconds"]), "elapsed": timing["elapsed"]}


def write_metrics(history: dict[str, list[float]], path: Path) -> None:
    """The history as CSV, one row per evaluation, written atomically."""
    write_csv(path, METRICS_COLUMNS, zip(*(history[key] for key in METRICS_COLUMNS)))


def plot_curves(history: dict[str, list[float]], path: Path, title: str) -> None:
    """The training and validation losses at each evaluation, as an image file (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4), constrained_layout=True)
    axis.plot(history["step"], history["train_loss"], marker="o", label="train")
    axis.plot(history["step"], history["val_loss"], marker="o", label="validation")
    axis.set(xlabel="step", ylabel="loss (cross-entropy, nats per character)", title=title)
    axis.legend()
    axis.grid(alpha=0.3)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    tg.keep_freed_memory()  # spares each step the page faults of re-mapping freed arrays (tinygrad_np/memory.py)
    return run(parse_arguments(argv))


if __name__ == "__main__":
    script(main)
