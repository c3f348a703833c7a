"""`mnist_mlp.py --paper`: the origin notebook's three experiments, as it ran them and corrected.

The notebook trained with raw 0-255 pixels, weights drawn from randn, batches of 8, and its
own optimizers. Each experiment runs twice on the same data, for the same number of epochs:
- notebook-style: those settings, with its learning rates and its optimizers' update rules
  (its Adam had no bias correction and never updated the biases);
- corrected: inputs normalised to mean 0 and standard deviation 1, PyTorch's initialisation
  (nn.Linear's default), PyTorch's optimizers with learning rates suited to them.
The figures the notebook reported on MNIST are printed beside them for reference.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import tinygrad_np as tg
from tinygrad_np import nn, optim
from tinygrad_np.data import DataLoader, TensorDataset

import training

BATCH_SIZE = 8
STYLES = {"notebook": "raw 0-255 pixels, randn weights, zero biases",
          "corrected": "normalised pixels, PyTorch's initialisation"}


class NotebookAdam(optim.Optimizer):
    """The notebook's Adam, kept to show what it did: Adam without the bias corrections.

        m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   θ ← θ − γ·m / (√v + ε)

    Early on m and v are biased towards 0, and the step is (1 − β₁ᵗ)/√(1 − β₂ᵗ) times the
    corrected one: 3.2 at the first step, 6.6 near step 12 (docs/optim.md). The notebook gave it
    only the weights, so the biases kept their initial values; `notebook_adam` does the same.
    """

    def __init__(self, params, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})

    def update(self, param, grad, state, group) -> None:
        if not state:
            state["exp_avg"], state["exp_avg_sq"] = np.zeros_like(grad), np.zeros_like(grad)
        (beta1, beta2), m, v = group["betas"], state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad * grad
        param.data -= group["lr"] * m / (np.sqrt(v) + group["eps"])


def notebook_adam(model: nn.Module, lr: float) -> optim.Optimizer:
    return NotebookAdam([p for name, p in model.named_parameters() if name.endswith("weight")], lr=lr)


@dataclass
class Experiment:
    optimizer: str
    hidden: list[int]
    train_size: int | None  # None: the whole split
    test_size: int | None
    notebook: Callable[[nn.Module], optim.Optimizer]
    notebook_settings: str
    corrected: Callable[[nn.Module], optim.Optimizer]
    corrected_settings: str
    reference: str  # what the notebook reported on MNIST


EXPERIMENTS = [
    Experiment("RMSprop", [512, 512, 256, 128], None, None,
               lambda m: optim.RMSprop(m.parameters(), lr=1e-5), "RMSprop lr 1e-5",
               lambda m: optim.RMSprop(m.parameters(), lr=1e-4), "RMSprop lr 1e-4",
               "~85% after 13 epochs, 90% at 75"),
    Experiment("SGD", [512, 256, 256, 128], 8000, 2000,
               lambda m: optim.SGD(m.parameters(), lr=1e-8), "SGD lr 1e-8",
               lambda m: optim.SGD(m.parameters(), lr=0.01, momentum=0.9), "SGD lr 0.01, momentum 0.9",
               "~78.7% after 13 epochs"),
    Experiment("Adam", [512, 256, 256, 128], 8000, 2000,
               lambda m: notebook_adam(m, lr=1e-5), "Adam lr 1e-5, no bias correction, biases frozen",
               lambda m: optim.Adam(m.parameters(), lr=1e-4), "Adam lr 1e-4",
               "75.55% after 100 epochs"),
]


def randn_init(model: nn.Module) -> None:
    """The notebook's initialisation: every weight from N(0, 1), biases 0."""
    for name, parameter in model.named_parameters():
        parameter.data[...] = tg.randn(*parameter.shape) if name.endswith("weight") else 0.0


def pixels(dataset, size: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The first `size` images as float32 rows of raw 0-255 pixels, and their labels."""
    images = dataset.data.numpy()[:size].reshape(-1, 28 * 28).astype(np.float32)
    return images, dataset.targets.numpy()[:size]


def train(experiment: Experiment, style: str, data: dict[str, tuple[np.ndarray, np.ndarray]],
          build_model: Callable[[list[int]], nn.Module], args: argparse.Namespace,
          progress: training.Progress) -> list[float]:
    """One run of `experiment` in `style` ('notebook' or 'corrected'); the test accuracy after each epoch."""
    tg.manual_seed(args.seed)
    model = build_model(experiment.hidden)
    if style == "notebook":
        randn_init(model)
        optimizer = experiment.notebook(model)
    else:
        optimizer = experiment.corrected(model)
    mean, std = training.PIXEL_STATISTICS[args.dataset]
    prepare = (lambda x: x) if style == "notebook" else (lambda x: (x / 255 - mean) / std)
    train_set, test_set = (TensorDataset(*data[split]) for split in ("train", "test"))
    loader = DataLoader(train_set, batch_size=BATCH_SIZE, shuffle=True, generator=np.random.default_rng(args.seed))
    test_loader = DataLoader(test_set, batch_size=1000)
    accuracies = []
    for epoch in range(1, args.epochs + 1):
        label = f"{experiment.optimizer}, {style}, epoch {epoch}/{args.epochs}"
        loss, train_acc = training.train_epoch(model, loader, optimizer, None, prepare, progress, label)
        test_acc = training.evaluate(model, test_loader, prepare)
        accuracies.append(test_acc)
        print(f"{label}: train loss {loss:.4g}  train acc {100 * train_acc:.2f}%  test acc {100 * test_acc:.2f}%",
              flush=True)
    return accuracies


def run(args: argparse.Namespace, build_model: Callable[[list[int]], nn.Module]) -> None:
    """Every experiment in both styles, with `build_model(hidden)` making the nets; then one table."""
    full_train, full_test = training.load_datasets(args.dataset, args.data_dir)
    progress = training.Progress()
    rows, started = [], time.perf_counter()
    for experiment in EXPERIMENTS:
        sizes = (experiment.train_size, experiment.test_size)
        data = {"train": pixels(full_train, sizes[0]), "test": pixels(full_test, sizes[1])}
        results = {style: train(experiment, style, data, build_model, args, progress)
                   for style in ("notebook", "corrected")}
        net = "-".join(map(str, [784, *experiment.hidden, 10]))
        rows.append([
            experiment.optimizer, net, f"{len(data['train'][1]):,}/{len(data['test'][1]):,}",
            f"{100 * results['notebook'][-1]:.2f}%", f"{100 * results['corrected'][0]:.2f}%",
            f"{100 * results['corrected'][-1]:.2f}%", experiment.reference,
        ])
    epochs = f"{args.epochs} epoch{'s' * (args.epochs != 1)}"
    header = ["experiment", "net", "train/test", f"notebook-style, {epochs}", "corrected, 1 epoch",
              f"corrected, {epochs}", "the notebook on MNIST"]
    print(f"\n{args.dataset}, batch {BATCH_SIZE}, seed {args.seed}, {training.minutes(time.perf_counter() - started)}:")
    print(training.format_table(header, rows, left=2))
    for style in ("notebook", "corrected"):
        settings = "; ".join(getattr(e, f"{style}_settings") for e in EXPERIMENTS)
        inputs = STYLES[style]
        print(f"{style}{'-style' * (style == 'notebook')}: {inputs}; {settings}")
