"""Helpers shared by the tests."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every path below `root` (included) with its mode, size and content hash."""
    entries = {}
    for path in [root, *sorted(root.rglob("*"))]:
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        entries[str(path.relative_to(root))] = (info.st_mode, info.st_size, digest)
    return entries


def run(
    command: list[str], cwd: Path, *, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run `command`, failing the test with its output if it exits non-zero."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"{' '.join(command)} exited {result.returncode} in {cwd}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    return result


def clean_env(**overrides: str) -> dict[str, str]:
    """The environment without the variables of the virtual environment running the tests."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    }
    return env | overrides


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """Make `path` impossible to change or replace, even for root; skip if it cannot be."""
    if shutil.which("chattr") is None or os.geteuid() != 0:
        pytest.skip("making a file immutable needs root and chattr")
    if subprocess.run(["chattr", "+i", str(path)], check=False).returncode != 0:
        pytest.skip("this filesystem does not support the immutable attribute")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def interruptible() -> None:
    """For `preexec_fn`: Ctrl-C (SIGINT) back to its default in the child, which a
    shell's background job (as CI may run the tests) inherits as ignored."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    """Serve `handler` on a free loopback port, in a thread, until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def json_log_lines(log: Path) -> list[dict[str, Any]]:
    """The JSON objects a server has logged so far, one a line; a line still being written
    (the last, without its newline) is left for the next read."""
    *complete, _ = log.read_text().split("\n")
    return [json.loads(line) for line in complete if line.startswith("{")]
