"""The WebSocket clients of this process and the channels they subscribed to."""

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

from fastapi import WebSocket, WebSocketDisconnect, status
from pydantic import BaseModel

logger = logging.getLogger(__name__)


class Connection:
    """One client: its channels, and the messages waiting to be sent to it.

    At most `backlog_bytes` wait (or one message of any size): a client further behind
    is too slow. Once closing, nothing more is sent, and the close is sent only once.
    """

    def __init__(
        self, websocket: WebSocket, backlog_bytes: int, close_seconds: float
    ) -> None:
        self.websocket = websocket
        self.channels: set[str] = set()
        self._backlog_bytes = backlog_bytes
        self._close_seconds = close_seconds
        self._outbox: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
        self._waiting_bytes = 0
        self._sender: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None

    @property
    def closing(self) -> bool:
        return self._closer is not None

    def offer(self, text: str, size: int) -> bool:
        """Queue `text` of `size` bytes; False if the client is too far behind."""
        if self._waiting_bytes and self._waiting_bytes + size > self._backlog_bytes:
            return False
        self._waiting_bytes += size
        self._outbox.put_nowait((text, size))
        return True

    def start_sending(self, on_stop: Callable[[], None]) -> None:
        """Send queued messages in the background; call `on_stop` when that ends."""
        self._sender = asyncio.create_task(self._send_queued())
        self._sender.add_done_callback(lambda _: on_stop())

    def close_soon(self, code: int, reason: str) -> None:
        """Drop what waits and send the close frame in the background; once only."""
        if self._closer is None:
            if self._sender is not None:
                self._sender.cancel()
            self._closer = asyncio.create_task(self._close(code, reason))

    async def stop(self) -> None:
        """Stop sending, and wait until the close frame (if any) has left or failed."""
        if self._sender is not None:
            self._sender.cancel()
            with suppress(asyncio.CancelledError, WebSocketDisconnect):
                await self._sender
        if self._closer is not None:
            await self._closer

    async def _send_queued(self) -> None:
        while True:
            text, size = await self._outbox.get()
            await self.websocket.send_text(text)
            self._waiting_bytes -= size

    async def _close(self, code: int, reason: str) -> None:
        # A client that reads nothing never takes the frame; the server's stall guard
        # (app.realtime.protocol) then drops its connection, and this ends.
        try:
            async with asyncio.timeout(self._close_seconds):
                await self.websocket.close(code, reason)
        except WebSocketDisconnect:
            pass  # the client had gone already
        except TimeoutError:
            logger.warning("a WebSocket client took no close frame in time")


class ConnectionManager:
    """Delivers messages to the clients of this process, by channel.

    Delivery only queues: a broadcast never waits for, or fails because of, one client.
    A client too far behind is disconnected; a client whose socket died is dropped.
    """

    def __init__(self, backlog_bytes: int, close_seconds: float) -> None:
        self._backlog_bytes = backlog_bytes
        self._close_seconds = close_seconds
        self._subscribers: defaultdict[str, set[Connection]] = defaultdict(set)
        self.connection_count = 0  # clients connected to this process now

    @asynccontextmanager
    async def connect(self, websocket: WebSocket) -> AsyncIterator[Connection]:
        """Register an accepted WebSocket for the duration of the block."""
        connection = Connection(websocket, self._backlog_bytes, self._close_seconds)
        connection.start_sending(on_stop=lambda: self._forget(connection))
        self.connection_count += 1
        try:
            yield connection
        finally:
            self.connection_count -= 1
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
        text = message.model_dump_json()
        self._deliver(connection, text, len(text.encode()))

    def broadcast(self, channel: str, text: str) -> None:
        """Queue `text` for every subscriber of `channel` in this process."""
        size = len(text.encode())
        for connection in list(self._subscribers.get(channel, ())):
            self._deliver(connection, text, size)

    def close(self, connection: Connection, code: int, reason: str) -> None:
        """Stop delivering to `connection` and close it, without waiting."""
        self._forget(connection)
        connection.close_soon(code, reason)

    def _deliver(self, connection: Connection, text: str, size: int) -> None:
        if connection.closing:
            return
        if not connection.offer(text, size):
            logger.warning("disconnecting a WebSocket client too slow to keep up")
            self.close(connection, status.WS_1008_POLICY_VIOLATION, "too slow")

    def _forget(self, connection: Connection) -> None:
        for channel in list(connection.channels):
            self.unsubscribe(connection, channel)
