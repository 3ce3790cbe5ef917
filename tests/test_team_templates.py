"""A team's own template (a fork of fastgen's, in git with version tags), presets, and
the configuration file: `new`, `generate resource`, `check` and `update` follow it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastgen.cli import app
from fastgen.template import BUNDLED_TEMPLATE
from tests.helpers import snapshot

IDENTITY = ["-c", "user.name=Team", "-c", "user.email=team@example.com"]
MARK_1 = "Maintained by the platform team."
MARK_2 = "Maintained by the platform team; ask in #platform."


def git(folder: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *IDENTITY, *arguments], cwd=folder, check=True, capture_output=True, text=True
    ).stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def fastgen(*arguments: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(argument) for argument in arguments])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def team_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fork of fastgen's template in git: v1.0.0 marks the README and the generated
    routes; v1.1.0 changes the README mark."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("FASTGEN_CONFIG", str(tmp_path / "no-config.yml"))
    (tmp_path / "no-config.yml").write_text("{}\n")
    fork = tmp_path / "team-template"
    shutil.copytree(BUNDLED_TEMPLATE, fork, ignore=shutil.ignore_patterns("__pycache__"))
    edit(fork / "fastgen.yml", "name: fastgen", "name: team")
    edit(
        fork / "project/README.md.jinja",
        "{{ description }}\n",
        f"{{{{ description }}}}\n\n{MARK_1}\n",
    )
    edit(
        fork / "resource/routes.py.jinja",
        '"""',
        '"""Team routes. ',
    )
    git(fork, "init", "-q", "-b", "main")
    git(fork, "add", "-A")
    git(fork, "commit", "-q", "-m", "fork")
    git(fork, "tag", "v1.0.0")
    edit(fork / "project/README.md.jinja", MARK_1, MARK_2)
    git(fork, "commit", "-q", "-am", "say where to ask")
    git(fork, "tag", "v1.1.0")
    return fork


def record(project: Path) -> dict[str, object]:
    content: dict[str, object] = json.loads((project / ".fastgen.json").read_text())
    return content


def test_new_follows_a_team_template_at_a_tag(team_template: Path, tmp_path: Path) -> None:
    project = tmp_path / "shop"

    code, _, error = fastgen(
        "new", "shop", project, "--yes", "--template", f"{team_template}@v1.0.0"
    )

    assert code == 0, error
    assert MARK_1 in (project / "README.md").read_text()
    made = record(project)
    assert made["template"] == "team"
    assert made["template_source"] == str(team_template)
    assert made["template_version"] == "1.0.0"
    assert made["template_commit"] == git(team_template, "rev-parse", "v1.0.0").strip()


def trust(source: Path | str, tmp_path: Path) -> None:
    """List `source` under `trust:` in the configuration the fixture points at."""
    (tmp_path / "no-config.yml").write_text(f"trust: [{json.dumps(str(source))}]\n")


def test_generate_resource_uses_the_projects_own_template(
    team_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "shop"
    assert fastgen("new", "shop", project, "--yes", "--template", team_template)[0] == 0
    monkeypatch.chdir(project)
    trust(team_template, tmp_path)
    team_template.rename(team_template.with_name("offline"))  # no fetch is needed

    code, _, error = fastgen("generate", "resource", "order", "title:str")

    assert code == 0, error
    assert (project / "app/api/routes/orders.py").read_text().startswith('"""Team routes. ')


def test_check_and_update_follow_the_team_templates_tags(
    team_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "shop"
    assert fastgen("new", "shop", project, "--yes", "--template", f"{team_template}@1.0.0")[0] == 0
    monkeypatch.chdir(project)
    trust(f"{team_template.parent}/", tmp_path)  # a prefix: every source below it

    code, output, _ = fastgen("check", "--json")
    assert code == 2
    assert json.loads(output)["latest_version"] == "1.1.0"

    code, _, error = fastgen("update")
    assert code == 0, error
    assert MARK_2 in (project / "README.md").read_text()
    assert record(project)["template_version"] == "1.1.0"
    git(project, "commit", "-q", "-am", "update to 1.1.0")
    assert fastgen("check")[0] == 0


def test_a_template_that_runs_code_needs_trust_and_leaves_nothing_without(
    team_template: Path, tmp_path: Path
) -> None:
    with (team_template / "copier.yml").open("a") as config:
        config.write('\n_tasks:\n  - "touch task-ran"\n')
    git(team_template, "commit", "-q", "-am", "a task")
    git(team_template, "tag", "v1.2.0")
    before = snapshot(tmp_path)

    code, _, error = fastgen("new", "shop", tmp_path / "shop", "--yes", "--template", team_template)

    assert code != 0
    assert "runs code (_tasks in copier.yml)" in error
    assert "--trust" in error
    assert len(error.strip().splitlines()) == 1
    assert {path for path in snapshot(tmp_path) if not path.startswith("cache")} == {
        path for path in before if not path.startswith("cache")
    }

    code, _, error = fastgen(
        "new",
        "shop",
        tmp_path / "shop",
        "--yes",
        "--no-git",
        "--template",
        team_template,
        "--trust",
    )
    assert code == 0, error
    assert (tmp_path / "shop/task-ran").is_file()


def test_a_plain_folder_is_a_template_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTGEN_CONFIG", str(tmp_path / "none.yml"))
    (tmp_path / "none.yml").write_text("")
    folder = tmp_path / "folder-template"
    shutil.copytree(BUNDLED_TEMPLATE, folder, ignore=shutil.ignore_patterns("__pycache__"))

    code, _, error = fastgen("new", "shop", tmp_path / "shop", "--yes", "--template", folder)

    assert code == 0, error
    assert record(tmp_path / "shop")["template_source"] == str(folder)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{tmp}/nowhere", "template not found"),
        ("{tmp}", "is not a fastgen template: it has no copier.yml"),
        ("{tmp}/team-template@v9", "has no tag, branch or commit 'v9'"),
    ],
)
def test_a_bad_template_source_is_one_line_and_writes_nothing(
    team_template: Path, tmp_path: Path, source: str, message: str
) -> None:
    code, _, error = fastgen(
        "new", "shop", tmp_path / "shop", "--yes", "--template", source.format(tmp=tmp_path)
    )

    assert code != 0
    assert message in error
    assert len(error.strip().splitlines()) == 1
    assert not (tmp_path / "shop").exists()


