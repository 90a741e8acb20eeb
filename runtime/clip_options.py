"""ClipOptions: everything that shapes an offline clip besides its audio (runtime.offline).

Kept apart from the pipeline, and free of torch, so that `facecast bake`, `render`, `livelink` and
`vmc` check their flags and answer a bad one at once, before the models load.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.defaults import DEFAULT_FPS, DEFAULT_SEED, check_fps, check_idle_s, check_seed
from runtime.errors import InvalidConfigError
from runtime.motion.mouth_models import DEFAULT_MOUTH_MODEL, check_mouth_model
from runtime.types import Controls


@dataclass(frozen=True)
class ClipOptions:
    """Everything that shapes an offline clip besides its audio, validated once here."""

    fps: int = DEFAULT_FPS  # output frames per second, 1..60
    seed: int = DEFAULT_SEED  # seed of the stochastic motion (head, blinks, gaze), 0..2**64-1
    mouth_model: str = DEFAULT_MOUTH_MODEL  # lip-sync model by name (runtime.motion.mouth_models)
    controls: Controls = Controls()  # emotion, gaze, head distance, motion intensity, for the whole clip
    idle_s: float = 0.0  # seconds of idle life (listening, mouth closed) before the audio, 0..600

    def __post_init__(self) -> None:
        check_fps(self.fps)
        check_seed(self.seed)
        check_mouth_model(self.mouth_model)
        check_idle_s(self.idle_s)
        if not isinstance(self.controls, Controls):
            raise InvalidConfigError(f"controls must be Controls, got {type(self.controls).__name__}")
