"""Any name fastgen accepts yields a project whose Python compiles and whose app imports."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastgen.api import ProjectRequest, create_project
from fastgen.errors import InvalidNameError
from fastgen.names import ProjectName, parse_project_name
from tests.helpers import clean_env, run

pytestmark = pytest.mark.e2e


def accepted(raw: str) -> ProjectName | None:
    try:
        return parse_project_name(raw)
    except InvalidNameError:
        return None


names = (
    st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,12}([-_][A-Za-z0-9]{1,5}){0,3}", fullmatch=True)
    .map(accepted)
    .filter(lambda name: name is not None)
)


@settings(max_examples=6, deadline=None)
@given(name=names)
def test_an_accepted_name_yields_a_project_that_imports(
    name: ProjectName, project_python: Path
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = create_project(
            ProjectRequest(name=name, destination=Path(folder) / name.name, git=False)
        ).path

        for source in project.rglob("*.py"):
            compile(source.read_text(), str(source), "exec")
        check = f"import app.main; assert app.main.app.title == {name.name!r}"
        run([str(project_python), "-c", check], cwd=project, env=clean_env())
