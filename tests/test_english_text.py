"""English sentences at real English's word rates (runtime/train/english_text.py), from PocketSphinx's US-English
language model, and the corpus option that has the English talkers read them."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from runtime.train.corpus import CorpusOptions, _key, plan_training
from runtime.train.english_text import COMMON_WORDS, english_model, frequent_english_sentence
from runtime.train.sentences import english_sentence

# Words with th (TH, the viseme the model trained on dictionary sentences never said on real English).
TH_WORDS = frozenset(("the", "that", "this", "there", "they", "them", "their", "then", "than", "with", "think",
                      "these", "those", "other", "thing", "things", "something", "nothing", "anything", "three"))


def _words(sentences: list[str]) -> list[str]:
    return [word.strip(",.?!").lower() for sentence in sentences for word in sentence.split()]


def _sentences(make, count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [make(rng, int(rng.integers(4, 14))) for _ in range(count)]


def test_sentences_are_a_pure_function_of_the_generator_and_words_the_model_knows():
    first, again = _sentences(frequent_english_sentence, 20, 3), _sentences(frequent_english_sentence, 20, 3)
    assert first == again and first != _sentences(frequent_english_sentence, 20, 4)
    known = set(english_model().words)
    assert all(word in known for word in _words(first))
    assert all(sentence[0].isupper() and sentence[-1] in ".?!" for sentence in first)


def test_words_come_at_real_rates_where_dictionary_sentences_draw_rare_ones():
    """Real English: "the" leads, a few hundred words make half the text, th-words are common. The
    dictionary sentences draw most words from 135,000 alike, and th-words are rare in them."""
    frequent = _words(_sentences(frequent_english_sentence, 300, 1))
    dictionary = _words(_sentences(english_sentence, 300, 1))
    counts = Counter(frequent)
    assert counts.most_common(1)[0][0] in {"the", "to", "i", "and", "a", "of"}
    common = set(english_model().words[:300])
    assert sum(word in common for word in frequent) / len(frequent) > 0.5
    assert sum(word in common for word in dictionary) / len(dictionary) < 0.45
    th_frequent = sum(word in TH_WORDS for word in frequent) / len(frequent)
    th_dictionary = sum(word in TH_WORDS for word in dictionary) / len(dictionary)
    assert th_frequent > 0.04 and th_frequent > 1.5 * th_dictionary
    # Rare words still come, about as often as the model says they do.
    rare = sum(word not in set(english_model().words[:COMMON_WORDS]) for word in frequent) / len(frequent)
    assert 0.5 * english_model().rare_share < rare < 2.0 * english_model().rare_share


def test_the_corpus_option_changes_only_the_english_talkers_text_and_keeps_version_1s_key():
    options = CorpusOptions(english_utterances=6, other_language_utterances=2, festival_utterances=4,
                            held_out_utterances=0, flite_utterances=2, english_text="frequent")
    plans = plan_training(options)
    english = [p for p in plans if p.engine in ("festival", "flite") or p.voice.startswith("en")]
    assert len(english) == 12
    assert all(word in set(english_model().words) for word in _words([p.text for p in english]))
    assert _key("train", CorpusOptions()) == _key("train", CorpusOptions(english_text="dictionary"))
    assert _key("train", CorpusOptions()) != _key("train", CorpusOptions(english_text="frequent"))
    with pytest.raises(ValueError, match="english_text"):
        CorpusOptions(english_text="shakespeare")
