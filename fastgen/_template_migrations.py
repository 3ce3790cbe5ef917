"""What crossing a template version asks of a project beyond a new render: answers
renamed, files moved. One function per version that needs one, run in order for the
versions an update crosses (after the project's version, up to the target).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class MigrationStep:
    """The project's answers and the files to move, as the migrations so far left them."""

    answers: dict[str, Any]
    moved: dict[str, str] = field(default_factory=dict)  # old path: new path

    def rename_answer(self, old: str, new: str) -> None:
        if old in self.answers:
            self.answers[new] = self.answers.pop(old)

    def move_file(self, old: str, new: str) -> None:
        """Move `old` to `new`, with the user's edits: earlier moves of `old` follow."""
        for source, target in self.moved.items():
            if target == old:
                self.moved[source] = new
                return
        self.moved[old] = new


Migration = Callable[[MigrationStep], None]

# version: the migration to run when an update reaches it. None is needed yet: from
# 0.1.0 to this version every answer kept its name, and files that moved are found
# by content.
MIGRATIONS: dict[str, Migration] = {}


def migrate(
    answers: dict[str, Any], *, after: str, up_to: str, key: Callable[[str], tuple[int, ...]]
) -> MigrationStep:
    """Run the migrations of the versions in (`after`, `up_to`], oldest first."""
    step = MigrationStep(dict(answers))
    for version in sorted(MIGRATIONS, key=key):
        if key(after) < key(version) <= key(up_to):
            MIGRATIONS[version](step)
    return step
