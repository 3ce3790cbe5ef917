"""Any valid field specs give a resource that compiles and that ruff accepts.

Names are drawn from those the templates use for their own variables and imports, to
catch a field that would shadow one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastgen.api import ProjectRequest, create_project
from fastgen.fields import FieldSpec, InvalidFieldError, parse_field
from fastgen.names import parse_project_name, parse_resource_name
from fastgen.resource import ResourceRequest, generate_resource

NAMES = [
    "number", "fields", "overrides", "value", "data", "changes", "taken", "first", "second",
    "own", "payload", "response", "body", "client", "session", "store", "repository",
    "service", "events", "query", "total", "page", "created", "select", "func", "field",
    "date", "decimal", "uuid", "any", "type", "order", "group", "user",
    "annotated", "base", "mapped", "string", "text", "name", "items", "limit", "offset",
]  # fmt: skip
TYPES = ["str", "str:12", "text", "int", "float", "decimal", "decimal:6,0", "bool", "date",
         "datetime", "uuid", "json", "ref:items"]  # fmt: skip
DEFAULTS = ["", "=0", "=1.5", "=true", "=2026-01-31", "=hello"]


@st.composite
def field_specs(draw: st.DrawFn) -> list[FieldSpec]:
    count = draw(st.integers(min_value=1, max_value=5))
    names = draw(st.lists(st.sampled_from(NAMES), min_size=count, max_size=count, unique=True))
    specs = []
    for name in names:
        kind = draw(st.sampled_from(TYPES))
        unique = draw(st.sampled_from(["", ":unique"]))
        optional = draw(st.sampled_from(["", "?"]))
        default = draw(st.sampled_from(DEFAULTS))
        try:
            specs.append(parse_field(f"{name}:{kind}{unique}{optional}{default}"))
        except InvalidFieldError:
            specs.append(parse_field(f"{name}:{kind}"))
    return specs


@pytest.fixture(scope="module", params=["sqlite", "none"])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    destination = tmp_path_factory.mktemp("property") / "shop"
    answers = {"database": request.param, "websocket": "true"}
    request_ = ProjectRequest(
        name=parse_project_name("shop"), destination=destination, answers=answers, git=False
    )
    return create_project(request_).path


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fields=field_specs())
def test_any_valid_fields_give_code_that_ruff_accepts(
    project: Path, tmp_path_factory: pytest.TempPathFactory, fields: list[FieldSpec]
) -> None:
    result = generate_resource(
        ResourceRequest(
            name=parse_resource_name("thing"), fields=tuple(fields), start=project, dry_run=True
        )
    )
    copy = tmp_path_factory.mktemp("with-resource") / "shop"
    shutil.copytree(project, copy)
    for change in result.changes:
        compile(change.content, str(change.path), "exec")
        (copy / change.path).write_text(change.content)

    for command in (["check"], ["format", "--check"]):
        ruff = [sys.executable, "-m", "ruff", *command, "--no-cache", "--quiet", "."]
        checked = subprocess.run(ruff, cwd=copy, capture_output=True, text=True, check=False)
        assert checked.returncode == 0, f"{fields}\n{checked.stdout}{checked.stderr}"
