"""`fastgen generate resource`: one resource through every layer of an existing project.

`generate_resource` finds the project, refuses a resource that exists in any form,
renders the new modules, edits the registries (router, deps, models, store, factories,
conftest) through their syntax trees, chains an Alembic revision after the head, formats
every written file with the project's own ruff settings, and writes it all or nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, cached_property
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

from fastgen import _pyedit
from fastgen._columns import FieldCode
from fastgen.errors import FastgenError
from fastgen.fields import REFERENCE, FieldSpec
from fastgen.names import ResourceName, python_variable
from fastgen.template import BUNDLED_TEMPLATE, load_yaml_mapping

T = TypeVar("T")

ANSWERS_FILE = ".copier-answers.yml"
# Shared schema types: in app/core, where no resource module can have the same name.
_TYPES_MODULE = Path("app/core/types.py")
_TEMPLATES = BUNDLED_TEMPLATE / "resource"


class ResourceError(FastgenError):
    """The resource cannot be added to this project as asked."""


@dataclass(frozen=True)
class ResourceRequest:
    """What `fastgen generate resource` was asked to add, and where."""

    name: ResourceName
    fields: tuple[FieldSpec, ...]
    start: Path = field(default_factory=Path.cwd)
    dry_run: bool = False


@dataclass(frozen=True)
class FileChange:
    """One file the resource creates (`previous` is None) or edits."""

    path: Path  # relative to the project root
    content: str
    previous: str | None = None


@dataclass(frozen=True)
class GeneratedResource:
    """The outcome: the project, the changes, and whether they were written."""

    root: Path
    name: ResourceName
    changes: tuple[FileChange, ...]
    written: bool
    database: str


@dataclass
class Project:
    """A project made by `fastgen new`, as far as generating a resource needs to know it."""

    root: Path
    database: str
    websocket: bool

    @property
    def sql(self) -> bool:
        return self.database != "none"

    @cached_property
    def line_length(self) -> int:
        """The line length ruff enforces in the project (88 unless configured)."""
        import tomllib

        try:
            config = tomllib.loads(self.read("pyproject.toml")).get("tool", {}).get("ruff", {})
        except tomllib.TOMLDecodeError as error:
            raise ResourceError(f"pyproject.toml is not valid TOML: {error}") from None
        return int(config.get("line-length", 88))

    def read(self, path: str | Path) -> str:
        """The text of a file of the project (`path` relative to its root, or absolute)."""
        shown = os.path.relpath(self.root / path, self.root)
        try:
            return (self.root / path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ResourceError(
                f"{shown} is missing; this command edits the layout `fastgen new` creates"
            ) from None
        except UnicodeDecodeError:
            raise ResourceError(f"{shown} is not UTF-8 text") from None


@dataclass(frozen=True)
class Reference:
    """A resource that fields of the new one refer to (`customer_id:ref:customers`)."""

    param: str  # the table, the repository module and the service argument: customers
    model: str  # Customer
    fields: tuple[FieldCode, ...]
    path: str = ""  # the prefix of its routes, where the project has them: /customers
    own: bool = False  # the resource refers to itself: parent_id:ref:categories

    @property
    def attribute(self) -> str:
        """The service's attribute that holds the referenced resource's repository."""
        return "_repository" if self.own else f"_{self.param}"

    @property
    def module(self) -> str:
        return self.param

    @property
    def repository(self) -> str:
        return f"{self.model}Repository"

    @property
    def singular(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.model).lower()

    @property
    def var(self) -> str:
        return python_variable(self.singular)

    @property
    def label(self) -> str:
        return self.singular.replace("_", " ")

    @property
    def factory(self) -> str:
        return f"{self.singular}_create"

    @property
    def id(self) -> str:
        return f"{self.singular}_id"

    @property
    def helper(self) -> str:
        return f"_ensure_{self.singular}_exists"


def generate_resource(request: ResourceRequest) -> GeneratedResource:
    """Add the resource to the project around `request.start`, or raise saying why not."""
    project = find_project(request.start)
    if not request.fields:
        raise ResourceError(
            "give at least one field", hint="e.g. fastgen generate resource order total:decimal"
        )
    plan = _Plan(project, request.name, tuple(FieldCode(spec) for spec in request.fields))
    changes = plan.changes()
    if not request.dry_run:
        _write(project.root, changes)
    return GeneratedResource(
        root=project.root,
        name=request.name,
        changes=changes,
        written=not request.dry_run,
        database=project.database,
    )


def find_project(start: Path) -> Project:
    """The project whose answers file is in `start` or the nearest folder above it."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ANSWERS_FILE).is_file():
            answers = load_yaml_mapping(folder / ANSWERS_FILE)
            if "database" not in answers or not (folder / "app").is_dir():
                raise ResourceError(f"{folder} was not made by `fastgen new` ({ANSWERS_FILE})")
            return Project(
                root=folder,
                database=str(answers["database"]),
                websocket=bool(answers.get("websocket", False)),
            )
    raise ResourceError(
        f"not inside a fastgen project: no {ANSWERS_FILE} in {start} or above it",
        hint="run it inside a project made by `fastgen new`",
    )


