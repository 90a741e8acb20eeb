"""Phonemes → the 15 OVR visemes: one table for eSpeak NG's mnemonics, one for ARPAbet, and Festival's
phone sets (its English voices speak ARPAbet; its Italian, Finnish and Catalan voices SAMPA, read like
eSpeak's mnemonics; its Czech, Russian and Indian voices sets of their own).

eSpeak names phonemes with ASCII mnemonics shared across its languages (Kirshenbaum-like: `S` is
ʃ, `T` is θ, `@` schwa, `&` æ), decorated with stress (`'`, `,`), length (`:`), nasality (`~`),
palatalisation (`;`) and language-specific variants (`#`, digits). We strip the decorations and map
the base sound, so the table covers every language eSpeak speaks, not just English. ARPAbet covers
Festival's phone set (lower case, `pau`) and PocketSphinx's (upper case, `SIL`, `+NOISE+`).

Choices that shape the mouth: /l/ and nasals are `nn` (tongue, jaw free); /h/ is `kk` (its shape
comes from the next vowel through coarticulation); /w/ is `ou` and /j/ is `ih` (the glides' lips).
"""

from __future__ import annotations

import numpy as np

from runtime.arkit import VISEME_NAMES

# Two-letter bases first (affricates), then the first letter decides.
_ESPEAK_AFFRICATES = {"tS": "CH", "dZ": "CH", "ts": "SS", "dz": "SS", "tC": "CH", "dJ": "CH"}
_ESPEAK_FIRST_LETTER = {
    **dict.fromkeys("pbmB", "PP"), **dict.fromkeys("fvF", "FF"), **dict.fromkeys("TD", "TH"),
    **dict.fromkeys("td", "DD"), **dict.fromkeys("kgNxGqcJhX", "kk"), **dict.fromkeys("SZC", "CH"),
    **dict.fromkeys("sz", "SS"), **dict.fromkeys("nlL", "nn"), **dict.fromkeys("rR*", "RR"),
    **dict.fromkeys("aA&V", "aa"), **dict.fromkeys("eE3@", "E"), **dict.fromkeys("iIjy", "ih"),
    **dict.fromkeys("oOQ0YW", "oh"), **dict.fromkeys("uUw", "ou"),
    # Digits are vowels when they come first: 3 ɜ, 6 ɐ, 8 ɵ, 2/9 ø/œ, 7 ɤ, 1 ɨ; 4 is the tap ɾ.
    "1": "ih", "2": "oh", "3": "E", "4": "RR", "6": "aa", "7": "oh", "8": "oh", "9": "oh",
}
FALLBACK = "E"  # a mid, neutral mouth for the rare mnemonic no table entry covers
_STRESS_MARKS = "',%="  # before the phoneme
_ESPEAK_MODIFIERS = "#~:;-^"  # marks that modify a letter
_ESPEAK_DECORATIONS = _ESPEAK_MODIFIERS + "0123456789"  # after its first letter (`3` alone is the vowel ɜ)

ARPABET = {
    **dict.fromkeys(("B", "P", "M", "EM"), "PP"), **dict.fromkeys(("F", "V"), "FF"),
    **dict.fromkeys(("TH", "DH"), "TH"), **dict.fromkeys(("T", "D", "DX"), "DD"),
    **dict.fromkeys(("K", "G", "NG", "HH"), "kk"), **dict.fromkeys(("CH", "JH", "SH", "ZH"), "CH"),
    **dict.fromkeys(("S", "Z"), "SS"), **dict.fromkeys(("N", "L", "EN", "EL", "NX"), "nn"),
    **dict.fromkeys(("R", "ER", "AXR"), "RR"), **dict.fromkeys(("AA", "AE", "AH", "AW", "AY"), "aa"),
    **dict.fromkeys(("EH", "EY", "AX"), "E"), **dict.fromkeys(("IH", "IY", "IX", "Y"), "ih"),
    **dict.fromkeys(("AO", "OW", "OY"), "oh"), **dict.fromkeys(("UH", "UW", "W"), "ou"),
    **dict.fromkeys(("SIL", "PAU", "SP", "H#", "BRTH"), "sil"),
}

