"""The WebSocket protocol to serve the app with: uvicorn's, minus stalled clients.

Serve with `uvicorn app.main:app --ws app.realtime.protocol:StallGuardProtocol`.
"""

import asyncio
import logging
import socket
import struct

from uvicorn.protocols.websockets.websockets_sansio_impl import (
    WebSocketsSansIOProtocol,
)

from app.core.config import settings

logger = logging.getLogger(__name__)


class StallGuardProtocol(WebSocketsSansIOProtocol):
    """Drops the connection of a client that has stopped reading.

    When a client's send buffer is full, uvicorn stops writing and waits for it to
    drain; forever, if the client never reads again, and a close waits too. Here a
    buffer that has not drained within `websocket_stall_seconds` aborts the
    connection, which frees its socket and memory at once.
    """

    _stall_timer: asyncio.TimerHandle | None = None

    def pause_writing(self) -> None:
        super().pause_writing()
        delay = settings.websocket_stall_seconds
        self._stall_timer = self.loop.call_later(delay, self._abort_stalled)

    def resume_writing(self) -> None:
        self._cancel_stall_timer()
        super().resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_stall_timer()
        super().connection_lost(exc)

    def _abort_stalled(self) -> None:
        logger.warning("dropping a WebSocket client that stopped reading")
        # Reset rather than close: closing would leave the kernel holding the unsent
        # data, still waiting for the client to read it.
        connection = self.transport.get_extra_info("socket")
        linger_none = struct.pack("ii", 1, 0)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger_none)
        self.transport.abort()

    def _cancel_stall_timer(self) -> None:
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None
