"""How fast this host runs today: the CPU time of two fixed reference workloads, kept with a report.

Figures measured on different days compare only as far as the hosts do: this project's 2-core machines
have run the same code 2-4x apart (one session streaming at 73.6x real time per core on 2026-11-30, the
same commit at 20.7x on 2026-12-04). So a benchmark report carries the CPU time of a fixed pure-Python loop (the
interpreter: a session's bookkeeping, the event loop) and of fixed float32 matrix products (numpy and
OpenBLAS: the networks' and the renderer's kind of work). A figure measured on a host twice as slow in
both is not a regression; compare within one report (the ratios measured side by side) first.

    python -m benchmarks.host_speed
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np

PYTHON_STEPS = 2_000_000
PRODUCTS = 200
PRODUCT_SIZE = 256
ROUNDS = 3  # the fastest round counts: other work on the host only ever slows one down


@dataclass(frozen=True)
class HostSpeed:
    python_loop_ms: float  # CPU ms for PYTHON_STEPS additions in a Python loop
    float32_products_ms: float  # CPU ms (all threads) for PRODUCTS products of PRODUCT_SIZE² float32 matrices

    def describe(self) -> str:
        return (f"host speed: a Python loop {self.python_loop_ms:.0f} ms, float32 products "
                f"{self.float32_products_ms:.0f} ms of CPU, lower is faster (benchmarks/host_speed.py)")

    def as_dict(self) -> dict:
        return asdict(self)


def _python_loop() -> None:
    total = 0
    for step in range(PYTHON_STEPS):
        total += step


def _float32_products() -> None:
    matrix = np.random.default_rng(0).random((PRODUCT_SIZE, PRODUCT_SIZE), dtype=np.float32)
    for _ in range(PRODUCTS):
        matrix @ matrix


def _fastest_ms(workload) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.process_time()
        workload()
        times.append(time.process_time() - started)
    return round(1000.0 * min(times), 1)


def measure() -> HostSpeed:
    """About 2 s on this project's 2-core machines."""
    return HostSpeed(_fastest_ms(_python_loop), _fastest_ms(_float32_products))


if __name__ == "__main__":
    print(measure().describe())
