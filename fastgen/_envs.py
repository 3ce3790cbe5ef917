"""Virtual environments for generated projects, one per distinct set of requirements.

`fastgen verify` installs what a project needs (its dependencies, optional dependencies
and dependency groups, not the project itself: its checks run from its folder) into an
environment kept in the cache folder under a hash of the requirements and the Python,
so projects with the same requirements share one, across runs too. uv installs when it
is there, pip otherwise.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from fastgen.errors import StepError

INSTALL_TIMEOUT = 1800  # seconds; a cold cache downloads a few hundred megabytes


def requirements(project: Path) -> list[str]:
    """What `project` declares it needs: dependencies, every extra, every group."""
    try:
        config = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise StepError(f"cannot read the project's pyproject.toml: {error}") from None
    metadata = config.get("project", {})
    needed = list(metadata.get("dependencies", []))
    for extra in metadata.get("optional-dependencies", {}).values():
        needed.extend(extra)
    for group in config.get("dependency-groups", {}).values():
        needed.extend(item for item in group if isinstance(item, str))  # not include-group
    return sorted(set(needed))


def environment(needed: list[str]) -> Path:
    """The folder of a virtual environment with `needed` installed, made on first use."""
    key = hashlib.sha256("\n".join([sys.version, *needed]).encode()).hexdigest()[:16]
    root = _cache()
    root.mkdir(parents=True, exist_ok=True)
    folder = root / key
    with (root / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer per environment, across processes
        if not (folder / "complete").is_file():
            shutil.rmtree(folder, ignore_errors=True)
            _install(folder, needed)
            (folder / "complete").touch()
    return folder


def installer() -> str:
    """The tool that installs: `uv` when it is found, else `pip`."""
    return "uv" if _uv() else "pip"


def _install(folder: Path, needed: list[str]) -> None:
    uv = _uv()
    python = folder / "bin" / "python"
    if uv:
        _run([uv, "venv", "--quiet", "--python", sys.executable, str(folder)])
        # Compiled once: pip does so, uv not by default; each check would compile again.
        install = [uv, "pip", "install", "--quiet", "--compile-bytecode"]
        _run([*install, "--python", str(python), *needed])
    else:
        _run([sys.executable, "-m", "venv", str(folder)])
        _run([str(python), "-m", "pip", "install", "--quiet", *needed])


def _uv() -> str | None:
    found = shutil.which("uv")
    if found:
        return found
    try:
        from uv import find_uv_bin  # the uv package, installed beside fastgen
    except ImportError:
        return None
    try:
        return str(find_uv_bin())
    except FileNotFoundError:
        return None


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise StepError(f"installing took over {INSTALL_TIMEOUT} s") from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise StepError(f"installing the project's requirements failed: {last}")


def _cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fastgen" / "environments"
