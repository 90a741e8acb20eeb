"""Turn-taking: whether the face speaks, listens or idles, hop by hop, and how much of each shows.

    own voice (VAD state) ──┐
    other voice (VAD state) ┼─▶ state per hop ─▶ events at each change
    interrupt(at_s) ────────┘        └─▶ eased weights: listening (0 speaking/idle .. 1 listening),
                                                         mouth gate (1 open .. 0 shut after a barge-in)

Speaking wins while the face's own voice is active (the client barges in with an interrupt, not by
talking over it); otherwise the face listens while the other talks and for LISTEN_HOLD_S after
(nods come in those pauses), then idles. Every change of weight is a cosine ease from wherever the
weight stands, so head, gaze and mouth never jump. Deterministic and chunk-invariant: the state is
a per-hop recursion carried between pushes.

An interrupt at `at_s` shuts the mouth over MOUTH_CLOSE_S from `at_s` (inside the 100 ms the
contract promises) and ignores the face's own voice until it has fallen silent and starts again
(the next line). Dropping the own audio after `at_s` is the pipeline's part: see `interrupt_time`.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np

from runtime.audio.constants import HOP_S
from runtime.types import EventKind, SessionEvent

LISTEN_HOLD_S = 1.5  # the face keeps listening this long after the other's voice stops
TRANSITION_S = 0.3  # speaking ⇄ listening ⇄ idle ease
MOUTH_CLOSE_S = 0.08  # an interrupted mouth is shut this long after the interrupt
MOUTH_OPEN_S = 0.03  # and reopens this fast when the face's next line starts
_HOLD_HOPS = round(LISTEN_HOLD_S / HOP_S)


class TurnState(enum.Enum):
    SPEAKING = EventKind.STATE_SPEAKING
    LISTENING = EventKind.STATE_LISTENING
    IDLE = EventKind.STATE_IDLE


@dataclass(frozen=True)
class TurnRows:
    """Turn-taking of consecutive hops."""

    states: tuple[TurnState, ...]  # (n,) the state at each hop
    listening_weight: np.ndarray  # (n,) float32 0..1: how much of the listening rows to show
    mouth_gate: np.ndarray  # (n,) float32 0..1: scales the own mouth (1 as the model gives it, 0 shut)
    events: tuple[SessionEvent, ...]  # state changes in these hops, in time order


class _Ease:
    """A value moving to its target with a cosine ease over a given time, from wherever it stands."""

    def __init__(self, value: float) -> None:
        self._from = self._to = value
        self._progress, self._step = 1.0, 1.0

    def step(self, target: float, duration_s: float) -> float:
        if target != self._to:
            self._from, self._to = self.value, target
            self._progress, self._step = 0.0, HOP_S / duration_s
        self._progress = min(1.0, self._progress + self._step)
        return self.value

    @property
    def value(self) -> float:
        return self._from + (0.5 - 0.5 * math.cos(math.pi * self._progress)) * (self._to - self._from)


class TurnTaking:
    """Streaming: push both voices' per-hop VAD states; get states, weights and events."""

    def __init__(self, first_hop: int = 0) -> None:
        """first_hop: the hop index of the first row pushed (negative when a model's look-ahead
        makes the first rows precede the stream, as in the Animator)."""
        self._hop = first_hop
        self._state = TurnState.IDLE
        self._other_quiet_hops = _HOLD_HOPS + 1  # hops since the other's voice stopped
        self._listening = _Ease(0.0)
        self._mouth = _Ease(1.0)
        self._interrupt_hop: int | None = None  # from this hop the own voice is ignored...
        self._own_quiet_since_interrupt = False  # ...until it has been quiet and speaks again

    @property
    def state(self) -> TurnState:
        return self._state

    def interrupt(self, at_s: float) -> SessionEvent:
        """Barge-in at `at_s` (already clamped by `interrupt_time`): the mouth shuts from there and
        the own voice no longer counts until its next start. Returns the INTERRUPTED event."""
        self._interrupt_hop = max(self._hop, math.ceil(at_s / HOP_S - 1e-9))
        self._own_quiet_since_interrupt = False
        return SessionEvent(EventKind.INTERRUPTED, at_s)

    def push(self, own_speaking: np.ndarray, other_speaking: np.ndarray) -> TurnRows:
        """own_speaking, other_speaking: (n,) bool VAD states of the face's and the other's voice."""
        count = len(own_speaking)
        states: list[TurnState] = []
        listening = np.empty(count, np.float32)
        gate = np.empty(count, np.float32)
        events: list[SessionEvent] = []
        for i in range(count):
            own = self._own_counts(bool(own_speaking[i]))
            self._other_quiet_hops = 0 if other_speaking[i] else self._other_quiet_hops + 1
            state = self._decide(own)
            if state is not self._state:
                events.append(SessionEvent(state.value, max(self._hop, 0) * HOP_S))
                self._state = state
            states.append(state)
            listening[i] = self._listening.step(1.0 if state is TurnState.LISTENING else 0.0, TRANSITION_S)
            gate[i] = self._mouth_gate()
            self._hop += 1
        return TurnRows(tuple(states), listening, gate, tuple(events))

    def _own_counts(self, own_speaking: bool) -> bool:
        """The own voice, unless an interrupt silenced it and it has not yet paused and restarted."""
        if self._interrupt_hop is None or self._hop < self._interrupt_hop:
            return own_speaking
        if not own_speaking:
            self._own_quiet_since_interrupt = True
        elif self._own_quiet_since_interrupt:
            self._interrupt_hop = None  # the next line: the face speaks again
            return True
        return False

    def _decide(self, own: bool) -> TurnState:
        if own:
            return TurnState.SPEAKING
        if self._other_quiet_hops <= _HOLD_HOPS:
            return TurnState.LISTENING
        return TurnState.IDLE

    def _mouth_gate(self) -> float:
        """Shuts after an interrupt; reopens quickly for the next line, so it never eats its first sound."""
        if self._interrupt_hop is not None and self._hop >= self._interrupt_hop:
            return self._mouth.step(0.0, MOUTH_CLOSE_S)
        return self._mouth.step(1.0, MOUTH_OPEN_S)


def interrupt_time(requested_s: float | None, own_reached_s: float, listen_reached_s: float | None) -> float:
    """Where an Interrupt takes effect (animate.proto): the requested time, or where listen_audio
    has reached, clamped into [where both streams have reached, where `audio` has reached]. Own
    audio from there on, sent before the interrupt, is dropped and `audio` continues from there.
    listen_reached_s is None in a session without `conversation`."""
    both_reached_s = own_reached_s if listen_reached_s is None else min(own_reached_s, listen_reached_s)
    default = own_reached_s if listen_reached_s is None else listen_reached_s
    wanted = default if requested_s is None else requested_s
    return min(max(wanted, both_reached_s), own_reached_s)