class TestPresets:
    def test_the_bundled_template_lists_its_presets_with_what_they_set(self) -> None:
        code, output, _ = fastgen("presets", "--json")

        assert code == 0
        presets = {preset["name"]: preset for preset in json.loads(output)["presets"]}
        assert presets["postgres-realtime"]["answers"] == {
            "database": "postgresql",
            "websocket": True,
            "broadcast_backend": "redis",
        }

    def test_a_preset_sets_its_answers(self, tmp_path: Path) -> None:
        code, _, error = fastgen(
            "new", "shop", tmp_path / "shop", "--yes", "--no-git", "--preset", "postgres-realtime"
        )

        assert code == 0, error
        answers = record(tmp_path / "shop")["answers"]
        assert isinstance(answers, dict)
        assert (answers["database"], answers["websocket"], answers["broadcast_backend"]) == (
            "postgresql",
            True,
            "redis",
        )

    def test_an_unknown_preset_names_those_there_are(self, tmp_path: Path) -> None:
        code, _, error = fastgen("new", "shop", tmp_path / "shop", "--yes", "--preset", "nope")

        assert code != 0
        assert "no preset 'nope' (it offers: sqlite-api, postgres-api" in error
        assert not (tmp_path / "shop").exists()


class TestPrecedence:
    """template defaults < preset < configuration < answers file < --data < flags"""

    @pytest.fixture(autouse=True)
    def config(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        path = tmp_path / "config.yml"
        path.write_text("defaults:\n  database: mysql\n  python_version: '3.13'\n")
        monkeypatch.setenv("FASTGEN_CONFIG", str(path))
        return path

    def answers_of(self, tmp_path: Path, *arguments: str) -> dict[str, object]:
        code, _, error = fastgen("new", "shop", tmp_path / "shop", "--yes", "--no-git", *arguments)
        assert code == 0, error
        answers = record(tmp_path / "shop")["answers"]
        assert isinstance(answers, dict)
        return answers

    def test_the_configuration_wins_over_the_preset(self, tmp_path: Path) -> None:
        answers = self.answers_of(tmp_path, "--preset", "postgres-api")

        assert answers["database"] == "mysql"
        assert answers["python_version"] == "3.13"

    def test_the_answers_file_wins_over_the_configuration(self, tmp_path: Path) -> None:
        (tmp_path / "answers.yml").write_text("database: sqlite\n")

        answers = self.answers_of(tmp_path, "--answers-file", str(tmp_path / "answers.yml"))

        assert answers["database"] == "sqlite"
        assert answers["python_version"] == "3.13"

    def test_data_wins_over_the_answers_file_and_flags_over_data(self, tmp_path: Path) -> None:
        (tmp_path / "answers.yml").write_text("database: sqlite\npython_version: '3.11'\n")

        answers = self.answers_of(
            tmp_path,
            "--answers-file",
            str(tmp_path / "answers.yml"),
            "--data",
            "database=none",
            "--data",
            "python_version=3.12",
            "--database",
            "postgresql",
        )

        assert (answers["database"], answers["python_version"]) == ("postgresql", "3.12")

    def test_a_configured_answer_without_effect_is_dropped_not_refused(
        self, tmp_path: Path, config: Path
    ) -> None:
        config.write_text("defaults:\n  broadcast_backend: redis\n")

        answers = self.answers_of(tmp_path)

        assert "broadcast_backend" not in answers

    def test_a_bad_configuration_names_the_file_and_the_key(
        self, tmp_path: Path, config: Path
    ) -> None:
        config.write_text("defaults:\n  websocket: maybe\n")

        code, _, error = fastgen("new", "shop", tmp_path / "shop", "--yes")

        assert code != 0
        assert "configuration defaults: websocket: 'maybe' is not yes or no" in error
        config.write_text("colour: blue\n")
        code, _, error = fastgen("new", "shop", tmp_path / "shop", "--yes")
        assert f"{config}: unknown key 'colour'" in error

    def test_the_configuration_names_a_default_template(
        self, team_template: Path, tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("FASTGEN_CONFIG", str(config))  # team_template set another
        config.write_text(f"template: {team_template}\n")

        self.answers_of(tmp_path)

        assert record(tmp_path / "shop")["template"] == "team"
