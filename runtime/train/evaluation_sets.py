"""The labelled sets `evaluate_mouth` scores, each a pure function of its seed:

- real recorded speech (LibriVox + goforward), clean, mixed with held-out noise families at 20,
  10 and 5 dB SNR, in synthesised rooms, and through a telephone band or a low-bitrate Opus link;
- a second, larger real set (Asterisk's English prompts, one talker, `prompt_speech`): clean, in a
  held-out noise at 10 and 5 dB, and in a synthesised living room;
- held-out synthetic voices (eSpeak NG variants never trained on) per language: languages the
  model trained on and languages it never heard; Festival's voices (seen in training) on new text;
- non-speech: held-out noise, music and breaths with nobody talking, at the talker's level and
  quieter, where the mouth must stay shut.

Noises come from the held-out families only (`noises.HELD_OUT_FAMILIES`): no model trains on them.
A noisy clip starts with NOISE_LEAD_IN_S of its noise alone, not scored: in a real room the fan ran
before anyone spoke, and the voice activity detector's noise floor needs seconds to settle (it
rises 3 dB/s). Non-speech is scored both as a stream opens onto it (a sound already going: its first
second, where a babble's talkers join one by one, is cut off) and after it has run a while.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from runtime.audio.constants import SAMPLE_RATE
from runtime.train.channels import opus_round_trip, telephone
from runtime.train.mixing import active_power, noise_gain
from runtime.train.noises import BABBLE_UNSEEN_LANGUAGES, HELD_OUT_FAMILIES, noise
from runtime.train.rooms import Room, impulse_response, reverberate
from runtime.train.targets import VisemeSegment

SNRS_DB = (20.0, 10.0, 5.0)
SPEECH_NOISES = tuple(family for family in HELD_OUT_FAMILIES if not family.startswith("breath"))
NON_SPEECH_NOISES = HELD_OUT_FAMILIES  # breaths too: alone, they must not open the mouth
ROOMS = {  # RT60 and how far the talker stands (direct-to-reverberant ratio)
    "small room 0.3 s": Room(0.3, direct_to_reverberant_db=6.0),
    "living room 0.6 s": Room(0.6, direct_to_reverberant_db=2.0),
    "hall 1.0 s": Room(1.0, direct_to_reverberant_db=-2.0),
}
SEEN_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "cs", "fi")  # trained on other voices
UNSEEN_LANGUAGES = BABBLE_UNSEEN_LANGUAGES  # never spoken in training (Latin script: pseudo-words read right)
NON_SPEECH_LEVELS_DB = (0.0, -10.0, -20.0)  # noise RMS against the real clips' active speech level
NON_SPEECH_SECONDS = 8.0  # scored
NON_SPEECH_SETTLED_S = 20.0  # of the sound before the "settled" sets are scored
# A stream opens onto a sound already going: each sound's first second is cut off, since a babble's
# talkers only join within it (each after up to a second of digital silence), and one voice alone is speech.
NON_SPEECH_CUT_S = 1.0
NOISE_LEAD_IN_S = 15.0


@dataclass(frozen=True)
class LabelledClip:
    samples: np.ndarray  # float32 mono, 16 kHz
    segments: Sequence[VisemeSegment]
    scored_from_s: float = 0.0  # hops before this are streamed but not scored (a lead-in)


@dataclass(frozen=True)
class EvaluationSet:
    name: str
    group: str  # "real", "synthetic", "language", "non-speech"
    clips: tuple[LabelledClip, ...]
    repeats: int = 1  # times the same speech appears (pooled over noises): its closures are not new ones


def _rng(seed: int, *parts: int) -> np.random.Generator:
    return np.random.default_rng([seed, *parts])


def _with_audio(clips: Sequence[LabelledClip], audio: Sequence[np.ndarray]) -> tuple[LabelledClip, ...]:
    return tuple(LabelledClip(samples.astype(np.float32), clip.segments) for clip, samples in zip(clips, audio,
                                                                                                 strict=True))


def _delayed(segments: Sequence[VisemeSegment], lead_s: float) -> tuple[VisemeSegment, ...]:
    """The segments `lead_s` later, with silence before them."""
    moved = [VisemeSegment(s.viseme, s.start_s + lead_s, s.end_s + lead_s) for s in segments]
    if moved[0].viseme == "sil":
        return (VisemeSegment("sil", 0.0, moved[0].end_s), *moved[1:])
    return (VisemeSegment("sil", 0.0, lead_s), *moved)


def noisy_clip(clip: LabelledClip, noise_samples: np.ndarray, snr_db: float) -> LabelledClip:
    """`clip` at snr_db in `noise_samples` (NOISE_LEAD_IN_S longer than it), the noise alone first."""
    lead = len(noise_samples) - len(clip.samples)
    gain = noise_gain(clip.samples, noise_samples[lead:], snr_db)
    audio = np.concatenate([gain * noise_samples[:lead], clip.samples + gain * noise_samples[lead:]])
    return LabelledClip(audio.astype(np.float32), _delayed(clip.segments, lead / SAMPLE_RATE), lead / SAMPLE_RATE)


def real_sets(clips: Sequence[LabelledClip], seed: int) -> list[EvaluationSet]:
    """Real clips clean, in held-out noise at each SNR (pooled, and per family at 10 dB), in rooms, and
    through channels. One noise per (clip, family), scaled to each SNR."""
    sets = [EvaluationSet("real, clean", "real", tuple(clips))]
    lead = int(NOISE_LEAD_IN_S * SAMPLE_RATE)
    noises = {(family, index): noise(family, lead + len(clip.samples), _rng(seed, 1, f, index))
              for f, family in enumerate(SPEECH_NOISES) for index, clip in enumerate(clips)}

    def noisy(family: str, snr: float) -> tuple[LabelledClip, ...]:
        return tuple(noisy_clip(clip, noises[family, index], snr) for index, clip in enumerate(clips))

    for snr in SNRS_DB:
        pooled = tuple(clip for family in SPEECH_NOISES for clip in noisy(family, snr))
        sets.append(EvaluationSet(f"real, held-out noises {snr:g} dB", "real", pooled, len(SPEECH_NOISES)))
    sets += [EvaluationSet(f"real, {family} 10 dB", "real", noisy(family, 10.0)) for family in SPEECH_NOISES]
    responses = {name: impulse_response(room, _rng(seed, 3, r)) for r, (name, room) in enumerate(ROOMS.items())}
    sets += [EvaluationSet(f"real, {name}", "real", _with_audio(clips, [reverberate(c.samples, response)
                                                                          for c in clips]))
             for name, response in responses.items()]
    in_room = _with_audio(clips, [reverberate(c.samples, responses["living room 0.6 s"]) for c in clips])
    sets.append(EvaluationSet("real, living room 0.6 s + street 10 dB", "real", tuple(
        noisy_clip(c, noises["street", i], 10.0) for i, c in enumerate(in_room))))
    sets.append(EvaluationSet("real, telephone 300-3400 Hz", "real", _with_audio(clips, [telephone(c.samples)
                                                                                         for c in clips])))
    for bitrate in (16_000, 8_000):
        sets.append(EvaluationSet(f"real, Opus {bitrate // 1000} kbit/s", "real", _with_audio(
            clips, [opus_round_trip(c.samples, bitrate) for c in clips])))
    return sets


PROMPT_SNRS_DB = (10.0, 5.0)  # issue 16's closures at 10 dB, and lips shut in the pauses at 5 dB


def prompt_sets(chains: Sequence[LabelledClip], seed: int) -> list[EvaluationSet]:
    """The prompts' streams (`prompt_speech.prompt_chains`) clean; each in one held-out noise at 10 and
    at 5 dB SNR, the families taken in turn (so a noisy set is as long as the clean one, not four times:
    17 minutes of speech already give hundreds of closures and, unlike the LibriVox clips' 2 s, 18 s of
    pauses); and in the living room of `real_sets`."""
    lead = int(NOISE_LEAD_IN_S * SAMPLE_RATE)
    noises = [noise(SPEECH_NOISES[index % len(SPEECH_NOISES)], lead + len(chain.samples), _rng(seed, 5, index))
              for index, chain in enumerate(chains)]
    room = impulse_response(ROOMS["living room 0.6 s"], _rng(seed, 6))
    noisy = [EvaluationSet(f"prompts, held-out noises {snr:g} dB", "prompts",
                           tuple(noisy_clip(chain, sound, snr) for chain, sound in zip(chains, noises, strict=True)))
             for snr in PROMPT_SNRS_DB]
    return [EvaluationSet("prompts, clean", "prompts", tuple(chains)), *noisy,
            EvaluationSet("prompts, living room 0.6 s", "prompts",
                          _with_audio(chains, [reverberate(c.samples, room) for c in chains]))]


def held_out_clips(count: int, augmented: bool, seed: int = 1234) -> list[LabelledClip]:
    """Utterances of the held-out eSpeak accents and variants (never in training), clean or augmented
    with the training augmentation (`augment.augment`)."""
    from runtime.train.augment import augment
    from runtime.train.corpus import CorpusOptions, plan_held_out, scaled, synthesise

    clips = []
    for plan in plan_held_out(CorpusOptions(seed=seed, held_out_utterances=count)):
        audio, segments = synthesise(plan)
        if augmented:
            audio, factor = augment(audio, np.random.default_rng(plan.seed + 7))
            segments = scaled(segments, factor)
        clips.append(LabelledClip(audio, segments))
    return clips


def _language_plans(language: str, count: int, seed: int) -> list:
    from runtime.train.corpus import HELD_OUT_ACCENTS, HELD_OUT_VARIANTS, espeak_plan
    from runtime.train.sentences import english_sentence, pseudo_sentence

    rng = _rng(seed, 5, sum(map(ord, language)))
    if language == "en":
        return [espeak_plan(rng, HELD_OUT_ACCENTS[i % len(HELD_OUT_ACCENTS)], HELD_OUT_VARIANTS, english_sentence)
                for i in range(count)]
    return [espeak_plan(rng, language, HELD_OUT_VARIANTS, pseudo_sentence) for _ in range(count)]


def festival_plans(voice: str, count: int, seed: int) -> list:
    """New English sentences for a Festival voice, at speaking rates like training's."""
    from runtime.train.corpus import talker_plan
    from runtime.train.sentences import english_sentence

    rng = _rng(seed, 6, sum(map(ord, voice)))
    return [talker_plan(rng, "festival", voice, english_sentence) for _ in range(count)]


