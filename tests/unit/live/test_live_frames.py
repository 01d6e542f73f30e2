"""Client frames are validated; garbage becomes an error frame, never an exception."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.live.frames import (
    MAX_CLIENT_FRAME_BYTES,
    ErrorFrame,
    Hello,
    Join,
    Leave,
    Ping,
    encode_control,
    make_live_event,
    parse_client_frame,
    text_frame,
)


def test_valid_frames_decode() -> None:
    assert parse_client_frame('{"type":"join","meeting_id":3}') == Join(meeting_id=3)
    assert parse_client_frame(b'{"type":"leave","meeting_id":3}') == Leave(meeting_id=3)
    assert parse_client_frame('{"type":"ping","nonce":"a"}') == Ping(nonce="a")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("garbage", None),
        ("", None),
        ("[]", None),
        ("{}", None),
        ('{"type":"join"}', None),
        ('{"type":"join","meeting_id":"x"}', "meeting_id"),
        ('{"type":"join","meeting_id":0}', "meeting_id"),
        ('{"type":"explode"}', "type"),
        ('{"type":"ping","extra":1}', None),
        (b"\xff\xfe\x00", None),
    ],
)
def test_bad_frames_become_error_frames(raw: str | bytes, field: str | None) -> None:
    result = parse_client_frame(raw)
    assert isinstance(result, ErrorFrame)
    assert result.reason
    assert result.field == field


def test_oversized_frame_is_refused_before_decoding() -> None:
    result = parse_client_frame('{"type":"ping","nonce":"' + "a" * MAX_CLIENT_FRAME_BYTES + '"}')
    assert isinstance(result, ErrorFrame) and "larger" in result.reason


@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_arbitrary_input_never_raises(raw: str | bytes) -> None:
    assert isinstance(parse_client_frame(raw), Join | Leave | Ping | ErrorFrame)


def test_event_frame_carries_seq_type_at_actor_and_data_verbatim() -> None:
    at = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    event = make_live_event(
        estate_id=1,
        seq=42,
        type="ballot.cast",
        at=at,
        actor_id=9,
        audience="members",
        supplier_id=None,
        data='{"motion_id": 3, "choice": "yes"}',
    )
    assert json.loads(event.frame) == {
        "seq": 42,
        "type": "ballot.cast",
        "at": "2026-11-26T09:30:00Z",
        "actor": 9,
        "data": {"motion_id": 3, "choice": "yes"},
    }


def test_control_frames_have_a_type_and_no_seq() -> None:
    decoded = json.loads(encode_control(Hello(estate_id=1, head=5, after=2, heartbeat_s=15.0)))
    assert decoded["type"] == "hello" and "seq" not in decoded


@given(st.binary(max_size=70_000))
def test_the_prebuilt_wire_frame_is_what_a_websockets_server_sends(payload: bytes) -> None:
    from websockets.frames import Frame, Opcode

    assert text_frame(payload) == Frame(Opcode.TEXT, payload).serialize(mask=False)


def test_every_event_carries_its_wire_frame() -> None:
    event = make_live_event(
        estate_id=1,
        seq=3,
        type="ballot.cast",
        at=datetime(2026, 12, 4, tzinfo=UTC),
        actor_id=None,
        audience="members",
        supplier_id=None,
        data={"x": "é" * 100},
    )
    assert event.wire == text_frame(event.frame.encode())
