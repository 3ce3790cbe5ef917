"""Rendering a Copier template without Copier, for the features fastgen's template uses.

Copier's import and pipeline take most of the time of `fastgen new`. This module renders
the same files, byte for byte (a test compares every option combination of the bundled
template with Copier's output), for templates that keep to: questions with `type`,
`default`, `choices`, `when` and `validator`; `_subdirectory`, `_exclude`,
`_answers_file`, `_templates_suffix`, `_min_copier_version`, and `_envops` with
`keep_trailing_newline` and a strict `undefined`. `supports` says whether a template
keeps to them; `Unsupported` is raised where rendering meets anything else (a context
variable or path feature of Copier's that this module lacks), and the caller then
renders with Copier.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path, PurePath
from typing import Any

from fastgen import _jinja
from fastgen.errors import FastgenError, InvalidAnswerError
from fastgen.template import Question, load_questions, load_yaml_mapping

SUPPORTED_SETTINGS = frozenset(
    {
        "_subdirectory",
        "_exclude",
        "_answers_file",
        "_templates_suffix",
        "_min_copier_version",
        "_envops",
    }
)
SUPPORTED_ENVOPS = frozenset({"keep_trailing_newline", "undefined"})
SUPPORTED_QUESTION_KEYS = frozenset(
    {"type", "help", "default", "choices", "when", "validator", "placeholder", "multiline"}
)
SUPPORTED_TYPES = frozenset({"str", "bool"})


class Unsupported(Exception):  # noqa: N818 - a signal to fall back, not an error
    """The template needs something only Copier does."""


class TemplatePathError(FastgenError):
    """A template path that renders to a place outside the project, or git's own."""


@dataclass(frozen=True)
class _Settings:
    root: Path  # the folder whose content is the project
    exclude: tuple[str, ...]
    answers_file: str
    suffix: str
    keep_trailing_newline: bool


def supports(template: Path) -> bool:
    """Whether this module renders `template` as Copier would."""
    return _settings(template) is not None


def render(template: Path, staging: Path, answers: Mapping[str, Any]) -> None:
    """Render `template` into the empty folder `staging`, as Copier with `defaults=True`."""
    import jinja2

    settings = _settings(template)
    if settings is None:
        raise Unsupported(template)
    environment = _environment(template, settings.keep_trailing_newline)
    questions = load_questions(template)
    context = _context(template, staging, settings, questions, answers, environment)
    try:
        for source, relative in _walk(settings, context, environment):
            target = staging / relative
            if source.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.name.endswith(settings.suffix):
                name = source.relative_to(template).as_posix()
                loaded = environment.get_template(name)
                content = _jinja.render(loaded, context, name=name).encode()
            else:
                content = source.read_bytes()
            target.write_bytes(content)
            mode = stat.S_IMODE(source.stat().st_mode)
            if stat.S_IMODE(target.stat().st_mode) != mode:
                target.chmod(mode)
    except (jinja2.TemplateError, TypeError, AttributeError) as error:
        raise Unsupported(f"what fastgen's renderer lacks: {error}") from error


@cache
def _settings(template: Path) -> _Settings | None:
    config = load_yaml_mapping(template / "copier.yml")
    settings = {key: value for key, value in config.items() if key.startswith("_")}
    envops = settings.get("_envops") or {}
    questions = [spec for key, spec in config.items() if not key.startswith("_")]
    if (
        set(settings) - SUPPORTED_SETTINGS
        or not isinstance(envops, dict)
        or set(envops) - SUPPORTED_ENVOPS
        or envops.get("undefined") != "jinja2.StrictUndefined"  # else a gap would not show
        or not all(isinstance(spec, dict) for spec in questions)
        or any(set(spec) - SUPPORTED_QUESTION_KEYS for spec in questions)
        or any(str(spec.get("type", "str")) not in SUPPORTED_TYPES for spec in questions)
    ):
        return None
    exclude = settings.get("_exclude") or []
    root = template / str(settings.get("_subdirectory", ""))
    if not root.resolve().is_relative_to(template.resolve()):
        raise TemplatePathError(
            f"{template / 'copier.yml'}: _subdirectory leads outside the template"
        )
    return _Settings(
        root=root,
        exclude=tuple(str(pattern) for pattern in exclude),
        answers_file=str(settings.get("_answers_file", ".copier-answers.yml")),
        suffix=str(settings.get("_templates_suffix", ".jinja")),
        keep_trailing_newline=bool(envops.get("keep_trailing_newline", False)),
    )


@cache
def _environment(template: Path, keep_trailing_newline: bool) -> Any:
    """Copier's environment: sandboxed, strict, Ansible's filters, compiled once."""
    import jinja2

    environment = _jinja.sandboxed(
        loader=jinja2.FileSystemLoader(template),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=keep_trailing_newline,
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
    )
    environment.filters["to_json"] = partial(environment.filters["to_json"], default=_jsonable)
    for name in MACHINE_FILTERS:  # Copier renders them, for a trusted template only
        environment.filters[name] = partial(_reads_machine, name)
    return environment