FESTIVAL_PAUSES = frozenset(("pau", "#", "##"))
# Festival's Czech phone set (festival-czech, czech.scm): a háček is "~", "*" a variant, ":" length.
CZECH = {
    "_": "kk",  # the glottal stop before a word's first vowel: its shape comes from the vowel
    "a": "aa", "e": "E", "i": "ih", "o": "oh", "u": "ou", "@": "E",
    "p": "PP", "b": "PP", "m": "PP", "f": "FF", "v": "FF", "t": "DD", "d": "DD", "t~": "DD", "d~": "DD",
    "k": "kk", "g": "kk", "ch": "kk", "h": "kk", "n*": "kk", "c": "SS", "dz": "SS", "s": "SS", "z": "SS",
    "c~": "CH", "dz~": "CH", "s~": "CH", "z~": "CH", "n": "nn", "n~": "nn", "l": "nn", "j": "ih",
    "r": "RR", "r~": "RR", "r~*": "RR",
}
# Festival's Russian voice (festvox-ru, msu_ru_nsh_phoneset.scm): a doubled consonant is the soft one,
# ae / ay the second-degree reduced vowels (ə, ɪ), yy / y ы, ur a reduced u.
RUSSIAN = {
    **dict.fromkeys(("ii", "i", "yy", "y", "j"), "ih"), **dict.fromkeys(("uu", "u", "ur"), "ou"),
    **dict.fromkeys(("ee", "e", "ae", "ay"), "E"), "oo": "oh", **dict.fromkeys(("aa", "a"), "aa"),
    **dict.fromkeys(("p", "pp", "b", "bb", "m", "mm"), "PP"), **dict.fromkeys(("f", "ff", "v", "vv"), "FF"),
    **dict.fromkeys(("t", "tt", "d", "dd"), "DD"), **dict.fromkeys(("k", "kk", "g", "gg", "h", "hh"), "kk"),
    **dict.fromkeys(("c", "s", "ss", "z", "zz"), "SS"), **dict.fromkeys(("ch", "sh", "sch", "zh"), "CH"),
    **dict.fromkeys(("n", "nn", "l", "ll"), "nn"), **dict.fromkeys(("r", "rr"), "RR"),
}
# The phone set Festival's Hindi, Marathi and Telugu front ends share (festival-hi, hindi_phones.scm):
# th / dh / tth / ddh are the dental stops (tongue behind the teeth, not between them), T / D / td the
# retroflex ones; ksh is क्ष, sri श्र; ay is ऐ (ɛː), aw औ (ɔː).
INDIC = {
    **dict.fromkeys(("a", "aa", "@"), "aa"), **dict.fromkeys(("ih", "iy", "y"), "ih"),
    **dict.fromkeys(("uh", "uw", "w"), "ou"), **dict.fromkeys(("eh", "ee", "ay"), "E"),
    **dict.fromkeys(("oh", "oo", "aw"), "oh"), **dict.fromkeys(("p", "b", "bh", "m"), "PP"),
    **dict.fromkeys(("f", "v"), "FF"), **dict.fromkeys(("T", "D", "td", "th", "dh", "tth", "ddh"), "DD"),
    **dict.fromkeys(("k", "g", "kh", "gh", "x", "h", "ksh"), "kk"),
    **dict.fromkeys(("ch", "j", "sh", "zh", "sri"), "CH"), "s": "SS", **dict.fromkeys(("n", "N", "l", "L"), "nn"),
    **dict.fromkeys(("r", "R"), "RR"),
}
PHONE_TABLES = {"czech": CZECH, "russian": RUSSIAN, "indic": INDIC}
# Phone sets in SAMPA, read like eSpeak's mnemonics, with their stress digits and the symbols whose eSpeak
# mnemonic is another sound: Finnish ä, ö and æ; Catalan's schwa (ax) and ɲ (J).
SAMPA_STRESS = {"italian": "1", "finnish": "", "catalan": "12"}
SAMPA_OVERRIDES = {"finnish": {"@": "aa", "7": "oh", "&": "aa"}, "catalan": {"ax": "E", "J": "nn"}}


