"""The servers some tests need: where they are, and what to do when one is missing.

On a laptop without them, those tests skip with the reason. In CI (`CI` set) they must
run: a missing server fails the test.
"""

from __future__ import annotations

import os
import socket

import pytest

ADDRESSES = {
    "postgresql": ("127.0.0.1", 5432),
    "mysql": ("127.0.0.1", 3306),
    "redis": ("127.0.0.1", 6379),
}
# How the generated projects' tests reach each server (their TEST_* variables).
TEST_ENVIRONMENT = {
    "postgresql": {"TEST_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"},
    "mysql": {"TEST_DATABASE_URL": "mysql+aiomysql://root@127.0.0.1:3306"},
    "redis": {"TEST_REDIS_URL": "redis://127.0.0.1:6379/0"},
}

# Where the end-to-end tests put the databases of the apps they serve.
DATABASE_URLS = {
    "postgresql": "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}",
    "mysql": "mysql+aiomysql://root@127.0.0.1:3306/{name}",
}


def require(*servers: str) -> dict[str, str]:
    """Skip (or in CI fail) unless every server answers; return their TEST_* variables."""
    environment: dict[str, str] = {}
    for server in servers:
        host, port = ADDRESSES[server]
        try:
            socket.create_connection((host, port), timeout=2).close()
        except OSError as error:
            reason = f"{server} is not reachable at {host}:{port} ({error.strerror})"
            if os.environ.get("CI"):
                pytest.fail(f"{reason}: CI must run the tests that need it")
            pytest.skip(reason)
        environment |= TEST_ENVIRONMENT[server]
    return environment
