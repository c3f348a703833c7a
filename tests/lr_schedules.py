"""What the lr scheduler tests share: an optimizer with one group per lr, and the lrs a
scheduler takes it through."""

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.optim import SGD


def sgd(*lrs: float, momentum: float = 0.9) -> SGD:
    """SGD with one parameter group per lr, each holding one one-element parameter."""
    return SGD([{"params": [nn.Parameter(tg.zeros(1))], "lr": lr} for lr in lrs], momentum=momentum)


def run(optimizer, scheduler, steps: int) -> list[list[float]]:
    """Each group's lr after construction and after each of `steps` steps, one list per group."""
    rows = [[group["lr"] for group in optimizer.param_groups]]
    for _ in range(steps):
        scheduler.step()
        rows.append([group["lr"] for group in optimizer.param_groups])
    return [list(column) for column in zip(*rows)]
