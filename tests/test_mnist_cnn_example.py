"""examples/mnist_cnn.py, run in-process on small synthetic MNIST-format data: the net's shapes, what
a run prints, that it learns, that it resumes bit for bit and that its own options are checked.
The options, progress display and checkpoints it shares with mnist_mlp.py are tested in
test_mnist_example.py; as there, neither real data nor the network can be reached."""

import sys
from pathlib import Path

import numpy as np
import pytest
from data_files import isolate_from_real_data, write_idx, write_mnist_folder
from test_mnist_example import checkpoint_parameters, final_accuracy, learnable_arrays, metrics

import tinygrad_np as tg
from tinygrad_np import nn

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))

import mnist_cnn  # noqa: E402

import training  # noqa: E402

TINY = ["--channels", "2", "4", "--hidden", "8", "--batch-size", "32"]


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    isolate_from_real_data(tmp_path, monkeypatch)
    return tmp_path


@pytest.fixture
def data_dir(tmp_path):
    root = tmp_path / "data"
    write_mnist_folder(root / "fashion-mnist", n_train=128, n_test=32)
    return root


def test_cnn_is_conv_relu_pool_blocks_then_an_mlp_head_giving_ten_class_scores():
    net = mnist_cnn.cnn((4, 8), hidden=16)
    kinds = [type(layer) for layer in net]
    assert kinds == [nn.Conv2d, nn.ReLU, nn.MaxPool2d] * 2 + [nn.Flatten, nn.Linear, nn.ReLU, nn.Linear]
    assert net[0].weight.shape == (4, 1, 3, 3) and net[3].weight.shape == (8, 4, 3, 3)
    assert net[7].weight.shape == (16, 8 * 7 * 7)
    assert net(tg.zeros(5, 1, 28, 28)).shape == (5, 10)


def test_prints_one_line_per_epoch_and_the_final_test_accuracy_last(data_dir, capsys):
    mnist_cnn.main(["--data-dir", str(data_dir), "--epochs", "2", *TINY])

    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(f"fashion-mnist: 128 training / 32 test images from {data_dir}")
    lines = metrics(out)
    assert [line[:2] for line in lines] == [("1", "2"), ("2", "2")]
    assert final_accuracy(out) == lines[-1][4]


def test_training_learns_a_learnable_task(tmp_path, capsys):
    folder = tmp_path / "data" / "mnist"
    for prefix, n, seed in (("train", 256, 0), ("t10k", 64, 1)):
        images, labels = learnable_arrays(n, seed)
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images, gz=True)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels, gz=True)

    mnist_cnn.main(["--dataset", "mnist", "--data-dir", str(folder.parent), "--epochs", "4", "--lr", "0.01", *TINY])

    out = capsys.readouterr().out
    losses = [float(line[2]) for line in metrics(out)]
    assert losses[-1] < losses[0], out
    assert float(final_accuracy(out)) >= 60.0, out  # chance is 10%


def test_resume_continues_exactly_where_an_interrupted_run_stopped(data_dir, tmp_path, monkeypatch, capsys):
    options = ["--data-dir", str(data_dir), "--epochs", "2", *TINY]
    uninterrupted = tmp_path / "a.ck"
    mnist_cnn.main([*options, "--save", str(uninterrupted)])
    expected = metrics(capsys.readouterr().out)

    checkpoint = tmp_path / "b.ck"
    train_epoch, calls = training.train_epoch, []

    def interrupted_on_the_second_epoch(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return train_epoch(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(training, "train_epoch", interrupted_on_the_second_epoch)
        with pytest.raises(KeyboardInterrupt):
            mnist_cnn.main([*options, "--save", str(checkpoint)])
    capsys.readouterr()

    mnist_cnn.main([*options, "--resume", str(checkpoint)])

    out = capsys.readouterr().out
    assert metrics(out) == expected[1:]
    resumed, reference = checkpoint_parameters(checkpoint), checkpoint_parameters(uninterrupted)
    assert resumed.keys() == reference.keys()
    for name in reference:
        assert np.array_equal(resumed[name], reference[name]), name


def test_channels_and_hidden_must_be_positive(data_dir, capsys):
    for bad in (["--channels", "0"], ["--hidden", "0"]):
        with pytest.raises(SystemExit):
            mnist_cnn.main(["--data-dir", str(data_dir), *bad])
        assert "must be positive" in capsys.readouterr().err


def test_resuming_with_other_channels_exits_naming_the_option(data_dir, tmp_path, capsys):
    checkpoint = tmp_path / "ck"
    mnist_cnn.main(["--data-dir", str(data_dir), "--epochs", "1", *TINY, "--save", str(checkpoint)])
    capsys.readouterr()
    with pytest.raises(SystemExit, match=r"--channels \[2, 4\] \(given: \[3, 4\]\)"):
        mnist_cnn.main(["--data-dir", str(data_dir), "--epochs", "1", *TINY, "--channels", "3", "4",
                        "--resume", str(checkpoint)])
