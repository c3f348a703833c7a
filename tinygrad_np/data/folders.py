"""Where the datasets' files are looked for, and what to say when they are nowhere.

Every file-backed dataset (MNIST, FashionMNIST, TinyShakespeare) looks, in order, in:
1. `root` and `root/<name>/` (plus any layout of its own under root), when `root` is given;
2. `$TINYGRAD_NP_DATA/<name>/`;
3. the user cache `~/.cache/tinygrad_np/<name>/`, where downloads go;
4. `/usr/share/datasets/<name>/` (SYSTEM_DATA_DIR), where Debian's dataset packages install.
Tests point HOME, the variable and `folders.SYSTEM_DATA_DIR` elsewhere to hide the machine's copies.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

ENVIRONMENT_VARIABLE = "TINYGRAD_NP_DATA"
SYSTEM_DATA_DIR = Path("/usr/share/datasets")


def cache_dir() -> Path:
    """The user cache that downloads go to: `~/.cache/tinygrad_np`."""
    return Path.home() / ".cache" / "tinygrad_np"


def search_path(
    name: str,
    root: str | os.PathLike | None,
    root_layouts: Sequence[tuple[str, str]] = (),
    debian_package: str | None = None,
) -> list[tuple[Path, str]]:
    """Every folder `name`'s files are looked for in, in order, each with why it is on the list.

    `root_layouts` are extra (subfolder, why) pairs under `root`, looked in after `root/<name>/`.
    """
    folders: list[tuple[Path, str]] = []
    if root is not None:
        root = Path(root)
        folders += [(root, "root argument"), (root / name, "root argument")]
        folders += [(root / subfolder, why) for subfolder, why in root_layouts]
    variable = os.environ.get(ENVIRONMENT_VARIABLE)
    if variable:
        folders.append((Path(variable) / name, f"${ENVIRONMENT_VARIABLE}"))
    folders.append((cache_dir() / name, "user cache"))
    system = "system datasets" + (f", Debian package {debian_package}" if debian_package else "")
    folders.append((SYSTEM_DATA_DIR / name, system))
    return folders


def not_found_message(
    missing: str,
    name: str,
    folders: list[tuple[Path, str]],
    download_allowed: bool,
    failures: Sequence[str],
    source: str,
    debian_package: str | None = None,
) -> str:
    """The DatasetNotFoundError text: `missing` (what was not found), every folder looked in, each
    download attempt or why there was none, and the ways to supply the files (`source`: where to
    download them from)."""
    listed = [f"  - {folder} ({why})" for folder, why in folders]
    variable_value = os.environ.get(ENVIRONMENT_VARIABLE)
    if not variable_value:
        listed.insert(-2, f"  - ${ENVIRONMENT_VARIABLE}/{name} (not set)")
    looked = "\n".join(listed)
    if not download_allowed:
        attempts = "  not attempted (download=False)"
    else:
        attempts = "\n".join(f"  - {failure}" for failure in failures)
    variable = f"currently {variable_value!r}" if variable_value else "not set"
    routes = [
        f"pass root=DIR (the examples' --data-dir DIR) with the files in DIR or DIR/{name}/",
        f"or put them in DIR/{name}/ and set {ENVIRONMENT_VARIABLE}=DIR ({variable})",
        f"or download them from {source} into {cache_dir() / name}/",
    ]
    if debian_package:
        routes.append(f"or install Debian's package: sudo apt-get install {debian_package}")
    how = "\n".join(f"  - {route}" for route in routes)
    return f"{missing}\nLooked in:\n{looked}\nDownload:\n{attempts}\nTo supply the files:\n{how}"


def fix_hint(path: Path, name: str, debian_package: str | None = None) -> str:
    """What to do about the bad file at `path` of dataset `name`."""
    if debian_package and path.parent == SYSTEM_DATA_DIR / name:
        return f"reinstall it (sudo apt-get install --reinstall {debian_package})"
    return f"delete it and run again with download=True, or replace it with a good copy of {path.name}"
