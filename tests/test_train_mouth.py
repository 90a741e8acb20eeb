"""Smoke tests of the mouth model's data, training and evaluation (CI does not train for real)."""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pytest
import torch

from runtime.arkit import Blendshape, viseme_index
from runtime.motion.audio_to_mouth import LearnedMouth
from runtime.motion.mouth_baseline import BaselineMouth
from runtime.train import corpus as corpus_module
from runtime.train import festival
from runtime.train.corpus import CorpusBuildError, CorpusOptions, build, plan_held_out, plan_training
from runtime.train.evaluate_mouth import LabelledClip, evaluate, format_table
from runtime.train.mouth import (
    CropSampler,
    TrainOptions,
    _class_weights,
    _column_weights,
    _scaled,
    default_config,
    loss_terms,
    train,
)
from runtime.train.mouth_metrics import best_lag, score
from runtime.train.mouth_network import save_weights, without_speech_output
from runtime.train.targets import mouth_curves, viseme_labels, viseme_weights

TINY = CorpusOptions(english_utterances=6, other_language_utterances=3, festival_utterances=2 if festival.available()
                     else 0, held_out_utterances=2, copies=2, workers=1)
QUICK = TrainOptions(steps=25, batch=4, crop_hops=120, warmup_steps=5, log_every=25, average_decay=0.9)


@pytest.fixture(scope="module")
def corpus():
    return build(plan_training(TINY), TINY.copies)


def test_corpus_is_a_pure_function_of_its_options(corpus):
    again = build(plan_training(TINY), TINY.copies)
    assert np.array_equal(again.log_mel, corpus.log_mel) and np.array_equal(again.labels, corpus.labels)
    assert len(corpus) == 2 * len(plan_training(TINY))
    assert {source.split(":")[1].split("+")[0] for source in corpus.sources} >= {"en-us", "de"}


def test_held_out_voices_are_never_trained_on():
    training = {(p.voice, p.variant) for p in plan_training(CorpusOptions())}
    held_out = {(p.voice, p.variant) for p in plan_held_out(CorpusOptions())}
    assert not {voice for voice, _ in held_out} & {voice for voice, _ in training}
    assert not {variant for _, variant in held_out} & {variant for _, variant in training}


def test_other_language_talkers_come_after_the_first_recipes_plans():
    """Adding Festival's Czech, Italian and Finnish talkers leaves every earlier utterance as it was
    (and the cache key of a corpus without them unchanged)."""
    first = plan_training(CorpusOptions())
    more = plan_training(replace(CorpusOptions(), other_language_festival_utterances=16))
    assert more[:len(first)] == first
    assert {plan.voice for plan in more[len(first):]} == set(festival.OTHER_LANGUAGE_VOICES)


def test_script_language_talkers_come_after_every_earlier_plan_and_write_in_their_scripts():
    earlier = replace(CorpusOptions(), other_language_festival_utterances=16, flite_utterances=6)
    first = plan_training(earlier)
    more = plan_training(replace(earlier, script_language_festival_utterances=10))
    assert more[:len(first)] == first
    added = more[len(first):]
    assert {plan.voice for plan in added} == set(festival.SCRIPT_LANGUAGE_VOICES)
    first_letters = {plan.voice: plan.text[0] for plan in added}
    assert "\u0400" <= first_letters["nsh"] <= "\u04ff" and "\u0900" <= first_letters["nsk-hi"] <= "\u097f"
    assert "\u0c00" <= first_letters["nsk-te"] <= "\u0c7f" and first_letters["ona"].isascii()
    assert corpus_module._key("train", earlier) != corpus_module._key(
        "train", replace(earlier, script_language_festival_utterances=10))


def test_a_scaled_corpus_keeps_what_was_asked_and_leaves_out_what_was_not():
    scaled = _scaled(replace(CorpusOptions(), flite_utterances=600), 0.02)
    assert (scaled.english_utterances, scaled.flite_utterances) == (30, 12)
    assert scaled.script_language_festival_utterances == scaled.other_language_festival_utterances == 0


def test_workers_build_the_same_corpus_as_one_process(corpus):
    plans = plan_training(TINY)[:4]
    alone, shared = build(plans, 2, workers=1), build(plans, 2, workers=2)
    assert np.array_equal(alone.log_mel, shared.log_mel) and alone.sources == shared.sources


POISONED = plan_training(TINY)[1]


def _dies_on_the_poisoned_plans_augmented_copy(job):
    plan, _, augmentation = job
    if plan == POISONED and augmentation is not None:
        os._exit(3)  # as a worker does whose native library crashed (eSpeak NG's has)
    return corpus_module._clean_and_augmented(job)


