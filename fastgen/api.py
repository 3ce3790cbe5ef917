"""The library entry points: what the CLI calls, usable from Python as well."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fastgen import __version__, _files, _record, _render, _resource, _sources, _steps, _update
from fastgen._files import FileChange
from fastgen._project import COPIER_ANSWERS, Project, drop_template_path, find_project
from fastgen._trust import Trust
from fastgen._update import Checked, Updated
from fastgen.errors import (
    DestinationError,
    InterruptedAfterCreationError,
    InvalidAnswerError,
    StepError,
)
from fastgen.fields import FieldSpec, parse_fields
from fastgen.names import ProjectName, ResourceName, parse_project_name, parse_resource_name
from fastgen.template import (
    Question,
    Template,
    checked_answers,
    load_questions,
    load_template,
    load_yaml_mapping,
    pointless,
    refuse_pointless,
)

ANSWERS_FILE = COPIER_ANSWERS

OnStep = Callable[[str], None]
# Asks the questions the answers leave open (the wizard): returns every answer.
Ask = Callable[[Template, Mapping[str, Question], dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class ProjectRequest:
    """What to generate, and where."""

    name: ProjectName
    destination: Path
    answers: Mapping[str, Any] = field(default_factory=dict)
    ask: Ask | None = None  # None: the defaults answer what nothing else did
    git: bool = True
    install: bool = False
    into_existing: bool = False
    dry_run: bool = False
    # The template: a folder or git repository, `@REF` for a version (None: fastgen's own).
    template: str | None = None
    # Which sources may run code or be rendered by Copier (tasks, extensions, migrations,
    # features fastgen's renderer lacks), and have `install` run their build.
    trust: Trust = field(default_factory=Trust)
    preset: str | None = None
    # Answers under the request's own and over the preset's: the user's configuration file.
    defaults: Mapping[str, Any] = field(default_factory=dict)
    answers_file: Path | None = None  # answers under `answers` and over the defaults


@dataclass(frozen=True, kw_only=True)
class CreatedProject:
    """What `create_project` wrote (or, for a dry run, would have written)."""

    path: Path
    files: tuple[Path, ...]
    answers: Mapping[str, Any]
    written: bool = True
    committed: bool = False
    installed_with: str | None = None
    servers: tuple[str, ...] = ()  # the servers it needs to run and to test


def create_project(request: ProjectRequest, *, on_step: OnStep = lambda _: None) -> CreatedProject:
    """Generate a project: all of it appears at `request.destination`, or nothing does."""
    destination = request.destination.absolute()
    if request.into_existing and request.install:
        raise DestinationError(
            "--install cannot be combined with --into-existing",
            hint="a folder with files in it may have a .venv that must not be replaced",
        )
    check_destination(destination, into_existing=request.into_existing)
    template = _sources.resolve(request.template)
    _sources.require_trust(template, trust=request.trust)
    if request.install:  # the template chose the build backend and the dependencies
        request.trust.require(template.source, to="install what its projects declare")
    answers = _layered_answers(request, template.path)
    if request.ask:
        answers = request.ask(load_template(template.path), load_questions(template.path), answers)
    if request.dry_run:
        with _files.scratch_folder("fastgen-dry-run-") as scratch:
            return _render_into(scratch, request, answers, template, on_step)
    existing_mode = destination.stat().st_mode if destination.is_dir() else None
    created_parents = _files.make_parents(destination.parent)
    try:
        project = _generate(destination, request, answers, template, on_step)
        if request.install:
            on_step("Installing dependencies (this takes a minute the first time)")
            installed_with = _install_or_remove(project, existing_mode=existing_mode)
            project = replace(project, installed_with=installed_with)
    except BaseException as error:
        _files.remove_empty(created_parents)
        # The rename into place is atomic and a failed install removes the project, so
        # the answers file says which side of the finish line an interruption fell.
        if isinstance(error, KeyboardInterrupt) and (destination / ANSWERS_FILE).exists():
            raise InterruptedAfterCreationError(
                f"interrupted, but the project was already complete at {destination}"
            ) from None
        raise
    return project


def check_destination(destination: Path, *, into_existing: bool = False) -> None:
    """Raise DestinationError unless fastgen may write the project at `destination`."""
    if destination.is_symlink() and not destination.exists():
        raise DestinationError(f"{destination} is a symbolic link to nothing")
    if destination.exists() and not destination.is_dir():
        raise DestinationError(f"{destination} exists and is not a folder")
    if not into_existing and destination.is_dir() and any(destination.iterdir()):
        raise DestinationError(
            f"{destination} already exists and is not empty",
            hint="choose another folder, or add --into-existing to add the project beside "
            "what is there (no file is ever overwritten)",
        )


def _generate(
    destination: Path,
    request: ProjectRequest,
    answers: dict[str, Any],
    template: _sources.Resolved,
    on_step: OnStep,
) -> CreatedProject:
    """Render in a staging folder beside `destination`, then move the result into place."""
    merging = destination.is_dir() and any(destination.iterdir())
    with _files.staging_folder(destination) as staging:
        project = _render_into(staging, request, answers, template, on_step)
        committed = False
        if request.git and not merging:  # never touch a repository the user already has
            on_step("Making the first commit")
            committed = _steps.commit_initial_state(staging)
        if merging:
            _files.merge_into(staging, destination)
        else:
            _files.move_into_place(staging, destination)
    return replace(project, path=destination, written=True, committed=committed)


def _render_into(
    folder: Path,
    request: ProjectRequest,
    answers: dict[str, Any],
    source: _sources.Resolved,
    on_step: OnStep,
) -> CreatedProject:
    """Render the template into `folder`, then add its example resources as a user would."""
    template = load_template(source.path)
    on_step("Rendering the template")
    _render.render(source, folder, answers, trust=request.trust)
    _files.check_contained(folder)
    drop_template_path(folder / ANSWERS_FILE)
    given = load_yaml_mapping(folder / ANSWERS_FILE)
    record = _record.Record(
        fastgen_version=__version__,
        template=template.name,
        template_version=source.version,
        template_digest=template.digest,
        template_source=source.source,
        template_commit=source.commit,
        answers={key: value for key, value in given.items() if not key.startswith("_")},
    )
    record = record.with_files(
        {
            path.as_posix(): _record.sha256((folder / path).read_text(encoding="utf-8"))
            for path in _files.list_files(folder, skip=lambda path: path.parts[0] == ".git")
        }
    )
    (folder / _record.RECORD_FILE).write_text(record.dumps(), encoding="utf-8")
    resource_template = _resource_template(source)
    for example in template.resources:
        on_step(f"Adding the {example.name} resource")
        name = parse_resource_name(example.name)
        fields = parse_fields(list(example.fields))
        project = find_project(folder)
        owned = example.owned and project.auth  # owned where the project has users
        changes = _plan_resource(
            project, name, fields, resource_template, source.version, owned=owned
        )
        _files.write_all(folder, changes)
    return CreatedProject(
        path=request.destination.absolute(),
        files=tuple(_files.list_files(folder, skip=lambda path: path.parts[0] == ".git")),
        answers=record.answers,
        written=False,
        servers=tuple(s.name for s in template.servers if s.needed_by(dict(record.answers))),
    )


def _layered_answers(request: ProjectRequest, template_path: Path) -> dict[str, Any]:
    """The answers, later layers winning: the preset, the configuration's defaults, the
    answers file, then the request's own (--data < flags, merged by the caller).

    An answer given for this project that the other answers make pointless is refused;
    one of a preset or of the defaults is dropped, as those are meant for many projects."""
    questions = load_questions(template_path)
    layers: list[tuple[str, Mapping[str, Any]]] = []
    if request.preset:
        preset = load_template(template_path).preset(request.preset)
        layers.append((f"preset {preset.name}: ", preset.answers))
    layers.append(("configuration defaults: ", request.defaults))
    from_file = load_yaml_mapping(request.answers_file) if request.answers_file else {}
    layers.append((f"{request.answers_file}: ", from_file))
    layers.append(("", request.answers))
    answers: dict[str, Any] = {}
    for label, layer in layers:
        answers |= _checked(label, layer, request.name, template_path)
    refuse_pointless(questions, answers, given={*request.answers, *from_file})
    for name in pointless(questions, answers):
        del answers[name]  # from a preset or the defaults
    return {**answers, "project_name": request.name.name}


def _checked(
    label: str, answers: Mapping[str, Any], name: ProjectName, template_path: Path
) -> dict[str, Any]:
    checked = checked_answers(load_questions(template_path), answers, label=label)
    given_name = checked.get("project_name", name.name)
    if given_name != name.name:
        raise InvalidAnswerError(
            f"{label}project_name {given_name!r} differs from the NAME argument {name.name!r}",
            hint="give the project name only as the NAME argument",
        )
    return checked


def _install_or_remove(project: CreatedProject, *, existing_mode: int | None) -> str:
    """Install the project's dependencies; if that fails, remove the project."""
    try:
        installed_with = _steps.install_dependencies(project.path)
        if project.committed and (project.path / "uv.lock").is_file():
            _steps.commit_lock(project.path)
        return installed_with
    except StepError as error:
        _remove_project(project, existing_mode=existing_mode)
        raise StepError(
            error.message, hint="nothing was kept; without --install the project is kept"
        ) from None
    except BaseException:
        _remove_project(project, existing_mode=existing_mode)
        raise


