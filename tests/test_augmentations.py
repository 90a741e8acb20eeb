"""The augmentations of real use (noises, rooms, channels, mixing) and the split of noise families
between training and evaluation."""

from __future__ import annotations

import numpy as np
import pytest
import soxr

from runtime.arkit import viseme_index
from runtime.audio.constants import SAMPLE_RATE
from runtime.train.augment import UseAugmentOptions, augment_for_use
from runtime.train.channels import opus_round_trip, telephone
from runtime.train.corpus import (
    ENGLISH_ACCENTS,
    HELD_OUT_VARIANTS,
    OTHER_LANGUAGES,
    TRAIN_VARIANTS,
    CorpusOptions,
    _key,
    build,
    plan_training,
)
from runtime.train.evaluation_sets import NON_SPEECH_NOISES, SPEECH_NOISES, LabelledClip, noisy_clip
from runtime.train.mixing import mix_at_snr, snr_db
from runtime.train.noises import BABBLE_UNSEEN_LANGUAGES, FAMILIES, HELD_OUT_FAMILIES, TRAIN_FAMILIES, noise
from runtime.train.rooms import Room, impulse_response, measure_rt60, reverberate
from runtime.train.targets import VisemeSegment
from tests.speech import speech_clip

TAIL = 6000  # samples of silence after the speech


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    clip = speech_clip("Bob met my mum by the pub, then Pam picked up a map.")
    voiced = soxr.resample(clip.samples, clip.sample_rate, SAMPLE_RATE).astype(np.float32)
    return np.concatenate([np.zeros(4000, np.float32), voiced, np.zeros(TAIL, np.float32)])


def _energy_above(audio: np.ndarray, hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(audio)) ** 2
    return float(spectrum[np.fft.rfftfreq(len(audio), 1 / SAMPLE_RATE) > hz].sum())


def _relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a.astype(np.float64) - b) ** 2) / np.mean(a.astype(np.float64) ** 2)))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_noise_is_a_function_of_its_seed(family):
    n = SAMPLE_RATE  # one second
    first, again = noise(family, n, np.random.default_rng(7)), noise(family, n, np.random.default_rng(7))
    other = noise(family, n, np.random.default_rng(8))
    assert first.dtype == np.float32 and first.shape == (n,) and np.all(np.isfinite(first))
    assert np.sqrt(np.mean(first.astype(np.float64) ** 2)) == pytest.approx(1.0, rel=1e-3)
    assert _relative_difference(first, other) > 0.5
    if family.startswith("babble"):
        # eSpeak NG now and then renders an utterance slightly differently (a few % of its RMS) for the
        # same text and settings, despite a fresh library image per call: the babble is the same
        # talkers saying the same things, but not always bit for bit.
        assert _relative_difference(first, again) < 0.2
    else:
        assert np.array_equal(first, again)


def test_training_and_held_out_noise_families_are_disjoint():
    assert set(TRAIN_FAMILIES).isdisjoint(HELD_OUT_FAMILIES)
    assert set(TRAIN_FAMILIES) | set(HELD_OUT_FAMILIES) == set(FAMILIES)
    generators = [FAMILIES[name].generate for name in FAMILIES]
    assert len(set(generators)) == len(generators)  # no family is another under a new name
    assert {"fan", "babble", "keyboard", "music-plucked"} <= set(TRAIN_FAMILIES)
    assert {"hvac", "babble-unseen", "street", "music-band", "breath-mouth"} <= set(HELD_OUT_FAMILIES)
    # The held-out babble speaks languages and voices that no training utterance uses.
    trained_languages = {accent.split("-")[0] for accent in ENGLISH_ACCENTS} | set(OTHER_LANGUAGES)
    assert trained_languages.isdisjoint(BABBLE_UNSEEN_LANGUAGES)
    assert set(TRAIN_VARIANTS).isdisjoint(HELD_OUT_VARIANTS)
    # The evaluation mixes in held-out families only.
    assert set(SPEECH_NOISES) <= set(HELD_OUT_FAMILIES)
    assert set(NON_SPEECH_NOISES) == set(HELD_OUT_FAMILIES)


@pytest.mark.parametrize("family", ["street", "music-band", "hvac", "keyboard"])
@pytest.mark.parametrize("snr", [20.0, 10.0, 5.0, 0.0])
def test_mixing_gives_the_asked_snr(speech, family, snr):
    mixed = mix_at_snr(speech, noise(family, 3 * SAMPLE_RATE, np.random.default_rng(1)), snr,
                       np.random.default_rng(2))
    assert mixed.shape == speech.shape
    assert snr_db(speech, mixed - speech) == pytest.approx(snr, abs=0.1)


def test_a_noisy_clip_keeps_its_snr_after_a_noise_lead_in(speech):
    lead = 2 * SAMPLE_RATE
    clip = LabelledClip(speech, (VisemeSegment("sil", 0.0, 0.3), VisemeSegment("PP", 0.3, 0.4),
                                 VisemeSegment("sil", 0.4, len(speech) / SAMPLE_RATE)))
    noisy = noisy_clip(clip, noise("hvac", lead + len(speech), np.random.default_rng(3)), 10.0)
    assert noisy.scored_from_s == 2.0 and len(noisy.samples) == lead + len(speech)
    assert snr_db(speech, noisy.samples[lead:] - speech) == pytest.approx(10.0, abs=0.1)
    assert np.std(noisy.samples[:lead]) > 0  # the noise was there before the talker
    assert noisy.segments[1] == VisemeSegment("PP", 2.3, 2.4) and noisy.segments[0].start_s == 0.0


