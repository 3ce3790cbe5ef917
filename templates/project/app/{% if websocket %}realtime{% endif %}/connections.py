"""The WebSocket clients of this process and the channels they subscribed to."""

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import WebSocket, status
from pydantic import BaseModel

logger = logging.getLogger(__name__)


class Connection:
    """One client: its channels, and a bounded queue of messages waiting to be sent."""

    def __init__(self, websocket: WebSocket, queue_size: int) -> None:
        self.websocket = websocket
        self.channels: set[str] = set()
        self._outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_size)
        self._tasks: set[asyncio.Task[None]] = set()

    def offer(self, text: str) -> bool:
        """Queue `text` for sending; False if the client is too far behind."""
        try:
            self._outbox.put_nowait(text)
        except asyncio.QueueFull:
            return False
        return True

    def start_sending(self, on_stop: Callable[[], None]) -> None:
        """Send queued messages in the background; call `on_stop` when that ends."""
        sender = self._run(self._send_queued())
        sender.add_done_callback(lambda _: on_stop())

    def close_soon(self, code: int, reason: str) -> None:
        """Stop sending and close the socket, without waiting for either."""
        for task in self._tasks:
            task.cancel()
        self._run(self.websocket.close(code=code, reason=reason))

    async def stop(self) -> None:
        """Cancel the background work and wait until it has ended."""
        for task in list(self._tasks):
            task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await task

    async def _send_queued(self) -> None:
        while True:
            await self.websocket.send_text(await self._outbox.get())

    def _run(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


class ConnectionManager:
    """Delivers messages to the clients of this process, by channel.

    Delivery only queues: a broadcast never waits for, or fails because of, one client.
    A client whose queue is full is disconnected; a client whose socket died is dropped.
    """

    def __init__(self, queue_size: int) -> None:
        self._queue_size = queue_size
        self._subscribers: defaultdict[str, set[Connection]] = defaultdict(set)

    @asynccontextmanager
    async def connect(self, websocket: WebSocket) -> AsyncIterator[Connection]:
        """Register an accepted WebSocket for the duration of the block."""
        connection = Connection(websocket, self._queue_size)
        connection.start_sending(on_stop=lambda: self._forget(connection))
        try:
            yield connection
        finally:
            self._forget(connection)
            await connection.stop()

    def subscribe(self, connection: Connection, channel: str) -> None:
        connection.channels.add(channel)
        self._subscribers[channel].add(connection)

    def unsubscribe(self, connection: Connection, channel: str) -> None:
        connection.channels.discard(channel)
        subscribers = self._subscribers.get(channel, set())
        subscribers.discard(connection)
        if not subscribers:
            self._subscribers.pop(channel, None)

    def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    def send(self, connection: Connection, message: BaseModel) -> None:
        """Queue one message for one client."""
        self._deliver(connection, message.model_dump_json())

    def broadcast(self, channel: str, text: str) -> None:
        """Queue `text` for every subscriber of `channel` in this process."""
        for connection in list(self._subscribers.get(channel, ())):
            self._deliver(connection, text)

    def _deliver(self, connection: Connection, text: str) -> None:
        if not connection.offer(text):
            logger.warning("disconnecting a WebSocket client too slow to keep up")
            self._forget(connection)
            connection.close_soon(status.WS_1008_POLICY_VIOLATION, "too slow")

    def _forget(self, connection: Connection) -> None:
        for channel in list(connection.channels):
            self.unsubscribe(connection, channel)
