"""The mouth model "learned-adaptive": the learned mouth in a quiet room, the mouth trained for noise in a
noisy one, and lips shut whenever nobody talks.

Neither network is best everywhere (runtime/weights/audio_to_mouth.md): "learned" follows a clean
voice's jaw closest but chatters its mouth to music and babble and loses closures in noise;
"learned-in-noise" keeps its lips shut when nobody talks and its closures in noise, but follows a clean
voice's jaw less closely. Both run side by side, and their rows are blended by

- **the room**: the loudness range over the last ROOM_WINDOW_S. Clean speech dips to its room's floor
  within that time (a pause, a stop's closure) and spans 30-40 dB; speech in noise, and noise, music or
  babble alone, span far less. At CLEAN_RANGE_DB and above the rows are "learned"'s, at NOISY_RANGE_DB
  and below "learned-in-noise"'s, with a smoothstep between, followed with BLEND_TIME_S of lag so the
  mouth never steps from one network's rows to the other's;
- **who talks**: where "learned-in-noise"'s speech probability says nobody does (a breath, a cough, a
  click in a quiet room), its rows — lips shut — whatever the room (the weight is at least one minus
  that network's own speech gate).

The rows' voice activity is "learned-in-noise"'s speech probability, so the session's voice-activity
state machine, its speech events and the lips agree, in any room. Every step is per session and per
hop (the networks' fixed-shape products, sliding windows, a one-pole filter channel by channel), so a
session's rows are bit-identical however its audio is chunked and whatever it is batched with.

Where the weight is 1 (a noisy room, nobody talking: an NPC listening, a long pause) the rows are
"learned-in-noise"'s alone, and "learned"'s network stops once it has been unused for as long as it
takes to restart it (its receptive field and its jaw filter's few hops); it restarts from the log-mel
each session keeps of its last hops (`LearnedMouth.resume_after`), and since a row depends only on that,
its rows are the same bits as if it had run all along.
"""

from __future__ import annotations

import numpy as np

from runtime.audio.constants import HOP_S
from runtime.audio.features import FeatureBlock
from runtime.motion.audio_to_mouth import LearnedMouth, LearnedMouthInNoise, speech_gate
from runtime.motion.mouth_protocol import MouthRows
from runtime.numerics import StreamingIir, hermite_step, one_pole, stacked

ROOM_WINDOW_S = 1.5
CLEAN_RANGE_DB = 30.0  # loudness range (max - min of frame energy over the window) of a quiet room
NOISY_RANGE_DB = 20.0  # ... and of a noisy one
BLEND_TIME_S = 0.1

ROOM_WINDOW_HOPS = round(ROOM_WINDOW_S / HOP_S)


