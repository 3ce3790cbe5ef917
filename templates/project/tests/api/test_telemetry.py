"""Each request gets an id, returned to the client, and one log line that carries it."""

import json

import pytest
from httpx import ASGITransport, AsyncClient

from app.core.config import Settings
from app.main import create_app


def client_of(config: Settings) -> AsyncClient:
    transport = ASGITransport(app=create_app(config))
    return AsyncClient(transport=transport, base_url="http://test")


async def test_a_plain_request_id_is_kept_and_returned() -> None:
    async with client_of(Settings()) as client:
        response = await client.get("/health", headers={"X-Request-ID": "req-42.a:b"})

    assert response.headers["X-Request-ID"] == "req-42.a:b"


@pytest.mark.parametrize(
    "sent", [None, b"", b"x" * 129, b"a b", b"log\xe2\x80\xa8injection"]
)
async def test_an_id_is_made_when_none_usable_is_sent(sent: bytes | None) -> None:
    headers = {} if sent is None else {b"X-Request-ID": sent}
    async with client_of(Settings()) as client:
        first = await client.get("/health", headers=headers)
        second = await client.get("/health", headers=headers)

    made = first.headers["X-Request-ID"]
    assert made.encode() != sent
    assert len(made) == 32
    assert made != second.headers["X-Request-ID"]


async def test_each_request_is_one_json_line_in_production(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with client_of(Settings(log_format="json")) as client:
        await client.get("/no/such/page", headers={"X-Request-ID": "trace-7"})

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    access = [line for line in lines if line["logger"] == "app.access"]
    assert len(access) == 1
    assert access[0] | {"time": None, "duration_ms": None} == {
        "time": None,
        "level": "INFO",
        "logger": "app.access",
        "message": access[0]["message"],
        "request_id": "trace-7",
        "method": "GET",
        "path": "/no/such/page",
        "status": 404,
        "duration_ms": None,
    }
    assert access[0]["message"].startswith("GET /no/such/page 404 ")
    assert access[0]["duration_ms"] >= 0


async def test_console_lines_carry_the_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with client_of(Settings(log_format="console")) as client:
        await client.get("/health", headers={"X-Request-ID": "console-1"})

    output = capsys.readouterr().out.splitlines()
    (line,) = [line for line in output if "app.access" in line]
    assert "[console-1] GET /health 200 " in line
