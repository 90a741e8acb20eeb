"""Speech with segment timings from Festival (Debian's `festival` with its English voices).

One `festival -b` process speaks a batch of sentences: each utterance's waveform is saved as RIFF and
its segments (phone end times in seconds, Festival's radio phone set, which is ARPAbet in lower
case plus `pau`) with `utt.save.segs`. The segment ends add up exactly to the waveform's length.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Voice:
    function: str  # Festival's command that selects it
    phone_set: str  # how its segments name phones: "radio" (ARPAbet), "czech", "italian", "finnish", ...
    package: str  # Debian's, with the licence (for the model card)
    script: str = "latin"  # what its pseudo-words are written in (sentences.SCRIPTS)


# English voices in Debian main: the training's.
VOICES = {
    "kal": Voice("voice_kal_diphone", "radio", "festvox-kallpc16k: CMU/OGI diphone voice, free licence"),
    "slt": Voice("voice_cmu_us_slt_arctic_hts", "radio", "festvox-us-slt-hts: CMU ARCTIC slt, BSD-style licence"),
}
# A voice no model trains on, for the evaluation: a natural diphone voice like kal, another talker.
UNSEEN_VOICES = {
    "kdl": Voice("voice_ked_diphone", "radio", "festvox-kdlpc16k: CMU/OGI diphone voice, free licence"),
}
# Talkers recorded in other languages (diphone voices: their own recorded speech, cut and joined), for
# more real voices in training than English has; they read pseudo-words in plain ASCII (Festival's
# Czech and Finnish front ends expect ISO-8859 text and read UTF-8 letters as "unknown character").
OTHER_LANGUAGE_VOICES = {
    "dita": Voice("voice_czech_dita", "czech", "festvox-czech-dita: GPL-3.0-or-later"),
    "krb": Voice("voice_czech_krb", "czech", "festvox-czech-krb: GPL-3.0-or-later"),
    "machac": Voice("voice_czech_machac", "czech", "festvox-czech-machac: GPL-3.0-or-later"),
    "ph": Voice("voice_czech_ph", "czech", "festvox-czech-ph: GPL-2.0-or-later"),
    "lp": Voice("voice_lp_diphone", "italian", "festvox-italp16k: GPL-2.0-or-later"),
    "pc": Voice("voice_pc_diphone", "italian", "festvox-itapc16k: GPL-2.0-or-later"),
    "lj": Voice("voice_suo_fi_lj_diphone", "finnish", "festvox-suopuhe-lj: LGPL"),
    "mv": Voice("voice_hy_fi_mv_diphone", "finnish", "festvox-suopuhe-mv: LGPL"),
}
# The rest of Debian's Festival voices, whose front ends read their languages' own scripts as UTF-8: a
# Russian talker (unit selection from his recordings), a Catalan one (HTS, a statistical voice trained
# on her recordings), and one Hindi diphone talker whose diphones Debian ships three times, byte for byte,
# behind Hindi, Marathi and Telugu front ends (one voice; Marathi's front end differs from Hindi's only in
# how it expands numbers and abbreviations, so on pseudo-words it says exactly what Hindi's does).
SCRIPT_LANGUAGE_VOICES = {
    "nsh": Voice("voice_msu_ru_nsh_clunits", "russian", "festvox-ru: BSD-style licence", "cyrillic"),
    "ona": Voice("voice_upc_ca_ona_hts", "catalan", "festvox-ca-ona-hts: LGPL-2.1-or-later"),
    "nsk-hi": Voice("voice_hindi_NSK_diphone", "indic", "festvox-hi-nsk, festival-hi: GPL-2.0-or-later", "devanagari"),
    "nsk-mr": Voice("voice_marathi_NSK_diphone", "indic", "festvox-mr-nsk, festival-mr: GPL-2.0-or-later",
                    "devanagari"),
    "nsk-te": Voice("voice_telugu_NSK_diphone", "indic", "festvox-te-nsk, festival-te: GPL-2.0-or-later", "telugu"),
}
VOICE_FOLDER = Path("/usr/share/festival/voices")  # then the language (english, us, ...) and the voice's folder


class FestivalError(RuntimeError):
    """Festival is missing or failed."""


@dataclass(frozen=True)
class FestivalSpeech:
    samples: np.ndarray  # float32 mono in [-1, 1)
    sample_rate: int
    phones: tuple[tuple[str, float], ...]  # (phone, start seconds), in order


def available() -> bool:
    return shutil.which("festival") is not None


def voice(name: str) -> Voice:
    known = VOICES | UNSEEN_VOICES | OTHER_LANGUAGE_VOICES | SCRIPT_LANGUAGE_VOICES
    if name not in known:
        raise ValueError(f"voice must be one of {sorted(known)}, got {name!r}")
    return known[name]


def voice_installed(name: str) -> bool:
    """Whether Festival and this voice's Debian package are installed."""
    folder = voice(name).function.removeprefix("voice_")
    return available() and any((language / folder).is_dir() for language in VOICE_FOLDER.glob("*"))


def _scheme_string(text: str) -> str:
    return '"' + "".join(c for c in text if c not in '"\\') + '"'


def _script(texts: Sequence[str], name: str, duration_stretch: float, folder: Path) -> str:
    lines = [f"({voice(name).function})", f"(Parameter.set 'Duration_Stretch {duration_stretch:.3f})"]
    for index, text in enumerate(texts):
        lines += [f"(set! utt (Utterance Text {_scheme_string(text)}))", "(utt.synth utt)",
                  f'(utt.save.wave utt "{folder}/{index}.wav" \'riff)', f'(utt.save.segs utt "{folder}/{index}.segs")']
    return "\n".join(lines) + "\n"


def _read(folder: Path, index: int) -> FestivalSpeech:
    with wave.open(str(folder / f"{index}.wav"), "rb") as audio:
        rate = audio.getframerate()
        samples = np.frombuffer(audio.readframes(audio.getnframes()), "<i2").astype(np.float32) / 32768.0
    phones, start = [], 0.0
    for line in (folder / f"{index}.segs").read_text().splitlines()[1:]:  # after the "#" header
        end_s, _, phone = line.split()
        phones.append((phone, start))
        start = float(end_s)
    return FestivalSpeech(samples, rate, tuple(phones))


def synthesize_batch(texts: Sequence[str], voice_name: str = "slt", duration_stretch: float = 1.0
                     ) -> list[FestivalSpeech]:
    """Speak each text with a Festival voice; slower speech for a stretch above 1."""
    voice(voice_name)  # a known voice, or ValueError
    if not available():
        raise FestivalError("festival is not installed (Debian: festival festvox-kallpc16k festvox-us-slt-hts)")
    with tempfile.TemporaryDirectory(prefix="facecast-festival-") as name:
        folder = Path(name)
        (folder / "batch.scm").write_text(_script(texts, voice_name, duration_stretch, folder), encoding="utf-8")
        result = subprocess.run(["festival", "-b", str(folder / "batch.scm")], capture_output=True, text=True,
                                timeout=60 + 10 * len(texts))
        if result.returncode != 0:
            raise FestivalError(f"festival failed ({result.returncode}): {result.stderr[-500:]}")
        return [_read(folder, index) for index in range(len(texts))]