class AdaptiveMouth:
    """Streaming, as every MouthModel; `push_many` advances many sessions' two networks in one pass each."""

    name = "audio-to-mouth-tcn-adaptive"
    # 2: the quiet room's network is "learned"'s version 8 (weights version 5: real talkers as well).
    # 3: both networks' jaw through their causal filter ("learned" version 9, "learned-in-noise" version 5).
    # 4: the quiet room's network is "learned"'s version 10 (weights version 6: a jaw trained for correlation).
    # 5: the quiet room's network is "learned"'s version 11 (weights version 7: curves calibrated to their size).
    version = "5"
    detects_speech = True
    stops_idle_network = True  # False: the quiet room's network runs on every hop (the same rows, more work)

    def __init__(self, quiet_room: LearnedMouth | None = None) -> None:
        # `quiet_room`: other weights of "learned" to blend in (a candidate measured against the shipped
        # ones, runtime.train.set_intervals --against); the shipped weights by default.
        self.quiet_room = quiet_room if quiet_room is not None else LearnedMouth()
        self.noisy_room = LearnedMouthInNoise()
        if self.quiet_room.lookahead_hops != self.noisy_room.lookahead_hops:
            raise ValueError("the two networks must read their rows equally late")
        self.lookahead_hops = self.quiet_room.lookahead_hops
        # The last hops' frame energy (dBFS), NaN until heard: a stream's first hops judge the room by
        # what there is.
        self._energies = np.full(ROOM_WINDOW_HOPS - 1, np.nan, np.float32)
        self._blend = one_pole(BLEND_TIME_S, HOP_S, 1, initial=1.0)  # a stream starts as if in a noisy room
        # The quiet room's network: whether its state is current, for how many hops its rows went unused,
        # and the log-mel of those hops it would restart from (at most `LearnedMouth.restart_hops`; kept
        # only while its rows go unused, since it stops only after more hops than that).
        self._quiet_current = True
        self._quiet_unused_hops = 0
        self._restart_hops = self.quiet_room.restart_hops
        self._unused_log_mel = np.zeros((0, self.quiet_room.config.n_mels), np.float32)

    @property
    def batch_key(self) -> tuple[int, int]:
        """Sessions whose key matches can share a pass (`push_many`): the same two networks."""
        return id(self.quiet_room.network), id(self.noisy_room.network)

    def push(self, features: FeatureBlock, voice_probability: np.ndarray) -> MouthRows:
        """The given voice probability is not listened to: the noisy room's network detects speech."""
        rows = AdaptiveMouth.push_many([self], features.log_mel[None], features.energy_db[None])
        return MouthRows(rows.visemes[0], rows.blendshapes[0], rows.voice_activity[0])

    @staticmethod
    def push_many(mouths: list[AdaptiveMouth], log_mel: np.ndarray, energy_db: np.ndarray) -> MouthRows:
        """S sessions' next n hops — (S, n, n_mels) log-mel, (S, n) frame energy — as MouthRows of
        (S, n, ...) arrays, each session's what it alone would get."""
        sessions, count = energy_db.shape
        unused = np.zeros((sessions, count), np.float32)
        noisy = LearnedMouth.push_many([m.noisy_room for m in mouths], log_mel, unused)
        room = hermite_step(CLEAN_RANGE_DB, NOISY_RANGE_DB, _loudness_range(mouths, energy_db))
        followed = StreamingIir.push_many([m._blend for m in mouths], np.ascontiguousarray(room.T[:, :, None]))
        weight = np.maximum(followed[:, :, 0].T, 1.0 - speech_gate(noisy.voice_activity))[..., None]
        visemes, shapes = noisy.visemes, noisy.blendshapes
        needed = (weight < 1.0).any(axis=(1, 2)).tolist()
        running = _quiet_rooms_to_run(mouths, needed, count)
        if running:
            quiet = LearnedMouth.push_many([mouths[i].quiet_room for i in running], log_mel[running], unused[running])
            own = weight[running]
            # Where the weight is 1 the noisy room's rows exactly, not a blend that rounds near them: those
            # rows must not depend on whether the quiet room's network ran.
            visemes[running] = np.where(own < 1.0, quiet.visemes + own * (visemes[running] - quiet.visemes),
                                        visemes[running])
            shapes[running] = np.where(own < 1.0, quiet.blendshapes + own * (shapes[running] - quiet.blendshapes),
                                       shapes[running])
        _keep_unused_log_mel(mouths, needed, log_mel)
        return MouthRows(visemes, shapes, noisy.voice_activity)


def _quiet_rooms_to_run(mouths: list[AdaptiveMouth], needed: list[bool], count: int) -> list[int]:
    """Indices of the sessions whose quiet-room network runs this push: those whose rows use it
    (restarted first if it had stopped), and those that stopped using it less than a restart ago."""
    running = []
    for index, (mouth, need) in enumerate(zip(mouths, needed, strict=True)):
        if need:
            if not mouth._quiet_current:
                mouth.quiet_room.resume_after(mouth._unused_log_mel)
                mouth._quiet_current = True
            mouth._quiet_unused_hops = 0
            running.append(index)
        elif mouth._quiet_current:
            mouth._quiet_unused_hops += count
            if mouth._quiet_unused_hops <= mouth._restart_hops or not mouth.stops_idle_network:
                running.append(index)
            else:  # idle longer than a restart takes: stop it (its state is stale from here)
                mouth._quiet_current = False
    return running


def _keep_unused_log_mel(mouths: list[AdaptiveMouth], needed: list[bool], log_mel: np.ndarray) -> None:
    """Each session's log-mel since its quiet room's rows were last used, the last restart's worth of it:
    a network stops only after more unused hops than that, so at a restart it holds the hops just before."""
    for mouth, need, own in zip(mouths, needed, log_mel, strict=True):
        if need:
            mouth._unused_log_mel = mouth._unused_log_mel[:0]
        else:
            recent = np.concatenate([mouth._unused_log_mel, own.astype(np.float32)])
            mouth._unused_log_mel = recent[max(len(recent) - mouth._restart_hops, 0):]


def _loudness_range(mouths: list[AdaptiveMouth], energy_db: np.ndarray) -> np.ndarray:
    """(S, n) max - min of the frame energy over the ROOM_WINDOW_HOPS ending at each hop (hops not yet
    heard left out); each session keeps its last ROOM_WINDOW_HOPS - 1 for its next push."""
    recent = np.concatenate([stacked([m._energies for m in mouths]), energy_db.astype(np.float32)], axis=1)
    if energy_db.shape[1] == 0:  # a push of no hops (a chunk shorter than a hop)
        return np.zeros(energy_db.shape, np.float32)
    for mouth, row in zip(mouths, recent, strict=True):
        mouth._energies = row[len(row) - (ROOM_WINDOW_HOPS - 1):].copy()
    windows = np.lib.stride_tricks.sliding_window_view(recent, ROOM_WINDOW_HOPS, axis=1)
    return np.fmax.reduce(windows, axis=2) - np.fmin.reduce(windows, axis=2)  # fmax, fmin: NaN left out