def script_language_plans(talker: str, count: int, seed: int) -> list:
    """New pseudo-sentences for one of Festival's script-language talkers, in its language and script."""
    from runtime.train.corpus import script_language_plan

    rng = _rng(seed, 8, sum(map(ord, talker)))
    return [script_language_plan(rng, talker) for _ in range(count)]


# Festival's script-language talkers the evaluation scores: Marathi's front end says what Hindi's does
# with the same talker's diphones (festival.SCRIPT_LANGUAGE_VOICES), so its row would repeat Hindi's.
EVALUATED_SCRIPT_TALKERS = {"nsh": "Russian", "ona": "Catalan", "nsk-hi": "Hindi", "nsk-te": "Telugu"}


def language_sets(count: int, seed: int, festival_voices: bool = True) -> list[EvaluationSet]:
    """Clean held-out synthetic speech per language; English is the held-out accents en-029 and
    en-gb-x-gbcwmd; Festival's kal and slt are voices seen in training, speaking new sentences, kdl
    (where festvox-kdlpc16k is installed) a natural voice no model has heard, and the Russian,
    Catalan and Hindi talkers (where installed) speak pseudo-words in their own languages and scripts:
    talkers and languages the shipped models never heard (the training can add them)."""
    from runtime.train import festival
    from runtime.train.corpus import synthesise

    sets = []
    for language in SEEN_LANGUAGES + UNSEEN_LANGUAGES:
        seen = "trained language" if language in SEEN_LANGUAGES else "unseen language"
        clips = tuple(LabelledClip(*synthesise(plan)) for plan in _language_plans(language, count, seed))
        sets.append(EvaluationSet(f"eSpeak {language} ({seen}, held-out voices)", "language", clips))
    if festival_voices and festival.available():
        for voice in sorted(festival.VOICES):
            clips = tuple(LabelledClip(*synthesise(plan)) for plan in festival_plans(voice, count, seed))
            sets.append(EvaluationSet(f"Festival {voice} (voice seen in training, new text)", "language", clips))
        for voice in sorted(v for v in festival.UNSEEN_VOICES if festival.voice_installed(v)):
            clips = tuple(LabelledClip(*synthesise(plan)) for plan in festival_plans(voice, count, seed))
            sets.append(EvaluationSet(f"Festival {voice} (voice never trained on)", "language", clips))
        for talker in (t for t in EVALUATED_SCRIPT_TALKERS if festival.voice_installed(t)):
            clips = tuple(LabelledClip(*synthesise(plan)) for plan in script_language_plans(talker, count, seed))
            language = EVALUATED_SCRIPT_TALKERS[talker]
            sets.append(EvaluationSet(f"Festival {talker} ({language} pseudo-words)", "language", clips))
    return sets


def speech_level_dbfs(clips: Sequence[LabelledClip]) -> float:
    """The mean active speech level of the clips, dB re full scale RMS."""
    return float(10.0 * np.log10(np.mean([active_power(clip.samples) for clip in clips])))


def non_speech_sets(speech_dbfs: float, seed: int, clips_per_set: int = 2) -> list[EvaluationSet]:
    """Held-out noise, music and breaths with no speech, at NON_SPEECH_LEVELS_DB re the talker's level:
    every hop is reference silence. Scored NON_SPEECH_SECONDS as the stream opens straight onto the
    sound, and NON_SPEECH_SECONDS after NON_SPEECH_SETTLED_S of it (the same sound, continued)."""
    total_s = NON_SPEECH_SETTLED_S + NON_SPEECH_SECONDS
    silence = (VisemeSegment("sil", 0.0, total_s),)
    cut, length = int(NON_SPEECH_CUT_S * SAMPLE_RATE), int(total_s * SAMPLE_RATE)
    sets = []
    for f, family in enumerate(NON_SPEECH_NOISES):
        for level in NON_SPEECH_LEVELS_DB:
            gain = 10.0 ** ((speech_dbfs + level) / 20.0)
            sounds = [(gain * noise(family, cut + length, _rng(seed, 7, f, index))[cut:]).astype(np.float32)
                      for index in range(clips_per_set)]
            opening = tuple(LabelledClip(s[: int(NON_SPEECH_SECONDS * SAMPLE_RATE)],
                                         (VisemeSegment("sil", 0.0, NON_SPEECH_SECONDS),)) for s in sounds)
            settled = tuple(LabelledClip(s, silence, NON_SPEECH_SETTLED_S) for s in sounds)
            sets.append(EvaluationSet(f"{family} at {level:+g} dB re speech, opening", "non-speech", opening))
            sets.append(EvaluationSet(f"{family} at {level:+g} dB re speech, after {NON_SPEECH_SETTLED_S:g} s",
                                      "non-speech", settled))
    return sets
