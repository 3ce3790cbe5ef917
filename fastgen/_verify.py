"""`fastgen verify`: render a template across its combinations of answers and run each
project's own checks, the way its users will.

Each combination is rendered as `fastgen new` would, with a resource of every field
type added; with `upgrade`, it is also rendered by the template's previous version and
updated to this one. The projects are rendered one after another (Copier is not known to
be thread-safe), then checked `jobs` at a time: each in the cached environment of its
requirements, with the servers it needs, as the template's `fastgen.yml` declares them.
"""

from __future__ import annotations

import itertools
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastgen import _envs, _matrix, _shards, _snapshots, _sources, _update
from fastgen._shards import Planned, Selection
from fastgen._trust import Trust
from fastgen.errors import FastgenError, InvalidAnswerError
from fastgen.template import Question, Template, checked_answers, load_questions, load_template

PROJECT_NAME = "verified"
CHECK_TIMEOUT = 1800  # seconds
OUTPUT_LINES = 40  # of a failed check's output, kept in the report
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "fastgen verify",
    "GIT_AUTHOR_EMAIL": "verify@fastgen.invalid",
    "GIT_COMMITTER_NAME": "fastgen verify",
    "GIT_COMMITTER_EMAIL": "verify@fastgen.invalid",
}

OnProgress = Callable[[str], None]


@dataclass(frozen=True, kw_only=True)
class VerifyRequest:
    template: str | None = None  # as `fastgen new --template` takes it; None: fastgen's own
    # The checks run the projects' code, which the template wrote: it must be trusted.
    trust: Trust = field(default_factory=Trust)
    matrix: str = "pairwise"
    pinned: Mapping[str, Any] = field(default_factory=dict)  # answers every combination has
    servers: Mapping[str, str] = field(default_factory=dict)  # server name: URL, overriding
    jobs: int = 1
    upgrade: bool = True  # also update each combination from the previous version
    keep: Path | None = None  # leave the projects in this new folder
    selection: Selection = field(default_factory=Selection)  # a shard, some ids, or all


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str  # "passed", "failed" or "skipped"
    seconds: float
    output: str = ""  # the end of a failed check's output, or why it was skipped


@dataclass(frozen=True)
class CaseResult:
    id: str  # of its combination: a combination and its upgraded case share it
    name: str
    answers: dict[str, Any]
    checks: tuple[CheckResult, ...]

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(check.name for check in self.checks if check.status == "failed")

    @property
    def seconds(self) -> float:
        return sum(check.seconds for check in self.checks)


@dataclass(frozen=True)
class Verified:
    template: str
    version: str
    matrix: str
    cases: tuple[CaseResult, ...]
    seconds: float
    check_names: tuple[str, ...]
    notes: tuple[str, ...] = ()
    # What the run was a part of: the whole matrix's ids, the pinned answers, whether
    # combinations were also upgraded, and which part this run checked.
    ids: tuple[str, ...] = ()
    pinned: Mapping[str, Any] = field(default_factory=dict)
    upgrade: bool = False
    selection: Selection = field(default_factory=Selection)

    @property
    def passed(self) -> bool:
        return not any(case.failed for case in self.cases)


@dataclass(frozen=True)
class Plan:
    """What verify would check, worked out without rendering anything."""

    source: _sources.Resolved
    template: Template
    pinned: dict[str, Any]
    combinations: tuple[Planned, ...]  # the whole matrix, in its order
    previous: _sources.Resolved | None  # the version the upgrade path starts from
    notes: tuple[str, ...]


@dataclass
class _Case:
    """A project being verified: where it is, and what went wrong while making it."""

    id: str
    name: str
    answers: dict[str, Any]
    folder: Path
    made: list[CheckResult] = field(default_factory=list)  # generate, update: steps


def plan(request: VerifyRequest) -> Plan:
    """The combinations of the request's matrix, each with its id, servers and cost."""
    return _plan(_sources.resolve(request.template), request)


