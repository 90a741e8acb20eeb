"""What the fidelity harness (tests/fidelity.py) found, per portrait, and the Markdown tables it prints:
the tuning set and the check set apart, the issue's targets above them; and the README's summary table,
each figure in bold where its target is met."""

from __future__ import annotations

from dataclasses import dataclass

from tests.portrait_set import Split


@dataclass(frozen=True)
class SweepResult:
    label: str
    r: float  # Pearson r of read-back against requested (NaN with fewer than 3 frames found)
    slope: float  # least-squares slope of read-back against requested
    requested: tuple[float, ...]
    recovered: tuple[float, ...]  # NaN where no face was found


@dataclass(frozen=True)
class ClosureResult:
    frames: int  # frames with PP ≥ CLOSURE_PP
    closed_share: float  # of those, the share read back closed (a lost face counts as not closed)
    median_gap: float  # inner-lip gap over mouth width, median over those frames
    mean_jaw_open: float  # FaceLandmarker's jawOpen on those frames
    rest_gap: float  # the same gap read back from the rendered rest frame: how the portrait's own mouth reads


@dataclass(frozen=True)
class RigidityResult:
    patches: int  # rim patches measured (on straight stretches, motion across the rim only)
    rms_px: dict[str, float]  # per expression, the rim's shift in px RMS
    max_px: dict[str, float]  # per expression, the largest patch's shift (a local bend shows here)

    @property
    def worst_px(self) -> float:
        return max(self.rms_px.values()) if self.rms_px and self.patches else float("nan")


@dataclass(frozen=True)
class IdentityResult:
    ssim: float  # rest frame against the framed portrait
    max_change_at_rest: int  # 8-bit levels
    max_change_far: int  # far from the face, over every rendered frame with the head at rest


@dataclass(frozen=True)
class PortraitFidelity:
    name: str
    split: str
    error: str | None  # analysis failed: nothing else was measured
    sweeps: tuple[SweepResult, ...] = ()
    face_found: float = float("nan")  # share of rendered frames with a face found
    closure: ClosureResult | None = None
    rigidity: RigidityResult | None = None
    identity: IdentityResult | None = None
    seconds: float = 0.0
    # Read back on a smoothed copy of each frame, as the analysis found its face (tests/fidelity.py):
    # its name carries SMOOTHED_MARK in the tables.
    read_smoothed: bool = False

    @property
    def label(self) -> str:
        return self.name + SMOOTHED_MARK if self.read_smoothed else self.name


SMOOTHED_MARK = " ◦"


# The targets, printed beside the tables (issue 11, "Proof, measured").
TARGETS = ("targets: jawOpen r ≥ 0.9 and slope ≥ 0.5; blink and smile r ≥ 0.85; yaw and pitch r ≥ 0.9; "
           "face found ≥ 98 %; closure: every PP ≥ 0.8 frame closed; glasses < 0.5 px RMS; SSIM 1.0, far change 0")
COLUMNS = ("portrait", "jawOpen r / slope", "blinkL r", "blinkR r", "smileL r", "smileR r", "yaw r", "pitch r",
           "gaze r", "found", "closed (n)", "closure jawOpen", "gap rest → PP", "glasses px RMS (worst), max patch",
           "SSIM", "far Δ", "s")


def table(results: list[PortraitFidelity]) -> str:
    """A Markdown table, one row per portrait."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_row(result)) + " |" for result in results]
    return "\n".join(lines)


def _row(result: PortraitFidelity) -> list[str]:
    if result.error is not None:
        return [result.label, f"analysis failed: {result.error}", *[""] * (len(COLUMNS) - 2)]
    sweeps = {sweep.label: sweep for sweep in result.sweeps}
    jaw = sweeps["jawOpen"]
    closure, identity = result.closure, result.identity
    return [result.label, f"{jaw.r:.2f} / {jaw.slope:.2f}",
            *(f"{sweeps[label].r:.2f}" for label in ("blinkL", "blinkR", "smileL", "smileR", "yaw", "pitch", "gaze")),
            f"{100 * result.face_found:.0f} %", f"{100 * closure.closed_share:.0f} % ({closure.frames})",
            f"{closure.mean_jaw_open:.2f}", f"{closure.rest_gap:.3f} → {closure.median_gap:.3f}",
            _rigidity_cell(result.rigidity), f"{identity.ssim:.4f}", f"{identity.max_change_far}",
            f"{result.seconds:.0f}"]


def _rigidity_cell(result: RigidityResult | None) -> str:
    if result is None:
        return "–"
    worst = max(result.rms_px, key=lambda label: result.rms_px[label])
    return f"{result.worst_px:.2f} ({worst}), max {max(result.max_px.values()):.1f}; {result.patches} patches"


def report(results: list[PortraitFidelity]) -> str:
    """The tuning set and the check set apart, each under its heading, with the targets."""
    parts = [TARGETS]
    for split in Split:
        chosen = [result for result in results if result.split == split.value]
        if chosen:
            parts += [f"\n**{split.value} set**\n", table(chosen)]
    return "\n".join(parts)


README_COLUMNS = ("portrait", "set", "jawOpen r / slope", "blink L / R", "smile L / R", "yaw / pitch", "gaze", "found",
                  "p/b/m closed", "glasses px")


def readme_table(results: list[PortraitFidelity]) -> str:
    """The README's table (`python -m tests.fidelity --readme`): one row per portrait, bold where the
    issue's target is met."""
    lines = ["| " + " | ".join(README_COLUMNS) + " |", "|" + "---|" * len(README_COLUMNS)]
    lines += ["| " + " | ".join(_readme_row(result)) + " |" for result in results]
    return "\n".join(lines)


def _readme_row(result: PortraitFidelity) -> list[str]:
    if result.error is not None:
        return [result.label, result.split, f"analysis failed: {result.error}", *[""] * (len(README_COLUMNS) - 3)]
    sweeps = {sweep.label: sweep for sweep in result.sweeps}
    jaw = sweeps["jawOpen"]
    closed = result.closure.closed_share
    worst = result.rigidity.worst_px if result.rigidity is not None else None
    return [result.label, result.split,
            _bold(f"{jaw.r:.2f} / {jaw.slope:.2f}", jaw.r >= 0.9 and jaw.slope >= 0.5),
            _pair(sweeps, "blinkL", "blinkR", 0.85), _pair(sweeps, "smileL", "smileR", 0.85),
            _pair(sweeps, "yaw", "pitch", 0.9), f"{sweeps['gaze'].r:.2f}",
            _bold(f"{100 * result.face_found:.0f} %", result.face_found >= 0.98),
            _bold(f"{100 * closed:.0f} %", closed >= 1.0),
            "–" if worst is None else _bold(f"{worst:.2f}", worst < 0.5)]


def _pair(sweeps: dict[str, SweepResult], first: str, second: str, target: float) -> str:
    return " / ".join(_bold(f"{sweeps[label].r:.2f}", sweeps[label].r >= target) for label in (first, second))


def _bold(text: str, met: bool) -> str:
    return f"**{text}**" if met else text
