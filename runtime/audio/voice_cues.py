"""The cues a listener takes from the other party's voice, per 10 ms hop: voice activity, loudness,
pitch accents and phrase ends. The same front end the face's own voice goes through (log-mel
energy → voice activity, prosody), run on a second stream: the listen stream of a conversation.

Streaming and causal: hop h is known once sample (h + 1) * HOP_LENGTH (at 16 kHz) has arrived, and
any chunking of the samples gives identical cues.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.audio.features import StreamingLogMel
from runtime.audio.prosody import StreamingProsody
from runtime.audio.resample import StreamingResampler
from runtime.audio.voice_activity import StreamingVoiceActivity


@dataclass(frozen=True)
class VoiceCues:
    """Cues of consecutive hops [start_hop, start_hop + len)."""

    start_hop: int
    voice_activity: np.ndarray  # (n,) float32 probability 0..1
    speaking: np.ndarray  # (n,) bool, the voice activity detector's state (hysteresis)
    energy_db: np.ndarray  # (n,) float32 dBFS
    pitch_accent: np.ndarray  # (n,) float32 0..1, at the hop an accent is confirmed
    phrase_end: np.ndarray  # (n,) bool, at the hop a phrase end is confirmed (200 ms into the pause)

    def __len__(self) -> int:
        return len(self.voice_activity)


class StreamingVoiceCues:
    """Push samples at the stream's rate in any pieces; get the cues of every completed hop."""

    def __init__(self, sample_rate_hz: int) -> None:
        self._resampler = StreamingResampler(sample_rate_hz)
        self._features = StreamingLogMel()
        self._voice = StreamingVoiceActivity()
        self._prosody = StreamingProsody()

    @property
    def hops_done(self) -> int:
        return self._features.hops_done

    def push(self, samples: np.ndarray) -> VoiceCues:
        """Mono float32 samples in [-1, 1] at the stream's sample rate."""
        return self._analyse(self._resampler.push(samples))

    def flush(self, padding_samples: int = 0) -> VoiceCues:
        """The end of the stream: the resampler's tail and `padding_samples` (16 kHz) of silence,
        so the last hops complete."""
        return self._analyse(np.concatenate([self._resampler.flush(), np.zeros(padding_samples, np.float32)]))

    def _analyse(self, samples: np.ndarray) -> VoiceCues:
        start = self._features.hops_done
        features = self._features.push(samples)
        prosody = self._prosody.push(samples)  # the same hops as the features
        voice = self._voice.push(features.energy_db)
        return VoiceCues(start, voice.probability, voice.speaking, features.energy_db, prosody.pitch_accent,
                         prosody.phrase_end)
