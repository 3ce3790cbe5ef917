"""`fastgen verify` on a team template: a check that fails in one option branch fails
exactly the combinations of that branch, plain and upgraded, in the table, the exit
status, the JSON and the JUnit XML."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner, Result

from fastgen.cli import app
from fastgen.template import BUNDLED_TEMPLATE
from tests import servers

pytestmark = pytest.mark.e2e

IDENTITY = ["-c", "user.name=Team", "-c", "user.email=team@example.com"]
# The team's own check: fails where the project has WebSockets, from version 1.1.0 on.
BRANCH_TEST = """\
def test_the_branch() -> None:
    assert {{ "not " if websocket else "" }}{{ "True" }}
"""
CHECKS = """
checks:
  pytest: python -m pytest -q -p no:cacheprovider tests/test_team.py
  ruff check: ruff check .
"""


def git(folder: Path, *arguments: str) -> None:
    subprocess.run(["git", *IDENTITY, *arguments], cwd=folder, check=True, capture_output=True)


@pytest.fixture
def team_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pytestconfig: pytest.Config
) -> Path:
    """A fork in git: v1.0.0 passes its checks everywhere, v1.1.0 fails them with
    WebSockets. Environments are cached for the session, as a user's are across runs."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(pytestconfig.cache.mkdir("fastgen-cache")))
    fork = tmp_path / "team"
    shutil.copytree(BUNDLED_TEMPLATE, fork, ignore=shutil.ignore_patterns("__pycache__"))
    config = fork / "fastgen.yml"
    kept = config.read_text().split("\nchecks:")[0]  # the team declares its own checks
    servers_part = config.read_text().split("\nservers:")[1]
    config.write_text(f"{kept}{CHECKS}\nservers:{servers_part}")
    (fork / "project/tests/test_team.py.jinja").write_text(BRANCH_TEST.replace("not ", ""))
    git(fork, "init", "-q", "-b", "main")
    git(fork, "add", "-A")
    git(fork, "commit", "-q", "-m", "fork")
    git(fork, "tag", "v1.0.0")
    (fork / "project/tests/test_team.py.jinja").write_text(BRANCH_TEST)
    git(fork, "commit", "-q", "-am", "a branch that fails")
    git(fork, "tag", "v1.1.0")
    return fork


def verify_arguments(team_template: Path) -> list[str]:
    """`fastgen verify` of the team template's WebSocket branches, the rest pinned."""
    redis = servers.require("redis")["TEST_REDIS_URL"]
    return [
        "verify", "--template", str(team_template), "--trust", "--matrix", "all",
        "--data", "database=sqlite", "--data", "python_version=3.12",
        "--data", "jobs=none", "--data", "metrics=false", "--data", "tracing=false",
        "--data", "kubernetes=false", "--data", "serverless=none", "--data", "auth=none",
        "--server", f"redis={redis}",
    ]  # fmt: skip


