"""The connection manager keeps broadcasting when a client dies or falls behind."""

import asyncio
from typing import cast

from fastapi import WebSocket, WebSocketDisconnect

from app.realtime.connections import ConnectionManager


class Client:
    """Stands in for a client's socket: works, has died, or has stopped reading."""

    def __init__(self, *, dead: bool = False, stalled: bool = False) -> None:
        self.dead = dead
        self.stalled = stalled
        self.received: list[str] = []
        self.close_code: int | None = None

    async def send_text(self, text: str) -> None:
        if self.dead:
            raise WebSocketDisconnect(1006)
        if self.stalled:
            await asyncio.Event().wait()
        self.received.append(text)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.close_code = code


async def settle() -> None:
    """Let the background senders run."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_dead_client_in_the_middle_does_not_stop_a_broadcast() -> None:
    manager = ConnectionManager(queue_size=8)
    clients = [Client(), Client(dead=True), Client()]
    async with (
        manager.connect(cast(WebSocket, clients[0])) as first,
        manager.connect(cast(WebSocket, clients[1])) as dead,
        manager.connect(cast(WebSocket, clients[2])) as last,
    ):
        for connection in (first, dead, last):
            manager.subscribe(connection, "things")

        manager.broadcast("things", "one")
        await settle()
        manager.broadcast("things", "two")
        await settle()

        assert clients[0].received == clients[2].received == ["one", "two"]
        assert manager.subscriber_count("things") == 2  # the dead one was dropped


async def test_a_client_too_slow_to_keep_up_is_disconnected() -> None:
    manager = ConnectionManager(queue_size=2)
    reader, stalled = Client(), Client(stalled=True)
    async with (
        manager.connect(cast(WebSocket, reader)) as reading,
        manager.connect(cast(WebSocket, stalled)) as stuck,
    ):
        manager.subscribe(reading, "things")
        manager.subscribe(stuck, "things")

        for number in range(5):
            manager.broadcast("things", str(number))
            await settle()

        assert reader.received == ["0", "1", "2", "3", "4"]
        assert stalled.close_code == 1008
        assert manager.subscriber_count("things") == 1
