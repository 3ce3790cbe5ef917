"""Small, exact edits of Python source, located through its syntax tree.

Each function returns the edited source and leaves layout to the formatter that runs
afterwards (ruff): imports are inserted unsorted, elements without line breaks. Each is
idempotent: what is there already is not added again. A file whose shape is not the
expected one raises EditError naming what is missing.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterable
from functools import lru_cache


class EditError(ValueError):
    """The source does not have the statement an edit needs."""


def add_imports(source: str, imports: Iterable[str]) -> str:
    """Insert `imports` (whole statements) after the last top-level import."""
    tree = _parse(source)
    statements = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    present = {ast.unparse(node) for node in statements}
    imports = [statement for statement in imports if statement not in present]
    if not imports:
        return source
    if statements:
        after = max(_end_line(node) for node in statements)
    else:
        docstring = ast.get_docstring(tree, clean=False) is not None
        after = _end_line(tree.body[0]) if docstring else 0
    lines = source.splitlines(keepends=True)
    new = [f"{statement}\n" for statement in imports]
    return "".join([*lines[:after], *new, *lines[after:]])


def append_element(source: str, name: str, element: str) -> str:
    """Add `element` at the end of the bracketed tuple or list assigned to `name`.

    The collection ends up one element a line, each with a trailing comma, as the
    formatter writes it; one already laid out so keeps its lines and comments.
    """
    node = _module_assignment(source, name)
    if not isinstance(node, ast.Tuple | ast.List):
        raise EditError(f"{name} is not a tuple or list")
    if element in {ast.unparse(existing) for existing in node.elts}:
        return source
    opening = _offset(source, node.lineno, node.col_offset)
    closing = _offset(source, node.end_lineno, node.end_col_offset) - 1
    if source[opening] not in "([" or source[closing] not in ")]":
        raise EditError(f"{name} is not in brackets")
    line_start = source.rfind("\n", 0, opening) + 1
    indent = _indent(source[line_start:opening])
    closing_line = source.rfind("\n", 0, closing) + 1
    if node.elts and not source[closing_line:closing].strip():  # laid out a line each
        last = node.elts[-1]
        after_last = _offset(source, last.end_lineno, last.end_col_offset)
        comma = "" if "," in source[after_last:closing_line] else ","
        inner = _indent(source.splitlines()[(node.elts[0].lineno or 1) - 1])
        return (
            f"{source[:after_last]}{comma}{source[after_last:closing_line]}"
            f"{inner}{element},\n{source[closing_line:]}"
        )
    elements = [ast.get_source_segment(source, existing) or "" for existing in node.elts]
    if not elements and isinstance(node, ast.Tuple):  # the formatter keeps `(x,)` whole
        return f"{source[: opening + 1]}{element},{source[closing:]}"
    lines = "".join(f"{indent}    {text},\n" for text in [*elements, element])
    return f"{source[: opening + 1]}\n{lines}{indent}{source[closing:]}"


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def append_block(source: str, block: str) -> str:
    """Add `block` at the end of the module, unless the module ends with it already."""
    if source.rstrip().endswith(block.strip()):
        return source
    return f"{source.rstrip()}\n\n\n{block.strip()}\n"


def wrap_docstrings(source: str, width: int) -> str:
    """Wrap the lines of triple-quoted docstrings that are longer than `width`.

    For code rendered from templates, where a long resource name can push a docstring past
    the line length that ruff enforces but does not fix.
    """
    lines: list[str] = []
    inside = False
    for line in source.splitlines():
        stripped = line.strip()
        opens = not inside and stripped.startswith('"""')
        one_line = opens and len(stripped) >= 6 and stripped.endswith('"""')
        if len(line) > width and (inside or opens):
            lines += _wrapped(line, width, one_line=one_line)
        else:
            lines.append(line)
        if not one_line and (opens or inside) and stripped.count('"""') % 2:
            inside = not inside
    return "\n".join(lines) + ("\n" if source.endswith("\n") else "")


def _wrapped(line: str, width: int, *, one_line: bool) -> list[str]:
    indent = line[: len(line) - len(line.lstrip())]
    text = line.strip()
    closing = text.endswith('"""') and (one_line or not text.startswith('"""'))
    if one_line or closing:
        text = text.removesuffix('"""')
    # A one-line docstring must break before its closing quotes would reach the limit:
    # the formatter puts them back on the line of a docstring that has only one.
    limit = width - len(indent) - (3 if one_line else 0)
    wrapped = textwrap.wrap(text, limit, break_long_words=False)
    lines = [indent + part for part in wrapped]
    if closing:
        lines.append(f'{indent}"""')
    return lines


def defines(source: str, name: str) -> bool:
    """Whether the module binds `name` at top level: def, class, assignment or import."""
    for node in _parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound = [node.name]
        elif isinstance(node, ast.Assign):
            bound = [target.id for target in node.targets if isinstance(target, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            bound = [node.target.id]
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound = [alias.asname or alias.name.split(".")[0] for alias in node.names]
        else:
            continue
        if name in bound:
            return True
    return False


def class_attributes(source: str, class_name: str) -> list[str]:
    """The annotated attribute names of top-level class `class_name` (empty if missing)."""
    for node in _parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            return [
                statement.target.id
                for statement in node.body
                if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
            ]
    return []


def constant(source: str, name: str) -> object:
    """The literal value assigned to `name` at top level (module or any class body)."""
    tree = _parse(source)
    bodies = [tree.body, *(node.body for node in tree.body if isinstance(node, ast.ClassDef))]
    for body in bodies:
        for node in body:
            value = _assigned_value(node, name)
            if value is not None:
                try:
                    return ast.literal_eval(value)
                except ValueError:
                    raise EditError(f"{name} is not a literal") from None
    raise EditError(f"{name} is not assigned")


def _module_assignment(source: str, name: str) -> ast.expr:
    for node in _parse(source).body:
        value = _assigned_value(node, name)
        if value is not None:
            return value
    raise EditError(f"{name} is not assigned")


def _assigned_value(node: ast.stmt, name: str) -> ast.expr | None:
    if isinstance(node, ast.Assign) and any(
        isinstance(target, ast.Name) and target.id == name for target in node.targets
    ):
        return node.value
    if (
        isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == name
    ):
        return node.value
    return None


@lru_cache(maxsize=32)
def _parse(source: str) -> ast.Module:
    """The syntax tree of `source`, parsed once however often it is asked about."""
    try:
        return ast.parse(source)
    except SyntaxError as error:
        raise EditError(f"it is not valid Python (line {error.lineno}: {error.msg})") from None
    except (RecursionError, MemoryError):
        raise EditError("it is nested too deeply for Python to read") from None


def _end_line(node: ast.stmt) -> int:
    return node.end_lineno or node.lineno


def _offset(source: str, line: int | None, column: int | None) -> int:
    """The string index of a (1-based line, UTF-8 byte column) position of the AST."""
    if line is None or column is None:
        raise EditError("the syntax tree has no position")
    lines = source.splitlines(keepends=True)
    start = sum(len(text) for text in lines[: line - 1])
    return start + len(lines[line - 1].encode()[:column].decode())
