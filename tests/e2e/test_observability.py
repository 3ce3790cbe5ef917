"""A served app is watchable: request ids, JSON logs, readiness, metrics and traces."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Generate, run_in_project, served_database, variant_environment
from tests.e2e.test_serving import Server, serving
from tests.helpers import http_server, json_log_lines

pytestmark = pytest.mark.e2e

VARIANT = "postgresql-ws-redis"  # metrics and tracing on, PostgreSQL and Redis


RECEIVED: list[tuple[str, bytes]] = []  # (path, body) of what the collector took


class Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver that keeps the bodies posted to it."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        RECEIVED.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def collector() -> Iterator[ThreadingHTTPServer]:
    with http_server(Collector) as server:
        yield server


@pytest.fixture(scope="module")
def watched(
    generated: Generate,
    project_python: Path,
    collector: ThreadingHTTPServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, Path]]:
    """The variant served as in production (JSON logs), tracing to the collector."""
    project = generated(VARIANT)
    folder = tmp_path_factory.mktemp("watched")
    log = folder / "uvicorn.log"
    host, port = collector.server_address[:2]
    with ExitStack() as stack:
        env = variant_environment(VARIANT) | {
            "LOG_FORMAT": "json",
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://{host!s}:{port}",
            "REDIS_URL": variant_environment(VARIANT)["TEST_REDIS_URL"],
        }
        env["DATABASE_URL"] = stack.enter_context(
            served_database("postgresql", project_python, folder)
        )
        run_in_project(project_python, project, "alembic", "upgrade", "head", env=env)
        yield stack.enter_context(serving(project_python, project, env, log)), log


def get(server: Server, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(server.base_url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, _lower(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _lower(error.headers.items()), error.read()


def _lower(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def test_a_request_id_comes_back_and_is_on_its_json_log_line(
    watched: tuple[Server, Path],
) -> None:
    server, log = watched
    status, headers, _ = get(server, "/api/v1/items/424242", {"X-Request-ID": "e2e-req-1"})

    assert status == 404
    assert headers["x-request-id"] == "e2e-req-1"
    (access,) = lines_of_request(log, "e2e-req-1")
    assert access["logger"] == "app.access"
    assert (access["method"], access["path"], access["status"]) == (
        "GET",
        "/api/v1/items/424242",
        404,
    )


def lines_of_request(log: Path, request_id: str, seconds: float = 10) -> list[dict[str, Any]]:
    """The JSON lines logged for the request, once its access line is there: the server
    writes that line after the response has gone, so it may come after the client has it."""
    deadline = time.monotonic() + seconds
    while True:
        found = [line for line in json_log_lines(log) if line.get("request_id") == request_id]
        if any(entry["logger"] == "app.access" for entry in found):
            return found
        assert time.monotonic() < deadline, f"no access line for {request_id} in {seconds} s"
        time.sleep(0.05)


def test_ready_with_postgresql_and_redis_up(watched: tuple[Server, Path]) -> None:
    server, _ = watched
    status, _, body = get(server, "/health/ready", {})

    assert status == 200
    assert json.loads(body) == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


def test_metrics_count_requests_by_route_template(watched: tuple[Server, Path]) -> None:
    server, _ = watched
    for item_id in (1001, 1002, 1003):
        get(server, f"/api/v1/items/{item_id}", {})

    status, headers, body = get(server, "/metrics", {})

    assert status == 200
    assert headers["content-type"].startswith("text/plain")
    series = 'http_requests_total{method="GET",route="/api/v1/items/{item_id}",status="404"}'
    counts = [line for line in body.decode().splitlines() if line.startswith(series)]
    assert len(counts) == 1
    assert float(counts[0].split()[-1]) >= 3
    assert "/api/v1/items/1001" not in body.decode()


def test_spans_reach_the_otlp_endpoint(
    watched: tuple[Server, Path],
) -> None:
    server, _ = watched
    get(server, "/api/v1/items?limit=1", {})

    deadline = time.monotonic() + 15  # the batch processor exports every 5 s
    while time.monotonic() < deadline:
        traces = b"".join(body for path, body in RECEIVED if path == "/v1/traces")
        if b"GET /api/v1/items" in traces and b"SELECT" in traces:  # a request, its query
            return
        time.sleep(0.2)
    pytest.fail(f"the spans of GET /api/v1/items did not arrive: {RECEIVED!r}")
