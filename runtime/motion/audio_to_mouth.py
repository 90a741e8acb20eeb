"""The learned mouth: a small causal convolutional network over streaming log-mel.

    log-mel (80) ─▶ normalise ─▶ conv k3 → C, ReLU ─▶ 5 residual dilated convs (d = 1..16), ReLU
                                                  ─▶ linear → 15 viseme logits + mouth blendshapes

Every convolution looks only backwards (receptive field 65 hops = 650 ms); the look-ahead comes
from reading the output late: the row computed at input hop j describes hop j - lookahead_hops.
Inference is numpy only: each layer keeps the last (kernel - 1) × dilation rows of its input, and
every product is row-wise (`rowwise_matmul`), so a hop's output is bit-identical however the
audio is chunked. The torch twin used for training is `runtime.train.mouth_network`.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from runtime.arkit import NUM_BLENDSHAPES, NUM_VISEMES
from runtime.audio.constants import N_MELS
from runtime.audio.features import SILENCE_FLOOR, FeatureBlock
from runtime.motion.mouth_protocol import MouthRows
from runtime.numerics import rowwise_matmul

SILENT_LOG_MEL = float(np.log10(SILENCE_FLOOR))  # the log-mel of digital silence
DEFAULT_WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "audio_to_mouth.npz"


@dataclass(frozen=True)
class MouthNetConfig:
    n_mels: int = N_MELS  # input log-mel bands
    channels: int = 96  # width of every hidden layer
    kernel: int = 3  # taps of every convolution
    dilations: tuple[int, ...] = (1, 2, 4, 8, 16)  # of the residual convolutions, in order
    lookahead_hops: int = 8  # output row j describes hop j - 8: 80 ms look-ahead
    mouth_columns: tuple[int, ...] = ()  # ARKit indices of the predicted blendshapes, in output order

    @property
    def outputs(self) -> int:
        return NUM_VISEMES + len(self.mouth_columns)

    @property
    def receptive_field_hops(self) -> int:
        return 1 + (self.kernel - 1) * (1 + sum(self.dilations))

    @classmethod
    def from_json(cls, text: str) -> MouthNetConfig:
        fields = json.loads(text)
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


class _CausalConv:
    """y[t] = b + sum_k W_k x[t - (kernel - 1 - k) * dilation], with the past carried across calls."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray, dilation: int) -> None:
        channels_out, channels_in, kernel = weight.shape  # torch Conv1d layout
        self._matrix = np.ascontiguousarray(weight.transpose(2, 1, 0).reshape(kernel * channels_in, channels_out))
        self._bias = bias.astype(np.float32)
        self._dilation, self._kernel = dilation, kernel
        self._history = np.zeros(((kernel - 1) * dilation, channels_in), np.float32)  # zeros: torch's padding

    def push(self, block: np.ndarray) -> np.ndarray:
        padded = np.concatenate([self._history, block])  # (history + n, c_in)
        count = len(block)
        taps = [padded[k * self._dilation:k * self._dilation + count] for k in range(self._kernel)]
        self._history = padded[count:]
        return rowwise_matmul(np.concatenate(taps, axis=1), self._matrix) + self._bias  # (n, c_out)


def load_weights(path: str | Path = DEFAULT_WEIGHTS) -> tuple[MouthNetConfig, dict[str, np.ndarray]]:
    """The config and arrays of a weights file (read once per process: every session uses them)."""
    return _load_weights(str(Path(path).resolve()), Path(path).stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _load_weights(path: str, _modified_ns: int) -> tuple[MouthNetConfig, dict[str, np.ndarray]]:
    with np.load(path) as saved:
        config = MouthNetConfig.from_json(str(saved["config"]))
        arrays = {key: saved[key].astype(np.float32) for key in saved.files if key != "config"}
    for array in arrays.values():
        array.flags.writeable = False  # shared by every session
    return config, arrays


class LearnedMouth:
    """Streaming: push feature blocks (and voice activity); get the mouth rows of hops lookahead_hops back."""

    name = "audio-to-mouth-tcn"
    version = "1"

    def __init__(self, weights: str | Path = DEFAULT_WEIGHTS) -> None:
        self.config, parameters = load_weights(weights)
        self.lookahead_hops = self.config.lookahead_hops
        self._mean, self._scale = parameters["input_mean"], 1.0 / parameters["input_std"]
        self._input = _CausalConv(parameters["conv_in.weight"], parameters["conv_in.bias"], 1)
        self._blocks = [_CausalConv(parameters[f"blocks.{i}.weight"], parameters[f"blocks.{i}.bias"], dilation)
                        for i, dilation in enumerate(self.config.dilations)]
        self._head = (np.ascontiguousarray(parameters["head.weight"].T), parameters["head.bias"])
        self._columns = list(self.config.mouth_columns)
        self._voice_history = np.zeros(self.lookahead_hops, np.float32)
        # Before the stream there was silence: fill every layer's history with its response to it,
        # as in training, where hops before an utterance are digital silence.
        self.outputs(np.full((self.config.receptive_field_hops - 1, self.config.n_mels), SILENT_LOG_MEL, np.float32))

    def outputs(self, log_mel: np.ndarray) -> np.ndarray:
        """(n, 15 + mouth columns) raw outputs (viseme logits, blendshapes) of the next n hops."""
        hidden = np.maximum(self._input.push((log_mel - self._mean) * self._scale), 0.0)
        for block in self._blocks:
            hidden = hidden + np.maximum(block.push(hidden), 0.0)
        return rowwise_matmul(hidden, self._head[0]) + self._head[1]

    def push(self, features: FeatureBlock, voice_probability: np.ndarray) -> MouthRows:
        raw = self.outputs(features.log_mel.astype(np.float32))
        logits = raw[:, :NUM_VISEMES]
        visemes = np.exp(logits - logits.max(axis=1, keepdims=True))
        visemes /= visemes.sum(axis=1, keepdims=True)
        shapes = np.zeros((len(raw), NUM_BLENDSHAPES), np.float32)
        shapes[:, self._columns] = np.clip(raw[:, NUM_VISEMES:], 0.0, 1.0)
        voice = np.concatenate([self._voice_history, np.asarray(voice_probability, np.float32)])
        self._voice_history = voice[len(voice) - self.lookahead_hops:]
        return MouthRows(visemes.astype(np.float32), shapes, voice[:len(raw)])
