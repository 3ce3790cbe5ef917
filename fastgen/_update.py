"""A project against its template: as the template rendered it, and as it renders now.

`update` renders the project as its recorded version made it (the base) and as the
target version makes it, with the same resources, and merges the difference into the
working tree. `check` says whether an update is available and which rendered files
the user changed. Both read the record (`.fastgen.json`), or adopt a project made by
0.1.0, which kept only `.copier-answers.yml`.
"""

from __future__ import annotations

import difflib
import json
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fastgen import _files, _merge, _record, _snapshots, _sources, _template_migrations
from fastgen._files import FileChange
from fastgen._project import COPIER_ANSWERS, ProjectError, drop_template_path
from fastgen._trust import Trust
from fastgen.names import parse_project_name
from fastgen.template import (
    BUNDLED_TEMPLATE,
    checked_answers,
    load_questions,
    load_template,
    load_yaml_mapping,
    pointless,
    refuse_pointless,
)

LEGACY_VERSION = "0.1.0"  # kept no record: its answers file is all there is
OWN_FILES = (_record.RECORD_FILE, COPIER_ANSWERS)  # fastgen writes these, never merges
PENDING = "fastgen-update.json"  # in the git folder while conflicts wait
VOLATILE = re.compile(r"^Create Date: .*$", re.MULTILINE)

# Renders, with this fastgen, the project of the answers and resources from a template,
# running the template's code only as the trust allows.
RenderCurrent = Callable[
    [Path, Mapping[str, Any], tuple[_record.ResourceRecord, ...], _sources.Resolved, Trust],
    None,
]


class FixedAnswerError(ProjectError):
    """An answer that `update` cannot change in a project that exists (fastgen.yml)."""


@dataclass(frozen=True)
class Updated:
    root: Path
    from_version: str
    to_version: str
    changes: tuple[FileChange, ...]
    conflicts: tuple[str, ...]
    notes: tuple[str, ...]
    written: bool


@dataclass(frozen=True)
class Drift:
    """A rendered file the user changed or deleted, and by how many lines."""

    path: str
    state: str  # "changed" or "deleted"
    added: int
    removed: int


@dataclass(frozen=True)
class Checked:
    root: Path
    version: str
    latest: str
    drifted: tuple[Drift, ...]

    @property
    def update_available(self) -> bool:
        return version_key(self.latest) > version_key(self.version)


def update(
    start: Path,
    *,
    to: str | None,
    answers: Mapping[str, Any],
    legacy_resources: tuple[_record.ResourceRecord, ...],
    dry_run: bool,
    render_current: RenderCurrent,
    trust: Trust,
) -> Updated:
    """Merge the target version's render (default: the newest) into the project.

    `legacy_resources` are those a 0.1.0 project added, which it did not record.
    """
    root = project_root(start)
    git_folder = _require_clean_repository(root)
    record = read_record(root)
    if legacy_resources:
        if record.template_version != LEGACY_VERSION:
            raise ProjectError(
                f"--resource is for projects of template {LEGACY_VERSION}, which kept no "
                f"record of their resources; this one records them in {_record.RECORD_FILE}"
            )
        record = replace(record, resources=legacy_resources)
    base_template = _recorded_template(record, trust=trust)
    target_template = _target_template(record, to, trust=trust)
    target = target_template.version
    if version_key(target) < version_key(record.template_version):
        raise ProjectError(
            f"the project is on template {record.template_version}, newer than {target}",
            hint="fastgen update does not go back; use git to undo an update",
        )
    migrated = _template_migrations.MigrationStep(dict(record.answers))
    if record.template_source == _sources.BUNDLED:  # these are of fastgen's own template
        migrated = _template_migrations.migrate(
            record.answers, after=record.template_version, up_to=target, key=version_key
        )
    new_answers = _changed_answers(migrated.answers, answers, target_template)
    with (
        rendered(base_template, record.answers, record.resources, render_current, trust) as base,
        rendered(target_template, new_answers, record.resources, render_current, trust) as new,
    ):
        base_files, new_files = _tree(base), _tree(new)
        ours = _read_files(root, base_files.keys() | new_files.keys())
        base_files = _as_rendered_then(base_files, ours)
        merged = _merge.merge(
            base_files, new_files, ours, template_label=f"template {target}", moved=migrated.moved
        )
        new_record = (new / _record.RECORD_FILE).read_text(encoding="utf-8")
        answers_file = (new / COPIER_ANSWERS).read_text(encoding="utf-8")
    own = {COPIER_ANSWERS: answers_file}
    if not merged.conflicts:  # else the record waits for `--continue`
        own[_record.RECORD_FILE] = new_record
    changes = (*merged.changes, *_own_changes(root, own))
    updated = Updated(
        root, record.template_version, target, changes, merged.conflicts, merged.notes, not dry_run
    )
    if not dry_run:
        if merged.conflicts:
            _save_pending(git_folder, updated, new_record)
        try:
            _files.write_all(root, changes)
        except BaseException:
            (git_folder / PENDING).unlink(missing_ok=True)
            raise
    return updated


