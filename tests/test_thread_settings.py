"""The thread and determinism settings of PyTorch scripts (tinygrad_np/threads.py): accepted
with PyTorch's checks, and doing what the module says they do, no more."""

import pytest

import tinygrad_np as tg
from tinygrad_np import threads


@pytest.fixture(autouse=True)
def restore_settings(monkeypatch):
    for name in ("_threads", "_interop_threads"):
        monkeypatch.setattr(threads, name, None)
    monkeypatch.setattr(threads, "_deterministic", {"mode": False, "warn_only": False})
    yield
    if threads.BLAS_LIMITED:
        threads.threadpoolctl.threadpool_limits(limits=threads._default_threads(), user_api="blas")


def test_get_num_threads_is_a_positive_count():
    assert tg.get_num_threads() >= 1


@pytest.mark.skipif(threads.BLAS_LIMITED, reason="threadpoolctl is installed: the count is applied")
def test_without_threadpoolctl_the_count_is_recorded_and_read_back():
    tg.set_num_threads(1)
    assert tg.get_num_threads() == 1


@pytest.mark.skipif(not threads.BLAS_LIMITED, reason="threadpoolctl is not installed")
def test_with_threadpoolctl_the_count_limits_numpys_blas():
    tg.set_num_threads(1)
    pools = threads.threadpoolctl.threadpool_info()
    assert [pool["num_threads"] for pool in pools if pool["user_api"] == "blas"] == [1]


@pytest.mark.parametrize("count", [0, -1])
def test_a_thread_count_must_be_positive(count):
    with pytest.raises(RuntimeError, match="set_num_threads expects a positive integer"):
        tg.set_num_threads(count)


def test_a_thread_count_must_be_an_int():
    with pytest.raises(RuntimeError, match="expects an int, but got float"):
        tg.set_num_threads(1.5)


def test_interop_threads_are_recorded():
    tg.set_num_interop_threads(3)
    assert tg.get_num_interop_threads() == 3


def test_interop_threads_can_be_set_only_once():
    tg.set_num_interop_threads(2)
    with pytest.raises(RuntimeError, match="cannot set number of interop threads"):
        tg.set_num_interop_threads(2)


def test_deterministic_algorithms_are_off_until_asked_for():
    assert not tg.are_deterministic_algorithms_enabled()
    tg.use_deterministic_algorithms(True)
    assert tg.are_deterministic_algorithms_enabled()
    assert not tg.is_deterministic_algorithms_warn_only_enabled()


def test_warn_only_is_recorded_with_the_mode():
    tg.use_deterministic_algorithms(True, warn_only=True)
    assert tg.is_deterministic_algorithms_warn_only_enabled()
    tg.use_deterministic_algorithms(False)
    assert not tg.is_deterministic_algorithms_warn_only_enabled()


def test_the_mode_must_be_a_bool():
    with pytest.raises(TypeError, match="'mode' must be bool, not int"):
        tg.use_deterministic_algorithms(1)
