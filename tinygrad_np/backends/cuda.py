"""`tg.backends.cuda`: not built; the matmul precision switches scripts set (`allow_tf32`) are
plain attributes with PyTorch's defaults and change nothing, as on PyTorch's CPU."""

from types import SimpleNamespace


def is_built() -> bool:
    return False


matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)
