"""Tiny Shakespeare, the char-rnn corpus, as a character-level language-modelling dataset.

The file is one text of 1,115,394 characters (`input.txt`), looked for where every dataset is
(folders.py: `root`, `root/tinyshakespeare/`, `$TINYGRAD_NP_DATA/tinyshakespeare/`, the user
cache, `/usr/share/datasets/tinyshakespeare/`) and, with `download=True`, downloaded into the
user cache from the char-rnn repository, SHA-256-checked and written atomically. A file found
locally is SHA-256-checked as well: a corrupt copy is an error, never used.

Sample i of a split whose characters are c_0 .. c_{n-1} (as vocabulary indices) is the window
x = c_i .. c_{i+T-1} and its next characters y = c_{i+1} .. c_{i+T} (T = block_size), so a
model predicting y_t from x_0..x_t is trained on every position at once, as in char-rnn and
nanoGPT.
"""

from __future__ import annotations

import hashlib
import operator
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import DatasetError, DatasetNotFoundError
from ..tensor import Tensor, as_tensor
from .dataset import Dataset
from .download import download_from_mirrors
from .folders import cache_dir, fix_hint, not_found_message, search_path

SPLITS = ("train", "val")


class TinyShakespeare(Dataset):
    """Windows of `block_size` characters of tiny Shakespeare and the characters that follow them.

    `split="train"` is the first `train_fraction` of the text (int(train_fraction * 1,115,394)
    characters, as nanoGPT cuts it), `split="val"` the rest; there is no separate test part.
    `chars` is the sorted vocabulary of the whole file (65 characters, shared by both splits),
    `stoi`/`itos` map characters to indices and back, `encode`/`decode` convert text. `text` is
    the split's text, `data` its characters' indices (int64 Tensor); `dataset[i]` is
    `(data[i : i+T], data[i+1 : i+T+1])`, both int64 (T,), for T = `block_size`, and
    `len(dataset) == len(data) - T`. `get_batch` makes a whole batch with one NumPy gather.

    A subclass with its own `name`, `mirrors`, `filename` and `sha256` reads another text corpus.
    """

    name = "tinyshakespeare"
    title = "Tiny Shakespeare"
    filename = "input.txt"
    mirrors = ("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/",)
    sha256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"

    def __init__(
        self,
        root: str | os.PathLike | None = None,
        split: str = "train",
        block_size: int = 64,
        train_fraction: float = 0.9,
        download: bool = False,
    ) -> None:
        if split not in SPLITS:
            raise ValueError(
                f"split must be 'train' or 'val', got {split!r} (tiny Shakespeare has no separate test part: "
                "the text after the training part is 'val')"
            )
        if isinstance(train_fraction, bool) or not isinstance(train_fraction, (int, float, np.floating)):
            raise TypeError(f"train_fraction must be a number in (0, 1), got {type(train_fraction).__name__}")
        if not 0 < train_fraction < 1:
            raise ValueError(f"train_fraction must lie in (0, 1) (exclusive), got {train_fraction}")
        if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)):
            raise TypeError(f"block_size must be an int, got {type(block_size).__name__}")
        self.root = root
        self.split = split
        self.block_size = int(block_size)
        self.train_fraction = float(train_fraction)
        self.folder = self._find() or self._download(download)
        whole = self._read(self.folder / self.filename)

        vocabulary, indices = _vocabulary_indices(whole)
        self.chars = [chr(code) for code in vocabulary]
        self.vocab_size = len(self.chars)
        self.stoi = {char: index for index, char in enumerate(self.chars)}
        self.itos = dict(enumerate(self.chars))
        self._vocabulary = np.array(self.chars)

        cut = int(self.train_fraction * len(whole))
        part = slice(0, cut) if split == "train" else slice(cut, len(whole))
        self.text = whole[part]
        self.data = as_tensor(indices.astype(np.int64, copy=False)[part])
        if not 1 <= self.block_size < len(self.text):
            raise ValueError(
                f"block_size must lie in [1, {len(self.text)}) for the {split} split of {len(self.text)} characters "
                f"(each sample is block_size characters and the one after them), got {self.block_size}"
            )
        self._windows = sliding_window_view(self.data._array, self.block_size)

    # ------------------------------------------------------------------ text

    def encode(self, text: str) -> list[int]:
        """The vocabulary index of each character of `text`; KeyError for a character not in it."""
        try:
            return [self.stoi[char] for char in text]
        except KeyError as error:
            unknown = error.args[0]
            raise KeyError(f"character {unknown!r} is not in the {self.vocab_size}-character vocabulary") from None

    def decode(self, indices: Iterable[int] | Tensor | np.ndarray) -> str:
        """The text of vocabulary indices (ints, or a 1-D integer Tensor or array); KeyError for an
        index outside [0, vocab_size)."""
        if isinstance(indices, Tensor):
            values = indices._array
        else:
            values = np.asarray(indices if isinstance(indices, np.ndarray) else list(indices))
        if values.ndim != 1 or (values.size and values.dtype.kind not in "iu"):
            raise ValueError(f"decode: expected a 1-D sequence of integer indices, got {values.dtype} {values.shape}")
        outside = (values < 0) | (values >= self.vocab_size)
        if outside.any():
            raise KeyError(f"index {int(values[outside][0])} is not in the vocabulary [0, {self.vocab_size})")
        return "".join(self._vocabulary[values.astype(np.int64)])

    # ------------------------------------------------------------------ samples

    def __len__(self) -> int:
        return self._windows.shape[0] - 1

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        position = operator.index(index)
        size = len(self)
        if not -size <= position < size:
            raise IndexError(f"index {position} is out of range for {size} samples")
        position %= size
        return as_tensor(self._windows[position].copy()), as_tensor(self._windows[position + 1].copy())

    def get_batch(self, index: np.ndarray | slice) -> tuple[Tensor, Tensor]:
        """The samples at `index` (a slice, or an integer array) stacked: x and y int64 (B, block_size)."""
        size = len(self)
        if isinstance(index, slice):
            positions = np.arange(*index.indices(size))
        else:
            positions = np.asarray(index, dtype=np.int64)
            if positions.size and not (-size <= positions.min() and positions.max() < size):
                raise IndexError(f"indices must lie in [-{size}, {size}) for {size} samples")
            positions = positions % size
        return as_tensor(self._windows[positions]), as_tensor(self._windows[positions + 1])

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}", f"Number of datapoints: {len(self)}", f"Split: {self.split}",
                 f"Block size: {self.block_size}", f"Folder: {self.folder}"]
        return "\n    ".join(lines)

    # ------------------------------------------------------------------ finding and checking the file

    def search_path(self) -> list[tuple[Path, str]]:
        """Every folder looked in, in order, with why it is on the list."""
        return search_path(self.name, self.root)

    def _find(self) -> Path | None:
        return next((folder for folder, _ in self.search_path() if (folder / self.filename).is_file()), None)

    def _download(self, allowed: bool) -> Path:
        failures: list[str] = []
        folder = cache_dir() / self.name
        if allowed:
            urls = [f"{mirror}{self.filename}" for mirror in self.mirrors]
            failures = download_from_mirrors(urls, folder / self.filename, sha256=self.sha256)
            if not failures:
                return folder
        missing = f"{self.title} ({self.filename}) not found."
        raise DatasetNotFoundError(
            not_found_message(missing, self.name, self.search_path(), allowed, failures, self.mirrors[0])
        )

    def _read(self, path: Path) -> str:
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        if digest != self.sha256:
            raise DatasetError(
                f"{path}: checksum mismatch (SHA-256 {digest}, expected {self.sha256}): a corrupt or different "
                f"file; {fix_hint(path, self.name)}"
            )
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DatasetError(f"{path}: not UTF-8 text ({error}); {fix_hint(path, self.name)}") from None


def _vocabulary_indices(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct code points of `text` and each character's index among them: a
    presence table over code points and its running count (linear; np.unique would sort)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    present = np.zeros(int(codes.max(initial=0)) + 1, dtype=bool)
    present[codes] = True
    return np.flatnonzero(present), np.cumsum(present)[codes] - 1
