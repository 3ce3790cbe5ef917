"""Sorting imports and formatting generated Python with ruff, as the project configures it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from fastgen.errors import FastgenError


class FormatError(FastgenError):
    """ruff could not format the generated code."""


def format_sources(project: Path, sources: dict[Path, str]) -> dict[Path, str]:
    """`sources` (paths relative to `project`) sorted and formatted by ruff.

    They are formatted in a scratch folder outside the project, with the project's
    ruff settings, so nothing is ever left in the project.
    """
    if not sources:
        return {}
    ruff = _ruff()
    scratch = Path(tempfile.mkdtemp(prefix="fastgen-format-"))
    try:
        for path, source in sources.items():
            (scratch / path).parent.mkdir(parents=True, exist_ok=True)
            (scratch / path).write_text(source, encoding="utf-8")
        files = [str(scratch / path) for path in sources]
        settings = [
            "--no-cache",
            "--quiet",
            "--config",
            str(project / "pyproject.toml"),
            # Outside the project, ruff cannot tell that `app` and `tests` are its own.
            "--config",
            "lint.isort.known-first-party = ['app', 'tests']",
        ]
        for command in (
            ["check", "--fix-only", "--exit-zero", "--select", "I,RUF022", *settings],
            ["format", *settings],
        ):
            result = subprocess.run(
                [ruff, *command, *files], capture_output=True, text=True, check=False
            )
            if result.returncode != 0:
                reason = (result.stderr.strip().splitlines() or ["no message"])[0]
                raise FormatError(f"ruff could not format the generated code: {reason}")
        return {path: (scratch / path).read_text(encoding="utf-8") for path in sources}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _ruff() -> str:
    from ruff.__main__ import find_ruff_bin

    return os.fsdecode(find_ruff_bin())
