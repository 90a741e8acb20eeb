"""Keeping native libraries' chatter off a command's terminal."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Native code that prints straight to file descriptor 2 kept quiet for a moment: MediaPipe's
    start-up chatter, gRPC's own line for a port it cannot bind (ours follows, as an exception).
    Python errors still surface as exceptions. Process-wide while it lasts: keep it short."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as sink:
        os.dup2(sink.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
