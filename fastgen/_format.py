"""Ruff over generated code, with the project's own settings.

Generated code is sorted and formatted whole. A file of the user's that fastgen edits
only has its imports sorted: its own layout is left alone, and ruff's formatter,
whose time can grow with the square of a file's size, never runs over it.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

from fastgen._files import inside, scratch_folder
from fastgen.errors import FastgenError

_SORT_IMPORTS = ["check", "--fix-only", "--exit-zero", "--select", "I,RUF022"]


class FormatError(FastgenError):
    """ruff could not format the generated code."""


def format_generated(project: Path, sources: dict[Path, str]) -> dict[Path, str]:
    """`sources`, generated code, with imports sorted and formatted by ruff."""
    return _ruff(project, sources, [_SORT_IMPORTS, ["format"]])


def sort_imports(project: Path, sources: dict[Path, str]) -> dict[Path, str]:
    """`sources`, files fastgen edited, with their imports (and `__all__`) sorted."""
    return _ruff(project, sources, [_SORT_IMPORTS])


def _ruff(project: Path, sources: dict[Path, str], commands: list[list[str]]) -> dict[Path, str]:
    """Run each ruff command over copies of `sources` in a scratch folder.

    The folder is outside the project, so nothing is ever left in it, and ruff is
    told the project's settings.
    """
    if not sources:
        return {}
    ruff = _ruff_binary()
    settings = [
        "--no-cache",
        "--quiet",
        "--config",
        str(_settings_file(project)),
        # Outside the project, ruff cannot tell that `app` and `tests` are its own.
        "--config",
        "lint.isort.known-first-party = ['app', 'tests']",
    ]
    with scratch_folder("fastgen-format-") as scratch:
        for path, source in sources.items():
            (scratch / path).parent.mkdir(parents=True, exist_ok=True)
            (scratch / path).write_text(source, encoding="utf-8")
        files = [str(scratch / path) for path in sources]
        for command in commands:
            result = subprocess.run(
                [ruff, *command, *settings, *files], capture_output=True, text=True, check=False
            )
            if result.returncode != 0:
                reason = (result.stderr.strip().splitlines() or ["no message"])[0]
                raise FormatError(f"ruff could not format the generated code: {reason}")
        return {path: (scratch / path).read_text(encoding="utf-8") for path in sources}


def _settings_file(project: Path) -> Path:
    """The project's pyproject.toml, once every file its ruff settings `extend` is known
    to be inside the project: ruff reads them all, and the project is not ours to trust."""
    settings = inside(project, "pyproject.toml")
    current = settings
    for _ in range(_EXTENDS):
        try:
            config = tomllib.loads(current.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise FormatError(f"cannot read the ruff settings in {current}: {error}") from None
        section = (
            config.get("tool", {}).get("ruff", {}) if current.name == "pyproject.toml" else config
        )
        extend = section.get("extend") if isinstance(section, dict) else None
        if not isinstance(extend, str):
            return settings
        if "$" in extend:  # ruff expands variables: where it leads is not known here
            raise FormatError(
                f"the ruff settings in {current.name} extend {extend!r}; fastgen formats "
                "only with settings whose files it can tell are inside the project"
            )
        extended = current.parent / os.path.expanduser(extend)
        current = inside(project, os.path.relpath(extended, project))
    raise FormatError(f"the ruff settings of {project} extend more than {_EXTENDS} files")


_EXTENDS = 8  # files one ruff setting may extend in a chain


def _ruff_binary() -> str:
    from ruff.__main__ import find_ruff_bin

    return os.fsdecode(find_ruff_bin())
