"""Which template sources may run code, and which a project's record may name.

Rendering with fastgen's own renderer is sandboxed and runs nothing. What does run
code, or reads the machine, is trusted per source: Copier's tasks, migrations and Jinja
extensions, and any render by Copier (its filters read the machine's environment and
files), installing a project's dependencies (its build backend is the template's
choice) and `verify`'s checks (the generated tests). A project's record is data, not
authority: the template it names is used only if the user trusts that source, so
cloning a repository is never enough to make fastgen fetch or read a template from a
place the user did not choose.

A source is trusted by `--trust` for one command, or always by the configuration's
`trust:` list, as Copier's own `trust` setting: an entry ending in `/` trusts every
source that starts with it, any other entry that one source.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from fastgen.errors import FastgenError

BUNDLED = ""  # the recorded source of fastgen's own template, trusted always


class UntrustedTemplateError(FastgenError):
    """A template source that this command may not use without the user's trust."""


@dataclass(frozen=True)
class Trust:
    """What the user trusts for one command."""

    everything: bool = False  # --trust
    sources: tuple[str, ...] = ()  # the configuration's `trust:` entries

    def allows(self, source: str) -> bool:
        """Whether templates from `source` may run code and be named by a record."""
        if self.everything or source == BUNDLED:
            return True
        if _is_url(source) and re.search(r"[/:]\.\.?(/|$)", unquote(source)):
            return False  # `trusted/../elsewhere` (or `%2e%2e`) is not below `trusted/`
        source = _normalized(source)
        return any(_matches(entry, source) for entry in self.sources)

    def require(self, source: str, *, to: str) -> None:
        """Refuse `source` unless trusted; `to` says what it was going to be allowed to."""
        if not self.allows(source):
            raise UntrustedTemplateError(
                f"the template {source} is not trusted to {to}",
                hint=f"add --trust, or list it under `trust:` in your fastgen configuration "
                f"({_config_path()}) if you trust it",
            )


def _matches(entry: str, source: str) -> bool:
    entry = _normalized(entry)
    return source.startswith(entry) if entry.endswith("/") else source == entry


def _is_url(location: str) -> bool:
    return "://" in location or bool(re.match(r"^[\w.-]+@[\w.-]+:", location))


def _normalized(entry: str) -> str:
    """A local folder as the record writes it (absolute, resolved); a URL as it is."""
    if _is_url(entry):
        return entry
    try:
        folder = str(Path(os.path.expanduser(entry)).resolve())
    except (OSError, RuntimeError):  # a loop of links: as written, which matches nothing
        return entry
    return folder + "/" if entry.endswith("/") and folder != "/" else folder


def _config_path() -> str:
    from fastgen._config import config_path

    return str(config_path())
