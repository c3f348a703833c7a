"""keep_freed_memory: malloc keeps freed memory, so a training step stops faulting pages back in.

The setting is process-wide, so each behaviour is observed in a fresh interpreter."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

import tinygrad_np as tg

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

FAULTS_PER_STEP = """
import resource, sys
import tinygrad_np as tg
if sys.argv[1] == "keep":
    assert tg.keep_freed_memory()
conv = tg.nn.Conv2d(16, 32, 3, padding=1)
x = tg.randn(64, 16, 14, 14, requires_grad=True)
def step():
    conv.zero_grad()
    x.grad = None
    conv(x).sum().backward()
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5)
"""


def faults_per_step(mode: str) -> float:
    result = subprocess.run([sys.executable, "-c", FAULTS_PER_STEP, mode], capture_output=True, text=True, check=True)
    return float(result.stdout)


@pytest.mark.skipif(not GLIBC, reason="the setting exists in glibc's malloc only")
def test_a_convolution_step_faults_no_pages_back_in_once_freed_memory_is_kept():
    default, kept = faults_per_step("default"), faults_per_step("keep")
    assert default > 500  # glibc's defaults return the step's big arrays to the OS ...
    assert kept < 50  # ... kept, the next step reuses them


@pytest.mark.skipif(not GLIBC, reason="the setting exists in glibc's malloc only")
def test_keep_freed_memory_says_it_took_effect_on_glibc():
    result = subprocess.run([sys.executable, "-c", "import tinygrad_np as tg; print(tg.keep_freed_memory(16))"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"


def test_keep_freed_memory_changes_nothing_and_says_so_off_linux(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert tg.keep_freed_memory() is False


@pytest.mark.parametrize("megabytes", [-1, 2048, 1.5, True, "64"])
def test_keep_freed_memory_refuses_an_amount_malloc_cannot_take(megabytes):
    with pytest.raises(ValueError, match="from 0 to 2047"):
        tg.keep_freed_memory(megabytes)
