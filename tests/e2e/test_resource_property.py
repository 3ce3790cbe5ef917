"""Any resources fastgen accepts give a project whose own tests, ruff and mypy pass.

Hypothesis draws sets of resources: every field type, optional, unique, defaults on
required fields, references to the example resource, to one another and to
themselves, owned by users or not (in the project with users), and names that the
generated code also uses for its own variables. Each
set is generated into a copy of a fresh project, which must then pass its own pytest
(contract tests included), `ruff check`, `ruff format --check` and `mypy --strict`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fastgen._fieldtypes import TYPES
from fastgen.api import ResourceRequest, generate_resource
from fastgen.errors import InvalidNameError
from fastgen.fields import InvalidFieldError, parse_field
from fastgen.names import parse_resource_name
from tests.e2e.conftest import (
    Generate,
    assert_mypy_strict_is_clean,
    assert_own_tests_pass,
    run_in_project,
)

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("FASTGEN_PROPERTY_EXAMPLES", "4"))
# Names that the generated code also uses, as variables, imports or modules.
RESOURCE_NAMES = [
    "thing", "order", "client", "session", "row", "event", "value", "parent", "test",
    "testimonial", "delete", "select", "date", "sequence", "self", "type", "field",
]  # fmt: skip
FIELD_NAMES = [
    "number", "fields", "overrides", "value", "data", "changes", "taken", "first", "own",
    "payload", "response", "body", "client", "session", "store", "repository", "service",
    "events", "query", "total", "created", "select", "func", "type", "order", "group",
    "user", "text", "name", "items", "limit", "offset", "parent", "rows", "unique",
    "references", "referrers", "ancestor", "seen", "make", "others", "date", "decimal",
    "viewer", "owner_id", "mine", "theirs", "admin", "everyone", "method", "path",
]  # fmt: skip
ARGUMENTS = {
    "str": ["", ":1", ":12", ":600"],
    "int": ["", ":0..", ":-5..5", ":1..1000"],
    "decimal": ["", ":1,0", ":6,3", ":38,2"],
    "enum": [":a|b", ":draft|published|archived"],
}
DEFAULTS = {
    "str": st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1),
    "text": st.text(st.characters(codec="utf-8", exclude_characters="\x00")),
    "int": st.integers(-10, 10).map(str),
    "float": st.sampled_from(["0", "1.5", "-2.25"]),
    "decimal": st.sampled_from(["0", "1.5", "-7.25", "9"]),
    "bool": st.sampled_from(["true", "false"]),
    "date": st.dates().map(str),
    "email": st.just("ada@example.com"),
    "url": st.just("https://example.com/a?b=c"),
    "enum": st.sampled_from(["a", "draft", "archived"]),
}


@st.composite
def field_spec(draw: st.DrawFn, name: str, tables: list[str], own: str) -> str | None:
    """One field spec, or None where the drawn combination is refused."""
    kind = draw(st.sampled_from(list(TYPES)))
    if kind == "ref":
        target = draw(st.sampled_from([*tables, own]))
        optional = "?" if target == own else draw(st.sampled_from(["", "?"]))
        spec = f"{name}:ref:{target}{draw(st.sampled_from(['', ':unique']))}{optional}"
    else:
        argument = draw(st.sampled_from(ARGUMENTS.get(kind, [""])))
        unique = draw(st.sampled_from(["", ":unique"]))
        optional = draw(st.sampled_from(["", "?"]))
        default = draw(st.one_of(st.just(None), DEFAULTS.get(kind, st.just(None))))
        spec = f"{name}:{kind}{argument}{unique}{optional}" + (
            "" if default is None else f"={default}"
        )
    try:
        parse_field(spec)
    except InvalidFieldError:
        return None
    return spec


Resource = tuple[str, list[str], bool]  # name, field specs, owned (where there are users)


@st.composite
def resource_sets(draw: st.DrawFn) -> list[Resource]:
    """One to three resources, each referring only to what exists before it."""
    names = draw(st.lists(st.sampled_from(RESOURCE_NAMES), min_size=1, max_size=3, unique=True))
    tables = ["items"]
    resources = []
    for name in names:
        try:
            plural = parse_resource_name(name).plural
        except InvalidNameError:
            continue  # refused with a reason, as tests/test_fields.py checks

        owned = draw(st.booleans())
        allowed = [name for name in FIELD_NAMES if not (owned and name == "owner_id")]
        field_names = draw(st.lists(st.sampled_from(allowed), min_size=1, max_size=6, unique=True))
        specs = [draw(field_spec(field, tables, plural)) for field in field_names]
        fields = [spec for spec in specs if spec is not None] or ["label:str"]
        resources.append((name, fields, owned))
        tables.append(plural)
    return resources or [("thing", ["label:str"], False)]


# With logged-in users on SQLite; with WebSocket events in the in-process store.
@pytest.fixture(scope="module", params=["sqlite-auth", "none-ws-memory"])
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    # A project's checks take seconds: report the first failing set as drawn.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(resources=resource_sets())
def test_any_accepted_resources_give_a_project_that_passes_its_own_checks(
    variant: str,
    resources: list[Resource],
    generated: Generate,
    project_python: Path,
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
) -> None:
    project = tmp_path_factory.mktemp("property") / "shop"
    shutil.copytree(generated(variant), project)
    for name, fields, owned in resources:
        request = ResourceRequest(
            name=parse_resource_name(name),
            fields=tuple(parse_field(spec) for spec in fields),
            start=project,
            owned=owned and "auth" in variant,
        )
        generate_resource(request)

    run_in_project(project_python, project, "ruff", "check", "--no-cache", ".")
    run_in_project(project_python, project, "ruff", "format", "--no-cache", "--check", ".")
    assert_mypy_strict_is_clean(project_python, project, pytestconfig)
    assert_own_tests_pass(project_python, project, variant)
    shutil.rmtree(project)