@pytest.mark.timeout(120)
def test_a_plan_that_kills_its_worker_keeps_its_clean_copy_and_the_build_goes_on(monkeypatch):
    plans = plan_training(TINY)[:5]
    whole = build(plans, 2, workers=1)
    monkeypatch.setattr(corpus_module, "_clean_and_augmented", corpus_module._examples, raising=False)
    monkeypatch.setattr(corpus_module, "_examples", _dies_on_the_poisoned_plans_augmented_copy)
    survived = build(plans, 2, workers=2)
    # Every other plan's two copies, the poisoned plan's clean copy alone, in order.
    assert len(survived) == len(whole) - 1
    kept = [index for index in range(len(whole)) if index != 3]  # plan 1's augmented copy is utterance 3
    assert survived.sources == [whole.sources[index] for index in kept]
    for mine, theirs in enumerate(kept):
        assert np.array_equal(survived.utterance(mine)[0], whole.utterance(theirs)[0])


def _always_dies(job):
    os._exit(3)


@pytest.mark.timeout(120)
def test_a_plan_whose_clean_copy_kills_its_worker_fails_the_build_naming_it(monkeypatch):
    monkeypatch.setattr(corpus_module, "_examples", _always_dies)
    plans = plan_training(TINY)[:2]
    with pytest.raises(CorpusBuildError, match="even its clean copy") as failure:
        build(plans, 2, workers=2)
    assert plans[0].text in str(failure.value)


@pytest.mark.skipif(not festival.available(), reason="festival is not installed")
def test_festival_segments_cover_the_waveform():
    (speech,) = festival.synthesize_batch(["Peter picked a bowl of mushrooms."], "kal")
    phones = [phone for phone, _ in speech.phones]
    assert phones[0] == "pau" and "p" in phones and "m" in phones
    assert speech.phones[-1][1] < len(speech.samples) / speech.sample_rate


def test_a_few_training_steps_lower_the_loss_and_give_loadable_weights(corpus, tmp_path):
    sampler = CropSampler(corpus, QUICK, 8, 64, np.random.default_rng(5))
    batch = sampler.batch()
    before = train(corpus, None, TrainOptions(steps=0, seed=QUICK.seed))
    after = train(corpus, None, QUICK)
    with torch.no_grad():
        losses = [sum(term.item() for term in loss_terms(model, *batch, QUICK, _column_weights(model.config)))
                  for model in (before, after)]
    assert losses[1] < losses[0]
    save_weights(after, tmp_path / "mouth.npz")
    assert np.all(np.isfinite(LearnedMouth(tmp_path / "mouth.npz").outputs(corpus.utterance(0)[0])))


def test_a_longer_look_ahead_travels_with_the_weights(corpus, tmp_path):
    """`--lookahead-hops`: the network trained to describe hop j - 10 at input hop j says so in its
    weights, and the mouth that loads them reads its rows that late (as the evaluation aligns them)."""
    save_weights(train(corpus, None, replace(QUICK, steps=2), default_config(10)), tmp_path / "mouth.npz")
    assert LearnedMouth(tmp_path / "mouth.npz").lookahead_hops == 10


def test_dropping_the_speech_output_keeps_every_other_output(corpus):
    model = train(corpus, None, TrainOptions(steps=0, seed=QUICK.seed))
    trimmed = without_speech_output(model)
    assert model.config.speech_output and not trimmed.config.speech_output
    log_mel = torch.from_numpy(corpus.utterance(0)[0][None])
    with torch.no_grad():
        assert torch.equal(trimmed(log_mel), model(log_mel)[..., :-1])


def test_an_augmented_copys_jaw_can_be_left_to_the_clean_copies(corpus):
    """With augmented_jaw_weight 0, what jawOpen is asked on the augmented copies' hops does not
    reach the loss; on the clean copies it still does."""
    model = train(corpus, None, TrainOptions(steps=0, seed=QUICK.seed))
    options = replace(QUICK, augmented_jaw_weight=0.0)
    log_mel, labels, curves, non_speech, augmented = CropSampler(corpus, QUICK, 8, 64, np.random.default_rng(5)).batch()
    assert augmented.any() and not augmented.all()
    jaw = model.config.curve_index(Blendshape.JAW_OPEN)

    def curve_loss(jaw_target: float, where: torch.Tensor) -> float:
        changed = curves.clone()
        changed[..., jaw] = torch.where(where, jaw_target, changed[..., jaw])
        with torch.no_grad():
            return loss_terms(model, log_mel, labels, changed, non_speech, augmented, options,
                              _column_weights(model.config))[1].item()

    assert curve_loss(0.0, augmented) == curve_loss(1.0, augmented)
    assert curve_loss(0.0, ~augmented) != curve_loss(1.0, ~augmented)


