from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fastgen import __version__
from tests.conftest import Invoke
from tests.helpers import snapshot


def answers_of(project: Path) -> dict[str, object]:
    recorded: dict[str, object] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return recorded


def test_version(invoke: Invoke) -> None:
    result = invoke("--version")

    assert result.exit_code == 0
    assert result.stdout == f"fastgen {__version__}\n"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fastgen", "--version"], capture_output=True, text=True, check=True
    )

    assert result.stdout == f"fastgen {__version__}\n"


def test_help_does_not_import_copier_or_jinja() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "fastgen", "new", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )

    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "Generate a new FastAPI project" in result.stdout
    assert not {module for module in imported if module.split(".")[0] in {"copier", "jinja2"}}


def test_new_with_defaults(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("new", "shop", tmp_path / "shop")

    assert result.exit_code == 0, result.stderr
    assert answers_of(tmp_path / "shop") | {"_src_path": None} == {
        "_src_path": None,
        "project_name": "shop",
        "description": "A FastAPI service.",
        "author_name": "",
        "python_version": "3.12",
        "database": "sqlite",
        "auth": "none",
        "websocket": False,
        "jobs": "none",
        "metrics": False,
        "tracing": False,
        "kubernetes": False,
        "serverless": "none",
    }
    assert "Created" in result.stdout
    assert "alembic upgrade head" in result.stdout


def test_destination_defaults_to_the_name_in_the_working_folder(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = invoke("new", "shop", "--no-git")

    assert result.exit_code == 0, result.stderr
    assert answers_of(tmp_path / "shop")["project_name"] == "shop"


def test_answers_come_from_file_then_data_then_named_flags(invoke: Invoke, tmp_path: Path) -> None:
    preset = tmp_path / "team.yml"
    preset.write_text("database: none\ndescription: From the file\nauthor_name: Team\n")

    result = invoke(
        "new", "shop", tmp_path / "shop", "--answers-file", preset,
        "--data", "description=From data", "--data", "python_version=3.13",
        "--python", "3.11",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    answers = answers_of(tmp_path / "shop")
    assert answers["database"] == "none"
    assert answers["author_name"] == "Team"
    assert answers["description"] == "From data"
    assert answers["python_version"] == "3.11"


def test_websocket_flags_reach_their_questions(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("new", "shop", tmp_path / "shop", "--websocket", "--broadcast", "redis")

    assert result.exit_code == 0, result.stderr
    answers = answers_of(tmp_path / "shop")
    assert (answers["websocket"], answers["broadcast_backend"]) == (True, "redis")
    assert (tmp_path / "shop" / "app" / "realtime" / "broadcast.py").is_file()


@pytest.mark.parametrize(
    ("args", "servers"),
    [
        ([], ""),
        (["--database", "postgresql"], "postgresql"),
        (["--websocket", "--broadcast", "redis"], "redis"),
        (["--jobs", "redis"], "redis"),
        (["--tracing"], ""),  # Jaeger, under a profile: not needed to run or test
    ],
)
def test_next_steps_start_the_servers_the_project_needs(
    invoke: Invoke, tmp_path: Path, args: list[str], servers: str
) -> None:
    result = invoke("new", "shop", tmp_path / "shop", "--no-git", *args)

    assert result.exit_code == 0, result.stderr
    steps = result.stdout.split("Next steps", 1)[1]
    assert ("docker compose up -d" in steps) is bool(servers)
    assert f"docker compose up -d   # {servers}" in steps or not servers
    assert ("python -m app.worker" in steps) is ("--jobs" in args)


def test_database_none_generates_no_database_code(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("new", "shop", tmp_path / "shop", "--database", "none", "--no-git")

    assert result.exit_code == 0, result.stderr
    project = tmp_path / "shop"
    assert not (project / "migrations").exists()
    assert not (project / "alembic.ini").exists()
    assert "sqlalchemy" not in (project / "pyproject.toml").read_text()
    assert "alembic" not in result.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_new_commits_exactly_what_it_generated(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("new", "shop", tmp_path / "shop")
    project = tmp_path / "shop"

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=project, capture_output=True, text=True, check=True
        ).stdout

    assert result.exit_code == 0, result.stderr
    assert "first git commit made" in result.stdout
    assert git("rev-list", "--count", "HEAD").strip() == "1"
    assert git("status", "--porcelain") == ""
    generated = {
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }
    assert set(git("ls-files").split()) == generated


def test_no_git_leaves_no_repository(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("new", "shop", tmp_path / "shop", "--no-git")

    assert result.exit_code == 0, result.stderr
    assert "git commit" not in result.stdout
    assert not (tmp_path / "shop" / ".git").exists()


def test_an_empty_destination_folder_is_used_and_keeps_its_mode(
    invoke: Invoke, tmp_path: Path
) -> None:
    destination = tmp_path / "here"
    destination.mkdir(mode=0o750)
    destination.chmod(0o750)

    result = invoke("new", "shop", destination, "--no-git")

    assert result.exit_code == 0, result.stderr
    assert (destination / "app" / "main.py").is_file()
    assert destination.stat().st_mode & 0o777 == 0o750
    assert [path.name for path in tmp_path.iterdir()] == ["here"]  # no staging litter


def test_quiet_prints_a_count_instead_of_the_tree(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("new", "shop", tmp_path / "shop", "--quiet", "--no-git")

    files = [path for path in (tmp_path / "shop").rglob("*") if path.is_file()]
    assert f"({len(files)} files)" in result.stdout
    assert "main.py" not in result.stdout


class TestErrors:
    """Bad input: one line on stderr, exit 1, and the parent folder exactly as it was."""

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["1shop"], "error: invalid project name '1shop': it starts with a digit"),
            (["ok", "--database", "mongo"], "error: database: 'mongo' is not one of sqlite,"),
            (["ok", "--data", "websocket=maybe"], "error: websocket: 'maybe' is not yes or no"),
            (["ok", "--broadcast", "redis"], "error: broadcast_backend has no effect unless"),
            (["ok", "--data", "colour=red"], "error: unknown question 'colour' (the questions"),
            (["ok", "--data", "novalue"], "error: --data expects KEY=VALUE, got 'novalue'"),
            (["ok", "--data", "project_name=other"], "error: project_name 'other' differs"),
            (["ok", "--answers-file", "missing.yml"], "error: file not found: missing.yml"),
            (["ok", "--python", "2.7"], "error: python_version: '2.7' is not one of"),
            (["ok", "--preset", "nope"], "error: the template fastgen has no preset 'nope'"),
            (["ok", "--template", "nowhere"], "error: template not found: nowhere"),
            ([], "error: missing NAME (fastgen new NAME [DEST])"),
        ],
    )
    def test_rejected_input(
        self,
        invoke: Invoke,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        args: list[str],
        message: str,
    ) -> None:
        monkeypatch.chdir(tmp_path)
        before = snapshot(tmp_path)

        result = invoke("new", *args)

        assert result.exit_code == 1
        assert result.stderr.startswith(message)
        assert result.stderr.count("\n") == 1
        assert snapshot(tmp_path) == before

    def test_malformed_answers_file_says_where(self, invoke: Invoke, tmp_path: Path) -> None:
        preset = tmp_path / "team.yml"
        preset.write_text("database: sqlite\ndescription: [unclosed\n")

        result = invoke("new", "ok", tmp_path / "ok", "--answers-file", preset)

        assert result.exit_code == 1
        assert f"{preset} is not valid YAML at line 3, column 1" in result.stderr

    def test_an_answers_file_value_of_the_wrong_type_names_file_and_key(
        self, invoke: Invoke, tmp_path: Path
    ) -> None:
        preset = tmp_path / "team.yml"
        preset.write_text("database: [1, 2]\n")

        result = invoke("new", "ok", tmp_path / "ok", "--answers-file", preset)

        assert result.exit_code == 1
        assert result.stderr == f"error: {preset}: database: expected text, got list [1, 2]\n"
        assert not (tmp_path / "ok").exists()

    def test_an_alias_bomb_is_refused_before_it_expands(
        self, invoke: Invoke, tmp_path: Path
    ) -> None:
        lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
            lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        preset = tmp_path / "bomb.yml"
        preset.write_text("\n".join(lines) + "\n")  # 9**9 strings once expanded
        before = snapshot(tmp_path)

        result = invoke("new", "ok", tmp_path / "ok", "--answers-file", preset)

        assert result.exit_code == 1
        assert result.stderr == (
            f"error: {preset} uses a YAML alias at line 2, column 8 (write the value out; "
            "aliases are not read, as they can expand without end)\n"
        )
        assert snapshot(tmp_path) == before

    def test_answers_file_must_be_a_mapping(self, invoke: Invoke, tmp_path: Path) -> None:
        preset = tmp_path / "team.yml"
        preset.write_text("- sqlite\n")

        result = invoke("new", "ok", tmp_path / "ok", "--answers-file", preset)

        assert result.exit_code == 1
        assert "must hold a mapping of question: answer, not list" in result.stderr

    def test_non_empty_destination_is_refused(self, invoke: Invoke, tmp_path: Path) -> None:
        (tmp_path / "shop").mkdir()
        (tmp_path / "shop" / "notes.txt").write_text("mine")
        before = snapshot(tmp_path)

        result = invoke("new", "shop", tmp_path / "shop")

        assert result.exit_code == 1
        assert "already exists and is not empty" in result.stderr
        assert snapshot(tmp_path) == before

    def test_destination_that_is_a_file_is_refused(self, invoke: Invoke, tmp_path: Path) -> None:
        (tmp_path / "shop").write_text("mine")

        result = invoke("new", "shop", tmp_path / "shop")

        assert result.exit_code == 1
        assert "exists and is not a folder" in result.stderr
        assert (tmp_path / "shop").read_text() == "mine"


def test_missing_parent_folders_are_created(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("new", "shop", tmp_path / "a" / "b" / "shop", "--no-git")

    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "a" / "b" / "shop" / "app" / "main.py").is_file()


def test_parent_folders_created_for_a_failed_project_are_removed(
    invoke: Invoke, tmp_path: Path
) -> None:
    result = invoke("new", "shop", tmp_path / "a" / "b" / "shop", "--database", "mongo")

    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []


class TestJson:
    """`--json`: the result on stdout, in the shape the README documents; nothing else."""

    def test_new(self, invoke: Invoke, tmp_path: Path) -> None:
        import json

        result = invoke("new", "shop", tmp_path / "shop", "--no-git", "--json")

        assert result.exit_code == 0, result.stderr
        content = json.loads(result.stdout)
        assert set(content) == {
            "path", "written", "committed", "installed_with", "answers", "files", "next",
        }  # fmt: skip
        assert content["path"] == str(tmp_path / "shop")
        assert content["written"] is True
        assert content["answers"]["database"] == "sqlite"
        on_disk = {
            p.relative_to(tmp_path / "shop").as_posix() for p in (tmp_path / "shop").rglob("*")
        }
        assert set(content["files"]) <= on_disk
        assert "app/main.py" in content["files"]
        assert content["next"][-1].startswith("uvicorn app.main:app")

    def test_generate_resource(
        self, invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import json

        assert invoke("new", "shop", tmp_path / "shop", "--no-git", "-q").exit_code == 0
        monkeypatch.chdir(tmp_path / "shop")

        result = invoke("generate", "resource", "order", "title:str", "--json")

        assert result.exit_code == 0, result.stderr
        content = json.loads(result.stdout)
        assert content["resource"] == "order"
        assert content["plural"] == "orders"
        assert "app/api/routes/orders.py" in content["created"]
        assert "app/api/router.py" in content["changed"]
        assert content["next"] == ["alembic upgrade head", "pytest"]