def _plan(source: _sources.Resolved, request: VerifyRequest) -> Plan:
    template = load_template(source.path)
    if not template.checks:
        raise FastgenError(f"the template {template.name} declares no checks in fastgen.yml")
    questions = load_questions(source.path)
    pinned = _checked_pins(request.pinned, questions)
    unknown = sorted(set(request.servers) - {server.name for server in template.servers})
    if unknown:
        raise InvalidAnswerError(
            f"--server: the template needs no server {', '.join(map(repr, unknown))}"
        )
    combinations = _matrix.combinations(template, questions, matrix=request.matrix, pinned=pinned)
    previous = _previous_version(source) if request.upgrade else None
    notes = () if previous or not request.upgrade else (_no_previous(source),)
    planned = tuple(
        _shards.planned(
            combination,
            [s.name for s in template.servers if s.needed_by(combination.answers)],
            upgrade=previous is not None,
        )
        for combination in combinations
    )
    return Plan(source, template, pinned, planned, previous, notes)


def verify(request: VerifyRequest, *, on_progress: OnProgress = lambda _: None) -> Verified:
    """Render and check the selected combinations; raise a FastgenError only for bad input."""
    started = time.monotonic()
    if request.jobs < 1:
        raise InvalidAnswerError(f"--jobs must be 1 or more, not {request.jobs}")
    source = _sources.resolve(request.template)
    request.trust.require(source.source, to="run its projects' tests, which it wrote")
    planned = _plan(source, request)
    template, previous = planned.template, planned.previous
    selected = request.selection.pick(planned.combinations)
    notes = list(planned.notes)
    workdir = _workdir(request.keep)
    try:
        cases: list[_Case] = []
        for number, item in enumerate(selected, 1):
            combination = item.combination
            on_progress(f"rendering {combination.name}")
            folder = workdir / f"{number:02d}"
            cases.append(_render(source, request, item, folder))
            if previous:
                upgraded = workdir / f"{number:02d}-upgraded"
                cases.append(_render_upgraded(source, request, item, previous, upgraded))
        results = _check_all(cases, template, request, on_progress)
    finally:
        if request.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if request.keep is not None:
        notes.append(f"the projects are in {workdir}")
    return Verified(
        template=template.name,
        version=source.version,
        matrix=request.matrix,
        cases=tuple(results),
        seconds=time.monotonic() - started,
        check_names=("generate", *(("update",) if previous else ()), *template.checks),
        notes=tuple(notes),
        ids=tuple(item.id for item in planned.combinations),
        pinned=planned.pinned,
        upgrade=previous is not None,
        selection=request.selection,
    )


def _checked_pins(pinned: Mapping[str, Any], questions: Mapping[str, Question]) -> dict[str, Any]:
    if "project_name" in pinned:
        raise InvalidAnswerError(f"--data: verify names every project {PROJECT_NAME!r}")
    return checked_answers(questions, pinned, label="--data: ")


def _workdir(keep: Path | None) -> Path:
    if keep is None:
        return Path(tempfile.mkdtemp(prefix="fastgen-verify-"))
    if keep.exists() and (not keep.is_dir() or any(keep.iterdir())):
        raise InvalidAnswerError(f"--keep: {keep} exists and is not an empty folder")
    keep.mkdir(parents=True, exist_ok=True)
    return keep.resolve()


def _render(
    source: _sources.Resolved, request: VerifyRequest, item: Planned, folder: Path
) -> _Case:
    from fastgen import api
    from fastgen.names import parse_project_name

    combination = item.combination
    case = _Case(item.id, combination.name, combination.answers, folder)
    started = time.monotonic()
    try:
        api.create_project(
            api.ProjectRequest(
                name=parse_project_name(PROJECT_NAME),
                destination=folder,
                answers=combination.answers,
                template=_spec(source),
                trust=request.trust,
                git=False,
            )
        )
        _add_every_field_type(folder, request.trust)
    except FastgenError as error:
        case.made.append(CheckResult("generate", "failed", _since(started), str(error)))
        return case
    case.made.append(CheckResult("generate", "passed", _since(started)))
    return case


