"""tinygrad_np.viz: the DOT text of an autograd graph (node and edge counts of known graphs,
labels, marks, escaping, determinism, depth) and rendering it with Graphviz's `dot` (a real
SVG when dot is installed; the errors when it is missing, fails, or the format is unknown).

The DOT text is read back with the small parser below rather than compared to literal text,
so the tests pin down the graph, not the layout attributes."""

import collections
import os
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import tinygrad_np as tg
import tinygrad_np.viz as viz
from tinygrad_np.nn import functional as F

NODE = re.compile(r"^\s*(n\d+) \[(.*)\];$")
EDGE = re.compile(r"^\s*(n\d+) -> (n\d+);$")
ATTRIBUTE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,\s]+)')

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def parse(dot: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str]]]:
    """({node id: attributes with quoted values unescaped}, [(source, target)] in text order).
    Fails on any line that is neither a node nor an edge statement (nor the graph's frame)."""
    lines = dot.splitlines()
    assert lines[0] == "digraph autograd {" and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        if line.strip().startswith("node ["):
            continue
        if match := NODE.match(line):
            nodes[match[1]] = {key: unquote(value) for key, value in ATTRIBUTE.findall(match[2])}
        elif match := EDGE.match(line):
            edges.append((match[1], match[2]))
        else:
            raise AssertionError(f"not a DOT node or edge statement: {line!r}")
    return nodes, edges


def unquote(value: str) -> str:
    if not value.startswith('"'):
        return value
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], value[1:-1])


def graph(tensor, params=None):
    return parse(viz.to_dot(tensor, params))


def ops(nodes) -> list[str]:
    """The op names (first label line) of the box nodes."""
    return [node["label"].split("\n")[0] for node in nodes.values() if node["shape"] == "box"]


def leaves(nodes) -> dict[str, dict[str, str]]:
    return {key: node for key, node in nodes.items() if node["shape"] == "ellipse"}


def leaf(*shape, dtype=np.float32):
    return tg.tensor(np.ones(shape, dtype=dtype), requires_grad=True)


def model_and_loss():
    model = tg.nn.Sequential(tg.nn.Linear(4, 3), tg.nn.ReLU(), tg.nn.Linear(3, 2))
    loss = F.cross_entropy(model(tg.randn(5, 4)), tg.tensor([0, 1, 1, 0, 1]))
    return model, loss


# ------------------------------------------------------------------ graph shape


def test_tensor_without_grad_fn_is_a_single_leaf_node():
    nodes, edges = graph(leaf(3))
    assert list(nodes) == ["n0"] and nodes["n0"]["shape"] == "ellipse"
    assert edges == []


def test_product_of_two_leaves_is_one_op_with_an_edge_from_each_leaf():
    nodes, edges = graph(leaf(3) * leaf(3))
    assert ops(nodes) == ["Mul"] and len(leaves(nodes)) == 2
    assert sorted(edges) == [("n1", "n0"), ("n2", "n0")]


def test_square_has_one_edge_per_input_slot_from_the_same_leaf():
    x = leaf(3)
    nodes, edges = graph(x * x)
    assert ops(nodes) == ["Mul"] and len(leaves(nodes)) == 1
    assert edges == [("n1", "n0"), ("n1", "n0")]


def test_sequential_model_with_cross_entropy_has_the_ops_it_is_composed_of():
    _, loss = model_and_loss()
    nodes, edges = graph(loss)
    # Each Linear is F.linear: input @ weight.T + bias -> Permute (weight.T), MatMul, and for
    # the (out,) bias against the (5, out) product an Expand, then Add: 4 ops, 2 of them Linear's.
    # ReLU is one Relu. cross_entropy with class indices is log_softmax (LogSoftmax), then
    # nll_loss: gather (Index), squeeze (Reshape), negation (Neg), mean (Sum, then Div by the
    # count): 6 ops. In all 4 + 1 + 4 + 6 = 15 ops, and 4 leaves (the weights and biases; the
    # input needs no gradient so is not in the graph).
    assert collections.Counter(ops(nodes)) == {
        "Permute": 2, "MatMul": 2, "Expand": 2, "Add": 2, "Relu": 1,
        "LogSoftmax": 1, "Index": 1, "Reshape": 1, "Neg": 1, "Sum": 1, "Div": 1,
    }
    assert len(leaves(nodes)) == 4
    # One edge per input in the graph: Add and the second MatMul have 2, every other op 1
    # (the first MatMul's input x and Div's count are constants): 15 + 3 = 18.
    assert len(edges) == 18


def test_every_edge_joins_two_drawn_nodes_and_every_node_but_the_output_feeds_an_op():
    _, loss = model_and_loss()
    nodes, edges = graph(loss)
    assert {node for edge in edges for node in edge} == set(nodes)
    assert {source for source, _ in edges} == set(nodes) - {"n0"}


# ------------------------------------------------------------------ labels and marks


def test_parameter_names_label_leaves_when_params_are_given():
    model, loss = model_and_loss()
    named = graph(loss, dict(model.named_parameters()))[0]
    unnamed = graph(loss)[0]
    names = {node["label"].split("\n")[0] for node in leaves(named).values()}
    assert names == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert not any("weight" in node["label"] or "bias" in node["label"] for node in unnamed.values())


