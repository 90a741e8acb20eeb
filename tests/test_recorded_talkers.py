"""Real talkers in training (runtime/train/corpus.py's "recorded" corpus, prompt_speech.training_prompt):
Asterisk's Italian and Russian prompts, aligned from eSpeak NG's pronunciations, gated on their pauses,
joined to the synthetic corpus. Needs the README's test command's Debian packages (asterisk-core-sounds-it,
-it-g722, -ru, -ru-g722)."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.audio.constants import SAMPLE_RATE
from runtime.train.corpus import CorpusOptions, Plan, _examples, _key, build, joined, plan_recorded
from runtime.train.mouth import CropSampler, TrainOptions
from runtime.train.prompt_speech import LANGUAGES, PromptLeftOut, pauses_are_quiet, training_prompt
from runtime.train.real_speech import AlignedClip
from runtime.train.targets import VisemeSegment


def _clip(pause_level: float) -> AlignedClip:
    """One second of 'speech' at RMS 0.1 with an aligned pause in its middle at `pause_level`."""
    rng = np.random.default_rng(0)
    samples = (rng.standard_normal(SAMPLE_RATE) * 0.1).astype(np.float32)
    samples[6400:9600] *= pause_level / 0.1
    segments = (VisemeSegment("aa", 0.0, 0.4), VisemeSegment("sil", 0.4, 0.6), VisemeSegment("PP", 0.6, 1.0))
    return AlignedClip("made", samples, "", segments)


def test_a_pause_is_quiet_only_where_the_talker_is():
    assert pauses_are_quiet(_clip(0.005))
    assert not pauses_are_quiet(_clip(0.05))  # half the speech's loudness: the aligner parked phones there


def test_a_russian_prompt_with_a_pause_aligned_over_speech_is_left_out_of_training():
    """Its aligned pause between "оператор" and "уже" is half as loud as its speech (the English model
    could not place Russian phones there); a short prompt aligned cleanly is kept."""
    with pytest.raises(PromptLeftOut, match="a pause aligned where the talker is speaking"):
        training_prompt(LANGUAGES["ru"], "agent-alreadyon")
    kept = training_prompt(LANGUAGES["ru"], "added")  # "Добавлено": b
    assert [segment.viseme for segment in kept.segments].count("PP") == 1


def test_recorded_prompts_become_clean_and_augmented_examples_or_nothing():
    examples = _examples((Plan("prompts", "it", "agent-incorrect", 7), 2, "recorded"))
    assert [source for *_, source in examples] == ["prompts:it", "prompts:it:augmented"]
    log_mel, labels, curves, _ = examples[0]
    assert len(log_mel) == len(labels) == len(curves) > 400  # 4.6 s of speech
    assert _examples((Plan("prompts", "ru", "agent-alreadyon", 7), 2, "recorded")) == []  # left out, logged
    assert _examples((Plan("prompts", "it", "conf-full", 7), 2, "recorded")) == []  # "La conferenza ? piena."


def test_the_recorded_corpus_is_its_own_and_leaves_the_synthetic_ones_key_alone():
    synthetic = CorpusOptions(flite_utterances=600)
    with_talkers = CorpusOptions(flite_utterances=600, recorded_prompt_languages=("it", "ru"))
    assert _key("train", synthetic) == _key("train", with_talkers)  # the synthetic cache is not rebuilt
    assert _key("recorded", with_talkers) == _key("recorded", CorpusOptions(recorded_prompt_languages=("it", "ru")))
    assert _key("recorded", with_talkers) != _key("recorded", CorpusOptions(recorded_prompt_languages=("it",)))
    plans = plan_recorded(with_talkers)
    assert {plan.voice for plan in plans} == {"it", "ru"} and len(plans) > 1000
    assert plans == plan_recorded(with_talkers)  # seeded: the same augmentations every time


def test_joined_corpora_keep_every_utterance_and_crops_favour_real_talkers_when_asked():
    recorded = build([Plan("prompts", "it", "agent-incorrect", 7), Plan("prompts", "it", "activated", 8)], 1)
    synthetic = build([Plan("noise", "fan", "", 3)], 1)
    both = joined([synthetic, recorded])
    assert len(both) == 3 and both.sources == ["noise:fan:augmented", "prompts:it:augmented", "prompts:it:augmented"]
    for index, corpus, inner in ((0, synthetic, 0), (1, recorded, 0), (2, recorded, 1)):
        assert np.array_equal(both.utterance(index)[1], corpus.utterance(inner)[1])
    plain = CropSampler(both, TrainOptions(), 8, 64, np.random.default_rng(0)).weights
    favoured = CropSampler(both, TrainOptions(recorded_weight=3.0), 8, 64, np.random.default_rng(0)).weights
    assert favoured[1:].sum() > plain[1:].sum()
    assert favoured[1] / favoured[2] == pytest.approx(plain[1] / plain[2])  # by length among themselves
