"""Shell completion: the script fastgen prints for bash, sourced in a real bash,
completes commands, options and the choices of options."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FASTGEN = shutil.which("fastgen", path=str(Path(sys.executable).parent))
BASH = shutil.which("bash")


def complete(*words: str) -> list[str]:
    """What bash offers after `words` (the last one being completed)."""
    assert FASTGEN
    assert BASH
    script = f"""
source <("{FASTGEN}" --show-completion bash)
COMP_WORDS=({" ".join(f"'{word}'" for word in words)})
COMP_CWORD={len(words) - 1}
_fastgen_completion "{FASTGEN}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    result = subprocess.run(
        [BASH, "--norc", "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return sorted(line for line in result.stdout.splitlines() if line)


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
class TestBash:
    def test_commands(self) -> None:
        assert complete("fastgen", "") == [
            "check",
            "generate",
            "new",
            "presets",
            "update",
            "verify",
        ]

    def test_options(self) -> None:
        assert {"--database", "--data", "--dry-run"} <= set(
            complete("fastgen", "new", "shop", "--d")
        )

    def test_the_choices_of_an_option(self) -> None:
        assert complete("fastgen", "new", "shop", "--database", "") == [
            "mysql", "none", "postgresql", "sqlite",
        ]  # fmt: skip
        assert complete("fastgen", "new", "shop", "--database", "p") == ["postgresql"]
        assert complete("fastgen", "new", "shop", "--preset", "postgres-") == [
            "postgres-api", "postgres-realtime",
        ]  # fmt: skip
        assert complete("fastgen", "verify", "--matrix", "p") == ["pairwise", "presets"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_script_is_shown_for_each_shell(shell: str) -> None:
    assert FASTGEN
    result = subprocess.run(
        [FASTGEN, "--show-completion", shell],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert "_FASTGEN_COMPLETE" in result.stdout
