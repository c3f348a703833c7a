"""The code in the docs pages runs and prints what the page says; their pictures and tables are the code's.

Every ```python block of a page runs, in order, in one namespace per page (a later block may use
names an earlier one defined), in a temporary working directory (examples write checkpoints).
A block fenced as ```output right after a python block is what that block prints: the test
compares it with the captured stdout, so printed values in the docs cannot go stale either.
Blocks fenced any other way (PyTorch code, shell commands) are not run.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_np as tg

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = ["nn.md", "optim.md", "from-the-notebook.md", "data.md", "seeing-inside.md", "pytorch.md", "distributions.md"]
FENCE = re.compile(r"^```([\w-]*)[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
# The pages assume NumPy's default print options and float32 as the default float dtype.
PRINT_OPTIONS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False, nanstr="nan",
                     infstr="inf", sign="-", floatmode="maxprec", legacy=False)


def blocks(text: str) -> list[tuple[int, str, str | None]]:
    """(line number, python code, expected output or None) for every python block of a page."""
    fences = [(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1, m.start(), m.end())
              for m in FENCE.finditer(text)]
    found = []
    for index, (language, body, line, _, end) in enumerate(fences):
        if language == "output":
            previous = fences[index - 1] if index else None
            if previous is None or previous[0] != "python" or text[previous[4]:fences[index][3]].strip():
                raise AssertionError(f"line {line}: an ```output block must directly follow a ```python block")
            continue
        if language != "python":
            continue
        following = fences[index + 1] if index + 1 < len(fences) else None
        expected = None
        if following is not None and following[0] == "output" and not text[end:following[3]].strip():
            expected = following[1]
        found.append((line, body, expected))
    return found


@pytest.mark.parametrize("page", PAGES)
def test_every_python_block_of_the_page_runs(page, tmp_path, monkeypatch):
    path = DOCS / page
    code_blocks = blocks(path.read_text(encoding="utf-8"))
    assert code_blocks, f"{page} has no python blocks"
    monkeypatch.chdir(tmp_path)
    previous_dtype = tg.get_default_dtype()
    tg.set_default_dtype(tg.float32)
    namespace: dict = {"__name__": f"docs_{page}"}
    try:
        for line, code, expected in code_blocks:
            stdout = io.StringIO()
            with contextlib.redirect_stdout(stdout), np.printoptions(**PRINT_OPTIONS):
                try:
                    exec(compile(code, f"{path}:{line}", "exec"), namespace)
                except Exception as error:
                    raise AssertionError(f"the python block at {page}:{line} raised {error!r}") from error
            if expected is not None:
                got = [row.rstrip() for row in stdout.getvalue().rstrip().splitlines()]
                want = [row.rstrip() for row in expected.rstrip().splitlines()]
                assert got == want, f"the python block at {page}:{line} printed something else than its output block"
    finally:
        tg.set_default_dtype(previous_dtype)


def test_output_blocks_are_checked():
    """The extraction pairs an output block with its python block, and only then."""
    page = "text\n```python\nprint(1)\n```\n```output\n1\n```\n```\nnot run\n```\n```python\nx = 2\n```\n"
    assert blocks(page) == [(2, "print(1)\n", "1\n"), (11, "x = 2\n", None)]
    with pytest.raises(AssertionError, match="must directly follow"):
        blocks("```text\nx\n```\n```output\n1\n```\n")


# ---------------------------------------------------------------------------------------------- docs/figures.py


@pytest.fixture(scope="module")
def figures():
    sys.path.insert(0, str(DOCS))
    try:
        import figures
    finally:
        sys.path.remove(str(DOCS))
    return figures


def test_the_committed_graph_is_to_dot_of_the_mlp_examples_training_step(figures):
    assert figures.GRAPH.read_text() == figures.example_graph()


def test_the_profile_table_of_seeing_inside_has_the_calls_of_a_profiled_step(figures):
    text = (DOCS / "seeing-inside.md").read_text(encoding="utf-8")
    table = next(body for language, body in FENCE.findall(text) if body.startswith("profile:"))
    documented = [tuple(line.split()[:3]) for line in table.splitlines()[2:]]
    measured = [(row.op, row.phase, str(row.calls)) for row in figures.profiled_step().rows]
    assert sorted(documented) == sorted(("(outside", "ops)", "-") if op == "(outside ops)" else (op, phase, calls)
                                        for op, phase, calls in measured)
