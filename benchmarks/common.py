"""Helpers shared by the benchmark scripts in this folder: data, processes, CPU load, memory, tables.

    from common import data_folder, read_idx, table, thread_env, ...

It imports only the standard library and NumPy at module level (tinygrad_np only inside
data_folder), since the PyTorch workers, run by an interpreter without tinygrad_np, import it too.
The scripts run from this folder, which Python puts first on sys.path, so `import common` finds it.
"""

from __future__ import annotations

import gzip
import os
import resource
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TORCH_PYTHON = "/tmp/torchenv/bin/python"  # the default interpreter with torch for the PyTorch runs
PIXEL_MEAN, PIXEL_STD = 0.2860, 0.3530  # Fashion-MNIST's training pixels scaled to [0, 1] (examples/training.py)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# ---------------------------------------------------------------------------------------------- data


def data_folder(data_dir: Path | None, download: bool = True) -> Path:
    """The folder holding the Fashion-MNIST files, found the way the examples find it
    (tinygrad_np.data.FashionMNIST), after the project's shared copy ../shared/datasets (as
    .ci/run does) when neither `data_dir` nor $TINYGRAD_NP_DATA is set."""
    from tinygrad_np.data import FashionMNIST

    if data_dir is None and not os.environ.get("TINYGRAD_NP_DATA"):
        shared = REPO.parent / "shared" / "datasets"
        if (shared / "fashion-mnist").is_dir():
            data_dir = shared
    return Path(FashionMNIST(data_dir, train=False, download=download).folder)


def read_idx(folder: Path, stem: str) -> np.ndarray:
    """An IDX file of unsigned bytes `stem` (gzipped or not) from `folder`: big-endian header, then the items."""
    for path in (folder / f"{stem}.gz", folder / stem):
        if path.is_file():
            content = path.read_bytes()
            if content[:2] == b"\x1f\x8b":
                content = gzip.decompress(content)
            ndim = content[3]
            shape = tuple(int(size) for size in np.frombuffer(content, dtype=">u4", count=ndim, offset=4))
            assert content[2] == 0x08, f"{path}: expected unsigned bytes"
            return np.frombuffer(content, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape).copy()
    raise SystemExit(f"{folder}: no {stem}(.gz) there; pass the folder holding the Fashion-MNIST IDX files")


# ---------------------------------------------------------------------------------------------- processes and load


def thread_env(threads: int | None) -> dict[str, str]:
    """The environment of a measuring subprocess: BLAS/OpenMP limited to `threads` threads (None: as it is)."""
    limits = {} if threads is None else {name: str(threads) for name in THREAD_VARIABLES}
    return {**os.environ, **limits}


def allocator_env(megabytes: int) -> dict[str, str]:
    """Environment that makes glibc's malloc keep freed memory (read at startup), given to every
    implementation alike: what tinygrad_np.keep_freed_memory(megabytes) sets in-process (blocks up
    to 32 MB from the heap, up to `megabytes` of freed memory kept). 0: glibc's defaults."""
    if not megabytes:
        return {}
    return {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(megabytes << 20)}


def machine_busy_seconds() -> float | None:
    """CPU seconds every process on the machine has used since boot (Linux /proc/stat), or None."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    except (OSError, ValueError):
        return None
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's finished (waited-for) children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class LoadMeter:
    """How busy other processes keep the machine while this one runs children:

        meter = LoadMeter()
        subprocess.run(...)
        cores = meter.others_load()   # None where /proc/stat is unreadable

    the machine's busy CPU time minus the finished children's own, over the wall time, in cores."""

    def __init__(self) -> None:
        self.busy, self.ours, self.start = machine_busy_seconds(), children_cpu_seconds(), time.perf_counter()

    def others_load(self) -> float | None:
        wall = time.perf_counter() - self.start
        after = machine_busy_seconds()
        if self.busy is None or after is None:
            return None
        return max(after - self.busy - (children_cpu_seconds() - self.ours), 0.0) / wall


# ---------------------------------------------------------------------------------------------- memory


def alternating_order(impls: list[str], round_number: int) -> list[str]:
    """The order in which the implementations run in this round: rotated each round and reversed
    every other cycle, so each runs first and last equally often (warm caches, a spinning BLAS
    thread left by the previous one)."""
    order = impls[round_number % len(impls):] + impls[:round_number % len(impls)]
    if (round_number // len(impls)) % 2:
        order.reverse()
    return order


def print_others_load(busy_before: float | None, ours: float, wall: float, threads: int) -> None:
    """How busy other processes kept the cores while we measured (`ours`: our workers' CPU seconds),
    and a warning when that disturbed the timings."""
    busy_after = machine_busy_seconds()
    if busy_before is None or busy_after is None:
        return
    others = max(busy_after - busy_before - ours, 0.0) / wall
    print(f"\nwall time {wall:.0f} s; other processes kept {others:.2f} of the {os.cpu_count()} cores busy meanwhile")
    if others > 0.1:
        print("the timings were disturbed: trust the ratios more than the times"
              + (f"; with {threads} threads per worker, threads that lose their core stall the others"
                 " (try --threads 1)" if threads > 1 else ""))


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Restart the peak-RSS count from the current RSS (Linux: clear_refs 5 resets VmHWM, which
    ru_maxrss then follows), so that a later peak_rss_mb() is the peak since now. False where
    unsupported: ru_maxrss then still counts from the start of the process."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def current_rss_mb() -> float | None:
    """This process's resident memory now (Linux: /proc/self/statm), None where unavailable."""
    try:
        resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return resident_pages * resource.getpagesize() / 2**20


# ---------------------------------------------------------------------------------------------- output


def table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    """A plain-text table: the first `left` columns left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])
