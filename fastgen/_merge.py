"""Three-way merge of a project with a new render: the user's edits kept, the template's
changes applied, and every case where the two meet reported, never settled silently.

`base` is the project as the template last rendered it, `new` as the template renders
it now, `ours` the project as it is. Each is a map from relative path to text.
"""

from __future__ import annotations

import difflib
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fastgen._files import FileChange

Files = Mapping[str, str]

RENAME_SIMILARITY = 0.6  # a deleted and an added file this alike are one file renamed


@dataclass(frozen=True)
class Merged:
    """What the merge changes, which files got conflict markers, and what to look at."""

    changes: tuple[FileChange, ...]
    conflicts: tuple[str, ...]
    notes: tuple[str, ...]


def merge(
    base: Files,
    new: Files,
    ours: Files,
    *,
    template_label: str,
    moved: Mapping[str, str] | None = None,
) -> Merged:
    """Merge `new` into `ours`, given their common `base`.

    `moved` names files the template moved (old path: new path); others are found by
    their content.
    """
    merger = _Merger(base, new, ours, template_label)
    given = {old: path for old, path in (moved or {}).items() if old in base and path in new}
    renamed = _renames(base, new, taken=given) | given
    for path in sorted(base.keys() | new.keys()):
        if path in renamed.values():
            continue  # merged with the file it was renamed from
        if path in renamed:
            merger.rename(path, renamed[path])
        else:
            merger.file(path)
    return Merged(tuple(merger.changes), tuple(merger.conflicts), tuple(merger.notes))


class _Merger:
    def __init__(self, base: Files, new: Files, ours: Files, template_label: str) -> None:
        self.base, self.new, self.ours = base, new, ours
        self.template_label = template_label
        self.changes: list[FileChange] = []
        self.conflicts: list[str] = []
        self.notes: list[str] = []

    def file(self, path: str) -> None:
        base, new, ours = self.base.get(path), self.new.get(path), self.ours.get(path)
        if new in (base, ours):
            return
        if ours is None:
            if base is None:
                self._write(path, new)
            elif new is None:
                pass  # deleted on both sides
            else:
                self.notes.append(
                    f"{path}: you deleted it and the template changed it; left deleted"
                )
        elif ours == base:
            self._write(path, new)
        elif new is None:
            self.notes.append(
                f"{path}: the template no longer has it, you changed it; kept (delete it if unused)"
            )
        else:
            self._merge_into(path, ours=ours, base=base or "", theirs=new, previous=ours)

    def rename(self, old: str, new_path: str) -> None:
        base, ours, new = self.base[old], self.ours.get(old), self.new[new_path]
        if ours is None:
            self.notes.append(
                f"{old}: you deleted it and the template renamed it to {new_path}; left deleted"
            )
            return
        if new_path in self.ours:
            self.notes.append(
                f"{old}: the template renamed it to {new_path}, which you have: merged there"
            )
            self._merge_into(
                new_path,
                ours=self.ours[new_path],
                base="",
                theirs=new,
                previous=self.ours[new_path],
            )
            return
        self.changes.append(FileChange(Path(old), None, ours))
        if ours == base:
            self._write(new_path, new)
        else:
            self.notes.append(f"{old}: renamed by the template to {new_path}, with your edits")
            self._merge_into(new_path, ours=ours, base=base, theirs=new, previous=None)

    def _write(self, path: str, content: str | None) -> None:
        self.changes.append(FileChange(Path(path), content, self.ours.get(path)))

    def _merge_into(
        self, path: str, *, ours: str, base: str, theirs: str, previous: str | None
    ) -> None:
        merged, conflicted = merge_text(ours, base, theirs, template_label=self.template_label)
        if merged != previous:
            self.changes.append(FileChange(Path(path), merged, previous))
        if conflicted:
            self.conflicts.append(path)


def merge_text(ours: str, base: str, theirs: str, *, template_label: str) -> tuple[str, bool]:
    """`git merge-file`: the merged text, and whether it holds conflict markers."""
    with tempfile.TemporaryDirectory(prefix="fastgen-merge-") as scratch:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(scratch) / name
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        labels = ["-L", "yours", "-L", "last render", "-L", template_label]
        result = subprocess.run(
            ["git", "merge-file", "--stdout", *labels, *paths], capture_output=True, check=False
        )
    if not 0 <= result.returncode < 128:
        raise OSError(f"git merge-file failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode("utf-8"), result.returncode > 0


def _renames(base: Files, new: Files, *, taken: Mapping[str, str]) -> dict[str, str]:
    """Files the template renamed: old path -> new path, by content similarity."""
    gone = [path for path in base if path not in new and path not in taken]
    added = [path for path in new if path not in base and path not in taken.values()]
    renamed: dict[str, str] = {}
    for old in gone:
        scored = [
            (_similarity(base[old], new[path]), path)
            for path in added
            if path not in renamed.values()
        ]
        best = max(scored, default=(0.0, ""))
        if best[0] >= RENAME_SIMILARITY:
            renamed[old] = best[1]
    return renamed


def _similarity(first: str, second: str) -> float:
    return difflib.SequenceMatcher(None, first, second, autojunk=False).ratio()


def has_conflict_markers(text: str) -> bool:
    lines = text.splitlines()
    return any(line.startswith("<<<<<<< ") for line in lines) and any(
        line.startswith(">>>>>>> ") for line in lines
    )
