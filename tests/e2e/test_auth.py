"""Projects with `auth=jwt`, served by uvicorn in production mode: users register, log
in and use their token over real HTTP, logins are rate-limited (across processes where
Redis counts them), and an outside fuzzer holding an administrator's token finds
nothing."""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4
from xml.etree import ElementTree

import pytest

from tests.e2e.conftest import (
    VARIANTS,
    Generate,
    assert_mypy_strict_is_clean,
    assert_own_tests_pass,
    run_in_project,
    served_database,
    variant_environment,
)
from tests.e2e.test_serving import Server, serving
from tests.helpers import clean_env

pytestmark = pytest.mark.e2e

AUTH_VARIANTS = [name for name, variant in VARIANTS.items() if variant.answers.get("auth")]
WEBSOCKET_VARIANTS = [name for name in AUTH_VARIANTS if VARIANTS[name].answers.get("websocket")]
API = "/api/v1"
ADMIN = ("root@example.com", "an administrator's password")


@dataclass
class Client:
    """Requests to a server, as one user (or no one)."""

    server: Server
    token: str | None = None

    def request(
        self, method: str, path: str, body: object = None, *, form: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            self.server.base_url + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, _json(response.read()), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read()), dict(error.headers)

    def log_in(self, email: str, password: str) -> int:
        status, body, _ = self.request(
            "POST", f"{API}/auth/token", form={"username": email, "password": password}
        )
        if status == 200:
            self.token = body["access_token"]
        return status


def _json(raw: bytes) -> Any:
    return json.loads(raw) if raw else None


@dataclass
class Served:
    variant: str
    server: Server
    env: dict[str, str]
    project: Path


def production_env(variant: str, folder: Path, stack: ExitStack, python: Path) -> dict[str, str]:
    """The environment of a production server of the variant, its database migrated."""
    env = variant_environment(variant) | {
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_hex(32),
    }
    if "TEST_REDIS_URL" in env:
        env["REDIS_URL"] = env["TEST_REDIS_URL"]
    database = VARIANTS[variant].answers["database"]
    if database != "none":
        env["DATABASE_URL"] = stack.enter_context(served_database(database, python, folder))
    else:  # the in-process store starts empty: its first administrator comes from settings
        env |= {"ADMIN_EMAIL": ADMIN[0], "ADMIN_PASSWORD": ADMIN[1]}
    return env


@pytest.fixture(scope="module", params=AUTH_VARIANTS)
def served(
    request: pytest.FixtureRequest,
    generated: Generate,
    project_python: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    """A production server of each auth variant, with its first administrator."""
    variant = request.param
    project = generated(variant)
    folder = tmp_path_factory.mktemp(f"auth-{variant}")
    with ExitStack() as stack:
        env = production_env(variant, folder, stack, project_python)
        if "DATABASE_URL" in env:
            run_in_project(project_python, project, "alembic", "upgrade", "head", env=env)
            admin_env = env | {"ADMIN_PASSWORD": ADMIN[1]}
            run_in_project(project_python, project, "app.admin", ADMIN[0], env=admin_env)
        server = stack.enter_context(serving(project_python, project, env, folder / "uvicorn.log"))
        yield Served(variant, server, env, project)


@pytest.mark.parametrize("variant", AUTH_VARIANTS)
def test_own_tests_ruff_and_mypy_strict_pass(
    variant: str, generated: Generate, project_python: Path, pytestconfig: pytest.Config
) -> None:
    """The project's own tests: tokens, ownership of the login, rate limits, the
    production refusal, the admin command, the contract with a token."""
    project = generated(variant)
    assert_own_tests_pass(project_python, project, variant)
    run_in_project(project_python, project, "ruff", "check", "--no-cache", ".")
    run_in_project(project_python, project, "ruff", "format", "--no-cache", "--check", ".")
    assert_mypy_strict_is_clean(project_python, project, pytestconfig)


def register(server: Server) -> tuple[Client, str, str]:
    """A new user, logged in: the client, their address and password."""
    email, password = f"{uuid4().hex[:12]}@example.com", "correct horse battery staple"
    client = Client(server)
    status, body, _ = client.request(
        "POST", f"{API}/auth/register", {"email": email, "password": password}
    )
    assert status == 201, body
    assert client.log_in(email, password) == 200
    return client, email, password


def test_users_log_in_and_only_they_reach_the_items(served: Served) -> None:
    ada, ada_email, _ = register(served.server)
    anonymous = Client(served.server)

    status, me, _ = ada.request("GET", f"{API}/users/me")
    assert (status, me["email"], me["is_admin"]) == (200, ada_email, False)
    status, item, _ = ada.request("POST", f"{API}/items", {"name": f"lamp-{uuid4().hex}"})
    assert status == 201, item
    assert ada.request("GET", f"{API}/items/{item['id']}")[:2] == (200, item)

    status, _, headers = anonymous.request("GET", f"{API}/items/{item['id']}")
    assert (status, headers["www-authenticate"]) == (401, "Bearer")
    assert anonymous.request("POST", f"{API}/items", {"name": "x"})[0] == 401
    forged = Client(served.server, token=f"{ada.token}x")
    assert forged.request("GET", f"{API}/users/me")[0] == 401


def test_another_users_items_are_missing_and_an_administrator_reaches_them(
    served: Served,
) -> None:
    ada, bob, admin = register(served.server)[0], register(served.server)[0], Client(served.server)
    assert admin.log_in(*ADMIN) == 200
    status, item, _ = ada.request("POST", f"{API}/items", {"name": f"desk-{uuid4().hex}"})
    assert (status, item["owner_id"]) == (201, ada.request("GET", f"{API}/users/me")[1]["id"])
    path = f"{API}/items/{item['id']}"
    not_found = {"detail": f"Item {item['id']} not found"}

    for method, body in (("GET", None), ("PATCH", {"quantity": 7}), ("DELETE", None)):
        assert bob.request(method, path, body)[:2] == (404, not_found), method
    listed = bob.request("GET", f"{API}/items?limit=100")[1]
    assert item["id"] not in [row["id"] for row in listed["items"]]

    assert ada.request("GET", path)[:2] == (200, item)  # untouched by bob
    assert admin.request("GET", path)[:2] == (200, item)
    assert admin.request("DELETE", path)[0] == 204
    assert ada.request("GET", path)[0] == 404


@pytest.mark.parametrize("served", WEBSOCKET_VARIANTS, indirect=True)
def test_a_websocket_opens_only_with_a_valid_token(served: Served) -> None:
    ada = register(served.server)[0]

    assert handshake(served.server).startswith(b"HTTP/1.1 403")
    forged = handshake(served.server, f"Authorization: Bearer {ada.token}x")
    assert forged.startswith(b"HTTP/1.1 403")
    # As a browser sends it: new WebSocket(url, ["bearer", token])
    accepted = handshake(served.server, f"Sec-WebSocket-Protocol: bearer, {ada.token}")
    assert accepted.startswith(b"HTTP/1.1 101")
    assert b"sec-websocket-protocol: bearer" in accepted.lower().split(b"\r\n")


def handshake(server: Server, *headers: str) -> bytes:
    """The head of the server's answer to a WebSocket handshake sending `headers`."""
    address = urllib.parse.urlsplit(server.base_url)
    assert address.hostname is not None
    assert address.port is not None
    key = base64.b64encode(os.urandom(16)).decode()
    request = [
        f"GET {API}/ws HTTP/1.1", f"Host: {address.netloc}", "Upgrade: websocket",
        "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13",
        *headers,
    ]  # fmt: skip
    with socket.create_connection((address.hostname, address.port), timeout=10) as client:
        client.sendall(("\r\n".join(request) + "\r\n\r\n").encode())
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := client.recv(4096)):
            answer += chunk
    return answer.split(b"\r\n\r\n")[0]


