"""examples/mnist_mlp.py (and, for what they share, mnist_cnn.py), run in-process on small synthetic
MNIST-format data: what it prints, that a run is deterministic, learns and resumes bit for bit, what
Ctrl-C says, how it refuses damaged checkpoints, bad options and files it could not write, that it
stops when the loss is no longer finite, --plot, --metrics, --paper, and the message it ends with
when no data can be found.

Every test runs with HOME, $TINYGRAD_NP_DATA and the system dataset folder pointing into its own
tmp_path, the mirrors pointing at a closed local port and connections to any other host refused, so
neither the machine's real data nor the internet can affect (or be touched by) a test."""

import csv
import io
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from data_files import PROXY_VARIABLES, closed_port_url, isolate_from_real_data, write_idx, write_mnist_folder

import tinygrad_np as tg
from tinygrad_np import nn, optim

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))  # examples/ is not a package: its scripts import each other by name

import mnist_cnn  # noqa: E402
import mnist_mlp  # noqa: E402

import paper  # noqa: E402
import training  # noqa: E402

TINY = ["--hidden", "16", "--batch-size", "32"]
SCRIPTS = {"mnist_mlp": (mnist_mlp, TINY), "mnist_cnn": (mnist_cnn, ["--channels", "2", "4", "--hidden", "8",
                                                                    "--batch-size", "32"])}
"""The examples built on training.py, each with options for a tiny, fast net: the tests of what they
share (learning, exact resume, --metrics) run on both."""
EPOCH_LINE = re.compile(r"^epoch +(\d+)/(\d+)  train loss (\S+)  train acc (\S+)%  test acc (\S+)%  "
                        r"\S+ s \(\S+ samples/s\)$")