def continue_update(start: Path) -> Updated:
    """Finish an update whose conflicts the user resolved: advance the record."""
    root = project_root(start)
    git_folder = _git_folder(root)
    pending = _load_pending(git_folder)
    unresolved = [
        path
        for path in pending["conflicts"]
        if _files.inside(root, path).is_file()
        and _merge.has_conflict_markers((root / path).read_text(encoding="utf-8"))
    ]
    if unresolved:
        raise ProjectError(
            f"conflict markers remain in {', '.join(unresolved)}",
            hint="resolve them, then run `fastgen update --continue` again",
        )
    record_path = root / _record.RECORD_FILE
    previous = record_path.read_text(encoding="utf-8") if record_path.is_file() else None
    change = FileChange(Path(_record.RECORD_FILE), pending["record"], previous)
    _files.write_all(root, (change,))
    (git_folder / PENDING).unlink()
    return Updated(root, pending["from"], pending["to"], (change,), (), (), True)


def abort_update(start: Path) -> tuple[str, ...]:
    """Put back every file an update with conflicts changed; return their paths."""
    root = project_root(start)
    git_folder = _git_folder(root)
    pending = _load_pending(git_folder)
    for path in pending["created"]:
        _files.inside(root, path).unlink(missing_ok=True)
        for folder in (root / path).parents:  # and the folders made for it
            if folder == root or any(folder.iterdir()):
                break
            folder.rmdir()
    if pending["restored"]:
        for path in pending["restored"]:
            _files.inside(root, path)
        _git(root, "checkout", "HEAD", "--", *pending["restored"])
    (git_folder / PENDING).unlink()
    return (*pending["created"], *pending["restored"])


def check(start: Path, *, render_current: RenderCurrent, trust: Trust) -> Checked:
    """Whether the project is on the newest template, and which rendered files drifted."""
    root = project_root(start)
    record = read_record(root)
    suspects = _suspects(root, record)
    drifted: list[Drift] = []
    if suspects:
        template = _recorded_template(record, trust=trust)
        answers, resources = record.answers, record.resources
        with rendered(template, answers, resources, render_current, trust) as pristine:
            for path in sorted(suspects):
                drift = _drift(path, _text(pristine / path), _text(_files.inside(root, path)))
                if drift is not None:
                    drifted.append(drift)
    latest = _sources.newest(record.template_source, trust=trust).version
    return Checked(root, record.template_version, latest, tuple(drifted))


def _changed_answers(
    answers: Mapping[str, Any], changes: Mapping[str, Any], template: _sources.Resolved
) -> dict[str, Any]:
    """The answers with `changes` made, each checked; a change that the other answers
    make pointless is refused, as `fastgen new` refuses it."""
    questions = load_questions(template.path)
    changed = {**answers, **checked_answers(questions, changes)}
    for name, reason in load_template(template.path).fixed.items():
        if name in changes and changed[name] != answers.get(name, questions[name].default):
            raise FixedAnswerError(
                f"{name} cannot be changed by update: {reason}",
                hint="nothing was changed; generate a new project to have it otherwise",
            )
    refuse_pointless(questions, changed, given=changes)
    skipped = pointless(questions, changed)
    return {name: value for name, value in changed.items() if name not in skipped}


def _recorded_template(record: _record.Record, *, trust: Trust) -> _sources.Resolved:
    """The template at the version the project records."""
    return _sources.at(
        record.template_source,
        version=record.template_version,
        commit=record.template_commit,
        trust=trust,
    )


def _target_template(record: _record.Record, to: str | None, *, trust: Trust) -> _sources.Resolved:
    """The version `update` goes to: `to` (a version, or a git ref), else the newest."""
    source = record.template_source
    if to is None:
        return _sources.newest(source, trust=trust)
    if source == _sources.BUNDLED:
        version_key(to)  # says what a version looks like
        return _sources.Resolved(source, to, BUNDLED_TEMPLATE)
    return _sources.at_ref(source, to, trust=trust)


def _suspects(root: Path, record: _record.Record) -> set[str]:
    """The files that may differ from the render: by hash, without rendering, where the
    record has the hashes; every file otherwise."""
    if not record.files:  # made before the record kept hashes
        return {path.as_posix() for path in _files.list_files(root, skip=_not_rendered)}
    return {
        path
        for path, sha in record.files.items()
        if sha is None
        or not _files.inside(root, path).is_file()
        or _record.sha256(_text(root / path) or "") != sha
    }


