"""`tg.backends`: PyTorch's backend switches, for scripts that probe or set them; none applies
to NumPy on the CPU, so probes say unavailable and settings change nothing."""

from . import cuda, cudnn, mps
