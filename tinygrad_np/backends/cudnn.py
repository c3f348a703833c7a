"""`tg.backends.cudnn`: not available; `benchmark`, `deterministic`, `enabled` and `allow_tf32` may be set
(scripts set them) and change nothing, NumPy on the CPU being deterministic already."""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False