# Ansible's filters that read the machine rendering a template: its environment, home,
# files and working folder.
MACHINE_FILTERS = ("expanduser", "expandvars", "fileglob", "realpath", "relpath")


def _reads_machine(name: str, *args: object, **kwargs: object) -> object:
    raise Unsupported(f"the {name} filter, which reads the machine")


def _jsonable(value: Any) -> Any:
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _context(
    template: Path,
    staging: Path,
    settings: _Settings,
    questions: Mapping[str, Question],
    given: Mapping[str, Any],
    environment: Any,
) -> dict[str, Any]:
    """The answers, each question's default where none was given, and Copier's own
    variables. A question whose `when` is false keeps its default but is not recorded."""
    answers: dict[str, Any] = {}
    remembered: dict[str, Any] = {"_src_path": str(template)}
    for name, question in questions.items():
        asked = question.asked_if is None or bool(answers.get(question.asked_if))
        if name in given:
            value = question.check(given[name])
        elif question.default is None:
            raise Unsupported(f"{name} has no default")  # Copier says it is required
        else:
            value = question.check(_rendered(question.default, answers, environment))
        if asked:  # as Copier, which validates neither the answers nor defaults skipped
            _validate(question, value, answers, environment)
        answers[name] = value
        if asked:
            remembered[name] = value
    answers_file = PurePath(settings.answers_file)
    return {
        **answers,
        "_copier_answers": remembered,
        "_copier_conf": {
            "answers_file": answers_file,
            "src_path": PurePath(template),
            "dst_path": PurePath(staging),
        },
        "_folder_name": staging.name,
        "_copier_python": sys.executable,
    }


def _rendered(default: Any, answers: Mapping[str, Any], environment: Any) -> Any:
    if isinstance(default, str) and ("{{" in default or "{%" in default):
        name = "a default in copier.yml"
        return _jinja.render(environment.from_string(default), answers, name=name)
    return default


def _validate(question: Question, value: Any, answers: Mapping[str, Any], environment: Any) -> None:
    if not question.validator:
        return
    message = _jinja.render(
        environment.from_string(question.validator),
        {**answers, question.name: value},
        name=f"validator of {question.name} in copier.yml",
    )
    if message.strip():
        raise InvalidAnswerError(f"{question.name}: {' '.join(message.split())}")


def _walk(
    settings: _Settings, context: Mapping[str, Any], environment: Any
) -> Iterator[tuple[Path, Path]]:
    """Each file and folder of the template with the path it renders to, in Copier's
    way: a `.jinja` name loses the suffix (and hides a plain sibling of that name), each
    path part is a template, a part rendered empty drops its subtree, and what matches
    `_exclude` (gitignore patterns, on the rendered path) is left out."""
    import pathspec
    from pathspec import PathSpec

    # Copier's choice: pathspec 1.0 renamed its "gitwildmatch" patterns "gitignore".
    kind = "gitignore" if int(pathspec.__version__.split(".")[0]) >= 1 else "gitwildmatch"
    excluded = PathSpec.from_lines(kind, settings.exclude).match_file
    root = settings.root
    for folder, folders, files in os.walk(root):
        folders.sort()
        for name in sorted(folders) + sorted(files):
            source = Path(folder, name)
            relative = source.relative_to(root)
            is_template = name.endswith(settings.suffix)
            if not is_template and Path(f"{source}{settings.suffix}").exists():
                continue  # the templated sibling renders this path
            parts = list(relative.parts)
            if is_template:
                parts[-1] = parts[-1].removesuffix(settings.suffix)
            rendered = [_render_part(part, context, environment) for part in parts]
            if not all(rendered):
                continue
            _refuse_escape(relative, rendered)
            if "{% yield" in str(relative):
                raise Unsupported("yield tags in paths")
            target = Path(*rendered)
            if not excluded(target.as_posix()):
                yield source, target


def _render_part(part: str, context: Mapping[str, Any], environment: Any) -> str:
    if "{" not in part:
        return part
    return _jinja.render(_compiled(part, environment), context, name=f"path part {part}")


def _refuse_escape(source: Path, rendered: list[str]) -> None:
    """Refuse a rendered path part that is not one plain name inside the project."""
    for part in rendered:
        if part in (".", "..") or "/" in part or "\\" in part or "\0" in part:
            raise TemplatePathError(
                f"the template's {source.as_posix()} renders to {'/'.join(rendered)!r}, "
                "which would leave the project",
                hint="a path part must render to one name: no '.', '..' or separator",
            )
        if part.lower() == ".git":
            raise TemplatePathError(
                f"the template's {source.as_posix()} renders into .git, git's own folder",
                hint="a template may not write git's configuration or hooks",
            )


@cache
def _compiled(part: str, environment: Any) -> Any:
    return environment.from_string(part)
