"""Generated projects and the one environment their own tools run in, cached per session.

Each option set is generated once per test session. Their dependencies (the union of all
option sets) are installed once into a virtual environment kept in pytest's cache folder
and reused until the requirements change.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from fastgen.api import ProjectRequest, create_project
from fastgen.names import parse_project_name
from tests.helpers import clean_env, run

# One entry per option set that the end-to-end tests exercise.
VARIANTS: dict[str, dict[str, str]] = {
    "sqlite": {"database": "sqlite"},
    "none": {"database": "none"},
}

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
                    answers=VARIANTS[variant],
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
    if not (venv / "complete").exists():
        shutil.rmtree(venv, ignore_errors=True)
        uv = [sys.executable, "-m", "uv"]
        run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=venv.parent)
        run([*uv, "pip", "install", "--quiet", "--python", str(python), *requirements], venv.parent)
        (venv / "complete").touch()
    return python


def _requirements(project: Path) -> list[str]:
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    return [*metadata["dependencies"], *metadata["optional-dependencies"]["dev"]]


def run_in_project(
    python: Path, project: Path, *args: str, env: dict[str, str] | None = None
) -> str:
    """Run `python -m ARGS` in `project` (so that `app` imports from it); return stdout."""
    return run([str(python), "-m", *args], cwd=project, env=env or clean_env()).stdout