def _remove_project(project: CreatedProject, *, existing_mode: int | None) -> None:
    """Undo a generated project, putting back the empty folder it replaced, if any.

    Only called for a project that replaced nothing but an empty folder.
    """
    shutil.rmtree(project.path)
    if existing_mode is not None:
        project.path.mkdir()
        project.path.chmod(existing_mode & 0o7777)


@dataclass(frozen=True)
class ResourceRequest:
    """What `fastgen generate resource` was asked to add, and where."""

    name: ResourceName
    fields: tuple[FieldSpec, ...]
    start: Path = field(default_factory=Path.cwd)
    dry_run: bool = False
    owned: bool = False  # each row belongs to the user who made it
    trust: Trust = field(default_factory=Trust)  # the sources a project's record may name


@dataclass(frozen=True)
class GeneratedResource:
    """The changes that add a resource, and whether they were written."""

    root: Path
    name: ResourceName
    changes: tuple[FileChange, ...]
    written: bool
    database: str


def generate_resource(request: ResourceRequest) -> GeneratedResource:
    """Add the resource to the project around `request.start`, or raise saying why not.

    Every file is written, or none is.
    """
    project = find_project(request.start)
    _update.refuse_while_pending(project.root)
    template = _resource_template(_recorded_template(project, request.trust))
    changes = _plan_resource(
        project, request.name, request.fields, template, template.version, owned=request.owned
    )
    if not request.dry_run:
        _files.write_all(project.root, changes)
    return GeneratedResource(
        root=project.root,
        name=request.name,
        changes=changes,
        written=not request.dry_run,
        database=project.database,
    )


