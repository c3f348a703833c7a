"""Run compatibility scripts under real PyTorch: their import lines mapped back, nothing else changed.

    /path/to/python-with-torch tests/compat/to_torch.py [script.py ...]   (default: every script)

Each script runs in its own process, in a fresh temporary folder, after `translate` has rewritten
its import lines (`tinygrad_np.data` -> `torchvision`, any other `tinygrad_np` -> `torch`), with one
thread (ONE_THREAD, as tests/test_compat.py runs them); its last printed line (its figures) is
shown. That the corpus runs unchanged under PyTorch is what makes it a test of tinygrad_np's
compatibility rather than of scripts written for tinygrad_np.

Fashion-MNIST for torchvision: with `$TINYGRAD_NP_DATA/fashion-mnist/` present, its IDX files are
decompressed into `data/FashionMNIST/raw/` of the script's folder, where torchvision looks for them.
Tiny Shakespeare: with `$TINYGRAD_NP_DATA/tinyshakespeare/input.txt` present, it is copied into the
folder of a script that reads `input.txt` (as tests/test_compat.py does for tinygrad_np).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The corpus's matrices are small: extra BLAS or OpenMP threads only contend for a shared machine's cores
# (a 64x784 by 784x128 product took 30 times longer with two threads than with one on a busy 2-core machine).
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
IMPORT_LINE = re.compile(
    r"^(?:import tinygrad_np(?:\.[\w.]+)?(?: as \w+)?|from tinygrad_np(?:\.[\w.]+)? import (?:\(|[\w, ]+))$"
)


def scripts() -> list[Path]:
    """Every script of the corpus (this tool excluded)."""
    return sorted(path for path in HERE.glob("*.py") if path.name != Path(__file__).name)


def translate(source: str) -> str:
    """The script as written for PyTorch: `tinygrad_np.data` is torchvision, the rest of tinygrad_np is torch."""
    lines = []
    for line in source.splitlines(keepends=True):
        if IMPORT_LINE.match(line.rstrip("\n")):
            line = line.replace("from tinygrad_np.data import", "from torchvision import")
            line = line.replace("tinygrad_np", "torch")
        lines.append(line)
    return "".join(lines)


def import_torchvision() -> None:
    """Import torchvision even when its compiled operators do not load (a CUDA build beside a CPU torch).

    The datasets and transforms the corpus uses are pure Python; only the registration of the
    detection operators fails, so that registration is skipped.
    """
    try:
        import torchvision  # noqa: F401
    except RuntimeError:
        import torch.library

        for name in [name for name in sys.modules if name.split(".")[0] == "torchvision"]:
            del sys.modules[name]
        register_fake = torch.library.register_fake
        torch.library.register_fake = lambda *args, **kwargs: (lambda function: function)
        try:
            import torchvision  # noqa: F401
        finally:
            torch.library.register_fake = register_fake


def lay_out_fashion_mnist(folder: Path) -> None:
    """torchvision's layout of Fashion-MNIST under `folder/data`, from $TINYGRAD_NP_DATA/fashion-mnist."""
    source = Path(os.environ.get("TINYGRAD_NP_DATA", "/nonexistent")) / "fashion-mnist"
    if not source.is_dir():
        return
    raw = folder / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for archive in source.glob("*-ubyte.gz"):
        with gzip.open(archive) as compressed, open(raw / archive.name[: -len(".gz")], "wb") as out:
            shutil.copyfileobj(compressed, out)


def lay_out_tiny_shakespeare(folder: Path) -> None:
    """char-rnn's input.txt in `folder`, where char-level scripts read it, from $TINYGRAD_NP_DATA/tinyshakespeare."""
    source = Path(os.environ.get("TINYGRAD_NP_DATA", "/nonexistent")) / "tinyshakespeare" / "input.txt"
    if source.is_file():
        shutil.copyfile(source, folder / "input.txt")


def run_one(path: Path) -> None:
    """Run one translated script as __main__ (in this process, in the current folder)."""
    source = translate(path.read_text(encoding="utf-8"))
    if "torchvision" in source:
        import_torchvision()
    exec(compile(source, str(path), "exec"), {"__name__": "__main__", "__file__": str(path)})


def main(arguments: list[str]) -> int:
    if len(arguments) == 2 and arguments[0] == "--run":
        run_one(Path(arguments[1]))
        return 0
    failures = 0
    for path in [Path(argument).resolve() for argument in arguments] or scripts():
        with tempfile.TemporaryDirectory() as folder:
            if "FashionMNIST" in path.read_text(encoding="utf-8"):
                lay_out_fashion_mnist(Path(folder))
            if "input.txt" in path.read_text(encoding="utf-8"):
                lay_out_tiny_shakespeare(Path(folder))
            start = time.perf_counter()
            done = subprocess.run([sys.executable, __file__, "--run", str(path)], cwd=folder, capture_output=True,
                                  text=True, env={**os.environ, **ONE_THREAD})
            seconds = time.perf_counter() - start
        lines = (done.stdout + done.stderr).strip().splitlines() or [""]
        status = "ok" if done.returncode == 0 else f"FAILED ({done.returncode})"
        print(f"{path.name:32} {status:12} {seconds:5.1f} s  {lines[-1]}")
        failures += done.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
