"""Flite's recorded English talkers as training speech: phone times that match the waveform, mapped
visemes, and a corpus whose earlier utterances stay as they were."""

from dataclasses import replace

import numpy as np
import pytest

from runtime.arkit import viseme_index
from runtime.train import flite
from runtime.train.corpus import CorpusOptions, Plan, build, plan_training
from runtime.train.visemes import FESTIVAL_PAUSES, festival_viseme
from tests.speech import level_db

needs_flite = pytest.mark.skipif(not flite.available(), reason="flite is not installed (Debian: flite)")
SENTENCE = "Peter picked a bowl of mushrooms."


@needs_flite
@pytest.mark.parametrize("voice", sorted(flite.VOICES))
def test_a_talker_speaks_with_phone_times_that_match_its_waveform(voice):
    speech = flite.synthesize(SENTENCE, voice)
    phones = [phone for phone, _ in speech.phones]
    starts = [start for _, start in speech.phones]
    assert speech.sample_rate == 16000 and phones[0] == "pau" and phones[-1] == "pau"
    assert {"p", "m"} <= set(phones) and starts == sorted(starts)
    # The times are the waveform's: its pauses are quiet and its words are not.
    rate = speech.sample_rate
    edges = [round(start * rate) for start in starts] + [len(speech.samples)]
    spans = zip(speech.phones, edges[:-1], edges[1:], strict=True)
    paused = np.concatenate([speech.samples[a:b] for (phone, _), a, b in spans if phone in FESTIVAL_PAUSES])
    spoken = speech.samples[edges[1]:edges[-2]]
    assert level_db(spoken) - level_db(paused) > 25.0
    # Every phone is one of Festival's radio phone set, which maps phone by phone (an unknown one raises).
    assert all(festival_viseme(phone, "radio") for phone in phones)


@needs_flite
def test_a_stretch_slows_the_talker_and_its_times_alike():
    quick, slow = (flite.synthesize(SENTENCE, "rms", stretch) for stretch in (0.85, 1.25))
    assert [phone for phone, _ in quick.phones] == [phone for phone, _ in slow.phones]
    ratio = len(slow.samples) / len(quick.samples)
    assert 1.3 < ratio < 1.6
    assert slow.phones[-1][1] / quick.phones[-1][1] == pytest.approx(ratio, rel=0.08)


def test_flite_talkers_come_after_the_earlier_plans():
    """Adding Flite's talkers leaves every earlier utterance as it was (and the cache key of a corpus
    without them unchanged)."""
    first = plan_training(CorpusOptions())
    more = plan_training(replace(CorpusOptions(), flite_utterances=6))
    assert more[:len(first)] == first
    added = more[len(first):]
    assert {plan.engine for plan in added} == {"flite"} and {plan.voice for plan in added} == set(flite.VOICES)


@needs_flite
def test_a_flite_utterance_becomes_labelled_training_rows():
    corpus = build([Plan("flite", "awb", SENTENCE, seed=7)], copies=2)
    assert corpus.sources == ["flite:awb", "flite:awb:augmented"]
    _, labels, curves = corpus.utterance(0)  # the clean copy
    assert viseme_index("PP") in set(labels.tolist())
    assert labels[0] == viseme_index("sil") and labels[-1] == viseme_index("sil") and np.isfinite(curves).all()


def test_unexpected_output_is_a_clear_error():
    assert flite.segments("pau:0.25 m:0.31") == (("pau", 0.0), ("m", 0.25))
    with pytest.raises(flite.FliteError, match="unexpected segment"):
        flite.segments("Error: no voice")
    with pytest.raises(ValueError, match="voice must be one of"):
        flite.synthesize(SENTENCE, "hal")
