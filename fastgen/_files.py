"""Writing files all or nothing.

`new` renders into a staging folder beside the destination and moves it into place
in one rename; `generate` and the like apply a set of `FileChange`s as one
transaction. Either way a failure, Ctrl-C included, leaves what was there.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from fastgen.errors import DestinationError, FastgenError


@dataclass(frozen=True)
class FileChange:
    """One file to create (`previous` is None), change from `previous`, or delete
    (`content` is None)."""

    path: Path  # relative to the root the change applies to
    content: str | None
    previous: str | None = None


class ConcurrentChangeError(FastgenError):
    """A file changed on disk between reading it and writing the change."""


class OutsideError(FastgenError):
    """A path that leads outside the project, by `..` or through a symbolic link."""


def inside(root: Path, relative: str | Path) -> Path:
    """`root / relative`, or OutsideError where that leads outside `root`: fastgen never
    reads or writes through `..`, an absolute path, or a link out of the project."""
    path = root / relative
    try:
        real, real_root = path.resolve(), root.resolve()
    except (OSError, RuntimeError):  # a loop of links
        raise OutsideError(f"{Path(relative).as_posix()} is a loop of symbolic links") from None
    if not real.is_relative_to(real_root):
        raise OutsideError(
            f"{Path(relative).as_posix()} leads outside the project (by a symbolic link "
            "or '..'); fastgen neither reads nor writes through it",
            hint="replace the link with the file it points to, or remove it",
        )
    return path


def write_all(root: Path, changes: tuple[FileChange, ...]) -> None:
    """Write every change or, if one fails, none: created files go, edited ones revert.

    Every path is checked before anything is written: none may lead outside `root`."""
    for change in changes:
        inside(root, change.path)
    done: list[FileChange] = []
    try:
        for change in changes:
            target = root / change.path
            if change.previous is None:
                target.parent.mkdir(parents=True, exist_ok=True)
                done.append(change)  # before it exists: a Ctrl-C as `open` returns undoes it
                try:
                    with target.open("x", encoding="utf-8") as file:  # never overwrites
                        file.write(change.content or "")
                except FileExistsError:  # someone else's: never undone
                    done.pop()
                    raise
                continue
            if target.read_text(encoding="utf-8") != change.previous:
                raise ConcurrentChangeError(f"{change.path} changed meanwhile; run again")
            if change.content is None:
                target.unlink()
            else:
                _replace(target, change.content)
            done.append(change)
    except BaseException:
        for change in reversed(done):
            _undo(root / change.path, change)
        raise


def _undo(target: Path, change: FileChange) -> None:
    if change.previous is None:
        target.unlink(missing_ok=True)
    elif change.content is None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(change.previous, encoding="utf-8")
    else:
        _replace(target, change.previous)


def _replace(target: Path, content: str) -> None:
    """Replace the file's content in one rename, keeping its permissions.

    A symbolic link stays a link: the file it points to gets the content. The
    temporary file never outlives the call.
    """
    real = target.resolve()
    temporary = real.with_name(f".{real.name}.{uuid4().hex[:8]}.tmp")
    try:
        temporary.write_text(content, encoding="utf-8")
        shutil.copymode(real, temporary)
        os.replace(temporary, real)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def staging_folder(destination: Path) -> Iterator[Path]:
    """Yield an empty folder beside `destination`, removed again unless it was moved."""
    with _new_folder(destination.parent / f".{destination.name}.{uuid4().hex[:12]}") as staging:
        yield staging


@contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """Yield a new private folder in the system's temporary folder, removed afterwards."""
    with _new_folder(Path(tempfile.gettempdir()) / f"{prefix}{uuid4().hex[:12]}") as scratch:
        yield scratch


