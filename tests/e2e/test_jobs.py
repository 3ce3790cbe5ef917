"""Jobs across real processes: the served app queues on Redis, `python -m app.worker`
runs the job, and the webhook receives the item's event with the request's id."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from tests.e2e.conftest import Generate, run_in_project, served_database, variant_environment
from tests.e2e.test_serving import Server, serving
from tests.helpers import http_server, json_log_lines, run

pytestmark = pytest.mark.e2e

VARIANT = "sqlite-ws-redis"  # jobs on Redis, WebSocket broadcasts through it too


@dataclass
class Webhook:
    """Answers with the next of `refusals` (then 204); keeps what it accepted."""

    url: str = ""
    refusals: list[int] = field(default_factory=list)
    attempts: int = 0
    accepted: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)


@pytest.fixture(scope="module")
def webhook() -> Iterator[Webhook]:
    hook = Webhook()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status = hook.refusals.pop(0) if hook.refusals else 204
            hook.attempts += 1
            if status < 300:
                hook.accepted.append((self.headers["X-Request-ID"], body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    with http_server(Receiver) as server:
        hook.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
        yield hook


@pytest.fixture(scope="module")
def running(
    generated: Generate,
    project_python: Path,
    webhook: Webhook,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, Path]]:
    """The app served as in production, and its worker; yields the worker's log."""
    project = generated(VARIANT)
    folder = tmp_path_factory.mktemp("jobs")
    queue = f"e2e-{uuid4().hex[:12]}:jobs"
    redis_url = variant_environment(VARIANT)["TEST_REDIS_URL"]
    env = variant_environment(VARIANT) | {
        "LOG_FORMAT": "json",
        "REDIS_URL": redis_url,
        "JOBS_QUEUE": queue,
        "WEBHOOK_URL": webhook.url,
        "JOB_MAX_ATTEMPTS": "3",
        "JOB_RETRY_DELAY_SECONDS": "0.1",
    }
    worker_log = folder / "worker.log"
    with ExitStack() as stack:
        env["DATABASE_URL"] = stack.enter_context(served_database("sqlite", project_python, folder))
        run_in_project(project_python, project, "alembic", "upgrade", "head", env=env)
        server = stack.enter_context(serving(project_python, project, env, folder / "app.log"))
        with worker_log.open("wb") as log:
            worker = subprocess.Popen(
                [str(project_python), "-m", "app.worker"],
                cwd=project,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            yield server, worker_log
        finally:
            worker.terminate()
            worker.wait(timeout=15)
            forget = f"import redis; redis.Redis.from_url({redis_url!r}).delete({queue!r})"
            run([str(project_python), "-c", forget], cwd=project, env=env)


def send(server: Server, method: str, path: str, body: object, request_id: str) -> int:
    request = urllib.request.Request(
        server.base_url + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", "X-Request-ID": request_id},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def wait_until(condition: Callable[[], object], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not so in time"
        time.sleep(0.05)


def test_an_item_created_over_http_reaches_the_webhook_through_the_worker(
    running: tuple[Server, Path], webhook: Webhook
) -> None:
    server, worker_log = running

    status = send(server, "POST", "/api/v1/items", {"name": "e2e-widget"}, "e2e-job-1")

    assert status == 201
    wait_until(lambda: any(id_ == "e2e-job-1" for id_, _ in webhook.accepted))
    (body,) = [body for id_, body in webhook.accepted if id_ == "e2e-job-1"]
    assert (body["channel"], body["name"]) == ("items", "item.created")
    assert body["data"]["name"] == "e2e-widget"
    # The webhook records the body before the worker hears back and logs the delivery.
    wait_until(lambda: delivered_in_log(worker_log, "e2e-job-1"))


def delivered_in_log(worker_log: Path, request_id: str) -> bool:
    return any(
        line["request_id"] == request_id and "delivered" in line["message"]
        for line in json_log_lines(worker_log)
    )


def test_a_refused_delivery_is_retried_by_the_worker_until_taken(
    running: tuple[Server, Path], webhook: Webhook
) -> None:
    server, _ = running
    send(server, "POST", "/api/v1/items", {"name": "e2e-retried"}, "e2e-job-2")
    wait_until(lambda: any(id_ == "e2e-job-2" for id_, _ in webhook.accepted))
    attempts = webhook.attempts
    webhook.refusals = [503, 500]

    (item_id,) = [b["data"]["id"] for id_, b in webhook.accepted if id_ == "e2e-job-2"]
    assert send(server, "DELETE", f"/api/v1/items/{item_id}", None, "e2e-job-3") == 204

    wait_until(lambda: any(id_ == "e2e-job-3" for id_, _ in webhook.accepted))
    assert webhook.attempts - attempts == 3
    (body,) = [body for id_, body in webhook.accepted if id_ == "e2e-job-3"]
    assert body["name"] == "item.deleted"
