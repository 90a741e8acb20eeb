"""Worker processes end with the serving process that started them."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # prctl(2)


def end_with_parent(server_pid: int) -> None:
    """Called first in a worker: a server killed outright (SIGKILL, an out-of-memory kill) cannot
    stop its workers, so each asks the kernel for SIGTERM when its parent dies."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != server_pid:  # the server died before the request above was made
        os._exit(0)