def test_measured_rt60_reads_a_known_decay():
    rt60 = 0.5
    t = np.arange(int(0.8 * SAMPLE_RATE)) / SAMPLE_RATE
    decay = np.random.default_rng(0).standard_normal(len(t)) * 10.0 ** (-3.0 * t / rt60)  # -60 dB at rt60
    assert measure_rt60(decay) == pytest.approx(rt60, rel=0.05)


@pytest.mark.parametrize("rt60", [0.2, 0.4, 0.7, 1.0, 1.5])
def test_rooms_have_the_asked_rt60(rt60):
    for seed in range(3):
        response = impulse_response(Room(rt60), np.random.default_rng(seed))
        assert measure_rt60(response) == pytest.approx(rt60, rel=0.15)
    again = impulse_response(Room(rt60), np.random.default_rng(0))
    assert np.array_equal(again, impulse_response(Room(rt60), np.random.default_rng(0)))


def test_reverberation_keeps_the_level_and_smears_the_end(speech):
    wet = reverberate(speech, impulse_response(Room(0.8, direct_to_reverberant_db=0.0), np.random.default_rng(1)))
    assert wet.shape == speech.shape
    assert np.sqrt(np.mean(wet**2)) == pytest.approx(np.sqrt(np.mean(speech**2)), rel=1e-3)
    end = len(speech) - TAIL  # the speech stops here; the room rings on
    assert np.mean(wet[end + 800:end + 2400] ** 2) > 100 * np.mean(speech[end + 800:end + 2400] ** 2)


def test_telephone_removes_what_lies_above_4_khz(speech):
    white = np.random.default_rng(0).standard_normal(2 * SAMPLE_RATE).astype(np.float32) * 0.1
    for audio in (white, speech):
        narrow = telephone(audio)
        assert narrow.shape == audio.shape
        assert _energy_above(narrow, 4000.0) < 1e-4 * _energy_above(audio, 4000.0)  # -40 dB or more
        assert _energy_above(narrow, 300.0) > 0.05 * _energy_above(audio, 300.0)  # the voice band stays


def test_opus_round_trip_is_aligned_and_repeatable(speech):
    coded = opus_round_trip(speech, 12_000)
    assert coded.shape == speech.shape and np.array_equal(coded, opus_round_trip(speech, 12_000))
    assert not np.array_equal(coded, speech)
    lags = range(-80, 81)
    correlations = [np.dot(speech[200:-200], np.roll(coded, -lag)[200:-200]) for lag in lags]
    assert abs(lags[int(np.argmax(correlations))]) <= 2  # no codec delay left
    assert np.corrcoef(speech, coded)[0, 1] > 0.7


def test_use_augmentation_refuses_held_out_noises_and_follows_its_seed(speech):
    with pytest.raises(ValueError, match="evaluation only"):
        UseAugmentOptions(families=("fan", "street"))
    with pytest.raises(ValueError, match="must be among"):
        UseAugmentOptions(families=("traffic",))
    options = UseAugmentOptions(families=("fan", "keyboard", "music-plucked", "coloured"), noise_probability=1.0,
                                room_probability=1.0, opus_probability=1.0)
    first, factor = augment_for_use(speech, np.random.default_rng(5), options)
    again, same_factor = augment_for_use(speech, np.random.default_rng(5), options)
    assert np.array_equal(first, again) and factor == same_factor
    assert abs(len(first) - len(speech) / factor) <= 2 and np.all(np.isfinite(first))
    assert np.std(first[:2000]) > 1e-4  # the lead-in silence now holds room noise


def test_a_corpus_for_use_holds_non_speech_labelled_silence_and_only_training_noises():
    options = CorpusOptions(english_utterances=1, other_language_utterances=0, festival_utterances=0,
                            held_out_utterances=0, copies=2, workers=1, augmentation="in-use",
                            non_speech_utterances=len(TRAIN_FAMILIES))
    plans = plan_training(options)
    assert [p.voice for p in plans if p.engine == "noise"] == list(TRAIN_FAMILIES)
    corpus = build(plans, options.copies, augmentation=options.augmentation)
    assert len(corpus) == 2 * len(plans)
    for index, source in enumerate(corpus.sources):
        log_mel, labels, _ = corpus.utterance(index)
        if source.startswith("noise:"):
            assert np.all(labels == viseme_index("sil")) and log_mel.std() > 0.1
        else:
            assert np.any(labels != viseme_index("sil"))
    # Version 1's corpus keeps its cache key: the options added since enter it only when changed.
    assert _key("train", CorpusOptions()) != _key("train", options)
    assert _key("train", CorpusOptions()) == _key("train", CorpusOptions(augmentation="recorded",
                                                                         non_speech_utterances=0))
    with pytest.raises(ValueError, match="augmentation"):
        CorpusOptions(augmentation="studio")
