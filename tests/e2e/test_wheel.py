"""fastgen installed from its wheel (not the source tree) generates the same project."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fastgen import _snapshots
from fastgen.api import ProjectRequest, create_project
from fastgen.names import parse_project_name
from tests.helpers import clean_env, run, snapshot

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_installed_wheel_generates_the_same_project(tmp_path: Path) -> None:
    uv = [sys.executable, "-m", "uv"]
    run([*uv, "build", "--quiet", "--wheel", "--out-dir", str(tmp_path / "dist"), str(ROOT)], ROOT)
    (wheel,) = (tmp_path / "dist").glob("fastgen-*.whl")
    venv = tmp_path / "venv"
    # As the README installs: pip, which byte-compiles the installed template too.
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], tmp_path)
    installed = next((venv / "lib").glob("python*/site-packages/fastgen/templates"))
    assert any(installed.rglob("*.pyc")), "pip did not byte-compile the template"
    work = tmp_path / "elsewhere"
    work.mkdir()

    run([str(venv / "bin" / "fastgen"), "new", "shop", "--yes", "--no-git"], work, env=clean_env())

    project = work / "shop"
    assert not [path for path in project.rglob("*") if "__pycache__" in path.parts]
    assert "_src_path" not in (project / ".copier-answers.yml").read_text()  # no machine path
    from_source = create_project(
        ProjectRequest(name=parse_project_name("shop"), destination=tmp_path / "shop", git=False)
    ).path
    assert _without_root(snapshot(project)) == _without_root(snapshot(from_source))
    released = run([str(venv / "bin" / "python"), "-c", _READ_SNAPSHOTS], work).stdout.split()
    assert released == sorted(_snapshots.released())


_READ_SNAPSHOTS = """
from fastgen import _snapshots
for version in sorted(_snapshots.released()):
    with _snapshots.extracted(version):  # present, and as pinned
        print(version)
"""


def _without_root(tree: dict[str, tuple[int, int, str]]) -> dict[str, tuple[int, int, str]]:
    return {path: entry for path, entry in tree.items() if path != "."}
