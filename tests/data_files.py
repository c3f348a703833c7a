"""Helpers for the dataset tests: small synthetic MNIST-format IDX files, and a local HTTP server.

Nothing here touches the internet: the server listens on 127.0.0.1 on a free port and serves a
folder the test wrote, and can be told to answer 404 or to serve corrupted bytes for some files.

    images, labels = write_mnist_split(folder, train=True, n=5)        # train-*-ubyte.gz in folder
    written = write_mnist_folder(folder, n_train=5, n_test=3)          # both splits
    with serve(folder, missing={"t10k-labels-idx1-ubyte.gz"}, corrupt={ALL}) as server:
        ...  # server.url == "http://127.0.0.1:PORT/", server.requests lists the paths asked for
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import os
import socket
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

# IDX type code -> the big-endian dtype it stores.
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
IMAGE_SHAPE = (28, 28)
N_CLASSES = 10
ALL = "*"  # in `missing` or `corrupt`: every path


def split_stems(train: bool) -> tuple[str, str]:
    """The images and labels file names (without .gz) of the training or test split."""
    prefix = "train" if train else "t10k"
    return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


def idx_header(type_code: int, shape: tuple[int, ...]) -> bytes:
    """The IDX header: two zero bytes, the type code, the number of dims, each size as big-endian uint32."""
    return bytes([0, 0, type_code, len(shape)]) + np.asarray(shape, dtype=">u4").tobytes()


def idx_bytes(array: np.ndarray, type_code: int | None = None) -> bytes:
    """`array` encoded as an IDX file (header + big-endian items). The type code defaults to the one of its dtype."""
    array = np.asarray(array)
    if type_code is None:
        type_code = next(code for code, dtype in IDX_TYPES.items() if np.dtype(dtype) == array.dtype.newbyteorder(">"))
    return idx_header(type_code, array.shape) + array.astype(IDX_TYPES[type_code]).tobytes()


def gzip_bytes(content: bytes) -> bytes:
    """`content` gzip-compressed, deterministically (mtime 0), so the same content has the same MD5."""
    return gzip.compress(content, mtime=0)


def write_bytes(path: str | os.PathLike, content: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def write_idx(path: str | os.PathLike, array: np.ndarray, gz: bool = False, type_code: int | None = None) -> Path:
    """Write `array` as an IDX file at `path` (gzipped if `gz`; the name is used as given). Returns the path."""
    content = idx_bytes(array, type_code)
    return write_bytes(path, gzip_bytes(content) if gz else content)


def mnist_arrays(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random images uint8 (n, 28, 28) covering 0 and 255, and labels uint8 (n,) in [0, 10)."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, *IMAGE_SHAPE), dtype=np.uint8)
    if n:
        images[0, 0, 0], images[0, 0, 1] = 0, 255
    labels = rng.integers(0, N_CLASSES, size=n, dtype=np.uint8)
    return images, labels


def write_mnist_split(
    folder: str | os.PathLike, train: bool = True, n: int = 5, seed: int = 0, gz: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Write one split's images and labels files into `folder` (created if needed); return (images, labels)."""
    images, labels = mnist_arrays(n, seed)
    suffix = ".gz" if gz else ""
    images_stem, labels_stem = split_stems(train)
    write_idx(Path(folder) / f"{images_stem}{suffix}", images, gz)
    write_idx(Path(folder) / f"{labels_stem}{suffix}", labels, gz)
    return images, labels


