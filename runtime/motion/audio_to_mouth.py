"""The learned mouth: a small causal convolutional network over streaming log-mel.

    log-mel (80) ─▶ normalise ─▶ conv k3 → C, ReLU ─▶ 5 residual dilated convs (d = 1..16), ReLU
                                                  ─▶ linear → 15 viseme logits + mouth blendshapes

Every convolution looks only backwards (receptive field 65 hops = 650 ms); the look-ahead comes
from reading the output late: the row computed at input hop j describes hop j - lookahead_hops.
Inference: each session keeps, per layer, the last (kernel - 1) × dilation rows of its input; the
weights are shared, so many sessions' hops go through each layer as one product, and every product
runs in fixed-shape blocks (`row_block_matmul`), so a hop's output is bit-identical however the
audio is chunked and whichever sessions it was batched with. The torch twin used for training is
`runtime.train.mouth_network`.

From version 2 the head has one more output, the logit that someone is talking (trained on speech
against silence, noise, music and breaths). Its probability is the voice activity the rows report
(the Animator's voice-activity state machine then runs on it, so the face and its speech events
agree), and it gates the mouth: below SPEECH_GATE[0] the lips are shut (the silence viseme, every
mouth blendshape 0), above SPEECH_GATE[1] the network's mouth passes untouched, and in between a
smoothstep blends the two, so the lips ease shut rather than snap.

The jaw the curve head gives hop by hop flickers by a few hundredths where the reference's jaw is smooth;
each session's jawOpen passes a short causal filter (JAW_TAPS) before the gate and the closures read it.
It looks back only, so the look-ahead is unchanged, and its state is the last few raw jaw values, which
a resumed network rebuilds from the log-mel it restarts from.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from runtime.arkit import NUM_BLENDSHAPES, NUM_VISEMES, Blendshape, viseme_index
from runtime.audio.constants import N_MELS
from runtime.audio.features import SILENCE_FLOOR, FeatureBlock
from runtime.motion.mouth_protocol import MouthRows
from runtime.numerics import (
    StreamingIir,
    as_product_matrix,
    hermite_step,
    row_block_matmul,
    row_block_product,
    row_blocks,
    stacked,
)

SILENT_LOG_MEL = float(np.log10(SILENCE_FLOOR))  # the log-mel of digital silence
DEFAULT_WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "audio_to_mouth.npz"
# Trained for rooms (noise, music, other voices, reverberation, codecs) with a speech-presence output:
# the mouth model "learned-in-noise" (runtime/weights/audio_to_mouth.md, "Version 2" and "Version 3").
IN_NOISE_WEIGHTS = DEFAULT_WEIGHTS.with_name("audio_to_mouth_in_noise.npz")
SPEECH_GATE = (0.15, 0.5)  # speech probability at which the gate starts to open, and is fully open
SILENCE_VISEME = viseme_index("sil")
CLOSURE_VISEME = viseme_index("PP")
# p/b/m posterior over which the lips go from the curves' own aperture to meeting. Chosen on the
# synthetic held-out sets (the temperature's), not on the real clips: the most closures told from
# open vowels (recall minus vowels read closed, both models, clean and augmented) among the ramps
# whose lips shut on no more clean vowel hops than the reference curves' own 0.036.
CLOSURE_RAMP = (0.1, 0.4)
# The jaw's causal filter: half a Gaussian of JAW_SIGMA_HOPS over this hop and the last five, summing
# to 1. Chosen on the LibriVox clips and the held-out synthetic speech, not on the Asterisk prompts
# (the model card's "A jaw that does not flicker"): there the jaw's r rose by 0.002-0.014 for the two
# networks, and closures and lips shut in silence held; half a Gaussian of 2 hops or 3 did no better, and
# filters that also wait for later hops would lengthen the look-ahead.
JAW_SIGMA_HOPS = 1.5


def half_gaussian_taps(sigma_hops: float) -> np.ndarray:
    """Causal FIR taps for hops 0, 1, ... back: exp(-k² / 2σ²) out to 3σ, normalised to sum 1."""
    lags = np.arange(int(math.ceil(3.0 * sigma_hops)) + 1)
    taps = np.exp(-(lags**2) / (2.0 * sigma_hops**2))
    return taps / taps.sum()


JAW_TAPS = half_gaussian_taps(JAW_SIGMA_HOPS)


@dataclass(frozen=True)
class MouthNetConfig:
    n_mels: int = N_MELS  # input log-mel bands
    channels: int = 96  # width of every hidden layer
    kernel: int = 3  # taps of every convolution
    dilations: tuple[int, ...] = (1, 2, 4, 8, 16)  # of the residual convolutions, in order
    lookahead_hops: int = 8  # output row j describes hop j - 8: 80 ms look-ahead
    mouth_columns: tuple[int, ...] = ()  # ARKit indices of the predicted blendshapes, in output order
    # Version 2 on: one more output after the blendshapes, the logit that someone is talking (absent
    # from version 1's config, hence off by default so its weights still load).
    speech_output: bool = False

    @property
    def outputs(self) -> int:
        return NUM_VISEMES + len(self.mouth_columns) + int(self.speech_output)

    @property
    def receptive_field_hops(self) -> int:
        return 1 + (self.kernel - 1) * (1 + sum(self.dilations))

    def curve_index(self, blendshape: int) -> int:
        """Where an ARKit blendshape (its index) lies among the predicted curves, `mouth_columns`."""
        return self.mouth_columns.index(blendshape)

    def output_column(self, blendshape: int) -> int:
        """The network's output column of an ARKit blendshape's curve (after the visemes' logits)."""
        return NUM_VISEMES + self.curve_index(blendshape)

    @classmethod
    def from_json(cls, text: str) -> MouthNetConfig:
        fields = json.loads(text)
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


class _CausalConv:
    """y[t] = b + sum_k W_k x[t - (kernel - 1 - k) * dilation]; the past (a session's history of
    (kernel - 1) × dilation input rows) is the caller's, so many sessions share one layer."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray, dilation: int) -> None:
        channels_out, channels_in, kernel = weight.shape  # torch Conv1d layout
        self._matrix = as_product_matrix(weight.transpose(2, 1, 0).reshape(kernel * channels_in, channels_out))
        self._bias = bias.astype(np.float32)
        self._dilation, self._kernel = dilation, kernel
        self.history_shape = ((kernel - 1) * dilation, channels_in)  # zeros at the start: torch's padding

    def push(self, pasts: np.ndarray, blocks: np.ndarray, new_pasts: np.ndarray) -> np.ndarray:
        """(S, history, c_in) pasts and (S, n, c_in) new rows → (S, n, c_out) outputs; the pasts the
        next push needs are written into `new_pasts` (S, history, c_in).

        The taps and the new pasts are read from the old pasts and the new rows where each lies, not
        from the two joined: joining copied every session's whole past once more per layer."""
        sessions, count, channels = blocks.shape
        history = self.history_shape[0]
        # The taps go straight into the product's zero-padded rows: (S, n, kernel, c_in) side by side.
        # Shapes spelled out (no -1): a push of zero hops (a chunk shorter than a hop) must work too.
        rows = row_blocks(sessions * count, self._matrix.shape[0])
        taps = rows[:sessions * count].reshape(sessions, count, self._kernel, channels)
        for k in range(self._kernel):  # tap k reads rows [k·d, k·d + n) of the past followed by the block
            start = k * self._dilation
            from_past = max(0, min(count, history - start))
            taps[:, :from_past, k] = pasts[:, start:start + from_past]
            taps[:, from_past:, k] = blocks[:, start + from_past - history:start + count - history]
        kept = max(0, history - count)  # the past's rows still within reach after this push
        new_pasts[:, :kept] = pasts[:, count:]
        new_pasts[:, kept:] = blocks[:, count - (history - kept):]
        outputs = row_block_product(rows, sessions * count, self._matrix)
        outputs += self._bias
        return outputs.reshape(sessions, count, len(self._bias))


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


class MouthNetwork:
    """The network's layers, shared by every session of a process (load with `mouth_network`)."""

    def __init__(self, config: MouthNetConfig, parameters: dict[str, np.ndarray]) -> None:
        self.config = config
        self._mean, self._scale = parameters["input_mean"], 1.0 / parameters["input_std"]
        self._layers = [_CausalConv(parameters["conv_in.weight"], parameters["conv_in.bias"], 1)]
        self._layers += [_CausalConv(parameters[f"blocks.{i}.weight"], parameters[f"blocks.{i}.bias"], dilation)
                         for i, dilation in enumerate(config.dilations)]
        self._head = (as_product_matrix(parameters["head.weight"].T), parameters["head.bias"])
        # A session's histories travel as one flat row (every layer's, side by side), so a pass over
        # S sessions gathers and hands back one array each rather than one per layer.
        self._history_sizes = [math.prod(layer.history_shape) for layer in self._layers]
        # Before a stream there was silence: every layer's history starts as its response to it, as
        # in training, where hops before an utterance are digital silence. Computed once.
        silence = np.full((1, config.receptive_field_hops - 1, config.n_mels), SILENT_LOG_MEL, np.float32)
        _, primed = self.run(np.zeros((1, sum(self._history_sizes)), np.float32), silence)
        self.silent_history = primed[0]
        self.silent_history.flags.writeable = False

    def run(self, histories: np.ndarray, log_mel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(S, n, n_mels) log-mel of S sessions with their (S, history width) flat histories →
        ((S, n, 15 + mouth columns) raw outputs, the new flat histories)."""
        sessions = len(histories)
        after = np.empty_like(histories)
        hidden = (log_mel - self._mean) * self._scale
        start = 0
        for index, (layer, size) in enumerate(zip(self._layers, self._history_sizes, strict=True)):
            past = histories[:, start:start + size].reshape(sessions, *layer.history_shape)
            new_past = after[:, start:start + size].reshape(sessions, *layer.history_shape)
            start += size
            output = layer.push(past, hidden, new_past)
            if index == 0:  # in place: every array here is this pass's own
                hidden = np.maximum(output, 0.0, out=output)
            else:
                hidden += np.maximum(output, 0.0, out=output)
        count, channels = hidden.shape[1:]
        raw = row_block_matmul(hidden.reshape(sessions * count, channels), self._head[0]) + self._head[1]
        return raw.reshape(sessions, count, len(self._head[1])), after


def mouth_network(weights: str | Path = DEFAULT_WEIGHTS) -> MouthNetwork:
    path = Path(weights)
    return _mouth_network(str(path.resolve()), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _mouth_network(path: str, _modified_ns: int) -> MouthNetwork:
    return MouthNetwork(*load_weights(path))


class LearnedMouth:
    """Streaming: push feature blocks (and voice activity); get the mouth rows of hops lookahead_hops
    back. A session's state is its layers' histories; `push_many` runs many sessions' hops through
    the shared network in one pass."""

    name = "audio-to-mouth-tcn"
    # 2: products in fixed-shape blocks (row_block_matmul), values within 1e-5 of version 1.
    # 3: the log-mel's FFT in float32 (SciPy), values within 1e-5 of version 2.
    # 4: lips that meet where the visemes say p, b or m (_lips_meet_for_closures).
    # 5: weights version 2, fine-tuned with Festival's Czech, Italian and Finnish talkers (model card).
    # 6: weights version 3, with Flite's English talkers awb and rms as well (model card).
    # 7: weights version 4, with Festival's Russian, Catalan and Hindi talkers as well (model card).
    # 8: weights version 5, with real talkers as well: Asterisk's Italian and Russian prompts (model card).
    # 9: the jaw through a causal filter (JAW_TAPS), the same weights.
    # 10: weights version 6, trained with a loss on the jaw's correlation and closed lips weighed double (model card).
    # 11: weights version 7, version 6's with each curve but the lips' aperture as large as its reference's.
    version = "11"

    def __init__(self, weights: str | Path = DEFAULT_WEIGHTS) -> None:
        self.network = mouth_network(weights)
        self.config = self.network.config
        self.lookahead_hops = self.config.lookahead_hops
        self._history = self.network.silent_history  # replaced, never written, by each push
        self._columns = list(self.config.mouth_columns)
        self._voice_history = np.zeros(self.lookahead_hops, np.float32)
        self._jaw_filter = _jaw_filter()

    @property
    def batch_key(self) -> int:
        """Sessions whose key matches can share a pass (`push_many`): the same network."""
        return id(self.network)

    @property
    def restart_hops(self) -> int:
        """Hops of log-mel `resume_after` needs to rebuild the state exactly: the network's receptive field
        less one (its layers' pasts), and the jaw filter's memory (the rows of that many more hops)."""
        return self.config.receptive_field_hops - 1 + len(JAW_TAPS) - 1

    def resume_after(self, recent_log_mel: np.ndarray) -> None:
        """Sets the state to what `recent_log_mel` leaves — the (n, n_mels) log-mel of the hops just
        before the next push: the last `restart_hops`, or every hop since the stream began. A hop's row
        depends only on the log-mel of its receptive field and the last hops' rows, so the rows from the
        next push on are bit-identical to those of a mouth that ran all along: a caller may stop pushing
        while it has no use for the rows and resume from what it kept. The delayed voice probability
        restarts at 0."""
        self._history = self.network.silent_history
        self._voice_history = np.zeros(self.lookahead_hops, np.float32)
        self._jaw_filter = _jaw_filter()
        if len(recent_log_mel):
            raw = LearnedMouth._outputs_many([self], np.asarray(recent_log_mel, np.float32)[None])
            _filtered_jaw([self], _shapes(raw, self._columns))  # the last rows are exact, so is its state

    @property
    def detects_speech(self) -> bool:
        """Whether the rows' voice activity is the network's own speech probability (version 2 on)
        rather than the given voice probability, delayed."""
        return self.config.speech_output

    def outputs(self, log_mel: np.ndarray) -> np.ndarray:
        """(n, 15 + mouth columns) raw outputs (viseme logits, blendshapes) of the next n hops."""
        return self._outputs_many([self], log_mel.astype(np.float32)[None])[0]

    def push(self, features: FeatureBlock, voice_probability: np.ndarray) -> MouthRows:
        rows = self.push_many([self], features.log_mel[None], np.asarray(voice_probability)[None])
        return MouthRows(rows.visemes[0], rows.blendshapes[0], rows.voice_activity[0])

    @staticmethod
    def push_many(mouths: list[LearnedMouth], log_mel: np.ndarray, voice_probability: np.ndarray) -> MouthRows:
        """S sessions' next n hops at once — (S, n, n_mels) log-mel, (S, n) voice — as MouthRows
        of (S, n, ...) arrays. Each session's rows are exactly what it alone would get."""
        raw = LearnedMouth._outputs_many(mouths, log_mel.astype(np.float32))
        logits = raw[..., :NUM_VISEMES]
        visemes = np.exp(logits - logits.max(axis=-1, keepdims=True))
        visemes /= visemes.sum(axis=-1, keepdims=True)
        visemes = visemes.astype(np.float32, copy=False)  # already, with float32 weights: no copy
        shapes = _shapes(raw, mouths[0]._columns)
        _filtered_jaw(mouths, shapes)
        if mouths[0].detects_speech:
            voice = (1.0 / (1.0 + np.exp(-raw[..., -1]))).astype(np.float32)
            visemes, shapes = _gated(visemes, shapes, voice)
        else:
            delayed = np.concatenate([stacked([m._voice_history for m in mouths]),
                                      np.asarray(voice_probability, np.float32)], axis=1)
            for mouth, row in zip(mouths, delayed, strict=True):
                mouth._voice_history = row[len(row) - mouth.lookahead_hops:]
            voice = delayed[:, :raw.shape[1]]
        _lips_meet_for_closures(visemes, shapes)
        return MouthRows(visemes, shapes, voice)

    @staticmethod
    def _outputs_many(mouths: list[LearnedMouth], log_mel: np.ndarray) -> np.ndarray:
        network = mouths[0].network
        if any(mouth.network is not network for mouth in mouths):
            raise ValueError("sessions batched together must share one network")
        raw, after = network.run(stacked([mouth._history for mouth in mouths]), log_mel)
        for mouth, history in zip(mouths, after, strict=True):
            mouth._history = history
        return raw


def _jaw_filter() -> StreamingIir:
    return StreamingIir(JAW_TAPS, np.ones(1), channels=1)


def _shapes(raw: np.ndarray, columns: list[int]) -> np.ndarray:
    """(S, n, 52) the curve head's blendshapes, clipped to 0..1, from (S, n, outputs) raw rows."""
    shapes = np.zeros((*raw.shape[:2], NUM_BLENDSHAPES), np.float32)
    shapes[..., columns] = np.clip(raw[..., NUM_VISEMES:NUM_VISEMES + len(columns)], 0.0, 1.0)
    return shapes


def _filtered_jaw(mouths: list[LearnedMouth], shapes: np.ndarray) -> None:
    """Each session's jawOpen (in place in (S, n, 52) shapes) through its own causal filter."""
    jaw = np.ascontiguousarray(shapes[..., Blendshape.JAW_OPEN].T[:, :, None])  # (n, S, 1)
    shapes[..., Blendshape.JAW_OPEN] = StreamingIir.push_many([m._jaw_filter for m in mouths], jaw)[:, :, 0].T


def speech_gate(speech_probability: np.ndarray) -> np.ndarray:
    """0 (lips shut) .. 1 (the network's mouth), a smoothstep of the speech probability over SPEECH_GATE."""
    return hermite_step(*SPEECH_GATE, speech_probability).astype(np.float32)


def _lips_meet_for_closures(visemes: np.ndarray, shapes: np.ndarray) -> None:
    """The network's two heads agree on closures (in place): where its visemes say p, b or m, its
    lips meet — mouthClose rises to the jaw's opening, as in the p/b/m pose — whatever its curves say.

    The curves are smooth across a closure's few hops (the jaw of the vowels around it carries over)
    and often leave the lips apart where the visemes are sure of the closure; a rig or the renderer
    driven by those curves showed no closure at all (a closed-mouthed photo's lips apart on 3 of its
    17 p/b/m frames). The jaw is left as it is. On the real clips (the model card's last section):
    closures clean 0.617 -> 0.852 for "learned", 0.765 -> 0.900 for "learned-in-noise"; the price,
    lips shut on 0.099 of open-vowel hops instead of 0.035."""
    meet = hermite_step(*CLOSURE_RAMP, visemes[..., CLOSURE_VISEME])
    apart = np.maximum(shapes[..., Blendshape.JAW_OPEN] - shapes[..., Blendshape.MOUTH_CLOSE], 0.0)
    shapes[..., Blendshape.MOUTH_CLOSE] += meet * apart


def _gated(visemes: np.ndarray, shapes: np.ndarray, speech_probability: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., 15) visemes and (..., 52) blendshapes blended towards silence (all shapes 0) by the gate."""
    gate = speech_gate(speech_probability)[..., None]
    visemes = visemes * gate
    visemes[..., SILENCE_VISEME] += 1.0 - gate[..., 0]
    return visemes, shapes * gate


class LearnedMouthInNoise(LearnedMouth):
    """The learned mouth for live microphones in noisy rooms (mouth model "learned-in-noise"): it
    knows when someone is talking, so its lips stay shut in babble, music, street noise and breaths
    and its closures survive noise, at the cost of a less faithful jaw on clean speech (the model
    card's tables), which is why the default, "learned-adaptive", takes its rows only in noisy rooms
    and where nobody talks."""

    name = "audio-to-mouth-tcn-in-noise"
    # 2: as the learned mouth's version 3. 3: retrained so its noisy copies teach closures and its clean
    # copies the jaw (closures at 10 dB held-out noise 0.45 -> 0.64; the model card's "Version 3").
    # 4: lips that meet where the visemes say p, b or m, as the learned mouth's version 4.
    # 5: the jaw through a causal filter, as the learned mouth's version 9.
    version = "5"

    def __init__(self, weights: str | Path = IN_NOISE_WEIGHTS) -> None:
        super().__init__(weights)
