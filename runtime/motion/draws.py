"""Per-hop random draws, made ahead in blocks.

A numpy Generator's `random` and `standard_normal` hand out the same sequence of values however its
draws are cut (each value takes the next bits of the stream; nothing is held back between calls),
so drawing a block of hops at once and handing it out a push at a time gives every push exactly
the values its own call would have given, at a fraction of the calls: a call costs a microsecond
or two whatever its size, paid several times per session per engine pass. Only for a generator
that nothing else draws from once its hops begin.
"""

from __future__ import annotations

import numpy as np

BLOCK_HOPS = 50  # hops drawn per refill: a dozen 40 ms pushes


class HopDraws:
    """(hops, width) draws of `kind` ("random" or "standard_normal") from `generator`, in order."""

    def __init__(self, generator: np.random.Generator, kind: str, width: int) -> None:
        self._draw = getattr(generator, kind)
        self._width = width
        self._block = np.zeros((0, width))
        self._next = 0

    def take(self, count: int) -> np.ndarray:
        """The next `count` hops' draws (a read-only view)."""
        if self._next + count > len(self._block):
            rest = self._block[self._next:]
            self._block = np.concatenate([rest, self._draw((max(count - len(rest), BLOCK_HOPS), self._width))])
            self._block.flags.writeable = False
            self._next = 0
        taken = self._block[self._next:self._next + count]
        self._next += count
        return taken
