"""AUDIO for the bridges (`livelink`, `vmc`): a file, or `-` for raw 16 kHz PCM16 mono on stdin,
animated in-process into lazy motion frames (runtime.offline)."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from runtime.audio.pcm import PCM_STREAM_SAMPLE_RATE
from runtime.errors import InvalidAudioError

if TYPE_CHECKING:
    from runtime.clip_options import ClipOptions
    from runtime.types import MotionFrame

STDIN = "-"
CHUNK_BYTES = PCM_STREAM_SAMPLE_RATE * 2 // 50  # 20 ms of PCM16: a live source's frames go out as it speaks
AUDIO_HELP = (f"audio file (WAV, FLAC, OGG, MP3…), or {STDIN} for raw {PCM_STREAM_SAMPLE_RATE // 1000} kHz "
              "signed 16-bit little-endian mono PCM on stdin (arecord -f S16_LE -r 16000 -c 1)")


def is_stdin(audio: str) -> bool:
    return audio == STDIN


def motion_frames(audio: str, options: ClipOptions) -> Iterator[MotionFrame]:
    """The frames for AUDIO, made as they are read. The audio is opened before the pipeline loads (1.5 s):
    a missing file or a closed stdin is one line at once."""
    if is_stdin(audio):
        chunks = stdin_chunks()
        from runtime.offline import animate_pcm_stream

        return animate_pcm_stream(chunks, options)
    from runtime.audio.files import load_audio  # PyAV: not for stdin

    track = load_audio(audio)
    from runtime.offline import animate_clip

    frames, _info = animate_clip(track, options)
    return frames


def stdin_chunks() -> Iterator[bytes]:
    """stdin's PCM (pcm_chunks), its first chunk read now: a stdin closed before any audio is an error
    before any work rather than after it."""
    chunks = pcm_chunks(sys.stdin.buffer)
    return itertools.chain([next(chunks)], chunks)


def pcm_chunks(stream: BinaryIO) -> Iterator[bytes]:
    """CHUNK_BYTES at a time until end of file; an input closed before any audio is an error
    rather than an empty, silent success."""
    first = stream.read(CHUNK_BYTES)
    if not first:
        raise InvalidAudioError("stdin: closed before any audio arrived")
    yield first
    while chunk := stream.read(CHUNK_BYTES):
        yield chunk
