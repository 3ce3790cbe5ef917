"""The one place that validates a project name and derives the names made from it."""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass

from fastgen.errors import InvalidNameError

MAX_LENGTH = 64
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{digit}" for digit in range(1, 10)}
    | {f"lpt{digit}" for digit in range(1, 10)}
)
# Packages the generated project imports or installs: a project of the same name would
# replace them in its own environment.
_GENERATED_DEPENDENCIES = frozenset(
    {
        "aiosqlite", "alembic", "anyio", "app", "asyncpg", "fastapi", "httpx", "mypy",
        "pydantic", "pydantic_settings", "pytest", "pytest_asyncio", "redis", "ruff",
        "sqlalchemy", "starlette", "tests", "uvicorn",
    }
)  # fmt: skip
_SHADOWED = frozenset(sys.stdlib_module_names) | _GENERATED_DEPENDENCIES | {"test"}


@dataclass(frozen=True)
class ProjectName:
    """A valid project name and the forms other tools need."""

    name: str

    @property
    def distribution(self) -> str:
        """The normalized distribution name for pyproject.toml (PEP 503)."""
        return re.sub(r"[-_]+", "-", self.name).lower()

    @property
    def python_name(self) -> str:
        """The name as a Python identifier."""
        return self.name.replace("-", "_").lower()


def parse_project_name(raw: str) -> ProjectName:
    """Return `raw` as a ProjectName, or raise InvalidNameError saying what is wrong."""
    reason = _rejection_reason(raw)
    if reason:
        raise InvalidNameError(
            f"invalid project name {raw!r}: {reason}",
            hint="use letters, digits, '-' and '_', starting with a letter, e.g. my-api",
        )
    return ProjectName(raw)


def _rejection_reason(raw: str) -> str:
    if not raw.strip():
        return "it is empty"
    if "/" in raw or "\\" in raw or raw.startswith(("~", ".")):
        return "it is a path; give the destination folder as the second argument"
    if len(raw) > MAX_LENGTH:
        return f"it is longer than {MAX_LENGTH} characters"
    if not raw.isascii():
        return "it must be ASCII (the destination folder may be any name)"
    if raw[0].isdigit():
        return "it starts with a digit"
    if not _NAME.fullmatch(raw):
        invalid = sorted({char for char in raw if not (char.isalnum() or char in "-_")})
        if invalid:
            return f"it contains {' '.join(map(repr, invalid))}"
        return "'-' and '_' must each stand between two letters or digits"
    python_name = ProjectName(raw).python_name
    if keyword.iskeyword(python_name):
        return "it is a Python keyword"
    if python_name in _WINDOWS_RESERVED:
        return "it is a reserved file name on Windows"
    if python_name in _SHADOWED:
        return f"it would shadow the Python module or dependency {python_name!r}"
    return ""