def test_params_are_matched_by_identity_not_by_equal_values():
    x = leaf(3)
    nodes, _ = graph(x * 2.0, {"copy": leaf(3)})
    assert "copy" not in leaves(nodes)["n1"]["label"]


def test_op_and_leaf_labels_carry_shape_and_dtype():
    a, b = leaf(128, 4, dtype=np.float64), leaf(4, 10, dtype=np.float64)
    nodes, _ = graph(a @ b)
    assert nodes["n0"]["label"] == "MatMul\n(128, 10) float64"
    assert sorted(node["label"] for node in leaves(nodes).values()) == ["(128, 4) float64", "(4, 10) float64"]


def test_gradient_carrying_leaves_are_filled_and_inputs_without_grad_are_absent():
    x, constant = leaf(3), tg.ones(3)
    nodes, edges = graph(x * constant)
    assert list(leaves(nodes)) == ["n1"]
    assert nodes["n1"]["style"] == "filled" and nodes["n1"]["fillcolor"] == "lightblue"
    assert edges == [("n1", "n0")]


def test_leaf_that_does_not_require_grad_is_not_filled():
    nodes, _ = graph(tg.ones(3))
    assert "style" not in nodes["n0"] and "fillcolor" not in nodes["n0"]


def test_leaves_say_they_hold_a_grad_after_backward_and_the_graph_is_unchanged():
    x, y = leaf(3), leaf(3)
    loss = (x * y).exp().sum()  # Mul and Exp save arrays that backward releases
    before_nodes, before_edges = graph(loss)
    loss.backward()
    after_nodes, after_edges = graph(loss)
    assert not any("has .grad" in node["label"] for node in before_nodes.values())
    assert all(node["label"].endswith("\nhas .grad") for node in leaves(after_nodes).values())
    assert ops(after_nodes) == ops(before_nodes) and after_edges == before_edges


def test_only_the_op_that_produced_the_tensor_has_a_double_border():
    x = leaf(3)
    nodes, _ = graph((x * x).exp())
    assert [key for key, node in nodes.items() if node.get("peripheries") == "2"] == ["n0"]
    assert nodes["n0"]["label"].startswith("Exp\n")


def test_labels_escape_quotes_backslashes_and_newlines():
    x = leaf(3)
    name = 'say "hi"\\n\nnext line'
    dot = viz.to_dot(x * 2.0, {name: x})
    nodes, _ = parse(dot)  # a raw newline inside a label would break the statement over two lines
    assert leaves(nodes)["n1"]["label"] == f"{name}\n(3,) float32"


# ------------------------------------------------------------------ determinism and depth


def test_the_same_computation_built_twice_gives_the_same_text():
    model_a, loss_a = model_and_loss()
    model_b, loss_b = model_and_loss()
    assert viz.to_dot(loss_a, dict(model_a.named_parameters())) == viz.to_dot(loss_b, dict(model_b.named_parameters()))


def test_chain_of_100000_ops_does_not_hit_the_recursion_limit():
    y = x = leaf(2)
    for _ in range(100_000):
        y = y.neg()
    nodes, edges = graph(y)
    assert len(nodes) == 100_001 and len(edges) == 100_000
    assert ("n100000", "n99999") in edges and leaves(nodes) == {"n100000": nodes["n100000"]}
    del x, y


# ------------------------------------------------------------------ render


@needs_dot
def test_render_writes_an_svg_when_dot_is_installed(tmp_path):
    x = leaf(3)
    path = tmp_path / "graph.svg"
    assert viz.render((x * x).sum(), path) == path
    assert ET.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"


@needs_dot
def test_render_format_argument_overrides_the_suffix(tmp_path):
    path = viz.render(leaf(3) * 2.0, tmp_path / "graph.out", format="svg")
    assert ET.parse(path).getroot().tag.endswith("svg")


def test_render_without_dot_raises_with_install_instructions(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError) as error:
        viz.render(leaf(3) * 2.0, tmp_path / "graph.svg")
    message = str(error.value)
    for hint in ("sudo apt-get install graphviz", "brew install graphviz", "conda install graphviz",
                 "https://graphviz.org/download/", "to_dot()"):
        assert hint in message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("filename", ["graph.xyz", "graph"])
def test_render_with_an_unknown_or_missing_suffix_raises_value_error_listing_the_formats(tmp_path, filename):
    with pytest.raises(ValueError, match=r"\.svg.*\.png|\.png.*\.svg") as error:
        viz.render(leaf(3) * 2.0, tmp_path / filename)
    assert ".pdf" in str(error.value)


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for dot")
def test_render_with_failing_dot_raises_its_error_output_and_leaves_no_file(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'Error: <stdin>: syntax error in line 3' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda name: str(fake))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RuntimeError, match="syntax error in line 3") as error:
        viz.render(leaf(3) * 2.0, out / "graph.svg")
    assert "exit status 3" in str(error.value)
    assert list(out.iterdir()) == []