def test_an_augmented_copys_closures_can_count_more(corpus):
    """augmented_closure_weight scales the augmented copies' p/b/m hops (at 0 their targets vanish
    from the loss) and no other hop."""
    model = train(corpus, None, TrainOptions(steps=0, seed=QUICK.seed))
    options = replace(QUICK, batch=16, augmented_closure_weight=0.0)  # crops enough for closures in both copies
    sampler = CropSampler(corpus, options, 8, 64, np.random.default_rng(5))
    log_mel, labels, curves, non_speech, augmented = sampler.batch()
    closures = labels == viseme_index("PP")
    assert (augmented & closures).any() and (~augmented & closures).any()

    def curve_loss(where: torch.Tensor) -> float:
        changed = torch.where(where.unsqueeze(-1), 1.0 - curves, curves)
        with torch.no_grad():
            return loss_terms(model, log_mel, labels, changed, non_speech, augmented, options,
                              _column_weights(model.config))[1].item()

    unchanged = curve_loss(torch.zeros_like(closures))
    assert curve_loss(augmented & closures) == unchanged
    assert curve_loss(~augmented & closures) != unchanged


def test_the_closed_hops_weight_is_a_command_line_choice(monkeypatch, tmp_path):
    """--closed-weight reaches TrainOptions.closed_weight (the p/b/m and silence hops' share of the curve
    loss); left out, it is the default of every recipe before it."""
    from types import SimpleNamespace

    from runtime.train import mouth as mouth_module

    seen = []

    def stop(corpus, held_out, options, *args, **kwargs):
        seen.append(options)
        raise SystemExit(0)

    monkeypatch.setattr(mouth_module, "train", stop)
    monkeypatch.setattr(mouth_module, "load_or_build", lambda *args, **kwargs: SimpleNamespace(hours=0.0))
    for argv, expected in ((["--closed-weight", "6"], 6.0), ([], TrainOptions().closed_weight)):
        with pytest.raises(SystemExit):
            mouth_module.main(["--out", str(tmp_path / "w.npz"), *argv])
        assert seen[-1].closed_weight == expected


def test_the_jaw_correlation_loss_rewards_a_jaw_shaped_like_its_target_at_any_scale(corpus):
    """jaw_correlation_weight adds 1 - r of the jaw against its target per crop: a jaw at half its target's
    height costs nothing more than the target itself, a jaw upside down costs most; off (0), neither term."""
    model = train(corpus, None, TrainOptions(steps=0, seed=QUICK.seed))
    log_mel, labels, curves, non_speech, augmented = CropSampler(corpus, QUICK, 8, 64, np.random.default_rng(5)).batch()
    jaw = model.config.curve_index(Blendshape.JAW_OPEN)

    def jaw_term(options: TrainOptions, jaw_of_target) -> float:
        """The curve loss's change when the network's jaw is replaced by `jaw_of_target(target)`."""
        network_jaw = curves[..., jaw]

        def forward(_):
            outputs = torch.zeros(*labels.shape, model.config.outputs)
            outputs[..., 15:15 + curves.shape[-1]] = curves
            outputs[..., 15 + jaw] = jaw_of_target(network_jaw)
            return outputs

        with torch.no_grad():
            original, model.forward = model.forward, forward
            try:
                return loss_terms(model, log_mel, labels, curves, non_speech, augmented, options,
                                  _column_weights(model.config))[1].item()
            finally:
                model.forward = original

    on = replace(QUICK, jaw_correlation_weight=1.0)
    assert jaw_term(on, lambda target: target) == pytest.approx(0.0, abs=1e-6)
    halved = jaw_term(on, lambda target: target / 2) - jaw_term(QUICK, lambda target: target / 2)
    upside_down = jaw_term(on, lambda target: 1 - target) - jaw_term(QUICK, lambda target: 1 - target)
    assert halved == pytest.approx(0.0, abs=1e-5) and upside_down > 1.0 / QUICK.curve_weight


def test_balanced_classes_weigh_each_viseme_by_its_rarity_and_still_double_closures():
    """balance_classes: a viseme's weight in the loss is its share of the hops to -power, averaging 1 over
    the hops; p/b/m then doubled. Off (0), every viseme weighs 1 and p/b/m 2, as always."""
    labels = np.repeat(np.arange(4, dtype=np.int8), [600, 100, 200, 100])  # sil, PP, FF, TH
    off = _class_weights(TrainOptions(), labels)
    assert off[viseme_index("PP")] == 2.0 and torch.all(off[torch.arange(len(off)) != viseme_index("PP")] == 1.0)
    weights = _class_weights(TrainOptions(balance_classes=0.5), labels).numpy()
    shares = np.array([0.6, 0.1, 0.2, 0.1])
    unscaled = weights[:4] / np.array([1.0, 2.0, 1.0, 1.0])  # p/b/m's doubling undone
    assert np.sum(shares * unscaled) == pytest.approx(1.0)
    assert unscaled[0] < unscaled[2] < unscaled[3] and unscaled[1] == pytest.approx(unscaled[3])
    assert unscaled[3] / unscaled[0] == pytest.approx(np.sqrt(6.0))
    assert np.all(weights[4:] == 0.0)  # visemes the corpus never shows weigh nothing


