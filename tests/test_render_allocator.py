"""A rendering process keeps its freed frame buffers (runtime/render/allocator.py): a block the size of
a batch's frames, freed and allocated again, comes back without the kernel faulting its pages in anew.
Counted in page faults (getrusage), never in time."""

from __future__ import annotations

import subprocess
import sys

import pytest

from runtime.render.allocator import keep_freed_memory

# A child process, so this process's own allocator settings play no part: allocates, touches and frees
# a 24 MB block (eight 512² float frames' worth of one channel) again and again, and prints the page
# faults each round cost after the first.
_REUSE = """
import resource
import numpy as np
from runtime.render.allocator import keep_freed_memory
assert keep_freed_memory()
def round_trip():
    block = np.empty(24 << 20, np.uint8)
    block[::4096] = 1  # every page touched, as a frame buffer's are
    del block
round_trip()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(8):
    round_trip()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 8)
"""


def _faults_per_round() -> float:
    result = subprocess.run([sys.executable, "-c", _REUSE], capture_output=True, text=True, check=True)
    return float(result.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc (Linux) is what it tunes")
def test_freed_frame_buffers_come_back_without_page_faults():
    # With glibc's defaults the same round trip cost about a hundred faults on the project's machines
    # (huge pages; kernels and glibc versions differ), so it is not asserted here.
    assert _faults_per_round() <= 1.0


def test_a_frame_renderer_sets_it_up():
    from runtime.face.avatar import analyse_avatar
    from runtime.render.frame_renderer import FrameRenderer
    from tests.portrait_set import portrait_png

    keep_freed_memory.cache_clear()  # whatever ran before: this renderer must call it itself
    FrameRenderer(analyse_avatar(portrait_png("photo"), "photo"))
    assert keep_freed_memory.cache_info().currsize == 1
    assert keep_freed_memory() is sys.platform.startswith("linux")
