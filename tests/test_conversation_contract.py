"""The conversation's wire pieces translated (service/convert.py): listening controls with their
ranges, the interrupt's time, and a wire type for every runtime event kind."""

from __future__ import annotations

import pytest

from runtime.errors import InvalidConfigError
from runtime.types import Controls, EventKind, SessionEvent
from service import convert
from service.api import animate_pb2, controls_pb2


def test_listening_controls_travel_and_keep_their_ranges():
    patch = convert.control_patch(controls_pb2.Controls(attentiveness=0.25, nod_rate=1.5))
    controls = patch.apply_to(Controls())
    assert (controls.attentiveness, controls.nod_rate) == (0.25, 1.5)
    assert convert.control_patch(controls_pb2.Controls()).apply_to(Controls()) == Controls()
    with pytest.raises(InvalidConfigError, match="nod_rate"):
        convert.control_patch(controls_pb2.Controls(nod_rate=2.5)).apply_to(Controls())
    with pytest.raises(InvalidConfigError, match="attentiveness"):
        Controls(attentiveness=-0.1)


def test_an_interrupt_carries_its_time_or_none_and_refuses_a_negative_one():
    assert convert.interrupt_at_s(animate_pb2.Interrupt()) is None
    assert convert.interrupt_at_s(animate_pb2.Interrupt(at_s=1.0)) == 1.0
    with pytest.raises(InvalidConfigError, match="at_s"):
        convert.interrupt_at_s(animate_pb2.Interrupt(at_s=-0.5))
    request = animate_pb2.AnimateRequest(listen_audio=animate_pb2.AudioChunk(data=b"\0\0"))
    assert request.WhichOneof("request") == "listen_audio"
    assert convert.conversation(animate_pb2.SessionConfig(conversation=True))
    assert not convert.conversation(animate_pb2.SessionConfig())


@pytest.mark.parametrize("kind", list(EventKind), ids=lambda kind: kind.value)
def test_every_event_kind_has_its_wire_type(kind):
    message = convert.event(SessionEvent(kind, 1.25)).event
    assert animate_pb2.EventType.Name(message.type).removeprefix("EVENT_TYPE_").lower() == kind.value
    assert message.time_s == 1.25
