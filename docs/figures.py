"""Regenerate the pictures and tables of docs/seeing-inside.md and docs/architecture.md from the code.

    python docs/figures.py            # the graph (.dot, and .svg when Graphviz is installed), the tables
    python docs/figures.py --curves   # also train examples/mnist_mlp.py to draw its curves (needs the data)

The graph is that of one training step of examples/mnist_mlp.py's model with its loss
(cross-entropy with label smoothing 0.1), drawn by tinygrad_np.viz.to_dot; tests/test_docs.py
checks that the committed .dot is still what to_dot gives. The tables are printed, to be pasted
into the page: the model summary (the page also runs it, and its test compares the output) and a
profile of one training step (times are this machine's; the calls are checked by the test).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
IMAGES = DOCS / "images"
sys.path.insert(0, str(DOCS.parent / "examples"))

import mnist_mlp  # noqa: E402

import tinygrad_np as tg  # noqa: E402
import tinygrad_np.nn.functional as F  # noqa: E402

GRAPH = IMAGES / "mnist_mlp_graph.dot"
BATCH = 128


def example_step() -> tuple[tg.nn.Module, tg.Tensor, tg.Tensor, tg.Tensor]:
    """mnist_mlp.py's default model (784-512-256-10), a batch shaped as the example's, and the loss
    its training loop computes."""
    tg.manual_seed(0)
    model = mnist_mlp.mlp((512, 256))
    images, labels = tg.rand(BATCH, 1, 28, 28), tg.randint(0, 10, (BATCH,))
    return model, images, labels, F.cross_entropy(model(images), labels, label_smoothing=0.1)


def example_graph() -> str:
    model, _, _, loss = example_step()
    return tg.viz.to_dot(loss, params=dict(model.named_parameters()))


def profiled_step() -> tg.profiler.profile:
    """One AdamW training step of the example's model, profiled after a warm-up step."""
    model, images, labels, _ = example_step()
    optimizer = tg.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05)

    def step() -> None:
        optimizer.zero_grad()
        F.cross_entropy(model(images), labels, label_smoothing=0.1).backward()
        optimizer.step()

    step()
    with tg.profiler.profile(print_table=False) as prof:
        step()
    return prof


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curves", action="store_true", help="also run the example to draw its training curves")
    args = parser.parse_args()
    IMAGES.mkdir(exist_ok=True)
    GRAPH.write_text(example_graph())
    print(f"wrote {GRAPH.relative_to(DOCS)}")
    model, _, _, loss = example_step()
    try:
        svg = tg.viz.render(loss, GRAPH.with_suffix(".svg"), params=dict(model.named_parameters()))
        print(f"wrote {svg.relative_to(DOCS)}")
    except tg.viz.GraphvizNotFoundError as error:
        print(f"no picture: {error}")
    print("\n" + str(model.summary((BATCH, 1, 28, 28))))
    print("\n" + profiled_step().table())
    if args.curves:
        subprocess.run([sys.executable, str(DOCS.parent / "examples" / "mnist_mlp.py"),
                        "--plot", str(IMAGES / "mnist_mlp_curves.png"),
                        "--metrics", str(IMAGES / "mnist_mlp_metrics.csv")], check=True)


if __name__ == "__main__":
    main()
