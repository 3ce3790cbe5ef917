"""`fastgen update` and `fastgen check` at the command line: refusals, conflicts,
--continue and --abort, --dry-run, and the exit codes CI reads."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastgen import _snapshots
from fastgen.api import ProjectRequest, create_project
from fastgen.cli import app
from fastgen.names import parse_project_name
from fastgen.template import load_template
from tests.helpers import snapshot

CURRENT = load_template().version

IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project of the current template, committed, as the working folder."""
    created = create_project(
        ProjectRequest(name=parse_project_name("shop"), destination=tmp_path / "shop")
    )
    monkeypatch.chdir(created.path)
    return created.path


@pytest.fixture
def released_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A WebSocket project made by template 0.2.0, committed, as the working folder."""
    destination = tmp_path / "shop"
    answers = tmp_path / "answers.yml"
    answers.write_text('{"websocket": true}')
    with _snapshots.extracted("0.2.0") as source:
        new = ["new", "shop", str(destination), "--yes", "--no-git", "-q"]
        _snapshots.run_released(source, [*new, "--answers-file", str(answers)], cwd=tmp_path)
    git(destination, "init", "-q")
    commit(destination)
    monkeypatch.chdir(destination)
    return destination


def git(project: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=project, capture_output=True, text=True, check=True
    ).stdout


def commit(project: Path) -> None:
    git(project, "add", "-A")
    git(project, *IDENTITY, "commit", "-q", "-m", "work")


def files(project: Path) -> dict[str, tuple[int, int, str]]:
    """The project's files and folders, as `snapshot` sees them, but git's own."""
    entries = snapshot(project).items()
    return {path: entry for path, entry in entries if not path.startswith(".git/")}


def fastgen(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(arguments))
    return result.exit_code, result.stdout, result.stderr


def template_version(project: Path) -> str:
    return str(json.loads((project / ".fastgen.json").read_text())["template_version"])


def raise_the_queue_size(project: Path) -> None:
    """An edit of a line that template 0.3.0 (and so every later one) changes too."""
    config = project / "app/core/config.py"
    config.write_text(config.read_text().replace("queue_size: int = 256", "queue_size: int = 512"))
    commit(project)


class TestRefusals:
    def test_a_dirty_working_tree(self, project: Path) -> None:
        (project / "app/main.py").write_text("# mine\n")
        before = files(project)

        code, _, error = fastgen("update")

        assert code == 1
        assert "uncommitted changes" in error
        assert len(error.strip().splitlines()) == 1
        assert files(project) == before

    def test_a_project_outside_git(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        created = create_project(
            ProjectRequest(
                name=parse_project_name("shop"), destination=tmp_path / "shop", git=False
            )
        )
        monkeypatch.chdir(created.path)

        code, _, error = fastgen("update")

        assert code == 1
        assert "needs the project under git" in error

    def test_resources_named_for_a_project_that_records_them(self, project: Path) -> None:
        code, _, error = fastgen("update", "--resource", "order total:int")

        assert code == 1
        assert "--resource is for projects of template 0.1.0" in error

    def test_continue_without_an_update_under_way(self, project: Path) -> None:
        code, _, error = fastgen("update", "--continue")

        assert code == 1
        assert "no update is under way" in error


def test_an_up_to_date_project_has_nothing_to_update(project: Path) -> None:
    code, output, _ = fastgen("update")

    assert code == 0
    assert "Already up to date." in output
    assert git(project, "status", "--porcelain") == ""


def test_a_dry_run_shows_the_diff_and_writes_nothing(released_project: Path) -> None:
    before = files(released_project)

    code, output, _ = fastgen("update", "--dry-run")

    assert code == 0
    assert "+++ b/app/realtime/protocol.py" in output
    assert "Dry run: nothing was written." in output
    assert files(released_project) == before


def test_conflicts_exit_1_and_hold_the_record_back(released_project: Path) -> None:
    raise_the_queue_size(released_project)

    code, output, _ = fastgen("update")

    assert code == 1
    assert re.search(r"Conflicts.*\n.*\n  app/core/config\.py", output)
    config = (released_project / "app/core/config.py").read_text()
    assert "<<<<<<< yours" in config
    assert f">>>>>>> template {CURRENT}" in config
    assert template_version(released_project) == "0.2.0"
    assert (released_project / "app/realtime/protocol.py").is_file()  # the rest is merged


def test_continue_waits_for_the_markers_then_advances_the_record(
    released_project: Path,
) -> None:
    raise_the_queue_size(released_project)
    fastgen("update")

    code, _, error = fastgen("update", "--continue")
    assert code == 1
    assert "conflict markers remain in app/core/config.py" in error

    config = released_project / "app/core/config.py"
    resolved = re.sub(
        r"<<<<<<< yours\n.*?=======\n(.*?)>>>>>>> .*?\n", r"\1", config.read_text(), flags=re.S
    )
    config.write_text(resolved)
    code, _, _ = fastgen("update", "--continue")

    assert code == 0
    assert template_version(released_project) == CURRENT
    assert fastgen("update")[0] == 1  # uncommitted: the user reviews and commits first


def test_abort_puts_every_file_back(released_project: Path) -> None:
    raise_the_queue_size(released_project)
    before = files(released_project)
    fastgen("update")

    code, output, _ = fastgen("update", "--abort")

    assert code == 0
    assert "put back" in output
    assert git(released_project, "status", "--porcelain") == ""
    assert files(released_project) == before


class TestCheck:
    def test_a_project_as_rendered_on_the_newest_template(self, project: Path) -> None:
        code, output, _ = fastgen("check")

        assert code == 0
        assert "every rendered file is as rendered" in output

    def test_changed_rendered_files_are_listed_with_their_lines(self, project: Path) -> None:
        main = project / "app/main.py"
        main.write_text(main.read_text() + "# one\n# two\n")
        (project / "README.md").unlink()

        code, output, _ = fastgen("check", "--json")

        assert code == 3
        drifted = {drift["path"]: drift for drift in json.loads(output)["drifted"]}
        assert drifted["app/main.py"] == {
            "path": "app/main.py",
            "state": "changed",
            "added": 2,
            "removed": 0,
        }
        assert drifted["README.md"]["state"] == "deleted"
        assert len(drifted) == 2

    def test_an_older_template_has_an_update(self, released_project: Path) -> None:
        code, output, _ = fastgen("check", "--json")

        assert code == 2
        assert json.loads(output) == {
            "template_version": "0.2.0",
            "latest_version": CURRENT,
            "update_available": True,
            "drifted": [],
        }

    def test_a_file_a_user_changed_before_generate_resource_still_counts(
        self, project: Path
    ) -> None:
        deps = project / "app/api/deps.py"
        deps.write_text(deps.read_text() + "# ours\n")
        assert fastgen("generate", "resource", "order", "total:int")[0] == 0

        code, output, _ = fastgen("check", "--json")

        assert code == 3
        assert [drift["path"] for drift in json.loads(output)["drifted"]] == ["app/api/deps.py"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("broadcast_backend=redis", "broadcast_backend has no effect unless websocket is true"),
        ("websocket=maybe", "websocket: 'maybe' is not yes or no"),
        ("colour=blue", "unknown question 'colour'"),
        # The users table would come before the migrations a database already ran.
        ("auth=jwt", "auth cannot be changed by update: its users table"),
    ],
)
def test_a_pointless_or_wrong_answer_change_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: str, message: str
) -> None:
    project = create_project(
        ProjectRequest(name=parse_project_name("shop"), destination=tmp_path / "shop")
    ).path
    monkeypatch.chdir(project)
    before = files(project)

    code, _, error = fastgen("update", "--data", data)

    assert code == 1
    assert message in error
    assert len(error.strip().splitlines()) == 1
    assert files(project) == before
