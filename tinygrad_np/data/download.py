"""Fetch a file over HTTP(S) into place atomically, verifying its published MD5 or SHA-256 on the way."""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Sequence

from ..atomic import atomic_write
from ..errors import DatasetError

CHUNK = 1 << 20


def download(
    url: str,
    destination: str | os.PathLike,
    md5: str | None = None,
    timeout: float = 30.0,
    *,
    sha256: str | None = None,
) -> None:
    """Download `url` to `destination` if its checksum is `md5` (or `sha256`: give exactly one);
    otherwise leave `destination` untouched.

    The bytes go to a temporary file in the destination's directory and are renamed into place
    only when complete and verified, so an interrupted or corrupt download never appears there.
    Network errors propagate (URLError, HTTPError, TimeoutError); a checksum mismatch raises
    DatasetError.
    """
    if (md5 is None) == (sha256 is None):
        raise ValueError("download: give exactly one checksum, md5= or sha256=")
    algorithm, expected = ("MD5", md5) if md5 is not None else ("SHA-256", sha256)
    digest = hashlib.md5(usedforsecurity=False) if md5 is not None else hashlib.sha256()
    os.makedirs(os.path.dirname(os.path.abspath(destination)), exist_ok=True)
    with atomic_write(destination) as file, urllib.request.urlopen(url, timeout=timeout) as response:
        while chunk := response.read(CHUNK):
            digest.update(chunk)
            file.write(chunk)
        if digest.hexdigest() != expected:
            raise DatasetError(f"{url}: checksum mismatch ({algorithm} {digest.hexdigest()}, expected {expected})")


def download_from_mirrors(
    urls: Sequence[str], destination: str | os.PathLike, md5: str | None = None, *, sha256: str | None = None
) -> list[str]:
    """Try each URL in turn until one serves the file with the right checksum; [] then, otherwise
    every URL's failure ("url: error")."""
    failures = []
    for url in urls:
        try:
            download(url, destination, md5, sha256=sha256)
            return []
        except (OSError, DatasetError, urllib.error.URLError) as error:
            failures.append(f"{url}: {error}")
    return failures
