"""A motion frame on the wire (service/convert.py): every field the runtime made arrives, bit for bit (the
values here are float32 numbers, as the wire carries them)."""

from __future__ import annotations

import numpy as np

from runtime.types import EyeGaze, Gaze, HeadPose, MotionFrame
from service import convert


def _frame() -> MotionFrame:
    rng = np.random.default_rng(3)
    return MotionFrame(index=41, time_s=1.64, head_pose=HeadPose(-3.25, 7.5, 1.125, 0.015625, -0.03125, 0.5),
                       blendshapes=rng.random(52, dtype=np.float32), visemes=rng.random(15, dtype=np.float32),
                       gaze=Gaze(EyeGaze(4.5, -2.25), EyeGaze(3.75, -1.5)), voice_activity=0.875)


def test_a_frame_comes_back_from_its_message_as_it_was() -> None:
    frame = _frame()
    response = convert.motion_frame(frame)
    assert response.WhichOneof("response") == "motion"
    back = convert.motion_frame_from_message(response.motion)
    assert (back.index, back.time_s, back.voice_activity) == (frame.index, frame.time_s, frame.voice_activity)
    assert back.head_pose == frame.head_pose and back.gaze == frame.gaze
    assert np.array_equal(back.blendshapes, frame.blendshapes) and np.array_equal(back.visemes, frame.visemes)


def test_the_message_survives_the_wire() -> None:
    response = convert.motion_frame(_frame())
    parsed = type(response).FromString(response.SerializeToString())
    assert parsed == response and len(parsed.motion.blendshapes) == 52 and len(parsed.motion.visemes) == 15