class _Plan:
    """Works out every change for one resource, without writing anything."""

    def __init__(self, project: Project, name: ResourceName, fields: tuple[FieldCode, ...]):
        self.project = project
        self.name = name
        self.fields = fields
        self.references = self._references()

    def changes(self) -> tuple[FileChange, ...]:
        self._refuse_existing()
        created = {path: self._render(template) for path, template in self._new_files().items()}
        originals = {path: self.project.read(path) for path in self._edits()}
        edited = {
            path: self._edit(path, edit, originals[path]) for path, edit in self._edits().items()
        }
        formatted = _format(self.project.root, created | edited)
        return (
            *(FileChange(path, formatted[path]) for path in created),
            *(
                # The write checks the file still holds what the edit was made from.
                FileChange(path, formatted[path], originals[path])
                for path in edited
                if formatted[path] != originals[path]
            ),
        )

    # What is written ------------------------------------------------------------------

    def _new_files(self) -> dict[Path, str]:
        n = self.name
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
        if self.project.sql:
            revision, _ = self._revisions
            files[Path(f"migrations/versions/{revision}_create_{n.table}_table.py")] = (
                "migration.py.jinja"
            )
        if self._shared_types and not (self.project.root / _TYPES_MODULE).exists():
            files[_TYPES_MODULE] = "types.py.jinja"
        return files

    @property
    def _shared_types(self) -> list[str]:
        """The names the new schemas import from app/core/types.py."""
        needed = {"datetime": ["AwareUTCDateTime", "UTCDateTime"], "decimal": ["scaled"]}
        return [name for kind, names in needed.items() if self._has(kind) for name in names]

    def _edits(self) -> dict[Path, Callable[[str], str]]:
        n = self.name
        import_model = f"from app.models.{n.model_module} import {n.class_name}"
        edits: dict[Path, Callable[[str], str]] = {
            Path("app/api/router.py"): lambda source: _pyedit.append_element(
                _pyedit.add_imports(source, [f"from app.api.routes import {n.module}"]),
                "ROUTERS",
                f"{n.module}.router",
            ),
            Path("app/api/deps.py"): lambda source: _pyedit.append_block(
                _pyedit.add_imports(source, self._deps_imports()), self._render("deps.py.jinja")
            ),
            Path("tests/factories.py"): lambda source: _pyedit.append_block(
                _pyedit.add_imports(source, self._factory_imports()),
                self._render("factory.py.jinja"),
            ),
        }
        if self.project.sql:
            edits[Path("app/models/__init__.py")] = lambda source: _pyedit.append_element(
                _pyedit.add_imports(source, [import_model]),
                "__all__",
                f'"{n.class_name}"',
            )
        else:
            edits[Path("app/db/memory.py")] = lambda source: _pyedit.append_to_class(
                _pyedit.add_imports(source, [import_model]),
                "MemoryStore",
                f"{n.table}: MemoryTable[{n.class_name}] = "
                f"field(default_factory=MemoryTable[{n.class_name}])",
            )
        if self.references:
            edits[Path("tests/conftest.py")] = lambda source: _pyedit.append_block(
                _pyedit.add_imports(source, self._conftest_imports()),
                self._render("conftest.py.jinja"),
            )
        return edits

    def _edit(self, path: Path, edit: Callable[[str], str], source: str) -> str:
        try:
            return edit(source)
        except _pyedit.EditError as error:
            raise ResourceError(
                f"cannot register the resource in {path}: {error}",
                hint="it no longer has the shape `fastgen new` gave it",
            ) from None

    def _deps_imports(self) -> list[str]:
        n = self.name
        return [
            f"from app.crud.{n.module} import {n.class_name}Repository",
            f"from app.services.{n.module} import {n.class_name}Service",
            *(
                f"from app.crud.{ref.module} import {ref.repository}"
                for ref in self.references
                if not ref.own
            ),
        ]

    def _factory_imports(self) -> list[str]:
        imports = {f"from app.schemas.{self.name.module} import {self.name.class_name}Create"}
        for code in self.fields:
            if code.spec.kind != REFERENCE:
                imports.update(code.sample_imports)
        return sorted(imports)

    def _conftest_imports(self) -> list[str]:
        return [
            *(f"from app.crud.{ref.module} import {ref.repository}" for ref in self.references),
            *(f"from tests.factories import {ref.factory}" for ref in self.references),
        ]

    def _render(self, template: str) -> str:
        rendered: str = _environment().get_template(template).render(self._context)
        return _pyedit.wrap_docstrings(rendered, self.project.line_length)

    @cached_property
    def _context(self) -> dict[str, Any]:
        n = self.name
        unique = [code for code in self.fields if code.spec.unique]
        not_null = [code.name for code in self.fields if not code.optional]
        plain = [code for code in self.fields if code.spec.kind != REFERENCE]
        references = f"{n.singular}_references" if self.references else ""
        own_ref = any(ref.own for ref in self.references)
        revision, down_revision = self._revisions if self.project.sql else ("", None)
        missing, taken = "404 if a referenced row is missing", "409 if a unique value is taken"
        refusals = [text for text, rule in ((missing, self.references), (taken, unique)) if rule]
        return {
            "r": n,
            "C": n.class_name,
            "id": f"{n.singular}_id",
            "sql": self.project.sql,
            "websocket": self.project.websocket,
            "fields": self.fields,
            "unique": unique,
            "not_null": not_null,
            "required": [
                code.name for code in self.fields if not (code.optional or code.spec.default)
            ],
            "refs": self.references,
            "other_refs": [ref for ref in self.references if not ref.own],
            "own_ref": own_ref,
            "parents": "parents + " if own_ref else "",
            "refusals": ", ".join(refusals),
            "taken": taken,
            "update_field": plain[0] if plain else None,
            "factory": f"{n.singular}_create",
            "uses_number": any("number" in code.sample for code in plain),
            "refs_var": references,
            "refs_param": f", {references}: dict[str, int]" if references else "",
            "refs_kwargs": f"**{references}" if references else "",
            "refs_comma_kwargs": f", **{references}" if references else "",
            "refs_kwargs_comma": f"**{references}, " if references else "",
            "imports": self._field_imports(unique),
            "revision": revision,
            "down_revision": down_revision,
            "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        }

    def _field_imports(self, unique: list[FieldCode]) -> dict[str, str]:
        def joined(imports: Iterator[str]) -> str:
            return "\n".join(sorted(set(imports)))

        return {
            "model": joined(line for code in self.fields for line in code.model_imports)
            if self.project.sql
            else joined(line for code in self.fields for line in code.type_imports),
            "schemas": joined(line for code in self.fields for line in code.schema_imports),
            "crud": joined(line for code in unique for line in code.type_imports),
            "service": joined(line for code in unique for line in code.type_imports),
        }

    def _has(self, kind: str) -> bool:
        return any(code.spec.kind == kind for code in self.fields)

    # What is there already --------------------------------------------------------------

    def _references(self) -> tuple[Reference, ...]:
        targets: dict[str, list[FieldCode]] = {}
        for code in self.fields:
            if code.spec.kind == REFERENCE:
                targets.setdefault(code.spec.target, []).append(code)
        return tuple(self._reference(target, tuple(codes)) for target, codes in targets.items())

    def _reference(self, target: str, codes: tuple[FieldCode, ...]) -> Reference:
        if target == self.name.table:
            return self._own_reference(codes)
        repository_module = self.project.root / "app" / "crud" / f"{target}.py"
        if not repository_module.is_file():
            tables = sorted(path.stem for path in repository_module.parent.glob("[!_]*.py"))
            raise ResourceError(
                f"{codes[0].name} refers to {target!r}, which this project does not have "
                f"(no app/crud/{target}.py)",
                hint=f"generate it first, or refer to one of: {', '.join(tables)}",
            )
        source = self.project.read(repository_module)
        found = re.search(r"^class (\w+)Repository\b", source, re.MULTILINE)
        if not found:
            raise ResourceError(f"app/crud/{target}.py defines no repository class")
        routes = self.project.root / "app" / "api" / "routes" / f"{target}.py"
        routes_source = self.project.read(routes) if routes.is_file() else ""
        prefix = re.search(r"""prefix=["']([^"']+)["']""", routes_source)
        reference = Reference(
            param=target, model=found.group(1), fields=codes, path=prefix[1] if prefix else ""
        )
        if not self._defines("tests/factories.py", reference.factory):
            raise ResourceError(
                f"tests/factories.py has no {reference.factory}(), which the tests of "
                f"{self.name.plural_label} need to create the {reference.label} they refer to"
            )
        return reference

    def _own_reference(self, codes: tuple[FieldCode, ...]) -> Reference:
        """A reference to the resource itself, such as a parent in a tree."""
        required = [code.name for code in codes if not code.optional]
        if required:
            raise ResourceError(
                f"{required[0]} refers to {self.name.table} itself, so it must be optional: "
                "the first row has nothing to refer to",
                hint=f"{required[0]}:ref:{self.name.table}?",
            )
        n = self.name
        return Reference(param=n.table, model=n.class_name, fields=codes, path=n.path, own=True)

    def _refuse_existing(self) -> None:
        if (self.project.root / _TYPES_MODULE).exists():
            for name in self._shared_types:
                if not self._defines(str(_TYPES_MODULE), name):
                    raise ResourceError(
                        f"{_TYPES_MODULE} does not define {name}, which the new schemas need",
                        hint="add it, or move that module aside and run again",
                    )
        found = [str(path) for path in self._new_files() if (self.project.root / path).exists()]
        found += self._taken_names()
        if found:
            shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if found[3:] else "")
            model = Path(f"app/models/{self.name.model_module}.py")
            problem = "already exists" if str(model) in found else "has names already taken"
            raise ResourceError(
                f"resource {self.name.singular!r} {problem}: {shown}", hint="nothing was changed"
            )

    def _taken_names(self) -> list[str]:
        n = self.name
        project = self.project
        taken = []
        for route in sorted((project.root / "app/api/routes").glob("*.py")):
            if re.search(rf"""prefix=["']{re.escape(n.path)}["']""", project.read(route)):
                taken.append(f"route {n.path} ({route.relative_to(project.root)})")
        checks = {
            "app/api/router.py": n.module,
            "app/api/deps.py": f"get_{n.singular}_service",
            "tests/factories.py": f"{n.singular}_create",
        }
        if project.sql:
            checks["app/models/__init__.py"] = n.class_name
            taken += self._tables_named(n.table)
        elif n.table in self._parsed("app/db/memory.py", _pyedit.class_attributes, "MemoryStore"):
            taken.append(f"MemoryStore.{n.table} (app/db/memory.py)")
        for path, name in checks.items():
            if self._defines(path, name):
                taken.append(f"{name} ({path})")
        return taken

    def _tables_named(self, table: str) -> list[str]:
        root = self.project.root
        pattern = re.compile(rf"""(__tablename__\s*=|create_table\()\s*["']{table}["']""")
        sources = [*root.glob("app/models/*.py"), *root.glob("migrations/versions/*.py")]
        return [
            f"table {table!r} ({path.relative_to(root)})"
            for path in sorted(sources)
            if pattern.search(self.project.read(path))
        ]

    def _defines(self, path: str, name: str) -> bool:
        return self._parsed(path, _pyedit.defines, name)

    def _parsed(self, path: str, read: Callable[[str, str], T], name: str) -> T:
        """What `read` finds about `name` in the module at `path`."""
        try:
            return read(self.project.read(path), name)
        except _pyedit.EditError as error:
            raise ResourceError(f"cannot read {path}: {error}") from None

    @cached_property
    def _revisions(self) -> tuple[str, str | None]:
        """The id of the new revision, and the head it follows (None if there is none)."""
        versions = self.project.root / "migrations" / "versions"
        revisions: dict[str, object] = {}
        for path in sorted(versions.glob("*.py")):
            try:
                source = self.project.read(path)
                revisions[str(_pyedit.constant(source, "revision"))] = _pyedit.constant(
                    source, "down_revision"
                )
            except _pyedit.EditError as error:
                where = path.relative_to(self.project.root)
                raise ResourceError(f"cannot read {where}: {error}") from None
        parents: set[object] = set()
        for down in revisions.values():
            parents.update(down if isinstance(down, tuple | list) else [down])
        heads = sorted(set(revisions) - parents)
        if len(heads) > 1:
            raise ResourceError(
                f"the migrations have several heads ({', '.join(heads)})",
                hint="merge them first: alembic merge heads",
            )
        if revisions and all(revision.isdigit() for revision in revisions):
            width = max(len(revision) for revision in revisions)
            new = str(max(int(revision) for revision in revisions) + 1).zfill(width)
        else:
            new = "0001" if not revisions else uuid4().hex[:12]
        return new, heads[0] if heads else None


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        # Compiling the templates takes longer than everything else; jinja2 keeps the
        # compiled code in a private folder of the system's temporary directory.
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - renders Python source, not HTML
    )


