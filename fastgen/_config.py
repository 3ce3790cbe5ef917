"""The user's (or team's) fastgen configuration: a default template and default answers.

It lives at `$FASTGEN_CONFIG`, else `$XDG_CONFIG_HOME/fastgen/config.yml` (by default
`~/.config/fastgen/config.yml`), and may hold:

    template: git@example.com:team/fastapi-template.git   # instead of fastgen's own
    defaults:                                              # answers, over the preset's
      database: postgresql
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastgen.errors import InvalidAnswerError
from fastgen.template import load_yaml_mapping

KEYS = ("template", "defaults")


@dataclass(frozen=True)
class UserConfig:
    path: Path | None = None  # None: there is no configuration file
    template: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict)


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
            hint=f"a fastgen configuration holds {' and '.join(KEYS)}",
        )
    template = content.get("template")
    defaults = content.get("defaults") or {}
    if template is not None and not isinstance(template, str):
        raise InvalidAnswerError(f"{path}: template must be a path or git URL, as text")
    if not isinstance(defaults, dict):
        raise InvalidAnswerError(f"{path}: defaults must be a mapping of question: answer")
    return UserConfig(path, template or None, {str(key): value for key, value in defaults.items()})
