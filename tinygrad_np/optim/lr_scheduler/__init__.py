"""Learning-rate schedulers with PyTorch's semantics: each `step()` advances `last_epoch` by one
and writes a new 'lr' into every parameter group of the optimizer.

StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, ConstantLR, LinearLR and PolynomialLR
are *chainable*: like PyTorch, they compute the next lr from the group's current 'lr' (a
multiplicative update) rather than from `base_lrs`, so several schedulers stepping the same
optimizer compose, and the values match PyTorch's to the last bit; so is MultiplicativeLR,
which multiplies by a function of the epoch. LambdaLR, OneCycleLR, CyclicLR and
CosineAnnealingWarmRestarts set the lr from a closed form. ReduceLROnPlateau lowers the lr
when a metric stops improving; SequentialLR and ChainedScheduler combine schedulers.

Constructing a scheduler with `last_epoch=-1` records each group's lr as 'initial_lr' (unless a
scheduler already did) and takes one step, so the scheduler starts at `last_epoch == 0`.
"""

from .base import LRScheduler, _LRScheduler
from .combined import ChainedScheduler, SequentialLR
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .cyclic import CyclicLR
from .factors import ConstantLR, ExponentialLR, LinearLR, MultiStepLR, PolynomialLR, StepLR
from .lambda_lr import LambdaLR, MultiplicativeLR
from .one_cycle import OneCycleLR
from .plateau import ReduceLROnPlateau

__all__ = ["ChainedScheduler", "ConstantLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR",
           "ExponentialLR", "LRScheduler", "LambdaLR", "LinearLR", "MultiStepLR", "MultiplicativeLR", "OneCycleLR",
           "PolynomialLR", "ReduceLROnPlateau", "SequentialLR", "StepLR"]
