"""examples/shakespeare.py, run in-process with tiny models on a small generated text (--text): what it
prints, that it learns, its learning-rate schedule, its sample, that it resumes bit for bit, --metrics,
and the one-line errors for bad options and checkpoints of other runs.

Every test runs with HOME, $TINYGRAD_NP_DATA and the system dataset folder pointing into its own
tmp_path and the mirrors at a closed local port, so the real tiny Shakespeare is never read."""

import csv
import io
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from data_files import isolate_from_real_data

import tinygrad_np as tg
from tinygrad_np import nn, optim

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))  # examples/ is not a package: its scripts import each other by name

import shakespeare  # noqa: E402

TEXT = "the cat sat on the mat.\n" * 200
"""A repetitive text: after a few characters of context every next character is certain."""
TINY = {"gpt": ["--layers", "1", "--heads", "2", "--embedding", "16"],
        "lstm": ["--model", "lstm", "--layers", "1", "--embedding", "8", "--hidden", "16"]}
FAST = ["--block-size", "8", "--batch-size", "8", "--warmup", "2", "--eval-batches", "4", "--sample", "40"]
EVAL_LINE = re.compile(r"^step +(\d+)/(\d+)  train loss (\d+\.\d{4})  val loss (\d+\.\d{4})  lr (\S+)  \S+ ms/step$")
FINAL_LINE = re.compile(r"^final validation loss: (\d+\.\d{4})$")
TIME_LINE = re.compile(r"^time per step: median \S+ ms, mean \S+ ms \(training steps, evaluation excluded\); "
                       r"whole run .+$")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    isolate_from_real_data(tmp_path, monkeypatch)