FINAL_LINE = re.compile(r"^final test accuracy: (\d+\.\d\d)%$")
EPOCH_SECONDS = re.compile(r"  (\S+) s \(\S+ samples/s\)$")
@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No real data and no network: HOME, $TINYGRAD_NP_DATA, the system folder and the mirrors all point nowhere."""
    isolate_from_real_data(tmp_path, monkeypatch)
    return tmp_path


@pytest.fixture
def data_dir(tmp_path):
    """256 training and 64 test images of random pixels and labels, in data/fashion-mnist/."""
    root = tmp_path / "data"
    write_mnist_folder(root / "fashion-mnist", n_train=256, n_test=64)
    return root


def epoch_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("epoch ")]


def metrics(stdout: str) -> list[tuple[str, ...]]:
    """(epoch, epochs, train loss, train acc, test acc) of each epoch line, as printed: the timing left out."""
    found = []
    for line in epoch_lines(stdout):
        match = EPOCH_LINE.match(line)
        assert match, f"not an epoch summary: {line!r}"
        found.append(match.groups())
    return found


def final_accuracy(stdout: str) -> str:
    match = FINAL_LINE.match(stdout.splitlines()[-1])
    assert match, f"the last line is not the final accuracy: {stdout.splitlines()[-1]!r}"
    return match.group(1)


def write_learnable_mnist(folder: Path, n_train: int, n_test: int) -> None:
    """MNIST files in `folder` whose label is where a bright vertical band is (columns 2k+4 and 2k+5
    for class k), over dim noise: a task any working classifier learns in a few epochs."""
    for prefix, n, seed in (("train", n_train, 0), ("t10k", n_test, 1)):
        rng = np.random.default_rng(seed)
        labels = rng.integers(0, 10, size=n).astype(np.uint8)
        images = rng.integers(0, 60, size=(n, 28, 28)).astype(np.uint8)
        for image, label in zip(images, labels):
            image[:, 2 * label + 4: 2 * label + 6] = 255
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images, gz=True)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels, gz=True)


def checkpoint_parameters(path: Path) -> dict[str, np.ndarray]:
    return {name: value.numpy() for name, value in tg.load(path)["model"].items()}


def run_interrupted_in_epoch(epoch: int, example, arguments: list[str], monkeypatch, as_each_epoch_starts=None):
    """Run `example` with Ctrl-C pressed as its `epoch`-th epoch starts."""
    calls = []
    train_epoch = training.train_epoch

    def interrupting(*args, **kwargs):
        calls.append(args)
        if as_each_epoch_starts is not None:
            as_each_epoch_starts()
        if len(calls) == epoch:
            raise KeyboardInterrupt
        return train_epoch(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(training, "train_epoch", interrupting)
        with pytest.raises(KeyboardInterrupt):
            example.main(arguments)


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


# --------------------------------------------------------------------------------------------- a run's output


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_prints_one_line_per_epoch_and_the_final_test_accuracy_last(dataset, tmp_path, monkeypatch, capsys):
    root = tmp_path / "data"
    write_mnist_folder(root / dataset, n_train=256, n_test=64)
    other = "fashion-mnist" if dataset == "mnist" else "mnist"
    write_mnist_folder(root / other, n_train=96, n_test=32, seed=5)  # the other dataset's files, not to be used
    histories = []
    run = training.run
    monkeypatch.setattr(training, "run", lambda *args, **kwargs: histories.append(run(*args, **kwargs)))

    mnist_mlp.main(["--dataset", dataset, "--data-dir", str(root), "--epochs", "2", *TINY])

    out = capsys.readouterr().out
    assert f"{dataset}: 256 training / 64 test images from {root / dataset}" in out.splitlines()[0]
    lines = metrics(out)
    assert [line[:2] for line in lines] == [("1", "2"), ("2", "2")]
    (history,) = histories
    assert history["epoch"] == [1, 2]
    for line, loss, train_acc, test_acc in zip(lines, *(history[key] for key in ("train_loss", "train_acc",
                                                                                  "test_acc"))):
        assert line[2:] == (f"{loss:.4f}", f"{100 * train_acc:.2f}", f"{100 * test_acc:.2f}")
    assert final_accuracy(out) == lines[-1][4] == f"{100 * history['test_acc'][-1]:.2f}"


def test_a_run_is_determined_by_its_seed(data_dir, capsys):
    def run(seed: str) -> list[tuple[str, ...]]:
        mnist_mlp.main(["--data-dir", str(data_dir), "--epochs", "2", "--seed", seed, *TINY])
        return metrics(capsys.readouterr().out)

    first = run("1")
    assert run("1") == first
    assert run("2") != first


@pytest.mark.parametrize("script", SCRIPTS)
def test_training_learns_a_learnable_task(script, tmp_path, capsys):
    example, tiny = SCRIPTS[script]
    folder = tmp_path / "data" / "mnist"
    write_learnable_mnist(folder, n_train=512, n_test=128)

    example.main(["--dataset", "mnist", "--data-dir", str(folder.parent), "--epochs", "3", "--lr", "0.01", *tiny])

    out = capsys.readouterr().out
    losses = [float(line[2]) for line in metrics(out)]
    assert losses[-1] < losses[0], out
    assert float(final_accuracy(out)) >= 80.0, out  # chance is 10%


# --------------------------------------------------------------------------------------------- checkpoints


@pytest.mark.parametrize("script", SCRIPTS)
def test_save_writes_a_checkpoint_each_epoch_and_resume_continues_exactly(script, data_dir, tmp_path, monkeypatch,
                                                                          capsys):
    example, tiny = SCRIPTS[script]
    options = ["--data-dir", str(data_dir), "--epochs", "3", *tiny]
    uninterrupted = tmp_path / "a.ck"
    example.main([*options, "--save", str(uninterrupted)])
    expected = metrics(capsys.readouterr().out)

    checkpoint = tmp_path / "b.ck"
    calls = []
    train_epoch = training.train_epoch

    def interrupted_on_the_third_epoch(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            assert tg.load(checkpoint)["history"]["epoch"] == [1, 2]  # saved after each epoch
            raise KeyboardInterrupt
        return train_epoch(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(training, "train_epoch", interrupted_on_the_third_epoch)
        with pytest.raises(KeyboardInterrupt):
            example.main([*options, "--save", str(checkpoint)])
    assert metrics(capsys.readouterr().out) == expected[:2]

    example.main([*options, "--resume", str(checkpoint)])

    out = capsys.readouterr().out
    assert re.search(rf"^resumed {re.escape(str(checkpoint))} after epoch 2 of 3$", out, re.MULTILINE), out
    assert metrics(out) == expected[2:]
    assert final_accuracy(out) == expected[-1][4]
    resumed, reference = checkpoint_parameters(checkpoint), checkpoint_parameters(uninterrupted)
    assert resumed.keys() == reference.keys()
    for name in reference:
        assert np.array_equal(resumed[name], reference[name]), name
    assert tg.load(checkpoint)["history"]["epoch"] == [1, 2, 3]


@pytest.mark.parametrize("option, value", [("--hidden", "32"), ("--lr", "0.01"), ("--epochs", "3"),
                                           ("--seed", "1"), ("--optimizer", "sgd")])
def test_resuming_with_other_run_options_exits_naming_the_option(option, value, data_dir, tmp_path, capsys):
    options = {"--data-dir": str(data_dir), "--epochs": "2", "--hidden": "16", "--batch-size": "32"}
    checkpoint = tmp_path / "run.ck"
    mnist_mlp.main([*(item for pair in options.items() for item in pair), "--save", str(checkpoint)])
    capsys.readouterr()

    options[option] = value
    with pytest.raises(SystemExit) as exited:
        mnist_mlp.main([*(item for pair in options.items() for item in pair), "--resume", str(checkpoint)])

    message = str(exited.value.code)
    assert "another run" in message and option in message, message
    assert f"(given: {value if option != '--hidden' else [int(value)]})" in message, message
    assert epoch_lines(capsys.readouterr().out) == []


def test_ctrl_c_before_the_first_checkpoint_says_none_was_written_yet(data_dir, tmp_path, monkeypatch, capsys):
    checkpoint = tmp_path / "run.ck"
    run_interrupted_in_epoch(1, mnist_mlp, ["--data-dir", str(data_dir), "--epochs", "2", *TINY,
                                            "--save", str(checkpoint)], monkeypatch)
    error = capsys.readouterr().err
    assert "interrupted during epoch 1; no checkpoint written yet" in error and "--resume" not in error, error
    assert not checkpoint.exists()


def test_ctrl_c_after_a_checkpoint_says_which_epoch_it_holds_and_how_to_resume(data_dir, tmp_path, monkeypatch,
                                                                                capsys):
    checkpoint = tmp_path / "run.ck"
    run_interrupted_in_epoch(2, mnist_mlp, ["--data-dir", str(data_dir), "--epochs", "2", *TINY,
                                            "--save", str(checkpoint)], monkeypatch)
    error = capsys.readouterr().err
    assert f"interrupted during epoch 2; {checkpoint} holds epoch 1: add --resume {checkpoint} to continue" in error


def test_ctrl_c_in_a_resumed_run_before_it_saves_names_the_checkpoint_it_resumed(data_dir, tmp_path, monkeypatch,
                                                                                  capsys):
    options = ["--data-dir", str(data_dir), "--epochs", "3", *TINY]
    first, second = tmp_path / "first.ck", tmp_path / "second.ck"
    run_interrupted_in_epoch(2, mnist_mlp, [*options, "--save", str(first)], monkeypatch)
    capsys.readouterr()

    run_interrupted_in_epoch(1, mnist_mlp, [*options, "--resume", str(first), "--save", str(second)], monkeypatch)

    error = capsys.readouterr().err
    assert f"interrupted during epoch 2; {first} holds epoch 1: add --resume {first} to continue" in error, error
    assert not second.exists()


def edited(edit):
    """A damage that loads the checkpoint, applies `edit` to it and saves it back."""
    def damage(path: Path) -> None:
        checkpoint = tg.load(path)
        edit(checkpoint)
        tg.save(checkpoint, path)

    return damage


DAMAGES = {
    "not a zip": (lambda path: path.write_bytes(b"not a checkpoint\n"), "checkpoint"),
    "truncated": (lambda path: path.write_bytes(path.read_bytes()[:1000]), "checkpoint"),
    "no random entry": (edited(lambda ck: ck.pop("random")), "no 'random' entry"),
    "no history entry": (edited(lambda ck: ck.pop("history")), "no 'history' entry"),
    "history not a dict": (edited(lambda ck: ck.update(history=[1.0])), "its 'history' entry is not a dict"),
    "run options not a dict": (edited(lambda ck: ck.update(run="adamw")), "its 'run' entry is not a dict"),
    "a history column missing": (edited(lambda ck: ck["history"].pop("test_acc")), "no 'test_acc' column"),
    "history columns of unequal lengths": (edited(lambda ck: ck["history"]["train_loss"].append(0.5)),
                                           "its history's 'train_loss' column"),
    "a shuffle state missing": (edited(lambda ck: ck["random"].pop("shuffle")), "no 'shuffle' generator state"),
    "a parameter missing": (edited(lambda ck: ck["model"].pop("1.weight")), "its 'model' entry does not load"),
    "optimizer without parameter groups": (edited(lambda ck: ck["optimizer"].pop("param_groups")),
                                           "its 'optimizer' entry does not load"),
    "scheduler without its step count": (edited(lambda ck: ck["scheduler"].pop("last_epoch")),
                                         "its 'scheduler' entry does not load"),
    "a generator state of another kind": (edited(lambda ck: ck["random"]["shuffle"].update(bit_generator="MT19937")),
                                          "its 'shuffle' generator state does not load"),
}
"""Ways a checkpoint file can be damaged: what does it, and what the message must say about it."""


@pytest.mark.parametrize("damage", DAMAGES)
def test_resuming_a_damaged_checkpoint_exits_with_one_line_naming_the_file_and_the_problem(
        damage, data_dir, tmp_path, monkeypatch, capsys):
    damage_file, problem = DAMAGES[damage]
    options = ["--data-dir", str(data_dir), "--epochs", "2", *TINY]
    checkpoint = tmp_path / "run.ck"
    run_interrupted_in_epoch(2, mnist_mlp, [*options, "--save", str(checkpoint)], monkeypatch)
    capsys.readouterr()
    damage_file(checkpoint)

    with pytest.raises(SystemExit) as exited:
        mnist_mlp.main([*options, "--resume", str(checkpoint)])

    message = exited.value.code
    assert isinstance(message, str) and "\n" not in message, message  # printed alone (no traceback), exit status 1
    assert message.startswith(f"cannot resume: {checkpoint}: ") and problem in message, message
    assert epoch_lines(capsys.readouterr().out) == []


def test_resuming_from_a_checkpoint_this_example_did_not_write_exits_saying_so(data_dir, tmp_path):
    other = tmp_path / "weights.npz"
    tg.save({"0.weight": tg.zeros(2, 2)}, other)
    with pytest.raises(SystemExit, match=re.escape(f"cannot resume: {other}: not a checkpoint written by --save")):
        mnist_mlp.main(["--data-dir", str(data_dir), "--epochs", "1", *TINY, "--resume", str(other)])


# --------------------------------------------------------------------------------------------- divergence


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",  # NumPy's, on the way to NaN
                            "ignore:invalid value encountered:RuntimeWarning")
def test_a_non_finite_loss_stops_the_run_at_that_batch_naming_it_and_the_learning_rate(data_dir, monkeypatch, capsys):
    losses = []
    cross_entropy = training.F.cross_entropy

    def recorded(*args, **kwargs):
        loss = cross_entropy(*args, **kwargs)
        losses.append(loss.item())
        return loss

    monkeypatch.setattr(training.F, "cross_entropy", recorded)
    with pytest.raises(SystemExit) as exited:
        mnist_mlp.main(["--data-dir", str(data_dir), "--epochs", "1", *TINY, "--lr", "1e30"])

    message = exited.value.code
    assert isinstance(message, str) and "\n" not in message, message  # printed alone (no traceback), exit status 1
    assert all(map(math.isfinite, losses[:-1])) and not math.isfinite(losses[-1]), losses
    assert message.startswith(f"training diverged: the training loss is {losses[-1]} at batch {len(losses)}/8 of "
                              "epoch 1/1"), message
    assert re.search(r"learning rate \S+ at that step", message) and "--lr 1e+30" in message, message
    assert "try a smaller --lr" in message, message
    assert epoch_lines(capsys.readouterr().out) == []


# --------------------------------------------------------------------------------------------- bad options


@pytest.mark.parametrize("arguments, message", [
    (["--resume", "no-such.ck"], "--resume no-such.ck: no such file"),
    (["--resume", "."], "--resume .: is a directory"),
    (["--epochs", "0"], "--epochs must be positive"),
    (["--epochs", "-1"], "--epochs must be positive"),
    (["--batch-size", "0"], "--batch-size must be positive"),
    (["--lr", "0"], "--lr must be a positive finite number"),
    (["--lr", "-0.1"], "--lr must be a positive finite number"),
    (["--lr", "nan"], "--lr must be a positive finite number"),
    (["--lr", "inf"], "--lr must be a positive finite number"),
    (["--weight-decay", "-0.1"], "--weight-decay must be finite and not negative"),
    (["--weight-decay", "inf"], "--weight-decay must be finite and not negative"),
    (["--weight-decay", "nan"], "--weight-decay must be finite and not negative"),
    (["--label-smoothing", "nan"], "--label-smoothing must lie in [0, 1]"),
    (["--seed", "-1"], "--seed must not be negative"),
    (["--hidden", "0"], "--hidden widths must be positive"),
    (["--hidden", "16", "0"], "--hidden widths must be positive"),
    (["--paper", "--metrics", "m.csv"], "--plot, --metrics, --save and --resume are for a training run"),
    (["--paper", "--save", "ck.npz"], "--plot, --metrics, --save and --resume are for a training run"),
    (["--paper", "--save", "missing/ck.npz"], "--plot, --metrics, --save and --resume are for a training run"),
])
def test_bad_options_are_argparse_errors(arguments, message, data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        mnist_mlp.main(["--data-dir", str(data_dir), *arguments])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert f"error: {message}" in captured.err
    assert captured.out == ""


def deny_access(denied: Path, mode: int, monkeypatch) -> None:
    """Make os.access answer no for `mode` (os.R_OK, os.W_OK) on `denied`, as file permissions would to anyone
    but root (who may read and write anything, so chmod alone would not do where the tests run as root)."""
    access = os.access
    monkeypatch.setattr(os, "access", lambda path, asked, **kwargs: access(path, asked, **kwargs)
                        and not (asked & mode and Path(path) == denied))


@pytest.fixture
def read_only(tmp_path, monkeypatch):
    """A folder that cannot be written in."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    deny_access(folder, os.W_OK, monkeypatch)
    return folder


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("option", ["--save", "--metrics", "--plot"])
@pytest.mark.parametrize("where, message", [("missing/out", "no such directory"), (".", "is a directory"),
                                            ("read-only/out", "cannot write in")])