def _not_rendered(path: Path) -> bool:
    return (
        path.parts[0] in (".git", ".venv")
        or "__pycache__" in path.parts
        or path.as_posix() in OWN_FILES
    )


def _drift(path: str, pristine: str | None, current: str | None) -> Drift | None:
    if pristine is None or pristine == current:
        return None
    if current is None:
        return Drift(path, "deleted", 0, len(pristine.splitlines()))
    diff = list(difflib.unified_diff(pristine.splitlines(), current.splitlines(), lineterm="", n=0))
    added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
    return Drift(path, "changed", added, removed)


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError):
        return None


def version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        raise ProjectError(f"{version!r} is not a template version (like 0.3.0)") from None


def current_version() -> str:
    """The version of fastgen's own template."""
    return load_template().version


def project_root(start: Path) -> Path:
    """The nearest folder at or above `start` that holds a fastgen project."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / _record.RECORD_FILE).is_file() or _is_legacy(folder):
            return folder
    raise ProjectError(
        f"not inside a fastgen project: no {_record.RECORD_FILE} in {start} or above it",
        hint="run it inside a project made by `fastgen new`",
    )


def read_record(root: Path) -> _record.Record:
    """The project's record; for a 0.1.0 project, one made from its answers file."""
    path = root / _record.RECORD_FILE
    if path.is_file():
        return _record.read(_files.inside(root, path.name))
    answers = load_yaml_mapping(_files.inside(root, COPIER_ANSWERS))
    return _record.Record(
        fastgen_version=LEGACY_VERSION,
        template="fastgen",
        template_version=LEGACY_VERSION,
        answers={key: value for key, value in answers.items() if not key.startswith("_")},
    )


def _is_legacy(folder: Path) -> bool:
    return (folder / COPIER_ANSWERS).is_file() and (folder / "app").is_dir()


@contextmanager
def rendered(
    template: _sources.Resolved,
    answers: Mapping[str, Any],
    resources: Iterable[_record.ResourceRecord],
    render_current: RenderCurrent,
    trust: Trust,
) -> Iterator[Path]:
    """A fresh render of `template` with `answers`, then `resources` added in order (but
    those `new` adds itself); in a folder removed afterwards. An earlier version of
    fastgen's own template is rendered by its own fastgen, from its snapshot."""
    # The name comes from the record: a name, never a path (`..`, `/proc/self/cwd/x`).
    name = parse_project_name(str(answers.get("project_name", ""))).name
    with _files.scratch_folder("fastgen-render-") as scratch:
        folder = scratch / name
        if template.source == _sources.BUNDLED and template.version != current_version():
            _render_released(folder, template.version, answers, tuple(resources))
        else:
            render_current(folder, answers, tuple(resources), template, trust)
        yield folder


def _render_released(
    folder: Path,
    version: str,
    answers: Mapping[str, Any],
    resources: tuple[_record.ResourceRecord, ...],
) -> None:
    with _snapshots.extracted(version) as source:
        answers_file = folder.parent / "answers.yml"  # written as JSON, which is YAML
        given = {key: value for key, value in answers.items() if key != "project_name"}
        answers_file.write_text(json.dumps(given), encoding="utf-8")
        new = ["new", "--yes", "--no-git", "-q", "--answers-file", str(answers_file)]
        new += ["--", folder.name, str(folder)]  # the project's name: `rendered` checked it
        _snapshots.run_released(source, new, cwd=folder.parent)
        drop_template_path(folder / COPIER_ANSWERS)  # a path of this temporary folder
        for resource in missing_resources(folder, resources):
            add = ["generate", "resource", "--plural", resource.plural]
            add += ["--owned"] if resource.owned else []
            add += ["--", resource.name, *resource.fields]  # names, never options
            _snapshots.run_released(source, add, cwd=folder)


def missing_resources(
    folder: Path, resources: Iterable[_record.ResourceRecord]
) -> list[_record.ResourceRecord]:
    """The resources a render does not have yet (`new` adds the template's examples)."""
    path = folder / _record.RECORD_FILE
    present: set[str] = set()
    if path.is_file():
        record = _record.loads(path.read_text(encoding="utf-8"), where=path)
        present = {resource.name for resource in record.resources}
    return [resource for resource in resources if resource.name not in present]