@pytest.fixture
def text(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text(TEXT)
    return path


def options(text: Path, model: str = "gpt", steps: int = 20, interval: int = 10) -> list[str]:
    return ["--text", str(text), *TINY[model], *FAST, "--steps", str(steps), "--eval-interval", str(interval)]


def evaluations(stdout: str) -> list[tuple[str, ...]]:
    """(step, steps, train loss, val loss, lr) of each evaluation line, as printed: the timing left out."""
    found = []
    for line in stdout.splitlines():
        if line.startswith("step "):
            match = EVAL_LINE.match(line)
            assert match, f"not an evaluation line: {line!r}"
            found.append(match.groups())
    return found


def parameters(path: Path) -> dict[str, np.ndarray]:
    return {name: value.numpy() for name, value in tg.load(path)["model"].items()}


# --------------------------------------------------------------------------------------------- a run's output


def test_prints_a_line_per_evaluation_then_the_final_loss_the_time_per_step_and_the_sample(text, capsys):
    result = shakespeare.main(options(text, steps=25, interval=10))
    lines = capsys.readouterr().out.splitlines()
    assert [(step, steps) for step, steps, *_ in evaluations("\n".join(lines))] == [("10", "25"), ("20", "25"),
                                                                                  ("25", "25")]
    header = next(i for i, line in enumerate(lines) if line.startswith("sample (40 characters"))
    assert FINAL_LINE.match(lines[header - 2]).group(1) == evaluations("\n".join(lines))[-1][3]
    assert TIME_LINE.match(lines[header - 1]), lines[header - 1]
    assert "\n".join(lines[header + 1:]) == result["sample"]
    assert result["history"]["step"] == [10, 20, 25]


@pytest.mark.parametrize("model", ["gpt", "lstm"])
def test_the_loss_falls_well_below_a_uniform_guess_on_a_repetitive_text(model, text, capsys):
    result = shakespeare.main([*options(text, model, steps=60, interval=30), "--lr", "1e-2", "--min-lr", "1e-3"])
    uniform = math.log(len(set(TEXT)))  # the loss of predicting every character equally likely
    losses = result["history"]["val_loss"]
    assert losses[-1] < losses[0] and losses[-1] < uniform / 2, (losses, uniform)


def test_a_run_is_determined_by_its_seed(text, capsys):
    first, again, other = (shakespeare.main(arguments) for arguments in (options(text), options(text),
                                                                          [*options(text), "--seed", "1"]))
    for result in (first, again, other):
        result["history"].pop("seconds")
    assert first == again
    assert first["history"]["val_loss"] != other["history"]["val_loss"] and first["sample"] != other["sample"]


# --------------------------------------------------------------------------------------------- the schedule


def test_the_learning_rate_warms_up_linearly_then_falls_on_a_cosine_to_min_lr_at_the_last_step():
    steps, warmup, lr, min_lr = 50, 10, 1e-3, 1e-4
    optimizer = optim.AdamW([nn.Parameter(tg.zeros(2))], lr=lr)
    scheduler = optim.lr_scheduler.LambdaLR(optimizer, shakespeare.WarmupCosine(warmup, steps, min_lr / lr))
    used = []
    for _ in range(steps):
        used.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    s = np.arange(steps)
    expected = np.where(s < warmup, lr * (s + 1) / warmup,
                        min_lr + (lr - min_lr) * (1 + np.cos(np.pi * (s - warmup) / (steps - 1 - warmup))) / 2)
    np.testing.assert_allclose(used, expected, rtol=1e-12)
    assert used[warmup - 1] == used[warmup] == lr and math.isclose(used[-1], min_lr, rel_tol=1e-12)


# --------------------------------------------------------------------------------------------- the sample


def test_the_sample_has_n_characters_of_the_texts_vocabulary(text, capsys):
    sample = shakespeare.main([*options(text), "--sample", "123", "--prompt", "the "])["sample"]
    assert len(sample) == 123 and set(sample) <= set(TEXT)


def test_top_k_1_samples_the_likeliest_character_each_time_whatever_the_generator():
    tg.manual_seed(0)
    model = shakespeare.CharLSTM(5, embedding=4, hidden=8, layers=1)
    samples = [shakespeare.generate(model, [0, 1], 12, 4, 1.0, 1, tg.Generator().manual_seed(seed))
               for seed in (0, 1)]
    context = [0, 1]
    with tg.no_grad():
        for _ in range(12):
            context.append(int(model(tg.tensor([context[-4:]]))[0, -1].argmax().item()))
    assert samples[0] == samples[1] == context[2:]


def test_a_prompt_with_a_character_outside_the_vocabulary_exits_naming_it(text):
    with pytest.raises(SystemExit, match=re.escape("--prompt: character 'Z' is not in the")):
        shakespeare.main([*options(text), "--prompt", "Zounds"])


# --------------------------------------------------------------------------------------------- checkpoints


def run_interrupted_after_first_checkpoint(arguments: list[str], monkeypatch) -> None:
    """Run with Ctrl-C pressed just after the first evaluation's checkpoint (as its metrics are written)."""
    writes = []
    write_metrics = shakespeare.write_metrics

    def interrupting(*args):
        writes.append(args)
        if len(writes) == 2:  # the first is the empty table written at the start
            raise KeyboardInterrupt
        write_metrics(*args)

    with monkeypatch.context() as patch:
        patch.setattr(shakespeare, "write_metrics", interrupting)
        with pytest.raises(KeyboardInterrupt):
            shakespeare.main(arguments)


@pytest.mark.parametrize("model", ["gpt", "lstm"])
def test_resuming_half_way_ends_bit_for_bit_where_the_whole_run_does(model, text, tmp_path, monkeypatch, capsys):
    # Dropout draws from the library's generator (between the LSTM's layers: two of them).
    arguments = [*options(text, model), "--layers", "2", "--dropout", "0.1", "--metrics", str(tmp_path / "m.csv")]
    whole = shakespeare.main([*arguments, "--save", str(tmp_path / "whole.ck")])
    printed = evaluations(capsys.readouterr().out)

    run_interrupted_after_first_checkpoint([*arguments, "--save", str(tmp_path / "half.ck")], monkeypatch)
    first_half = capsys.readouterr()
    resumed = shakespeare.main([*arguments, "--resume", str(tmp_path / "half.ck")])
    second_half = capsys.readouterr().out

    assert "resumed" in second_half and evaluations(first_half.out) + evaluations(second_half) == printed
    assert f"interrupted after step 10; {tmp_path / 'half.ck'} holds step 10: add --resume" in first_half.err
    whole_parameters, resumed_parameters = parameters(tmp_path / "whole.ck"), parameters(tmp_path / "half.ck")
    assert all(np.array_equal(whole_parameters[name], resumed_parameters[name]) for name in whole_parameters)
    assert resumed["sample"] == whole["sample"] and resumed["history"]["val_loss"] == whole["history"]["val_loss"]


def test_ctrl_c_during_the_steps_says_how_many_were_done_and_that_no_checkpoint_is_written_yet(
        text, tmp_path, monkeypatch, capsys):
    draws = []
    draw_batch = shakespeare.draw_batch

    def interrupting(*args):
        draws.append(args)
        if len(draws) == 5:
            raise KeyboardInterrupt
        return draw_batch(*args)

    monkeypatch.setattr(shakespeare, "draw_batch", interrupting)
    with pytest.raises(KeyboardInterrupt):
        shakespeare.main([*options(text), "--save", str(tmp_path / "run.ck")])
    assert ("interrupted after step 4; no checkpoint written yet (--save writes one at every evaluation)"
            in capsys.readouterr().err)
    assert not (tmp_path / "run.ck").exists()


@pytest.mark.parametrize("option, value", [("--lr", "0.002"), ("--steps", "30"), ("--seed", "1"),
                                           ("--block-size", "6")])
def test_resuming_with_other_run_options_exits_naming_the_option(option, value, text, tmp_path, monkeypatch,
                                                                 capsys):
    checkpoint = tmp_path / "run.ck"
    run_interrupted_after_first_checkpoint([*options(text), "--save", str(checkpoint), "--metrics",
                                            str(tmp_path / "m.csv")], monkeypatch)
    with pytest.raises(SystemExit, match=re.escape(f"cannot resume: {checkpoint}: a checkpoint of another run, "
                                                   f"made with {option} ")):
        shakespeare.main([*options(text), option, value, "--resume", str(checkpoint)])


def test_resuming_from_a_checkpoint_this_example_did_not_write_exits_saying_so(text, tmp_path):
    other = tmp_path / "weights.ck"
    tg.save({"weight": tg.zeros(2, 2)}, other)
    with pytest.raises(SystemExit, match=re.escape(f"cannot resume: {other}: not a checkpoint written by --save")):
        shakespeare.main([*options(text), "--resume", str(other)])


DAMAGES = {
    "no timing entry": (lambda ck: ck.pop("timing"), "no 'timing' entry"),
    "a history column missing": (lambda ck: ck["history"].pop("val_loss"), "no 'val_loss' column"),
    "steps not increasing": (lambda ck: ck["history"]["step"].__setitem__(0, 0), "steps are not increasing"),
    "a step time missing": (lambda ck: ck["timing"]["step_seconds"].pop(), "one time per step done"),
    "a generator state missing": (lambda ck: ck["random"].pop("batches"), "no 'batches' generator state"),
    "a parameter missing": (lambda ck: ck["model"].pop("h.0.ln_1.weight"), "its 'model' entry does not load"),
    "a generator state of another size": (lambda ck: ck["random"].update(evaluation=tg.zeros(3, dtype=tg.uint8)),
                                          "its 'evaluation' generator state does not load"),
}
"""Ways a checkpoint can be damaged (an edit of what tg.load returns), and what the message must say."""


@pytest.mark.parametrize("damage", DAMAGES)
def test_resuming_a_damaged_checkpoint_exits_with_one_line_naming_the_file_and_the_problem(
        damage, text, tmp_path, monkeypatch, capsys):
    edit, problem = DAMAGES[damage]
    checkpoint = tmp_path / "run.ck"
    shakespeare.main([*options(text, steps=10), "--sample", "0", "--save", str(checkpoint)])
    saved = tg.load(checkpoint)
    edit(saved)
    tg.save(saved, checkpoint)
    with pytest.raises(SystemExit) as exited:
        shakespeare.main([*options(text, steps=10), "--sample", "0", "--resume", str(checkpoint)])
    message = exited.value.code
    assert message.startswith(f"cannot resume: {checkpoint}: ") and problem in message and "\n" not in message


# --------------------------------------------------------------------------------------------- --metrics


def test_metrics_has_a_row_per_evaluation_equal_to_the_printed_lines(text, tmp_path, capsys):
    path = tmp_path / "metrics.csv"
    shakespeare.main([*options(text, steps=25), "--metrics", str(path)])
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["step", "train_loss", "val_loss", "seconds", "lr"]
    assert [(row["step"], f"{float(row['train_loss']):.4f}", f"{float(row['val_loss']):.4f}",
             f"{float(row['lr']):.3g}") for row in rows] == [(step, train, val, lr) for step, _, train, val, lr
                                                           in evaluations(capsys.readouterr().out)]
    seconds = [float(row["seconds"]) for row in rows]
    assert 0 < seconds[0] < seconds[1] < seconds[2]
    assert math.isclose(float(rows[-1]["lr"]), 1e-4)  # the last step's: --min-lr


def test_plot_writes_a_png_of_the_loss_curves(text, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    image = tmp_path / "curves.png"
    shakespeare.main([*options(text), "--plot", str(image)])
    assert f"loss curves written to {image}" in capsys.readouterr().out
    assert image.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_plot_without_matplotlib_is_an_argparse_error(text, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    with pytest.raises(SystemExit) as exited:
        shakespeare.main([*options(text), "--plot", str(tmp_path / "curves.png")])
    assert exited.value.code == 2 and "--plot needs matplotlib" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------- bad options


@pytest.mark.parametrize("arguments, message", [
    (["--steps", "0"], "--steps must be positive"),
    (["--batch-size", "-1"], "--batch-size must be positive"),
    (["--block-size", "0"], "--block-size must be positive"),
    (["--eval-interval", "0"], "--eval-interval must be positive"),
    (["--lr", "nan"], "--lr must be a positive finite number"),
    (["--min-lr", "0.1"], "--min-lr 0.1 must not exceed --lr 0.001"),
    (["--warmup", "20"], "--warmup must lie in [0, --steps)"),
    (["--clip", "-1"], "--clip must be finite and not negative"),
    (["--dropout", "1"], "--dropout must lie in [0, 1)"),
    (["--heads", "3"], "--embedding 16 must be a multiple of --heads 3"),
    (["--model", "lstm", "--heads", "2"], "--heads is not an option of --model lstm"),
    (["--hidden", "8"], "--hidden is not an option of --model gpt"),
    (["--temperature", "0"], "--temperature must be a positive finite number"),
    (["--top-k", "0"], "--top-k must be positive"),
    (["--seed", "-1"], "--seed must not be negative"),
    (["--text", "missing.txt"], "--text missing.txt: no such file"),
    (["--save", "missing/run.ck"], "--save missing/run.ck: no such directory"),
    (["--resume", "missing.ck"], "--resume missing.ck: no such file"),
])
def test_bad_options_are_argparse_errors(arguments, message, text, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        shakespeare.main([*options(text, steps=20), *arguments])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert f"error: {message}" in captured.err and captured.out == ""


def test_a_block_size_too_long_for_the_text_exits_with_one_line(text, capsys):
    with pytest.raises(SystemExit) as exited:
        shakespeare.main([*options(text), "--block-size", str(len(TEXT) // 10)])
    message = exited.value.code
    assert message.startswith(f"--block-size {len(TEXT) // 10}: too long for the text") and "\n" not in message


def test_a_text_that_is_not_utf8_is_a_dataset_error_naming_the_file(tmp_path):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Ça va, façade.\n".encode("latin-1") * 100)
    with pytest.raises(tg.DatasetError, match=re.escape(f"{latin1}: not UTF-8 text")):
        shakespeare.main(options(latin1))


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_a_non_finite_loss_stops_the_run_naming_the_step_and_the_learning_rate(text, capsys):
    with pytest.raises(SystemExit) as exited:
        shakespeare.main([*options(text), "--lr", "1e30", "--min-lr", "1e30", "--clip", "0"])
    message = exited.value.code
    assert re.match(r"training diverged: the training loss is \S+ at step \d+ \(learning rate 1e\+30 at that step\); "
                    r"try a smaller --lr \(gpt's default is 0.001\)$", message), message


# --------------------------------------------------------------------------------------------- progress


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_progress_line_counts_the_steps_to_the_next_evaluation(text, monkeypatch, capsys):
    terminal = FakeTTY()
    monkeypatch.setattr(sys, "stderr", terminal)
    shakespeare.main(options(text))
    assert "\rsteps 11-20: 10/10 steps  loss " in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\033[K")
