"""Served as in production, the app drops a client that stops reading: its socket is
reset, the server logs no error, and clients that read are not disturbed.
"""

import base64
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
import pytest
from httpx_ws import AsyncWebSocketSession, aconnect_ws

from tests.realtime.server import Server, serving

STALL_SECONDS = 0.5
HEARTBEAT_SECONDS = 0.2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    environment = {
        "WEBSOCKET_STALL_SECONDS": str(STALL_SECONDS),
        "WEBSOCKET_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
    }
    with serving(environment, tmp_path_factory.mktemp("server") / "log") as server:
        yield server


def test_a_client_that_stops_reading_is_disconnected(server: Server) -> None:
    with stalled_client(server.url) as client:
        assert reset_within(client, seconds=STALL_SECONDS + 30)

    assert httpx.get(f"{server.url}/health").status_code == 200
    log = server.output()
    assert "dropping a WebSocket client that stopped reading" in log
    for error in ("Traceback", "never retrieved", "Cannot call"):
        assert error not in log


async def test_a_client_that_reads_stays_connected_past_the_stall_time(
    server: Server,
) -> None:
    async with (
        httpx.AsyncClient() as http,
        aconnect_ws(
            f"{server.url}/api/v1/ws", http, session_class=AsyncWebSocketSession
        ) as websocket,
    ):
        deadline = time.monotonic() + 4 * STALL_SECONDS
        while time.monotonic() < deadline:
            assert await websocket.receive_json(timeout=5) == {"type": "ping"}
            await websocket.send_json({"type": "pong"})

        await websocket.send_json({"type": "subscribe", "channel": "things"})
        assert (await websocket.receive_json(timeout=5))["type"] == "subscribed"


@contextmanager
def stalled_client(url: str) -> Iterator[socket.socket]:
    """A WebSocket client, by hand, on a small receive buffer: it reads only the
    handshake's answer, then nothing."""
    address = urlsplit(url)
    assert address.hostname is not None
    assert address.port is not None
    with socket.socket() as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect((address.hostname, address.port))
        key = base64.b64encode(os.urandom(16)).decode()
        client.sendall(
            f"GET /api/v1/ws HTTP/1.1\r\nHost: {address.netloc}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        answer = b""
        while not answer.endswith(b"\r\n\r\n"):
            answer += client.recv(1)  # not a byte past the handshake
        assert answer.startswith(b"HTTP/1.1 101")
        yield client


def reset_within(client: socket.socket, seconds: float) -> bool:
    """Send messages the server answers, never reading the answers; whether the
    server resets the connection within `seconds`."""
    subscribe = frame('{"type": "subscribe", "channel": "things"}')
    client.settimeout(0.1)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            client.sendall(subscribe * 100)
        except TimeoutError:
            pass  # the server reads no more
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


def frame(text: str) -> bytes:
    """One masked text frame, as a client must send it (RFC 6455, section 5.2)."""
    payload = text.encode()
    assert len(payload) < 126  # fits the one-byte length
    mask = os.urandom(4)
    masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + mask + masked