def write_mnist_folder(
    folder: str | os.PathLike, n_train: int = 6, n_test: int = 4, seed: int = 0, gz: bool = True
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Write both splits into `folder`; return {"train": (images, labels), "test": (images, labels)}."""
    return {
        "train": write_mnist_split(folder, True, n_train, seed, gz),
        "test": write_mnist_split(folder, False, n_test, seed + 1, gz),
    }


def md5_of(path: str | os.PathLike) -> str:
    return hashlib.md5(Path(path).read_bytes(), usedforsecurity=False).hexdigest()


def md5s(folder: str | os.PathLike) -> dict[str, str]:
    """{stem: MD5 of folder/stem.gz} for every .gz file in `folder`: the shape of the datasets' `md5` table."""
    return {path.name.removesuffix(".gz"): md5_of(path) for path in Path(folder).glob("*.gz")}


def corrupted(content: bytes) -> bytes:
    """`content` with its bytes flipped in the middle and at the end: same length, different MD5."""
    if not content:
        return b"\xff"
    flipped = bytearray(content)
    for position in {len(flipped) // 2, len(flipped) - 1}:
        flipped[position] ^= 0xFF
    return bytes(flipped)


class _Handler(http.server.SimpleHTTPRequestHandler):
    server: LocalServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        name = self.path.split("?", 1)[0].lstrip("/")
        self.server.requests.append(name)
        if self.server.matches(self.server.missing, name):
            self.send_error(404, "Not Found")
            return
        path = Path(self.translate_path(self.path))
        if path.is_file() and self.server.matches(self.server.corrupt, name):
            content = corrupted(path.read_bytes())
            self._send(content, len(content))
            return
        if path.is_file() and self.server.matches(self.server.truncate, name):
            content = path.read_bytes()
            self._send(content[: len(content) // 2], len(content))  # promises the whole file, then hangs up
            self.close_connection = True
            return
        super().do_GET()

    def _send(self, content: bytes, length: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(content)


class LocalServer(http.server.ThreadingHTTPServer):
    """A ThreadingHTTPServer serving `directory` on 127.0.0.1.

    `missing`, `corrupt` and `truncate` name request paths (relative, e.g. "t10k-labels-idx1-ubyte.gz", or ALL)
    to answer with 404, with the file's bytes corrupted (same length, different MD5), or with the first half
    of the file after promising all of it (a dropped connection). `requests` lists every path asked for.
    """

    daemon_threads = True

    def __init__(
        self,
        directory: str | os.PathLike,
        missing: Iterable[str] = (),
        corrupt: Iterable[str] = (),
        truncate: Iterable[str] = (),
    ):
        self.directory = str(directory)
        self.missing = set(missing)
        self.corrupt = set(corrupt)
        self.truncate = set(truncate)
        self.requests: list[str] = []
        handler = lambda *args, **kwargs: _Handler(*args, directory=self.directory, **kwargs)  # noqa: E731
        super().__init__(("127.0.0.1", 0), handler)

    @property
    def url(self) -> str:
        """The base URL, ending in a slash: `http://127.0.0.1:PORT/`."""
        return f"http://127.0.0.1:{self.server_address[1]}/"

    @staticmethod
    def matches(names: set[str], name: str) -> bool:
        return ALL in names or name in names

    def requested(self, name: str) -> bool:
        return name in self.requests


@contextlib.contextmanager
def serve(
    directory: str | os.PathLike, missing: Iterable[str] = (), corrupt: Iterable[str] = (), truncate: Iterable[str] = ()
) -> Iterator[LocalServer]:
    """Serve `directory` on 127.0.0.1 (a free port) in a background thread for the duration of the block.

    See LocalServer for `missing`, `corrupt` and `truncate`.
    """
    server = LocalServer(directory, missing, corrupt, truncate)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), name="local-http-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url() -> str:
    """`http://127.0.0.1:PORT/` for a port nothing listens on: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def forbid_internet(monkeypatch) -> None:
    """Make any connection to a host other than this machine fail loudly (for use in a fixture)."""
    original = socket.create_connection

    def local_only(address, *args, **kwargs):
        host = address[0]
        if host not in LOCAL_HOSTS:
            raise AssertionError(f"a test tried to reach {host}: tests must not touch the internet")
        return original(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only)


PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy",
                   "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def isolate_from_real_data(tmp_path: Path, monkeypatch) -> Path:
    """No real data and no network for this test: HOME is `tmp_path/home` (returned), $TINYGRAD_NP_DATA is
    unset, the system folder is `tmp_path/system`, no proxies, every mirror a closed local port, and any
    non-local connection fails. The machine's own Fashion-MNIST (Debian's package, a cache) or tiny
    Shakespeare can then never be found by accident."""
    from tinygrad_np.data import MNIST, FashionMNIST, TinyShakespeare, folders

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("TINYGRAD_NP_DATA", raising=False)
    monkeypatch.setattr(folders, "SYSTEM_DATA_DIR", tmp_path / "system")
    for variable in PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for dataset in (MNIST, FashionMNIST, TinyShakespeare):
        monkeypatch.setattr(dataset, "mirrors", (closed_port_url(),))
    forbid_internet(monkeypatch)
    return home
