"""Each generated project passes its own tests, linters and type checker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import VARIANTS, Generate, run_in_project, variant_environment

pytestmark = pytest.mark.e2e


@pytest.fixture(params=list(VARIANTS))
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def project(variant: str, generated: Generate) -> Path:
    return generated(variant)


def test_own_tests_pass(variant: str, project: Path, project_python: Path) -> None:
    output = run_in_project(
        project_python,
        project,
        *("pytest", "-q", "-p", "no:cacheprovider"),
        env=variant_environment(variant),
    )

    assert " passed" in output
    assert "skipped" not in output


def test_ruff_check_is_clean(project: Path, project_python: Path) -> None:
    run_in_project(project_python, project, "ruff", "check", "--no-cache", ".")


def test_ruff_format_is_clean(project: Path, project_python: Path) -> None:
    run_in_project(project_python, project, "ruff", "format", "--no-cache", "--check", ".")


def test_mypy_strict_is_clean(
    project: Path, project_python: Path, pytestconfig: pytest.Config
) -> None:
    # One cache for every variant: mypy rechecks whatever differs, by path and hash.
    cache = pytestconfig.cache.mkdir("mypy") if pytestconfig.cache else "/dev/null"
    output = run_in_project(project_python, project, "mypy", "--cache-dir", str(cache))

    assert "Success: no issues found" in output
