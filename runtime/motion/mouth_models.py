"""The mouth models a session can choose by name; DEFAULT_MOUTH_MODEL is used when none is named."""

from __future__ import annotations

from runtime.errors import InvalidConfigError
from runtime.motion.audio_to_mouth import LearnedMouth, LearnedMouthInNoise
from runtime.motion.mouth_baseline import BaselineMouth
from runtime.motion.mouth_protocol import MouthModel

# "learned" beats the DSP baseline on real speech on every metric (runtime/weights/audio_to_mouth.md);
# "learned-in-noise" keeps the lips shut when nobody talks and its closures in noise, for live
# microphones in loud rooms, but follows a clean voice's jaw less closely; the baseline stays
# selectable as the yardstick and a fallback.
MOUTH_MODELS: dict[str, type] = {"learned": LearnedMouth, "learned-in-noise": LearnedMouthInNoise,
                                 "baseline": BaselineMouth}
DEFAULT_MOUTH_MODEL = "learned"


def check_mouth_model(name: str) -> None:
    if name not in MOUTH_MODELS:
        raise InvalidConfigError(f"unknown mouth_model {name!r}; choose one of {', '.join(MOUTH_MODELS)}")


def create_mouth_model(name: str) -> MouthModel:
    check_mouth_model(name)
    return MOUTH_MODELS[name]()
