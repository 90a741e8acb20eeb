"""How far the real clips' reference is from the truth, and what that does to a model's figures.

    python -m runtime.train.alignment_check [--weights W.npz] [--utterances 40] [--voice kal ...]
    python -m runtime.train.alignment_check --prompts it --voice lp   # Italian, aligned from eSpeak NG's words

The real clips' labels and curves come from PocketSphinx's forced alignment of their transcripts
(`real_speech`), not from the phones the talkers said. Festival's speech comes with its exact phone
times, and so does Flite's (its talkers awb and rms: `--voice awb`; this also says whether the times
the model trains on are true). Aligned the same way from its text, its reference is scored against
the exact one as if it were a model — the best any model can score against an aligned reference — and
a model is scored against both, which says how much the alignment alone lowers its figures. Festival
reads its text with a lexicon much like the CMU dictionary PocketSphinx aligns with; real talkers stray
further from the dictionary, so on real speech the alignment is at least this far from the truth.

With `--prompts it` (or `ru`) the sentences are the Asterisk prompts of that language, read by one of
Festival's talkers of it (Italian lp or pc, Russian nsh), and aligned as those prompts are for training
(`prompt_speech`): each word pronounced by eSpeak NG, in US-English phones, through PocketSphinx's English
model. Festival's phones are its own, so this says how close to the truth that cross-language alignment
comes.
"""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from runtime.arkit import NUM_VISEMES
from runtime.audio.pcm import encode_pcm16
from runtime.motion.audio_to_mouth import DEFAULT_WEIGHTS, LearnedMouth
from runtime.train import festival, flite
from runtime.train.corpus import Plan, synthesise
from runtime.train.evaluate_mouth import stream
from runtime.train.evaluation_sets import festival_plans
from runtime.train.mouth_metrics import MouthScores, score
from runtime.train.prompt_speech import LANGUAGES, prompt_names, pronounced_words, spoken_tokens, transcripts
from runtime.train.real_speech import RealSpeechMissing, aligned_segments, pronounced_segments
from runtime.train.targets import VisemeSegment, mouth_curves, viseme_labels

LOG = logging.getLogger(__name__)
SEED = 4321  # not the evaluation's 1234: these sentences are new to it too


@dataclass(frozen=True)
class VoiceCheck:
    voice: str
    utterances: int  # aligned (PocketSphinx gives up on a few sentences)
    hops: int
    reference: MouthScores  # the aligned reference scored against the exact one
    model_exact: MouthScores  # the model against the exact reference
    model_aligned: MouthScores  # the model against the aligned reference


def _transcript(text: str) -> str:
    """The words PocketSphinx aligns: lower case, no punctuation."""
    return " ".join(re.sub(r"[^a-z' ]", " ", text.lower()).split())


def _english_alignment(pcm16: np.ndarray, text: str) -> list[VisemeSegment]:
    return aligned_segments(pcm16, _transcript(text))


def check_voice(voice: str, count: int, weights: Path = DEFAULT_WEIGHTS, prompts: str | None = None) -> VoiceCheck:
    """Festival's `voice` reading `count` new English sentences, or with `prompts` (a PromptLanguage
    code) the first `count` prompts of that language it can say, aligned as that language's prompts are."""
    if prompts is None:
        plans, alignment = _plans(voice, count), _english_alignment
    else:
        plans, alignment = _prompt_plans(voice, prompts, count), _pronounced_alignment(LANGUAGES[prompts].voice)
    columns: dict[str, list[np.ndarray]] = {name: [] for name in ("visemes", "shapes", "exact", "aligned",
                                                                   "exact_curves", "aligned_curves")}
    for plan in plans:
        audio, exact = synthesise(plan)
        try:
            pcm16 = np.frombuffer(encode_pcm16(audio), "<i2")
            aligned = alignment(pcm16, plan.text)
        except RealSpeechMissing:
            raise
        except RuntimeError as exc:  # a word outside PocketSphinx's dictionary
            LOG.info("%s: not aligned (%s): %s", voice, exc, plan.text)
            continue
        visemes, shapes, _ = stream(LearnedMouth(weights), audio)
        hops = len(visemes)
        for name, value in (("visemes", visemes), ("shapes", shapes), ("exact", viseme_labels(exact, hops)),
                            ("aligned", viseme_labels(aligned, hops)), ("exact_curves", mouth_curves(exact, hops)),
                            ("aligned_curves", mouth_curves(aligned, hops))):
            columns[name].append(value)
    pooled = {name: np.concatenate(values) for name, values in columns.items()}
    aligned_rows = np.eye(NUM_VISEMES, dtype=np.float32)[pooled["aligned"]]  # the aligned labels as a model's rows
    return VoiceCheck(
        voice, len(columns["visemes"]), len(pooled["exact"]),
        reference=score(aligned_rows, pooled["aligned_curves"], pooled["exact"], pooled["exact_curves"]),
        model_exact=score(pooled["visemes"], pooled["shapes"], pooled["exact"], pooled["exact_curves"]),
        model_aligned=score(pooled["visemes"], pooled["shapes"], pooled["aligned"], pooled["aligned_curves"]))


