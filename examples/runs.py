"""What every training example shares, whatever it trains: running as a script, checking output paths, the
progress line, checkpoints that resume only the same run, atomic CSV metrics, and small formatting helpers.

examples/training.py (the MNIST examples) and examples/shakespeare.py build on it. Only tinygrad_np's
public API is used, the way a PyTorch script would.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import tinygrad_np as tg
from tinygrad_np import optim
from tinygrad_np.atomic import atomic_write


def script(main: Callable[[], object]) -> None:
    """Run an example's main() as a script: a missing or corrupt dataset ends it with the error's
    message, which says what to do (a traceback would not), and Ctrl-C with exit status 130."""
    try:
        main()
    except tg.DatasetError as error:
        sys.exit(f"{type(error).__name__}: {error}")
    except KeyboardInterrupt:
        sys.exit(130)


def unwritable(path: Path) -> str | None:
    """Why an atomic write to `path` would fail (it creates a temporary file beside the target), or None."""
    target = Path(os.path.realpath(path))
    if target.is_dir():
        return "is a directory"
    if not target.parent.is_dir():
        return f"no such directory: {target.parent}"
    if not os.access(target.parent, os.W_OK):
        return f"cannot write in {target.parent}"
    return None


def add_file_arguments(parser: argparse.ArgumentParser, data: str, when: str, metrics: str) -> None:
    """The options every training example has for its files: --data-dir (`data` says what the folder holds),
    --save (a checkpoint written `when`), --resume, --plot and --metrics (`metrics` describes the CSV)."""
    parser.add_argument("--data-dir", type=Path, help=f"folder holding {data}; otherwise $TINYGRAD_NP_DATA, "
                        "~/.cache/tinygrad_np, /usr/share/datasets, then a download")
    parser.add_argument("--save", type=Path, help=f"write a checkpoint here {when}")
    parser.add_argument("--resume", type=Path, help="continue the run saved in this checkpoint "
                        "(and keep saving to it unless --save says otherwise)")
    parser.add_argument("--plot", type=Path, help="write training curves to this image (needs matplotlib)")
    parser.add_argument("--metrics", type=Path, help=f"write {metrics} to this CSV file, rewritten {when}")


def check_paths(parser: argparse.ArgumentParser, args: argparse.Namespace, saves: str) -> None:
    """Refuse, before any training, a --data-dir that is not a folder, --save/--metrics/--plot files that cannot
    be written, a --resume file that cannot be read (or rewritten, without --save), and --plot without
    matplotlib. `saves` says when the run writes its checkpoint ("after every epoch")."""
    if args.data_dir is not None and not args.data_dir.is_dir():
        parser.error(f"--data-dir {args.data_dir}: no such directory")
    for option, path in (("--save", args.save), ("--metrics", args.metrics), ("--plot", args.plot)):
        if path is not None and (problem := unwritable(path)):
            parser.error(f"{option} {path}: {problem}")
    if args.resume is not None:
        if not args.resume.is_file():
            parser.error(f"--resume {args.resume}: {'is a directory' if args.resume.is_dir() else 'no such file'}")
        if not os.access(args.resume, os.R_OK):
            parser.error(f"--resume {args.resume}: cannot read it")
        if args.save is None and (problem := unwritable(args.resume)):
            parser.error(f"--resume {args.resume}: {problem}; the run saves to it {saves} unless "
                         "--save names another file")
    if args.plot is not None and importlib.util.find_spec("matplotlib") is None:
        parser.error("--plot needs matplotlib, which is not installed: pip install matplotlib "
                     "(or pip install -e '.[plot]' in this repo)")


class Progress:
    """A status line for the batch loop: batches done, running loss, samples/s and ETA.

    On a terminal it is rewritten in place, at most ten times a second, and erased when the
    epoch ends; anywhere else (a log file, CI) it prints nothing, so each epoch leaves just its
    summary line.
    """

    def __init__(self, stream: TextIO | None = None, interval: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.interval = interval
        self.shown = 0.0

    def update(self, label: str, done: int, total: int, samples: int, loss: float, started: float,
               unit: str = "batches") -> None:
        now = time.perf_counter()
        if not self.live or (now - self.shown < self.interval and done < total):
            return
        self.shown = now
        elapsed = max(now - started, 1e-9)
        eta = (total - done) * elapsed / max(done, 1)
        line = f"{label} {done}/{total} {unit}  loss {loss:.4f}  {samples / elapsed:,.0f} samples/s  ETA {eta:.0f} s"
        self.stream.write(f"\r{line}\033[K")
        self.stream.flush()

    def clear(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()


class Diverged(ArithmeticError):
    """The training loss became NaN or infinite; the message says at which batch, and the learning rate there."""


def saved_so_far(latest: tuple[Path, str] | None, save: Path | None, saves: str) -> str:
    """What an interrupted run has on disk: `latest` is (the newest checkpoint, what it holds, e.g. "epoch 2"),
    `save` where the run saves, `saves` when ("after every epoch")."""
    if latest is not None:
        path, done = latest
        return f"{path} holds {done}: add --resume {path} to continue"
    return f"no checkpoint written yet (--save writes one {saves})" if save else "nothing saved"


def read_checkpoint(path: Path, args: argparse.Namespace, run_options: Sequence[str],
                    problem: Callable[[Any], str | None]) -> dict[str, Any]:
    """The checkpoint at `path`, if `problem` finds nothing wrong with it and it was saved by a run with these
    options (its "run" entry: each option's value as a string); otherwise SystemExit with a one-line message
    that names the file and says what is wrong."""
    try:
        checkpoint = tg.load(path)
    except tg.CheckpointError as error:  # its message names the file
        raise SystemExit(f"cannot resume: {error}") from None
    if found := problem(checkpoint):
        raise SystemExit(f"cannot resume: {path}: not a checkpoint written by --save of this example ({found})")
    saved = checkpoint["run"]
    differences = [f"--{name.replace('_', '-')} {saved.get(name, '(not recorded)')} (given: {getattr(args, name)})"
                   for name in run_options if saved.get(name) != str(getattr(args, name))]
    if differences:
        raise SystemExit(f"cannot resume: {path}: a checkpoint of another run, made with {', '.join(differences)}; "
                         "pass the same options to resume it")
    return checkpoint


def entries_problem(checkpoint: Any, entries: Sequence[str], generators: dict[str, type]) -> str | None:
    """What shows that `checkpoint` (as tg.load read it) lacks the dict `entries` a run saves, or in its "random"
    entry the state of each of `generators` (name: the state's type); None if nothing does."""
    if not isinstance(checkpoint, dict):
        return f"it holds a {type(checkpoint).__name__}, not a dict"
    for key in entries:
        if key not in checkpoint:
            return f"no {key!r} entry"
        if not isinstance(checkpoint[key], dict):
            return f"its {key!r} entry is not a dict"
    for key, kind in generators.items():
        if not isinstance(checkpoint["random"].get(key), kind):
            return f"no {key!r} generator state"
    return None


def restore_states(path: Path, states: Iterable[tuple[str, Any, Callable[[Any], Any]]]) -> None:
    """Load each (what, state, load) of a checkpoint; a state that does not fit ends the run with a one-line
    message naming the file and `what` (SystemExit)."""
    for what, state, load in states:
        try:
            load(state)
        except (KeyError, TypeError, ValueError, RuntimeError) as error:  # what they raise for a state that misfits
            reason = " ".join(f"{type(error).__name__}: {error}".split())  # on one line
            raise SystemExit(f"cannot resume: {path}: {what} does not load: {reason}") from None


def load_scheduler_state(scheduler: optim.lr_scheduler.LRScheduler, state: dict[str, Any]) -> None:
    """scheduler.load_state_dict, which takes any dict, once `state` is known to have the fields of the
    scheduler's own state, each of the same type."""
    own = scheduler.state_dict()
    differing = sorted((key for key in own.keys() | state.keys()
                        if key not in own or key not in state or type(state[key]) is not type(own[key])), key=str)
    if differing:
        raise ValueError(f"fields missing, unexpected or of another type than a {type(scheduler).__name__}'s: "
                         + ", ".join(map(str, differing)))
    scheduler.load_state_dict(state)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A CSV file written atomically, so a run stopped at any moment leaves the complete previous table."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    with atomic_write(path) as file:
        file.write(text.getvalue().encode())


def format_table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    """A plain-text table with aligned columns: the first `left` columns left-aligned, the rest right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{math.floor(seconds / 60)} min {seconds % 60:.0f} s"
