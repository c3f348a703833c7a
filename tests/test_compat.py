"""The compatibility corpus: PyTorch training scripts that run on tinygrad_np with their imports as the only change.

Every script in tests/compat/ runs in its own process (its own seeds, default dtype and
imports), in an empty working folder, and checks at its end that it learned. Under PyTorch the
same files run through tests/compat/to_torch.py, which maps the import lines back; so a script
may mention tinygrad_np on its import lines only.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import os
import pickle
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import tinygrad_np as tg
from tinygrad_np.data import folders
from tinygrad_np.utils.data import TensorDataset

REPO = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("to_torch", REPO / "tests" / "compat" / "to_torch.py")
to_torch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(to_torch)
SCRIPTS = to_torch.scripts()
ONE_THREAD = to_torch.ONE_THREAD


def fashion_mnist_is_here() -> bool:
    """The four Fashion-MNIST files are in one of the places FashionMNIST looks without downloading."""
    places = [folders.cache_dir(), folders.SYSTEM_DATA_DIR]
    if os.environ.get(folders.ENVIRONMENT_VARIABLE):
        places.insert(0, Path(os.environ[folders.ENVIRONMENT_VARIABLE]))
    stems = [f"{split}-{kind}" for split in ("train", "t10k") for kind in ("images-idx3-ubyte", "labels-idx1-ubyte")]
    return any(all((place / "fashion-mnist" / stem).is_file() or (place / "fashion-mnist" / f"{stem}.gz").is_file()
                   for stem in stems) for place in places)


def test_the_corpus_has_at_least_twelve_scripts():
    assert len(SCRIPTS) >= 12


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_the_script_runs_to_the_end_and_learns(script, tmp_path):
    if "FashionMNIST" in script.read_text(encoding="utf-8") and not fashion_mnist_is_here():
        pytest.skip(f"Fashion-MNIST is not here: set {folders.ENVIRONMENT_VARIABLE} to a folder holding fashion-mnist/")
    if "input.txt" in script.read_text(encoding="utf-8"):
        to_torch.lay_out_tiny_shakespeare(tmp_path)
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    environment = {**os.environ, **ONE_THREAD, "PYTHONPATH": path}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=environment, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"{script.name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_the_script_mentions_tinygrad_np_on_its_import_lines_only(script):
    source = script.read_text(encoding="utf-8")
    elsewhere = [f"line {number}: {line}" for number, line in enumerate(source.splitlines(), 1)
                 if re.search("tinygrad", line, re.IGNORECASE) and not to_torch.IMPORT_LINE.match(line)]
    assert elsewhere == []
    assert not re.search("tinygrad", to_torch.translate(source), re.IGNORECASE)


def test_translate_maps_tinygrad_np_data_to_torchvision_and_the_rest_to_torch():
    source = ("import tinygrad_np as torch\n"
              "import tinygrad_np.nn.functional as F\n"
              "from tinygrad_np import nn, optim\n"
              "from tinygrad_np.data import datasets, transforms\n"
              "from tinygrad_np.utils.data import (\n"
              "    DataLoader,\n"
              ")\n"
              "x = 'tinygrad_np'\n")
    assert to_torch.translate(source) == ("import torch as torch\n"
                                          "import torch.nn.functional as F\n"
                                          "from torch import nn, optim\n"
                                          "from torchvision import datasets, transforms\n"
                                          "from torch.utils.data import (\n"
                                          "    DataLoader,\n"
                                          ")\n"
                                          "x = 'tinygrad_np'\n")


# ============================================================================ docs/pytorch.md's tables

GUIDE = REPO / "docs" / "pytorch.md"
HEADER = "| PyTorch | status | notes |"
ERROR_MODULES = [builtins, tg, tg.errors, importlib.import_module("tinygrad_np.device")]  # tg.device is the class


def guide_rows() -> list[tuple[str, list[str]]]:
    """(status, the first cell's backticked items) for every row of the guide's status tables."""
    rows, in_table = [], False
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.startswith(HEADER):
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table and not line.startswith("|---"):
            first, status, _ = (cell.strip() for cell in line.strip("|").split(" | ", 2))
            rows.append((status, re.findall(r"`([^`]+)`", first)))
    return rows


def rows_with(status: str) -> list[str]:
    return [item for row_status, items in guide_rows() if row_status.startswith(status) for item in items]


def refused_rows() -> list[tuple[str, str]]:
    return [(items[0], re.fullmatch(r"refused: `(\w+)`", status).group(1))
            for status, items in guide_rows() if status.startswith("refused")]


def resolve(name: str):
    """The tinygrad_np object at a PyTorch path: `torch.` read as `tinygrad_np.`, `torchvision.` as `tg.data.`."""
    path = re.sub(r"^torchvision\.", "tinygrad_np.data.", re.sub(r"^torch\.", "tinygrad_np.", name))
    parts = path.split(".")
    found = importlib.import_module(parts[0])
    for index, part in enumerate(parts[1:], 2):
        try:
            found = getattr(found, part)
        except AttributeError:
            found = importlib.import_module(".".join(parts[:index]))
    return found


def snippet_namespace(tmp_path: Path) -> dict:
    pickled = tmp_path / "from_pytorch.pt"
    with zipfile.ZipFile(pickled, "w") as archive:  # the layout of a torch.save file: a pickle in a zip
        archive.writestr("archive/data.pkl", pickle.dumps({"weight": [1.0, 2.0]}))
    return {"torch": tg, "model": tg.nn.Linear(2, 2), "dataset": TensorDataset(tg.zeros(4, 2)),
            "pickled_file": str(pickled)}


def test_the_guide_has_rows_of_every_status():
    statuses = {status.split(":")[0] for status, _ in guide_rows()}
    assert statuses == {"supported", "accepted", "refused", "absent"}


@pytest.mark.parametrize("name", rows_with("supported"))
def test_a_name_the_guide_calls_supported_exists_at_pytorchs_path(name):
    assert re.fullmatch(r"[\w.]+", name), f"{name!r}: a supported row names PyTorch objects by their paths"
    resolve(name)


@pytest.mark.parametrize("name", rows_with("absent"))
def test_a_name_the_guide_calls_absent_does_not_exist(name):
    try:
        resolve(name)
    except (AttributeError, ModuleNotFoundError):
        return
    pytest.fail(f"docs/pytorch.md calls {name} absent, but tinygrad_np has it now: list it as supported")


@pytest.mark.parametrize("line", rows_with("accepted"))
def test_a_line_the_guide_calls_accepted_runs(line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tg.backends.cudnn, "benchmark", tg.backends.cudnn.benchmark)  # a row sets it
    exec(line, snippet_namespace(tmp_path))


@pytest.mark.parametrize(("line", "error"), refused_rows())
def test_a_line_the_guide_calls_refused_raises_the_error_it_names_in_one_line(line, error, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expected = next(getattr(module, error) for module in ERROR_MODULES if hasattr(module, error))
    with pytest.raises(expected) as raised:
        exec(line, snippet_namespace(tmp_path))
    assert "\n" not in str(raised.value)
    assert not list(tmp_path.glob("model.pt"))


def test_the_guide_gives_figures_for_every_script_of_the_corpus():
    text = GUIDE.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| \[`(\w+\.py)`\]", text, re.M))
    assert listed == {path.name for path in SCRIPTS}
