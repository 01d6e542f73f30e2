"""What travels on the live socket: events out, control frames both ways.

Server → client
  * event frames ``{"seq", "type", "at", "actor", "data"}``, the only frames with a ``seq``;
  * control frames without ``seq``: ``hello`` (first frame: the estate's head seq and the
    heartbeat interval), ``caught_up`` (replay finished; everything after is live),
    ``heartbeat`` (sent when the socket was idle for one interval), ``pong`` (answer to a
    client ``ping``), ``presence`` (who is in a meeting room, answer to ``join``) and
    ``error`` (a client frame was refused; the socket stays open).

Client → server: ``join`` / ``leave`` a meeting room, and ``ping``. Anything else, or
anything malformed, is answered with an ``error`` frame, never an exception.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

#: The largest client frame accepted; client frames are tiny control messages.
MAX_CLIENT_FRAME_BYTES = 4096

Id = Annotated[int, msgspec.Meta(ge=1)]


class LiveEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A committed event row, with its wire frame encoded once for every subscriber."""

    estate_id: int
    seq: int
    type: str
    at: datetime
    actor_id: int | None
    audience: str
    supplier_id: int | None
    data: msgspec.Raw
    frame: str
    #: ``frame`` as one unmasked RFC 6455 text frame, as a server sends it without
    #: extensions: built once here, written as is to every socket (empty: not built)
    wire: bytes = b""
    #: for ``member.revoked``: the member whose sockets this event closes; every event after
    #: it in the stream was committed after the revocation and must not reach them
    ends_member_id: int | None = None


#: Event types that end a member's access: their ``data.member_id`` loses its sockets.
ENDING_TYPES = frozenset({"member.revoked"})


class _Ended(msgspec.Struct):
    member_id: int | None = None


_ended_decoder = msgspec.json.Decoder(_Ended)


class _EventFrame(msgspec.Struct, kw_only=True):
    seq: int
    type: str
    at: datetime
    actor: int | None
    data: msgspec.Raw


_encoder = msgspec.json.Encoder()


def make_live_event(
    *,
    estate_id: int,
    seq: int,
    type: str,
    at: datetime,
    actor_id: int | None,
    audience: str,
    supplier_id: int | None,
    data: bytes | str | msgspec.Raw | Any,
) -> LiveEvent:
    """Build a LiveEvent; `data` is JSON text/bytes (as stored) or any encodable value."""
    if isinstance(data, msgspec.Raw):
        raw = data
    elif isinstance(data, bytes | str):
        raw = msgspec.Raw(data.encode() if isinstance(data, str) else data)
    else:
        raw = msgspec.Raw(_encoder.encode(data))
    frame = _encoder.encode(_EventFrame(seq=seq, type=type, at=at, actor=actor_id, data=raw))
    return LiveEvent(
        estate_id=estate_id,
        seq=seq,
        type=type,
        at=at,
        actor_id=actor_id,
        audience=audience,
        supplier_id=supplier_id,
        data=raw,
        frame=frame.decode(),
        wire=text_frame(frame),
        ends_member_id=_ended_decoder.decode(raw).member_id if type in ENDING_TYPES else None,
    )


def text_frame(payload: bytes) -> bytes:
    """One final, unmasked text frame carrying ``payload`` (RFC 6455 §5.2: a server's frames
    are not masked; no extension, so no RSV bit)."""
    size = len(payload)
    if size < 126:
        head = bytes((0x81, size))
    elif size < 65_536:
        head = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return head + payload


# Client → server -------------------------------------------------------------------


class Join(msgspec.Struct, tag="join", forbid_unknown_fields=True):
    """Enter a meeting room: the caller appears in its presence until leave or disconnect."""

    meeting_id: Id


class Leave(msgspec.Struct, tag="leave", forbid_unknown_fields=True):
    meeting_id: Id


class Ping(msgspec.Struct, tag="ping", forbid_unknown_fields=True):
    """Application-level keepalive for clients that cannot send protocol pings (browsers)."""

    nonce: Annotated[str, msgspec.Meta(max_length=64)] | None = None


ClientFrame = Join | Leave | Ping

_client_decoder: msgspec.json.Decoder[ClientFrame] = msgspec.json.Decoder(ClientFrame)


# Server → client control frames --------------------------------------------------------


class Hello(msgspec.Struct, tag="hello"):
    estate_id: int
    head: int
    after: int
    heartbeat_s: float


class CaughtUp(msgspec.Struct, tag="caught_up"):
    last_seq: int


class Heartbeat(msgspec.Struct, tag="heartbeat"):
    head: int


class Pong(msgspec.Struct, tag="pong"):
    nonce: str | None = None


class Presence(msgspec.Struct, tag="presence"):
    meeting_id: int
    members: list[dict[str, Any]]


class ErrorFrame(msgspec.Struct, tag="error"):
    reason: str
    field: str | None = None


ControlFrame = Hello | CaughtUp | Heartbeat | Pong | Presence | ErrorFrame


def encode_control(frame: ControlFrame) -> str:
    return _encoder.encode(frame).decode()


def parse_client_frame(raw: str | bytes | None) -> ClientFrame | ErrorFrame:
    """Decode one client frame; every failure becomes an ErrorFrame naming the problem."""
    if raw is None:
        return ErrorFrame(reason="empty frame")
    if len(raw) > MAX_CLIENT_FRAME_BYTES:
        return ErrorFrame(reason=f"frame larger than {MAX_CLIENT_FRAME_BYTES} bytes")
    try:
        return _client_decoder.decode(raw)
    except msgspec.ValidationError as exc:
        message = str(exc)
        field = None
        if " - at `$." in message:
            message, _, path = message.partition(" - at `$.")
            field = path.rstrip("`")
        return ErrorFrame(reason=message, field=field)
    except msgspec.DecodeError as exc:
        return ErrorFrame(reason=f"not JSON: {exc}")
