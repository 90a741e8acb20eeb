"""The mouth models a session can choose by name; DEFAULT_MOUTH_MODEL is used when none is named.

Each name maps to a factory that imports its model only when called: the names (a CLI flag's
choices, a request's check) cost nothing to load, the models torch and their weights."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from runtime.errors import InvalidConfigError

if TYPE_CHECKING:
    from runtime.motion.mouth_protocol import MouthModel


def _imported(module: str, name: str) -> Callable[[], MouthModel]:
    """A factory of the model class `name` in `module`, imported when first called."""
    def create() -> MouthModel:
        return getattr(importlib.import_module(module), name)()

    return create


# "learned" beats the DSP baseline on real speech on every metric (runtime/weights/audio_to_mouth.md);
# "learned-in-noise" keeps the lips shut when nobody talks and its closures in noise, but follows a
# clean voice's jaw less closely; "learned-adaptive", the default, runs both and takes each one's rows
# where it is the better (a quiet room, a noisy one, nobody talking), at up to twice the cost (its
# second network stops where its rows go unused); "learned" alone is the cheapest and the closest on
# clean speech. The baseline stays selectable as the yardstick and a fallback.
MOUTH_MODELS: dict[str, Callable[[], MouthModel]] = {
    "learned-adaptive": _imported("runtime.motion.adaptive_mouth", "AdaptiveMouth"),
    "learned": _imported("runtime.motion.audio_to_mouth", "LearnedMouth"),
    "learned-in-noise": _imported("runtime.motion.audio_to_mouth", "LearnedMouthInNoise"),
    "baseline": _imported("runtime.motion.mouth_baseline", "BaselineMouth"),
}
DEFAULT_MOUTH_MODEL = "learned-adaptive"


def check_mouth_model(name: str) -> None:
    if name not in MOUTH_MODELS:
        raise InvalidConfigError(f"unknown mouth_model {name!r}; choose one of {', '.join(MOUTH_MODELS)}")


def create_mouth_model(name: str) -> MouthModel:
    check_mouth_model(name)
    return MOUTH_MODELS[name]()
