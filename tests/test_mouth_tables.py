"""Phoneme → viseme tables and the coarticulated target curves."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.arkit import VISEME_NAMES, Blendshape, viseme_index
from runtime.train import festival
from runtime.train.mouth_metrics import CLOSED_APERTURE, lip_aperture
from runtime.train.sentences import pseudo_sentence
from runtime.train.targets import VisemeSegment, merge_segments, mouth_curves, viseme_labels, viseme_weights
from runtime.train.visemes import (
    ARPABET,
    CZECH,
    FALLBACK,
    PHONE_TABLES,
    SAMPA_OVERRIDES,
    arpabet_viseme,
    espeak_viseme,
    festival_viseme,
)
from tests.speech import level_db

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


# Every phone of Festival's Czech, Italian and Finnish phone sets (czech.scm, italian_phoneset.scm,
# finnish_phones.scm), with the visemes the less obvious ones must get.
FESTIVAL_PHONE_SETS = {
    "czech": "# _ a a: b c c~ ch d d~ dz dz~ e e: f g h i i: j k l m n n* n~ o o: p r r~ r~* s s~ t t~ u u: v z z~",
    "italian": "# i e E a o O u i1 e1 E1 a1 o1 O1 u1 j w p t k b d g f s S v z Z ts tS dz dZ m n J ng nf l L r",
    "finnish": "# ## a e i o u y @ 7 a: e: i: o: u: y: @: 7: p t k b d g f s S h v m n N l L r j w p: t: k: m: n: s:",
    # msu_ru_nsh_phoneset.scm (festvox-ru), hindi_phones.scm (festival-hi; Marathi's and Telugu's are the
    # same), upc_catalan_phones-central.scm (festival-ca)
    "russian": "pau ii yy uu ee oo aa a e i y u ae ay ur p pp b bb t tt d dd k kk g gg c ch f ff v vv s ss z zz sh "
               "sch zh h hh m mm n nn l ll r rr j",
    "indic": "a aa ih iy uh uw eh ee ay oh oo aw f k g ch T D N th dh n p b m y r l v L R s sh j h ksh sri x kh gh "
             "td tth ddh bh zh @ pau w",
    "catalan": "ax a a1 b d e e1 E E1 f g i i1 j J k l L m n o o1 O O1 p r rr s S t u u1 w z Z pau _ #",
}


@pytest.mark.parametrize(("phone", "phone_set", "viseme"), [
    ("c", "czech", "SS"), ("c~", "czech", "CH"), ("ch", "czech", "kk"), ("r~", "czech", "RR"), ("m", "czech", "PP"),
    ("_", "czech", "kk"), ("dZ", "italian", "CH"), ("ts", "italian", "SS"), ("o1", "italian", "oh"),
    ("@", "finnish", "aa"), ("7:", "finnish", "oh"), ("p:", "finnish", "PP"), ("#", "finnish", "sil"),
    ("pau", "radio", "sil"), ("m", "radio", "PP"), ("tt", "russian", "DD"), ("sch", "russian", "CH"),
    ("j", "russian", "ih"), ("mm", "russian", "PP"), ("th", "indic", "DD"), ("j", "indic", "CH"),
    ("ksh", "indic", "kk"), ("bh", "indic", "PP"), ("ax", "catalan", "E"), ("J", "catalan", "nn"),
    ("a1", "catalan", "aa"), ("_", "catalan", "sil")])
def test_festival_phones_map_to_their_visemes(phone, phone_set, viseme):
    assert festival_viseme(phone, phone_set) == viseme


def test_festival_phone_sets_are_covered_without_the_fallback():
    for phone_set, phones in FESTIVAL_PHONE_SETS.items():
        for phone in phones.split():
            viseme = festival_viseme(phone, phone_set)
            # A table's E is its own choice; a SAMPA phone that reads as E without an override is an e.
            chosen = phone_set in PHONE_TABLES or phone in SAMPA_OVERRIDES.get(phone_set, {})
            assert viseme in VISEME_NAMES and (viseme != FALLBACK or chosen or phone.rstrip(":1")[0] in "eE"), (
                phone_set, phone)
    assert set(CZECH.values()) <= set(VISEME_NAMES)
    with pytest.raises(KeyError):
        festival_viseme("x", "czech")
    with pytest.raises(KeyError):
        festival_viseme("a", "klingon")


@pytest.mark.skipif(not all(festival.voice_installed(name) for name in festival.OTHER_LANGUAGE_VOICES),
                    reason="Festival's Czech, Italian and Finnish voices are not installed")
def test_festivals_other_language_talkers_speak_ascii_pseudo_words_with_mapped_phones():
    for name, voice in festival.OTHER_LANGUAGE_VOICES.items():
        (speech,) = festival.synthesize_batch(["Pabo mikel dunta."], name)
        visemes = [festival_viseme(phone, voice.phone_set) for phone, _ in speech.phones]
        assert visemes[0] == "sil" and "PP" in visemes and "nn" in visemes, (name, speech.phones)
        assert speech.phones[-1][1] < len(speech.samples) / speech.sample_rate


@pytest.mark.skipif(not all(festival.voice_installed(name) for name in festival.SCRIPT_LANGUAGE_VOICES),
                    reason="Festival's Russian, Catalan, Hindi, Marathi and Telugu voices are not installed")
@pytest.mark.parametrize("name", sorted(festival.SCRIPT_LANGUAGE_VOICES))
def test_festivals_script_language_talkers_speak_their_scripts_with_phone_times_that_match(name):
    voice = festival.SCRIPT_LANGUAGE_VOICES[name]
    text = pseudo_sentence(np.random.default_rng(3), 8, voice.script)
    (speech,) = festival.synthesize_batch([text], name)
    visemes = [festival_viseme(phone, voice.phone_set) for phone, _ in speech.phones]  # an unknown phone raises
    assert visemes[0] == "sil" and visemes[-1] == "sil" and len(set(visemes)) >= 8, (name, text, speech.phones)
    starts = [start for _, start in speech.phones]
    assert starts == sorted(starts) and starts[-1] < len(speech.samples) / speech.sample_rate
    # The times are the waveform's: its pauses are quiet and its words are not (the Hindi talker's
    # recorded pauses keep the room's floor, 17-19 dB below his words; his times moved 0.1 s either
    # way leave 4-7 dB).
    edges = [round(start * speech.sample_rate) for start in starts] + [len(speech.samples)]
    spans = list(zip(visemes, edges[:-1], edges[1:], strict=True))
    paused = np.concatenate([speech.samples[a:b] for viseme, a, b in spans if viseme == "sil"])
    spoken = np.concatenate([speech.samples[a:b] for viseme, a, b in spans if viseme != "sil"])
    assert level_db(spoken) - level_db(paused) > 15.0, name


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
