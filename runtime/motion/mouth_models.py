"""The mouth models a session can choose by name; the first is the default."""

from __future__ import annotations

from runtime.errors import InvalidConfigError
from runtime.motion.mouth_baseline import BaselineMouth

MOUTH_MODELS = {"baseline": BaselineMouth}
DEFAULT_MOUTH_MODEL = "baseline"


def check_mouth_model(name: str) -> None:
    if name not in MOUTH_MODELS:
        raise InvalidConfigError(f"unknown mouth_model {name!r}; choose one of {', '.join(MOUTH_MODELS)}")


def create_mouth_model(name: str) -> BaselineMouth:
    check_mouth_model(name)
    return MOUTH_MODELS[name]()
