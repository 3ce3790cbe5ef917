"""Bad input and faults: a clear error, a non-zero exit, and the filesystem exactly as it was."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import pytest

from fastgen import _files, _steps
from fastgen.api import ProjectRequest, create_project
from fastgen.errors import FastgenError, StepError
from fastgen.names import parse_project_name
from tests.conftest import Invoke
from tests.helpers import interruptible, snapshot

T = TypeVar("T")


def fail(invoke: Invoke, root: Path, *args: str | Path) -> str:
    """Run `fastgen new ARGS`, assert it failed cleanly leaving `root` as it was; return stderr."""
    before = snapshot(root)

    result = invoke("new", *args)

    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before
    return result.stderr


class TestDestination:
    def test_dangling_symlink(self, invoke: Invoke, tmp_path: Path) -> None:
        (tmp_path / "shop").symlink_to(tmp_path / "nowhere")

        assert "is a symbolic link to nothing" in fail(invoke, tmp_path, "shop", tmp_path / "shop")

    def test_file_in_place_of_a_parent_folder(self, invoke: Invoke, tmp_path: Path) -> None:
        (tmp_path / "a").write_text("mine")

        message = fail(invoke, tmp_path, "shop", tmp_path / "a" / "shop")

        assert "a file is in the way" in message

    def test_read_only_parent(self, invoke: Invoke, tmp_path: Path) -> None:
        parent = tmp_path / "locked"
        parent.mkdir()
        with read_only(parent):
            message = fail(invoke, tmp_path, "shop", parent / "shop")

        assert f"cannot write in {parent}" in message

    def test_into_existing_never_overwrites(self, invoke: Invoke, tmp_path: Path) -> None:
        (tmp_path / "shop").mkdir()
        (tmp_path / "shop" / "README.md").write_text("mine")

        message = fail(invoke, tmp_path, "shop", tmp_path / "shop", "--into-existing")

        assert "1 generated file(s) already exist" in message
        assert "README.md (nothing was written" in message

    def test_into_existing_refuses_install(self, invoke: Invoke, tmp_path: Path) -> None:
        (tmp_path / "shop").mkdir()
        (tmp_path / "shop" / "notes.txt").write_text("mine")

        message = fail(invoke, tmp_path, "shop", tmp_path / "shop", "--into-existing", "--install")

        assert "--install cannot be combined with --into-existing" in message

    def test_into_existing_adds_the_project_beside_the_users_files(
        self, invoke: Invoke, tmp_path: Path
    ) -> None:
        destination = tmp_path / "shop"
        (destination / "docs").mkdir(parents=True)
        (destination / "docs" / "notes.txt").write_text("mine")

        result = invoke("new", "shop", destination, "--into-existing")

        assert result.exit_code == 0, result.stderr
        assert (destination / "docs" / "notes.txt").read_text() == "mine"
        assert (destination / "app" / "main.py").is_file()
        assert not (destination / ".git").exists()  # the folder may be someone's repository

    def test_non_ascii_destination_folder(self, invoke: Invoke, tmp_path: Path) -> None:
        result = invoke("new", "shop", tmp_path / "café ☕", "--no-git")

        assert result.exit_code == 0, result.stderr
        assert (tmp_path / "café ☕" / "app" / "main.py").is_file()


class TestDryRun:
    def test_writes_nothing_anywhere(
        self, invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        scratch = tmp_path / "tmp"
        scratch.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(scratch))
        before = snapshot(tmp_path)

        result = invoke("new", "shop", tmp_path / "deep" / "shop", "--dry-run")

        assert result.exit_code == 0, result.stderr
        assert "Would create" in result.stdout
        assert "main.py" in result.stdout
        assert "nothing was written" in result.stdout
        assert _without_template_cache(snapshot(tmp_path)) == before


def _without_template_cache(entries: dict[str, Any]) -> dict[str, Any]:
    """`entries` but jinja2's cache of compiled templates, which a dry run may fill: it
    lives in the system's temporary folder, shared by every run (written where the
    first render of a process found the temporary folder, so only sometimes here)."""
    return {path: entry for path, entry in entries.items() if "_jinja2-cache-" not in path}


class TestFaults:
    """A failure at any step leaves no partial project and no temporary folder."""

    def test_disk_full_halfway_through_rendering(
        self, invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_bytes = Path.write_bytes
        written: list[Path] = []

        def write_until_full(path: Path, data: bytes) -> int:
            if len(written) == 10:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "app/main.py")
            written.append(path)
            return write_bytes(path, data)

        monkeypatch.setattr(Path, "write_bytes", write_until_full)

        message = fail(invoke, tmp_path, "shop", tmp_path / "a" / "shop")

        assert len(written) == 10  # the failure really came halfway
        assert "cannot write the project: No space left on device: app/main.py" in message

    # Copier's scantree generator leaves scandir iterators open when rendering is aborted.
    @pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
    def test_disk_full_halfway_through_rendering_with_copier(
        self, invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from copier._main import Worker

        from fastgen import _fastrender

        render_file = Worker._render_file
        rendered: list[object] = []

        def render_until_full(worker: Worker, *args: Any, **kwargs: Any) -> None:
            if len(rendered) == 10:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "app/main.py")
            rendered.append(args)
            render_file(worker, *args, **kwargs)

        monkeypatch.setattr(_fastrender, "supports", lambda _template: False)
        monkeypatch.setattr(Worker, "_render_file", render_until_full)

        message = fail(invoke, tmp_path, "shop", tmp_path / "a" / "shop")

        assert len(rendered) == 10  # the failure really came halfway
        assert "cannot write the project: No space left on device: app/main.py" in message

    def test_git_failure_after_rendering(
        self, invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken_git(project: Path) -> bool:
            assert (project / "app" / "main.py").is_file()
            raise StepError("git commit failed: disk quota exceeded")

        monkeypatch.setattr(_steps, "commit_initial_state", broken_git)

        assert "git commit failed" in fail(invoke, tmp_path, "shop", tmp_path / "shop")

    def test_sigint_mid_run_exits_130_and_leaves_nothing(self, tmp_path: Path) -> None:
        for attempt in range(5):
            work = tmp_path / str(attempt)
            work.mkdir()
            returncode, stderr, interrupted = interrupt_while_rendering(work)
            if interrupted:
                break
        else:
            pytest.fail("fastgen always finished before it could be interrupted")

        assert returncode == 130
        assert stderr.strip().splitlines()[-1] == "interrupted: nothing was written"
        assert list(work.iterdir()) == []

    def test_interrupted_as_the_staging_folder_is_made_leaves_nothing(
        self, invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        make_folder = os.mkdir

        def make_then_interrupt(path: str | Path, mode: int = 0o777) -> None:
            make_folder(path, mode)
            raise KeyboardInterrupt  # the signal handled as mkdir returns

        monkeypatch.setattr(os, "mkdir", make_then_interrupt)

        result = invoke("new", "shop", "--no-git", tmp_path / "shop")

        assert result.exit_code == 130
        assert list(tmp_path.iterdir()) == []

    def test_interrupted_as_a_new_file_is_opened_leaves_the_project_as_it_was(
        self, invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        project = tmp_path / "shop"
        create_project(ProjectRequest(name=parse_project_name("shop"), destination=project))
        before = snapshot(project)
        open_file = Path.open

        def open_then_interrupt(path: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            opened = open_file(path, mode, *args, **kwargs)
            if mode == "x":
                opened.close()
                raise KeyboardInterrupt  # the signal handled as open returns
            return opened

        monkeypatch.setattr(Path, "open", open_then_interrupt)
        monkeypatch.chdir(project)

        result = invoke("generate", "resource", "order", "total:decimal")

        assert result.exit_code == 130
        assert snapshot(project) == before

    def test_interrupted_once_complete_keeps_the_project_and_says_so(
        self, invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        move_into_place = _files.move_into_place

        def move_then_interrupt(staging: Path, destination: Path) -> None:
            move_into_place(staging, destination)
            raise KeyboardInterrupt

        monkeypatch.setattr(_files, "move_into_place", move_then_interrupt)

        result = invoke("new", "shop", tmp_path / "shop", "--no-git")

        assert result.exit_code == 130
        assert "interrupted, but the project was already complete at" in result.stderr
        assert (tmp_path / "shop" / "app" / "main.py").is_file()


class TestCtrlCAtAnyMoment:
    """Ctrl-C, however early or late: one line, exit 130, and the truth about the disk."""

    DELAYS = (0.0, 0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.45, 0.7, 1.0)

    def test_new(self, tmp_path: Path) -> None:
        for number, delay in enumerate(self.DELAYS):
            work = tmp_path / str(number)
            work.mkdir()
            outcome = interrupt_after(delay, ["new", "shop", "--yes"], work)

            complete = (work / "shop" / ".fastgen.json").is_file()
            assert_truthful(outcome, complete, "was already complete, and is kept")
            if outcome.returncode != 0 and not complete:
                assert list(work.iterdir()) == [], f"litter after Ctrl-C at {delay} s"

    def test_generate_resource(self, tmp_path: Path) -> None:
        template = tmp_path / "template"
        create_project(ProjectRequest(name=parse_project_name("shop"), destination=template))
        for number, delay in enumerate(self.DELAYS):
            project = tmp_path / str(number)
            shutil.copytree(template, project)
            before = snapshot(project)
            arguments = ["generate", "resource", "order", "total:decimal"]
            outcome = interrupt_after(delay, arguments, project)

            added = (project / "app/models/order.py").is_file()
            assert_truthful(outcome, added, "'order' was already added, completely")
            if not added:
                assert snapshot(project) == before, f"changes after Ctrl-C at {delay} s"


def interrupt_after(delay: float, arguments: list[str], cwd: Path) -> Outcome:
    """Start `fastgen ARGUMENTS` and send it SIGINT after `delay` seconds."""
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "fastgen"), *arguments],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return Outcome(process.returncode, stdout, stderr)


class Outcome(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def assert_truthful(outcome: Outcome, done: bool, done_message: str) -> None:
    returncode, stdout, stderr = outcome
    if returncode == 0:  # finished before the signal
        assert done
        return
    if returncode == -signal.SIGINT:  # Python itself was starting or ending (shell: 130)
        if done:  # it had said so on stdout, and was exiting
            assert "Next steps" in stdout, stdout
        assert "/fastgen/" not in stderr, stderr  # no code of fastgen's was running
        return
    # Python itself was starting: init_import_site, init_sys_streams...
    if "Fatal Python error: init_" in stderr:
        assert not done
        assert "/fastgen/" not in stderr, stderr  # no code of fastgen's had run
        return
    lines = stderr.strip().splitlines()
    assert returncode == 130, stderr
    assert len(lines) == 1, stderr  # no traceback, no noise
    expected = done_message if done else "nothing was"
    assert lines[0].startswith("interrupted: ")
    assert expected in lines[0], stderr


def interrupt_while_rendering(work: Path) -> tuple[int, str, bool]:
    """Send SIGINT to a real `fastgen new` once it has begun writing files.

    Returns its exit code and stderr, and whether the signal came before it finished
    (on a busy machine the process may win the race; the caller then tries again).
    """
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "fastgen"), "new", "shop", "--yes"],
        cwd=work,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )
    staging = wait_for(lambda: rendering_started(work))
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    finished = (work / "shop").exists()
    return process.returncode, stderr, bool(staging) and not finished


def rendering_started(parent: Path) -> list[str]:
    """The staging folders in `parent` that already hold rendered files."""
    try:
        return [
            name
            for name in os.listdir(parent)
            if name.startswith(".shop.") and os.listdir(parent / name)
        ]
    except FileNotFoundError:  # the staging folder went away between the two listings
        return []


def wait_for(probe: Callable[[], T], timeout: float = 10) -> T | None:
    """Poll `probe` until it returns something truthy, and return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := probe():
            return found
        time.sleep(0.002)
    return None


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make `folder` unwritable, even for root (where chmod is not enough)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    if subprocess.run(["chattr", "+i", str(folder)], check=False).returncode != 0:
        pytest.skip("this filesystem does not support the immutable attribute")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


class TestContainment:
    """Every rendered path must stay inside the project, links included."""

    def test_a_link_leading_outside_is_refused(self, tmp_path: Path) -> None:
        project = tmp_path / "project"
        (project / "app").mkdir(parents=True)
        (project / "app" / "settings.py").symlink_to(tmp_path / "elsewhere.py")

        with pytest.raises(FastgenError, match=r"app/settings\.py, which leads outside"):
            _files.check_contained(project)

    def test_links_within_the_project_are_fine(self, tmp_path: Path) -> None:
        (tmp_path / "app").mkdir()
        (tmp_path / "app" / "main.py").write_text("")
        (tmp_path / "main.py").symlink_to(tmp_path / "app" / "main.py")

        _files.check_contained(tmp_path)
