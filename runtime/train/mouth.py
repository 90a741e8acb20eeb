"""Train the learned mouth model on synthetic speech (one command, CPU, deterministic steps).

    python -m runtime.train.mouth [--steps 4000] [--threads 2] [--out runtime/weights/audio_to_mouth.npz]

Builds (or reads from .cache/mouth) the corpus, trains `MouthNet` on random crops with the
targets read `lookahead_hops` late, logs held-out synthetic scores as it goes, and writes the
weights with their config. Crops, initial weights and augmentation all come from --seed.
"""

from __future__ import annotations

import argparse
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from runtime.arkit import BLENDSHAPE_NAMES, NUM_VISEMES, blendshape_index, viseme_index
from runtime.audio.features import SILENCE_FLOOR
from runtime.motion.audio_to_mouth import DEFAULT_WEIGHTS, MouthNetConfig
from runtime.train.corpus import Corpus, CorpusOptions, joined, load_or_build
from runtime.train.curve_calibration import calibrate_curves, held_out_rows
from runtime.train.mouth_network import MouthNet, load_network, parameter_count, save_weights, without_speech_output
from runtime.train.targets import mouth_columns
from runtime.train.vocal_tract import MelWarp

LOG = logging.getLogger(__name__)
IGNORE = -100  # label of the context hops at the start of a crop: not scored
SILENCE, CLOSURE = viseme_index("sil"), viseme_index("PP")
MAX_MASKED_BANDS = 8
TEMPERATURES = np.linspace(0.3, 1.5, 25)  # searched by calibrate_visemes
LOUD_COLUMNS = {"jawOpen": 3.0, "mouthClose": 3.0, "mouthPressLeft": 2.0, "mouthPressRight": 2.0}


@dataclass(frozen=True)
class TrainOptions:
    steps: int = 4000
    batch: int = 32  # crops per step
    crop_hops: int = 300  # 3 s per crop
    learning_rate: float = 3e-3
    warmup_steps: int = 100
    weight_decay: float = 1e-4
    curve_weight: float = 8.0  # L1 on the mouth curves, against cross-entropy on the visemes
    speech_weight: float = 1.0  # binary cross-entropy of the speech-presence logit (talking vs not)
    label_smoothing: float = 0.1
    closure_class_weight: float = 2.0  # p/b/m count double in the viseme loss: closures are what viewers check
    closed_weight: float = 3.0  # and hops that must show closed lips (p/b/m, silence) triple in the curve loss
    non_speech_curve_weight: float = 3.0  # the curve loss's weight of the non-speech utterances' hops (noise, music)
    augmented_jaw_weight: float = 1.0  # jawOpen's share of the curve loss on augmented copies (rooms, noise, codecs)
    augmented_closure_weight: float = 1.0  # and how much more their p/b/m hops count there
    gain_shift: float = 1.5  # random level change of each crop, in log10 power (±15 dB)
    band_masks: int = 2  # SpecAugment: bands of up to MAX_MASKED_BANDS mels set to the crop's mean
    vocal_tract_warp: float = 0.0  # each crop's formants moved by a factor in 1 ± this (VTLP; 0: off)
    recorded_weight: float = 1.0  # how much more often than its length says a crop comes from a real talker
    # Each viseme's weight in the viseme loss is its share of the training hops to the power -balance_classes
    # (normalised to average 1 over the hops; p/b/m then times closure_class_weight); 0: all alike.
    balance_classes: float = 0.0
    # Weight of 1 - Pearson r between the jaw and its target over each crop's scored speech hops: the L1
    # pulls an unsure jaw to its median, which r, the evaluation's figure, does not ask for. 0: off.
    jaw_correlation_weight: float = 0.0
    average_decay: float = 0.998  # the weights saved are an exponential average over the last ~500 steps
    seed: int = 1234
    threads: int = 2
    log_every: int = 250


def _column_weights(config: MouthNetConfig) -> torch.Tensor:
    return torch.tensor([LOUD_COLUMNS.get(BLENDSHAPE_NAMES[c], 1.0) for c in config.mouth_columns])


