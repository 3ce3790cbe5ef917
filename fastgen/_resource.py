"""The changes that add one resource to a project, worked out without writing anything.

`plan` lays out the new modules, renders them from the template's `resource/`
folder, edits the registries (router, deps, models, factories, conftest) through their
syntax trees, records the resource in `.fastgen.json`, and formats the Python with
ruff. `fastgen._files.write_all` then writes all of it or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastgen import _format, _jinja, _migrations, _pyedit, _references, _templates
from fastgen._context import ResourceContext
from fastgen._files import FileChange
from fastgen._project import Project, ProjectError
from fastgen._record import RECORD_FILE, Record, ResourceRecord, sha256
from fastgen.fields import FieldSpec
from fastgen.names import ResourceName

Edit = Callable[[str], str]
NEW_REFERENCES = "NewReferences = Callable[[], Awaitable[dict[str, int]]]"


def plan(
    project: Project,
    name: ResourceName,
    fields: tuple[FieldSpec, ...],
    *,
    templates: Path,
    template_version: str,
    owned: bool = False,
) -> tuple[FileChange, ...]:
    """Every change that adds the resource, or a ProjectError saying why it cannot be."""
    if not fields:
        raise ProjectError(
            "give at least one field", hint="e.g. fastgen generate resource order total:decimal"
        )
    if owned and not project.auth:
        raise ProjectError(
            "--owned needs users to own the rows, and this project has none (auth: none)",
            hint="leave out --owned; auth is chosen when the project is made (new --auth jwt)",
        )
    if owned and "owner_id" in {field.name for field in fields}:
        raise ProjectError(
            "owner_id names the owner of each row of an owned resource; call the field otherwise"
        )
    context = _context(project, name, fields, owned=owned)
    _refuse_existing(project, context)

    def render(template: str) -> str:
        source = _templates.render(templates, template, r=context)
        return _pyedit.wrap_docstrings(source, project.line_length)

    with _jinja.budget():  # the resource's templates, bounded together
        generated = {path: render(template) for path, template in _new_files(context).items()}
        blocks = {Path(name.removesuffix(".jinja")): render(name) for name in _blocks(context)}
    formatted = _format.format_generated(project.root, generated | blocks)
    edits = _edits(context, {path.name: formatted[path] for path in blocks})
    edited = {path: _edit(path, edit, project.read(path)) for path, edit in edits.items()}
    edited = _format.sort_imports(project.root, edited)
    resource = ResourceRecord(
        name.singular, name.plural, tuple(f.spec for f in fields), template_version, owned
    )
    changes = (
        *(FileChange(path, formatted[path]) for path in generated),
        *(
            # The write checks that the file still holds what the edit was made from.
            FileChange(path, edited[path], project.read(path))
            for path in edited
            if edited[path] != project.read(path)
        ),
    )
    record = project.record.with_resource(resource).with_files(
        _pristine_hashes(project.record, changes)
    )
    return (*changes, FileChange(Path(RECORD_FILE), record.dumps(), project.read(RECORD_FILE)))


def _pristine_hashes(record: Record, changes: tuple[FileChange, ...]) -> dict[str, str | None]:
    """The hash each changed file has as the template would render it now: known for
    new files, and for edits of files the user had not changed."""
    hashes: dict[str, str | None] = {}
    for change in changes:
        path = change.path.as_posix()
        untouched = change.previous is None or record.files.get(path) == sha256(change.previous)
        hashes[path] = sha256(change.content or "") if untouched else None
    return hashes


def _context(
    project: Project, name: ResourceName, fields: tuple[FieldSpec, ...], *, owned: bool
) -> ResourceContext:
    revision, down_revision = _migrations.next_revision(project) if project.sql else ("", None)
    return ResourceContext(
        name=name,
        fields=ResourceContext.fields_of(name, fields),
        references=_references.resolve(project, name, fields, owned=owned),
        database=project.database,
        websocket=project.websocket,
        events=project.websocket or project.jobs != "none",
        auth=project.auth,
        owned=owned,
        revision=revision,
        down_revision=down_revision,
    )


def _new_files(r: ResourceContext) -> dict[Path, str]:
    """Each module the resource adds, with the template that renders it."""
    n = r.name
    files = {
        Path(f"app/models/{n.model_module}.py"): "model.py.jinja",
        Path(f"app/schemas/{n.module}.py"): "schemas.py.jinja",
        Path(f"app/crud/{n.module}.py"): "crud.py.jinja",
        Path(f"app/services/{n.module}.py"): "service.py.jinja",
        Path(f"app/api/routes/{n.module}.py"): "routes.py.jinja",
        Path(f"tests/api/test_{n.module}.py"): "test_api.py.jinja",
        Path(f"tests/crud/test_{n.module}.py"): "test_crud.py.jinja",
        Path(f"tests/services/test_{n.module}.py"): "test_service.py.jinja",
    }
    if r.sql:
        migration = f"{_migrations.VERSIONS}/{r.revision}_create_{n.table}_table.py"
        files[Path(migration)] = "migration.py.jinja"
    return files


def _blocks(r: ResourceContext) -> list[str]:
    """The templates of the code the resource adds to files of the project."""
    return ["deps.py.jinja", "factory.py.jinja"] + (["conftest.py.jinja"] if r.references else [])


def _edits(r: ResourceContext, blocks: dict[str, str]) -> dict[Path, Edit]:
    """How each registry learns of the resource, given the formatted blocks it adds."""
    n, cls = r.name, r.name.class_name
    edits: dict[Path, Edit] = {
        Path("app/api/router.py"): lambda source: _pyedit.append_element(
            _pyedit.add_imports(source, [f"from app.api.routes import {n.module}"]),
            "ROUTERS",
            f"{n.module}.router",
        ),
        Path("app/api/deps.py"): lambda source: _pyedit.append_block(
            _pyedit.add_imports(
                source,
                [
                    f"from app.crud.{n.module} import {cls}Repository",
                    f"from app.services.{n.module} import {cls}Service",
                    *(
                        f"from app.crud.{ref.name.module} import {ref.repository}"
                        for ref in r.other_references
                    ),
                ],
            ),
            blocks["deps.py"],
        ),
        Path("tests/factories.py"): lambda source: _pyedit.append_block(
            _with_new_references(
                _pyedit.add_imports(
                    source,
                    [
                        f"from app.schemas.{n.module} import {cls}Create",
                        *(i.statement for i in r.sample_imports),
                    ],
                ),
                r,
            ),
            blocks["factory.py"],
        ),
    }
    if r.sql:
        edits[Path("app/models/__init__.py")] = lambda source: _pyedit.append_element(
            _pyedit.add_imports(source, [f"from app.models.{n.model_module} import {cls}"]),
            "__all__",
            f'"{cls}"',
        )
    if r.references:
        imports = [
            *(f"from app.crud.{ref.name.module} import {ref.repository}" for ref in r.references),
            *(f"from tests.factories import {ref.factory}" for ref in r.references),
            "from tests.factories import NewReferences",
        ]
        edits[Path("tests/conftest.py")] = lambda source: _pyedit.append_block(
            _pyedit.add_imports(source, imports), blocks["conftest.py"]
        )
    return edits


def _with_new_references(source: str, r: ResourceContext) -> str:
    """The factories module, defining the fixtures' type of reference makers if needed."""
    if not r.references or _pyedit.defines(source, "NewReferences"):
        return source
    imports = ["from collections.abc import Awaitable, Callable"]
    return _pyedit.append_block(_pyedit.add_imports(source, imports), NEW_REFERENCES)


