"""The Animator: one session's streaming pipeline, from audio samples to motion frames.

    16 kHz audio ─▶ log-mel + energy ─▶ voice activity ─▶ mouth model ─┐
               └▶ prosody (F0, accents, phrase ends) ─▶ dynamics ──────┼─▶ compose ─▶ per-hop track
                                               controls timeline ───────┘      ─▶ frames at fps

Every stage is streaming and chunk-invariant, so the frames depend only on the audio samples,
the controls with their times, the seed and the model versions — never on how the audio was cut.
Frames are emitted as soon as the audio they need (plus the mouth model's look-ahead) has arrived;
there is no pacing here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from runtime.audio.constants import HOP_LENGTH, HOP_S, WINDOW_LENGTH
from runtime.audio.features import FeatureBlock, StreamingLogMel
from runtime.audio.hop_windows import HopWindows
from runtime.audio.pcm import AudioFormat, decode_pcm
from runtime.audio.pitch import PITCH_WINDOW
from runtime.audio.prosody import StreamingProsody
from runtime.audio.resample import StreamingResampler
from runtime.audio.voice_activity import StreamingVoiceActivity, VoiceActivityBlock
from runtime.defaults import DEFAULT_FPS, DEFAULT_SEED, check_fps, check_idle_s, check_seed
from runtime.errors import InvalidConfigError, OutOfOrderError
from runtime.motion.composer import RestRows
from runtime.motion.controls import DEFAULT_TRANSITION_S, MAX_TRANSITION_S, ControlTimeline
from runtime.motion.conversation import Conversation
from runtime.motion.dynamics import ProceduralDynamics
from runtime.motion.mouth_models import DEFAULT_MOUTH_MODEL, check_mouth_model, create_mouth_model
from runtime.motion.track import MotionTrack, last_hop_needed
from runtime.motion.turns import TurnTaking, interrupt_time
from runtime.types import ControlPatch, Controls, EventKind, MotionFrame, RestState, SessionEvent

if TYPE_CHECKING:
    from runtime.engine import MotionEngine

AnimatorOutput = MotionFrame | SessionEvent


@dataclass(frozen=True)
class ModelVersion:
    component: str  # "mouth", "dynamics", "renderer"
    name: str
    version: str


@dataclass(frozen=True)
class AnimatorOptions:
    """Everything that shapes a session's output, validated once here."""

    fps: int = DEFAULT_FPS  # output frames per second, 1..60
    seed: int = DEFAULT_SEED  # seed of the stochastic motion, 0..2**64-1
    audio_format: AudioFormat = AudioFormat()
    controls: Controls = Controls()
    mouth_model: str = DEFAULT_MOUTH_MODEL
    rest: RestState = field(default_factory=RestState)  # the avatar's own pose and expression
    conversation: bool = False  # a second audio stream, the other party's voice (Animator.queue_listen)

    def __post_init__(self) -> None:
        check_fps(self.fps)
        check_seed(self.seed)
        check_mouth_model(self.mouth_model)


