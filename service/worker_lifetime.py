"""Worker processes end with the serving process that started them."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from multiprocessing.process import BaseProcess

PR_SET_PDEATHSIG = 1  # prctl(2)


def end_with_parent(server_pid: int) -> None:
    """Called first in a worker: a server killed outright (SIGKILL, an out-of-memory kill) cannot
    stop its workers, so each asks the kernel for SIGTERM when its parent dies."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != server_pid:  # the server died before the request above was made
        os._exit(0)


def reap(process: BaseProcess, grace_s: float) -> None:
    """Waits up to `grace_s` for a worker asked to end (its pipe closed, SIGTERM) to go, then kills it;
    either way it is reaped: no zombie, and gone when this returns."""
    process.join(grace_s)
    if process.is_alive():
        process.kill()
        process.join()
