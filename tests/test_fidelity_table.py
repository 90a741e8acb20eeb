"""The README's fidelity table (tests/fidelity_results.readme_table): each figure in bold exactly where
the issue's target is met, so the table cannot claim a target a figure misses."""

from __future__ import annotations

from tests.fidelity_results import (
    ClosureResult,
    IdentityResult,
    PortraitFidelity,
    RigidityResult,
    SweepResult,
    readme_table,
)


def _sweep(label: str, r: float, slope: float = 1.0) -> SweepResult:
    return SweepResult(label, r, slope, (), ())


def _portrait(jaw: tuple[float, float], blink: float, found: float, closed: float, glasses: float | None
              ) -> PortraitFidelity:
    sweeps = (_sweep("jawOpen", *jaw), _sweep("blinkL", blink), _sweep("blinkR", 0.9), _sweep("smileL", 0.9),
              _sweep("smileR", 0.9), _sweep("yaw", 0.95), _sweep("pitch", 0.95), _sweep("gaze", 0.5))
    rigidity = None if glasses is None else RigidityResult(10, {"blink": glasses}, {"blink": glasses})
    return PortraitFidelity("p", "check", None, sweeps, found, ClosureResult(17, closed, 0.0, 0.0, 0.0), rigidity,
                            IdentityResult(1.0, 0, 0))


def test_figures_are_bold_exactly_where_their_target_is_met() -> None:
    met = readme_table([_portrait((0.91, 0.5), 0.85, 0.98, 1.0, 0.49)]).splitlines()[2]
    assert met == ("| p | check | **0.91 / 0.50** | **0.85** / **0.90** | **0.90** / **0.90** | **0.95** / **0.95** "
                   "| 0.50 | **98 %** | **100 %** | **0.49** |")
    missed = readme_table([_portrait((0.899, 0.9), 0.84, 0.97, 0.94, 0.51)]).splitlines()[2]
    assert missed == ("| p | check | 0.90 / 0.90 | 0.84 / **0.90** | **0.90** / **0.90** | **0.95** / **0.95** "
                      "| 0.50 | 97 % | 94 % | 0.51 |")


def test_a_portrait_without_glasses_shows_a_dash_and_a_failed_analysis_its_error() -> None:
    assert readme_table([_portrait((0.95, 0.6), 0.9, 1.0, 1.0, None)]).splitlines()[2].endswith("| – |")
    failed = readme_table([PortraitFidelity("q", "tuning", "no face found")]).splitlines()[2]
    assert failed.startswith("| q | tuning | analysis failed: no face found |")
