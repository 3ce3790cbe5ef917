"""`fastgen new` in a real pseudo-terminal asks what no flag answered."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import yaml

from tests.helpers import clean_env

DOWN = "\x1b[B"
CLEAR_LINE = "\x15"  # Ctrl-U: the prompts start with the default filled in

FASTGEN = shutil.which("fastgen", path=str(Path(sys.executable).parent))


def spawn(cwd: Path, *args: str) -> pexpect.spawn:
    assert FASTGEN, "the fastgen script is not installed beside the test interpreter"
    return pexpect.spawn(
        FASTGEN,
        ["new", "shop", "--no-git", *args],
        cwd=str(cwd),
        env=clean_env(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1"),
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )


def test_prompts_for_every_unanswered_question(tmp_path: Path) -> None:
    child = spawn(tmp_path)

    child.expect("One-line description")
    child.send(f"{CLEAR_LINE}Pet shop API\r")
    child.expect("Author recorded")
    child.send("Ada Lovelace\r")
    child.expect("Python version")
    child.send(f"{DOWN}\r")  # from the default 3.12 to 3.13
    child.expect("Where the data lives")
    child.send(f"{DOWN * 3}\r")  # from the default sqlite to none
    child.expect("Real-time WebSockets")
    child.send("y")
    child.expect("How a broadcast reaches")
    child.send(f"{DOWN}\r")  # from the default memory to redis
    child.expect("Next steps")
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == 0
    answers = yaml.safe_load((tmp_path / "shop" / ".copier-answers.yml").read_text())
    assert answers | {"_src_path": None} == {
        "_src_path": None,
        "project_name": "shop",
        "description": "Pet shop API",
        "author_name": "Ada Lovelace",
        "python_version": "3.13",
        "database": "none",
        "websocket": True,
        "broadcast_backend": "redis",
    }


def test_the_broadcast_backend_is_asked_only_with_websocket(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--database", "none", "--python", "3.12", "--author", "Ada")

    child.expect("One-line description")
    child.send("\r")
    child.expect("Real-time WebSockets")
    child.send("n")
    index = child.expect(["How a broadcast reaches", "Next steps"])
    child.expect(pexpect.EOF)
    child.close()

    assert index == 1
    assert child.exitstatus == 0


def test_questions_answered_by_flags_are_not_asked(tmp_path: Path) -> None:
    child = spawn(
        tmp_path, "--database", "none", "--python", "3.11", "--author", "Ada", "--no-websocket"
    )

    child.expect("One-line description")
    child.send("\r")
    index = child.expect(
        ["Where the data lives", "Python version", "Real-time WebSockets", "Next steps"]
    )
    child.expect(pexpect.EOF)
    child.close()

    assert index == 3
    assert child.exitstatus == 0


def test_ctrl_c_at_a_prompt_exits_130_and_writes_nothing(tmp_path: Path) -> None:
    child = spawn(tmp_path)

    child.expect("One-line description")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == 130
    assert "interrupted: nothing was written" in (child.before or "")
    assert list(tmp_path.iterdir()) == []


def test_yes_never_prompts_in_a_terminal(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--yes")

    index = child.expect(["One-line description", "Next steps"])
    child.expect(pexpect.EOF)
    child.close()

    assert index == 1
    assert child.exitstatus == 0


def test_without_a_terminal_defaults_apply(tmp_path: Path) -> None:
    assert FASTGEN
    result = subprocess.run(
        [FASTGEN, "new", "shop", "--no-git"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert (
        "description: A FastAPI service." in (tmp_path / "shop" / ".copier-answers.yml").read_text()
    )