def _format(root: Path, sources: dict[Path, str]) -> dict[Path, str]:
    """`sources` sorted and formatted by ruff, with the project's configuration."""
    ruff = _ruff()
    with _scratch(root) as scratch:
        for path, source in sources.items():
            (scratch / path).parent.mkdir(parents=True, exist_ok=True)
            (scratch / path).write_text(source, encoding="utf-8")
        files = [str(scratch / path) for path in sources]
        # Outside the project tree ruff cannot tell that `app` and `tests` are first-party.
        first_party = "lint.isort.known-first-party = ['app', 'tests']"
        for command in (
            [
                ruff,
                "check",
                "--fix-only",
                "--exit-zero",
                "--quiet",
                "--no-cache",
                "--select",
                "I,RUF022",
            ],
            [ruff, "format", "--quiet", "--no-cache"],
        ):
            command += ["--config", first_party]
            result = subprocess.run([*command, *files], capture_output=True, text=True, check=False)
            if result.returncode != 0:
                reason = (result.stderr.strip().splitlines() or ["no message"])[0]
                raise ResourceError(f"ruff could not format the generated code: {reason}")
        return {path: (scratch / path).read_text(encoding="utf-8") for path in sources}


def _ruff() -> str:
    from ruff.__main__ import find_ruff_bin

    return os.fsdecode(find_ruff_bin())


