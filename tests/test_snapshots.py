"""Released template versions stay reachable offline, exactly as they were released."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from fastgen import _snapshots
from fastgen._update import current_version, version_key

REPOSITORY = Path(__file__).resolve().parents[1]
FIRST_RELEASE = ("0.1.0", "393d3e9feadd5803bc231571a5364a607eb9864e")


def test_every_released_snapshot_is_present_and_unchanged() -> None:
    released = _snapshots.released()

    assert released, "no released version is kept"
    for snapshot in released.values():
        data = snapshot.archive.read_bytes()
        assert hashlib.sha256(data).hexdigest() == snapshot.sha256, snapshot.version


def test_the_first_release_is_the_template_of_its_commit() -> None:
    version, commit = FIRST_RELEASE

    assert _snapshots.released()[version].commit == commit


def test_released_versions_are_older_than_the_current_one() -> None:
    current = version_key(current_version())

    assert all(version_key(version) < current for version in _snapshots.released())


@pytest.mark.parametrize("version", sorted(_snapshots.released()))
def test_a_snapshot_is_what_git_archives_of_its_commit(version: str) -> None:
    snapshot = _snapshots.released()[version]
    if _git("cat-file", "-e", f"{snapshot.commit}^{{commit}}").returncode != 0:
        pytest.skip(f"this clone does not have commit {snapshot.commit[:12]}")
    archive = _git("archive", "--format=tar", snapshot.commit, "fastgen", "templates").stdout

    assert _snapshots.compress(archive) == snapshot.archive.read_bytes()


def test_a_damaged_snapshot_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    version = next(iter(_snapshots.released()))
    damaged = tmp_path / f"{version}.tar.gz"
    damaged.write_bytes(b"not the release")
    monkeypatch.setattr(_snapshots, "SNAPSHOTS", tmp_path)

    with pytest.raises(_snapshots.SnapshotError, match="damaged"), _snapshots.extracted(version):
        pass


def test_an_unknown_version_is_refused_with_the_known_ones() -> None:
    with pytest.raises(_snapshots.SnapshotError, match=r"0\.1\.0"):
        _snapshots.snapshot("9.9.9")


def _git(*arguments: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *arguments], cwd=REPOSITORY, capture_output=True, check=False)
