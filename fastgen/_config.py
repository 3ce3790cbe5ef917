"""The user's (or team's) fastgen configuration: a default template and default answers.

It lives at `$FASTGEN_CONFIG`, else `$XDG_CONFIG_HOME/fastgen/config.yml` (by default
`~/.config/fastgen/config.yml`), and may hold:

    template: git@example.com:team/fastapi-template.git   # instead of fastgen's own
    defaults:                                              # answers, over the preset's
      database: postgresql
    trust:                                                 # sources trusted always
      - git@example.com:team/                              # (a prefix: ends with /)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastgen._trust import Trust
from fastgen.errors import InvalidAnswerError
from fastgen.template import load_yaml_mapping

KEYS = ("template", "defaults", "trust")


@dataclass(frozen=True)
class UserConfig:
    path: Path | None = None  # None: there is no configuration file
    template: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    trust: tuple[str, ...] = ()  # template sources (or prefixes, ending in /) trusted always

    def trusting(self, *, everything: bool = False) -> Trust:
        """What one command trusts: everything with --trust, else the `trust:` list."""
        return Trust(everything=everything, sources=self.trust)


def config_path() -> Path:
    explicit = os.environ.get("FASTGEN_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "fastgen" / "config.yml"


def load() -> UserConfig:
    """The configuration; none where no file is (but `$FASTGEN_CONFIG` must name one)."""
    path = config_path()
    if not path.is_file() and not os.environ.get("FASTGEN_CONFIG"):
        return UserConfig()
    content = load_yaml_mapping(path)
    unknown = sorted(set(content) - set(KEYS))
    if unknown:
        raise InvalidAnswerError(
            f"{path}: unknown key {', '.join(map(repr, unknown))}",
            hint=f"a fastgen configuration holds {', '.join(KEYS)}",
        )
    template = content.get("template")
    defaults = content.get("defaults") or {}
    if template is not None and not isinstance(template, str):
        raise InvalidAnswerError(f"{path}: template must be a path or git URL, as text")
    if not isinstance(defaults, dict):
        raise InvalidAnswerError(f"{path}: defaults must be a mapping of question: answer")
    trust = content.get("trust") or []
    if not isinstance(trust, list) or not all(isinstance(entry, str) and entry for entry in trust):
        raise InvalidAnswerError(f"{path}: trust must be a list of template sources, as text")
    return UserConfig(
        path,
        template or None,
        {str(key): value for key, value in defaults.items()},
        tuple(_anchored(entry, path.parent) for entry in trust),
    )


def _anchored(entry: str, folder: Path) -> str:
    """A relative folder entry as the configuration file's folder makes it, not as the
    folder fastgen runs in (a project someone else made) would."""
    if "://" in entry or re.match(r"^[\w.-]+@[\w.-]+:", entry) or entry.startswith("~"):
        return entry
    anchored = str(folder / entry)
    return anchored + "/" if entry.endswith("/") and not anchored.endswith("/") else anchored
