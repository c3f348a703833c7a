"""Fetch a file over HTTP(S) into place atomically, verifying its published MD5 on the way."""

from __future__ import annotations

import hashlib
import os
import urllib.request

from ..atomic import atomic_write
from ..errors import DatasetError

CHUNK = 1 << 20


def download(url: str, destination: str | os.PathLike, md5: str, timeout: float = 30.0) -> None:
    """Download `url` to `destination` if its MD5 is `md5`; otherwise leave `destination` untouched.

    The bytes go to a temporary file in the destination's directory and are renamed into place
    only when complete and verified, so an interrupted or corrupt download never appears there.
    Network errors propagate (URLError, HTTPError, TimeoutError); a checksum mismatch raises
    DatasetError.
    """
    os.makedirs(os.path.dirname(os.path.abspath(destination)), exist_ok=True)
    digest = hashlib.md5(usedforsecurity=False)
    with atomic_write(destination) as file, urllib.request.urlopen(url, timeout=timeout) as response:
        while chunk := response.read(CHUNK):
            digest.update(chunk)
            file.write(chunk)
        if digest.hexdigest() != md5:
            raise DatasetError(f"{url}: checksum mismatch (MD5 {digest.hexdigest()}, expected {md5})")
