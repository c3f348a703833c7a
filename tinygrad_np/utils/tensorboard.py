"""`torch.utils.tensorboard`'s place: tinygrad_np has no TensorBoard writer, so importing this
module fails at once with what to do instead, rather than leaving a script to fail later."""

raise ImportError(
    "tinygrad_np has no TensorBoard writer (torch.utils.tensorboard.SummaryWriter); log scalars "
    "yourself (print, or a CSV file), or install the tensorboard package and use its own writer "
    "(e.g. tensorboardX.SummaryWriter, which takes plain floats and NumPy arrays)"
)
