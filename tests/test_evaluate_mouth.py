"""The evaluation's plumbing: scoring skips a clip's lead-in, and the card's section is filled in place."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.audio.constants import SAMPLE_RATE
from runtime.errors import InvalidConfigError
from runtime.motion.mouth_baseline import BaselineMouth
from runtime.train.corpus import CorpusOptions, plan_training
from runtime.train.evaluate_mouth import CARD_BEGIN, CARD_END, evaluate_set, write_card_section
from runtime.train.evaluation_sets import EvaluationSet, LabelledClip, script_language_plans
from runtime.train.targets import VisemeSegment


def test_hops_before_a_clip_is_scored_are_left_out():
    seconds = 3.0
    quiet = LabelledClip(np.zeros(int(seconds * SAMPLE_RATE), np.float32), (VisemeSegment("sil", 0.0, seconds),), 1.0)
    result = evaluate_set("baseline", BaselineMouth, EvaluationSet("silence", "non-speech", (quiet,)))
    assert result.support.hops == 200 and result.seconds == 2.0
    assert result.scores.closed_in_silence == 1.0 and result.voice.talking_in_silence == 0.0
    assert np.isnan(result.scores.closure_recall) and result.support.closures == 0


def test_the_card_section_is_replaced_and_the_rest_kept(tmp_path):
    card = tmp_path / "card.md"
    card.write_text(f"# Card\n\nbefore\n\n{CARD_BEGIN}\nold table\n{CARD_END}\n\nafter\n")
    write_card_section(card, "| new | table |")
    assert card.read_text() == f"# Card\n\nbefore\n\n{CARD_BEGIN}\n| new | table |\n{CARD_END}\n\nafter\n"
    card.write_text("# Card without a section\n")
    with pytest.raises(ValueError, match="no .* section"):
        write_card_section(card, "| new | table |")


def test_script_language_sentences_are_new_text_and_the_same_each_run():
    """The evaluation's sentences for Festival's Russian talker: reproducible, in Cyrillic, and none of
    them a sentence the training corpus would give it."""
    first, again = script_language_plans("nsh", 8, 1234), script_language_plans("nsh", 8, 1234)
    assert first == again and all("\u0400" <= plan.text[0] <= "\u04ff" for plan in first)
    trained = {plan.text for plan in plan_training(CorpusOptions(script_language_festival_utterances=600))}
    assert not trained & {plan.text for plan in first}


def test_shipped_models_are_evaluated_by_name_after_the_weights():
    from runtime.motion.adaptive_mouth import AdaptiveMouth
    from runtime.motion.audio_to_mouth import DEFAULT_WEIGHTS
    from runtime.train.evaluate_mouth import models

    factories = models([DEFAULT_WEIGHTS], ["learned-adaptive"])
    assert list(factories) == ["baseline", "learned", "learned-adaptive"]
    assert isinstance(factories["learned-adaptive"](), AdaptiveMouth)
    with pytest.raises(InvalidConfigError):
        models([], ["nonesuch"])


def test_a_stream_opens_onto_non_speech_already_going(monkeypatch):
    """A babble's talkers join within its first second, each after up to a second of digital silence;
    the non-speech sets start a second in, so 'opening onto babble' is a crowd from its first hop, not
    one voice alone after silence (which is speech)."""
    from runtime.train import evaluation_sets

    monkeypatch.setattr(evaluation_sets, "NON_SPEECH_NOISES", ("babble-unseen",))
    monkeypatch.setattr(evaluation_sets, "NON_SPEECH_LEVELS_DB", (0.0,))
    opening, settled = evaluation_sets.non_speech_sets(-26.0, seed=1234, clips_per_set=1)
    samples = opening.clips[0].samples
    np.testing.assert_array_equal(samples, settled.clips[0].samples[: len(samples)])
    first_tenth = samples[:1_600]
    assert np.sqrt(np.mean(first_tenth**2)) > 0.3 * np.sqrt(np.mean(samples**2))