def test_an_output_in_an_unwritable_location_is_an_argparse_error_before_any_training(
        script, option, where, message, read_only, data_dir, tmp_path, monkeypatch, capsys):
    example, tiny = SCRIPTS[script]
    monkeypatch.setattr(training, "load_datasets", lambda *args: pytest.fail("data loaded before the error"))
    path = tmp_path / where
    with pytest.raises(SystemExit) as exited:
        example.main(["--data-dir", str(data_dir), "--epochs", "1", *tiny, option, str(path)])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert f"error: {option} {path}: {message}" in captured.err
    assert captured.out == ""
    assert not (tmp_path / "missing").exists() and list(read_only.iterdir()) == []


def test_resuming_a_checkpoint_in_a_read_only_folder_needs_save_to_name_another_file(read_only, data_dir, tmp_path,
                                                                                       monkeypatch, capsys):
    options = ["--data-dir", str(data_dir), "--epochs", "2", *TINY]
    run_interrupted_in_epoch(2, mnist_mlp, [*options, "--save", str(tmp_path / "run.ck")], monkeypatch)
    checkpoint = (tmp_path / "run.ck").rename(read_only / "run.ck")
    capsys.readouterr()

    with pytest.raises(SystemExit) as exited:
        mnist_mlp.main([*options, "--resume", str(checkpoint)])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert f"error: --resume {checkpoint}: cannot write in {read_only}" in error and "--save" in error

    mnist_mlp.main([*options, "--resume", str(checkpoint), "--save", str(tmp_path / "elsewhere.ck")])
    assert [line[0] for line in metrics(capsys.readouterr().out)] == ["2"]
    assert tg.load(tmp_path / "elsewhere.ck")["history"]["epoch"] == [1, 2]


