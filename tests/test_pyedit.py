"""Edits of Python source through its syntax tree."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

import pytest

from fastgen._pyedit import (
    EditError,
    add_imports,
    append_block,
    append_element,
    append_to_class,
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
        ("R = (a.r, b.r)\n", "R = (a.r, b.r, c.r,)\n"),
        ("R = (a.r,)\n", "R = (a.r, c.r,)\n"),
        ("R = ()\n", "R = ( c.r,)\n"),
        ("R: tuple[int, ...] = (\n    a.r,\n)\n", "R: tuple[int, ...] = (\n    a.r, c.r,)\n"),
        ('R = ["é", a.r]  # note\n', 'R = ["é", a.r, c.r,]  # note\n'),
    ],
)
def test_elements_go_at_the_end_of_the_collection(source: str, expected: str) -> None:
    edited = append_element(source, "R", "c.r")

    assert edited == expected
    # The trailing comma keeps a one-element tuple a tuple; the formatter then puts
    # each element on a line of its own.
    value = ast.parse(edited).body[0].value  # type: ignore[attr-defined]
    assert isinstance(value, ast.Tuple | ast.List)
    assert ast.unparse(value.elts[-1]) == "c.r"


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


def test_a_class_attribute_goes_after_the_last_statement_of_the_class() -> None:
    source = "class S:\n    a: int = 1\n    b: int = (\n        2\n    )\n\n\nX = 1\n"

    assert append_to_class(source, "S", "c: int = 3") == (
        "class S:\n    a: int = 1\n    b: int = (\n        2\n    )\n    c: int = 3\n\n\nX = 1\n"
    )


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
        lambda text: append_to_class(text, "S", "y: int = 2"),
        lambda text: append_block(text, "def g() -> None: ...\n"),
    ]
    for edit in edits:
        once = edit(source)

        assert once != source
        assert edit(once) == once