@contextmanager
def _new_folder(folder: Path) -> Iterator[Path]:
    """Make `folder`, yield it, and remove it, however Ctrl-C or SIGTERM times itself.

    Its name is chosen before it is made, so a signal the moment `mkdir` returns still
    knows what to remove (`tempfile.mkdtemp` runs Python code after it, where a Ctrl-C
    left the folder behind); the signals wait while it is removed.
    """
    try:
        folder.mkdir(mode=0o700)
    except OSError as error:  # not made (or a stranger's, by one chance in 2**48): kept
        raise DestinationError(f"cannot write in {folder.parent}: {error.strerror}") from None
    except BaseException:  # a signal as `mkdir` returned
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        yield folder
    finally:
        with signals_held():
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back until the block is done (in the main thread, where
    Python handles them): a clean-up they would cut short runs whole, then they land."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def make_parents(folder: Path) -> list[Path]:
    """Create `folder` and its missing ancestors; return those created, deepest first."""
    missing = [path for path in [folder, *folder.parents] if not path.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DestinationError(f"cannot create {folder}: a file is in the way") from None
    except OSError as error:
        remove_empty(missing)
        raise DestinationError(f"cannot create {folder}: {error.strerror}") from None
    return missing


def remove_empty(folders: list[Path]) -> None:
    """Remove those of `folders` that are empty, in order."""
    for folder in folders:
        with suppress(OSError):
            folder.rmdir()


def move_into_place(staging: Path, destination: Path) -> None:
    """Make the complete `staging` folder the `destination` in one rename."""
    mode = destination.stat().st_mode if destination.is_dir() else _default_dir_mode()
    os.chmod(staging, mode & 0o7777)
    try:
        # rename(2) replaces an empty folder atomically and refuses a non-empty one.
        staging.rename(destination)
    except OSError as error:
        raise DestinationError(f"cannot create {destination}: {error.strerror}") from None


def check_contained(root: Path) -> None:
    """Raise unless every rendered path, links included, stays inside `root`, and none
    is in a `.git` folder (git's hooks and configuration run code)."""
    real_root = root.resolve()
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            raise FastgenError(f"the template wrote {relative}, a loop of symbolic links") from None
        if not real.is_relative_to(real_root):
            raise FastgenError(f"the template wrote {relative}, which leads outside the project")
        if ".git" in (part.lower() for part in relative.parts):
            raise FastgenError(f"the template wrote {relative}, into git's own folder")


def merge_into(staging: Path, destination: Path) -> None:
    """Add the files of `staging` to the existing `destination`, overwriting none.

    Either every file is added or, on a clash or any failure, none is left behind.
    """
    files = list_files(staging, skip=lambda _: False)
    for file in files:  # a folder of the user's may be a link out: never written through
        inside(destination, file)
    clashes = [file for file in files if os.path.lexists(destination / file)]
    if clashes:
        shown = ", ".join(map(str, clashes[:3])) + (", ..." if len(clashes) > 3 else "")
        raise DestinationError(
            f"{len(clashes)} generated file(s) already exist in {destination}: {shown}",
            hint="nothing was written; move them away or choose another folder",
        )
    added: list[Path] = []
    try:
        for file in files:
            target = destination / file
            added.extend(_make_parents_within(target.parent, destination))
            os.link(staging / file, target)  # fails, rather than overwrites, if it exists
            added.append(target)
    except BaseException:
        _remove_added(added)
        raise


def _remove_added(paths: list[Path]) -> None:
    for path in reversed(paths):
        with suppress(OSError):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink()


def _make_parents_within(folder: Path, root: Path) -> list[Path]:
    missing = [path for path in [folder, *folder.parents] if not path.exists()]
    missing = [path for path in missing if path.is_relative_to(root)]
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def list_files(root: Path, *, skip: Callable[[Path], bool]) -> list[Path]:
    """The files below `root`, relative to it and sorted, except those `skip` rejects."""
    return sorted(
        path.relative_to(root)
        for path in root.rglob("*")
        if path.is_file() and not skip(path.relative_to(root))
    )


def _default_dir_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask
