"""A conversation session's second stream: the other party's voice on the session's clock, and the
listener and turn-taking it drives.

The clock rule (animate.proto): each stream's k-th sample lies at k / rate. Own audio is analysed
only up to the time the listen stream has reached (held here at the client's rate until then), so
frames never depend on how the two streams' chunks interleave; listen audio is analysed as it comes
(its cues depend on nothing else). An interrupt may still drop own audio on hold. At the end of
audio the stream behind counts as silence up to the other's length, and both end with the same
padding, so both give the same number of hops.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from runtime.audio.voice_cues import StreamingVoiceCues, VoiceCues
from runtime.motion.controls import ControlRows
from runtime.motion.listening import ListeningBehaviour, ListeningRows
from runtime.motion.turns import TurnRows, TurnTaking


class Conversation:
    """The listen stream of one Animator: its hold on own audio, its cues, listener and turns."""

    def __init__(self, sample_rate_hz: int, seed: int, delay_hops: int) -> None:
        self._cues = StreamingVoiceCues(sample_rate_hz)
        self.listener = ListeningBehaviour(seed)
        self.turns = TurnTaking(first_hop=-delay_hops)
        self.own_samples = 0  # own audio received (after any interrupt's drop)
        self.listen_samples = 0  # listen audio received
        self._released = 0  # own samples handed to analysis: min(own, listen) so far
        self._own_held: list[np.ndarray] = []
        self._listen_new: list[np.ndarray] = []  # listen samples not yet analysed
        self._flush_padding: int | None = None  # set at the end of audio
        self._ready: list[VoiceCues] = []  # cues analysed, not yet used by a pass

    def hold_own(self, samples: np.ndarray) -> np.ndarray:
        """Own samples in; those the clock now lets through out."""
        self._own_held.append(samples)
        self.own_samples += len(samples)
        return self._release()

    def hold_listen(self, samples: np.ndarray) -> np.ndarray:
        """Listen samples in; the own samples the clock now lets through out."""
        self._listen_new.append(samples)
        self.listen_samples += len(samples)
        return self._release()

    def drop_own_after(self, keep: int) -> None:
        """An interrupt: own audio beyond `keep` samples (all of it still on hold) is dropped."""
        held = _joined(self._own_held)
        self._own_held = [held[:max(0, keep - self._released)]]
        self.own_samples = keep

    def end(self, padding: int) -> tuple[np.ndarray, int]:
        """End of audio: the stream behind is filled with silence to the other's length and all own
        audio is let through; `padding` 16 kHz samples end the listen analysis as they end the own.
        Returns (own samples let through, silent own samples added)."""
        own_added = max(0, self.listen_samples - self.own_samples)
        self._own_held.append(np.zeros(own_added, np.float32))
        self.own_samples += own_added
        listen_added = self.own_samples - self.listen_samples
        self._listen_new.append(np.zeros(listen_added, np.float32))
        self.listen_samples += listen_added
        self._flush_padding = padding
        return self._release(), own_added

    def rows(self, count: int, controls: ControlRows, own_speaking: np.ndarray) -> tuple[ListeningRows, TurnRows]:
        """The next `count` hops' listening rows and turns (the hops the own features just gave)."""
        cues = self._take(count)
        return self.listener.push(cues, controls), self.turns.push(own_speaking, cues.speaking)

    def _release(self) -> np.ndarray:
        through = min(self.own_samples, self.listen_samples) - self._released
        held = _joined(self._own_held)
        self._own_held = [held[through:]]
        self._released += through
        return held[:through]

    def _take(self, count: int) -> VoiceCues:
        if self._listen_new:
            self._ready.append(self._cues.push(_joined(self._listen_new)))
            self._listen_new = []
        if self._flush_padding is not None:
            self._ready.append(self._cues.flush(self._flush_padding))
            self._flush_padding = None  # flushed once
        ready = VoiceCues(self._ready[0].start_hop, *(
            np.concatenate([getattr(cues, f.name) for cues in self._ready]) for f in fields(VoiceCues)[1:]))
        if len(ready) < count:
            raise RuntimeError(f"the listen stream gave {len(ready)} hops where the own stream gave {count}")
        taken = VoiceCues(ready.start_hop, *(getattr(ready, f.name)[:count] for f in fields(VoiceCues)[1:]))
        self._ready = [VoiceCues(ready.start_hop + count, *(getattr(ready, f.name)[count:]
                                                             for f in fields(VoiceCues)[1:]))]
        return taken


def _joined(pieces: list[np.ndarray]) -> np.ndarray:
    if len(pieces) == 1:
        return pieces[0]
    return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
