"""A project made by fastgen, as the generator reads it: its root, record and files."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from fastgen import _pyedit, _record
from fastgen._files import inside
from fastgen.errors import FastgenError

COPIER_ANSWERS = ".copier-answers.yml"


class ProjectError(FastgenError):
    """The project is not one fastgen can work on, or not in the shape it needs."""


@dataclass
class Project:
    """The project rooted at `root`, with its record; files are read at most once."""

    root: Path
    record: _record.Record
    _texts: dict[Path, str] = field(default_factory=dict, repr=False)

    @property
    def answers(self) -> dict[str, Any]:
        return self.record.answers

    @property
    def database(self) -> str:
        try:
            return str(self.answers["database"])
        except KeyError:
            raise ProjectError(
                f"{_record.RECORD_FILE} records no answer to `database`, which "
                "`generate resource` needs to know how the project stores data"
            ) from None

    @property
    def websocket(self) -> bool:
        return bool(self.answers.get("websocket", False))

    @property
    def jobs(self) -> str:
        return str(self.answers.get("jobs", "none"))

    @property
    def auth(self) -> bool:
        return str(self.answers.get("auth", "none")) != "none"

    @property
    def sql(self) -> bool:
        return self.database != "none"

    @cached_property
    def line_length(self) -> int:
        """The line length ruff enforces in the project (88 unless configured)."""
        import tomllib

        try:
            config = tomllib.loads(self.read("pyproject.toml")).get("tool", {}).get("ruff", {})
            length = config.get("line-length", 88)
        except tomllib.TOMLDecodeError as error:
            raise ProjectError(f"pyproject.toml is not valid TOML: {error}") from None
        if not isinstance(length, int) or not 1 <= length <= 320:
            raise ProjectError(
                f"pyproject.toml: [tool.ruff] line-length is {length!r}, "
                "not a whole number from 1 to 320"
            )
        return length

    def exists(self, path: str | Path) -> bool:
        return (self.root / path).exists()

    def read(self, path: str | Path) -> str:
        """The text of a project file (`path` relative to the root, or absolute); never
        of a file outside the project, through a link or `..`."""
        relative = Path(os.path.relpath(self.root / path, self.root))
        if relative not in self._texts:
            self._texts[relative] = self._read(relative)
        return self._texts[relative]

    def _read(self, relative: Path) -> str:
        try:
            return inside(self.root, relative).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ProjectError(
                f"{relative} is missing; this command edits the layout `fastgen new` creates"
            ) from None
        except UnicodeDecodeError:
            raise ProjectError(f"{relative} is not UTF-8 text") from None

    def defines(self, path: str | Path, name: str) -> bool:
        """Whether the module at `path` binds `name` at its top level."""
        try:
            return _pyedit.defines(self.read(path), name)
        except _pyedit.EditError as error:
            raise ProjectError(f"cannot read {path}: {error}") from None


def find_project(start: Path) -> Project:
    """The project whose record is in `start` or the nearest folder above it."""
    start = start.resolve()
    for folder in (start, *start.parents):
        record_path = folder / _record.RECORD_FILE
        if record_path.is_file():
            return Project(folder, _record.read(inside(folder, _record.RECORD_FILE)))
        if (folder / COPIER_ANSWERS).is_file() and (folder / "app").is_dir():
            raise ProjectError(
                f"{folder} was made by fastgen 0.1, which kept no {_record.RECORD_FILE}",
                hint="generate a new project and move your code into it",
            )
    raise ProjectError(
        f"not inside a fastgen project: no {_record.RECORD_FILE} in {start} or above it",
        hint="run it inside a project made by `fastgen new`",
    )


def drop_template_path(answers_file: Path) -> None:
    """Drop Copier's `_src_path` from an answers file: the template's path on the machine
    that rendered it, of no use elsewhere (the record names template and version)."""
    lines = answers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("_src_path:")]
    answers_file.write_text("".join(kept), encoding="utf-8")
