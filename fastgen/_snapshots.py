"""Every released template version, kept inside fastgen so that it renders offline.

A snapshot is the fastgen source (`fastgen/` and `templates/`) of the commit that
released a version, as `git archive` wrote it, gzipped; `index.json` pins each one
to its commit and SHA-256. A project made by a released version is rendered again
by that version's own code, run from its snapshot, so its pristine files come out
as they did then.

Release step, before the first change after a release (it archives that commit):

    python -m fastgen._snapshots add VERSION COMMIT
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import tarfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastgen._files import scratch_folder
from fastgen.errors import FastgenError

SNAPSHOTS = Path(__file__).parent / "snapshots"
INDEX = SNAPSHOTS / "index.json"


class SnapshotError(FastgenError):
    """A released version that this fastgen cannot render."""


@dataclass(frozen=True)
class Snapshot:
    version: str
    commit: str
    sha256: str

    @property
    def archive(self) -> Path:
        return SNAPSHOTS / f"{self.version}.tar.gz"


def released() -> dict[str, Snapshot]:
    """The released versions this fastgen holds, by version."""
    entries = json.loads(INDEX.read_text(encoding="utf-8"))
    return {version: Snapshot(version, **entry) for version, entry in entries.items()}


def snapshot(version: str) -> Snapshot:
    try:
        return released()[version]
    except KeyError:
        known = ", ".join(released())
        raise SnapshotError(
            f"template version {version} is not one this fastgen knows (it has {known})",
            hint="a newer fastgen may know it: upgrade fastgen",
        ) from None


@contextmanager
def extracted(version: str) -> Iterator[Path]:
    """The source of `version`, checked against its pin, in a folder removed afterwards."""
    pinned = snapshot(version)
    data = pinned.archive.read_bytes()
    if hashlib.sha256(data).hexdigest() != pinned.sha256:
        raise SnapshotError(f"the snapshot of template version {version} is damaged")
    with scratch_folder(f"fastgen-{version}-") as folder:
        with tarfile.open(pinned.archive) as archive:
            archive.extractall(folder, filter="data")
        yield folder


def run_released(source: Path, arguments: Sequence[str], *, cwd: Path) -> None:
    """Run `fastgen ARGUMENTS` as the released `source` does, without a terminal."""
    environment = os.environ | {"PYTHONPATH": str(source), "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(
        # -P: the working folder is not put on sys.path, so a `fastgen` package there
        # (a project's own folder, say) is never what runs.
        [sys.executable, "-P", "-m", "fastgen", *arguments],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, stderr = process.communicate()
    except BaseException:  # Ctrl-C or SIGTERM: let it clean up as after a Ctrl-C
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        raise
    if process.returncode != 0:
        last = (stderr.strip().splitlines() or ["no message"])[-1]
        raise SnapshotError(f"the released fastgen failed: {last}")


def add(version: str, commit: str, *, repository: Path) -> Snapshot:
    """Archive `commit` of `repository` as the snapshot of `version`, and pin it."""
    if version in released():
        raise SnapshotError(f"version {version} is already released; snapshots never change")
    full = _git(repository, "rev-parse", "--verify", f"{commit}^{{commit}}").decode().strip()
    data = compress(_git(repository, "archive", "--format=tar", full, "fastgen", "templates"))
    added = Snapshot(version, full, hashlib.sha256(data).hexdigest())
    added.archive.write_bytes(data)
    entries = {s.version: {"commit": s.commit, "sha256": s.sha256} for s in released().values()}
    entries[version] = {"commit": added.commit, "sha256": added.sha256}
    INDEX.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    return added


def compress(archive: bytes) -> bytes:
    """gzip, with no timestamp: the same archive always gives the same bytes."""
    return gzip.compress(archive, compresslevel=9, mtime=0)


def _git(repository: Path, *arguments: str) -> bytes:
    return subprocess.run(
        ["git", *arguments], cwd=repository, capture_output=True, check=True
    ).stdout


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "add":
        sys.exit("usage: python -m fastgen._snapshots add VERSION COMMIT")
    added = add(sys.argv[2], sys.argv[3], repository=Path.cwd())
    print(f"{added.version}: {added.commit} {added.sha256}")
