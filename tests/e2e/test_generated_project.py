"""Each generated project passes its own tests, linters and type checker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import (
    VARIANTS,
    Generate,
    assert_mypy_strict_is_clean,
    assert_own_tests_pass,
    run_in_project,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(params=list(VARIANTS))
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def project(variant: str, generated: Generate) -> Path:
    return generated(variant)


def test_own_tests_pass(variant: str, project: Path, project_python: Path) -> None:
    assert_own_tests_pass(project_python, project, variant)


def test_ruff_check_is_clean(project: Path, project_python: Path) -> None:
    run_in_project(project_python, project, "ruff", "check", "--no-cache", ".")


def test_ruff_format_is_clean(project: Path, project_python: Path) -> None:
    run_in_project(project_python, project, "ruff", "format", "--no-cache", "--check", ".")


def test_mypy_strict_is_clean(
    project: Path, project_python: Path, pytestconfig: pytest.Config
) -> None:
    assert_mypy_strict_is_clean(project_python, project, pytestconfig)
