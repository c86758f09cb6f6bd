"""Output that may disappear: `make dev 2>&1 | tee dev.log` loses its reader on Ctrl-C (tee dies too), and
closing the terminal hangs it up. Writing then fails (BrokenPipeError, EIO); `make dev` must go on
stopping its processes, so from then on its output goes to /dev/null."""

import os
import sys
from typing import TextIO


def drop_output(stream: TextIO) -> None:
    """From now on, what is written to `stream` goes nowhere (its descriptor now points at /dev/null)."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):  # not a file (a StringIO in tests): nothing to redirect
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def say(text: str, stream: TextIO | None = None) -> None:
    """Prints one line, or nothing if the output has gone."""
    stream = stream or sys.stdout
    try:
        print(text, file=stream, flush=True)
    except OSError:
        drop_output(stream)
