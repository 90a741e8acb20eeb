"""Offline animation: a whole audio clip → motion frames, a motion clip, or a video of a portrait
speaking it. What `transcribe()` is to whisper's CLI, these are to `facecast bake`, `render` and
`demo`, which only parse flags, call one of them and print.

    animate_clip(audio, options)  → (lazy motion frames, ClipInfo)   frames one by one, e.g. for a
                                                                      bridge that sends each as it is made
    animate_pcm_stream(chunks, options) → lazy motion frames          audio of unknown length as it
                                                                      arrives (a microphone on stdin)
    bake_clip(audio, options)     → BakedClip (every frame + info)   → motion_clip.write_clip
    render_video(path, avatar, audio, options, frame_options)         → an H.264/AAC MP4

The batch path consumes the streaming one: a clip goes through the same Animator as a live
session, CHUNK_S of audio at a time, so its frames are bit-identical to those streamed for the same
audio, seed and controls. Rendered frames come from FrameRenderer.render, batched there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from runtime.audio.files import DecodedAudio
from runtime.audio.pcm import PCM_STREAM_SAMPLE_RATE, AudioEncoding, AudioFormat
from runtime.audio.resample import resample_track
from runtime.clip_options import ClipOptions
from runtime.errors import InvalidConfigError
from runtime.motion_clip import clip_document
from runtime.pipeline import Animator, AnimatorOptions, ModelVersion, frames_covering, run_clip
from runtime.types import MotionFrame, RestState
from runtime.version import package_version

if TYPE_CHECKING:  # imported where used: baking needs neither MediaPipe nor the renderer
    from runtime.face.avatar import Avatar
    from runtime.render.framing import FrameOptions

IDLE_SAMPLE_RATE = 16_000  # the sample rate of a clip that is idle life only (no audio)
CHUNK_S = 0.5  # audio fed to the Animator per step: how often progress moves (the frames do not depend on it)
T = TypeVar("T")

# Told after each frame is made: (frames done, frames in the clip).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ClipInfo:
    """What is known of a clip before its first frame is made."""

    fps: int
    seed: int
    duration_s: float  # idle life and audio together
    frame_count: int  # frames the clip will have: those whose time falls in [0, duration_s)
    model_versions: tuple[ModelVersion, ...]


@dataclass(frozen=True)
class BakedClip:
    """A whole clip's motion frames, in order, and what made them."""

    info: ClipInfo
    frames: tuple[MotionFrame, ...]

    def document(self) -> dict:
        """The clip as a motion clip file's document (runtime.motion_clip)."""
        versions = [asdict(version) for version in self.info.model_versions]
        return clip_document(self.frames, self.info.fps, self.info.duration_s, self.info.seed, versions,
                             f"facecast {package_version()}")


@dataclass(frozen=True)
class VideoSummary:
    """What `render_video` wrote."""

    path: Path
    frames: int
    width: int
    height: int
    fps: int
    duration_s: float


def animate_clip(audio: DecodedAudio | None, options: ClipOptions = ClipOptions(),
                 rest: RestState | None = None, listen: DecodedAudio | None = None
                 ) -> tuple[Iterator[MotionFrame], ClipInfo]:
    """The clip's motion frames, made as they are read, and what is known of the clip up front.
    `audio` None: a clip of idle life only (`options.idle_s` > 0) or of listening only (`listen`).
    `rest`: an avatar's own pose and expression, where the motion starts and returns to (default:
    zeros, a frontal pose). `listen`: the other party's voice, on the same clock as `audio` (a
    conversation: the face listens while they talk; runtime.motion.conversation)."""
    if listen is None:
        track = clip_audio(audio, options.idle_s)
        heard = None
    else:
        rate = audio.sample_rate if audio is not None else listen.sample_rate
        own = audio if audio is not None else DecodedAudio(np.zeros(0, np.float32), rate)
        track = clip_audio(own, options.idle_s)
        heard = clip_audio(DecodedAudio(resample_track(listen.samples, listen.sample_rate, rate), rate), options.idle_s)
    animator = Animator(AnimatorOptions(
        fps=options.fps, seed=options.seed, controls=options.controls, mouth_model=options.mouth_model,
        rest=rest or RestState(), audio_format=AudioFormat(AudioEncoding.FLOAT32LE, track.sample_rate),
        conversation=heard is not None))
    duration_s = max(track.duration_s, heard.duration_s if heard is not None else 0.0)
    info = ClipInfo(options.fps, options.seed, duration_s, frames_covering(duration_s, options.fps),
                    animator.model_versions)
    outputs = run_clip(animator, track.samples, CHUNK_S, None if heard is None else heard.samples)
    return _frames(outputs), info



