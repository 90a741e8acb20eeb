"""Curve calibration: each mouth curve's size fitted to its held-out reference, folded into the head.

The curve loss is an L1, which pulls a curve the network is unsure of towards its median, and a loss on
the jaw's correlation leaves the jaw's size free: the curves come out smaller than their references. Weights
version 6 rounded the lips at a fifth of the reference's spread on the English prompts (mouthFunnel 0.22,
mouthPucker 0.15; its jaw 0.72) while every figure that judged it held, since r, the visemes and the
closures do not see a curve's size (`python -m runtime.train.set_intervals --curve-sizes`). Each curve's
least-squares gain (through 0, so a shut mouth stays shut) against the reference, on utterances the network
did not train on, scales that curve's row of the head, as the viseme temperature scales theirs; the lips'
aperture (the jaw less mouthClose) is left as trained, so the visemes, closures, lips shut in silence and the
jaw's r do not move.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from runtime.arkit import BLENDSHAPE_NAMES, NUM_VISEMES
from runtime.audio.features import SILENCE_FLOOR
from runtime.train.corpus import Corpus
from runtime.train.mouth_network import MouthNet

# Left as trained: the jaw and mouthClose, whose difference is how far the lips are apart. Scaled by its gain
# (1.32 for weights version 6) the jaw parted the lips on p, b and m hops the visemes did not read as such:
# the default's closures on the English prompts 0.930 -> 0.904, `learned`'s lips shut in their pauses 0.981 ->
# 0.940 (the model card's "Weights version 7"). tongueOut's reference hardly moves.
UNCALIBRATED = ("jawOpen", "mouthClose", "tongueOut")


@torch.no_grad()
def held_out_rows(model: MouthNet, corpus: Corpus) -> Iterator[tuple[torch.Tensor, np.ndarray, np.ndarray]]:
    """Per utterance of `corpus`: the network's rows (T, outputs), streamed from silence as the runtime
    streams them and read late by its look-ahead, with the reference labels (T,) and curves (T, M)."""
    context, lookahead = model.config.receptive_field_hops - 1, model.config.lookahead_hops
    for index in range(len(corpus)):
        log_mel, labels, curves = corpus.utterance(index)
        silence = np.full((context, log_mel.shape[1]), np.log10(SILENCE_FLOOR), np.float32)
        outputs = model(torch.from_numpy(np.concatenate([silence, log_mel]))[None])[0, context + lookahead:]
        yield outputs, labels[:len(outputs)], curves[:len(outputs)]


@torch.no_grad()
def calibrate_curves(model: MouthNet, corpus: Corpus) -> dict[str, float]:
    """Fold into `model`'s head, for each mouth curve but UNCALIBRATED, the least-squares gain (through 0)
    of the reference on the curve as the runtime clips it (0..1); returns the gains by blendshape name."""
    columns = model.config.mouth_columns
    rows = list(held_out_rows(model, corpus))
    curves = np.concatenate([outputs[:, NUM_VISEMES:NUM_VISEMES + len(columns)].clamp(0.0, 1.0).numpy()
                             for outputs, _, _ in rows]).astype(np.float64)
    references = np.concatenate([reference for _, _, reference in rows]).astype(np.float64)
    gains = {}
    for k, column in enumerate(columns):
        name = BLENDSHAPE_NAMES[column]
        curve = curves[:, k]
        if name in UNCALIBRATED or not curve.any():
            continue
        gains[name] = float(curve @ references[:, k] / (curve @ curve))
        model.head.weight[NUM_VISEMES + k] *= gains[name]
        model.head.bias[NUM_VISEMES + k] *= gains[name]
    return gains