@contextmanager
def _scratch(root: Path) -> Iterator[Path]:
    """A hidden folder inside the project, so that ruff reads the project's settings."""
    scratch = Path(tempfile.mkdtemp(prefix=".fastgen-", dir=root))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _write(root: Path, changes: tuple[FileChange, ...]) -> None:
    """Write every change or, if one fails, none: created files go, edited ones revert."""
    done: list[FileChange] = []
    try:
        for change in changes:
            target = root / change.path
            if change.previous is None:
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("x", encoding="utf-8") as file:  # never overwrites
                    done.append(change)
                    file.write(change.content)
            else:
                if target.read_text(encoding="utf-8") != change.previous:
                    raise ResourceError(f"{change.path} changed while generating; run again")
                _replace(target, change.content)
                done.append(change)
    except BaseException:
        for change in reversed(done):
            target = root / change.path
            if change.previous is None:
                target.unlink(missing_ok=True)
            else:
                _replace(target, change.previous)
        raise


def _replace(target: Path, content: str) -> None:
    """Replace the file's content in one rename, keeping its permissions."""
    temporary = target.with_name(f".{target.name}.{uuid4().hex[:8]}.tmp")
    temporary.write_text(content, encoding="utf-8")
    shutil.copymode(target, temporary)
    os.replace(temporary, target)
