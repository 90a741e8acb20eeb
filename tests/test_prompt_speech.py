"""Asterisk's prompts (runtime/train/prompt_speech.py): the English ones, the second real set, decoded
from G.722 and aligned by PocketSphinx, strung into streams; the Italian and Russian ones, real talkers
to train on, aligned from eSpeak NG's pronunciations. Needs the Debian packages the README's test command
installs (asterisk-core-sounds-en, -en-g722, -it, -it-g722, -ru, -ru-g722)."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.audio.constants import SAMPLE_RATE
from runtime.train.evaluation_sets import LabelledClip, prompt_sets
from runtime.train.prompt_speech import (
    LANGUAGES,
    _dictionary,
    pauses_are_quiet,
    prompt_chains,
    prompt_set,
    pronounced_words,
    transcripts,
    words,
)
from runtime.train.real_speech import RealSpeechMissing

PROMPTS = 6  # the first six in name order: "activated" … "agent-loginok"


@pytest.fixture(scope="module")
def prompts():
    reported = []
    aligned = prompt_set(limit=PROMPTS, progress=lambda done, total: reported.append((done, total)))
    assert reported == [(done, PROMPTS) for done in range(1, PROMPTS + 1)]  # minutes for the whole set: a bar moves
    return aligned


def test_transcripts_are_what_each_prompt_says_and_leave_out_tones():
    said = transcripts()
    assert said["agent-incorrect"].startswith("Login incorrect.")
    assert "beep" not in said and "silence/1" not in said  # "[this is a simple beep tone]", "(1 second of silence)"
    assert len(said) > 500


def test_words_are_the_aligners_or_the_prompt_is_left_out():
    known = _dictionary()
    assert words("Please enter your party's extension, followed by pound.", known) == \
        "please enter your party's extension followed by pound"
    assert words("Press 1, or press # to return.", known) == "press one or press pound to return"  # keys, as said
    assert words("Press 1234.", known) is None  # a longer number: said how?
    assert words("Thank you for calling Super Awesome Company, Waldo's premier provider", known) is None


def _speech_is_where_the_alignment_puts_it(prompt_set_) -> None:
    loud, quiet = [], []
    for clip in prompt_set_.clips:
        assert clip.samples.dtype == np.float32 and 0.3 < len(clip.samples) / SAMPLE_RATE < 10.0
        for segment in clip.segments:
            part = clip.samples[int(segment.start_s * SAMPLE_RATE):int(segment.end_s * SAMPLE_RATE)]
            if len(part):
                (quiet if segment.viseme == "sil" else loud).append(float(np.sqrt(np.mean(part**2))))
    assert np.median(loud) > 10 * np.median(quiet)


def test_prompts_decode_to_speech_where_the_alignment_puts_it(prompts):
    """Decoded wrongly (another codec's bytes read as G.722) the audio is noise and PocketSphinx's
    phones fall anywhere; decoded right, the hops it aligns as speech are far louder than those it
    aligns as silence, and a prompt saying 'number' and 'pound' has its closures."""
    assert len(prompts.clips) + len(prompts.skipped) == PROMPTS and len(prompts.clips) >= 5
    _speech_is_where_the_alignment_puts_it(prompts)
    incorrect = next(clip for clip in prompts.clips if clip.name == "agent-incorrect")
    assert sum(segment.viseme == "PP" for segment in incorrect.segments) >= 2  # "number", "pound"


@pytest.mark.parametrize(("code", "closures"), [("it", 2), ("ru", 2)])
def test_other_languages_align_from_espeaks_pronunciations(code, closures):
    """Italian: "agent-incorrect" says "Login errato. Prego digitare il proprio numero di operatore
    seguito dal tasto cancelletto": p in "prego", "proprio" (twice), m in "numero", p in "operatore".
    Russian: "Ошибка регистрации. Введите номер оператора и нажмите решетку": b, m, p, m."""
    aligned = prompt_set(LANGUAGES[code], limit=PROMPTS)
    assert len(aligned.clips) + len(aligned.skipped) == PROMPTS and len(aligned.clips) >= 5
    if code == "it":
        _speech_is_where_the_alignment_puts_it(aligned)
    else:  # cut close to the speech, so every pause it has is one the aligner placed, and some are over speech
        assert 2 <= sum(map(pauses_are_quiet, aligned.clips)) < len(aligned.clips)  # training keeps those that are not
    incorrect = next(clip for clip in aligned.clips if clip.name == "agent-incorrect")
    assert sum(segment.viseme == "PP" for segment in incorrect.segments) >= closures + 2


def test_a_prompt_with_a_word_espeak_cannot_say_is_left_out():
    assert pronounced_words("Premere il tasto cancelletto.", "it") is not None
    assert pronounced_words("La conferenza ? piena.", "it") is None  # an accented letter lost in the transcript
    assert pronounced_words("Нажмите клавишу «решётка».", "ru") is not None  # quotes are punctuation
    assert pronounced_words("Asterisk это полноценная станция", "ru") is None  # said as English by eSpeak


def test_prompts_are_strung_into_streams_with_their_labels_moved_along(prompts):
    clips = prompts.clips
    chains = prompt_chains(clips, chain_s=5.0)
    assert sum(len(samples) for samples, _ in chains) == sum(len(clip.samples) for clip in clips)
    assert 1 < len(chains) < len(clips)
    for samples, segments in chains:
        starts = [segment.start_s for segment in segments]
        assert starts == sorted(starts) and segments[-1].end_s == pytest.approx(len(samples) / SAMPLE_RATE, abs=1e-6)
    first_samples, first_segments = chains[0]
    second = clips[1]  # the second prompt begins where the first ends
    offset = len(clips[0].samples) / SAMPLE_RATE
    moved = [s for s in first_segments if s.start_s >= offset - 1e-9][: len(second.segments)]
    assert [s.viseme for s in moved] == [s.viseme for s in second.segments]
    assert [s.start_s - offset for s in moved] == pytest.approx([s.start_s for s in second.segments])
    assert np.array_equal(first_samples[len(clips[0].samples):len(clips[0].samples) + len(second.samples)],
                          second.samples)


def test_the_evaluation_sets_of_the_prompts(prompts):
    chains = [LabelledClip(samples, segments) for samples, segments in prompt_chains(prompts.clips, chain_s=5.0)]
    clean, noisy, noisier, room = prompt_sets(chains, seed=1234)
    assert {s.group for s in (clean, noisy, noisier, room)} == {"prompts"}
    assert (noisy.name, noisier.name) == ("prompts, held-out noises 10 dB", "prompts, held-out noises 5 dB")
    assert clean.clips == tuple(chains) and len(noisy.clips) == len(noisier.clips) == len(room.clips) == len(chains)
    assert all(n.scored_from_s == 15.0 and len(n.samples) == len(c.samples) + 15 * SAMPLE_RATE
               for n, c in zip(noisy.clips, chains, strict=True))
    assert noisy.repeats == noisier.repeats == 1  # one noise a stream: no speech counted twice
    # The same noise behind each stream at both levels, 5 dB louder against the same speech.
    lead = 15 * SAMPLE_RATE
    for ten, five in zip(noisy.clips, noisier.clips, strict=True):
        ratio = np.sqrt(np.mean(five.samples[:lead] ** 2) / np.mean(ten.samples[:lead] ** 2))
        assert ratio == pytest.approx(10 ** (5 / 20), rel=1e-3)


def test_missing_packages_say_what_to_install(tmp_path):
    with pytest.raises(RealSpeechMissing, match="apt-get install asterisk-core-sounds-en"):
        prompt_set(folder=tmp_path / "nowhere")


def test_intervals_resample_whole_streams(prompts):
    """One stream resampled is always itself: no width. Several: the figure lies inside an interval of
    some width (python -m runtime.train.set_intervals, the model card's 'A second real set')."""
    from runtime.motion.mouth_baseline import BaselineMouth
    from runtime.train.set_intervals import METRICS, intervals

    chains = [LabelledClip(samples, segments) for samples, segments in prompt_chains(prompts.clips, chain_s=2.0)]
    assert len(chains) >= 3
    alone = intervals(BaselineMouth, chains[:1], draws=20)
    defined = [f for f in alone.values() if not np.isnan(f.value)]
    assert defined and all(f.low == f.high == f.value for f in defined)
    several = intervals(BaselineMouth, chains, draws=50)
    assert set(several) == set(METRICS)
    assert all(f.low <= f.value <= f.high for f in several.values())
    assert several["jaw_r"].high - several["jaw_r"].low > 0.0


def test_paired_comparison_resamples_both_models_alike(prompts):
    """A model against itself moves nothing in any draw; against another, each side is pooled as
    `intervals` pools it, and the paired interval holds the whole set's difference
    (python -m runtime.train.set_intervals --against OLD.npz)."""
    from runtime.motion.audio_to_mouth import LearnedMouth
    from runtime.motion.mouth_baseline import BaselineMouth
    from runtime.train.set_intervals import METRICS, intervals, paired

    chains = [LabelledClip(samples, segments) for samples, segments in prompt_chains(prompts.clips, chain_s=2.0)]
    itself = paired(BaselineMouth, BaselineMouth, chains, draws=30)
    defined = [f for f in itself.values() if not np.isnan(f.before)]
    assert defined and all(f.after == f.before and f.low == f.high == 0.0 and f.share_better == 0.0
                           for f in defined)
    compared = paired(BaselineMouth, LearnedMouth, chains, draws=50)
    assert set(compared) == set(METRICS)
    old, new = intervals(BaselineMouth, chains, draws=5), intervals(LearnedMouth, chains, draws=5)
    for metric, f in compared.items():
        assert (f.before, f.after) == (old[metric].value, new[metric].value)
        assert f.low <= f.after - f.before <= f.high
    assert compared["jaw_r"].high > compared["jaw_r"].low
