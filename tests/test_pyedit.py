"""Edits of Python source through its syntax tree."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fastgen._pyedit import (
    EditError,
    add_imports,
    append_block,
    append_element,
    defines,
    wrap_docstrings,
)


def test_imports_go_after_the_last_top_level_import() -> None:
    source = '"""Doc."""\n\nimport os\nfrom a import (\n    b,\n)\n\nX = 1\n'

    assert add_imports(source, ["import sys"]) == (
        '"""Doc."""\n\nimport os\nfrom a import (\n    b,\n)\nimport sys\n\nX = 1\n'
    )


def test_imports_go_after_the_docstring_when_there_are_none() -> None:
    assert add_imports('"""Doc."""\nX = 1\n', ["import sys"]) == '"""Doc."""\nimport sys\nX = 1\n'


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("R = (a.r, b.r)\n", "R = (\n    a.r,\n    b.r,\n    c.r,\n)\n"),
        ("R = (a.r,)\n", "R = (\n    a.r,\n    c.r,\n)\n"),
        ("R = ()\n", "R = (c.r,)\n"),
        (
            "R: tuple[int, ...] = (\n    a.r,\n)\n",
            "R: tuple[int, ...] = (\n    a.r,\n    c.r,\n)\n",
        ),
        ('R = ["é", a.r]  # note\n', 'R = [\n    "é",\n    a.r,\n    c.r,\n]  # note\n'),
        ("R = (\n    a.r,  # one\n    b.r\n)\n", "R = (\n    a.r,  # one\n    b.r,\n    c.r,\n)\n"),
    ],
)
def test_elements_go_at_the_end_laid_out_as_the_formatter_would(
    source: str, expected: str, tmp_path: Path
) -> None:
    edited = append_element(source, "R", "c.r")

    assert edited == expected
    module = tmp_path / "module.py"
    module.write_text(edited)
    ruff = [sys.executable, "-m", "ruff", "format", "--no-cache", "--check", str(module)]
    assert subprocess.run(ruff, capture_output=True, check=False).returncode == 0


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("R = make()\n", "R is not a tuple or list"),
        ("S = (1,)\n", "R is not assigned"),
        ("R = (\n", "it is not valid Python (line 1"),
    ],
)
def test_an_unexpected_shape_is_an_edit_error(source: str, message: str) -> None:
    with pytest.raises(EditError, match=re.escape(message)):
        append_element(source, "R", "x")


def test_defines_sees_functions_classes_assignments_and_imports() -> None:
    source = "import a.b\nfrom c import d as e\nX: int = 1\nY = 2\ndef f(): ...\nclass K: ...\n"

    assert all(defines(source, name) for name in ("a", "e", "X", "Y", "f", "K"))
    assert not defines(source, "d")


def test_long_docstring_lines_are_wrapped_and_code_is_not() -> None:
    code = '    x = "' + "long " * 20 + '"'
    source = f'def f() -> None:\n    """{"word " * 20}end."""\n{code}\n'

    wrapped = wrap_docstrings(source, 40)

    docstring = wrapped.splitlines()[1:-1]
    assert all(len(line) <= 40 for line in docstring)
    assert " ".join(line.strip() for line in docstring) == f'"""{"word " * 20}end. """'
    assert docstring[-1] == '    """'  # several lines: the formatter keeps them apart
    assert wrapped.splitlines()[-1] == code


def test_every_edit_is_idempotent() -> None:
    source = (
        '"""Doc."""\n\nfrom a import b\n\nR = (b.r,)\n\n\nclass S:\n    x: int = 1\n\n\n'
        "def f() -> None: ...\n"
    )
    edits: list[Callable[[str], str]] = [
        lambda text: add_imports(text, ["from c import d", "from a import b"]),
        lambda text: append_element(text, "R", "d.r"),
        lambda text: append_block(text, "def g() -> None: ...\n"),
    ]
    for edit in edits:
        once = edit(source)

        assert once != source
        assert edit(once) == once
