"""The README documents every question, option and command, and CI runs its test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fastgen._fieldtypes import TYPES
from fastgen.template import load_questions
from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("question", list(load_questions()))
def test_every_question_is_documented(question: str) -> None:
    row = next((line for line in README.splitlines() if line.startswith(f"| `{question}` |")), "")

    assert row, f"README has no row for the question {question!r}"
    for choice in load_questions()[question].choices:
        assert f"`{choice}`" in row


@pytest.mark.parametrize("command", [["new"], ["generate", "resource"]])
def test_every_option_is_documented(invoke: Invoke, command: list[str]) -> None:
    help_text = invoke(*command, "--help").stdout
    options = set(re.findall(r"--[a-z][a-z-]+", help_text)) - {"--help", "--git"}

    assert options
    for option in options:
        assert f"`{option}" in README, f"README does not document {option}"


def test_named_flags_list_every_choice_in_their_help(invoke: Invoke) -> None:
    help_text = " ".join(invoke("new", "--help").stdout.split())

    for question in ("database", "python_version"):
        for choice in load_questions()[question].choices:
            assert choice in help_text, f"--help does not mention {question} choice {choice}"


def test_every_command_has_help(invoke: Invoke) -> None:
    result = invoke("--help")

    commands = re.findall(r"^\s{2}(\w+)\s{2,}(\S.*)$", result.stdout, re.MULTILINE)
    assert commands
    for name, summary in commands:
        assert summary.strip()
        assert invoke(name, "--help").exit_code == 0
        assert f"`fastgen {name}" in README


def test_ci_runs_the_readme_test_command() -> None:
    command = next(line for line in README.splitlines() if "pip install -e '.[test]'" in line)

    assert command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_every_field_type_is_documented() -> None:
    rows = [line.split(" | ")[0] for line in README.splitlines() if line.startswith("| `")]

    for kind in (*TYPES, "ref"):
        assert any(re.search(rf"`{kind}[`\[:]", row) for row in rows), kind
