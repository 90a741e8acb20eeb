"""Streaming, causal prosody for the head and brow dynamics: F0, voicing, F0 in semitones around the
speaker's typical pitch, pitch accents and phrase ends, one value per 10 ms hop.

Hop h is analysed from the 40 ms window that ends at input sample (h + 1) * HOP_LENGTH, the clock of
StreamingLogMel (the stream starts with silence). Nothing looks ahead, so events are reported at
the hop where they become certain, which is after they happen:

- a pitch accent once F0 has fallen ACCENT_FALL_ST below its peak: 30-80 ms after the peak hop
  for ordinary accents, never more than ACCENT_MAX_LAG_HOPS (100 ms);
- a phrase end after PAUSE_HOPS (200 ms) of pause, counted from the first hop whose window holds
  no speech, i.e. about 230 ms after the last speech sample.

YIN (runtime.audio.pitch) is row-wise, and everything after it is a per-hop recursion over Python
floats whose state is carried between calls, so any chunking of the input gives identical blocks.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from runtime.audio.constants import HOP_S
from runtime.audio.hop_windows import HopWindows
from runtime.audio.pitch import PITCH_WINDOW, window_power, yin

VOICING_MIN = 0.5  # below this periodicity confidence a hop is unvoiced
VOICED_MIN_DB = -50.0  # dBFS: quieter hops are never voiced (hum, reverberation tails)
SILENCE_FLOOR = 1e-10  # mean-square floor before the log: -100 dB, as in features.py
OCTAVE_JUMP = 0.5  # octaves: a hop this far from both previous hops (which agree) is an octave error
OCTAVE_AGREE = 0.1  # octaves (1.2 st): how closely those two previous hops must agree to overrule it
OCTAVE_GAP_HOPS = 5  # the previous voiced hops count across unvoiced gaps this short (YIN errs at onsets)
REFERENCE_WARMUP_HOPS = 20  # the speaker's typical F0 starts as the median of this many voiced hops
REFERENCE_TIME_S = 2.0  # then it is a log-domain moving average of voiced hops with this time constant
REFERENCE_CLAMP = 0.5  # octaves: one hop moves the average as if at most this far off (octave errors)
LEVEL_TIME_S = 2.0  # time constant of the average energy of voiced hops
ACCENT_WINDOW_HOPS = 30  # 300 ms: an accent's rise is measured from the lowest F0 this far back
ACCENT_MIN_RISE_ST = 1.5  # semitones above that baseline for a peak to be an accent
ACCENT_FULL_RISE_ST = 6.0  # a rise of half an octave gives strength 1
ACCENT_MAX_RISE_ST = 9.0  # larger rises within 300 ms are YIN octave errors in the baseline, not accents
ACCENT_FALL_ST = 0.5  # the peak is confirmed once F0 has fallen this far (more than 1 % jitter)
ACCENT_MAX_LAG_HOPS = 10  # 100 ms: a peak that has not fallen by then is not an accent
PAUSE_HOPS = 20  # 200 ms without speech after a phrase ends it
PHRASE_MIN_HOPS = 30  # 300 ms of speech make a phrase
PAUSE_DEPTH_DB = 20.0  # unvoiced hops within this of the voiced level are still speech (fricatives)
# Windows this quiet are never voiced, so YIN is not run on them (a pause, an idle session): the
# margin keeps every window the per-hop test (in math.log10, which may round apart from numpy's)
# could call voiced.
_YIN_MIN_POWER = 10.0 ** ((VOICED_MIN_DB - 0.1) / 10.0)


@dataclass(frozen=True)
class ProsodyBlock:
    """Prosody of consecutive hops [start_hop, start_hop + len)."""

    start_hop: int
    f0_hz: np.ndarray  # (n,) float32, fundamental frequency, 0.0 where unvoiced
    voicing: np.ndarray  # (n,) float32 in [0, 1], periodicity confidence (1 - YIN aperiodicity), 0 where too quiet
    f0_semitones: np.ndarray  # (n,) float32, F0 relative to the speaker's typical F0, 0 where unvoiced
    pitch_accent: np.ndarray  # (n,) float32 in [0, 1], strength of a pitch accent detected at this hop
    phrase_end: np.ndarray  # (n,) bool, True at the hop where a phrase boundary is detected

    def __len__(self) -> int:
        return len(self.f0_hz)


def _pitch(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(YIN's F0 estimate, voicing, mean square) float64 of every (n, PITCH_WINDOW) window; windows
    too quiet to be voiced get 0 and 0 without YIN."""
    power = window_power(windows)
    loud = power >= _YIN_MIN_POWER
    if loud.all():
        return *yin(windows), power
    estimates, voicing = np.zeros(len(windows)), np.zeros(len(windows))
    if loud.any():
        estimates[loud], voicing[loud] = yin(windows[loud])
    return estimates, voicing, power


def _empty_block(start_hop: int) -> ProsodyBlock:
    nothing = np.zeros(0, np.float32)
    return ProsodyBlock(start_hop, nothing, nothing, nothing, nothing, np.zeros(0, bool))


class _RunningMean:
    """A plain mean of the first samples that becomes an exponential moving average: the start
    needs no guess, and later the average follows slow drift."""

    def __init__(self, time_constant_s: float) -> None:
        self._rate = 1.0 - math.exp(-HOP_S / time_constant_s)
        self.count = 0
        self.value = 0.0

    def update(self, sample: float) -> float:
        """Adds a sample; returns how far it lies from the mean before it (0 for the first)."""
        self.count += 1
        deviation = sample - self.value
        self.value += max(1.0 / self.count, self._rate) * deviation  # the first sample has weight 1
        return deviation if self.count > 1 else 0.0


class _TypicalPitch:
    """The speaker's typical log2 F0: the median of the first voiced hops, which shrugs off the
    onset and octave errors nothing else can catch yet, then a moving average with clamped steps."""

    def __init__(self) -> None:
        self._rate = 1.0 - math.exp(-HOP_S / REFERENCE_TIME_S)
        self._first: list[float] = []
        self.value = 0.0

    def update(self, octave: float) -> float:
        """Adds a voiced hop's log2 F0; returns how far it lies from the reference before it (0 for the first)."""
        if len(self._first) < REFERENCE_WARMUP_HOPS:
            previous = self.value if self._first else octave
            self._first.append(octave)
            self.value = statistics.median(self._first)
            return octave - previous
        deviation = octave - self.value
        self.value += self._rate * min(max(deviation, -REFERENCE_CLAMP), REFERENCE_CLAMP)
        return deviation


class _AccentDetector:
    """Finds F0 peaks that rose ACCENT_MIN_RISE_ST over the last 300 ms and then fell, on loud hops."""

    def __init__(self) -> None:
        # Recent voiced hops and their pitch (semitones), side by side: min() of a deque of floats
        # runs in C, where a generator over (hop, pitch) pairs cost a tenth of the hop.
        self._hops: deque[int] = deque()
        self._pitches: deque[float] = deque()
        self._peak_hop, self._peak, self._rise, self._loud = 0, -math.inf, 0.0, False

    def step(self, hop: int, pitch_st: float, loud: bool) -> float:
        """Feeds a voiced hop's pitch (semitones on any fixed scale); returns the strength of an
        accent confirmed at this hop (0 for none)."""
        hops, pitches = self._hops, self._pitches
        hops.append(hop)
        pitches.append(pitch_st)
        while hops[0] <= hop - ACCENT_WINDOW_HOPS:
            hops.popleft()
            pitches.popleft()
        if pitch_st >= self._peak:  # still rising: this hop is the candidate peak
            self._peak_hop, self._peak, self._rise, self._loud = hop, pitch_st, pitch_st - min(pitches), loud
            return 0.0
        fallen, in_time = self._peak - pitch_st >= ACCENT_FALL_ST, hop - self._peak_hop <= ACCENT_MAX_LAG_HOPS
        if in_time and not fallen:
            return 0.0
        strength = 0.0
        if fallen and in_time and self._loud and ACCENT_MIN_RISE_ST <= self._rise <= ACCENT_MAX_RISE_ST:
            strength = min(1.0, self._rise / ACCENT_FULL_RISE_ST)
            while hops[0] <= self._peak_hop:  # the next accent rises from the trough after this one
                hops.popleft()
                pitches.popleft()
        # Falling or stale: restart at this hop, which cannot fire until F0 rises again.
        self._peak_hop, self._peak, self._rise, self._loud = hop, pitch_st, 0.0, False
        return strength


class _PhraseEnds:
    """A phrase end is the PAUSE_HOPS-th hop of a pause that follows PHRASE_MIN_HOPS of speech."""

    def __init__(self) -> None:
        self._speech_hops = 0  # speaking hops of the current phrase (short gaps do not reset it)
        self._pause_hops = PAUSE_HOPS  # the stream starts in a pause

    def step(self, speaking: bool) -> bool:
        if speaking:
            if self._pause_hops >= PAUSE_HOPS:  # a long pause: this is a new phrase
                self._speech_hops = 0
            self._pause_hops = 0
            self._speech_hops += 1
            return False
        self._pause_hops += 1
        return self._pause_hops == PAUSE_HOPS and self._speech_hops >= PHRASE_MIN_HOPS


class StreamingProsody:
    """Push 16 kHz samples in any pieces; get the prosody of every completed hop."""

    lookahead_hops: int = 0  # causal: hop h needs no input beyond its own window

    def __init__(self) -> None:
        self._windows: HopWindows | None = None  # push()'s own; the engine feeds analyse_many
        self._recent = (0.0, 0.0)  # raw log2 F0 of the last two voiced hops, 0.0 for none
        self._last_voiced_hop = -OCTAVE_GAP_HOPS - 1
        self._reference = _TypicalPitch()
        self._level = _RunningMean(LEVEL_TIME_S)  # dBFS of voiced hops
        self._accents = _AccentDetector()
        self._phrases = _PhraseEnds()
        self.hops_done = 0

    def push(self, samples: np.ndarray) -> ProsodyBlock:
        if self._windows is None:
            self._windows = HopWindows(PITCH_WINDOW)
        windows = self._windows.take([samples])
        return StreamingProsody.analyse_many([self], windows, [len(windows)])[0]

    @staticmethod
    def analyse_many(trackers: list[StreamingProsody], windows: np.ndarray, counts: list[int]) -> list[ProsodyBlock]:
        """Each tracker's next counts[i] hops from (sum of counts, PITCH_WINDOW) windows, session after
        session. The trackers' own windows go unused: a tracker is fed one way or the other."""
        if len(windows) == 0:
            return [_empty_block(tracker.hops_done) for tracker in trackers]
        estimates, voicing, mean_square = _pitch(windows)
        columns = ([], [], [], [])  # F0, semitones, accents, phrase ends of every session's hops, in order
        values = zip(estimates.tolist(), voicing.tolist(), mean_square.tolist(), strict=True)
        for tracker, count in zip(trackers, counts, strict=True):
            tracker._track(itertools.islice(values, count), columns)
        f0, semitones, accents = (np.array(column, np.float32) for column in columns[:3])
        ends, voicing = np.array(columns[3], bool), voicing.astype(np.float32)
        blocks, low = [], 0
        for tracker, count in zip(trackers, counts, strict=True):
            high = low + count
            blocks.append(ProsodyBlock(tracker.hops_done, f0[low:high], voicing[low:high], semitones[low:high],
                                       accents[low:high], ends[low:high]))
            tracker.hops_done += count
            low = high
        return blocks

    def _track(self, hops: Iterable[tuple[float, float, float]], columns: tuple[list, list, list, list]) -> None:
        """Every tracker advanced hop by hop over (YIN estimate, voicing, mean square) of this
        session's next hops, appending F0, semitones, accent strength and phrase end to `columns`.
        In Python rather than vectorised: for a few hops per push that is the cheaper way; one loop
        with the hop's work inline (a call per hop and the tuples it returned were a third of it)."""
        f0, semitones, accents, ends = columns
        phrase_end = self._phrases.step
        hop = self.hops_done
        for estimate, voiced_share, power in hops:
            level_db = 10.0 * math.log10(max(power, SILENCE_FLOOR))
            if voiced_share >= VOICING_MIN and level_db >= VOICED_MIN_DB:
                frequency, offset, accent = self._voiced_hop(hop, estimate, level_db)
                f0.append(frequency)
                semitones.append(offset)
                accents.append(accent)
                ends.append(phrase_end(True))
            else:
                f0.append(0.0)
                semitones.append(0.0)
                accents.append(0.0)
                ends.append(phrase_end(self._loud_unvoiced(level_db)))
            hop += 1

    def _voiced_hop(self, hop: int, frequency: float, level_db: float) -> tuple[float, float, float]:
        """(F0 after the octave guard, its semitones, accent strength) of a hop YIN found voiced."""
        octave = math.log2(frequency)
        previous, before = self._recent if hop - self._last_voiced_hop <= OCTAVE_GAP_HOPS else (0.0, 0.0)
        self._recent, self._last_voiced_hop = (octave, previous), hop
        if (previous and before and abs(previous - before) < OCTAVE_AGREE
                and abs(octave - previous) > OCTAVE_JUMP and abs(octave - before) > OCTAVE_JUMP):
            octave, frequency = previous, 2.0**previous  # a one-hop octave error: keep the last F0
        semitones = 12.0 * self._reference.update(octave)
        loud = self._level.update(level_db) > 0.0
        return frequency, semitones, self._accents.step(hop, 12.0 * octave, loud)  # rises need no reference

    def _loud_unvoiced(self, level_db: float) -> bool:
        """An unvoiced hop still counts as speech (a fricative, a burst) when near the voiced level."""
        return self._level.count > 0 and level_db >= max(VOICED_MIN_DB, self._level.value - PAUSE_DEPTH_DB)