def festival_viseme(phone: str, phone_set: str) -> str:
    """The viseme of a phone of one of Festival's phone sets ("radio", PHONE_TABLES' or SAMPA_STRESS')."""
    if phone in FESTIVAL_PAUSES:
        return "sil"
    if phone_set == "radio":
        return arpabet_viseme(phone)
    base = phone.rstrip(":")  # length (Czech and Finnish vowels, Finnish geminates)
    if phone_set in PHONE_TABLES:
        if base not in PHONE_TABLES[phone_set]:
            raise KeyError(f"no viseme for Festival's {phone_set} phone {phone!r}")
        return PHONE_TABLES[phone_set][base]
    if phone_set not in SAMPA_STRESS:
        raise KeyError(f"no viseme table for Festival's phone set {phone_set!r}")
    base = base.rstrip(SAMPA_STRESS[phone_set])  # stress (Finnish "7" is a vowel, ö)
    return SAMPA_OVERRIDES.get(phone_set, {}).get(base) or espeak_viseme(base) or FALLBACK


# Six coarse groups for the coarse accuracy: what an observer can tell apart on a face.
COARSE_GROUPS = {
    "sil": "silence", "PP": "closed", "FF": "lip-teeth", "TH": "lip-teeth",
    **dict.fromkeys(("DD", "kk", "CH", "SS", "nn", "RR"), "tongue"),
    **dict.fromkeys(("aa", "E", "ih"), "open"), **dict.fromkeys(("oh", "ou"), "rounded"),
}
COARSE_NAMES = ("silence", "closed", "lip-teeth", "tongue", "open", "rounded")


def espeak_base(mnemonic: str) -> str | None:
    """An eSpeak mnemonic's sound without its stress, length, nasality, palatalisation or variant marks
    ("'a:" → "a", "tS;" → "tS"); None for a pause, a bare modifier or a language switch ("(en)")."""
    if not mnemonic or mnemonic.startswith("_"):
        return None
    stripped = mnemonic.lstrip(_STRESS_MARKS)
    if not stripped or stripped[0] in _ESPEAK_MODIFIERS or stripped[0] == "(":
        return None
    return stripped[0] + "".join(c for c in stripped[1:] if c not in _ESPEAK_DECORATIONS)


def espeak_viseme(mnemonic: str) -> str | None:
    """The viseme of an eSpeak phoneme mnemonic; pauses (`_`, `_:`, `_|`) are `sil`; None for a bare
    modifier (`;` palatalises the phoneme before it and belongs to it)."""
    if not mnemonic or mnemonic.startswith("_"):
        return "sil"
    base = espeak_base(mnemonic)
    if base is None:
        return None
    if base[:2] in _ESPEAK_AFFRICATES:
        return _ESPEAK_AFFRICATES[base[:2]]
    if base[0] in _ESPEAK_FIRST_LETTER:
        return _ESPEAK_FIRST_LETTER[base[0]]
    return FALLBACK


def arpabet_viseme(phone: str) -> str:
    """The viseme of an ARPAbet phone (any case, stress digits allowed); noises (`+NSN+`) are `sil`."""
    if phone.startswith("+") or phone.startswith("<"):
        return "sil"
    key = phone.upper().rstrip("012")
    if key not in ARPABET:
        raise KeyError(f"no viseme for ARPAbet phone {phone!r}")
    return ARPABET[key]


def coarse_group_index(viseme_indices: np.ndarray) -> np.ndarray:
    """Coarse group index (into COARSE_NAMES) of each viseme index in an integer array."""
    table = np.array([COARSE_NAMES.index(COARSE_GROUPS[name]) for name in VISEME_NAMES])
    return table[np.asarray(viseme_indices)]