def test_a_changed_password_is_the_only_one_that_logs_in(served: Served) -> None:
    ada, email, password = register(served.server)
    change = {"current_password": password, "new_password": "another long password"}

    assert ada.request("PUT", f"{API}/users/me/password", change)[0] == 204
    assert ada.request("GET", f"{API}/users/me")[0] == 401  # its token is void now

    assert Client(served.server).log_in(email, password) == 401
    assert Client(served.server).log_in(email, change["new_password"]) == 200


def test_the_first_administrator_lists_users(served: Served) -> None:
    admin, user = Client(served.server), register(served.server)[0]
    assert admin.log_in(*ADMIN) == 200

    status, page, _ = admin.request("GET", f"{API}/users?limit=100")

    assert status == 200
    assert ADMIN[0] in [account["email"] for account in page["items"]]
    assert user.request("GET", f"{API}/users")[0] == 403


def test_guessing_a_password_is_stopped_by_the_login_limit(
    served: Served, project_python: Path, tmp_path: Path
) -> None:
    _, email, password = register(served.server)
    guesser = Client(served.server)

    statuses = [guesser.log_in(email, f"guess {n}") for n in range(4)]  # 1 login + 4: five
    status, body, headers = guesser.request(
        "POST", f"{API}/auth/token", form={"username": email, "password": password}
    )

    assert statuses == [401] * 4
    assert (status, body) == (429, {"detail": "too many login attempts"})
    assert 1 <= int(headers["retry-after"]) <= 60
    if "REDIS_URL" in served.env:  # another replica sees the same count
        log = tmp_path / "replica.log"
        with serving(project_python, served.project, served.env, log) as replica:
            assert Client(replica).log_in(email, password) == 429


def test_production_refuses_to_start_without_a_secret_key(
    served: Served, project_python: Path
) -> None:
    env = {name: value for name, value in served.env.items() if name != "SECRET_KEY"}

    started = subprocess.run(
        [str(project_python), "-m", "uvicorn", "app.main:app", "--port", "0"],
        cwd=served.project, env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip

    assert started.returncode != 0
    assert "SECRET_KEY must be set in production" in started.stderr


def test_an_outside_fuzzer_with_an_administrators_token_finds_nothing(
    served: Served, project_python: Path, tmp_path: Path
) -> None:
    """Schemathesis, from outside, every check and phase, every route open to it."""
    admin = Client(served.server)
    assert admin.log_in(*ADMIN) == 200
    schemathesis = project_python.parent / "schemathesis"
    # One worker: in threads, CPython 3.11's ast.parse can fail with "AST constructor
    # recursion depth mismatch" (gh-106905), which Hypothesis met inside schemathesis.
    result = subprocess.run(
        [str(schemathesis), "run", f"{served.server.base_url}/openapi.json", "--checks", "all",
         "--header", f"Authorization: Bearer {admin.token}",
         "--max-examples", "10", "--workers", "1", "--report", "junit",
         "--report-dir", str(tmp_path)],
        capture_output=True, text=True, check=False, env=clean_env(), timeout=900,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout[-6000:]
    (report,) = tmp_path.glob("*.xml")
    suites = ElementTree.parse(report).getroot()  # noqa: S314 - the report of the run above
    assert int(suites.get("tests", "0")) > 0
    assert (suites.get("failures"), suites.get("errors")) == ("0", "0"), result.stdout[-6000:]