def animate_pcm_stream(chunks: Iterable[bytes], options: ClipOptions = ClipOptions(),
                       sample_rate: int = PCM_STREAM_SAMPLE_RATE) -> Iterator[MotionFrame]:
    """Motion frames for PCM16 little-endian mono audio read a chunk at a time, each frame given as
    soon as the audio it needs has arrived (so a live source is animated live). The same Animator
    as `animate_clip`: for the same samples, seed and options the frames are identical."""
    animator = Animator(AnimatorOptions(
        fps=options.fps, seed=options.seed, controls=options.controls, mouth_model=options.mouth_model,
        audio_format=AudioFormat(AudioEncoding.PCM_S16LE, sample_rate)))
    if options.idle_s > 0:
        yield from _frames(animator.push_silence(options.idle_s))
    for chunk in chunks:
        yield from _frames(animator.push_pcm(chunk))
    yield from _frames(animator.end_audio())


def _frames(outputs: Iterable[object]) -> Iterator[MotionFrame]:
    return (output for output in outputs if isinstance(output, MotionFrame))


def bake_clip(audio: DecodedAudio | None, options: ClipOptions = ClipOptions(),
              progress: Progress | None = None, listen: DecodedAudio | None = None) -> BakedClip:
    """Every motion frame of the clip (see `animate_clip`), with its info."""
    frames, info = animate_clip(audio, options, listen=listen)
    return BakedClip(info, tuple(_reported(frames, info.frame_count, progress)))


def render_video(path: str | Path, avatar: Avatar, audio: DecodedAudio, options: ClipOptions = ClipOptions(),
                 frame_options: FrameOptions | None = None, progress: Progress | None = None,
                 device: str = "cpu") -> VideoSummary:
    """The avatar speaking `audio` as an H.264 MP4 with the audio muxed in (AAC), written
    atomically, framed and sized by `frame_options` (default: head and shoulders, 512²), rendered
    on `device` (cpu, cuda or cuda:N); idle life, if asked for, plays over silence before the audio."""
    from runtime.render.frame_renderer import FrameRenderer  # torch: only when rendering
    from runtime.render.framing import DEFAULT_FRAME_OPTIONS
    from runtime.render.video import check_video_path, write_video

    check_video_path(path)
    renderer = FrameRenderer(avatar, frame_options or DEFAULT_FRAME_OPTIONS, device)  # ~1 s: the avatar's warp basis
    frames, info = animate_clip(audio, options, avatar.rest_state)
    pictures = _reported(renderer.render(frames), info.frame_count, progress)
    track = clip_audio(audio, options.idle_s)
    written = write_video(path, (picture.rgb for picture in pictures), (renderer.width, renderer.height),
                          options.fps, track.samples, track.sample_rate)
    return VideoSummary(Path(path), written, renderer.width, renderer.height, options.fps, info.duration_s)


def clip_audio(audio: DecodedAudio | None, idle_s: float) -> DecodedAudio:
    """The clip's whole soundtrack: `idle_s` of silence, then the audio. Animating it is the same as
    idle life followed by the audio, because the Animator's output does not depend on chunking."""
    if audio is None and idle_s <= 0:
        raise InvalidConfigError("a clip needs audio, or idle_s > 0 for idle life only")
    rate = audio.sample_rate if audio is not None else IDLE_SAMPLE_RATE
    speech = audio.samples if audio is not None else np.zeros(0, np.float32)
    silence = np.zeros(round(idle_s * rate), np.float32)
    return DecodedAudio(np.concatenate([silence, speech]) if len(silence) else speech, rate)


def _reported(items: Iterable[T], total: int, progress: Progress | None) -> Iterator[T]:
    for done, item in enumerate(items, 1):
        if progress is not None:
            progress(done, total)
        yield item
