"""Keeping native libraries' chatter off a command's terminal."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """MediaPipe's C++ core prints start-up chatter straight to file descriptor 2; a command that
    prints one line per result keeps it out. (Python errors still surface as exceptions.)"""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as sink:
        os.dup2(sink.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
