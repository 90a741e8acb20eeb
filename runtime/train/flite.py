"""Speech with segment timings from Flite (Debian's `flite`): recorded English talkers the training
had not heard.

Flite carries CMU ARCTIC talkers as statistical parametric (clustergen) voices, each a model of one
person's recorded speech: awb (Scottish English, male) and rms (American English, male) are talkers no
other source of the corpus has; slt and kal it shares with Festival. One `flite` run speaks one
sentence (about 50 ms) and, with `-psdur`, prints each segment (Festival's radio phone set: ARPAbet in
lower case, `pau`) with its end time; the waveform is generated from those very durations, so the
times are exact.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class FliteVoice:
    name: str  # Flite's (`flite -voice NAME`)
    talker: str  # who, for the model card
    licence: str


_LICENCE = "Debian flite: CMU permissive licence (use, modify, redistribute with the notice kept)"
# The talkers the corpus lacks (kal and slt are Festival's voices there already).
VOICES = {
    "awb": FliteVoice("awb", "CMU ARCTIC awb, Scottish English male", _LICENCE),
    "rms": FliteVoice("rms", "CMU ARCTIC rms, American English male", _LICENCE),
}


class FliteError(RuntimeError):
    """Flite is missing or failed."""


@dataclass(frozen=True)
class FliteSpeech:
    samples: np.ndarray  # float32 mono in [-1, 1)
    sample_rate: int
    phones: tuple[tuple[str, float], ...]  # (phone, start seconds), in order


def available() -> bool:
    return shutil.which("flite") is not None


def synthesize(text: str, voice: str = "awb", duration_stretch: float = 1.0) -> FliteSpeech:
    """Speak `text` with a Flite voice; slower speech for a stretch above 1."""
    if voice not in VOICES:
        raise ValueError(f"voice must be one of {sorted(VOICES)}, got {voice!r}")
    if not available():
        raise FliteError("flite is not installed (Debian: flite)")
    with tempfile.TemporaryDirectory(prefix="facecast-flite-") as name:
        path = Path(name) / "speech.wav"
        result = subprocess.run(["flite", "-voice", VOICES[voice].name, "--setf",
                                 f"duration_stretch={duration_stretch:.3f}", "-psdur", "-t", text, "-o", str(path)],
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0 or not path.is_file():
            raise FliteError(f"flite failed ({result.returncode}): {result.stderr[-500:]}")
        with wave.open(str(path), "rb") as audio:
            rate = audio.getframerate()
            samples = np.frombuffer(audio.readframes(audio.getnframes()), "<i2").astype(np.float32) / 32768.0
    return FliteSpeech(samples, rate, segments(result.stdout))


def segments(printed: str) -> tuple[tuple[str, float], ...]:
    """(phone, start seconds) from `flite -psdur`'s line of "phone:end" pairs."""
    phones, start = [], 0.0
    for pair in printed.split():
        phone, _, end = pair.rpartition(":")
        try:
            end_s = float(end)
        except ValueError:
            end_s = None
        if not phone or end_s is None:
            raise FliteError(f"unexpected segment {pair!r} in flite's output")
        phones.append((phone, start))
        start = end_s
    return tuple(phones)