def test_resuming_a_checkpoint_that_cannot_be_read_is_an_argparse_error(data_dir, tmp_path, monkeypatch, capsys):
    checkpoint = tmp_path / "run.ck"
    checkpoint.write_bytes(b"")
    deny_access(checkpoint, os.R_OK, monkeypatch)
    with pytest.raises(SystemExit) as exited:
        mnist_mlp.main(["--data-dir", str(data_dir), "--epochs", "1", *TINY, "--resume", str(checkpoint)])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert f"error: --resume {checkpoint}: cannot read it" in captured.err
    assert captured.out == ""


def test_a_data_dir_that_does_not_exist_is_an_argparse_error_even_with_the_data_in_tinygrad_np_data(
        data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TINYGRAD_NP_DATA", str(data_dir))  # where the data would otherwise be found
    missing = tmp_path / "no-such-folder"
    with pytest.raises(SystemExit) as exited:
        mnist_mlp.main(["--data-dir", str(missing), "--epochs", "1", *TINY])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert f"error: --data-dir {missing}: no such directory" in captured.err
    assert captured.out == ""


# --------------------------------------------------------------------------------------------- --plot


def test_plot_without_matplotlib_is_an_argparse_error_before_any_training(data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    monkeypatch.setattr(training, "load_datasets", lambda *args: pytest.fail("data loaded before the error"))
    with pytest.raises(SystemExit) as exited:
        mnist_mlp.main(["--data-dir", str(data_dir), "--epochs", "1", *TINY, "--plot", str(tmp_path / "c.png")])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert "--plot needs matplotlib" in captured.err and "pip install matplotlib" in captured.err
    assert captured.out == ""
    assert not (tmp_path / "c.png").exists()


def test_plot_writes_a_png_of_the_training_curves(data_dir, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    image = tmp_path / "curves.png"
    mnist_mlp.main(["--data-dir", str(data_dir), "--epochs", "2", *TINY, "--plot", str(image)])
    assert f"training curves written to {image}" in capsys.readouterr().out
    content = image.read_bytes()
    assert content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) > 1000


# --------------------------------------------------------------------------------------------- --metrics


def read_metrics(path: Path) -> list[dict[str, str]]:
    """The rows of a --metrics CSV by column, after checking its header."""
    with path.open(newline="") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == ["epoch", "train_loss", "train_acc", "test_acc", "seconds", "lr"]
        return list(reader)


def as_printed(rows: list[dict[str, str]], epochs: int) -> list[tuple[str, ...]]:
    """The rows as `metrics` reads the epoch lines: the values at the precision they are printed with."""
    return [(row["epoch"], str(epochs), f"{float(row['train_loss']):.4f}", f"{float(row['train_acc']):.2f}",
             f"{float(row['test_acc']):.2f}") for row in rows]


@pytest.mark.parametrize("script", SCRIPTS)
def test_metrics_has_a_header_and_a_row_per_epoch_equal_to_the_printed_lines_and_the_history(
        script, data_dir, tmp_path, monkeypatch, capsys):
    example, tiny = SCRIPTS[script]
    table = tmp_path / "metrics.csv"
    histories = []
    run = training.run
    monkeypatch.setattr(training, "run", lambda *args, **kwargs: histories.append(run(*args, **kwargs)))

    example.main(["--data-dir", str(data_dir), "--epochs", "2", *tiny, "--metrics", str(table)])

    out = capsys.readouterr().out
    rows = read_metrics(table)
    assert as_printed(rows, 2) == metrics(out)
    assert [f"{float(row['seconds']):.1f}" for row in rows] == [EPOCH_SECONDS.search(line).group(1)
                                                               for line in epoch_lines(out)]
    (history,) = histories  # what --plot draws
    assert [int(row["epoch"]) for row in rows] == history["epoch"] == [1, 2]
    for key, scale in (("train_loss", 1), ("train_acc", 100), ("test_acc", 100), ("seconds", 1)):
        assert [float(row[key]) for row in rows] == pytest.approx([scale * value for value in history[key]],
                                                                  rel=1e-12, abs=0), key
    assert f"metrics written to {table}" in out.splitlines()


def test_metrics_lr_is_the_one_cycle_learning_rate_at_the_end_of_each_epoch(data_dir, tmp_path):
    table = tmp_path / "metrics.csv"
    mnist_mlp.main(["--data-dir", str(data_dir), "--epochs", "2", *TINY, "--metrics", str(table)])

    optimizer = optim.AdamW([nn.Parameter(tg.zeros(1))], lr=0.002)  # adamw's default peak, as the run had
    schedule = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.002, total_steps=2 * 8)  # 8 batches of 32 an epoch
    expected = []
    for _ in range(2):
        for _ in range(8):
            schedule.step()
        expected.append(schedule.get_last_lr()[0])
    assert [float(row["lr"]) for row in read_metrics(table)] == expected


def test_metrics_is_rewritten_after_every_epoch_so_an_interrupted_run_leaves_its_finished_epochs(
        data_dir, tmp_path, monkeypatch, capsys):
    table = tmp_path / "metrics.csv"
    table.write_text("an older file\n")
    epochs_in_the_table = []

    run_interrupted_in_epoch(3, mnist_mlp, ["--data-dir", str(data_dir), "--epochs", "3", *TINY,
                                            "--metrics", str(table)], monkeypatch,
                             lambda: epochs_in_the_table.append([row["epoch"] for row in read_metrics(table)]))

    assert epochs_in_the_table == [[], ["1"], ["1", "2"]]
    assert as_printed(read_metrics(table), 3) == metrics(capsys.readouterr().out)
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".metrics.csv")] == []


