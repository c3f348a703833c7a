"""No accelerator: every way PyTorch scripts probe for one says no, seeding one does nothing
(as PyTorch's lazy CUDA seeding), and using one raises the device error."""

import pytest

import tinygrad_np as tg
import tinygrad_np.backends.cudnn as cudnn

PROBES = [tg.cuda.is_available, tg.xpu.is_available, tg.accelerator.is_available, tg.backends.mps.is_available,
          tg.backends.mps.is_built, cudnn.is_available]


@pytest.mark.parametrize("probe", PROBES)
def test_availability_probes_say_no(probe):
    assert probe() is False


@pytest.mark.parametrize("count", [tg.cuda.device_count, tg.xpu.device_count, tg.mps.device_count,
                                   tg.accelerator.device_count])
def test_there_are_no_accelerator_devices(count):
    assert count() == 0


def test_current_accelerator_is_none_so_scripts_fall_back_to_the_cpu():
    assert tg.accelerator.current_accelerator() is None


@pytest.mark.parametrize("seed", [tg.cuda.manual_seed, tg.cuda.manual_seed_all, tg.xpu.manual_seed, tg.mps.manual_seed])
def test_seeding_an_absent_accelerator_leaves_the_librarys_draws_alone(seed):
    tg.manual_seed(0)
    expected = tg.rand(3).tolist()
    tg.manual_seed(0)
    assert seed(5) is None
    assert tg.rand(3).tolist() == expected


@pytest.mark.parametrize("use", [tg.cuda.synchronize, tg.cuda.current_device, tg.xpu.synchronize, tg.mps.synchronize])
def test_using_an_absent_accelerator_raises_the_device_error(use):
    with pytest.raises(RuntimeError, match="runs on NumPy on the CPU"):
        use()


def test_cudnn_switches_can_be_set_as_scripts_do():
    old = cudnn.benchmark, cudnn.deterministic
    try:
        cudnn.benchmark, cudnn.deterministic = True, True
        assert (cudnn.benchmark, cudnn.deterministic) == (True, True)
    finally:
        cudnn.benchmark, cudnn.deterministic = old


@pytest.mark.parametrize("name", ["cuda", "cuda:0", "mps", "xpu", "meta"])
def test_naming_an_accelerator_device_raises_at_once(name):
    with pytest.raises(RuntimeError, match=f"no '{name}' device"):
        tg.device(name)


def test_the_cpu_device_prints_and_compares_as_pytorchs():
    assert repr(tg.device("cpu")) == "device(type='cpu')"
    assert str(tg.device("cpu", 0)) == "cpu:0"
    assert tg.device("cpu") == tg.device(type="cpu") and tg.device("cpu") != tg.device("cpu:0")
