"""Rendered frames + the session's audio → an H.264/AAC MP4 (PyAV's FFmpeg), written atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import numpy as np

from runtime.atomic_file import check_output_directory
from runtime.errors import InvalidConfigError

VIDEO_CRF = "20"  # visually lossless for faces at a few hundred kB/s
AUDIO_BITRATE = 128_000


def check_video_path(path: str | Path) -> None:
    if Path(path).suffix.lower() != ".mp4":
        raise InvalidConfigError(f"{path}: the output must end in .mp4")
    check_output_directory(path)


def write_video(path: str | Path, frames: Iterable[np.ndarray], size: tuple[int, int], fps: int,
                audio: np.ndarray, sample_rate: int) -> int:
    """Encodes (H, W, 3) uint8 frames of `size` (width, height) at `fps`, interleaved with the mono
    float32 `audio`; returns the frame count. The file appears complete or not at all."""
    import av  # imported here: only the batch path writes video

    target = Path(path)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=target.suffix)
    os.close(handle)
    try:
        with av.open(temporary, "w", format="mp4") as container:
            muxer = _Muxer(container, size, fps, np.asarray(audio, np.float32), sample_rate)
            count = muxer.write(frames)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
        return count
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class _Muxer:
    """Both streams are declared before the first packet (MP4 needs them in its header); audio
    is written alongside the video so the muxer never buffers a whole track."""

    def __init__(self, container, size: tuple[int, int], fps: int, audio: np.ndarray, sample_rate: int) -> None:
        width, height = size
        self._container, self._fps, self._audio, self._rate = container, fps, audio, sample_rate
        self._video = container.add_stream("libx264", rate=fps)
        self._video.width, self._video.height = width - width % 2, height - height % 2  # yuv420p: even
        self._video.pix_fmt = "yuv420p"
        self._video.time_base = Fraction(1, fps)
        self._video.options = {"crf": VIDEO_CRF, "preset": "veryfast"}
        self._sound = container.add_stream("aac", rate=sample_rate, layout="mono")
        self._sound.bit_rate = AUDIO_BITRATE
        self._audio_written = 0

    def write(self, frames: Iterable[np.ndarray]) -> int:
        import av

        count = 0
        for image in frames:
            frame = av.VideoFrame.from_ndarray(self._even(image), format="rgb24")
            frame.pts = count
            self._container.mux(self._video.encode(frame))
            count += 1
            self._write_audio_until(round(count / self._fps * self._rate))
        self._container.mux(self._video.encode(None))
        self._write_audio_until(len(self._audio))
        self._container.mux(self._sound.encode(None))
        return count

    def _write_audio_until(self, end: int) -> None:
        import av

        step = self._sound.codec_context.frame_size or 1024  # AAC takes 1024 samples per frame
        while self._audio_written < min(end, len(self._audio)):
            piece = self._audio[self._audio_written:self._audio_written + step]
            frame = av.AudioFrame.from_ndarray(piece[None, :], format="fltp", layout="mono")
            frame.sample_rate, frame.pts = self._rate, self._audio_written
            self._container.mux(self._sound.encode(frame))
            self._audio_written += len(piece)

    def _even(self, image: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(image[: self._video.height, : self._video.width])
