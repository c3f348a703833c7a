"""Errors raised by tinygrad_np."""


class ShapeError(ValueError, RuntimeError):
    """Operand shapes do not fit the op; the message names the op and the shapes.

    A subclass of both ValueError (what NumPy users catch) and RuntimeError (what
    PyTorch raises for shape mismatches), so code written for either keeps working.
    """


class CheckpointError(ValueError):
    """A file given to `tg.load` is not a readable tinygrad_np checkpoint; the message names it and says why."""


class DatasetError(RuntimeError):
    """A dataset file is corrupt, truncated or failed its checksum; the message names it and says how to fix it."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """A dataset's files are nowhere to be found; the message lists every place looked and how to supply them."""


class NotARegularFileError(OSError):
    """A file would be written over something that is not a regular file (a directory, a FIFO, a device node,
    a socket); the message names the path and what is there. Nothing was written."""
