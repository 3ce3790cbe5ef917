"""Any change of answers, on a project with any accepted resources and its user's edits,
updates into a project whose own tests, ruff and mypy pass.

Hypothesis draws the option set a project starts with, the one it moves to (a module
added or removed, the database switched), resources, and files the user edited. The
edits are where no option set changes the file: an edit next to a line the template
changes conflicts, as in git, which tests/test_update_cli.py covers.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fastgen.api import ProjectRequest, ResourceRequest, create_project, generate_resource
from fastgen.fields import parse_field
from fastgen.names import parse_project_name, parse_resource_name
from fastgen.template import load_questions
from tests.e2e.conftest import (
    VARIANTS,
    assert_mypy_strict_is_clean,
    assert_own_tests_pass,
    run_in_project,
)
from tests.e2e.test_resource_property import Resource, resource_sets
from tests.helpers import run

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("FASTGEN_PROPERTY_EXAMPLES", "4"))
EDITABLE = [
    "app/main.py",
    "app/core/config.py",
    "app/api/router.py",
    "README.md",
    "tests/conftest.py",
]
RESET = {"websocket": "false", "metrics": "false", "kubernetes": "false", "serverless": "none"}
IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.sampled_from(sorted(VARIANTS)),
    target=st.sampled_from(sorted(VARIANTS)),
    resources=resource_sets(),
    edited=st.lists(st.sampled_from(EDITABLE), unique=True, max_size=3),
)
def test_any_change_of_answers_updates_into_a_project_that_passes_its_checks(
    start: str,
    target: str,
    resources: list[Resource],
    edited: list[str],
    project_python: Path,
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
) -> None:
    project = tmp_path_factory.mktemp("update-property") / "shop"
    create_project(
        ProjectRequest(
            name=parse_project_name("shop"), destination=project, answers=VARIANTS[start].answers
        )
    )
    has_users = VARIANTS[start].answers.get("auth") == "jwt"
    for name, fields, owned in resources:
        generate_resource(
            ResourceRequest(
                name=parse_resource_name(name),
                fields=tuple(parse_field(spec) for spec in fields),
                start=project,
                owned=owned and has_users,  # kept through the update
            )
        )
    for path in edited:  # a line after the first, which no option set changes
        lines = (project / path).read_text().splitlines(keepends=True)
        lines.insert(1, "# Edited by its user.\n" if path.endswith(".py") else "Ours.\n")
        (project / path).write_text("".join(lines))
    run(["git", "add", "-A"], project)
    run(["git", *IDENTITY, "commit", "-q", "-m", "resources and edits"], project)

    data = [f"--data={key}={value}" for key, value in update_answers(start, target).items()]
    result = subprocess.run(
        [sys.executable, "-m", "fastgen", "update", *data],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, f"{start} -> {target}\n{result.stdout}\n{result.stderr}"
    for path in edited:
        note = "# Edited by its user." if path.endswith(".py") else "Ours."
        assert note in (project / path).read_text(), path
    run_in_project(project_python, project, "ruff", "check", "--no-cache", ".")
    run_in_project(project_python, project, "ruff", "format", "--no-cache", "--check", ".")
    assert_mypy_strict_is_clean(project_python, project, pytestconfig)
    assert_own_tests_pass(project_python, project, target)


def update_answers(start: str, target: str) -> dict[str, str]:
    """The answers `update` is given to move a project from one variant to another."""
    # Answers the target leaves out are kept from the start: reset those that would
    # leave a combination the template refuses (Kubernetes on SQLite, say).
    answers = RESET | VARIANTS[target].answers
    # `update` does not change auth (fastgen.yml's `fixed`).
    answers["auth"] = VARIANTS[start].answers.get("auth", "none")
    return answers


def test_every_drawn_change_leads_to_answers_the_template_accepts() -> None:
    questions = load_questions()
    defaults = {name: question.default for name, question in questions.items()}
    for start, target in itertools.product(VARIANTS, repeat=2):
        kept = {key: _typed(value) for key, value in VARIANTS[start].answers.items()}
        given = {key: _typed(value) for key, value in update_answers(start, target).items()}
        answers = defaults | kept | given
        refusals = [text for question in questions.values() if (text := question.refusal(answers))]
        assert not refusals, f"{start} -> {target}: {refusals}"


def _typed(value: str) -> str | bool:
    return {"true": True, "false": False}.get(value, value)
