"""What `fastgen new` prints on success: the files written and the next commands."""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from fastgen._files import FileChange
from fastgen._update import Checked, Updated
from fastgen.api import CreatedProject, GeneratedResource
from fastgen.template import Template


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
        commands.append("uv sync && . .venv/bin/activate   # or: pip install -e . --group dev")
    else:
        commands.append(". .venv/bin/activate")
    if project.servers:
        commands.append(f"docker compose up -d   # {', '.join(project.servers)}")
    commands.append("pytest")
    if project.answers.get("database") != "none":
        commands.append("alembic upgrade head")
    commands.append("uvicorn app.main:app --reload")
    if project.answers.get("jobs", "none") != "none":
        commands.append("python -m app.worker   # in another terminal: runs the jobs")
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


def print_json(content: object) -> None:
    print(json.dumps(content, indent=2, ensure_ascii=False))


def created_json(project: CreatedProject) -> dict[str, object]:
    """`fastgen new --json`: what was (or would be) written, and what to run next."""
    return {
        "path": str(project.path),
        "written": project.written,
        "committed": project.committed,
        "installed_with": project.installed_with,
        "answers": dict(project.answers),
        "files": [file.as_posix() for file in project.files],
        "next": next_commands(project) if project.written else [],
    }


def resource_json(result: GeneratedResource) -> dict[str, object]:
    """`fastgen generate resource --json`: the files created and changed."""
    return {
        "project": str(result.root),
        "resource": result.name.singular,
        "plural": result.name.plural,
        "written": result.written,
        "created": [c.path.as_posix() for c in result.changes if c.previous is None],
        "changed": [c.path.as_posix() for c in result.changes if c.previous is not None],
        "next": _resource_next(result) if result.written else [],
    }


def _resource_next(result: GeneratedResource) -> list[str]:
    return [*(["alembic upgrade head"] if result.database != "none" else []), "pytest"]


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
                    (change.content or "").splitlines(keepends=True),
                    f"a/{change.path.as_posix()}",
                    f"b/{change.path.as_posix()}",
                )
                console.print("".join(diff), markup=False, highlight=False, end="")
        console.print("Dry run: nothing was written.")
        return
    console.print("\n[bold]Next steps[/]")
    for command in _resource_next(result):
        console.print(f"  {command}", markup=False, highlight=False)


def print_updated(updated: Updated, *, as_json: bool) -> None:
    """What an update changed, or with --dry-run would change, and what needs a look."""
    if as_json:
        print(json.dumps(_updated_json(updated), indent=2))
        return
    console = Console(soft_wrap=True, highlight=False)
    verb = "Updated" if updated.written else "Would update"
    versions = f"template {updated.from_version} -> {updated.to_version}"
    console.print(f"[green]{verb}[/] {escape(_display_path(updated.root))}: {versions}")
    for change in updated.changes:
        console.print(f"  {_action(change)} {escape(change.path.as_posix())}")
    for note in updated.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    if not updated.written:
        for change in updated.changes:
            console.print(_diff(change), markup=False, end="")
        console.print("Dry run: nothing was written.")
    elif updated.conflicts:
        console.print("[red]Conflicts[/] (resolve the markers, then `fastgen update --continue`;")
        console.print("or `fastgen update --abort` to put every file back):")
        for path in updated.conflicts:
            console.print(f"  {escape(path)}")
    elif not updated.changes:
        console.print("Already up to date.")
    else:
        console.print("Review with `git diff`, run the tests, then commit.")


def print_aborted(paths: tuple[str, ...], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"aborted": True, "restored": list(paths)}, indent=2))
    else:
        print(f"Update aborted: {len(paths)} files put back as they were.")


def print_checked(checked: Checked, *, as_json: bool) -> None:
    if as_json:
        content = {
            "template_version": checked.version,
            "latest_version": checked.latest,
            "update_available": checked.update_available,
            "drifted": [vars(drift) for drift in checked.drifted],
        }
        print(json.dumps(content, indent=2))
        return
    if checked.update_available:
        print(f"template {checked.version}: {checked.latest} is available (`fastgen update`)")
    else:
        print(f"template {checked.version}: the newest")
    for drift in checked.drifted:
        how = f"+{drift.added} -{drift.removed} lines" if drift.state == "changed" else "deleted"
        print(f"drifted: {drift.path} ({how})")
    if not checked.drifted:
        print("every rendered file is as rendered")


def print_presets(template: Template, *, as_json: bool) -> None:
    if as_json:
        listing = [
            {"name": preset.name, "description": preset.description, "answers": preset.answers}
            for preset in template.presets.values()
        ]
        print(json.dumps({"template": template.name, "presets": listing}, indent=2))
        return
    if not template.presets:
        print(f"The template {template.name} offers no presets.")
        return
    for preset in template.presets.values():
        answers = " ".join(f"{key}={_answer(value)}" for key, value in preset.answers.items())
        print(f"{preset.name}\n  {preset.description}\n  sets: {answers}")


def _answer(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _updated_json(updated: Updated) -> dict[str, object]:
    return {
        "from_version": updated.from_version,
        "to_version": updated.to_version,
        "written": updated.written,
        "changes": [
            {"path": change.path.as_posix(), "action": _action(change, plain=True)}
            for change in updated.changes
        ],
        "conflicts": list(updated.conflicts),
        "notes": list(updated.notes),
    }


def _action(change: FileChange, *, plain: bool = False) -> str:
    if change.previous is None:
        return "create" if plain else "[green]create[/]"
    if change.content is None:
        return "delete" if plain else "[red]delete[/]"
    return "update" if plain else "[yellow]update[/]"


def _diff(change: FileChange) -> str:
    path = change.path.as_posix()
    return "".join(
        difflib.unified_diff(
            (change.previous or "").splitlines(keepends=True),
            (change.content or "").splitlines(keepends=True),
            f"a/{path}" if change.previous is not None else "/dev/null",
            f"b/{path}" if change.content is not None else "/dev/null",
        )
    )
