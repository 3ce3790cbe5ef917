"""What `fastgen new` prints on success: the files written and the next commands."""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from fastgen.api import CreatedProject, GeneratedResource


def print_created(project: CreatedProject, *, quiet: bool) -> None:
    console = Console(soft_wrap=True)
    where = escape(_display_path(project.path))
    verb = "Created" if project.written else "Would create"
    commit = ", first git commit made" if project.committed else ""
    console.print(f"[green]{verb}[/] {where} ({len(project.files)} files{commit})")
    if not quiet:
        console.print(_tree(project.path.name, project.files))
    if not project.written:
        console.print("Dry run: nothing was written.")
        return
    console.print("\n[bold]Next steps[/]")
    for command in next_commands(project):
        console.print(f"  {command}", markup=False, highlight=False)


def next_commands(project: CreatedProject) -> list[str]:
    """The commands that take the new project to a running server."""
    commands = [f"cd {_display_path(project.path)}"]
    if project.installed_with is None:
        commands.append("python -m venv .venv && . .venv/bin/activate")
        commands.append("pip install -e '.[dev]'")
    else:
        commands.append(". .venv/bin/activate")
    if Path("docker-compose.yml") in project.files:
        commands.append("docker compose up -d   # the servers the project needs")
    commands.append("pytest")
    if project.answers.get("database") != "none":
        commands.append("alembic upgrade head")
    commands.append("uvicorn app.main:app --reload")
    return commands


def _display_path(path: Path) -> str:
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else relative


def _tree(root: str, files: tuple[Path, ...]) -> Tree:
    tree = Tree(f"[bold]{escape(root)}/[/]")
    branches: dict[Path, Tree] = {Path(): tree}
    for file in files:
        for folder in reversed(file.parents[:-1]):
            if folder not in branches:
                branches[folder] = branches[folder.parent].add(escape(f"{folder.name}/"))
        branches[file.parent].add(escape(file.name))
    return tree


def print_resource(result: GeneratedResource) -> None:
    """The files a resource creates and changes; the diff of each change on a dry run."""
    import difflib

    console = Console(soft_wrap=True)
    verb = "Added" if result.written else "Would add"
    console.print(f"[green]{verb}[/] resource [bold]{escape(result.name.singular)}[/]")
    for change in result.changes:
        action = "[green]create[/]" if change.previous is None else "[yellow]update[/]"
        console.print(f"  {action} {escape(change.path.as_posix())}")
    if not result.written:
        for change in result.changes:
            if change.previous is not None:
                diff = difflib.unified_diff(
                    change.previous.splitlines(keepends=True),
                    change.content.splitlines(keepends=True),
                    f"a/{change.path.as_posix()}",
                    f"b/{change.path.as_posix()}",
                )
                console.print("".join(diff), markup=False, highlight=False, end="")
        console.print("Dry run: nothing was written.")
        return
    console.print("\n[bold]Next steps[/]")
    if result.database != "none":
        console.print("  alembic upgrade head", markup=False, highlight=False)
    console.print("  pytest", markup=False, highlight=False)
