"""The listening face (runtime.motion.listening): chunk-invariant, seeded, a closed mouth, nods in
the pause after the other's phrase ends and never on a word, smiles shaped by the emotion."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import soxr

from benchmarks.listening import listening_rows
from runtime.arkit import Blendshape
from runtime.audio.constants import HOP_S, SAMPLE_RATE
from runtime.audio.voice_cues import StreamingVoiceCues, VoiceCues
from runtime.motion.controls import ControlTimeline
from runtime.motion.listening import NOD_DELAY_S, ListeningBehaviour, ListeningRows
from runtime.motion.saccades import Saccades
from runtime.motion.track import BLENDSHAPES
from runtime.types import Controls, Emotion, PoseColumn
from tests.speech import concatenate, silence, speech_clip

CUE_FIELDS = ("voice_activity", "speaking", "energy_db", "pitch_accent", "phrase_end")
DEFAULT_CONTROLS = Controls()
ROW_FIELDS = ("head", "gaze_offset", "blendshapes", "blink_rate_factor")


@pytest.fixture(scope="module")
def other_voice() -> np.ndarray:
    """Two sentences with pauses, 16 kHz: real synthesised speech (eSpeak NG)."""
    clip = concatenate(silence(0.5), speech_clip("I went to the market this morning, and it was busy."), silence(1.0),
                       speech_clip("They had fresh bread, and the apples were lovely."), silence(1.5))
    return soxr.resample(clip.samples, clip.sample_rate, SAMPLE_RATE).astype(np.float32)


def _cues(samples: np.ndarray, chunk: int) -> VoiceCues:
    front = StreamingVoiceCues(SAMPLE_RATE)
    blocks = [front.push(samples[start:start + chunk]) for start in range(0, len(samples), chunk)]
    return VoiceCues(0, *(np.concatenate([getattr(b, name) for b in blocks]) for name in CUE_FIELDS))


def _slice(cues: VoiceCues, start: int, stop: int) -> VoiceCues:
    return VoiceCues(cues.start_hop + start, *(getattr(cues, name)[start:stop] for name in CUE_FIELDS))


def _listen(cues: VoiceCues, seed: int = 0, controls: Controls = DEFAULT_CONTROLS, splits: tuple[int, ...] = ()
            ) -> ListeningRows:
    """The listener over `cues`, pushed in pieces cut at `splits` (hop indices)."""
    listener = ListeningBehaviour(seed)
    timeline = ControlTimeline(controls)
    bounds = [0, *splits, len(cues)]
    pieces = []
    for start, stop in itertools.pairwise(bounds):
        rows = timeline.sample(np.arange(start, stop) * HOP_S)
        pieces.append(listener.push(_slice(cues, start, stop), rows))
    return ListeningRows(*(np.concatenate([getattr(p, name) for p in pieces]) for name in ROW_FIELDS))


def _synthetic(hops: int, phrase_ends: tuple[int, ...] = (), voice_from: int | None = None,
               accents: tuple[int, ...] = ()) -> VoiceCues:
    """Quiet cues with phrase ends (and accents) where asked; the voice active from `voice_from`."""
    voice = np.zeros(hops, np.float32)
    if voice_from is not None:
        voice[voice_from:] = 1.0
    ends = np.zeros(hops, bool)
    ends[list(phrase_ends)] = True
    accent = np.zeros(hops, np.float32)
    accent[list(accents)] = 1.0
    return VoiceCues(0, voice, voice > 0.5, np.full(hops, -30.0, np.float32), accent, ends)


def test_the_listen_front_end_gives_the_same_cues_under_any_chunking(other_voice):
    whole = _cues(other_voice, len(other_voice))
    pieces = _cues(other_voice, 333)
    for name in CUE_FIELDS:
        np.testing.assert_array_equal(getattr(whole, name), getattr(pieces, name))
    assert whole.phrase_end.sum() >= 2 and whole.speaking.any()


def test_chunking_does_not_change_the_listening_rows(other_voice):
    cues = _cues(other_voice, 640)
    whole = _listen(cues)
    split = _listen(cues, splits=(1, 7, 150, 151, 390))
    for name in ROW_FIELDS:
        np.testing.assert_array_equal(getattr(whole, name), getattr(split, name))


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(other_voice):
    cues = _cues(other_voice, 640)
    first, again, other = _listen(cues, seed=3), _listen(cues, seed=3), _listen(cues, seed=4)
    np.testing.assert_array_equal(first.head, again.head)
    np.testing.assert_array_equal(first.gaze_offset, again.gaze_offset)
    assert not np.array_equal(first.gaze_offset, other.gaze_offset)


def test_the_mouth_stays_closed_while_listening_to_real_speech(other_voice):
    """The whole listening path (own mouth model on silence, listener, turns, compose): the other
    voice never moves the lips."""
    rows = listening_rows(other_voice, seed=0)
    jaw = rows[:, BLENDSHAPES][:, Blendshape.JAW_OPEN]
    assert jaw.max() < 0.05
    assert rows[:, BLENDSHAPES][:, Blendshape.MOUTH_CLOSE].max() < 0.05


def test_nods_fall_in_the_pause_within_0_8_s_after_a_phrase_end():
    controls = Controls(nod_rate=2.0, attentiveness=1.0)  # a nod at every phrase end
    ends = (100, 400, 700)
    pitch = _listen(_synthetic(1000, ends), controls=controls).head[:, PoseColumn.PITCH]
    for end in ends:
        window = pitch[end:end + round(0.8 / HOP_S)]
        assert window.max() > 1.5  # degrees down
        assert np.argmax(window) * HOP_S <= NOD_DELAY_S[1] + 0.45  # peaks inside the window
    assert np.abs(pitch[:ends[0]]).max() < 1e-6  # nothing before the first phrase end


def test_no_nod_lands_on_a_word_and_nod_rate_zero_never_nods():
    resumed = _listen(_synthetic(400, (100,), voice_from=101), controls=Controls(nod_rate=2.0, attentiveness=1.0))
    assert np.abs(resumed.head[:, PoseColumn.PITCH]).max() < 1e-6  # the speaker went on: the nod is dropped
    never = _listen(_synthetic(1000, (100, 400, 700)), controls=Controls(nod_rate=0.0))
    assert np.abs(never.head[:, PoseColumn.PITCH]).max() < 1e-6


def test_accents_tilt_the_head_at_the_next_gap_not_on_the_word():
    cues = _synthetic(600, accents=tuple(range(50, 500, 30)))
    cues.voice_activity[:300] = 1.0  # one long word: tilts wait for its end
    roll = _listen(cues, controls=Controls(attentiveness=1.0)).head[:, PoseColumn.ROLL]
    lean = _listen(_synthetic(600), controls=Controls(attentiveness=1.0)).head[:, PoseColumn.ROLL]
    tilt = roll - lean
    assert np.abs(tilt[:300]).max() < 1e-6
    assert np.abs(tilt[300:]).max() > 0.5


def test_smiles_follow_the_emotion():
    ends = tuple(range(100, 6000, 150))
    cues = _synthetic(6100, ends)

    def smile(emotion: Emotion) -> float:
        shapes = _listen(cues, seed=1, controls=Controls(emotion=emotion, attentiveness=1.0)).blendshapes
        return float(shapes[:, Blendshape.MOUTH_SMILE_LEFT].max())

    assert smile(Emotion.HAPPY) > smile(Emotion.NEUTRAL) > 0.05
    assert smile(Emotion.ANGRY) == 0.0


def test_a_listener_looks_away_less_than_a_speaker():
    """The same moments offered to both styles (a speaker's phrase onsets every 3 s)."""
    hops = 6000
    onsets = np.zeros(hops, bool)
    onsets[::300] = True
    speaking = Saccades(*(np.random.default_rng(k) for k in (1, 2))).push(onsets)
    listening = _listen(_synthetic(hops), controls=Controls(attentiveness=0.8)).gaze_offset
    far = [float(np.mean(np.hypot(*offsets.T) > 5.0)) for offsets in (speaking, listening)]
    assert far[1] < far[0] / 2
    assert np.mean(np.hypot(*listening.T) <= 5.0) >= 0.9


def test_listeners_blink_more_in_the_speakers_pauses():
    factor = _listen(_synthetic(500, (100,))).blink_rate_factor
    assert factor[110] > 1.5 * factor[50] and factor[300] == factor[50]
