"""Rendering a template: with fastgen's own renderer where it can, with Copier otherwise.

This is the only module that imports copier: it is slow to import, and `--help` must not.
Both renderers are sandboxed and bounded (`_jinja`); Copier runs a template's code (its
tasks, migrations, Jinja extensions) only where the user trusts the template's source.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastgen import _jinja
from fastgen._sources import Resolved, require_trust
from fastgen._trust import Trust
from fastgen.errors import FastgenError, InvalidAnswerError, describe_os_error


def render(
    template: Resolved,
    staging: Path,
    answers: Mapping[str, Any],
    *,
    trust: Trust,
) -> None:
    """Render `template` into `staging`; defaults answer what `answers` leaves open.

    Without Copier where the template keeps to what `_fastrender` supports (it is much
    faster), with Copier otherwise; a template that runs code needs `trust`."""
    from fastgen import _fastrender

    require_trust(template, trust=trust)
    with _jinja.budget():
        lacks = "a copier.yml setting"
        if _fastrender.supports(template.path):
            try:
                _fastrender.render(template.path, staging, answers)
                return
            except _fastrender.Unsupported as unsupported:
                _empty(staging)  # Copier starts again from nothing
                lacks = str(unsupported)
            except OSError as error:
                raise FastgenError(
                    f"cannot write the project: {describe_os_error(error)}"
                ) from None
        # Copier's environment offers filters that read the machine (expandvars,
        # fileglob...) and its own settings, and bounds no output: trusted sources only.
        trust.require(template.source, to=f"be rendered by Copier, for {lacks}")
        _render_with_copier(template.path, staging, answers)


def _render_with_copier(template: Path, staging: Path, answers: Mapping[str, Any]) -> None:
    """Render with Copier, which may run the template's code: trusted templates only."""
    import jinja2
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
            unsafe=True,
        )
    except OSError as error:
        raise FastgenError(f"cannot write the project: {describe_os_error(error)}") from None
    except jinja2.exceptions.SecurityError as error:
        raise _jinja.refused("files", error) from None
    except jinja2.TemplateError as error:
        raise FastgenError(f"the template cannot be rendered: {_first_line(error)}") from None
    except UserMessageError as error:
        raise FastgenError(error.message) from None
    except (ValueError, CopierError) as error:
        raise InvalidAnswerError(_first_line(error)) from None
    except (FastgenError, MemoryError):  # a bound of `_jinja.budget`
        raise
    except Exception as error:  # Copier's own failures, as one line
        reason = f"{type(error).__name__}: {_first_line(error)}"
        raise FastgenError(f"Copier could not render the template ({reason})") from None


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _empty(folder: Path) -> None:
    import shutil

    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