def _render_upgraded(
    source: _sources.Resolved,
    request: VerifyRequest,
    item: Planned,
    previous: _sources.Resolved,
    folder: Path,
) -> _Case:
    """The combination as the previous version renders it, updated to this one."""
    from fastgen import api

    combination = item.combination
    name = f"{combination.name} (from {previous.version})"
    case = _Case(item.id, name, combination.answers, folder)
    started = time.monotonic()
    old_questions = _questions_of(previous)
    old_answers = {k: v for k, v in combination.answers.items() if k in old_questions}
    new_answers = {k: v for k, v in combination.answers.items() if k not in old_questions}
    try:
        answers = {**old_answers, "project_name": PROJECT_NAME}
        renders = _update.rendered(previous, answers, (), api.render_fresh, request.trust)
        with renders as rendered:
            shutil.copytree(rendered, folder, symlinks=True)
        _git(folder, "init", "--quiet")
        _git(folder, "add", "--all")
        _git(folder, "commit", "--quiet", "--message", f"as {previous.version} made it")
    except (FastgenError, subprocess.CalledProcessError) as error:
        case.made.append(CheckResult("generate", "failed", _since(started), _message(error)))
        return case
    case.made.append(CheckResult("generate", "passed", _since(started)))
    started = time.monotonic()
    try:
        updated = api.update_project(
            api.UpdateRequest(
                start=folder,
                to=source.commit or None,
                answers=new_answers,
                trust=request.trust,
            )
        )
        if updated.conflicts:
            raise FastgenError(f"conflicts in {', '.join(updated.conflicts)}")
        _add_every_field_type(folder, request.trust)
    except _update.FixedAnswerError as error:  # only new projects can have this answer
        case.made.append(CheckResult("update", "skipped", _since(started), str(error)))
        return case
    except FastgenError as error:
        case.made.append(CheckResult("update", "failed", _since(started), str(error)))
        return case
    case.made.append(CheckResult("update", "passed", _since(started)))
    return case


def _add_every_field_type(folder: Path, trust: Trust) -> None:
    """Add a resource with a field of every type, where the template makes resources."""
    from fastgen import api
    from fastgen._fieldtypes import TYPES
    from fastgen._project import find_project
    from fastgen.fields import parse_fields
    from fastgen.names import parse_resource_name

    record = find_project(folder).record
    tables = [resource.plural for resource in record.resources]
    arguments = {"enum": "enum:low|high", "ref": f"ref:{tables[0]}?" if tables else ""}
    specs = [
        f"{kind}_value:{arguments.get(kind, kind)}"
        for kind in TYPES
        if arguments.get(kind, kind)  # a reference needs a table to refer to
    ]
    specimen = parse_resource_name("specimen")
    api.generate_resource(api.ResourceRequest(specimen, parse_fields(specs), folder, trust=trust))


def _check_all(
    cases: list[_Case], template: Template, request: VerifyRequest, on_progress: OnProgress
) -> list[CaseResult]:
    finished = itertools.count(1)

    def check(case: _Case) -> CaseResult:
        result = _check(case, template, request)
        state = f"failed: {', '.join(result.failed)}" if result.failed else "passed"
        done = next(finished)  # atomic under the GIL, unlike `done += 1`
        on_progress(f"[{done}/{len(cases)}] {case.name}: {state} ({result.seconds:.1f} s)")
        return result

    with ThreadPoolExecutor(max_workers=request.jobs) as pool:
        return list(pool.map(check, cases))


