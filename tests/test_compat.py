"""The compatibility corpus: PyTorch training scripts that run on tinygrad_np with their imports as the only change.

Every script in tests/compat/ runs in its own process (its own seeds, default dtype and
imports), in an empty working folder, and checks at its end that it learned. Under PyTorch the
same files run through tests/compat/to_torch.py, which maps the import lines back; so a script
may mention tinygrad_np on its import lines only.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_np.data import mnist

REPO = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("to_torch", REPO / "tests" / "compat" / "to_torch.py")
to_torch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(to_torch)
SCRIPTS = to_torch.scripts()
ONE_THREAD = to_torch.ONE_THREAD
# Scripts that stop on a PyTorch feature tinygrad_np does not have yet, and which one.
MISSING = {
    "bigram_tensor_idioms.py": "Tensor.nelement, tg.multinomial, tg.tril and tg.allclose are missing",
    "cnn_adaptive_pool.py": "Tensor % int (Tensor.__mod__, torch.remainder) is missing",
    "samplers.py": "tg.bincount is missing",
}
RUNS = [pytest.param(path, id=path.name, marks=[pytest.mark.xfail(reason=MISSING[path.name], strict=True)]
                     if path.name in MISSING else []) for path in SCRIPTS]


def fashion_mnist_is_here() -> bool:
    """The four Fashion-MNIST files are in one of the places FashionMNIST looks without downloading."""
    places = [mnist.cache_dir(), mnist.SYSTEM_DATA_DIR]
    if os.environ.get(mnist.ENVIRONMENT_VARIABLE):
        places.insert(0, Path(os.environ[mnist.ENVIRONMENT_VARIABLE]))
    stems = [f"{split}-{kind}" for split in ("train", "t10k") for kind in ("images-idx3-ubyte", "labels-idx1-ubyte")]
    return any(all((place / "fashion-mnist" / stem).is_file() or (place / "fashion-mnist" / f"{stem}.gz").is_file()
                   for stem in stems) for place in places)


def test_the_corpus_has_at_least_twelve_scripts():
    assert len(SCRIPTS) >= 12


@pytest.mark.parametrize("script", RUNS)
def test_the_script_runs_to_the_end_and_learns(script, tmp_path):
    if "FashionMNIST" in script.read_text(encoding="utf-8") and not fashion_mnist_is_here():
        pytest.skip(f"Fashion-MNIST is not here: set {mnist.ENVIRONMENT_VARIABLE} to a folder holding fashion-mnist/")
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
