"""Generated projects and the one environment their own tools run in, cached per session.

Each option set is generated once per test session. Their dependencies (the union of all
option sets) are installed once into a virtual environment kept in pytest's cache folder
and reused until the requirements change.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sys
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import pytest

from fastgen.api import ProjectRequest, create_project
from fastgen.names import parse_project_name
from tests import servers
from tests.helpers import clean_env, run


@dataclass(frozen=True)
class Variant:
    """An option set the end-to-end tests exercise, and the servers its tests need."""

    answers: dict[str, str]
    servers: tuple[str, ...] = ()


# The options each WebSocket variant adds: every database is tested with none of
# them, with tracing alone, and with jobs, metrics and tracing (Redis is up for it).
EXTRAS = {
    "memory": {"tracing": "true"},
    "redis": {"jobs": "redis", "metrics": "true", "tracing": "true"},
}
# Where a database server keeps the data, a project may run on several machines: the
# plain variant also runs on Lambda, the Redis one on Kubernetes.
SERVER_EXTRAS = {"": {"serverless": "aws-lambda"}, "redis": {"kubernetes": "true"}}
AUTH_EXTRAS = {
    "sqlite": {"websocket": "true", "broadcast_backend": "memory"},
    "postgresql": {"jobs": "redis", "websocket": "true", "broadcast_backend": "redis"},
}


def _variants() -> dict[str, Variant]:
    """Every database x WebSocket off, memory, redis (and the extras above), and x auth."""
    variants = {}
    for database in ("sqlite", "postgresql", "mysql", "none"):
        servers = (database,) if database in ("postgresql", "mysql") else ()
        deploy = SERVER_EXTRAS if servers else {}
        variants[database] = Variant({"database": database} | deploy.get("", {}), servers)
        for backend, extras in EXTRAS.items():
            answers = {"database": database, "websocket": "true", "broadcast_backend": backend}
            needs = servers + (("redis",) if backend == "redis" else ())
            answers |= extras | deploy.get(backend, {})
            variants[f"{database}-ws-{backend}"] = Variant(answers, needs)
        # Logged-in users on every database; with jobs where Redis can count logins,
        # WebSocket events through Redis there, and in process on SQLite.
        answers = {"database": database, "auth": "jwt"} | AUTH_EXTRAS.get(database, {})
        if database == "mysql":
            answers |= deploy.get("", {})
        needs = servers + (("redis",) if answers.get("jobs") == "redis" else ())
        variants[f"{database}-auth"] = Variant(answers, needs)
    return variants


VARIANTS = _variants()

Generate = Callable[[str], Path]


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generate:
    """Return the project generated for a variant, generating it on first use."""
    root = tmp_path_factory.mktemp("projects")
    projects: dict[str, Path] = {}

    def generate(variant: str) -> Path:
        if variant not in projects:
            project = create_project(
                ProjectRequest(
                    name=parse_project_name("shop"),
                    destination=root / variant,
                    answers=VARIANTS[variant].answers,
                    git=False,
                )
            )
            projects[variant] = project.path
        return projects[variant]

    return generate


@pytest.fixture(scope="session")
def project_python(generated: Generate, pytestconfig: pytest.Config) -> Path:
    """An interpreter with every variant's dependencies and dev tools installed."""
    requirements = sorted(
        {requirement for variant in VARIANTS for requirement in _requirements(generated(variant))}
    )
    key = hashlib.sha256("\n".join([sys.version, *requirements]).encode()).hexdigest()[:16]
    venv = pytestconfig.cache.mkdir("e2e-venvs") / key
    python = venv / "bin" / "python"
    with venv.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time: pytest-xdist's workers
        if not (venv / "complete").exists():
            shutil.rmtree(venv, ignore_errors=True)
            uv = [sys.executable, "-m", "uv"]
            run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], venv.parent)
            # Compiled once here: hundreds of processes import from this venv, and the
            # environment may forbid writing bytecode (PYTHONDONTWRITEBYTECODE), so
            # without it each would compile FastAPI, SQLAlchemy, Hypothesis... again.
            install = [*uv, "pip", "install", "--quiet", "--compile-bytecode"]
            run([*install, "--python", str(python), *requirements], venv.parent)
            (venv / "complete").touch()
    return python


def _requirements(project: Path) -> list[str]:
    config = tomllib.loads((project / "pyproject.toml").read_text())
    return [*config["project"]["dependencies"], *config["dependency-groups"]["dev"]]


def variant_environment(variant: str) -> dict[str, str]:
    """The environment the variant's own tools run in; skips if a server is missing."""
    return clean_env(**servers.require(*VARIANTS[variant].servers))


def run_in_project(
    python: Path, project: Path, *args: str, env: dict[str, str] | None = None
) -> str:
    """Run `python -m ARGS` in `project` (so that `app` imports from it); return stdout."""
    return run([str(python), "-m", *args], cwd=project, env=env or clean_env()).stdout


def assert_own_tests_pass(python: Path, project: Path, variant: str) -> None:
    """The project's own pytest passes, none skipped: the server tests ran on the servers."""
    command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    # A project with every field type takes about 300 s on a loaded two-CPU CI machine.
    output = run(command, project, env=variant_environment(variant), timeout=900).stdout

    assert " passed" in output
    assert "skipped" not in output


def assert_mypy_strict_is_clean(python: Path, project: Path, config: pytest.Config) -> None:
    # One cache per xdist worker, shared by its projects (two mypy processes writing one
    # cache corrupt it). mypy trusts a cached module whose path, size and mtime second
    # match, so the files are named by absolute path: projects generated in the same
    # second share relative paths and often sizes.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    cache = config.cache.mkdir(f"mypy-{worker}") if config.cache else "/dev/null"
    files = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["mypy"]["files"]
    targets = [str(project / name) for name in files]
    output = run_in_project(python, project, "mypy", "--cache-dir", str(cache), *targets)

    assert "Success: no issues found" in output


_EXECUTE_ON_SERVER = """
import asyncio, sys
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

async def main(url, statement):
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()

asyncio.run(main(*sys.argv[1:]))
"""


@contextmanager
def served_database(variant: str, python: Path, folder: Path) -> Iterator[str]:
    """Yield the DATABASE_URL of a new, empty database for the variant, dropped afterwards."""
    if variant == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'served.db'}"
        return
    server_url = servers.require(variant)["TEST_DATABASE_URL"]
    name = f"served_{uuid4().hex[:12]}"

    def execute(statement: str) -> None:
        run([str(python), "-c", _EXECUTE_ON_SERVER, server_url, statement], cwd=folder)

    execute(f"CREATE DATABASE {name}")
    try:
        yield servers.DATABASE_URLS[variant].format(name=name)
    finally:
        execute(f"DROP DATABASE {name}")