def _pronounced_alignment(espeak_voice: str) -> Callable[[np.ndarray, str], list[VisemeSegment]]:
    return lambda pcm16, text: pronounced_segments(pcm16, pronounced_words(text, espeak_voice))


def _prompt_plans(voice: str, code: str, count: int) -> list[Plan]:
    """The first `count` prompts of a language that eSpeak NG pronounces, for Festival's `voice` to read
    (Italian's front end reads ISO-8859 text, so prompts with letters outside ASCII are left out)."""
    language = LANGUAGES[code]
    said = transcripts(language)
    texts = [said[name] for name in prompt_names(language) if pronounced_words(said[name], language.voice)]
    if festival.voice(voice).script == "latin":
        texts = [text for text in texts if text.isascii()]
    texts = [" ".join(spoken_tokens(text)) for text in texts]  # Russian's front end has no rule for « or /
    return [Plan("festival", voice, text, seed=index) for index, text in enumerate(texts[:count])]


def _plans(voice: str, count: int) -> list:
    """New English sentences for a Festival or a Flite voice."""
    engine = "flite" if voice in flite.VOICES else "festival"
    return [replace(plan, engine=engine) for plan in festival_plans(voice, count, SEED)]


def table(checks: Sequence[VoiceCheck]) -> str:
    lines = ["| voice | scored | against | viseme acc (15) | coarse acc (6) | p/b/m closure recall | jawOpen r "
             "| closed in silence |", "|---|---|---|---|---|---|---|---|"]
    for check in checks:
        voice = f"{check.voice} ({check.utterances} sentences, {check.hops * 0.01:.0f} s)"
        for scored, against, s in (("aligned reference", "exact", check.reference),
                                   ("model", "exact", check.model_exact), ("model", "aligned", check.model_aligned)):
            lines.append(f"| {voice} | {scored} | {against} | {s.viseme_accuracy:.3f} | {s.coarse_accuracy:.3f} "
                         f"| {s.closure_recall:.3f} | {s.jaw_r:.3f} | {s.closed_in_silence:.3f} |")
            voice = ""
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS, help="the model to score both ways")
    parser.add_argument("--utterances", type=int, default=40, help="sentences per voice")
    parser.add_argument("--voice", action="append",
                        help="Festival or Flite voice (repeat; default: every Festival voice installed)")
    parser.add_argument("--prompts", choices=sorted(set(LANGUAGES) - {"en"}),
                        help="read that language's Asterisk prompts (with --voice lp or pc for it, nsh for ru) and "
                             "align them as those prompts are aligned for training")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    voices = args.voice or [v for v in sorted(festival.VOICES) + sorted(festival.UNSEEN_VOICES)
                            if festival.voice_installed(v)]
    if not voices:
        parser.error("no Festival voice installed (Debian: festival festvox-kallpc16k festvox-us-slt-hts)")
    print(table([check_voice(voice, args.utterances, args.weights, args.prompts) for voice in voices]))


if __name__ == "__main__":
    main()