def test_metrics_score_the_reference_perfectly_and_see_lag():
    labelled = [("sil", 0.0), ("PP", 0.3), ("aa", 0.4), ("PP", 0.6), ("oh", 0.7), ("sil", 1.0)]
    from runtime.train.targets import merge_segments

    segments = merge_segments(labelled, 1.5)
    weights, curves, labels = viseme_weights(segments, 150), mouth_curves(segments, 150), viseme_labels(segments, 150)
    perfect = score(weights, curves, labels, curves)
    assert perfect.jaw_r == pytest.approx(1.0) and perfect.lag_hops == 0 and perfect.closed_in_silence == 1.0
    assert perfect.closed_on_vowels < 0.1  # the reference eases the lips open after a closure: a few vowel hops
    assert perfect.closure_recall > 0.9 and labels[35] == viseme_index("PP")
    late = np.roll(curves[:, Blendshape.JAW_OPEN], 3)
    assert best_lag(late, curves[:, Blendshape.JAW_OPEN]) == 3


def test_the_learned_mouth_beats_the_baseline_on_a_real_recording():
    from runtime.train.real_speech import RealSpeechMissing, real_clips

    try:
        clips = [LabelledClip(clip.samples, clip.segments) for clip in real_clips(names=["goforward.raw"])]
    except RealSpeechMissing as missing:
        pytest.skip(str(missing))
    assert [segment.viseme for segment in clips[0].segments[:3]] == ["sil", "kk", "oh"]  # "go ..."
    rows = [("real", name, evaluate(factory, clips)) for name, factory in
            (("baseline", BaselineMouth), ("learned", LearnedMouth))]
    table = format_table(rows)
    assert "| real | baseline |" in table and "| real | learned |" in table
    baseline, learned = rows[0][2], rows[1][2]  # the shipped weights must keep beating the baseline here
    assert learned.viseme_accuracy > baseline.viseme_accuracy and learned.jaw_r > baseline.jaw_r
    assert learned.coarse_accuracy > baseline.coarse_accuracy and learned.closed_in_silence >= 0.95


def test_curve_calibration_fits_each_curves_size_and_leaves_visemes_and_closures(corpus, tmp_path):
    """Each curve's least-squares gain against the reference is folded into its head row: a network whose
    curves are made half as large gets twice the gains and comes out the same; calibrated again, every gain
    is 1; the visemes' rows and the lips' aperture (jawOpen, mouthClose) are untouched. `--calibrate-curves-of`
    does it to saved weights."""
    import copy

    from runtime.arkit import BLENDSHAPE_NAMES, NUM_VISEMES
    from runtime.train import mouth as mouth_module
    from runtime.train.curve_calibration import calibrate_curves
    from runtime.train.mouth_network import load_network

    model = train(corpus, None, QUICK)
    halved = copy.deepcopy(model)
    with torch.no_grad():
        halved.head.weight[NUM_VISEMES:] *= 0.5
        halved.head.bias[NUM_VISEMES:] *= 0.5
    original = copy.deepcopy(model)
    gains, gains_halved = calibrate_curves(model, corpus), calibrate_curves(halved, corpus)
    assert "mouthFunnel" in gains and not {"jawOpen", "mouthClose", "tongueOut"} & set(gains)
    for name, gain in gains.items():
        assert gains_halved[name] == pytest.approx(2.0 * gain, rel=0.02)
        assert calibrate_curves(copy.deepcopy(model), corpus)[name] == pytest.approx(1.0, abs=0.02)
    row_of = {name: model.config.output_column(BLENDSHAPE_NAMES.index(name))
              for name in ("jawOpen", "mouthClose", "mouthFunnel")}
    for row in [*range(NUM_VISEMES), row_of["jawOpen"], row_of["mouthClose"]]:
        assert torch.equal(model.head.weight[row], original.head.weight[row])
    funnel = row_of["mouthFunnel"]
    assert torch.allclose(model.head.weight[funnel], original.head.weight[funnel] * gains["mouthFunnel"])

    save_weights(original, tmp_path / "trained.npz")
    mouth_module._calibrate_only(tmp_path / "trained.npz", corpus, tmp_path / "calibrated.npz")
    calibrated = load_network(tmp_path / "calibrated.npz")
    assert torch.allclose(calibrated.head.weight[funnel], original.head.weight[funnel] * gains["mouthFunnel"])