def _recorded_template(project: Project, trust: Trust) -> _sources.Resolved:
    """The template the project's record names, if the user trusts its source."""
    record = project.record
    return _sources.at(
        record.template_source,
        version=record.template_version,
        commit=record.template_commit,
        trust=trust,
    )


def _resource_template(source: _sources.Resolved) -> Template:
    """The template's own resource templates where it ships them, else fastgen's."""
    if source.source != _sources.BUNDLED and (source.path / "resource").is_dir():
        return replace(load_template(source.path), version=source.version)
    return load_template()


def _plan_resource(
    project: Project,
    name: ResourceName,
    fields: tuple[FieldSpec, ...],
    template: Template,
    version: str,
    *,
    owned: bool = False,
) -> tuple[FileChange, ...]:
    return _resource.plan(
        project,
        name,
        fields,
        templates=template.resource_templates,
        template_version=version,
        owned=owned,
    )


@dataclass(frozen=True, kw_only=True)
class UpdateRequest:
    """What `fastgen update` was asked: the target version and any changed answers."""

    start: Path = field(default_factory=Path.cwd)
    to: str | None = None  # the newest version this fastgen has, unless given
    answers: Mapping[str, Any] = field(default_factory=dict)
    # For a 0.1.0 project: the resources it added, as `generate resource` arguments.
    legacy_resources: tuple[str, ...] = ()
    dry_run: bool = False
    trust: Trust = field(default_factory=Trust)  # the sources that may run code


def update_project(request: UpdateRequest) -> Updated:
    """Merge the template's changes (and those of changed answers) into the project.

    The user's edits are kept; conflicts get markers and hold the record back until
    `continue_update` (or `abort_update` puts every file back).
    """
    return _update.update(
        request.start,
        to=request.to,
        answers=request.answers,
        legacy_resources=tuple(map(_legacy_resource, request.legacy_resources)),
        dry_run=request.dry_run,
        render_current=render_fresh,
        trust=request.trust,
    )


def _legacy_resource(arguments: str) -> _record.ResourceRecord:
    """A resource a 0.1.0 project added, from its `generate resource` arguments."""
    import shlex

    raw_name, *raw_fields = shlex.split(arguments) or [""]
    name = parse_resource_name(raw_name)
    fields = parse_fields(raw_fields)
    spec = tuple(field.spec for field in fields)
    return _record.ResourceRecord(name.singular, name.plural, spec, _update.LEGACY_VERSION)


def continue_update(start: Path) -> Updated:
    return _update.continue_update(start)


def abort_update(start: Path) -> tuple[str, ...]:
    return _update.abort_update(start)


def check_project(start: Path, *, trust: Trust | None = None) -> Checked:
    """Whether the project is on the newest template, and which rendered files drifted."""
    return _update.check(start, render_current=render_fresh, trust=trust or Trust())


def render_fresh(
    folder: Path,
    answers: Mapping[str, Any],
    resources: tuple[_record.ResourceRecord, ...],
    source: _sources.Resolved | None = None,
    trust: Trust | None = None,
) -> None:
    """Render the project of `answers` into the new `folder`, then add `resources`."""
    source = source or _sources.resolve(None)
    trust = trust or Trust()
    name = parse_project_name(str(answers["project_name"]))
    request = ProjectRequest(name=name, destination=folder, answers=answers, trust=trust)
    folder.mkdir()
    answers = {**_checked("", answers, name, source.path), "project_name": name.name}
    _render_into(folder, request, answers, source, lambda _: None)
    template = _resource_template(source)
    for resource in _update.missing_resources(folder, resources):
        project = find_project(folder)
        changes = _plan_resource(
            project,
            parse_resource_name(resource.name, resource.plural),
            parse_fields(list(resource.fields)),
            template,
            source.version,
            owned=resource.owned,
        )
        _files.write_all(folder, changes)
