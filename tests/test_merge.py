"""The three-way merge under `fastgen update`: every way a user's edit and a template
change meet, each kept, applied, or reported, never lost silently."""

from __future__ import annotations

from pathlib import Path

from fastgen._files import FileChange
from fastgen._merge import has_conflict_markers, merge

LINES = "".join(f"line {number}\n" for number in range(1, 21))


def edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def changes_by_path(changes: tuple[FileChange, ...]) -> dict[str, str | None]:
    return {change.path.as_posix(): change.content for change in changes}


def test_an_untouched_file_takes_the_template_change() -> None:
    new = edit(LINES, "line 3\n", "line three\n")

    merged = merge({"a.py": LINES}, {"a.py": new}, {"a.py": LINES}, template_label="0.3.0")

    assert changes_by_path(merged.changes) == {"a.py": new}
    assert merged.conflicts == merged.notes == ()


def test_edits_on_both_sides_in_different_places_both_land() -> None:
    theirs = edit(LINES, "line 3\n", "line three\n")
    ours = edit(LINES, "line 17\n", "line seventeen\n")

    merged = merge({"a.py": LINES}, {"a.py": theirs}, {"a.py": ours}, template_label="0.3.0")

    assert changes_by_path(merged.changes)["a.py"] == edit(theirs, "line 17\n", "line seventeen\n")
    assert merged.conflicts == ()


def test_edits_of_the_same_line_conflict_with_markers() -> None:
    theirs = edit(LINES, "line 3\n", "template 3\n")
    ours = edit(LINES, "line 3\n", "yours 3\n")

    merged = merge({"a.py": LINES}, {"a.py": theirs}, {"a.py": ours}, template_label="0.3.0")

    text = changes_by_path(merged.changes)["a.py"]
    assert text is not None
    assert has_conflict_markers(text)
    assert "yours 3" in text
    assert "template 3" in text
    assert merged.conflicts == ("a.py",)


def test_a_user_edit_where_the_template_changed_nothing_is_kept() -> None:
    ours = edit(LINES, "line 3\n", "yours 3\n")

    merged = merge({"a.py": LINES}, {"a.py": LINES}, {"a.py": ours}, template_label="0.3.0")

    assert merged.changes == ()
    assert merged.conflicts == merged.notes == ()


def test_a_file_the_template_adds_is_created() -> None:
    merged = merge({}, {"new.py": LINES}, {}, template_label="0.3.0")

    assert changes_by_path(merged.changes) == {"new.py": LINES}


def test_a_file_the_template_adds_where_the_user_has_one_conflicts() -> None:
    merged = merge({}, {"new.py": LINES}, {"new.py": "mine\n"}, template_label="0.3.0")

    assert merged.conflicts == ("new.py",)
    text = changes_by_path(merged.changes)["new.py"]
    assert text is not None
    assert "mine" in text
    assert "line 1" in text


def test_an_unchanged_file_the_template_deletes_is_deleted() -> None:
    merged = merge({"old.py": LINES}, {}, {"old.py": LINES}, template_label="0.3.0")

    assert merged.changes == (FileChange(Path("old.py"), None, LINES),)


def test_a_changed_file_the_template_deletes_is_kept_and_reported() -> None:
    ours = edit(LINES, "line 3\n", "yours 3\n")

    merged = merge({"old.py": LINES}, {}, {"old.py": ours}, template_label="0.3.0")

    assert merged.changes == ()
    assert len(merged.notes) == 1
    assert merged.notes[0].startswith("old.py: the template no longer has it, you changed it")


def test_a_deleted_file_the_template_changed_stays_deleted_and_is_reported() -> None:
    theirs = edit(LINES, "line 3\n", "line three\n")

    merged = merge({"a.py": LINES}, {"a.py": theirs}, {}, template_label="0.3.0")

    assert merged.changes == ()
    assert merged.notes == ("a.py: you deleted it and the template changed it; left deleted",)


def test_a_renamed_file_carries_the_user_edits_to_its_new_name() -> None:
    theirs = edit(LINES, "line 3\n", "line three\n")
    ours = edit(LINES, "line 17\n", "line seventeen\n")

    merged = merge({"old.py": LINES}, {"new.py": theirs}, {"old.py": ours}, template_label="0.3.0")

    assert changes_by_path(merged.changes) == {
        "old.py": None,
        "new.py": edit(theirs, "line 17\n", "line seventeen\n"),
    }
    assert merged.notes == ("old.py: renamed by the template to new.py, with your edits",)


def test_an_untouched_renamed_file_just_moves() -> None:
    merged = merge({"old.py": LINES}, {"new.py": LINES}, {"old.py": LINES}, template_label="0.3.0")

    assert changes_by_path(merged.changes) == {"old.py": None, "new.py": LINES}
    assert merged.notes == ()


def test_files_only_the_user_has_are_left_alone() -> None:
    merged = merge(
        {"a.py": LINES}, {"a.py": LINES}, {"a.py": LINES, "mine.py": "x\n"}, template_label="0.3.0"
    )

    assert merged.changes == ()


def test_a_move_named_by_a_migration_is_followed_whatever_the_content() -> None:
    rewritten = "".join(f"entry {number}\n" for number in range(40))

    merged = merge(
        {"old.py": LINES},
        {"new.py": rewritten},
        {"old.py": LINES},
        template_label="0.3.0",
        moved={"old.py": "new.py"},
    )

    assert changes_by_path(merged.changes) == {"old.py": None, "new.py": rewritten}
