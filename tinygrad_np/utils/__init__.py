"""`torch.utils`'s place: `tinygrad_np.utils.data` is `tinygrad_np.data`, one implementation under
PyTorch's name. Its submodules are registered under both names (`tinygrad_np.utils.data.sampler`
is `tinygrad_np.data.sampler`), so `from tinygrad_np.utils.data.sampler import RandomSampler`
imports no second copy of a class."""

import sys

from .. import data

for _name, _module in list(sys.modules.items()):
    if _name == data.__name__ or _name.startswith(data.__name__ + "."):
        sys.modules[__name__ + _name[len("tinygrad_np") :]] = _module
del _name, _module

__all__ = ["data"]
