from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fastgen.cli import app

Invoke = Callable[..., Result]


@pytest.fixture
def invoke() -> Invoke:
    """Run the fastgen CLI in-process, as a user would from a shell."""

    def invoke(*args: str | Path) -> Result:
        return CliRunner().invoke(app, [str(arg) for arg in args])

    return invoke