@pytest.mark.parametrize("script", SCRIPTS)
def test_metrics_of_a_resumed_run_hold_the_whole_run(script, data_dir, tmp_path, monkeypatch, capsys):
    example, tiny = SCRIPTS[script]
    options = ["--data-dir", str(data_dir), "--epochs", "3", *tiny]
    example.main([*options, "--metrics", str(tmp_path / "uninterrupted.csv")])
    checkpoint = tmp_path / "run.ck"
    run_interrupted_in_epoch(3, example, [*options, "--save", str(checkpoint),
                                          "--metrics", str(tmp_path / "interrupted.csv")], monkeypatch)

    example.main([*options, "--resume", str(checkpoint), "--metrics", str(tmp_path / "resumed.csv")])

    capsys.readouterr()
    uninterrupted, interrupted, resumed = (read_metrics(tmp_path / f"{name}.csv")
                                           for name in ("uninterrupted", "interrupted", "resumed"))
    assert resumed[:2] == interrupted  # the first two epochs come from the checkpoint, timing and all

    def untimed(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{key: value for key, value in row.items() if key != "seconds"} for row in rows]

    assert untimed(resumed) == untimed(uninterrupted)


def test_metrics_of_a_run_resumed_from_a_checkpoint_without_learning_rates_leave_those_empty(
        data_dir, tmp_path, monkeypatch, capsys):
    options = ["--data-dir", str(data_dir), "--epochs", "2", *TINY]
    checkpoint = tmp_path / "run.ck"
    run_interrupted_in_epoch(2, mnist_mlp, [*options, "--save", str(checkpoint)], monkeypatch)
    older = tg.load(checkpoint)
    del older["history"]["lr"]  # as --save wrote checkpoints before --metrics
    tg.save(older, checkpoint)
    table = tmp_path / "metrics.csv"

    mnist_mlp.main([*options, "--resume", str(checkpoint), "--metrics", str(table)])

    rows = read_metrics(table)
    assert as_printed(rows, 2) == metrics(capsys.readouterr().out)  # epoch 1's line from the interrupted run
    assert [row["epoch"] for row in rows] == ["1", "2"]
    assert rows[0]["lr"] == "" and float(rows[1]["lr"]) > 0
    assert all(row[key] for row in rows for key in ("train_loss", "train_acc", "test_acc", "seconds"))


