"""`fastgen new --install` leaves a project whose tests run at once, or no project at all."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fastgen.errors import InvalidNameError
from fastgen.names import parse_project_name
from tests.helpers import clean_env, run

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
FASTGEN = str(BIN / "fastgen")


@pytest.mark.skipif(shutil.which("uv", path=str(BIN)) is None, reason="uv is not installed")
def test_install_with_uv_then_the_tests_pass(tmp_path: Path) -> None:
    env = clean_env(PATH=f"{BIN}:/usr/bin:/bin")

    result = run([FASTGEN, "new", "shop", "--yes", "--install", "--quiet"], tmp_path, env=env)

    assert ". .venv/bin/activate" in result.stdout
    project = tmp_path / "shop"
    output = run([".venv/bin/python", "-m", "pytest", "-q"], project, env=env).stdout
    assert " passed" in output
    # The lock is committed and holds what was installed: a locked sync changes nothing.
    assert run(["git", "status", "--porcelain"], project, env=env).stdout == ""
    run([str(BIN / "uv"), "sync", "--locked", "--check"], project, env=env)


def test_a_failed_install_removes_the_project(tmp_path: Path) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    failing_uv = fake_bin / "uv"
    failing_uv.write_text("#!/bin/sh\necho 'no network today' >&2\nexit 1\n")
    failing_uv.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()

    result = subprocess.run(
        [FASTGEN, "new", "shop", "--yes", "--install"],
        cwd=work,
        env=clean_env(PATH=f"{fake_bin}:/usr/bin:/bin"),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "error: uv lock failed: no network today "
        "(nothing was kept; without --install the project is kept)"
    )
    assert list(work.iterdir()) == []


def test_no_project_may_be_named_after_a_package_its_environment_holds(
    project_python: Path,
) -> None:
    """A project installed under the name of one of them would replace it."""
    listing = (
        "import importlib.metadata as m\nprint(*(d.metadata['Name'] for d in m.distributions()))\n"
    )
    names = run([str(project_python), "-c", listing], cwd=project_python.parent).stdout.split()

    accepted = []
    for name in {re.sub(r"[-_.]+", "-", name).lower() for name in names}:
        try:
            parse_project_name(name)
        except InvalidNameError:
            continue
        accepted.append(name)
    assert accepted == [], "add these to fastgen/names.py's _INSTALLED_TOGETHER"
