"""The WebSocket endpoint, exercised through the app with a real WebSocket client."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from app.core.config import settings
from app.realtime.broadcast import LocalBroadcaster
from app.realtime.connections import ConnectionManager
from app.realtime.hub import get_session_limits
from app.realtime.session import HEARTBEAT_TIMEOUT, SessionLimits
from app.services.publishing import DomainEvent

PATH = "/api/v1/ws"


@asynccontextmanager
async def connect(
    app: FastAPI, headers: dict[str, str] | None = None
) -> AsyncIterator[AsyncWebSocketSession]:
    """Open a WebSocket to the app (in the test's own task, as its transport needs)."""
    transport = ASGIWebSocketTransport(app=app)
    async with (
        AsyncClient(transport=transport, base_url="http://test") as client,
        aconnect_ws(
            PATH, client, headers=headers or {}, session_class=AsyncWebSocketSession
        ) as websocket,
    ):
        yield websocket


async def subscribe(websocket: AsyncWebSocketSession, channel: str) -> None:
    await websocket.send_json({"type": "subscribe", "channel": channel})
    assert await websocket.receive_json(timeout=5) == {
        "type": "subscribed",
        "channel": channel,
    }


async def receive(websocket: AsyncWebSocketSession) -> dict[str, Any]:
    message: dict[str, Any] = await websocket.receive_json(timeout=5)
    return message


def with_heartbeat(app: FastAPI, seconds: float) -> None:
    limits = SessionLimits(
        max_message_bytes=settings.websocket_max_message_bytes,
        heartbeat_seconds=seconds,
        max_channels=settings.websocket_max_channels,
    )
    app.dependency_overrides[get_session_limits] = lambda: limits


def publisher(manager: ConnectionManager) -> LocalBroadcaster:
    return LocalBroadcaster(manager, settings.websocket_max_event_bytes)


async def test_a_subscriber_receives_the_events_of_its_channels_only(
    app: FastAPI, manager: ConnectionManager
) -> None:
    async with connect(app) as websocket:
        await subscribe(websocket, "things")

        other = DomainEvent(channel="others", name="other.created", data={})
        thing = DomainEvent(channel="things", name="thing.created", data={"id": 1})
        await publisher(manager).publish(other)
        await publisher(manager).publish(thing)

        assert await receive(websocket) == {
            "type": "event",
            "channel": "things",
            "name": "thing.created",
            "data": {"id": 1},
            "truncated": False,
        }


async def test_an_event_over_the_size_limit_is_sent_with_its_id_only(
    app: FastAPI, manager: ConnectionManager, caplog: pytest.LogCaptureFixture
) -> None:
    text = "x" * settings.websocket_max_event_bytes
    async with connect(app) as websocket:
        await subscribe(websocket, "things")

        event = DomainEvent(
            channel="things", name="thing.updated", data={"id": 7, "text": text}
        )
        await publisher(manager).publish(event)

        assert await receive(websocket) == {
            "type": "event",
            "channel": "things",
            "name": "thing.updated",
            "data": {"id": 7},
            "truncated": True,
        }
    assert "thing.updated" in caplog.text


async def test_subscriptions_per_connection_are_capped(app: FastAPI) -> None:
    limit = settings.websocket_max_channels
    async with connect(app) as websocket:
        for number in range(limit):
            await subscribe(websocket, f"channel-{number}")

        await websocket.send_json({"type": "subscribe", "channel": "one-too-many"})
        error = await receive(websocket)

        assert error == {
            "type": "error",
            "detail": f"at most {limit} channels per connection",
        }
        await subscribe(websocket, "channel-0")  # already subscribed: still fine


async def test_an_unsubscribed_client_receives_no_more_events(
    app: FastAPI, manager: ConnectionManager
) -> None:
    async with connect(app) as websocket:
        await subscribe(websocket, "things")
        await websocket.send_json({"type": "unsubscribe", "channel": "things"})
        assert (await receive(websocket))["type"] == "unsubscribed"

        await publisher(manager).publish(
            DomainEvent(channel="things", name="thing.created", data={})
        )
        await subscribe(websocket, "others")  # the next message is this, not an event


async def test_bad_json_gets_an_error_and_the_connection_stays_open(
    app: FastAPI,
) -> None:
    async with connect(app) as websocket:
        await websocket.send_text("{not json")

        error = await receive(websocket)

        assert error["type"] == "error"
        assert "Invalid JSON" in error["detail"]
        await subscribe(websocket, "things")


@pytest.mark.parametrize(
    "message",
    [
        {"type": "shout"},
        {"type": "subscribe", "channel": "../secrets"},
        {"type": "subscribe", "channel": "things", "extra": 1},
    ],
)
async def test_invalid_messages_get_an_error(
    app: FastAPI, message: dict[str, Any]
) -> None:
    async with connect(app) as websocket:
        await websocket.send_json(message)

        assert (await receive(websocket))["type"] == "error"


async def test_oversize_message_closes_with_1009(app: FastAPI) -> None:
    async with connect(app) as websocket:
        await websocket.send_text("x" * (settings.websocket_max_message_bytes + 1))

        with pytest.raises(WebSocketDisconnect) as closed:
            await websocket.receive_text(timeout=5)

    assert closed.value.code == 1009


async def test_disallowed_origin_is_refused(app: FastAPI) -> None:
    # Refused before the handshake completes: a real server answers HTTP 403.
    refused = pytest.RaisesExc(
        WebSocketDisconnect, check=lambda error: error.code == 1008
    )
    with pytest.RaisesGroup(refused):
        async with connect(app, headers={"Origin": "https://evil.example"}):
            pass


async def test_allowed_origin_is_accepted(app: FastAPI) -> None:
    origin = settings.websocket_allowed_origins[0]
    async with connect(app, headers={"Origin": origin}) as websocket:
        await subscribe(websocket, "things")


async def test_the_session_has_a_request_id_like_any_request(app: FastAPI) -> None:
    async with connect(app, headers={"X-Request-ID": "ws-session-1"}) as websocket:
        assert websocket.response is not None
        assert websocket.response.headers["X-Request-ID"] == "ws-session-1"


async def test_silent_client_is_pinged_then_closed(app: FastAPI) -> None:
    with_heartbeat(app, 0.1)
    async with connect(app) as websocket:
        assert await receive(websocket) == {"type": "ping"}

        with pytest.raises(WebSocketDisconnect) as closed:
            await websocket.receive_text(timeout=5)

    assert closed.value.code == HEARTBEAT_TIMEOUT


async def test_pong_keeps_the_connection_open(app: FastAPI) -> None:
    with_heartbeat(app, 1)
    async with connect(app) as websocket:
        assert await receive(websocket) == {"type": "ping"}
        await websocket.send_json({"type": "pong"})

        assert await receive(websocket) == {"type": "ping"}  # pinged again, not closed
