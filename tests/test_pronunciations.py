"""Pronunciations for aligning speech PocketSphinx has no dictionary for (runtime/train/pronunciations.py):
eSpeak NG's phonemes as US-English phones, each labelled with its phoneme's viseme."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.train.pronunciations import ONE_LETTER, TWO_LETTERS, arpabet_phones, labelled_phones, pronounce
from runtime.train.visemes import arpabet_viseme, espeak_viseme


def test_every_phone_is_one_the_english_dictionary_uses():
    pocketsphinx = pytest.importorskip("pocketsphinx")
    dictionary = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    used = {phone for line in dictionary.read_text().splitlines() for phone in line.split()[1:]}
    phones = set(ONE_LETTER.values()) | {phone for pair in TWO_LETTERS.values() for phone in pair}
    assert phones <= used and len(used) == 39


def test_the_first_phone_keeps_the_phonemes_viseme_and_a_second_its_own():
    for mnemonic in [*ONE_LETTER, *TWO_LETTERS, "'a", ",i", "t;", "tS;", "E#", "u\"", "a#", "w2"]:
        labelled = labelled_phones(mnemonic)
        assert labelled[0][1] == espeak_viseme(mnemonic), mnemonic
        assert all(viseme == arpabet_viseme(phone) for phone, viseme in labelled[1:]), mnemonic
    assert labelled_phones("ts") == (("T", "SS"), ("S", "SS"))  # a /t/ that is the start of an /s/-like sound
    assert labelled_phones("ja") == (("Y", "ih"), ("AA", "aa"))


def test_pauses_modifiers_and_language_switches_are_not_phones():
    for mnemonic in ("_", "_:", ";", "(en)", "(it)", "@-"):
        assert arpabet_phones(mnemonic) == ()
    with pytest.raises(KeyError, match="no US-English phone"):
        arpabet_phones("!")


def test_words_are_said_as_their_language_says_them():
    assert [phone for phone, _ in pronounce("cancelletto", "it")] == \
        ["K", "AA", "N", "CH", "EY", "L", "L", "EY", "T", "OW"]
    assert [viseme for _, viseme in pronounce("premere", "it")][:2] == ["PP", "RR"]
    assert [phone for phone, _ in pronounce("решетку", "ru")] == ["R", "IY", "SH", "EH", "T", "K", "UW"]
    assert pronounce("12", "it") == pronounce("dodici", "it")  # numbers as the language reads them


def test_a_word_espeak_takes_for_another_language_is_not_pronounced():
    """eSpeak says "email" in a Russian sentence as English: how the talker said it nobody knows."""
    assert pronounce("email", "ru") == ()
