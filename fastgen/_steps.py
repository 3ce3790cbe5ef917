"""The steps after rendering: a first git commit, and installing the dependencies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from fastgen import __version__
from fastgen.errors import StepError

# Commit even where the user has no identity configured or has commit signing set up.
_GIT_COMMIT_OPTIONS = ("-c", "commit.gpgsign=false")
_FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "fastgen",
    "GIT_AUTHOR_EMAIL": "fastgen@localhost",
    "GIT_COMMITTER_NAME": "fastgen",
    "GIT_COMMITTER_EMAIL": "fastgen@localhost",
}


def commit_initial_state(project: Path) -> bool:
    """Make `project` a git repository with one commit of all its files.

    Returns False, doing nothing, where git is not installed.
    """
    git = shutil.which("git")
    if git is None:
        return False
    # No template: the sample hooks it would copy take most of `git init`'s time.
    _run([git, "init", "--quiet", "--template="], project, "git init")
    _run([git, "add", "--all"], project, "git add")
    env = None if _has_git_identity(git, project) else os.environ | _FALLBACK_IDENTITY
    _run(
        [git, *_GIT_COMMIT_OPTIONS, "commit", "--quiet", "--no-verify",
         "--message", f"Initial commit from fastgen {__version__}"],
        project, "git commit", env=env,
    )  # fmt: skip
    return True


def commit_lock(project: Path) -> None:
    """Commit the `uv.lock` that installing wrote, after the initial commit."""
    git = shutil.which("git") or "git"
    _run([git, "add", "uv.lock"], project, "git add")
    env = None if _has_git_identity(git, project) else os.environ | _FALLBACK_IDENTITY
    _run(
        [git, *_GIT_COMMIT_OPTIONS, "commit", "--quiet", "--no-verify",
         "--message", "Lock the dependencies (uv lock)"],
        project, "git commit", env=env,
    )  # fmt: skip


def install_dependencies(project: Path) -> str:
    """Create `project/.venv` with the project and its dev dependency group installed.

    With uv (when it is on PATH) the versions are locked first, in `uv.lock`, then
    synced; with pip (25.1 or newer, for `--group`) nothing is locked. Returns the
    name of the tool used.
    """
    uv = shutil.which("uv")
    if uv:
        _run([uv, "lock", "--quiet", "--python", sys.executable], project, "uv lock")
        _run([uv, "sync", "--locked", "--quiet", "--python", sys.executable], project, "uv sync")
        return "uv"
    python = str(venv_python(project))
    _run([sys.executable, "-m", "venv", ".venv"], project, "python -m venv")
    _run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip>=25.1"],
         project, "upgrading pip")  # fmt: skip
    _run([python, "-m", "pip", "install", "--quiet", "-e", ".", "--group", "dev"],
         project, "pip install")  # fmt: skip
    return "pip"


def venv_python(project: Path) -> Path:
    """The interpreter of the project's virtual environment."""
    if os.name == "nt":
        return project / ".venv" / "Scripts" / "python.exe"
    return project / ".venv" / "bin" / "python"


def _has_git_identity(git: str, project: Path) -> bool:
    return all(
        subprocess.run(
            [git, "config", key], cwd=project, capture_output=True, check=False
        ).returncode == 0
        for key in ("user.name", "user.email")
    )  # fmt: skip


def _run(command: list[str], cwd: Path, what: str, *, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().splitlines()
        detail = output[-1] if output else f"exit status {result.returncode}"
        raise StepError(f"{what} failed: {detail}")