def _as_rendered_then(base: dict[str, str], ours: Mapping[str, str]) -> dict[str, str]:
    """The base render with the lines that differ on every render (the dates old
    Alembic revisions carry) as the project has them, so they do not conflict."""
    aligned = dict(base)
    for path, text in base.items():
        kept = VOLATILE.findall(ours.get(path, ""))
        between = VOLATILE.split(text)
        if kept and len(between) == len(kept) + 1:
            aligned[path] = "".join(
                part + line for part, line in zip(between, [*kept, ""], strict=True)
            )
    return aligned


def _tree(folder: Path) -> dict[str, str]:
    """Every file of a render, by relative path, but fastgen's own."""
    return {
        path.as_posix(): (folder / path).read_text(encoding="utf-8")
        for path in _files.list_files(folder, skip=_not_rendered)
    }


def _read_files(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """The project's text at each of `paths` that exists."""
    files = {}
    for relative in paths:
        path = _files.inside(root, relative)
        if path.is_file():
            try:
                files[relative] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise ProjectError(
                    f"{relative} is not UTF-8 text; fastgen cannot merge it"
                ) from None
    return files


def _own_changes(root: Path, own: Mapping[str, str]) -> list[FileChange]:
    """fastgen's own files, as the new render has them."""
    changes = []
    for name, content in own.items():
        previous = _text(_files.inside(root, name))
        if content != previous:
            changes.append(FileChange(Path(name), content, previous))
    return changes


def refuse_while_pending(root: Path) -> None:
    """Refuse to change a project whose update waits on conflicts: `--abort` would put
    back the shared files and leave the new change half made."""
    try:
        git_folder = _git_folder(root)
    except (ProjectError, OSError):  # not under git: no update can be under way
        return
    _refuse_pending(git_folder)


def _refuse_pending(git_folder: Path) -> None:
    if (git_folder / PENDING).exists():
        raise ProjectError(
            "an update with conflicts is under way",
            hint="resolve them and run `fastgen update --continue`, or `fastgen update --abort`",
        )


def _require_clean_repository(root: Path) -> Path:
    """The project's git folder; refuses a project outside git or with changes."""
    git_folder = _git_folder(root)
    _refuse_pending(git_folder)
    if _git(root, "status", "--porcelain", "--", "."):
        raise ProjectError(
            "the working tree has uncommitted changes",
            hint="commit or stash them first, so that the update can be reviewed and undone",
        )
    return git_folder


def _git_folder(root: Path) -> Path:
    try:
        return Path(_git(root, "rev-parse", "--absolute-git-dir").strip())
    except ProjectError:
        raise ProjectError(
            "fastgen update needs the project under git, to show and undo what it changes",
            hint="git init && git add -A && git commit -m 'Before fastgen update'",
        ) from None


def _save_pending(git_folder: Path, updated: Updated, new_record: str) -> None:
    state = {
        "from": updated.from_version,
        "to": updated.to_version,
        "record": new_record,
        "conflicts": list(updated.conflicts),
        "created": [c.path.as_posix() for c in updated.changes if c.previous is None],
        "restored": [c.path.as_posix() for c in updated.changes if c.previous is not None],
    }
    (git_folder / PENDING).write_text(json.dumps(state, indent=2), encoding="utf-8")


def _load_pending(git_folder: Path) -> dict[str, Any]:
    """The state of an update waiting on conflicts, checked: it names files to delete
    and restore, so each must be a plain path inside the project."""
    path = git_folder / PENDING
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProjectError("no update is under way") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        reason = " ".join(str(error).split())[:200]
        raise ProjectError(f"{path} is damaged ({reason})", hint=_DAMAGED_PENDING) from None
    lists = ("conflicts", "created", "restored")
    if not (
        isinstance(state, dict)
        and all(isinstance(state.get(key), str) for key in ("from", "to", "record"))
        and all(isinstance(state.get(key), list) for key in lists)
        and all(
            isinstance(item, str) and _record.is_inside_path(item)
            for key in lists
            for item in state[key]
        )
    ):
        raise ProjectError(f"{path} is damaged", hint=_DAMAGED_PENDING)
    return state


_DAMAGED_PENDING = "delete it, then put the files back with git (`git checkout -- .`)"


# A project is someone else's files: git finds no repository in a bare one they hold
# (whose config could name a program to run), runs no fsmonitor, and takes paths as paths.
_GIT_SAFELY = (
    "-c", "safe.bareRepository=explicit", "-c", "core.fsmonitor=false", "--literal-pathspecs",
)  # fmt: skip


def _git(root: Path, *arguments: str) -> str:
    result = subprocess.run(
        ["git", *_GIT_SAFELY, *arguments], cwd=root, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ProjectError(f"git {arguments[0]} failed: {result.stderr.strip()}")
    return result.stdout
