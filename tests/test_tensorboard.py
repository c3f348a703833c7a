"""tinygrad_np.utils.tensorboard: no TensorBoard writer here, and importing it says so at once."""

import pytest


def test_importing_summary_writer_raises_import_error_saying_there_is_no_tensorboard_writer():
    with pytest.raises(ImportError, match="tinygrad_np has no TensorBoard writer"):
        from tinygrad_np.utils.tensorboard import SummaryWriter  # noqa: F401
