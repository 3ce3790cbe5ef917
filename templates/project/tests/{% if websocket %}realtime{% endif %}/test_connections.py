"""The connection manager keeps broadcasting when a client dies or falls behind."""

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from fastapi import WebSocket, WebSocketDisconnect

from app.realtime.connections import ConnectionManager
from app.realtime.messages import Ping


class Client:
    """Stands in for a client's socket: works, has died, or has stopped reading."""

    def __init__(self, *, dead: bool = False, stalled: bool = False) -> None:
        self.dead = dead
        self.stalled = stalled
        self.received: list[str] = []
        self.close_codes: list[int] = []

    async def send_text(self, text: str) -> None:
        await self._wait_unless_reading()
        self.received.append(text)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        if self.close_codes:
            raise RuntimeError("closed twice")  # as Starlette does
        self.close_codes.append(code)
        await self._wait_unless_reading()

    async def _wait_unless_reading(self) -> None:
        if self.dead:
            raise WebSocketDisconnect(1006)
        if self.stalled:
            await asyncio.Event().wait()


def manager(backlog_bytes: int = 1024, close_seconds: float = 5) -> ConnectionManager:
    return ConnectionManager(backlog_bytes=backlog_bytes, close_seconds=close_seconds)


def socket(client: Client) -> WebSocket:
    return cast(WebSocket, client)


async def settle() -> None:
    """Let the background senders run."""
    for _ in range(5):
        await asyncio.sleep(0)


@pytest.fixture
async def task_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """What the event loop reports, such as 'Task exception was never retrieved'."""
    errors: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _, context: errors.append(context))
    yield errors
    gc.collect()  # unretrieved task exceptions are reported when the task is freed
    loop.set_exception_handler(None)


async def test_a_dead_client_in_the_middle_does_not_stop_a_broadcast() -> None:
    clients = manager()
    alive, dead, last = Client(), Client(dead=True), Client()
    async with (
        clients.connect(socket(alive)) as first,
        clients.connect(socket(dead)) as middle,
        clients.connect(socket(last)) as third,
    ):
        for connection in (first, middle, third):
            clients.subscribe(connection, "things")

        clients.broadcast("things", "one")
        await settle()
        clients.broadcast("things", "two")
        await settle()

        assert alive.received == last.received == ["one", "two"]
        assert clients.subscriber_count("things") == 2  # the dead one was dropped


async def test_a_client_too_far_behind_is_disconnected(
    task_errors: list[dict[str, Any]],
) -> None:
    clients = manager(backlog_bytes=2, close_seconds=0.01)
    reader, stalled = Client(), Client(stalled=True)
    async with (
        clients.connect(socket(reader)) as reading,
        clients.connect(socket(stalled)) as stuck,
    ):
        clients.subscribe(reading, "things")
        clients.subscribe(stuck, "things")

        for number in range(5):
            clients.broadcast("things", str(number))
            await settle()

        assert reader.received == ["0", "1", "2", "3", "4"]
        assert stalled.close_codes == [1008]
        assert clients.subscriber_count("things") == 1
    assert task_errors == []


async def test_one_message_larger_than_the_backlog_is_sent_when_nothing_waits() -> None:
    clients = manager(backlog_bytes=2)
    client = Client()
    async with clients.connect(socket(client)) as connection:
        clients.subscribe(connection, "things")

        clients.broadcast("things", "large")
        await settle()

    assert client.received == ["large"]
    assert client.close_codes == []


async def test_a_closed_client_is_closed_once_and_sent_nothing_more(
    task_errors: list[dict[str, Any]],
) -> None:
    clients = manager()
    client = Client()
    async with clients.connect(socket(client)) as connection:
        clients.subscribe(connection, "things")

        clients.close(connection, 4408, "no answer to ping")
        clients.close(connection, 1008, "too slow")
        clients.send(connection, Ping())
        clients.broadcast("things", "event")
        await settle()

    assert client.close_codes == [4408]
    assert client.received == []
    assert task_errors == []


async def test_closing_a_client_that_reads_nothing_gives_up(
    caplog: pytest.LogCaptureFixture, task_errors: list[dict[str, Any]]
) -> None:
    clients = manager(close_seconds=0.01)
    stalled = Client(stalled=True)
    with caplog.at_level(logging.WARNING):
        # Leaving the block waits for the close: a close that waited for the client
        # would hang here.
        async with asyncio.timeout(5), clients.connect(socket(stalled)) as connection:
            clients.close(connection, 1008, "too slow")

    assert "took no close frame" in caplog.text
    assert task_errors == []
