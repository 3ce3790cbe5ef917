"""The library entry points: what the CLI calls, usable from Python as well."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastgen import _render, _steps
from fastgen.errors import DestinationError, InvalidAnswerError, StepError
from fastgen.names import ProjectName
from fastgen.template import BUNDLED_TEMPLATE, load_questions, load_yaml_mapping

ANSWERS_FILE = ".copier-answers.yml"


@dataclass(frozen=True, kw_only=True)
class ProjectRequest:
    """What to generate, and where."""

    name: ProjectName
    destination: Path
    answers: Mapping[str, Any] = field(default_factory=dict)
    interactive: bool = False
    git: bool = True
    install: bool = False
    template: Path = BUNDLED_TEMPLATE


@dataclass(frozen=True, kw_only=True)
class CreatedProject:
    """What `create_project` wrote."""

    path: Path
    files: tuple[Path, ...]
    answers: Mapping[str, Any]
    committed: bool
    installed_with: str | None


def create_project(
    request: ProjectRequest, *, on_step: Callable[[str], None] = lambda _: None
) -> CreatedProject:
    """Generate a project: all of it appears at `request.destination`, or nothing does."""
    destination = request.destination.absolute()
    check_destination(destination)
    answers = _checked_answers(request)
    replaced_mode = destination.stat().st_mode if destination.is_dir() else None
    created_parents = _render.make_parents(destination.parent)
    try:
        with _render.staging_folder(destination) as staging:
            on_step("Rendering the template")
            _render.render(request.template, staging, answers, interactive=request.interactive)
            recorded = load_yaml_mapping(staging / ANSWERS_FILE)
            files = _render.list_files(staging, skip=lambda path: path.parts[0] == ".git")
            on_step("Making the first commit")
            committed = request.git and _steps.commit_initial_state(staging)
            _render.move_into_place(staging, destination)
        installed_with = None
        if request.install:
            on_step("Installing dependencies (this takes a minute the first time)")
            installed_with = _install_or_remove(destination, replaced_mode=replaced_mode)
    except BaseException:
        _render.remove_empty(created_parents)
        raise
    return CreatedProject(
        path=destination,
        files=tuple(files),
        answers=recorded,
        committed=committed,
        installed_with=installed_with,
    )


def check_destination(destination: Path) -> None:
    """Raise DestinationError unless `destination` is missing or an empty folder."""
    if destination.is_symlink() and not destination.exists():
        raise DestinationError(f"{destination} is a symbolic link to nothing")
    if destination.exists() and not destination.is_dir():
        raise DestinationError(f"{destination} exists and is not a folder")
    if destination.is_dir() and any(destination.iterdir()):
        raise DestinationError(
            f"{destination} already exists and is not empty",
            hint="choose another name or destination folder",
        )


def _checked_answers(request: ProjectRequest) -> dict[str, Any]:
    questions = load_questions(request.template)
    unknown = sorted(set(request.answers) - set(questions))
    if unknown:
        raise InvalidAnswerError(
            f"unknown question {', '.join(map(repr, unknown))}",
            hint=f"the questions are: {', '.join(questions)}",
        )
    given_name = request.answers.get("project_name", request.name.name)
    if given_name != request.name.name:
        raise InvalidAnswerError(
            f"project_name {given_name!r} differs from the NAME argument {request.name.name!r}",
            hint="give the project name only as the NAME argument",
        )
    return {**request.answers, "project_name": request.name.name}


def _install_or_remove(project: Path, *, replaced_mode: int | None) -> str:
    """Install the project's dependencies; if that fails, remove the project."""
    try:
        return _steps.install_dependencies(project)
    except StepError as error:
        _remove_project(project, replaced_mode=replaced_mode)
        raise StepError(
            error.message, hint="nothing was kept; without --install the project is kept"
        ) from None
    except BaseException:
        _remove_project(project, replaced_mode=replaced_mode)
        raise


def _remove_project(project: Path, *, replaced_mode: int | None) -> None:
    """Undo a generated project, putting back the empty folder it replaced, if any."""
    shutil.rmtree(project)
    if replaced_mode is not None:
        project.mkdir()
        project.chmod(replaced_mode & 0o7777)
