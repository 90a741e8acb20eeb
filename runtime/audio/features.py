"""Streaming log-mel features: 80 bands every 10 ms from 25 ms Hann windows.

Feature frame h is computed from the window that ends at input sample (h + 1) * HOP_LENGTH (the
stream starts with silence before its first sample), so features are causal and frame h is ready
as soon as that sample has arrived. Every operation is row-wise (per-frame FFT, products in
fixed-shape blocks, per-row reductions), so a frame's values do not depend on how many frames are
computed together: any chunking of the audio, and any batch of sessions, gives bit-identical features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft

from runtime.audio.constants import (
    MEL_FMAX_HZ,
    MEL_FMIN_HZ,
    N_FFT,
    N_MELS,
    SAMPLE_RATE,
    WINDOW_LENGTH,
)
from runtime.audio.hop_windows import HopWindows
from runtime.numerics import as_product_matrix, row_block_matmul

SILENCE_FLOOR = 1e-10  # power floor before the log: -100 dB


@dataclass(frozen=True)
class FeatureBlock:
    """Features of consecutive hops [start_hop, start_hop + len)."""

    start_hop: int
    log_mel: np.ndarray  # (n, N_MELS) float32, log10 of mel power
    energy_db: np.ndarray  # (n,) float32, frame energy in dB relative to full scale

    def __len__(self) -> int:
        return len(self.energy_db)


def mel_frequencies(n_mels: int = N_MELS) -> np.ndarray:
    """Centre frequencies (Hz) of the mel bands, HTK mel scale."""
    mel_low, mel_high = (2595.0 * np.log10(1.0 + f / 700.0) for f in (MEL_FMIN_HZ, MEL_FMAX_HZ))
    mels = np.linspace(mel_low, mel_high, n_mels + 2)
    return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)


def mel_filterbank() -> np.ndarray:
    """(N_FFT // 2 + 1, N_MELS) triangular filters, each normalised to unit area."""
    edges = mel_frequencies()  # n_mels + 2 edges: band m spans edges[m]..edges[m + 2]
    bins = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    low, centre, high = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - low) / (centre - low)
    falling = (high - bins[None, :]) / (high - centre)
    triangles = np.maximum(0.0, np.minimum(rising, falling))  # (n_mels, n_bins)
    triangles /= np.maximum(triangles.sum(axis=1, keepdims=True), 1e-12)
    return np.ascontiguousarray(triangles.T, dtype=np.float32)


class StreamingLogMel:
    """Push 16 kHz samples in any pieces; get the features of every completed hop. `analyse_many`
    analyses many sessions' hops in one pass (one FFT call, one product) from windows taken
    elsewhere (the engine's: a longer HopWindows of each stream)."""

    def __init__(self) -> None:
        self._windows: HopWindows | None = None  # push()'s own; the engine feeds analyse_many
        self.hops_done = 0

    def push(self, samples: np.ndarray) -> FeatureBlock:
        if self._windows is None:
            self._windows = HopWindows(WINDOW_LENGTH)
        windows = self._windows.take([samples])
        return StreamingLogMel.analyse_many([self], windows, [len(windows)])[0]

    @staticmethod
    def analyse_many(extractors: list[StreamingLogMel], windows: np.ndarray, counts: list[int]) -> list[FeatureBlock]:
        """Each extractor's next counts[i] hops from (sum of counts, ≥ WINDOW_LENGTH) windows, session
        after session; only their last WINDOW_LENGTH samples are read. The extractors' own windows
        go unused: an extractor is fed one way or the other."""
        log_mel, energy_db = analyse_frames(windows[:, windows.shape[1] - WINDOW_LENGTH:])
        blocks, low = [], 0
        for extractor, count in zip(extractors, counts, strict=True):
            blocks.append(FeatureBlock(extractor.hops_done, log_mel[low:low + count], energy_db[low:low + count]))
            extractor.hops_done += count
            low += count
        return blocks


_WINDOW = np.hanning(WINDOW_LENGTH + 2)[1:-1].astype(np.float32)  # no zero ends
_FILTERS = None  # the mel filterbank as a product matrix, made on first use


def analyse_frames(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """((n, N_MELS) log-mel, (n,) energy dB) of (n, WINDOW_LENGTH) frames, every row on its own."""
    global _FILTERS
    if _FILTERS is None:
        _FILTERS = as_product_matrix(mel_filterbank())
    if len(frames) == 0:
        return np.zeros((0, N_MELS), np.float32), np.zeros(0, np.float32)
    # SciPy's FFT computes float32 in float32 (NumPy's in float64, then rounds): half the time,
    # and like NumPy's, each row on its own (any batch gives a row the same bits).
    spectrum = scipy.fft.rfft(frames * _WINDOW, n=N_FFT)  # (n, N_FFT/2 + 1) complex64
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    mel_power = row_block_matmul(power, _FILTERS)  # (n, N_MELS)
    log_mel = np.log10(np.maximum(mel_power, SILENCE_FLOOR)).astype(np.float32)
    energy = np.mean(np.square(frames), axis=1)
    energy_db = (10.0 * np.log10(np.maximum(energy, SILENCE_FLOOR))).astype(np.float32)
    return log_mel, energy_db
