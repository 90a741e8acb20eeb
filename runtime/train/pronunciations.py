"""Pronunciations for PocketSphinx's US-English acoustic model from eSpeak NG's phonemes, so speech in a
language the aligner has no dictionary for (Italian, Russian) can be force-aligned all the same: each word
spoken by eSpeak NG in its own language, each of its phonemes put as the nearest US-English phone.

The English model was never trained on these sounds, so the phone times it finds are rougher than on
English (how much rougher: the model card's "Weights version 5"). What the times are turned into does not
depend on the English model: each phone carries the viseme of the eSpeak phoneme it stands for
(`espeak_viseme`), as that phoneme is labelled in the synthetic corpus; where one phoneme becomes two phones
("ts", Russian's "ja"), the second carries its own.
"""

from __future__ import annotations

from functools import cache

from runtime.train.espeak import SpeechOptions, synthesize
from runtime.train.visemes import _STRESS_MARKS, arpabet_viseme, espeak_base, espeak_viseme

Pronounced = tuple[tuple[str, str], ...]  # (ARPAbet phone, the viseme it is labelled) in order

# Sounds eSpeak writes with two letters: affricates, diphthongs, Russian's iotated vowels.
TWO_LETTERS = {
    "tS": ("CH",), "dZ": ("JH",), "ts": ("T", "S"), "dz": ("D", "Z"), "ss": ("S",),
    "ja": ("Y", "AA"), "ju": ("Y", "UW"), "jo": ("Y", "OW"), "je": ("Y", "EH"),
    "aI": ("AY",), "aU": ("AW",), "eI": ("EY",), "oU": ("OW",), "OI": ("OY",), "@L": ("AH", "L"),
}
ONE_LETTER = {
    "p": "P", "b": "B", "m": "M", "B": "B", "f": "F", "v": "V", "F": "F", "T": "TH", "D": "DH",
    "t": "T", "d": "D", "k": "K", "g": "G", "N": "NG", "x": "HH", "h": "HH", "G": "G", "q": "K", "c": "K",
    "J": "G", "X": "HH", "S": "SH", "Z": "ZH", "C": "SH", "s": "S", "z": "Z", "n": "N", "l": "L", "L": "L",
    "r": "R", "R": "R", "*": "R", "4": "R", "j": "Y", "w": "W", "W": "OW",
    "a": "AA", "A": "AA", "&": "AE", "V": "AH", "6": "AH", "e": "EY", "E": "EH", "3": "ER", "@": "AH",
    "i": "IY", "I": "IH", "y": "IH", "1": "IH", "o": "OW", "O": "AO", "Q": "AO", "0": "AO", "Y": "OW",
    "2": "OW", "7": "OW", "8": "OW", "9": "OW", "u": "UW", "U": "UH",
}
# Mnemonics that are not a sound of their own: eSpeak's very short schwa between consonants ("@-"),
# which would force at least 30 ms of vowel into the aligner's path.
SILENT = frozenset(("@-",))


def arpabet_phones(mnemonic: str) -> tuple[str, ...]:
    """The US-English phones nearest an eSpeak mnemonic; () for a pause, a modifier (`;` belongs to the
    phoneme before it), a language switch ("(en)") or SILENT."""
    base, stripped = espeak_base(mnemonic), mnemonic.lstrip(_STRESS_MARKS)
    if base is None or stripped.startswith("_") or stripped in SILENT:
        return ()
    if base[:2] in TWO_LETTERS:
        return TWO_LETTERS[base[:2]]
    if base[0] not in ONE_LETTER:
        raise KeyError(f"no US-English phone for eSpeak's {mnemonic!r}")
    return (ONE_LETTER[base[0]],)


def labelled_phones(mnemonic: str) -> Pronounced:
    """`arpabet_phones` of a mnemonic, the first labelled with the mnemonic's viseme, any second with its own."""
    phones = arpabet_phones(mnemonic)
    return tuple((phone, espeak_viseme(mnemonic) if index == 0 else arpabet_viseme(phone))
                 for index, phone in enumerate(phones))


@cache
def pronounce(word: str, voice: str) -> Pronounced:
    """A word as eSpeak NG's `voice` says it, in labelled US-English phones; () when it says nothing, or
    takes it for a word of another language ("password" in Italian, a Latin word in Russian): how the
    talker said that is anyone's guess."""
    phonemes = [event.phoneme for event in synthesize(word, SpeechOptions(voice)).phonemes]
    if any(phoneme.startswith("(") for phoneme in phonemes):  # "(en)": eSpeak switched language
        return ()
    return tuple(labelled for phoneme in phonemes for labelled in labelled_phones(phoneme))
