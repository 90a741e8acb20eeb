"""The defaults and accepted ranges of an animation's options, each named once.

The Animator checks its options with these; the CLI's flags and their help, the reference client
and GetCapabilities derive theirs from here. Kept free of numpy and torch on purpose: `facecast`
builds its flags from this module before anything heavy is loaded.
"""

from __future__ import annotations

from runtime.errors import InvalidConfigError

MIN_FPS, MAX_FPS, DEFAULT_FPS = 1, 60, 25  # output frames per second
DEFAULT_SEED, MAX_SEED = 0, 2**64 - 1  # seed of the stochastic motion (head, blinks, gaze); a uint64 on the wire
MAX_IDLE_S = 600.0  # idle life generated in one go (SessionConfig.idle_s, `bake --idle`), seconds


def check_fps(fps: int) -> None:
    if not MIN_FPS <= fps <= MAX_FPS:
        raise InvalidConfigError(f"fps must be within [{MIN_FPS}, {MAX_FPS}], got {fps}")


def check_seed(seed: int) -> None:
    if not 0 <= seed <= MAX_SEED:
        raise InvalidConfigError(f"seed must be within [0, 2**64 - 1], got {seed}")


def check_idle_s(seconds: float) -> None:
    if not 0.0 <= seconds <= MAX_IDLE_S:  # also false for NaN
        raise InvalidConfigError(f"idle_s must be within [0, {MAX_IDLE_S:g}], got {seconds}")
