"""A fastgen template: a Copier template plus `fastgen.yml`, and the questions it asks."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from fastgen.errors import FastgenError, InvalidAnswerError

_PACKAGE_DIR = Path(__file__).resolve().parent
# Installed from a wheel the template is inside the package; in a checkout it is beside it.
BUNDLED_TEMPLATE = next(
    (
        candidate
        for candidate in (_PACKAGE_DIR / "templates", _PACKAGE_DIR.parent / "templates")
        if (candidate / "copier.yml").is_file()
    ),
    _PACKAGE_DIR / "templates",
)


@dataclass(frozen=True)
class Question:
    """One question of copier.yml, as much of it as fastgen needs before Copier runs."""

    name: str
    choices: tuple[str, ...]
    kind: str = "str"
    asked_if: str | None = None  # the yes/no question it depends on (`when: "{{ x }}"`)
    help: str = ""
    default: Any = None  # None: no default (Copier's own may be a Jinja expression)
    labels: tuple[str, ...] = ()  # each choice as the wizard shows it
    validator: str = ""  # a Jinja template that renders an error message, or nothing

    def check(self, value: Any) -> Any:
        """`value` as this question's answer, or an InvalidAnswerError naming it."""
        if self.kind == "bool":
            return self._yes_or_no(value)
        if value is None or isinstance(value, (list, dict, bool)):
            shown = "nothing" if value is None else f"{type(value).__name__} {value!r}"
            raise InvalidAnswerError(f"{self.name}: expected text, got {shown}")
        text = str(value)
        if self.choices and text not in self.choices:
            raise InvalidAnswerError(
                f"{self.name}: {text!r} is not one of {', '.join(self.choices)}"
            )
        return text

    def refusal(self, answers: Mapping[str, Any]) -> str:
        """What this question's validator says of `answers`, on one line: empty where it
        accepts them, or where fastgen cannot evaluate it (Copier then does)."""
        import jinja2

        from fastgen import _jinja

        if not self.validator or self.name not in answers:
            return ""
        try:
            message = _jinja.render_string(
                self.validator, answers, name=f"validator of {self.name} in copier.yml"
            )
        except jinja2.TemplateError:  # e.g. a filter fastgen lacks
            return ""
        return " ".join(message.split())

    def _yes_or_no(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _YES or word in _NO:
            return word in _YES
        raise InvalidAnswerError(
            f"{self.name}: {value!r} is not yes or no (true/false, yes/no, 1/0)"
        )


_YES = frozenset({"true", "yes", "1"})
_NO = frozenset({"false", "no", "0"})


@dataclass(frozen=True)
class ExampleResource:
    """A resource that `fastgen new` adds, as `fastgen generate resource` arguments."""

    name: str
    fields: tuple[str, ...]
    owned: bool = False  # `--owned`: each row belongs to a user, where the project has users


@dataclass(frozen=True)
class Preset:
    """A named set of answers that a template offers (`fastgen new --preset NAME`)."""

    name: str
    description: str
    answers: dict[str, Any]


@dataclass(frozen=True)
class Server:
    """A server the checks of some projects need, as `fastgen.yml` declares it."""

    name: str
    when: tuple[dict[str, Any], ...]  # answer sets under any of which a project needs it
    variable: str  # the environment variable that tells the project's tests its URL
    url: str

    def needed_by(self, answers: dict[str, Any]) -> bool:
        return any(
            all(answers.get(key) == value for key, value in when.items()) for when in self.when
        )


@dataclass(frozen=True)
class Template:
    """A template folder: copier.yml and `project/`, `resource/` and `fastgen.yml`."""

    path: Path
    name: str
    version: str
    resources: tuple[ExampleResource, ...]
    presets: dict[str, Preset] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)  # name: command, run by verify
    servers: tuple[Server, ...] = ()
    # Answers `update` may not change once a project exists: question, and why not.
    fixed: dict[str, str] = field(default_factory=dict)

    def preset(self, name: str) -> Preset:
        try:
            return self.presets[name]
        except KeyError:
            offered = ", ".join(self.presets) or "none"
            raise InvalidAnswerError(
                f"the template {self.name} has no preset {name!r} (it offers: {offered})"
            ) from None

    @property
    def resource_templates(self) -> Path:
        return self.path / "resource"

    @cached_property
    def digest(self) -> str:
        """SHA-256 over the template's files, their paths and contents."""
        import hashlib

        digest = hashlib.sha256()
        for path in sorted(self.path.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(self.path).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
        return digest.hexdigest()


@cache
def load_template(path: Path = BUNDLED_TEMPLATE) -> Template:
    """The template at `path`, described by its fastgen.yml."""
    config = load_yaml_mapping(path / "fastgen.yml")
    examples = []
    for line in config.get("resources") or []:
        name, *fields = shlex.split(str(line))
        owned = "--owned" in fields
        examples.append(ExampleResource(name, tuple(f for f in fields if f != "--owned"), owned))
    where = path / "fastgen.yml"
    return Template(
        path=path,
        name=str(config.get("name", path.name)),
        version=str(config.get("version", "0")),
        resources=tuple(examples),
        presets=_presets(config.get("presets") or {}, where),
        checks={str(name): str(command) for name, command in _mapping(config, "checks", where)},
        servers=tuple(
            _server(str(name), spec, where) for name, spec in _mapping(config, "servers", where)
        ),
        fixed={str(name): str(reason) for name, reason in _mapping(config, "fixed", where)},
    )


def _server(name: str, spec: Any, where: Path) -> Server:
    when = spec.get("when", {}) if isinstance(spec, dict) else None
    alternatives = when if isinstance(when, list) else [when]
    if not all(isinstance(answers, dict) for answers in alternatives):
        raise FastgenError(
            f"{where}: server {name!r} needs when (a mapping, or a list of them), variable and url"
        )
    try:
        return Server(name, tuple(map(dict, alternatives)), str(spec["variable"]), str(spec["url"]))
    except KeyError as missing:
        raise FastgenError(f"{where}: server {name!r} has no {missing}") from None


def _presets(entries: Any, where: Path) -> dict[str, Preset]:
    presets = {}
    for name, spec in _mapping({"presets": entries}, "presets", where):
        if not isinstance(spec, dict) or not isinstance(spec.get("answers"), dict):
            raise FastgenError(f"{where}: preset {name!r} needs a mapping of answers")
        answers = {str(key): value for key, value in spec["answers"].items()}
        presets[str(name)] = Preset(str(name), str(spec.get("description", "")), answers)
    return presets


def _mapping(config: dict[str, Any], key: str, where: Path) -> list[tuple[Any, Any]]:
    value = config.get(key) or {}
    if not isinstance(value, dict):
        raise FastgenError(f"{where}: {key} must be a mapping")
    return list(value.items())


@cache
def load_questions(template: Path = BUNDLED_TEMPLATE) -> dict[str, Question]:
    """Return the questions of `template`'s copier.yml, in the order they are asked."""
    config = load_yaml_mapping(template / "copier.yml")
    return {
        name: _question(name, spec)
        for name, spec in config.items()
        if not name.startswith("_") and isinstance(spec, dict)
    }


def checked_answers(
    questions: Mapping[str, Question], answers: Mapping[str, Any], *, label: str = ""
) -> dict[str, Any]:
    """`answers`, each to a question of `questions` and of its type; an InvalidAnswerError
    (its message starting with `label`, which says where the answer came from) if not."""
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise InvalidAnswerError(
            f"{label}unknown question {', '.join(map(repr, unknown))}",
            hint=f"the questions are: {', '.join(questions)}",
        )
    checked = {}
    for key, value in answers.items():
        try:
            checked[key] = questions[key].check(value)
        except InvalidAnswerError as error:
            raise InvalidAnswerError(f"{label}{error.message}", hint=error.hint) from None
    return checked


def pointless(questions: Mapping[str, Question], answers: Mapping[str, Any]) -> list[str]:
    """The answered questions that `answers` does not ask (`when` is no)."""
    return [
        name
        for name, question in questions.items()
        if name in answers and question.asked_if and not answers.get(question.asked_if)
    ]


def refuse_pointless(
    questions: Mapping[str, Question], answers: Mapping[str, Any], given: Iterable[str]
) -> None:
    """Refuse an answer the user gave (one of `given`) that the others make pointless:
    silently dropped, it would surprise."""
    for name in pointless(questions, answers):
        if name in given:
            condition = questions[name].asked_if
            raise InvalidAnswerError(
                f"{name} has no effect unless {condition} is true",
                hint=f"add --data {condition}=true, or leave {name} out",
            )


def _question(name: str, spec: dict[str, Any]) -> Question:
    choices = spec.get("choices") or ()
    values = choices.values() if isinstance(choices, dict) else choices
    labels = choices.keys() if isinstance(choices, dict) else choices
    when = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", str(spec.get("when", "")).strip())
    return Question(
        name=name,
        choices=tuple(str(value) for value in values),
        kind=str(spec.get("type", "str")),
        asked_if=when.group(1) if when else None,
        help=str(spec.get("help", name)),
        default=spec.get("default"),
        labels=tuple(str(label) for label in labels),
        validator=str(spec.get("validator", "")),
    )


def regex_search(value: Any, pattern: str) -> str | None:
    """Copier's (Ansible's) `regex_search` filter, as copier.yml validators use it."""
    found = re.search(pattern, str(value))
    return found.group(0) if found else None


def load_yaml_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping, raising a FastgenError that says why not."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FastgenError(f"file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise FastgenError(f"cannot read {path}: {error}") from None
    try:
        _refuse_aliases(text, path)
        content = yaml.load(text, Loader=_safe_loader())  # noqa: S506 (a safe loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise InvalidAnswerError(f"{path} is not valid YAML at {where}: {error.problem}") from None
    except yaml.YAMLError as error:
        raise InvalidAnswerError(f"{path} is not valid YAML: {error}") from None
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise InvalidAnswerError(
            f"{path} must hold a mapping of question: answer, not {type(content).__name__}"
        )
    return {str(key): value for key, value in content.items()}


def _safe_loader() -> type[Any]:
    """PyYAML's safe loader, in C (libyaml) where PyYAML was built with it: 15x faster."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_aliases(text: str, path: Path) -> None:
    """Refuse YAML aliases (`*name`) before any is expanded.

    A few hundred bytes of nested aliases expand to billions of nodes; no answers file
    needs one, so none is read.
    """
    import yaml

    for event in yaml.parse(text, Loader=_safe_loader()):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise InvalidAnswerError(
                f"{path} uses a YAML alias{where}",
                hint="write the value out; aliases are not read, as they can expand without end",
            )
