"""What `fastgen verify` reports: a table on stdout, and JSON and JUnit XML files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from fastgen import __version__
from fastgen._shards import Selection
from fastgen._verify import CaseResult, CheckResult, Plan, Verified
from fastgen.errors import FastgenError

_MARKS = {"passed": "ok", "failed": "FAILED", "skipped": "skipped"}


def print_table(verified: Verified) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    title = f"{verified.template} {verified.version}, matrix {verified.matrix}"
    table = Table(title=title, box=box.SIMPLE_HEAD)
    table.add_column("combination")
    for name in verified.check_names:
        table.add_column(name)
    table.add_column("time", justify="right")
    for case in verified.cases:
        states = {check.name: _MARKS[check.status] for check in case.checks}
        cells = [states.get(name, "") for name in verified.check_names]
        table.add_row(case.name, *cells, f"{case.seconds:.1f} s")
    console = Console(soft_wrap=True)
    if not console.is_terminal:  # a log: one row per line, however long
        console = Console(soft_wrap=True, width=240)
    console.print(table)
    for note in verified.notes:
        console.print(f"note: {note}", markup=False, highlight=False)
    failed = sum(1 for case in verified.cases if case.failed)
    console.print(
        f"{len(verified.cases) - failed} of {len(verified.cases)} combinations passed "
        f"in {verified.seconds:.1f} s",
        markup=False,
        highlight=False,
    )


def failures(verified: Verified) -> list[str]:
    """One line per failed combination, naming its failed checks."""
    return [f"{case.name}: {', '.join(case.failed)}" for case in verified.cases if case.failed]


def as_json(verified: Verified) -> dict[str, Any]:
    return {
        "fastgen_version": __version__,
        "template": verified.template,
        "version": verified.version,
        "matrix": verified.matrix,
        "data": dict(verified.pinned),
        "upgrade": verified.upgrade,
        "ids": list(verified.ids),
        "selection": verified.selection.as_json(),
        "passed": verified.passed,
        "seconds": round(verified.seconds, 2),
        "notes": list(verified.notes),
        "combinations": [
            {
                "id": case.id,
                "name": case.name,
                "answers": case.answers,
                "passed": not case.failed,
                "checks": [
                    {
                        "name": check.name,
                        "status": check.status,
                        "seconds": check.seconds,
                        "output": check.output,
                    }
                    for check in case.checks
                ],
            }
            for case in verified.cases
        ],
    }


def write_json(verified: Verified, path: Path) -> None:
    path.write_text(json.dumps(as_json(verified), indent=2) + "\n", encoding="utf-8")


def write_junit(verified: Verified, path: Path) -> None:
    """One test case per check of each combination, in the schema CI servers read."""
    checks = [(case, check) for case in verified.cases for check in case.checks]
    suite = ElementTree.Element(
        "testsuite",
        name=f"fastgen verify {verified.template} {verified.version}",
        tests=str(len(checks)),
        failures=str(sum(check.status == "failed" for _, check in checks)),
        skipped=str(sum(check.status == "skipped" for _, check in checks)),
        time=f"{verified.seconds:.2f}",
    )
    for case, check in checks:
        element = ElementTree.SubElement(
            suite, "testcase", classname=case.name, name=check.name, time=f"{check.seconds:.2f}"
        )
        if check.status == "failed":
            failure = ElementTree.SubElement(element, "failure", message=f"{check.name} failed")
            failure.text = check.output
        elif check.status == "skipped":
            ElementTree.SubElement(element, "skipped", message=check.output)
    suites = ElementTree.Element("testsuites")
    suites.append(suite)
    ElementTree.indent(suites)
    path.write_bytes(ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True))


def plan_json(plan: Plan, selection: Selection) -> dict[str, Any]:
    """`verify --list --json`: `include` is the shape a CI matrix takes
    (GitHub Actions: `strategy.matrix: ${{ fromJSON(...) }}`)."""
    return {
        "template": plan.template.name,
        "version": plan.source.version,
        "upgrade_from": plan.previous.version if plan.previous else None,
        "notes": list(plan.notes),
        "include": [
            {
                "id": item.id,
                "name": item.combination.name,
                "answers": item.combination.answers,
                "servers": list(item.servers),
                "cost": item.cost,
            }
            for item in selection.pick(plan.combinations)
        ],
    }


def list_plan(plan: Plan, selection: Selection, json_file: Path | None) -> None:
    """`verify --list`: a table, or with `--json FILE` the JSON (`-`: on stdout)."""
    if json_file is None:
        _print_plan(plan, selection)
    elif str(json_file) == "-":
        print(json.dumps(plan_json(plan, selection)))  # one line: a CI step reads it
    else:
        json_file.write_text(json.dumps(plan_json(plan, selection), indent=2) + "\n")


def _print_plan(plan: Plan, selection: Selection) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    upgrade = f", each also from {plan.previous.version}" if plan.previous else ""
    title = f"{plan.template.name} {plan.source.version}{upgrade}"
    table = Table(title=title, box=box.SIMPLE_HEAD)
    for column in ("id", "combination", "servers", "cost"):
        table.add_column(column, justify="right" if column == "cost" else "left")
    for item in selection.pick(plan.combinations):
        servers = ", ".join(item.servers) or "-"
        table.add_row(item.id, item.combination.name, servers, f"{item.cost:g}")
    console = Console(soft_wrap=True)
    if not console.is_terminal:
        console = Console(soft_wrap=True, width=240)
    console.print(table)
    for note in plan.notes:
        console.print(f"note: {note}", markup=False, highlight=False)


class ReportError(FastgenError):
    """Reports that cannot be merged into one."""


# What every part of one verify run shares; a report that differs is of another run.
_SAME = ("fastgen_version", "template", "version", "matrix", "data", "upgrade", "ids")


@dataclass(frozen=True)
class _Part:
    """One part's report, read and checked."""

    path: Path
    run: dict[str, Any]  # the values of _SAME
    selection: Selection
    seconds: float
    cases: tuple[CaseResult, ...]


