"""The resources that a new resource's `ref` fields refer to, found in the project."""

from __future__ import annotations

import re

import inflection

from fastgen._context import Reference, references_fixture
from fastgen._project import Project, ProjectError
from fastgen.fields import FieldSpec
from fastgen.names import ResourceName


def resolve(
    project: Project, name: ResourceName, fields: tuple[FieldSpec, ...], *, owned: bool
) -> tuple[Reference, ...]:
    """One Reference per table the fields refer to, in the order they first do."""
    by_table: dict[str, list[FieldSpec]] = {}
    for field in fields:
        if field.target:
            by_table.setdefault(field.target, []).append(field)
    return tuple(
        _own(name, specs, owned=owned)
        if table == name.table
        else _other(project, name, table, specs)
        for table, specs in by_table.items()
    )


def _own(name: ResourceName, fields: list[FieldSpec], *, owned: bool) -> Reference:
    """A reference of the resource to itself, such as a parent in a tree."""
    required = [field.name for field in fields if not field.optional]
    if required:
        raise ProjectError(
            f"{required[0]} refers to {name.table} itself, so it must be optional: "
            "the first row has nothing to refer to",
            hint=f"{required[0]}:ref:{name.table}?",
        )
    return Reference(name, tuple(field.name for field in fields), name.path, own=True, owned=owned)


def _other(project: Project, name: ResourceName, table: str, fields: list[FieldSpec]) -> Reference:
    module = f"app/crud/{table}.py"
    if not project.exists(module):
        tables = sorted(path.stem for path in (project.root / "app/crud").glob("[!_]*.py"))
        raise ProjectError(
            f"{fields[0].name} refers to {table!r}, which this project does not have (no {module})",
            hint=f"generate it first, or refer to one of: {', '.join(tables) or 'none yet'}",
        )
    source = project.read(module)
    found = re.search(r"^class (\w+)Repository\b", source, re.MULTILINE)
    if not found:
        raise ProjectError(f"{module} defines no repository class")
    target = ResourceName(inflection.underscore(found[1]), table)
    routes = f"app/api/routes/{table}.py"
    prefix = (
        re.search(r"""prefix=["']([^"']+)["']""", project.read(routes))
        if project.exists(routes)
        else None
    )
    reference = Reference(
        target,
        tuple(field.name for field in fields),
        prefix[1] if prefix else "",
        needs_references=project.defines("tests/conftest.py", references_fixture(target)),
        # An owned resource's repository is built for the user it shows rows to.
        owned=re.search(r"def __init__\(self, \w+: \w+, viewer: User\)", source) is not None,
    )
    if not project.defines("tests/factories.py", reference.factory):
        raise ProjectError(
            f"tests/factories.py has no {reference.factory}(), which the tests of "
            f"{name.plural_label} need to make the {target.label} they refer to"
        )
    return reference
