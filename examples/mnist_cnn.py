"""Train a small convolutional network on Fashion-MNIST (or MNIST), PyTorch-style, on the CPU.

    python examples/mnist_cnn.py                       # defaults: ~91.5% on Fashion-MNIST in 8 epochs
    python examples/mnist_cnn.py --dataset mnist       # ~99% with the same code

A LeNet-style net: two blocks of 3x3 convolution, ReLU and 2x2 max pooling, then an MLP head.
The options, the progress display and the checkpoints are mnist_mlp.py's (examples/training.py);
docs/mnist.md has the details and the measured results.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import tinygrad_np as tg
from tinygrad_np import nn

import training


def cnn(channels: Sequence[int] = (16, 32), hidden: int = 128, classes: int = 10, size: int = 28) -> nn.Sequential:
    """For each width in `channels`: Conv2d 3x3 (padding 1, so the size is kept), ReLU, MaxPool2d 2
    (halving it); then Flatten, Linear to `hidden`, ReLU and a Linear to the class scores."""
    layers: list[nn.Module] = []
    for width_in, width_out in zip([1, *channels], channels):
        layers += [nn.Conv2d(width_in, width_out, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        size //= 2
    layers += [nn.Flatten(), nn.Linear(channels[-1] * size * size, hidden), nn.ReLU(), nn.Linear(hidden, classes)]
    return nn.Sequential(*layers)


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    training.add_common_arguments(parser, epochs=8, batch_size=128, optimizer="adamw", label_smoothing=0.1)
    parser.add_argument("--channels", type=int, nargs="+", default=[16, 32], metavar="WIDTH",
                        help="output channels of each convolution block (default: 16 32)")
    parser.add_argument("--hidden", type=int, default=128, help="width of the head's hidden layer (default 128)")
    args = parser.parse_args(argv)
    training.check_arguments(parser, args)
    if any(width <= 0 for width in args.channels) or args.hidden <= 0:
        parser.error("--channels and --hidden must be positive")
    if len(args.channels) > 4:
        parser.error("--channels: at most 4 blocks (each halves the 28-pixel image)")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(argv)
    tg.manual_seed(args.seed)
    training.run(args, cnn(args.channels, args.hidden), run_options=("channels", "hidden"))


if __name__ == "__main__":
    training.script(main)
