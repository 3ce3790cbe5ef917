"""fastgen's own renderer writes what Copier writes, byte for byte and mode for mode,
for every pair of the bundled template's answers (a pairwise covering array, with
every Python version); what it does not support goes to Copier."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from fastgen import _fastrender, _matrix, _render, _sources
from fastgen._trust import Trust
from fastgen.template import BUNDLED_TEMPLATE, load_questions, load_template

COMBINATIONS = _matrix.combinations(load_template(), load_questions(), matrix="pairwise", pinned={})
FREE_TEXT = {"description": 'Shop "API" — ünïcode\\n {{ not jinja }}', "author_name": "Ada: L"}


def tree(root: Path) -> dict[str, tuple[int, bytes]]:
    return {
        path.relative_to(root).as_posix(): (
            path.stat().st_mode,
            b"" if path.is_dir() else path.read_bytes(),
        )
        for path in sorted(root.rglob("*"))
    }


TRUSTED = Trust(everything=True)  # Copier renders only templates the user trusts


def folder_template(path: Path) -> _sources.Resolved:
    return _sources.Resolved(str(path), "0", path)


def both(template: Path, answers: dict[str, Any], tmp_path: Path) -> tuple[Path, Path]:
    ours, copiers = tmp_path / "ours" / "shop", tmp_path / "copier" / "shop"
    ours.mkdir(parents=True)
    copiers.mkdir(parents=True)
    _fastrender.render(template, ours, answers)
    _render._render_with_copier(template, copiers, answers)
    return ours, copiers


@pytest.mark.parametrize("combination", COMBINATIONS, ids=lambda c: c.name)
def test_each_combination_renders_as_copier_renders_it(
    combination: _matrix.Combination, tmp_path: Path
) -> None:
    answers = {"project_name": "shop", **combination.answers, **FREE_TEXT}

    ours, copiers = both(BUNDLED_TEMPLATE, answers, tmp_path)

    assert tree(ours) == tree(copiers)


def test_an_invalid_answer_is_refused_as_copier_refuses_it(tmp_path: Path) -> None:
    from fastgen.errors import InvalidAnswerError

    with pytest.raises(InvalidAnswerError, match="control characters are not allowed"):
        _fastrender.render(
            BUNDLED_TEMPLATE, tmp_path, {"project_name": "shop", "description": "\x07"}
        )


def test_a_template_with_features_it_lacks_goes_to_copier(tmp_path: Path) -> None:
    template = tmp_path / "template"
    shutil.copytree(BUNDLED_TEMPLATE, template, ignore=shutil.ignore_patterns("__pycache__"))
    with (template / "copier.yml").open("a") as config:
        config.write("\n_skip_if_exists: [README.md]\n")
    staging = tmp_path / "shop"
    staging.mkdir()

    assert not _fastrender.supports(template)
    _render.render(folder_template(template), staging, {"project_name": "shop"}, trust=TRUSTED)

    assert (staging / "README.md").is_file()


def test_a_context_variable_it_lacks_falls_back_to_copier(tmp_path: Path) -> None:
    template = tmp_path / "template"
    shutil.copytree(BUNDLED_TEMPLATE, template, ignore=shutil.ignore_patterns("__pycache__"))
    (template / "project/joined.txt.jinja").write_text("{{ pathjoin('a', 'b') }}\n")
    staging = tmp_path / "shop"
    staging.mkdir()

    with pytest.raises(_fastrender.Unsupported):
        _fastrender.render(template, tmp_path / "scratch", {"project_name": "shop"})
    _render.render(folder_template(template), staging, {"project_name": "shop"}, trust=TRUSTED)

    assert (staging / "joined.txt").read_text() == "a/b\n"