class CropSampler:
    """Random crops: inputs (B, context + T, 80), labels (B, context + T), curves (B, context + T, M), and
    whether each hop comes from a non-speech utterance and from an augmented copy (B, context + T) each.

    Targets are read `lookahead` hops late. Each crop brings the receptive field's worth of input
    before its first scored hop (`context`, labelled IGNORE), so torch's zero padding never reaches
    a scored output. Crops may hang over either end of an utterance: there the input is digital
    silence and the target a closed mouth, as at the start and end of a stream (where the Animator
    pads with silence and `LearnedMouth` starts from a silent history).
    """

    def __init__(self, corpus: Corpus, options: TrainOptions, lookahead: int, context: int,
                 rng: np.random.Generator) -> None:
        self.corpus, self.options, self.lookahead, self.context, self.rng = corpus, options, lookahead, context, rng
        lengths = np.diff(corpus.offsets).astype(np.float64)
        sources = corpus.sources or [""] * len(lengths)
        recorded = np.array([source.startswith("prompts:") for source in sources])
        lengths[recorded] *= options.recorded_weight
        self.weights = lengths / lengths.sum()
        self.non_speech = np.array([source.startswith("noise:") for source in sources])
        self.augmented = np.array([source.endswith(":augmented") for source in sources])
        self.warp = MelWarp(corpus.log_mel.shape[1]) if options.vocal_tract_warp > 0.0 else None

    def _crop(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        begin, end = int(self.corpus.offsets[index]), int(self.corpus.offsets[index + 1])
        size, context = self.options.crop_hops, self.context
        first = int(self.rng.integers(begin - size // 2, max(end - size // 2, begin - size // 2 + 1)))  # 1st scored
        hops = np.arange(first - context, first + size)  # corpus rows of the crop's input hops
        inside = (hops >= begin) & (hops < end)
        log_mel = np.full((len(hops), self.corpus.log_mel.shape[1]), np.log10(SILENCE_FLOOR), np.float32)
        log_mel[inside] = self.corpus.log_mel[hops[inside]]
        targets = hops - self.lookahead
        known = (targets >= begin) & (targets < end)
        labels = np.full(len(hops), SILENCE, np.int64)
        labels[known] = self.corpus.labels[targets[known]]
        labels[:context] = IGNORE
        curves = np.zeros((len(hops), self.corpus.curves.shape[1]), np.float32)  # silence: all closed
        curves[known] = self.corpus.curves[targets[known]]
        return log_mel, labels, curves

    def _mask_bands(self, log_mel: np.ndarray) -> None:
        """Hide random mel bands (SpecAugment's frequency masks): no single band may decide a viseme,
        so a microphone or codec that colours a band does not fool the model."""
        for crop in log_mel:
            for _ in range(self.options.band_masks):
                width = int(self.rng.integers(0, MAX_MASKED_BANDS + 1))
                low = int(self.rng.integers(0, crop.shape[1] - width + 1))
                crop[:, low:low + width] = crop.mean()

    def _another_voice(self, log_mel: np.ndarray) -> np.ndarray:
        """The crop as a talker with a longer or shorter vocal tract would say it (vocal_tract.py)."""
        if self.warp is None:
            return log_mel
        spread = self.options.vocal_tract_warp
        return self.warp(log_mel, float(self.rng.uniform(1.0 - spread, 1.0 + spread)))

    def batch(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        picks = self.rng.choice(len(self.weights), size=self.options.batch, p=self.weights)
        crops = [self._crop(int(i)) for i in picks]
        log_mel = np.stack([self._another_voice(c[0]) for c in crops])
        shift = self.rng.uniform(-self.options.gain_shift, self.options.gain_shift, (len(crops), 1, 1))
        log_mel = np.maximum(log_mel + shift, np.log10(SILENCE_FLOOR)).astype(np.float32)
        self._mask_bands(log_mel)
        non_speech = np.repeat(self.non_speech[picks][:, None], log_mel.shape[1], axis=1)
        augmented = np.repeat(self.augmented[picks][:, None], log_mel.shape[1], axis=1)
        return (torch.from_numpy(log_mel), torch.from_numpy(np.stack([c[1] for c in crops])),
                torch.from_numpy(np.stack([c[2] for c in crops])), torch.from_numpy(non_speech),
                torch.from_numpy(augmented))


def loss_terms(model: MouthNet, log_mel, labels, curves, non_speech, augmented, options: TrainOptions,
               column_weights: torch.Tensor, class_weights: torch.Tensor | None = None):
    """(viseme cross-entropy, weighted curve L1 — plus, with jaw_correlation_weight, the jaw's decorrelation
    over curve_weight, so the total adds it at its own weight — speech-presence binary cross-entropy or 0)."""
    outputs = model(log_mel)  # (B, T, 15 + M [+ 1])
    columns = len(model.config.mouth_columns)
    logits, shapes = outputs[..., :NUM_VISEMES], outputs[..., NUM_VISEMES:NUM_VISEMES + columns]
    cross_entropy = nn.functional.cross_entropy(logits.reshape(-1, NUM_VISEMES), labels.reshape(-1),
                                                weight=_class_weights(options) if class_weights is None
                                                else class_weights, ignore_index=IGNORE,
                                                label_smoothing=options.label_smoothing)
    hop_weights = torch.where(labels == IGNORE, 0.0, 1.0)
    hop_weights = torch.where((labels == CLOSURE) | (labels == SILENCE), options.closed_weight, hop_weights)
    # The speech gate shuts the lips where the network hears no one talking, so the non-speech hops'
    # curves need not pull as hard on the jaw as a real closure does.
    hop_weights = torch.where(non_speech & (labels != IGNORE), options.non_speech_curve_weight, hop_weights)
    # On an augmented copy the audio often does not say how far the jaw opens (a vowel under babble, a
    # syllable smeared by a hall); its closures are what the copy is for (the model card's "Version 3").
    hop_weights = torch.where(augmented & (labels == CLOSURE), options.augmented_closure_weight * hop_weights,
                              hop_weights)
    weights = hop_weights.unsqueeze(-1) * column_weights  # (B, T, M)
    jaw = model.config.curve_index(blendshape_index("jawOpen"))
    if options.augmented_jaw_weight != 1.0:
        weights[..., jaw] = torch.where(augmented, weights[..., jaw] * options.augmented_jaw_weight, weights[..., jaw])
    l1 = ((shapes - curves).abs() * weights).sum() / weights.sum().clamp(min=1e-6)
    if options.jaw_correlation_weight > 0.0:
        scored = (labels != IGNORE) & ~non_speech
        l1 = l1 + options.jaw_correlation_weight / options.curve_weight * _jaw_decorrelation(
            shapes[..., jaw], curves[..., jaw], scored)
    return cross_entropy, l1, _speech_loss(outputs, labels, model.config)


def _jaw_decorrelation(jaw: torch.Tensor, target: torch.Tensor, scored: torch.Tensor) -> torch.Tensor:
    """Mean over crops of 1 - Pearson r between (B, T) jaw and target over each crop's scored hops;
    crops whose target barely moves (a pause, a non-speech utterance) are left out."""
    weights = scored.float()
    count = weights.sum(dim=1).clamp(min=1.0)
    centred = [values - (values * weights).sum(dim=1, keepdim=True) / count[:, None] for values in (jaw, target)]
    covariance = (centred[0] * centred[1] * weights).sum(dim=1)
    spreads = [((values**2) * weights).sum(dim=1) for values in centred]
    moving = (spreads[1] / count > 1e-3) & (count >= 50)
    if not moving.any():
        return jaw.new_zeros(())
    r = covariance / (spreads[0] * spreads[1]).clamp(min=1e-12).sqrt()
    return (1.0 - r[moving]).mean()


def _speech_loss(outputs: torch.Tensor, labels: torch.Tensor, config: MouthNetConfig) -> torch.Tensor:
    """Someone is talking at a hop when its reference viseme is not silence: silence around and
    between words, and every hop of the non-speech utterances (noise, music, breaths), is "not"."""
    if not config.speech_output:
        return torch.zeros(())
    scored = labels != IGNORE
    talking = (labels != SILENCE).float()
    return nn.functional.binary_cross_entropy_with_logits(outputs[..., -1][scored], talking[scored])


def _class_weights(options: TrainOptions, labels: np.ndarray | None = None) -> torch.Tensor:
    """The viseme loss's class weights; with options.balance_classes, from the shares of `labels` (the
    training corpus's hops)."""
    weights = torch.ones(NUM_VISEMES)
    if options.balance_classes > 0.0 and labels is not None:
        shares = np.bincount(labels[labels >= 0].astype(np.int64), minlength=NUM_VISEMES) / max(np.sum(labels >= 0), 1)
        balanced = np.where(shares > 0.0, np.maximum(shares, 1e-6) ** -options.balance_classes, 0.0)
        weights = torch.tensor(balanced / np.sum(shares * balanced), dtype=torch.float32)
    weights[CLOSURE] *= options.closure_class_weight
    return weights


def _learning_rate(step: int, options: TrainOptions) -> float:
    if step < options.warmup_steps:
        return options.learning_rate * (step + 1) / options.warmup_steps
    progress = (step - options.warmup_steps) / max(options.steps - options.warmup_steps, 1)
    return options.learning_rate * 0.5 * (1.0 + math.cos(math.pi * progress))


@torch.no_grad()
def held_out_scores(model: MouthNet, corpus: Corpus) -> tuple[float, float, float]:
    """(viseme accuracy, jawOpen r, speech-presence accuracy or nan) of whole held-out utterances,
    targets read late as in training."""
    jaw_open = blendshape_index("jawOpen")
    jaw, jaw_output = model.config.curve_index(jaw_open), model.config.output_column(jaw_open)
    hits, predicted_jaw, reference_jaw, speech_hits = [], [], [], []
    for rows, labels, curves in held_out_rows(model, corpus):
        outputs = rows.numpy()
        hits.append(outputs[:, :NUM_VISEMES].argmax(axis=1) == labels)
        predicted_jaw.append(outputs[:, jaw_output])
        reference_jaw.append(curves[:, jaw])
        if model.config.speech_output:
            speech_hits.append((outputs[:, -1] > 0) == (labels != SILENCE))
    speech = float(np.concatenate(speech_hits).mean()) if speech_hits else math.nan
    return float(np.concatenate(hits).mean()), float(np.corrcoef(np.concatenate(predicted_jaw),
                                                                  np.concatenate(reference_jaw))[0, 1]), speech


@torch.no_grad()
def calibrate_visemes(model: MouthNet, corpus: Corpus) -> float:
    """Temperature scaling: label smoothing caps the viseme posteriors near 0.9, so find the
    temperature that minimises the held-out negative log-likelihood and fold it into the head."""
    logits, labels = [], []
    for outputs, utterance_labels, _ in held_out_rows(model, corpus):
        logits.append(outputs[:, :NUM_VISEMES])
        labels.append(torch.from_numpy(utterance_labels))
    logits, labels = torch.cat(logits), torch.cat(labels)
    losses = [nn.functional.cross_entropy(logits / float(t), labels).item() for t in TEMPERATURES]
    best = float(TEMPERATURES[int(np.argmin(losses))])
    model.head.weight[:NUM_VISEMES] /= best
    model.head.bias[:NUM_VISEMES] /= best
    return best


def input_statistics(corpus: Corpus) -> tuple[torch.Tensor, torch.Tensor]:
    sample = corpus.log_mel[:: max(len(corpus.log_mel) // 200_000, 1)].astype(np.float32)
    return torch.from_numpy(sample.mean(axis=0)), torch.from_numpy(sample.std(axis=0) + 1e-3)


def warm_start(model: MouthNet, path: Path) -> None:
    """Start from a weights file with the same layers: every array is copied, the head's rows as far
    as they go (a head with the speech output has one row more than version 1's, left as initialised),
    the input statistics too (the layers were trained on them)."""
    from runtime.motion.audio_to_mouth import load_weights

    _, arrays = load_weights(path)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            source = torch.from_numpy(arrays[name].copy())
            target = tensor[:len(source)] if name.startswith("head.") else tensor
            target.copy_(source)


def default_config(lookahead_hops: int = MouthNetConfig.lookahead_hops) -> MouthNetConfig:
    """The network trained unless told otherwise: every mouth column, the speech output, `lookahead_hops`."""
    return MouthNetConfig(mouth_columns=mouth_columns(), speech_output=True, lookahead_hops=lookahead_hops)


def train(corpus: Corpus, held_out: Corpus | None, options: TrainOptions,
          config: MouthNetConfig | None = None, init: Path | None = None) -> MouthNet:
    torch.manual_seed(options.seed)
    torch.set_num_threads(options.threads)
    config = config or default_config()
    model = MouthNet(config)
    if init is not None:
        warm_start(model, init)  # its input statistics too
    else:
        mean, std = input_statistics(corpus)
        model.input_mean.copy_(mean)
        model.input_std.copy_(std)
    optimizer = torch.optim.AdamW(model.parameters(), lr=options.learning_rate, weight_decay=options.weight_decay)
    sampler = CropSampler(corpus, options, config.lookahead_hops, config.receptive_field_hops - 1,
                          np.random.default_rng(options.seed))
    column_weights = _column_weights(config)
    class_weights = _class_weights(options, corpus.labels)
    if options.balance_classes > 0.0:
        LOG.info("viseme loss weights %s", " ".join(f"{w:.2f}" for w in class_weights.tolist()))
    LOG.info("training %d parameters on %.2f h for %d steps", parameter_count(model), corpus.hours, options.steps)
    average = [p.detach().clone() for p in model.parameters()]
    started = time.monotonic()
    for step in range(options.steps):
        for group in optimizer.param_groups:
            group["lr"] = _learning_rate(step, options)
        cross_entropy, l1, speech = loss_terms(model, *sampler.batch(), options, column_weights, class_weights)
        optimizer.zero_grad()
        (cross_entropy + options.curve_weight * l1 + options.speech_weight * speech).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        _update_average(average, model, options.average_decay if step >= options.warmup_steps else 0.0)
        if held_out is not None and ((step + 1) % options.log_every == 0 or step + 1 == options.steps):
            accuracy, jaw_r, speech_accuracy = held_out_scores(_averaged(model, average), held_out)
            LOG.info("step %d  %.0f s  ce %.3f  l1 %.4f  speech bce %.3f  held-out viseme acc %.3f jaw r %.3f"
                     "  speech acc %.3f", step + 1, time.monotonic() - started, cross_entropy.item(), l1.item(),
                     speech.item(), accuracy, jaw_r, speech_accuracy)
    return _averaged(model, average)


@torch.no_grad()
def _update_average(average: list[torch.Tensor], model: MouthNet, decay: float) -> None:
    for kept, parameter in zip(average, model.parameters(), strict=True):
        kept.mul_(decay).add_(parameter.detach(), alpha=1.0 - decay)


def _averaged(model: MouthNet, average: list[torch.Tensor]) -> MouthNet:
    """A copy of the model holding the averaged weights, in eval mode."""
    import copy

    averaged = copy.deepcopy(model)
    with torch.no_grad():
        for parameter, kept in zip(averaged.parameters(), average, strict=True):
            parameter.copy_(kept)
    return averaged.eval()


def _scaled(options: CorpusOptions, scale: float) -> CorpusOptions:
    if scale == 1.0:
        return options
    counts = ("english_utterances", "other_language_utterances", "festival_utterances", "held_out_utterances",
              "non_speech_utterances", "other_language_festival_utterances", "flite_utterances",
              "script_language_festival_utterances")
    # A source left out stays out: a smoke run must not need the packages of talkers nobody asked for.
    return replace(options, **{name: max(round(getattr(options, name) * scale), 2) for name in counts
                               if getattr(options, name) > 0})


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=TrainOptions.steps)
    parser.add_argument("--threads", type=int, default=TrainOptions.threads, help="torch threads (cores to use)")
    parser.add_argument("--seed", type=int, default=TrainOptions.seed)
    parser.add_argument("--workers", type=int, default=2, help="processes synthesising the corpus")
    parser.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS)
    parser.add_argument("--augmentation", choices=("recorded", "in-use"), default=CorpusOptions.augmentation,
                        help="recorded: version 1's augmentation; in-use: rooms, channels, real-use noises")
    parser.add_argument("--non-speech", type=int, default=CorpusOptions.non_speech_utterances,
                        help="non-speech utterances (noise, music, breaths; labelled silence) in the corpus")
    parser.add_argument("--other-language-talkers", type=int,
                        default=CorpusOptions.other_language_festival_utterances,
                        help="utterances by Festival's Czech, Italian and Finnish talkers (pseudo-words; more real "
                             "voices than English has)")
    parser.add_argument("--flite-talkers", type=int, default=CorpusOptions.flite_utterances,
                        help="English utterances by Flite's recorded talkers awb and rms (English talkers the rest "
                             "of the corpus lacks; Debian: flite)")
    parser.add_argument("--script-language-talkers", type=int,
                        default=CorpusOptions.script_language_festival_utterances,
                        help="utterances by Festival's Russian, Catalan and Hindi talkers (pseudo-words in Cyrillic, "
                             "Latin, Devanagari and Telugu letters; Debian: festvox-ru festvox-ca-ona-hts "
                             "festival-hi festival-mr festival-te)")
    parser.add_argument("--recorded-prompts", nargs="+", default=(), metavar="LANGUAGE",
                        choices=("it", "ru"),
                        help="train on real talkers too: Asterisk's prompts in these languages, aligned from their "
                             "transcripts (Debian: asterisk-core-sounds-it asterisk-core-sounds-it-g722, the same "
                             "for ru)")
    parser.add_argument("--recorded-weight", type=float, default=TrainOptions.recorded_weight,
                        help="how much more often than their length says crops come from the recorded prompts")
    parser.add_argument("--english-text", choices=("dictionary", "frequent"), default=CorpusOptions.english_text,
                        help="the English talkers' sentences: CMUdict's words drawn alike (version 1's), or words at "
                             "real English's rates from PocketSphinx's language model (runtime/train/english_text.py)")
    parser.add_argument("--closed-weight", type=float, default=TrainOptions.closed_weight,
                        help="how much more the p/b/m and silence hops count in the curve loss (their lips shut)")
    parser.add_argument("--jaw-correlation-weight", type=float, default=TrainOptions.jaw_correlation_weight,
                        help="weight of 1 - Pearson r between the jaw and its target over each crop (0: off)")
    parser.add_argument("--balance-classes", type=float, default=TrainOptions.balance_classes, metavar="POWER",
                        help="weigh each viseme in the loss by its share of the training hops to -POWER (0: alike)")
    parser.add_argument("--init", type=Path, help="weights to start from (fine-tuning), e.g. version 1's")
    parser.add_argument("--learning-rate", type=float, default=TrainOptions.learning_rate)
    parser.add_argument("--curve-weight", type=float, default=TrainOptions.curve_weight,
                        help="weight of the L1 on the mouth curves (jawOpen among them) against the viseme loss")
    parser.add_argument("--non-speech-curve-weight", type=float, default=TrainOptions.non_speech_curve_weight,
                        help="weight of the non-speech utterances' hops in the curve loss (the speech gate shuts "
                             "the lips there too)")
    parser.add_argument("--augmented-jaw-weight", type=float, default=TrainOptions.augmented_jaw_weight,
                        help="jawOpen's weight in the curve loss on the augmented copies (0: the jaw is taught "
                             "by the clean copies alone)")
    parser.add_argument("--augmented-closure-weight", type=float, default=TrainOptions.augmented_closure_weight,
                        help="how much more the augmented copies' p/b/m hops count in the curve loss")
    parser.add_argument("--vocal-tract-warp", type=float, default=TrainOptions.vocal_tract_warp,
                        help="move each crop's formants by a random factor in 1 ± this (VTLP: voices never "
                             "heard; 0: off)")
    parser.add_argument("--drop-speech-output", action="store_true",
                        help="save the network without its speech-presence output (the mouth then keeps the "
                             "session's energy voice activity, as version 1; for corpora without non-speech)")
    parser.add_argument("--lookahead-hops", type=int, default=MouthNetConfig.lookahead_hops,
                        help="hops of audio after a row's hop the network hears (10 ms each; issue 16 allows 10)")
    parser.add_argument("--calibrate-curves", action="store_true",
                        help="fold each mouth curve's least-squares gain against the held-out set into the head "
                             "(runtime/train/curve_calibration.py); with --calibrate-curves-of, of weights already "
                             "trained")
    parser.add_argument("--calibrate-curves-of", type=Path, metavar="WEIGHTS.npz",
                        help="train nothing: calibrate these weights' curves (as --calibrate-curves) into --out")
    parser.add_argument("--corpus-scale", type=float, default=1.0,
                        help="scale every utterance count (e.g. 0.02 for a smoke run of the whole pipeline)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    started = time.monotonic()
    corpus_options = _scaled(CorpusOptions(seed=args.seed, workers=args.workers, augmentation=args.augmentation,
                                           non_speech_utterances=args.non_speech,
                                           other_language_festival_utterances=args.other_language_talkers,
                                           flite_utterances=args.flite_talkers,
                                           script_language_festival_utterances=args.script_language_talkers,
                                           recorded_prompt_languages=tuple(args.recorded_prompts),
                                           english_text=args.english_text),
                            args.corpus_scale)
    if args.calibrate_curves_of is not None:
        _calibrate_only(args.calibrate_curves_of, load_or_build("held_out", corpus_options), args.out)
        return
    corpus, held_out = load_or_build("train", corpus_options), load_or_build("held_out", corpus_options)
    if corpus_options.recorded_prompt_languages:
        corpus = joined([corpus, load_or_build("recorded", corpus_options)])
    LOG.info("corpus ready in %.0f s: %.2f h training, %.2f h held out", time.monotonic() - started,
             corpus.hours, held_out.hours)
    model = train(corpus, held_out, TrainOptions(steps=args.steps, threads=args.threads, seed=args.seed,
                                                 learning_rate=args.learning_rate, curve_weight=args.curve_weight,
                                                 non_speech_curve_weight=args.non_speech_curve_weight,
                                                 augmented_jaw_weight=args.augmented_jaw_weight,
                                                 augmented_closure_weight=args.augmented_closure_weight,
                                                 vocal_tract_warp=args.vocal_tract_warp,
                                                 recorded_weight=args.recorded_weight,
                                                 balance_classes=args.balance_classes,
                                                 jaw_correlation_weight=args.jaw_correlation_weight,
                                                 closed_weight=args.closed_weight),
                  default_config(args.lookahead_hops),
                  init=args.init)
    LOG.info("viseme temperature %.2f folded into the head", calibrate_visemes(model, held_out))
    if args.calibrate_curves:
        _log_gains(calibrate_curves(model, held_out))
    save_weights(without_speech_output(model) if args.drop_speech_output else model, args.out)
    LOG.info("wrote %s after %.1f min in all", args.out, (time.monotonic() - started) / 60)


def _calibrate_only(weights: Path, held_out: Corpus, out: Path) -> None:
    model = load_network(weights)
    _log_gains(calibrate_curves(model, held_out))
    save_weights(model, out)
    LOG.info("wrote %s: %s with its curves calibrated", out, weights)


def _log_gains(gains: dict[str, float]) -> None:
    LOG.info("curve gains folded into the head: %s", ", ".join(f"{name} {gain:.2f}" for name, gain in gains.items()))


if __name__ == "__main__":
    main()
