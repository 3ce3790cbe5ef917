"""Request telemetry: an id for each request, one log line for it, and its observers."""

import logging
import re
import time
import uuid
from collections.abc import Sequence
from typing import Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.logs import request_id

REQUEST_ID_HEADER = "X-Request-ID"
# An id sent by a client or proxy is kept if it is this plain; otherwise one is made.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

access_log = logging.getLogger("app.access")


class RequestObserver(Protocol):
    """Told of each answered HTTP request, e.g. to count it."""

    def observe(self, scope: Scope, status: int, seconds: float) -> None: ...


class RequestTelemetry:
    """Tag each request and WebSocket session with an id, log and observe requests.

    The id comes from the `X-Request-ID` header when it is a plain token, or is made;
    it is returned in the same header and stamped on every log line written for it.
    """

    def __init__(self, app: ASGIApp, observers: Sequence[RequestObserver] = ()) -> None:
        self.app = app
        self.observers = tuple(observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        current_id = _incoming_id(scope) or uuid.uuid4().hex
        header = (REQUEST_ID_HEADER.lower().encode(), current_id.encode())
        status = 500  # unless a response starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] in ("http.response.start", "websocket.accept"):
                status = message.get("status", 101)
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = request_id.set(current_id)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if scope["type"] == "http":
                self._record(scope, status, time.perf_counter() - started)
            request_id.reset(token)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        duration_ms = round(seconds * 1000, 2)
        access_log.info(
            "%s %s %d %.2fms",
            scope["method"],
            scope["path"],
            status,
            duration_ms,
            extra={
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": duration_ms,
            },
        )
        for observer in self.observers:
            observer.observe(scope, status, seconds)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _ACCEPTED_ID.fullmatch(text) else None
    return None
