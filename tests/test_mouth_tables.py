"""Phoneme → viseme tables and the coarticulated target curves."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.arkit import VISEME_NAMES, Blendshape, viseme_index
from runtime.train.mouth_metrics import CLOSED_APERTURE, lip_aperture
from runtime.train.targets import VisemeSegment, merge_segments, mouth_curves, viseme_labels, viseme_weights
from runtime.train.visemes import ARPABET, FALLBACK, arpabet_viseme, espeak_viseme

CMU_PHONES = ("AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z "
              "ZH").split()
LANGUAGE_SENTENCES = {
    "en-us": "Peter picked a bowl of mushrooms, then jumped over the fence.",
    "de": "Guten Morgen, wie geht es dir heute? Schöne Bücher.",
    "fr": "Bonjour, je voudrais un pain au chocolat.",
    "es": "Buenos días, me gustaría un café con leche.",
    "it": "Buongiorno, vorrei una pizza margherita.",
    "pt": "Bom dia, eu gostaria de um pão.",
    "nl": "Goedemorgen, ik wil graag een kopje koffie.",
    "pl": "Dzień dobry, chciałbym kawę.",
    "ru": "Доброе утро, я хотел бы кофе.",
}


@pytest.mark.parametrize(("mnemonic", "viseme"), [
    ("p", "PP"), ("b", "PP"), ("m", "PP"), ("f", "FF"), ("v#", "FF"), ("T", "TH"), ("D", "TH"), ("t#", "DD"),
    ("k", "kk"), ("N", "kk"), ("tS", "CH"), ("dZ", "CH"), ("S", "CH"), ("s", "SS"), ("z2", "SS"), ("n^", "nn"),
    ("l", "nn"), ("r", "RR"), ("'A:", "aa"), ("a#", "aa"), ("'E", "E"), ("3", "E"), ("'i:", "ih"), ("I", "ih"),
    ("'oU", "oh"), ("O", "oh"), ("u:", "ou"), ("w", "ou"), ("_:", "sil"), ("_", "sil"),
])
def test_espeak_mnemonics_map_to_their_visemes(mnemonic, viseme):
    assert espeak_viseme(mnemonic) == viseme


def test_espeak_modifiers_belong_to_the_phoneme_before():
    assert espeak_viseme(";") is None
    assert espeak_viseme("(en)") is None


def test_every_language_sample_maps_without_the_fallback():
    from runtime.train.espeak import SpeechOptions, synthesize

    unknown = []
    for voice, text in LANGUAGE_SENTENCES.items():
        for event in synthesize(text, SpeechOptions(voice=voice)).phonemes:
            stripped = event.phoneme.lstrip("',%=")
            if espeak_viseme(event.phoneme) == FALLBACK and stripped[:1] not in "eE3@":
                unknown.append((voice, event.phoneme))
    assert not unknown


def test_arpabet_covers_cmudict_and_pocketsphinx_symbols():
    assert all(arpabet_viseme(phone) in VISEME_NAMES for phone in CMU_PHONES)
    assert arpabet_viseme("ah0") == arpabet_viseme("AH") == "aa"
    assert arpabet_viseme("pau") == arpabet_viseme("SIL") == arpabet_viseme("+NSN+") == "sil"
    assert set(ARPABET.values()) == set(VISEME_NAMES)


def _word() -> list[VisemeSegment]:
    """'mama' with silence around: 0.3 s silence, m a m a, 0.5 s silence."""
    labelled = [("PP", 0.3), ("aa", 0.38), ("PP", 0.55), ("aa", 0.63), ("sil", 0.8)]
    return merge_segments(labelled, 1.3)


def test_merge_segments_starts_with_silence_and_joins_repeats():
    segments = merge_segments([("aa", 0.1), (None, 0.2), ("aa", 0.3), ("PP", 0.4)], 0.5)
    assert [(s.viseme, s.start_s, s.end_s) for s in segments] == [("sil", 0.0, 0.1), ("aa", 0.1, 0.4),
                                                                 ("PP", 0.4, 0.5)]


def test_labels_follow_segments():
    labels = viseme_labels(_word(), 130)
    assert labels[10] == viseme_index("sil") and labels[31] == viseme_index("PP") and labels[45] == viseme_index("aa")


def test_weights_are_a_distribution():
    weights = viseme_weights(_word(), 130)
    assert np.allclose(weights.sum(axis=1), 1.0, atol=1e-5) and weights.min() >= 0


def test_curves_close_lips_for_closures_and_silence_and_open_for_vowels():
    curves = mouth_curves(_word(), 130)
    aperture = lip_aperture(curves)
    assert aperture[34] < CLOSED_APERTURE and aperture[59] < CLOSED_APERTURE  # middles of the m's
    assert np.all(aperture[:15] < 0.02) and np.all(aperture[105:] < 0.02)  # deep silence
    assert curves[46, Blendshape.JAW_OPEN] > 0.4 and curves[71, Blendshape.JAW_OPEN] > 0.4  # the a's


def test_curves_are_smooth():
    jaw = mouth_curves(_word(), 130)[:, Blendshape.JAW_OPEN]
    assert np.abs(np.diff(jaw)).max() < 0.15  # no jumps between 10 ms hops
