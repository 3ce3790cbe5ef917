"""Rendering a template: with fastgen's own renderer where it can, with Copier otherwise.

This is the only module that imports copier: it is slow to import, and `--help` must not.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastgen.errors import FastgenError, InvalidAnswerError, describe_os_error


def render(
    template: Path,
    staging: Path,
    answers: Mapping[str, Any],
    *,
    trust: bool = False,
) -> None:
    """Render `template` into `staging`; defaults answer what `answers` leaves open.

    Without Copier where the template keeps to what `_fastrender` supports (it is much
    faster), with Copier otherwise. With `trust`, the template may run code (its tasks,
    migrations, Jinja extensions)."""
    from fastgen import _fastrender

    if _fastrender.supports(template):
        try:
            _fastrender.render(template, staging, answers)
            return
        except _fastrender.Unsupported:
            _empty(staging)  # Copier starts again from nothing
        except OSError as error:
            raise FastgenError(f"cannot write the project: {describe_os_error(error)}") from None
    _render_with_copier(template, staging, answers, trust=trust)


def _render_with_copier(
    template: Path, staging: Path, answers: Mapping[str, Any], *, trust: bool
) -> None:
    from copier import run_copy
    from copier.errors import CopierError, UserMessageError

    try:
        run_copy(
            str(template),
            staging,
            data=dict(answers),
            defaults=True,
            quiet=True,
            cleanup_on_error=False,
            unsafe=trust,
        )
    except OSError as error:
        raise FastgenError(f"cannot write the project: {describe_os_error(error)}") from None
    except UserMessageError as error:
        raise FastgenError(error.message) from None
    except (ValueError, CopierError) as error:
        raise InvalidAnswerError(_first_line(error)) from None


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _empty(folder: Path) -> None:
    import shutil

    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