def test_a_failing_branch_fails_exactly_its_combinations(
    team_template: Path, tmp_path: Path
) -> None:
    report, junit = tmp_path / "report.json", tmp_path / "report.xml"

    result = CliRunner().invoke(
        app,
        [
            *verify_arguments(team_template), "--jobs", "2",
            "--json", str(report), "--junit", str(junit),
        ],
    )  # fmt: skip

    assert result.exit_code == 1, result.output
    failing = [
        "websocket=true broadcast_backend=memory",
        "websocket=true broadcast_backend=redis",
    ]
    expected = [*failing, *(f"{name} (from 1.0.0)" for name in failing)]
    assert sorted(
        line for line in result.stderr.splitlines() if line.startswith("failed:")
    ) == sorted(f"failed: {name}: pytest" for name in expected)
    outcome = json.loads(report.read_text())
    assert outcome["version"] == "1.1.0"
    assert not outcome["passed"]
    by_name = {c["name"]: c for c in outcome["combinations"]}
    assert set(by_name) == {*expected, "websocket=false", "websocket=false (from 1.0.0)"}
    for name, combination in by_name.items():
        statuses = {check["name"]: check["status"] for check in combination["checks"]}
        assert statuses["pytest"] == ("failed" if name in expected else "passed"), name
        assert statuses["ruff check"] == "passed"
        assert statuses["generate"] == "passed"
        if name.endswith("(from 1.0.0)"):
            assert statuses["update"] == "passed"
    suite = ElementTree.parse(junit).getroot().find("testsuite")  # noqa: S314 - ours
    assert suite is not None
    assert suite.get("failures") == "4"
    failed_cases = {
        case.get("classname") for case in suite.iter("testcase") if case.find("failure") is not None
    }
    assert failed_cases == set(expected)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--data", "colour=blue"], "--data: unknown question 'colour'"),
        (["--data", "websocket=maybe"], "websocket: 'maybe' is not yes or no"),
        (["--matrix", "most"], "--matrix: 'most' is not one of all, pairwise, presets"),
        (["--server", "kafka=kafka://x:1"], "--server: the template needs no server 'kafka'"),
        (["--server", "redis"], "--server expects NAME=URL, got 'redis'"),
        (["--jobs", "0"], "--jobs must be 1 or more, not 0"),
    ],
)
def test_bad_input_is_one_line_and_checks_nothing(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["verify", *arguments])

    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_three_shards_in_three_processes_merge_into_the_same_run(
    team_template: Path, tmp_path: Path
) -> None:
    """Split as CI runners would: each shard its own process, then `verify merge`. The
    merged report has the combinations, results and exit status of one run (the test
    above), and the broken branch fails exactly the shards that hold it."""
    arguments = verify_arguments(team_template)
    listed = {
        number: json.loads(
            fastgen(*arguments, "--list", "--shard", f"{number}/3", "--json", "-").stdout
        )["include"]
        for number in (1, 2, 3)
    }
    logs = {number: tmp_path / f"shard-{number}.log" for number in (1, 2, 3)}
    with ExitStack() as files:
        shards = {
            number: subprocess.Popen(
                [
                    *(sys.executable, "-m", "fastgen", *arguments),
                    *("--shard", f"{number}/3", "--json", str(tmp_path / f"shard-{number}.json")),
                ],
                stdout=subprocess.DEVNULL,
                stderr=files.enter_context(logs[number].open("w")),
            )
            for number in (1, 2, 3)
        }
        codes = {number: process.wait(timeout=1200) for number, process in shards.items()}
    merged_report = tmp_path / "merged.json"

    merged = CliRunner().invoke(
        app, ["verify", "merge", *(str(tmp_path / f"shard-{n}.json") for n in (1, 2, 3)),
              "--json", str(merged_report)],
    )  # fmt: skip

    broken = {"websocket=true broadcast_backend=memory", "websocket=true broadcast_backend=redis"}
    for number, entries in listed.items():
        holds_broken = any(entry["name"] in broken for entry in entries)
        assert codes[number] == (1 if holds_broken else 0), logs[number].read_text()
        report = json.loads((tmp_path / f"shard-{number}.json").read_text())
        assert {case["id"] for case in report["combinations"]} == {e["id"] for e in entries}
        failed = {case["name"] for case in report["combinations"] if not case["passed"]}
        assert failed == {
            f"{entry['name']}{suffix}"
            for entry in entries
            if entry["name"] in broken
            for suffix in ("", " (from 1.0.0)")
        }
    assert merged.exit_code == 1, merged.output
    outcome = json.loads(merged_report.read_text())
    assert {case["name"] for case in outcome["combinations"] if not case["passed"]} == {
        f"{name}{suffix}" for name in broken for suffix in ("", " (from 1.0.0)")
    }
    assert {case["name"] for case in outcome["combinations"]} == {
        f"{name}{suffix}"
        for name in (*broken, "websocket=false")
        for suffix in ("", " (from 1.0.0)")
    }


def fastgen(*arguments: str) -> Result:
    result = CliRunner().invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return result