def test_metrics_works_without_matplotlib(data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    table = tmp_path / "metrics.csv"

    mnist_mlp.main(["--data-dir", str(data_dir), "--epochs", "1", *TINY, "--metrics", str(table)])

    assert as_printed(read_metrics(table), 1) == metrics(capsys.readouterr().out)


# --------------------------------------------------------------------------------------------- no data


def test_no_data_anywhere_raises_dataset_not_found_naming_the_folders_and_the_ways_to_supply_it(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(tg.DatasetNotFoundError) as raised:
        mnist_mlp.main(["--data-dir", str(empty), "--epochs", "1", *TINY])
    message = str(raised.value)
    for folder in (empty, empty / "fashion-mnist", tmp_path / "home" / ".cache" / "tinygrad_np" / "fashion-mnist",
                   tmp_path / "system" / "fashion-mnist"):
        assert f"  - {folder} (" in message, folder
    for route in ("--data-dir", "TINYGRAD_NP_DATA", "apt-get install dataset-fashion-mnist"):
        assert route in message, route


def test_the_script_without_data_exits_with_the_not_found_message(tmp_path):
    environment = {name: value for name, value in os.environ.items()
                   if name != "TINYGRAD_NP_DATA" and name not in PROXY_VARIABLES}
    environment["HOME"] = str(tmp_path)
    unreachable = closed_port_url()  # the real mirrors are reached only through this proxy, which refuses
    environment.update({name: unreachable for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")})
    script = str(EXAMPLES / "mnist_mlp.py")
    # The script as `python examples/mnist_mlp.py --epochs 1` runs it, with the system folder pointed away
    # (Debian's package may be installed on this machine).
    run_script = (f"import runpy, sys; from pathlib import Path; import tinygrad_np.data.folders as folders; "
                  f"folders.SYSTEM_DATA_DIR = Path({str(tmp_path / 'system')!r}); "
                  f"sys.path.insert(0, {str(EXAMPLES)!r}); sys.argv = [{script!r}, '--epochs', '1']; "
                  f"runpy.run_path({script!r}, run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", run_script], cwd=tmp_path,
                          env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr  # the message alone: it says what to do
    for text in ("DatasetNotFoundError", "Fashion-MNIST training files", "not found", "--data-dir",
                 "TINYGRAD_NP_DATA", "apt-get install dataset-fashion-mnist",
                 str(tmp_path / ".cache" / "tinygrad_np" / "fashion-mnist")):
        assert text in done.stderr, (text, done.stderr)
    assert done.stdout == ""


# --------------------------------------------------------------------------------------------- progress


def test_off_a_terminal_only_the_epoch_summaries_are_printed(data_dir, capsys):
    assert not sys.stderr.isatty()
    mnist_mlp.main(["--data-dir", str(data_dir), "--epochs", "2", *TINY])
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert lines[0].startswith("fashion-mnist: 256 training / 64 test images")
    assert len(epoch_lines(captured.out)) == 2 and lines[1:3] == epoch_lines(captured.out)
    assert FINAL_LINE.match(lines[3]) and len(lines) == 4
    assert "\r" not in captured.out and "batches" not in captured.out


def test_on_a_terminal_a_progress_line_is_rewritten_in_place(data_dir, monkeypatch, capsys):
    terminal = FakeTTY()
    monkeypatch.setattr(sys, "stderr", terminal)
    mnist_mlp.main(["--data-dir", str(data_dir), "--epochs", "1", *TINY])
    out, written = capsys.readouterr().out, terminal.getvalue()
    progress = [line for line in written.split("\r") if line and line != "\033[K"]
    assert progress, repr(written)
    for line in progress:
        assert re.match(r"^epoch 1/1 \d+/8 batches  loss \d+\.\d{4}  [\d,]+ samples/s  ETA \d+ s\033\[K$", line), line
    assert progress[-1].startswith("epoch 1/1 8/8 batches")  # the last batch is always shown
    assert written.endswith("\r\033[K")  # and the line erased when the epoch ends
    assert "\r" not in out and "batches" not in out


# --------------------------------------------------------------------------------------------- --paper


def test_paper_prints_the_notebook_style_and_corrected_results_of_each_experiment(tmp_path, capsys):
    root = tmp_path / "data"
    write_mnist_folder(root / "fashion-mnist", n_train=64, n_test=32)

    mnist_mlp.main(["--paper", "--data-dir", str(root), "--epochs", "2"])

    out = capsys.readouterr().out
    lines = out.splitlines()
    (header,) = [line for line in lines if line.startswith("experiment ")]
    for column in ("notebook-style, 2 epochs", "corrected, 1 epoch", "corrected, 2 epochs", "the notebook on MNIST"):
        assert column in header
    table = lines[lines.index(header) + 2:lines.index(header) + 5]
    assert [row.split()[:2] for row in table] == [["RMSprop", "784-512-512-256-128-10"],
                                                  ["SGD", "784-512-256-256-128-10"],
                                                  ["Adam", "784-512-256-256-128-10"]]
    for row in table:
        name = row.split()[0]
        accuracy = {(style, epoch): re.search(rf"^{name}, {style}, epoch {epoch}/2: .* test acc (\d+\.\d\d%)$",
                                              out, re.MULTILINE).group(1)
                    for style in ("notebook", "corrected") for epoch in (1, 2)}
        assert "64/32" in row
        assert re.findall(r"\d+\.\d\d%", row)[:3] == [accuracy["notebook", 2], accuracy["corrected", 1],
                                                       accuracy["corrected", 2]], row
    legend = lines[lines.index(header) + 5:]
    assert legend[0].startswith("notebook-style: raw 0-255 pixels") and "Adam lr 1e-5, no bias correction" in legend[0]
    assert legend[1].startswith("corrected: normalised pixels")


# --------------------------------------------------------------------------------------------- optimizers


def test_notebook_adam_updates_only_the_weights_without_bias_correction():
    tg.manual_seed(0)
    model = mnist_mlp.mlp([8], inputs=6, classes=3)
    optimizer = paper.notebook_adam(model, lr=1e-3)
    before = {name: p.numpy().copy() for name, p in model.named_parameters()}
    (model(tg.randn(5, 6)) ** 2).sum().backward()
    grads = {name: p.grad.numpy().copy() for name, p in model.named_parameters()}

    optimizer.step()

    lr, (beta1, beta2), eps = 1e-3, (0.9, 0.999), 1e-8
    for name, p in model.named_parameters():
        if name.endswith("bias"):
            assert np.any(grads[name] != 0), name
            assert np.array_equal(p.numpy(), before[name]), name
        else:
            g = grads[name]
            expected_step = lr * (1 - beta1) * g / (np.sqrt((1 - beta2) * g * g) + eps)
            np.testing.assert_allclose(before[name] - p.numpy(), expected_step, rtol=1e-4, atol=1e-9)


def test_corrected_adam_first_step_is_lr_times_the_gradients_sign():
    tg.manual_seed(0)
    model = mnist_mlp.mlp([8], inputs=6, classes=3)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    before = {name: p.numpy().copy() for name, p in model.named_parameters()}
    (model(tg.randn(5, 6)) ** 2).sum().backward()
    grads = {name: p.grad.numpy().copy() for name, p in model.named_parameters()}

    optimizer.step()

    for name, p in model.named_parameters():
        g = grads[name]
        large = np.abs(g) > 1e-4  # where eps is negligible beside |g|
        assert large.any()
        np.testing.assert_allclose((before[name] - p.numpy())[large], 1e-3 * np.sign(g[large]), rtol=1e-3)


@pytest.mark.parametrize("name, kind, hyper_parameters", [
    ("sgd", optim.SGD, {"lr": 0.1, "weight_decay": 0.01, "momentum": 0.0, "nesterov": False}),
    ("momentum", optim.SGD, {"lr": 0.1, "weight_decay": 0.01, "momentum": 0.9, "nesterov": True}),
    ("rmsprop", optim.RMSprop, {"lr": 0.1, "weight_decay": 0.01}),
    ("adam", optim.Adam, {"lr": 0.1, "weight_decay": 0.01, "decoupled_weight_decay": False}),
    ("adamw", optim.AdamW, {"lr": 0.1, "weight_decay": 0.01}),
])
def test_make_optimizer_builds_each_named_optimizer(name, kind, hyper_parameters):
    model = mnist_mlp.mlp([4], inputs=3, classes=2)
    optimizer = training.make_optimizer(name, model.parameters(), lr=0.1, weight_decay=0.01)
    assert type(optimizer) is kind
    (group,) = optimizer.param_groups
    assert {key: group[key] for key in hyper_parameters} == hyper_parameters
    assert [id(p) for p in group["params"]] == [id(p) for p in model.parameters()]


# --------------------------------------------------------------------------------------------- mnist_cnn.py

CNN_TINY = SCRIPTS["mnist_cnn"][1]


def test_cnn_is_conv_relu_pool_blocks_then_an_mlp_head_giving_ten_class_scores():
    net = mnist_cnn.cnn((4, 8), hidden=16)
    kinds = [type(layer) for layer in net]
    assert kinds == [nn.Conv2d, nn.ReLU, nn.MaxPool2d] * 2 + [nn.Flatten, nn.Linear, nn.ReLU, nn.Linear]
    assert net[0].weight.shape == (4, 1, 3, 3) and net[3].weight.shape == (8, 4, 3, 3)
    assert net[7].weight.shape == (16, 8 * 7 * 7)
    assert net(tg.zeros(5, 1, 28, 28)).shape == (5, 10)


def test_cnn_prints_one_line_per_epoch_and_the_final_test_accuracy_last(data_dir, capsys):
    mnist_cnn.main(["--data-dir", str(data_dir), "--epochs", "2", *CNN_TINY])

    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(f"fashion-mnist: 256 training / 64 test images from {data_dir}")
    lines = metrics(out)
    assert [line[:2] for line in lines] == [("1", "2"), ("2", "2")]
    assert final_accuracy(out) == lines[-1][4]


def test_cnn_channels_and_hidden_must_be_positive(data_dir, capsys):
    for bad in (["--channels", "0"], ["--hidden", "0"]):
        with pytest.raises(SystemExit):
            mnist_cnn.main(["--data-dir", str(data_dir), *bad])
        assert "must be positive" in capsys.readouterr().err


def test_cnn_resuming_with_other_channels_exits_naming_the_option(data_dir, tmp_path, capsys):
    checkpoint = tmp_path / "ck"
    mnist_cnn.main(["--data-dir", str(data_dir), "--epochs", "1", *CNN_TINY, "--save", str(checkpoint)])
    capsys.readouterr()
    with pytest.raises(SystemExit, match=r"--channels \[2, 4\] \(given: \[3, 4\]\)"):
        mnist_cnn.main(["--data-dir", str(data_dir), "--epochs", "1", *CNN_TINY, "--channels", "3", "4",
                        "--resume", str(checkpoint)])
