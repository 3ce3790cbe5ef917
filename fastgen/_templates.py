"""The Jinja environment of a template's resource templates (`<template>/resource`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastgen import _jinja
from fastgen.errors import FastgenError


@cache
def environment(folder: Path) -> Any:
    """The environment that renders the templates in `folder`, made once per folder."""
    import jinja2

    environment = _jinja.sandboxed(
        loader=jinja2.FileSystemLoader(folder),
        # Compiling the templates takes longer than rendering them; jinja2 keeps the
        # compiled code in a private folder of the system's temporary directory.
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # renders Python source, not HTML
    )
    environment.filters["python"] = repr  # a value as a Python literal
    environment.filters["keyword"] = lambda pair: f"{pair[0]}={pair[1]!r}"
    return environment


def render(folder: Path, template: str, **context: object) -> str:
    import jinja2

    name = f"{folder.name}/{template}"
    try:
        loaded = environment(folder).get_template(template)
        return _jinja.render(loaded, context, name=name)
    except jinja2.TemplateNotFound:
        raise FastgenError(f"the template has no {name}") from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise FastgenError(f"the template's {name} cannot be rendered: {reason}") from None
