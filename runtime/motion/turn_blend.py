"""Speaking and listening rows made one: the turn machine's weights applied before `compose`.

    listening = ListeningBehaviour.push(other cues, controls)
    turn      = TurnTaking.push(own VAD state, other VAD state)
    dynamics  = ProceduralDynamics.push(..., blink_rate_factor=listening_blink_factor(listening, turn))
    mouth, dynamics = blend_turns(mouth, dynamics, listening, turn)
    rows      = compose(mouth, dynamics, controls, rest)

Head: the listener's nods, tilts and lean are added in proportion to the listening weight (the
dynamics' drift and breathing go on underneath in every state). Gaze: the speaker's saccades and
glances away give way to the listener's. Mouth: scaled by the mouth gate towards the silent viseme
(an interrupt). Every weight eases, and every input is continuous, so nothing jumps.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from runtime.arkit import viseme_index
from runtime.motion.dynamics import DynamicsRows
from runtime.motion.listening import ListeningRows
from runtime.motion.mouth_protocol import MouthRows
from runtime.motion.turns import TurnRows

_SIL = viseme_index("sil")


def listening_blink_factor(listening: ListeningRows, turn: TurnRows) -> np.ndarray:
    """(n,) blink rate factor: the listener's, as far as the face is listening."""
    return 1.0 + turn.listening_weight * (listening.blink_rate_factor - 1.0)


def blend_turns(mouth: MouthRows, dynamics: DynamicsRows, listening: ListeningRows,
                turn: TurnRows) -> tuple[MouthRows, DynamicsRows]:
    """The mouth and dynamics that `compose` turns into rows, with the listener weighted in."""
    weight = turn.listening_weight[:, None]  # (n, 1)
    speaking = 1.0 - weight
    expression = weight * listening.blendshapes
    if dynamics.expression is not None:
        expression = expression + dynamics.expression
    blended = replace(dynamics,
                      head=dynamics.head + weight * listening.head,
                      gaze_offset=speaking * dynamics.gaze_offset + weight * listening.gaze_offset,
                      emphasis=speaking[:, 0] * dynamics.emphasis,
                      expression=expression.astype(np.float32))
    return _gated_mouth(mouth, turn.mouth_gate), blended


def _gated_mouth(mouth: MouthRows, gate: np.ndarray) -> MouthRows:
    """Mouth shapes scaled by the gate; the visemes' missing share goes to silence (rows sum to 1)."""
    visemes = mouth.visemes * gate[:, None]
    visemes[:, _SIL] += 1.0 - gate
    return MouthRows(visemes.astype(np.float32), (mouth.blendshapes * gate[:, None]).astype(np.float32),
                     mouth.voice_activity)
