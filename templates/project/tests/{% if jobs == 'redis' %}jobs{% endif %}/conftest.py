"""A webhook for the job tests: a real HTTP server on a free port of this machine."""

import asyncio
import inspect
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.services.publishing import DomainEvent
from tests.redis import REDIS_URL

POLL_SECONDS = 0.02
EVENT = DomainEvent(channel="things", name="thing.created", data={"id": 1})


@dataclass
class Delivery:
    request_id: str | None
    body: dict[str, Any]


@dataclass
class Webhook:
    """Answers each POST with the next of `statuses` (then 204); keeps what it took."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    attempts: int = 0
    delivered: list[Delivery] = field(default_factory=list)


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status = hook.statuses.pop(0) if hook.statuses else 204
            hook.attempts += 1
            if status < 300:
                hook.delivered.append(Delivery(self.headers["X-Request-ID"], body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield hook
    server.shutdown()
    server.server_close()


async def until(condition: Callable[[], object], within: float = 15) -> None:
    """Poll `condition()` (awaited if it is a coroutine) until it is true."""
    for _ in range(int(within / POLL_SECONDS)):
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        await asyncio.sleep(POLL_SECONDS)
    pytest.fail(f"not so within {within} s")


async def forget_queue(name: str) -> None:
    """Delete what a test's queue left in the test Redis, if there is one."""
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.delete(name, f"{name}:failed")
    except (RedisError, OSError):
        pass  # no Redis: nothing was left there
    finally:
        await redis.aclose()
