"""How fast the mouth models run: audio seconds per second of one core, features precomputed.

    python -m benchmarks.mouth_speed [--seconds 60]

Speech (eSpeak NG) is analysed once; each model then gets the log-mel and voice activity pushed
in chunks of 10 ms (one hop, the worst case) and 100 ms, as the Animator would push them. Then the
learned network as the engine runs it: SESSIONS sessions' 4 hops in one `push_many` per pass, and
its cost per hop batched.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from runtime.audio.features import FeatureBlock, StreamingLogMel
from runtime.audio.voice_activity import StreamingVoiceActivity
from runtime.motion.mouth_models import MOUTH_MODELS

CHUNK_HOPS = (1, 4, 10)  # 4 hops: what the Animator pushes at 25 fps (it waits for the next frame)
SESSIONS = 64  # sessions batched per pass in the engine figure


def _speech_features(seconds: float) -> tuple[FeatureBlock, np.ndarray]:
    import soxr

    from tests.speech import long_speech

    clip = long_speech(seconds)
    samples = soxr.resample(clip.samples, clip.sample_rate, 16_000).astype(np.float32)
    features = StreamingLogMel().push(samples)
    return features, StreamingVoiceActivity().push(features.energy_db).probability


def real_time_factor(factory: Callable[[], object], features: FeatureBlock, voice: np.ndarray,
                     chunk_hops: int) -> float:
    model = factory()
    started = time.process_time()  # CPU time of this process: one core, whatever else the machine runs
    for start in range(0, len(features), chunk_hops):
        rows = slice(start, start + chunk_hops)
        model.push(FeatureBlock(start, features.log_mel[rows], features.energy_db[rows]), voice[rows])
    return len(features) / 100.0 / (time.process_time() - started)


def batched_cost_us_per_hop(features: FeatureBlock, voice: np.ndarray, sessions: int = SESSIONS,
                            hops: int = 4, weights: Path | None = None) -> float:
    """CPU microseconds per session-hop of the learned network, `sessions` sessions advanced
    together `hops` at a time (each session its own stretch of the speech)."""
    from runtime.motion.audio_to_mouth import LearnedMouth

    mouths = [LearnedMouth(*([weights] if weights else [])) for _ in range(sessions)]
    offsets = np.arange(sessions) * 37 % max(1, len(features) - 100)
    passes = (len(features) - offsets.max()) // hops
    started = time.process_time()
    for step in range(passes):
        rows = offsets[:, None] + step * hops + np.arange(hops)
        LearnedMouth.push_many(mouths, features.log_mel[rows], voice[rows])
    return (time.process_time() - started) / (passes * hops * sessions) * 1e6


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--weights", type=Path, action="append", default=[],
                        help="more learned weights files to measure batched (e.g. a candidate)")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    features, voice = _speech_features(args.seconds)
    print("| model | " + " | ".join(f"{hops * 10} ms chunks" for hops in CHUNK_HOPS) + " |")
    print("|---|" + "---|" * len(CHUNK_HOPS))
    for name, factory in MOUTH_MODELS.items():
        figures = [real_time_factor(factory, features, voice, hops) for hops in CHUNK_HOPS]
        print(f"| {name} | " + " | ".join(f"{figure:.0f}x" for figure in figures) + " |")
    for name, weights in [("learned", None)] + [(path.name, path) for path in args.weights]:
        cost = batched_cost_us_per_hop(features, voice, weights=weights)
        print(f"\n{name}, {SESSIONS} sessions batched 4 hops a pass: {cost:.1f} us per session-hop "
              f"({1e6 / (cost * 100):.0f}x real time per core in aggregate)")


if __name__ == "__main__":
    main()
