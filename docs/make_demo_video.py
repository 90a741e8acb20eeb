"""Draws docs/demo.mp4: a closed-mouthed portrait wearing glasses (tests/portrait_set.py, made from
NASA's public-domain astronaut photo) speaking real recorded speech — two LibriVox clips (public
domain) from Debian's pocketsphinx-testdata — through `facecast render` with its defaults.

Run from the repository root after the README's test install: python docs/make_demo_video.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test portraits live in tests/

from runtime.audio.files import load_audio  # noqa: E402
from tests.portrait_set import portrait_png  # noqa: E402

PORTRAIT = "closed-photo-gold"
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
CLIPS = ("sense_and_sensibility_01_austen_64kb-0920.wav", "sense_and_sensibility_01_austen_64kb-0930.wav")
PAUSE_S = 0.4  # between the two clips: the face at rest, blinking
TARGET = Path(__file__).resolve().parent / "demo.mp4"


def write_speech(path: Path) -> None:
    """The two clips with a pause between them, as 16-bit mono WAV."""
    clips = [load_audio(LIBRIVOX / name) for name in CLIPS]
    rate = clips[0].sample_rate
    pause = np.zeros(round(PAUSE_S * rate), np.float32)
    samples = np.concatenate([clips[0].samples, pause, clips[1].samples])
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.round(np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes())


def main() -> None:
    facecast = shutil.which("facecast") or str(Path(sys.executable).parent / "facecast")
    with tempfile.TemporaryDirectory() as folder:
        portrait, audio = Path(folder) / "portrait.png", Path(folder) / "speech.wav"
        portrait.write_bytes(portrait_png(PORTRAIT))
        write_speech(audio)
        subprocess.run([facecast, "render", str(portrait), str(audio), "-o", str(TARGET), "--seed", "3"], check=True)
    print(f"{TARGET}: {TARGET.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
