"""Vocal tract length perturbation (VTLP; Jaitly & Hinton, 2013) on log-mel features.

The training voices are few: eSpeak NG's formant synthesiser in its variants and Festival's kal and
slt. A voice the model has not heard costs it dearly — Festival's kdl, a natural diphone voice like
kal but never trained on, reads 0.76 viseme accuracy against kal's 0.86 — and every real talker is
such a voice. A longer or shorter vocal tract moves every formant by about the same factor, so a
crop's spectrum stretched along frequency sounds like a talker with another tract: a new voice for
each crop, at no synthesis cost. The stretch is piecewise linear: formants below a boundary scale by
the factor, and the top of the band stays where it is, so nothing is pushed out of or pulled into
the mel range.
"""

from __future__ import annotations

import numpy as np

from runtime.audio.constants import MEL_FMAX_HZ
from runtime.audio.features import mel_frequencies

BOUNDARY_HZ = 4_800.0  # VTLP's upper boundary: formants below it scale, the rest of the band eases to its top


def warped_frequency(frequency: np.ndarray, factor: float, top_hz: float = MEL_FMAX_HZ) -> np.ndarray:
    """Where a spectral feature at `frequency` (Hz) lies for a talker whose formants are `factor`
    times higher: scaled below the boundary, linear from there to the band's top, which is fixed."""
    knee = BOUNDARY_HZ * min(factor, 1.0) / factor
    above = top_hz - (top_hz - BOUNDARY_HZ * min(factor, 1.0)) / (top_hz - knee) * (top_hz - frequency)
    return np.where(frequency <= knee, factor * frequency, above)


class MelWarp:
    """Resamples (hops, bands) log-mel features along frequency for a given warp factor."""

    def __init__(self, n_mels: int | None = None) -> None:
        edges = mel_frequencies() if n_mels is None else mel_frequencies(n_mels)
        self.centres = edges[1:-1]  # band m spans edges[m]..edges[m + 2]
        self._grid = np.linspace(0.0, float(edges[-1]), 2048)

    def __call__(self, log_mel: np.ndarray, factor: float) -> np.ndarray:
        """The features a talker with formants `factor` times higher would have given: each output
        band reads the input at the frequency that the warp carries onto its centre."""
        if factor == 1.0:
            return log_mel
        source = np.interp(self.centres, warped_frequency(self._grid, factor, float(self._grid[-1])), self._grid)
        position = np.interp(source, self.centres, np.arange(len(self.centres), dtype=np.float64))
        low = np.minimum(position.astype(np.int64), len(self.centres) - 2)
        share = (position - low).astype(np.float32)
        return log_mel[:, low] * (1.0 - share) + log_mel[:, low + 1] * share
