"""The generated app, served by uvicorn, answers real HTTP requests."""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from tests.e2e.conftest import (
    Generate,
    run_in_project,
    served_database,
    variant_environment,
)

pytestmark = pytest.mark.e2e


class Server:
    """A running app and a minimal JSON client for it."""

    def __init__(self, base_url: str, pid: int = 0) -> None:
        self.base_url = base_url
        self.pid = pid

    def request(self, method: str, path: str, body: object = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read())


def _json(raw: bytes) -> Any:
    return json.loads(raw) if raw else None


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mysql", "none"])
def server(
    request: pytest.FixtureRequest,
    generated: Generate,
    project_python: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """One server per variant, shared by this module's tests (which use unique names)."""
    variant = request.param
    project = generated(variant)
    folder = tmp_path_factory.mktemp(f"served-{variant}")
    with ExitStack() as stack:
        env = variant_environment(variant)
        if variant != "none":
            database_url = stack.enter_context(served_database(variant, project_python, folder))
            env["DATABASE_URL"] = database_url
            run_in_project(project_python, project, "alembic", "upgrade", "head", env=env)
        yield stack.enter_context(serving(project_python, project, env, folder / "uvicorn.log"))


@contextmanager
def serving(python: Path, project: Path, env: dict[str, str], log: Path) -> Iterator[Server]:
    """Run the project's app under uvicorn on a free loopback port."""
    # uvicorn serves on a socket bound here and handed over, so no port can be lost.
    with socket.socket() as listener, log.open("wb") as log_file:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        command = ["uvicorn", "app.main:app", *production_options(project)]
        process = subprocess.Popen(
            [str(python), "-m", *command, "--fd", str(listener.fileno())],
            cwd=project,
            env=env,
            pass_fds=[listener.fileno()],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        server = Server(f"http://127.0.0.1:{port}", process.pid)
        _wait_until_healthy(server, process, log)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


def production_options(project: Path) -> list[str]:
    """uvicorn's options in the project's Dockerfile, less where it listens."""
    cmd = next(
        line
        for line in (project / "Dockerfile").read_text().splitlines()
        if line.startswith("CMD ")
    )
    words = json.loads(cmd.removeprefix("CMD "))
    options = words[words.index("app.main:app") + 1 :]
    pairs = dict(zip(options[::2], options[1::2], strict=True))
    return [
        word
        for name, value in pairs.items()
        if name not in ("--host", "--port")
        for word in (name, value)
    ]


def _wait_until_healthy(server: Server, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"uvicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            if server.request("GET", "/health") == (200, {"status": "ok"}):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail("the app did not answer /health within 20 s")


ITEMS = "/api/v1/items"


def test_crud_round_trip_over_http(server: Server) -> None:
    total_before = server.request("GET", ITEMS)[1]["total"]
    status, lamp = server.request("POST", ITEMS, {"name": "Round lamp", "quantity": 2})
    assert status == 201
    assert lamp == {"id": lamp["id"], "name": "Round lamp", "description": None, "quantity": 2}
    server.request("POST", ITEMS, {"name": "Round desk"})

    assert server.request("GET", f"{ITEMS}/{lamp['id']}") == (200, lamp)
    status, page = server.request("GET", f"{ITEMS}?offset={total_before}&limit=1")
    assert (status, page["total"], page["items"]) == (200, total_before + 2, [lamp])

    assert server.request("PATCH", f"{ITEMS}/{lamp['id']}", {"quantity": 7}) == (
        200,
        lamp | {"quantity": 7},
    )
    assert server.request("DELETE", f"{ITEMS}/{lamp['id']}") == (204, None)
    assert server.request("GET", f"{ITEMS}/{lamp['id']}") == (
        404,
        {"detail": f"Item {lamp['id']} not found"},
    )


def test_domain_and_validation_errors_over_http(server: Server) -> None:
    server.request("POST", ITEMS, {"name": "Error lamp"})

    assert server.request("POST", ITEMS, {"name": "Error lamp"}) == (
        409,
        {"detail": "name 'Error lamp' is taken"},
    )
    status, body = server.request("POST", ITEMS, {"name": "", "quantity": -1})
    assert status == 422
    assert {tuple(error["loc"]) for error in body["detail"]} == {
        ("body", "name"),
        ("body", "quantity"),
    }
    assert server.request("GET", f"{ITEMS}?limit=1000")[0] == 422
    assert server.request("POST", ITEMS, {"name": "Flag", "quantity": False})[0] == 422
    assert server.request("GET", f"{ITEMS}/99999999999999999999")[0] == 422


def test_openapi_and_docs_are_served(server: Server) -> None:
    status, schema = server.request("GET", "/openapi.json")

    assert status == 200
    assert schema["info"]["title"] == "shop"
    assert {"/health", ITEMS, f"{ITEMS}/{{item_id}}"} <= set(schema["paths"])
    assert schema["paths"][ITEMS]["post"]["operationId"] == "create_item"
    with urllib.request.urlopen(server.base_url + "/docs", timeout=10) as response:
        assert b"swagger-ui" in response.read()


def test_racing_changes_of_one_row_never_fail(server: Server) -> None:
    """Two PATCHes and two DELETEs of one row at once: a lost race is a 404, never a 500."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(20):
            created = server.request("POST", ITEMS, {"name": f"race {uuid4().hex}"})[1]
            path = f"{ITEMS}/{created['id']}"
            calls = [
                ("PATCH", path, {"quantity": 1}),
                ("PATCH", path, {"quantity": 2}),
                ("DELETE", path, None),
                ("DELETE", path, None),
            ]
            statuses = list(pool.map(lambda call: server.request(*call)[0], calls))

            assert sorted(statuses[2:]) == [204, 404]  # exactly one DELETE deletes
            assert set(statuses[:2]) <= {200, 404}


def test_a_burst_of_huge_bodies_is_refused_within_bounded_memory(server: Server) -> None:
    """Sixteen 50 MB bodies at once, without Content-Length: each refused, none held."""
    before = rss_mib(server.pid)

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: post_streamed(server, 50 * MIB), range(16)))

    assert set(statuses) <= {413, None}  # None: the server closed before we finished
    assert 413 in statuses
    assert peak_rss_mib(server.pid) - before < 64  # the bound the generated README states


MIB = 1024 * 1024


def post_streamed(server: Server, size: int) -> int | None:
    """POST `size` bytes in chunks, with no Content-Length; the status, if one came."""
    host, port = server.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    chunk = b"x" * (64 * 1024)
    try:
        connection.request(
            "POST", ITEMS, body=(chunk for _ in range(size // len(chunk))),
            headers={"Content-Type": "application/json"}, encode_chunked=True,
        )  # fmt: skip
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def rss_mib(pid: int) -> float:
    return _status_kib(pid, "VmRSS") / 1024


def peak_rss_mib(pid: int) -> float:
    return _status_kib(pid, "VmHWM") / 1024


def _status_kib(pid: int, key: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(rf"^{key}:\s+(\d+) kB", status, re.MULTILINE)
    assert found, status
    return int(found[1])
