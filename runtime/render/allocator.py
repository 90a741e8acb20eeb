"""Freed frame buffers kept for the next frame, not handed back to the operating system.

A batch of eight 512² frames allocates a few blocks of 8-25 MB each (the sampling grid, the
frames themselves) and frees them when the batch is done. glibc's malloc serves blocks that
large by mapping fresh pages, or gives the top of its heap back once more than its trim threshold
is free, so the next batch's blocks are faulted in again page by page. Served from the heap below
an mmap threshold of 32 MB and kept up to 1 GB free, the blocks are reused as they are. Measured side
by side on this project's 2-core machine (`python -m benchmarks.render_allocator --rounds 10 --frames
48`, one thread): batches of eight 15.8 ms a frame on the astronaut (18.0 with glibc's defaults) and
21.7 on the closed-mouthed photo with glasses (25.2); batches of one within the noise (23.0 and 28.0,
against 23.9 and 29.3). The price: a process with two renderers held 77 MB more.

Process-wide, and only where the C library is glibc (elsewhere nothing is changed): called by
every FrameRenderer, so any process that renders gets it and one that only animates does not.
"""

from __future__ import annotations

import ctypes
import functools
import sys

MMAP_THRESHOLD_BYTES = 32 << 20  # glibc's largest: blocks below it come from the heap
TRIM_THRESHOLD_BYTES = 1 << 30  # free heap kept before any is given back
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)


@functools.cache
def keep_freed_memory() -> bool:
    """Tells glibc's malloc to keep freed frame-sized blocks; whether it did (once per process)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl has no libc.so.6)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1 and mallopt(_M_TRIM_THRESHOLD,
                                                                             TRIM_THRESHOLD_BYTES) == 1
