"""The Alembic revisions of a project: where a new one goes in the chain."""

from __future__ import annotations

from uuid import uuid4

from fastgen import _pyedit
from fastgen._project import Project, ProjectError

VERSIONS = "migrations/versions"


def next_revision(project: Project) -> tuple[str, str | None]:
    """The id of a new revision, and the single head it follows (None if there is none).

    Ids continue a numbered chain (0001, 0002...); after other ids, they are random.
    """
    revisions: dict[str, object] = {}
    for path in sorted((project.root / VERSIONS).glob("*.py")):
        source = project.read(path)
        try:
            revision = _pyedit.constant(source, "revision")
            revisions[str(revision)] = _pyedit.constant(source, "down_revision")
        except _pyedit.EditError as error:
            raise ProjectError(f"cannot read {path.relative_to(project.root)}: {error}") from None
    parents: set[object] = set()
    for down in revisions.values():
        parents.update(down if isinstance(down, tuple | list) else [down])
    heads = sorted(set(revisions) - parents)
    if len(heads) > 1:
        raise ProjectError(
            f"the migrations have several heads ({', '.join(heads)})",
            hint="merge them first: alembic merge heads",
        )
    if not revisions:
        return "0001", None
    if all(revision.isdigit() for revision in revisions):
        width = max(len(revision) for revision in revisions)
        return str(max(map(int, revisions)) + 1).zfill(width), heads[0]
    return uuid4().hex[:12], heads[0]


def tables_created(project: Project) -> dict[str, str]:
    """The tables the models and migrations create, each with the file that does."""
    import re

    pattern = re.compile(r"""(?:__tablename__\s*=|create_table\()\s*["'](\w+)["']""")
    found: dict[str, str] = {}
    sources = [
        *sorted(project.root.glob("app/models/*.py")),
        *sorted(project.root.glob(f"{VERSIONS}/*.py")),
    ]
    for path in sources:
        for table in pattern.findall(project.read(path)):
            found.setdefault(table, str(path.relative_to(project.root)))
    return found
