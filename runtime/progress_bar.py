"""A progress bar on the terminal for the runtime's offline functions (their `progress` callback), used by
the command line and the training scripts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tqdm import tqdm

if TYPE_CHECKING:
    from runtime.offline import Progress


@contextlib.contextmanager
def progress_bar(description: str, unit: str = "frame") -> Iterator[Progress]:
    """A callback that moves a bar counting `unit`s. The bar appears with the first update (an error
    before it stays the command's one line) and is gone from the terminal once the work is done."""
    bars: list[tqdm] = []

    def advance(done: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit=unit, desc=description, leave=False))
        bars[0].update(done - bars[0].n)

    try:
        yield advance
    finally:
        for bar in bars:
            bar.close()
