"""English sentences whose words come at the rates real English uses them, from PocketSphinx's US-English
language model (`en-us.lm.bin` in the PyPI wheel `pocketsphinx`, BSD licence, Alpha Cephei; the dev extra).

The dictionary sentences (`sentences.english_sentence`) draw two words in three uniformly from CMUdict's
135,000, nearly all of them rare, and the rest from 45 function words: their phones are far from a real
talker's. On 17 minutes of a real English talker, th (TH) is 2.4 % of the hops; in the training corpus
made of those sentences, 0.5 %, and the model trained on it never said TH at all. Real text — "the", "that",
"with", "there" — is the cheapest way to give the synthetic talkers real English's phones in real English's
proportions and word-to-word contexts. Each word follows the one before it as the model's bigrams say
(backed off to the words' own rates where the model lists no pair), among its COMMON_WORDS most frequent
words; a share of the words as large as the rest of the vocabulary's probability is drawn from that rest at
its own rates, so rare words still come, as often as in real text. Nothing is read at run time.

Tried on version 5's recipe (`python -m runtime.train.mouth ... --english-text frequent`) and not kept: th's
recall on real English moved from 0.00 to 0.01 and the prompts' visemes fell by 0.006 (the model card's "Tried
and not kept: English text at real word rates"). Kept as an option for a corpus with more real talkers.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

COMMON_WORDS = 5000  # the words drawn in context (a step costs one model query per word: ~3 ms)
WORD = re.compile(r"^[a-z][a-z']*$")  # the dictionary's plain words (no alternates "word(2)", digits, marks)


@dataclass(frozen=True)
class EnglishModel:
    """The language model and its vocabulary, most frequent first."""

    model: object  # pocketsphinx.NGramModel (with the objects it points into, kept alive by `keep`)
    keep: tuple  # the Config and LogMath the model was made with: it keeps pointers into them
    words: tuple[str, ...]  # every dictionary word the model knows, most frequent first
    log_base: float  # the model's scores are log_base ** score
    rare_share: float  # the probability of the words past COMMON_WORDS
    rare_cumulative: np.ndarray  # (len(words) - COMMON_WORDS,) their cumulative probabilities

    def probabilities(self, previous: str | None) -> np.ndarray:
        """(COMMON_WORDS,) the common words' probabilities after `previous` (None: a sentence's start,
        the words' own rates), renormalised over them."""
        history = [] if previous is None else [previous]
        scores = np.array([self.model.prob([word, *history]) for word in self.words[:COMMON_WORDS]], np.float64)
        weights = np.power(self.log_base, scores - scores.max())
        return weights / weights.sum()


def _model_folder() -> Path:
    import pocketsphinx  # dev extra: only the data generator needs it

    return Path(pocketsphinx.get_model_path()) / "en-us"


@functools.lru_cache(maxsize=1)
def english_model() -> EnglishModel:
    """The model, and its vocabulary ranked by its unigram probabilities (about a second, once)."""
    import pocketsphinx

    folder = _model_folder()
    # The model keeps pointers into its configuration and log tables: both must outlive it.
    config, log_math = pocketsphinx.Config(), pocketsphinx.LogMath()
    model = pocketsphinx.NGramModel(config, log_math, str(folder / "en-us.lm.bin"))
    with (folder / "cmudict-en-us.dict").open(encoding="utf-8") as lines:
        words = sorted({line.split(maxsplit=1)[0] for line in lines if WORD.match(line.split(maxsplit=1)[0])})
    scores = np.array([model.prob([word]) for word in words], np.float64)
    known = scores > np.iinfo(np.int32).min // 2  # unknown words score the log of zero
    log_base = 1.0001  # LogMath's default base
    probabilities = np.power(log_base, scores[known] - scores[known].max())
    order = np.argsort(-probabilities, kind="stable")
    ranked = tuple(np.array(words)[known][order].tolist())
    ranked_probabilities = probabilities[order] / probabilities.sum()
    rare = ranked_probabilities[COMMON_WORDS:]
    return EnglishModel(model, (config, log_math), ranked, log_base, float(rare.sum()), np.cumsum(rare))


@functools.lru_cache(maxsize=COMMON_WORDS + 1)
def _following(previous: str | None) -> np.ndarray:
    """The common words' cumulative probabilities after `previous`, cached: a sentence's words repeat."""
    return np.cumsum(english_model().probabilities(previous))


def _drawn(rng: np.random.Generator, cumulative: np.ndarray) -> int:
    return int(min(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"), len(cumulative) - 1))


def frequent_english_sentence(rng: np.random.Generator, n_words: int) -> str:
    """`n_words` words of English at their real rates, each following the last as the bigrams say, with a
    comma now and then (as `sentences.english_sentence`); a pure function of `rng`."""
    model = english_model()
    picked: list[str] = []
    previous: str | None = None
    for index in range(n_words):
        if rng.random() < model.rare_share:
            word = model.words[COMMON_WORDS + _drawn(rng, model.rare_cumulative)]
        else:
            word = model.words[_drawn(rng, _following(previous))]
        picked.append(word)
        previous = word if word in _common_words() else None  # a rare word's followers: the words' own rates
        if index + 1 < n_words and rng.random() < 0.08:
            picked[-1] += ","
    return " ".join(picked).capitalize() + rng.choice([".", ".", "?", "!"])


@functools.lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    return frozenset(english_model().words[:COMMON_WORDS])