def _edit(path: Path, edit: Edit, source: str) -> str:
    try:
        return edit(source)
    except _pyedit.EditError as error:
        raise ProjectError(
            f"cannot register the resource in {path}: {error}",
            hint="it no longer has the shape `fastgen new` gave it",
        ) from None


def _refuse_existing(project: Project, r: ResourceContext) -> None:
    """Refuse a resource that exists in any form, naming what is there; change nothing."""
    n = r.name
    found = [str(path) for path in _new_files(r) if project.exists(path)]
    if found and Path(f"app/models/{n.model_module}.py") not in map(Path, found):
        raise ProjectError(
            f"resource {n.singular!r} would replace {', '.join(found[:3])}",
            hint="nothing was changed; choose another name, or another plural with --plural",
        )
    found += _taken_names(project, r)
    if found:
        shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if found[3:] else "")
        raise ProjectError(
            f"resource {n.singular!r} already exists: {shown}", hint="nothing was changed"
        )


def _taken_names(project: Project, r: ResourceContext) -> list[str]:
    n = r.name
    taken = []
    for route in sorted((project.root / "app/api/routes").glob("*.py")):
        if re.search(rf"""prefix=["']{re.escape(n.path)}["']""", project.read(route)):
            taken.append(f"route {n.path} ({route.relative_to(project.root)})")
    checks = {
        "app/api/router.py": n.module,
        "app/api/deps.py": f"get_{n.singular}_service",
        "tests/factories.py": r.factory,
    }
    if r.references:
        checks["tests/conftest.py"] = r.references_fixture
    if r.sql:
        checks["app/models/__init__.py"] = n.class_name
        tables = _migrations.tables_created(project)
        if n.table in tables:
            taken.append(f"table {n.table!r} ({tables[n.table]})")
    taken += [f"{name} ({path})" for path, name in checks.items() if project.defines(path, name)]
    return taken
