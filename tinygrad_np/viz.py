"""Draw the autograd graph behind a tensor, as Graphviz DOT text or a rendered image.

Seeing the recorded graph answers questions that printing tensors cannot: which parameters
a loss depends on, where a broadcast inserted an Expand, why a gradient is None (the input
is not in the graph). `to_dot` needs nothing but this package, so its text can be checked
into docs or compared in tests; `render` hands that text to Graphviz's `dot` program, which
is found on PATH when called rather than made a dependency.

The drawing, in data-flow direction (inputs at the top, the output at the bottom):
- one box per op (a `Node` reachable from `tensor.grad_fn`), labelled with the op's
  name, output shape and dtype; the op that produced `tensor` has a double border;
- one ellipse per leaf tensor in the graph, labelled with its parameter name (when `params`
  names it), shape and dtype, filled light blue if it requires grad, and with "has .grad"
  once a backward pass has filled its `.grad`;
- one edge per recorded input slot, from the input's node to the op that consumed it. An op
  that uses one input twice (`x * x`) gets two parallel edges, so every op has exactly as
  many incoming edges as it has inputs in the graph. Inputs that needed no gradient were
  never recorded (their edge is None) and are not drawn.

Node ids are n0, n1, ... in the order a depth-first walk from the output first meets each
node, so the same computation always gives the same text.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
from collections.abc import Mapping

from .atomic import atomic_write
from .autograd.node import Node
from .tensor import Tensor

FORMATS = ("gif", "jpg", "pdf", "png", "ps", "svg")
"""Output formats `render` accepts: common ones every Graphviz build provides."""

INSTALL_HINT = (
    "Install Graphviz: Debian/Ubuntu `sudo apt-get install graphviz`; macOS `brew install graphviz`; "
    "conda `conda install graphviz`; other systems https://graphviz.org/download/ "
    "(the pip package `graphviz` is only a Python wrapper and does not include the `dot` program). "
    "to_dot() works without Graphviz: write its text to a .dot file and render that elsewhere, "
    "e.g. pathlib.Path('graph.dot').write_text(tinygrad_np.viz.to_dot(loss))."
)


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's `dot` program is not on PATH (a RuntimeError, so callers can catch either)."""


def to_dot(tensor: Tensor, params: Mapping[str, Tensor] | None = None) -> str:
    """The graph that produced `tensor`, as the text of a Graphviz `digraph`.

    `params` (e.g. `dict(model.named_parameters())`) names leaves; they are matched by
    identity, since tensors compare elementwise. A tensor without a grad_fn is drawn as its
    single leaf. The walk uses an explicit stack, so graphs of any depth work, also after
    backward() has released the saved arrays (edges and output shapes are kept).
    """
    names = {id(param): name for name, param in (params or {}).items()}
    root = tensor.grad_fn or tensor
    order: list[Node | Tensor] = [root]
    ids = {id(root): 0}
    edges: list[tuple[int, int]] = []
    stack = [root] if tensor.grad_fn is not None else []
    while stack:
        node = stack.pop()
        discovered = []
        for edge in node.next_edges:
            if edge is None:
                continue
            if id(edge) not in ids:
                ids[id(edge)] = len(order)
                order.append(edge)
                if isinstance(edge, Node):
                    discovered.append(edge)
            edges.append((ids[id(edge)], ids[id(node)]))
        stack.extend(reversed(discovered))  # the first input's subgraph is walked first
    lines = ["digraph autograd {", '  node [fontname="Helvetica", fontsize=10];']
    for index, node in enumerate(order):
        attributes = _op_attributes(node) if isinstance(node, Node) else _leaf_attributes(node, names)
        if index == 0:
            attributes["peripheries"] = "2"
        lines.append(f"  n{index} [{', '.join(f'{key}={value}' for key, value in attributes.items())}];")
    lines.extend(f"  n{source} -> n{target};" for source, target in edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(tensor: Tensor, path: str | os.PathLike, params: Mapping[str, Tensor] | None = None,
           format: str | None = None) -> pathlib.Path:
    """Draw `to_dot(tensor, params)` with Graphviz into `path`, and return it as a Path.

    The format is `format` or else the file's suffix (one of FORMATS). The file is written
    atomically and only after `dot` succeeded, so a failed render never leaves a partial file.
    Raises GraphvizNotFoundError (with install instructions) when `dot` is not on PATH, and
    RuntimeError with dot's error output when it fails.
    """
    path = pathlib.Path(path)
    format = (format or path.suffix.removeprefix(".")).lower()
    if format not in FORMATS:
        raise ValueError(f"render: cannot draw {str(path)!r} as {format or 'a file without a suffix'!r}; "
                         f"use a path ending in one of {', '.join('.' + f for f in FORMATS)} or pass format=")
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizNotFoundError(f"render() needs Graphviz's `dot` program, which is not on PATH. {INSTALL_HINT}")
    result = subprocess.run([dot, f"-T{format}"], input=to_dot(tensor, params).encode(), capture_output=True,
                            check=False)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip() or "no error output"
        raise RuntimeError(f"Graphviz {dot} -T{format} failed with exit status {result.returncode}: {message}")
    with atomic_write(path) as file:
        file.write(result.stdout)
    return path


def _op_attributes(node: Node) -> dict[str, str]:
    label = [type(node).__name__, f"{node.out_shape} {node.out_dtype}"]
    return {"label": _label(label), "shape": "box"}


def _leaf_attributes(leaf: Tensor, names: dict[int, str]) -> dict[str, str]:
    label = [f"{leaf._array.shape} {leaf.dtype}"]
    if id(leaf) in names:
        label.insert(0, names[id(leaf)])
    if leaf.grad is not None:
        label.append("has .grad")
    attributes = {"label": _label(label), "shape": "ellipse"}
    if leaf.requires_grad:
        attributes.update(style="filled", fillcolor="lightblue")
    return attributes


def _label(lines: list[str]) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks (also inside a name) as DOT's \\n."""
    text = "\n".join(lines).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "\\n".join(text.splitlines()) + '"'
