"""Streaming resampling of client audio to the models' 16 kHz (soxr).

soxr's stream resampler gives bit-identical output however the input is chunked (checked by
tests/test_audio.py), which the "any chunking, same frames" rule relies on.
"""

from __future__ import annotations

import numpy as np
import soxr

from runtime.audio.constants import SAMPLE_RATE


class StreamingResampler:
    """Feeds audio at `input_rate` in pieces, returns 16 kHz float32 as it becomes available."""

    def __init__(self, input_rate: int, output_rate: int = SAMPLE_RATE) -> None:
        self.input_rate = input_rate
        self.output_rate = output_rate
        self._stream = None
        if input_rate != output_rate:
            self._stream = soxr.ResampleStream(input_rate, output_rate, 1, dtype="float32", quality="HQ")

    def push(self, samples: np.ndarray) -> np.ndarray:
        samples = np.ascontiguousarray(samples, dtype=np.float32)
        if self._stream is None:
            return samples
        return self._stream.resample_chunk(samples, last=False)

    def flush(self) -> np.ndarray:
        """The samples still held inside the filter; call once, at the end of the stream."""
        if self._stream is None:
            return np.zeros(0, np.float32)
        return self._stream.resample_chunk(np.zeros(0, np.float32), last=True)
