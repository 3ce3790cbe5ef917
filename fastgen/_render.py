"""Rendering a template with Copier.

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

    With `trust`, the template may run code (its tasks, migrations, Jinja extensions)."""
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