class Animator:
    """One session: push audio (and control changes) as it arrives; get frames (in time order) and
    events (as soon as they are known) back.

    The analysis itself runs in a MotionEngine, which advances many sessions' Animators together in
    one batched pass (`queue_*`, then `MotionEngine.advance`, then `take_outputs`); the `push_*`
    methods do all three for this session alone. A session's frames are the same either way."""

    def __init__(self, options: AnimatorOptions = AnimatorOptions(), engine: MotionEngine | None = None) -> None:
        self.options = options
        self.engine = engine if engine is not None else default_engine()
        self._resampler = StreamingResampler(options.audio_format.sample_rate_hz)
        # The engine feeds features and prosody from one buffer of the pitch tracker's (longest) windows.
        self.windows = HopWindows(PITCH_WINDOW)
        self.features = StreamingLogMel()
        self.prosody = StreamingProsody()
        self.mouth = create_mouth_model(options.mouth_model)
        # A mouth that detects speech drives the voice-activity state machine with its rows, which run
        # its look-ahead late: their first hop lies that far before the stream's start.
        self.voice = StreamingVoiceActivity(-self.mouth.lookahead_hops if self.mouth.detects_speech else 0)
        self.dynamics = ProceduralDynamics(options.seed)
        self.controls = ControlTimeline(options.controls)
        self._track = MotionTrack()
        self.rest_rows = RestRows.of(options.rest)  # the rest state as composition takes it, made once
        self.delay_hops = self.mouth.lookahead_hops
        self._pending: list[np.ndarray] = []  # 16 kHz samples not yet analysed
        self._pending_count = 0
        self._input_samples = 0  # at the client's rate
        self._model_rate_samples = 0  # the same audio at 16 kHz, analysed or pending
        self._outputs: list[AnimatorOutput] = []  # produced by the engine, not yet taken
        self.conversation = Conversation(options.audio_format.sample_rate_hz, options.seed, self.delay_hops
                                         ) if options.conversation else None
        self.turns: TurnTaking | None = self.conversation.turns if self.conversation else None
        self._ending = False  # end of audio queued: its events follow the last analysis
        self.frames_emitted = 0
        self.ended = False

    @property
    def model_versions(self) -> tuple[ModelVersion, ...]:
        return (ModelVersion("mouth", self.mouth.name, self.mouth.version),
                ModelVersion("dynamics", self.dynamics.name, self.dynamics.version))

    @property
    def lookahead_s(self) -> float:
        """Audio needed beyond a frame's time, at most: the model's look-ahead, one analysis hop,
        one hop for interpolating between hops, and the resampler's filter delay."""
        return (self.delay_hops + 2) * HOP_S + self._resampler.delay_s

    def audio_needed_s(self, index: int) -> float:
        """Input audio (seconds from the stream's start) that frame `index` waits for: exactly the
        rule the Animator emits by, so clients and benchmarks can measure delay beyond it."""
        samples = self._resampler.inputs_needed(self._hops_needed(index) * HOP_LENGTH)
        return samples / self.options.audio_format.sample_rate_hz

    @property
    def audio_duration_s(self) -> float:
        return self._input_samples / self.options.audio_format.sample_rate_hz

    # --- one session on its own ---

    def push_pcm(self, data: bytes) -> list[AnimatorOutput]:
        """Raw bytes in the session's audio format (InvalidAudioError for a bad chunk)."""
        return self.push_samples(decode_pcm(data, self.options.audio_format.encoding))

    def push_samples(self, samples: np.ndarray) -> list[AnimatorOutput]:
        """Mono float32 samples in [-1, 1] at the session's sample rate."""
        self.queue_samples(samples)
        return self._advance_alone()

    def push_silence(self, seconds: float) -> list[AnimatorOutput]:
        """Idle life without audio: the stream goes on as if `seconds` of silence had arrived."""
        self.queue_silence(seconds)
        return self._advance_alone()

    def end_audio(self) -> list[AnimatorOutput]:
        """Emits the remaining frames (up to the audio's duration) and the end-of-audio event."""
        self.queue_end()
        return self._advance_alone()

    def _advance_alone(self) -> list[AnimatorOutput]:
        while self.has_work:
            self.engine.advance([self])
        return self.take_outputs()

    # --- queued for an engine that advances many sessions together ---

    def queue_pcm(self, data: bytes) -> None:
        self.queue_samples(decode_pcm(data, self.options.audio_format.encoding))

    def queue_samples(self, samples: np.ndarray) -> None:
        if self.ended:
            raise OutOfOrderError("audio pushed after the end of audio")
        self._input_samples += len(samples)
        if self.conversation is None:
            self._analyse_own(samples)
        else:  # on hold until the listen stream has reached the same time (the clock rule)
            self._analyse_own(self.conversation.hold_own(samples))

    def queue_listen(self, samples: np.ndarray) -> None:
        """The other party's voice (conversation sessions), at the session's sample rate."""
        if self.conversation is None:
            raise OutOfOrderError("listen_audio needs a conversation session (SessionConfig.conversation)")
        if self.ended:
            raise OutOfOrderError("listen audio pushed after the end of audio")
        self._analyse_own(self.conversation.hold_listen(samples))

    def queue_listen_pcm(self, data: bytes) -> None:
        self.queue_listen(decode_pcm(data, self.options.audio_format.encoding))

    def interrupt(self, requested_s: float | None = None) -> None:
        """Barge-in: own audio from the interrupt's time on (runtime.motion.turns.interrupt_time) is
        dropped, and the mouth eases shut from there; its INTERRUPTED event is queued."""
        rate = self.options.audio_format.sample_rate_hz
        listen_s = None if self.conversation is None else self.conversation.listen_samples / rate
        at_s = interrupt_time(requested_s, self._input_samples / rate, listen_s)
        keep = round(at_s * rate)
        if self.conversation is not None:
            self.conversation.drop_own_after(keep)
        self._input_samples = keep
        if self.turns is None:  # a monologue's first interrupt: its turns start at the next row
            self.turns = TurnTaking(first_hop=self.features.hops_done - self.delay_hops)
        self._outputs.append(self.turns.interrupt(at_s))

    def _analyse_own(self, samples: np.ndarray) -> None:
        """Own samples (client rate) released for analysis."""
        resampled = self._resampler.push(samples)
        self._queue(resampled)
        self._model_rate_samples += len(resampled)

    def queue_silence(self, seconds: float) -> None:
        """Silence on the session's clock (on both streams of a conversation)."""
        check_idle_s(seconds)
        silence = np.zeros(round(seconds * self.options.audio_format.sample_rate_hz), np.float32)
        if self.conversation is not None:
            self.queue_listen(silence)
        self.queue_samples(silence)

    def queue_end(self) -> None:
        if self.ended:
            return
        padding = (self.delay_hops + 3) * HOP_LENGTH + WINDOW_LENGTH
        if self.conversation is not None:  # the stream behind counts as silence from here
            released, silence_added = self.conversation.end(padding)
            self._input_samples += silence_added
            self._analyse_own(released)
        self.ended = self._ending = True
        self._queue(self._resampler.flush())
        self._queue(np.zeros(padding, np.float32))  # silence lets the last hops finish

    def update_controls(self, patch: ControlPatch, transition_s: float = DEFAULT_TRANSITION_S) -> None:
        """Changes controls from the audio time reached so far, with a smooth transition."""
        if not 0.0 <= transition_s <= MAX_TRANSITION_S:
            raise InvalidConfigError(f"transition_s must be within [0, {MAX_TRANSITION_S}], got {transition_s}")
        controls = patch.apply_to(self.controls.current)
        self.controls.change(controls, self.audio_duration_s, transition_s)

    @property
    def has_work(self) -> bool:
        """Whether an engine pass would produce something: the next frame's audio (or the end of
        audio) is queued. Otherwise the work waits: done later, it gives the same result."""
        if self._ending:
            return True
        return self._pending_count > 0 and self._model_rate_samples // HOP_LENGTH >= self._hops_needed(
            self.frames_emitted)

    def take_outputs(self) -> list[AnimatorOutput]:
        outputs, self._outputs = self._outputs, []
        return outputs

    # --- called by the engine ---

    def take_pending(self, max_samples: int) -> list[np.ndarray]:
        """Up to `max_samples` queued 16 kHz samples, oldest first, in pieces."""
        if self._pending_count <= max_samples:  # the usual case: all of it, as queued
            taken, self._pending, self._pending_count = self._pending, [], 0
            return taken
        samples = np.concatenate(self._pending)
        taken, rest = samples[:max_samples], samples[max_samples:]
        self._pending, self._pending_count = [rest], len(rest)
        return [taken]

    def first_motion_hop(self, features: FeatureBlock) -> int:
        """The first of the hops whose motion rows these features complete (one per feature hop, in
        order): the models see `delay` hops ahead, so it lies before the stream's start at first."""
        return features.start_hop - self.delay_hops

    def accept(self, voice: VoiceActivityBlock, rows: np.ndarray, events: tuple[SessionEvent, ...] = ()) -> None:
        """An engine pass's result: motion rows of hops from the stream's start on (earlier hops,
        before the stream, dropped by the caller), the voice activity of the pass and other events
        (turn changes)."""
        self._track.append(rows)
        if voice.speech_starts_s or voice.speech_ends_s or events:  # most passes have none
            happened = _voice_events(voice) + list(events)
            self._outputs += sorted(happened, key=lambda event: event.time_s)
        self._outputs += self._ready_frames()
        if self._ending and self._pending_count == 0:
            self._ending = False
            duration_s = self.audio_duration_s
            if self.voice.speaking:
                self._outputs.append(SessionEvent(EventKind.SPEECH_END, duration_s))
            self._outputs.append(SessionEvent(EventKind.END_OF_AUDIO, duration_s))

    def _queue(self, samples: np.ndarray) -> None:
        if len(samples):
            self._pending.append(samples)
            self._pending_count += len(samples)

    def _frame_limit(self) -> int | None:
        """After the end of audio: frames cover [0, duration); before it, no limit applies."""
        if not self.ended:
            return None
        return frames_covering(self.audio_duration_s, self.options.fps)

    def _hops_needed(self, index: int) -> int:
        """Analysis hops that must be complete for frame `index`: the hop at or after its time
        (for interpolation), shifted by the model's look-ahead, counted from 1."""
        return last_hop_needed(index, self.options.fps) + self.delay_hops + 1

    def _ready_frames(self) -> list[MotionFrame]:
        frames = self._track.take_frames(self.frames_emitted, self.options.fps, self._frame_limit())
        self.frames_emitted += len(frames)
        return frames


