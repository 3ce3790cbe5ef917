"""`fastgen update` and `fastgen check` on projects made by released template versions.

The projects are made by the released fastgen itself, run from its snapshot, under
git, with a resource added and edits of their users; after the update their own tests,
ruff and mypy pass.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fastgen import _snapshots
from tests.e2e.conftest import (
    assert_mypy_strict_is_clean,
    assert_own_tests_pass,
    run_in_project,
)
from tests.helpers import run

pytestmark = pytest.mark.e2e
ORDER = "order total:int note:str?"


def make_released(
    version: str, destination: Path, answers: dict[str, object], *resources: str
) -> Path:
    """A project made by the released `version`, with `resources`, committed to git."""
    answers_file = destination.parent / f"{destination.name}.answers.yml"
    answers_file.write_text(json.dumps(answers))
    with _snapshots.extracted(version) as source:
        new = ["new", destination.name, str(destination), "--yes", "--no-git", "-q"]
        _snapshots.run_released(
            source, [*new, "--answers-file", str(answers_file)], cwd=destination.parent
        )
        for resource in resources:
            add = ["generate", "resource", *resource.split()]
            _snapshots.run_released(source, add, cwd=destination)
    git(destination, "init", "-q")
    commit(destination, f"made by template {version}")
    return destination


def git(project: Path, *arguments: str) -> str:
    return run(["git", *arguments], cwd=project).stdout


def commit(project: Path, message: str) -> None:
    git(project, "add", "-A")
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    git(project, *identity, "commit", "-q", "--allow-empty", "-m", message)


def fastgen(project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastgen", *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def assert_project_is_green(
    python: Path, project: Path, variant: str, config: pytest.Config
) -> None:
    run_in_project(python, project, "ruff", "check", "--no-cache", ".")
    run_in_project(python, project, "ruff", "format", "--no-cache", "--check", ".")
    assert_mypy_strict_is_clean(python, project, config)
    assert_own_tests_pass(python, project, variant)


@pytest.mark.parametrize("variant", ["sqlite", "postgresql"])
def test_a_0_2_0_project_with_edits_and_a_resource_updates_and_stays_green(
    variant: str, tmp_path: Path, project_python: Path, pytestconfig: pytest.Config
) -> None:
    project = make_released("0.2.0", tmp_path / "shop", {"database": variant}, ORDER)
    main = project / "app/main.py"
    main.write_text(main.read_text() + "\n\n# Our shop, served since 2026.\n")
    (project / "app/services/pricing.py").write_text('"""Prices, our own module."""\n\nVAT = 0.2\n')
    commit(project, "our edits")

    result = fastgen(project, "update")

    assert result.returncode == 0, result.stderr
    assert "0.2.0 -> " in result.stdout
    assert main.read_text().endswith("# Our shop, served since 2026.\n")
    assert (project / "app/services/pricing.py").read_text().endswith("VAT = 0.2\n")
    record = json.loads((project / ".fastgen.json").read_text())
    assert record["template_version"] != "0.2.0"
    assert [resource["name"] for resource in record["resources"]] == ["item", "order"]
    assert_project_is_green(project_python, project, variant, pytestconfig)


def test_a_0_1_0_project_is_adopted_with_its_resources_named(
    tmp_path: Path, project_python: Path, pytestconfig: pytest.Config
) -> None:
    project = make_released("0.1.0", tmp_path / "shop", {"database": "postgresql"}, ORDER)
    assert not (project / ".fastgen.json").exists()
    assert "_src_path: /" in (project / ".copier-answers.yml").read_text()
    edit(project / "README.md", "A layered FastAPI service", "Our layered FastAPI service")
    commit(project, "our edits")

    result = fastgen(project, "update", "--resource", ORDER)

    assert result.returncode == 0, result.stderr
    assert "Our layered FastAPI service" in (project / "README.md").read_text()
    assert "_src_path" not in (project / ".copier-answers.yml").read_text()
    record = json.loads((project / ".fastgen.json").read_text())
    assert [resource["name"] for resource in record["resources"]] == ["item", "order"]
    assert_project_is_green(project_python, project, "postgresql", pytestconfig)


@pytest.mark.parametrize(
    ("database", "variant"),
    [
        ("sqlite", "sqlite-ws-redis"),
        ("postgresql", "postgresql-ws-redis"),
        ("mysql", "mysql-ws-redis"),
        ("none", "none-ws-redis"),
    ],
)
def test_a_module_is_added_by_changing_an_answer(
    database: str,
    variant: str,
    tmp_path: Path,
    project_python: Path,
    pytestconfig: pytest.Config,
) -> None:
    fastgen_ok(tmp_path, "new", "shop", "--yes", "--database", database, "-q")
    project = tmp_path / "shop"
    fastgen_ok(project, "generate", "resource", *ORDER.split())
    commit(project, "an order resource")

    result = fastgen(
        project, "update", "--data", "websocket=true", "--data", "broadcast_backend=redis"
    )

    assert result.returncode == 0, result.stderr
    assert (project / "app/realtime/protocol.py").is_file()
    assert "self._events.publish" in (project / "app/services/orders.py").read_text()
    assert json.loads((project / ".fastgen.json").read_text())["answers"]["websocket"] is True
    assert_project_is_green(project_python, project, variant, pytestconfig)


def fastgen_ok(project: Path, *arguments: str) -> str:
    result = fastgen(project, *arguments)
    assert result.returncode == 0, result.stderr
    return result.stdout
