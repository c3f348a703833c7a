"""Train a multilayer perceptron on Fashion-MNIST (or MNIST), PyTorch-style, on the CPU.

    python examples/mnist_mlp.py                       # defaults: ~90% on Fashion-MNIST in 10 epochs
    python examples/mnist_mlp.py --dataset mnist       # ~98% with the same code
    python examples/mnist_mlp.py --paper               # the origin notebook's experiments, then and now

The data is found as tinygrad_np.data.MNIST describes (--data-dir, $TINYGRAD_NP_DATA,
~/.cache/tinygrad_np, /usr/share/datasets, then a download); docs/mnist.md has the details and
the measured results.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import tinygrad_np as tg
from tinygrad_np import nn

import training


def mlp(hidden: Sequence[int], inputs: int = 28 * 28, classes: int = 10) -> nn.Sequential:
    """Flatten, then Linear + ReLU for each hidden width, then a Linear to the class scores."""
    layers: list[nn.Module] = [nn.Flatten()]
    for width_in, width_out in zip([inputs, *hidden], hidden):
        layers += [nn.Linear(width_in, width_out), nn.ReLU()]
    layers.append(nn.Linear(hidden[-1] if hidden else inputs, classes))
    return nn.Sequential(*layers)


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    training.add_common_arguments(parser, epochs=None, batch_size=128, optimizer="adamw", label_smoothing=0.1,
                                  epochs_help="default 10; with --paper, 3 for each run")
    parser.add_argument("--hidden", type=int, nargs="+", default=[512, 256], metavar="WIDTH",
                        help="hidden layer widths (default: 512 256)")
    parser.add_argument("--paper", action="store_true", help="run the origin notebook's three experiments beside "
                        "the corrected ones and print one table (--epochs per run, default 3)")
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = 3 if args.paper else 10
    if args.paper and (args.plot or args.metrics or args.save or args.resume):
        parser.error("--plot, --metrics, --save and --resume are for a training run; --paper prints its table only")
    training.check_arguments(parser, args)
    if any(width <= 0 for width in args.hidden):
        parser.error("--hidden widths must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(argv)
    if args.paper:
        import paper

        paper.run(args, mlp)
        return
    tg.manual_seed(args.seed)
    training.run(args, mlp(args.hidden), run_options=("hidden",))


if __name__ == "__main__":
    training.script(main)
