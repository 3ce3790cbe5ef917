"""One client's session: read its messages, answer them, and check it is still there."""

import asyncio
from dataclasses import dataclass

from fastapi import WebSocket, WebSocketDisconnect, status
from pydantic import ValidationError

from app.realtime.connections import Connection, ConnectionManager
from app.realtime.messages import (
    Acknowledgement,
    ErrorMessage,
    Ping,
    Pong,
    Subscribe,
    Unsubscribe,
    client_message,
)

HEARTBEAT_TIMEOUT = 4408  # application-defined close code: no answer to a ping


@dataclass(frozen=True)
class SessionLimits:
    """What a client may do before the server closes its connection."""

    max_message_bytes: int
    heartbeat_seconds: float
    max_channels: int


class _ClosedError(Exception):
    """The connection is closed; the session is over."""


async def run_session(
    websocket: WebSocket, manager: ConnectionManager, limits: SessionLimits
) -> None:
    """Serve an accepted WebSocket until the client leaves or breaks a limit."""
    async with manager.connect(websocket) as connection:
        try:
            while not connection.closing:  # closed by the server: too slow
                text = await _receive(connection, manager, limits)
                _handle(text, connection, manager, limits)
        except (_ClosedError, WebSocketDisconnect):
            return


async def _receive(
    connection: Connection, manager: ConnectionManager, limits: SessionLimits
) -> str:
    """The next text message; pings a quiet client and closes a silent one."""
    try:
        return await _receive_text(connection, manager, limits)
    except TimeoutError:
        manager.send(connection, Ping())
    try:
        return await _receive_text(connection, manager, limits)
    except TimeoutError:
        manager.close(connection, HEARTBEAT_TIMEOUT, "no answer to ping")
        raise _ClosedError from None


async def _receive_text(
    connection: Connection, manager: ConnectionManager, limits: SessionLimits
) -> str:
    async with asyncio.timeout(limits.heartbeat_seconds):
        message = await connection.websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise _ClosedError
    text = message.get("text")
    if text is None:
        manager.close(connection, status.WS_1003_UNSUPPORTED_DATA, "send JSON text")
        raise _ClosedError
    if len(text.encode()) > limits.max_message_bytes:
        manager.close(connection, status.WS_1009_MESSAGE_TOO_BIG, "message too big")
        raise _ClosedError
    return str(text)


def _handle(
    text: str, connection: Connection, manager: ConnectionManager, limits: SessionLimits
) -> None:
    try:
        message = client_message.validate_json(text)
    except ValidationError as error:
        manager.send(connection, ErrorMessage(detail=_describe(error)))
        return
    match message:
        case Subscribe(channel=channel) if _over_limit(connection, channel, limits):
            detail = f"at most {limits.max_channels} channels per connection"
            manager.send(connection, ErrorMessage(detail=detail))
        case Subscribe(channel=channel):
            manager.subscribe(connection, channel)
            acknowledgement = Acknowledgement(type="subscribed", channel=channel)
            manager.send(connection, acknowledgement)
        case Unsubscribe(channel=channel):
            manager.unsubscribe(connection, channel)
            acknowledgement = Acknowledgement(type="unsubscribed", channel=channel)
            manager.send(connection, acknowledgement)
        case Pong():
            pass


def _over_limit(connection: Connection, channel: str, limits: SessionLimits) -> bool:
    """Whether subscribing to `channel` would exceed the connection's channel limit."""
    subscribed = connection.channels
    return channel not in subscribed and len(subscribed) >= limits.max_channels


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]
