"""What `fastgen verify` reports: a table on stdout, and JSON and JUnit XML files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from fastgen._verify import Verified

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
        "template": verified.template,
        "version": verified.version,
        "matrix": verified.matrix,
        "passed": verified.passed,
        "seconds": round(verified.seconds, 2),
        "notes": list(verified.notes),
        "combinations": [
            {
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