def _check(case: _Case, template: Template, request: VerifyRequest) -> CaseResult:
    """Run the template's checks in the case's project, unless making it failed (or
    was skipped)."""
    if any(step.status != "passed" for step in case.made):
        return CaseResult(case.id, case.name, case.answers, tuple(case.made))
    needed = [server for server in template.servers if server.needed_by(case.answers)]
    # A temporary folder of its own: pytest sessions running side by side clean up each
    # other's numbered folders in a shared one, and a project whose warnings are errors
    # fails on the warning that race gives.
    scratch = case.folder.with_name(f"{case.folder.name}.tmp")
    scratch.mkdir(exist_ok=True)
    environment = {"CI": "1", "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(scratch)}
    for server in needed:
        url = request.servers.get(server.name, server.url)
        missing = _unreachable(server.name, url)
        if missing:
            status = "failed" if os.environ.get("CI") else "skipped"
            skipped = (CheckResult(name, status, 0.0, missing) for name in template.checks)
            return CaseResult(case.id, case.name, case.answers, (*case.made, *skipped))
        environment[server.variable] = url
    try:
        venv = _envs.environment(_envs.requirements(case.folder))
    except FastgenError as error:
        failed = CheckResult("install", "failed", 0.0, str(error))
        return CaseResult(case.id, case.name, case.answers, (*case.made, failed))
    checks = [
        _run_check(name, command, case.folder, venv, environment)
        for name, command in template.checks.items()
    ]
    return CaseResult(case.id, case.name, case.answers, (*case.made, *checks))


def _run_check(
    name: str, command: str, folder: Path, venv: Path, extra: dict[str, str]
) -> CheckResult:
    bin_folder = venv / "bin"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    environment |= extra
    environment["PATH"] = f"{bin_folder}{os.pathsep}{environment.get('PATH', '')}"
    environment["VIRTUAL_ENV"] = str(venv)
    argv = shlex.split(command)
    started = time.monotonic()
    try:
        result = subprocess.run(
            argv,
            cwd=folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=CHECK_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        return CheckResult(name, "failed", _since(started), f"{argv[0]}: command not found")
    except subprocess.TimeoutExpired:
        return CheckResult(name, "failed", _since(started), f"over {CHECK_TIMEOUT} s")
    if result.returncode == 0:
        return CheckResult(name, "passed", _since(started))
    output = (result.stdout + result.stderr).strip().splitlines()[-OUTPUT_LINES:]
    return CheckResult(name, "failed", _since(started), "\n".join(output))


def _unreachable(name: str, url: str) -> str:
    """Why the server at `url` cannot be reached, or ''."""
    parts = urlsplit(url)
    if not parts.hostname or not parts.port:
        return f"{name}: {url!r} names no host and port"
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=3).close()
    except OSError as error:
        return (
            f"{name} is not reachable at {parts.hostname}:{parts.port} ({error.strerror}); "
            f"start it, or give --server {name}=URL"
        )
    return ""


def _previous_version(source: _sources.Resolved) -> _sources.Resolved | None:
    """The version before `source`'s, which `upgrade` updates from."""
    key = _update.version_key
    if source.source == _sources.BUNDLED:
        older = [v for v in _snapshots.released() if key(v) < key(source.version)]
        newest = max(older, key=key, default=None)
        return _sources.at(_sources.BUNDLED, version=newest, trust=Trust()) if newest else None
    older = [v for v in _sources.versions(source.source) if key(v) < key(source.version)]
    newest = max(older, key=key, default=None)
    return _sources.resolve(f"{source.source}@{newest}") if newest else None


def _no_previous(source: _sources.Resolved) -> str:
    return f"no version of the template before {source.version}: the upgrade path was not run"


def _questions_of(template: _sources.Resolved) -> dict[str, Question]:
    if template.source == _sources.BUNDLED and template.version != _update.current_version():
        with _snapshots.extracted(template.version) as released:
            return dict(load_questions(released / "templates"))
    return load_questions(template.path)


def _spec(source: _sources.Resolved) -> str | None:
    if source.source == _sources.BUNDLED:
        return None
    return f"{source.source}@{source.commit}" if source.commit else source.source


def _git(folder: Path, *arguments: str) -> None:
    subprocess.run(
        ["git", *arguments],
        cwd=folder,
        env=os.environ | GIT_IDENTITY,
        capture_output=True,
        check=True,
    )


def _message(error: Exception) -> str:
    if isinstance(error, subprocess.CalledProcessError):
        return (error.stderr or b"").decode(errors="replace").strip() or str(error)
    return str(error)


def _since(started: float) -> float:
    return round(time.monotonic() - started, 2)
