"""`tg.backends.cudnn`: not available; `benchmark`, `deterministic` and `enabled` may be set
(scripts set them) and change nothing, NumPy on the CPU being deterministic already."""

enabled = True
benchmark = False
deterministic = False


def is_available() -> bool:
    return False