def merge(paths: list[Path]) -> Verified:
    """One report of the whole matrix from the reports of its parts (shards or --only
    runs), refusing parts of different runs, and a part or a combination missing or
    given twice."""
    if not paths:
        raise ReportError("give the reports to merge", hint="fastgen verify merge a.json b.json")
    parts = [_read(path) for path in paths]
    first = parts[0]
    for part in parts[1:]:
        for key in _SAME:
            if part.run[key] != first.run[key]:
                raise ReportError(
                    f"{part.path} is of another verify run than {first.path}: its {key} differs",
                    hint="merge the reports of one run: same fastgen, template, version, "
                    "--matrix, --data and --upgrade",
                )
    ids = first.run["ids"]
    shards = [part.selection.shard for part in parts]
    if all(shards):
        _refuse_shard_gaps([shard for shard in shards if shard], paths)
    _refuse_combination_gaps(parts, ids, cases_each=2 if first.run["upgrade"] else 1)
    order = {id_: index for index, id_ in enumerate(ids)}
    cases = sorted(
        (case for part in parts for case in part.cases),
        key=lambda case: (order[case.id], case.name),  # each combination, then upgraded
    )
    longest = max(part.seconds for part in parts)
    return Verified(
        template=first.run["template"],
        version=first.run["version"],
        matrix=first.run["matrix"],
        cases=tuple(cases),
        seconds=sum(part.seconds for part in parts),
        check_names=tuple(dict.fromkeys(check.name for case in cases for check in case.checks)),
        notes=(f"{len(parts)} reports merged; the longest part took {longest:.1f} s",),
        ids=tuple(ids),
        pinned=first.run["data"],
        upgrade=first.run["upgrade"],
    )


def _refuse_shard_gaps(shards: list[tuple[int, int]], paths: list[Path]) -> None:
    counts = sorted({count for _, count in shards})
    if len(counts) > 1:
        raise ReportError(f"the reports split the matrix {' and '.join(map(str, counts))} ways")
    count = counts[0]
    seen: dict[int, Path] = {}
    for (number, _), path in zip(shards, paths, strict=True):
        if number in seen:
            raise ReportError(f"shard {number}/{count} is given twice: {seen[number]} and {path}")
        seen[number] = path
    missing = [f"{number}/{count}" for number in range(1, count + 1) if number not in seen]
    if missing:
        raise ReportError(
            f"shard {', '.join(missing)} is missing", hint="merge the report of every shard"
        )


def _refuse_combination_gaps(parts: list[_Part], ids: list[str], *, cases_each: int) -> None:
    """Every combination of the matrix in exactly one part, with its `cases_each` cases
    (fresh, and upgraded where the run upgrades) once each."""
    owner: dict[str, Path] = {}
    for part in parts:
        names = [case.name for case in part.cases]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ReportError(f"{part.path} has {twice[0]!r} twice")
        for id_ in dict.fromkeys(case.id for case in part.cases):
            if id_ in owner:
                raise ReportError(f"combination {id_} is in both {owner[id_]} and {part.path}")
            owner[id_] = part.path
    missing = [id_ for id_ in ids if id_ not in owner]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if missing[5:] else "")
        raise ReportError(f"no report has combination {shown}", hint="merge every part's report")
    for part in parts:
        for id_ in dict.fromkeys(case.id for case in part.cases):
            count = sum(case.id == id_ for case in part.cases)
            if count != cases_each:
                raise ReportError(
                    f"{part.path} has {count} results of combination {id_}, not {cases_each}"
                )


def _read(path: Path) -> _Part:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ReportError(f"cannot read {path}: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ReportError(f"{path} is not JSON") from None
    needed = {*_SAME, "selection", "seconds", "combinations"}
    if not isinstance(report, dict) or needed - set(report):
        raise ReportError(
            f"{path} is not a report of `fastgen verify --json` (or of another fastgen)"
        )
    try:
        part = _part(path, report)
    except (KeyError, TypeError, ValueError, AttributeError, FastgenError) as error:
        reason = " ".join(str(error).split())[:200]
        raise ReportError(f"{path} is damaged ({type(error).__name__}: {reason})") from None
    strangers = {case.id for case in part.cases} - set(part.run["ids"])
    if strangers:
        raise ReportError(
            f"{path} is damaged: combinations {sorted(strangers)} are not its matrix's"
        )
    return part


def _part(path: Path, report: dict[str, Any]) -> _Part:
    ids = report["ids"]
    seconds = report["seconds"]
    if not isinstance(ids, list) or not all(isinstance(id_, str) for id_ in ids):
        raise ValueError("ids is not a list of ids")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        raise ValueError("seconds is not a number")
    selection = report["selection"]
    if not isinstance(selection, dict):
        raise ValueError("selection is not a mapping")
    return _Part(
        path,
        {key: report[key] for key in _SAME},
        Selection.from_json(selection),
        float(seconds),
        tuple(_case(case) for case in report["combinations"]),
    )


def _case(case: dict[str, Any]) -> CaseResult:
    checks = []
    for check in case["checks"]:
        status = str(check["status"])
        if status not in _MARKS:
            raise ValueError(f"a check's status is {status!r}")
        checks.append(
            CheckResult(str(check["name"]), status, float(check["seconds"]), str(check["output"]))
        )
    return CaseResult(str(case["id"]), str(case["name"]), dict(case["answers"]), tuple(checks))