def frames_covering(duration_s: float, fps: int) -> int:
    """Frames of a finished stream: those whose time (index / fps) falls in [0, duration_s)."""
    return math.ceil(duration_s * fps - 1e-9)  # 1e-9: a duration a hair above a frame time adds none


def _voice_events(voice: VoiceActivityBlock) -> list[SessionEvent]:
    events = [SessionEvent(EventKind.SPEECH_START, t) for t in voice.speech_starts_s]
    return events + [SessionEvent(EventKind.SPEECH_END, t) for t in voice.speech_ends_s]  # `accept` orders them


def default_engine() -> MotionEngine:
    """The process's CPU engine, for Animators made without one."""
    from runtime.engine import MotionEngine  # the engine imports this module

    global _DEFAULT_ENGINE
    if _DEFAULT_ENGINE is None:
        _DEFAULT_ENGINE = MotionEngine()
    return _DEFAULT_ENGINE


_DEFAULT_ENGINE: MotionEngine | None = None


def run_clip(animator: Animator, samples: np.ndarray, chunk_s: float = 1.0,
             listen: np.ndarray | None = None) -> Iterator[AnimatorOutput]:
    """The batch path: a whole clip through the same streaming Animator, a chunk at a time (so
    callers can show progress; chunking never changes the result). `samples` (and `listen`, the
    other party's voice in a conversation) are mono float32 at the animator's sample rate."""
    step = max(1, int(chunk_s * animator.options.audio_format.sample_rate_hz))
    length = max(len(samples), 0 if listen is None else len(listen))
    for start in range(0, length, step):
        if listen is not None:
            animator.queue_listen(listen[start:start + step])
        yield from animator.push_samples(samples[start:start + step])
    yield from animator.end_audio()
