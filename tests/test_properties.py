"""Properties over many inputs: rejected names change nothing; free text stays literal."""

from __future__ import annotations

import re
import tempfile
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fastgen.api import ProjectRequest, create_project
from fastgen.cli import app
from fastgen.errors import InvalidAnswerError, InvalidNameError
from fastgen.names import parse_project_name
from tests.helpers import snapshot

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def is_accepted(raw: str) -> bool:
    try:
        parse_project_name(raw)
    except InvalidNameError:
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(raw=st.text(max_size=70))
def test_a_rejected_name_leaves_the_filesystem_unchanged(raw: str) -> None:
    assume(not is_accepted(raw))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        before = snapshot(root)

        result = CliRunner().invoke(app, ["new", "--no-git", "--", raw, str(root / "dest")])

        assert result.exit_code == 1
        assert result.stderr.startswith("error: invalid project name")
        assert snapshot(root) == before


free_text = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=15, deadline=None)
@given(description=free_text, author=free_text)
def test_free_text_answers_stay_literal_and_every_file_valid(description: str, author: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        request = ProjectRequest(
            name=parse_project_name("shop"),
            destination=Path(folder) / "shop",
            answers={"description": description, "author_name": author},
            git=False,
        )
        if CONTROL_CHARACTERS.search(description + author):
            with pytest.raises(InvalidAnswerError, match="control characters are not allowed"):
                create_project(request)
            assert not request.destination.exists()
            return

        project = create_project(request).path

        metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
        assert metadata["description"] == description.replace("\n", " ")
        assert [author.replace("\n", " ")] == [
            person["name"] for person in metadata.get("authors", [{"name": ""}])
        ]
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert (answers["description"], answers["author_name"]) == (description, author)
        assert description in (project / "README.md").read_text()
        for source in project.rglob("*.py"):
            compile(source.read_text(), str(source), "exec")
