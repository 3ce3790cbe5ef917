"""An update to a template that renames, deletes and changes files the user also touched.

Template 0.1.0 cannot show these cases, so a copy of the current template, changed as a
later version might change it, plays the newer version: `body_limit.py` renamed to
`limits.py`, `tests/test_app.py` deleted, the README changed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from fastgen import _record, _sources, _template_migrations, _update, api
from fastgen._trust import Trust
from fastgen.api import ProjectRequest, create_project
from fastgen.names import parse_project_name
from fastgen.template import BUNDLED_TEMPLATE

IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
NEXT = "9.0.0"


@pytest.fixture
def next_template(tmp_path: Path) -> Path:
    """The current template, as a later version might change it."""
    template = tmp_path / "template"
    shutil.copytree(BUNDLED_TEMPLATE, template, ignore=shutil.ignore_patterns("__pycache__"))
    app = template / "project/app"
    (app / "api/body_limit.py").rename(app / "api/limits.py")
    main = app / "main.py.jinja"
    main.write_text(main.read_text().replace("app.api.body_limit", "app.api.limits"))
    (template / "project/tests/test_app.py").unlink()
    readme = template / "project/README.md.jinja"
    readme.write_text(readme.read_text() + "\n## Changes\n\nSee CHANGELOG.md.\n")
    config = template / "fastgen.yml"
    config.write_text(re.sub(r"(?m)^version: .*$", f"version: {NEXT}", config.read_text()))
    return template


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = create_project(
        ProjectRequest(name=parse_project_name("shop"), destination=tmp_path / "shop")
    ).path
    return project


def update_to(next_template: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Update `project` to `next_template`, taken as version NEXT of the template."""

    def render_this_as_released(
        folder: Path,
        version: str,
        answers: Mapping[str, Any],
        resources: tuple[_record.ResourceRecord, ...],
    ) -> None:
        api.render_fresh(folder, answers, resources)

    def next_version(*_: object, **__: object) -> _sources.Resolved:
        return _sources.Resolved(_sources.BUNDLED, NEXT, next_template)

    monkeypatch.setattr(_update, "current_version", lambda: NEXT)
    monkeypatch.setattr(_update, "_render_released", render_this_as_released)
    monkeypatch.setattr(_update, "_target_template", next_version)
    return _update.update(
        project,
        to=None,
        answers={},
        legacy_resources=(),
        dry_run=False,
        render_current=api.render_fresh,
        trust=Trust(),
    )


def commit(project: Path) -> None:
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", *IDENTITY, "commit", "-qm", "edits"], cwd=project, check=True)


def test_a_renamed_file_keeps_the_user_edits(
    next_template: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = project / "app/api/body_limit.py"
    limit.write_text(limit.read_text() + "\n\n# Tuned for our uploads.\n")
    commit(project)

    updated = update_to(next_template, project, monkeypatch)

    assert not limit.exists()
    assert (project / "app/api/limits.py").read_text().endswith("# Tuned for our uploads.\n")
    assert "app/api/body_limit.py: renamed by the template to app/api/limits.py" in "".join(
        updated.notes
    )
    assert "from app.api.limits import BodyLimit" in (project / "app/main.py").read_text()
    assert updated.conflicts == ()


def test_a_changed_file_the_template_deleted_is_kept_and_reported(
    next_template: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    test_app = project / "tests/test_app.py"
    test_app.write_text(test_app.read_text() + "\n\n# Ours.\n")
    commit(project)

    updated = update_to(next_template, project, monkeypatch)

    assert test_app.read_text().endswith("# Ours.\n")
    assert any(
        note.startswith("tests/test_app.py: the template no longer has it")
        for note in updated.notes
    )


def test_an_unchanged_file_the_template_deleted_goes(
    next_template: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    updated = update_to(next_template, project, monkeypatch)

    assert not (project / "tests/test_app.py").exists()
    assert updated.notes == ()


def test_a_file_the_user_deleted_and_the_template_changed_stays_deleted(
    next_template: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "README.md").unlink()
    commit(project)

    updated = update_to(next_template, project, monkeypatch)

    assert not (project / "README.md").exists()
    assert "README.md: you deleted it and the template changed it; left deleted" in updated.notes
    assert (
        _record.loads((project / ".fastgen.json").read_text(), where=project).template_version
        == NEXT
    )


def test_migrations_of_the_versions_crossed_rename_answers_and_move_files(
    next_template: Path, project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for path in next_template.rglob("*"):
        if path.is_file() and "author_name" in path.read_text():
            path.write_text(path.read_text().replace("author_name", "author"))
    api_folder = next_template / "project/app/api"
    (api_folder / "limits.py").rename(api_folder / "request_limits.py")
    main = next_template / "project/app/main.py.jinja"
    main.write_text(main.read_text().replace("app.api.limits", "app.api.request_limits"))
    limit = project / "app/api/body_limit.py"
    limit.write_text(limit.read_text() + "\n\n# Tuned for our uploads.\n")
    commit(project)

    def to_next(step: _template_migrations.MigrationStep) -> None:
        step.rename_answer("author_name", "author")
        step.move_file("app/api/body_limit.py", "app/api/request_limits.py")

    monkeypatch.setitem(_template_migrations.MIGRATIONS, NEXT, to_next)
    monkeypatch.setitem(_template_migrations.MIGRATIONS, "10.0.0", lambda _: pytest.fail("ran"))
    updated = update_to(next_template, project, monkeypatch)

    record = _record.loads((project / ".fastgen.json").read_text(), where=project)
    assert "author" in record.answers
    assert "author_name" not in record.answers
    assert not limit.exists()
    moved = project / "app/api/request_limits.py"
    assert moved.read_text().endswith("# Tuned for our uploads.\n")
    assert updated.conflicts == ()
