"""Latents-only speed of one session on one core: audio seconds per CPU second."""

from __future__ import annotations

import gc
import time

from benchmarks.speech import speech_samples
from runtime.audio.pcm import AudioEncoding, AudioFormat
from runtime.pipeline import Animator, AnimatorOptions

CASES = (  # (label, input sample rate, chunk seconds)
    ("16 kHz, 20 ms chunks (streaming)", 16_000, 0.02),
    ("48 kHz, 20 ms chunks (streaming)", 48_000, 0.02),
    ("16 kHz, 1 s chunks (bake)", 16_000, 1.0),
)


def measure_case(sample_rate: int, chunk_s: float, seconds: float) -> dict:
    samples = speech_samples(seconds, sample_rate)
    options = AnimatorOptions(audio_format=AudioFormat(AudioEncoding.FLOAT32LE, sample_rate))
    step = round(chunk_s * sample_rate)
    _feed(Animator(options), samples[: 2 * sample_rate], step)  # warm-up: caches, allocator, clocks
    animator = Animator(options)
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    _feed(animator, samples, step)
    cpu_s, wall_s = time.process_time() - cpu_start, time.perf_counter() - wall_start
    return {"audio_s": seconds, "cpu_s": round(cpu_s, 4), "wall_s": round(wall_s, 4),
            "realtime_factor_per_core": round(seconds / cpu_s, 1), "frames": animator.frames_emitted}


def _feed(animator: Animator, samples, step: int) -> None:
    for start in range(0, len(samples), step):
        animator.push_samples(samples[start:start + step])
    animator.end_audio()


def run(seconds: float = 60.0) -> list[dict]:
    gc.collect()
    gc.freeze()  # as the server does after start-up: the imports' objects stay out of every collection
    return [{"case": label, **measure_case(rate, chunk_s, seconds)} for label, rate, chunk_s in CASES]
