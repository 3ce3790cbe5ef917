"""`fastgen new` in a real pseudo-terminal asks what no flag answered."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import yaml

from tests.helpers import clean_env, interruptible

FASTGEN = shutil.which("fastgen", path=str(Path(sys.executable).parent))
NOT_ASKED = (  # questions answered by flag
    "--auth=none",
    "--jobs=none",
    "--no-metrics",
    "--no-tracing",
    "--no-kubernetes",
    "--serverless=none",
)


def spawn(cwd: Path, *args: str, name: str | None = "shop") -> pexpect.spawn:
    assert FASTGEN, "the fastgen script is not installed beside the test interpreter"
    return pexpect.spawn(
        FASTGEN,
        ["new", *([name] if name else []), "--no-git", *args],
        cwd=str(cwd),
        env=clean_env(TERM="xterm"),
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
        preexec_fn=interruptible,
    )


def answers_of(project: Path) -> dict[str, object]:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return {key: value for key, value in answers.items() if not key.startswith("_")}


def finish(child: pexpect.spawn) -> None:
    child.expect(pexpect.EOF)
    child.close()


def test_every_question_is_asked_and_typing_replaces_the_default(tmp_path: Path) -> None:
    child = spawn(tmp_path)

    child.expect(r"description \[A FastAPI service\.\]: ")
    child.sendline("Pet shop API")
    child.expect(r"author_name: ")
    child.sendline("Ada Lovelace")
    child.expect(r"3\) 3\.13\r\npython_version \[3\.12\]: ")
    child.sendline("3")  # a choice by its number
    child.expect(r"4\) none - in-process store.*\r\ndatabase \[sqlite\]: ")
    child.sendline("none")  # or by its value
    child.expect(r"2\) jwt - registered users.*\r\nauth \[none\]: ")
    child.sendline("")
    child.expect(r"Real-time WebSockets.*\[y/N\] ")
    child.sendline("yes")
    child.expect(r"broadcast_backend \[memory\]: ")
    child.sendline("redis")
    child.expect(r"2\) redis - a taskiq queue.*\r\njobs \[none\]: ")
    child.sendline("2")
    child.expect(r"Prometheus metrics.*\[y/N\] ")
    child.sendline("y")
    child.expect(r"OpenTelemetry traces.*\[y/N\] ")
    child.sendline("")
    child.expect(r"Kubernetes manifests.*\[y/N\] ")
    child.sendline("y")  # refused: each replica would keep its own data
    child.expect("! replicas share no disk or memory: Kubernetes needs database postgresql")
    child.expect(r"Kubernetes manifests.*\[y/N\] ")
    child.sendline("n")
    child.expect(r"serverless \[none\]: ")
    child.sendline("")
    child.expect("The project:")
    child.expect("It needs redis to run and to test")
    child.expect(r"Create the project\? ")
    child.sendline("")
    child.expect("Next steps")
    finish(child)

    assert child.exitstatus == 0
    assert answers_of(tmp_path / "shop") == {
        "project_name": "shop",
        "description": "Pet shop API",
        "author_name": "Ada Lovelace",
        "python_version": "3.13",
        "database": "none",
        "auth": "none",
        "websocket": True,
        "broadcast_backend": "redis",
        "jobs": "redis",
        "metrics": True,
        "tracing": False,
        "kubernetes": False,
        "serverless": "none",
    }


def test_a_wrong_answer_is_asked_again_and_back_goes_to_the_previous_question(
    tmp_path: Path,
) -> None:
    child = spawn(
        tmp_path, "--description", "Shop", "--author", "Ada", "--python", "3.12", *NOT_ASKED
    )

    child.expect(r"database \[sqlite\]: ")
    child.sendline("oracle")
    child.expect("'oracle' is not one of sqlite, postgresql, mysql, none")
    child.expect(r"database \[sqlite\]: ")
    child.sendline("postgresql")
    child.expect(r"\[y/N\] ")
    child.sendline("maybe")  # strict: not taken for a yes, and no answer spills over
    child.expect("'maybe' is not yes or no")
    child.expect(r"\[y/N\] ")
    child.sendline("<")
    child.expect(r"database \[postgresql\]: ")  # the answer given, as the default
    child.sendline("mysql")
    child.expect(r"\[y/N\] ")
    child.sendline("n")
    child.expect("It needs mysql to run and to test")
    child.expect(r"Create the project\? ")
    child.sendline("<")  # back from the summary to the last question
    child.expect(r"\[y/N\] ")
    child.sendline("")
    child.expect(r"Create the project\? ")
    child.sendline("y")
    finish(child)

    assert child.exitstatus == 0
    answers = answers_of(tmp_path / "shop")
    assert (answers["database"], answers["websocket"]) == ("mysql", False)
    assert "broadcast_backend" not in answers


def test_declining_the_summary_writes_nothing(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--database", "none", "--python", "3.12", "--author", "Ada", *NOT_ASKED)

    child.expect(r"description \[A FastAPI service\.\]: ")
    child.sendline("")
    child.expect(r"\[y/N\] ")
    child.sendline("")
    child.expect("It needs no server")
    child.expect(r"Create the project\? ")
    child.sendline("n")
    finish(child)

    assert child.exitstatus == 1
    assert "cancelled: nothing was written" in (child.before or "")
    assert list(tmp_path.iterdir()) == []


def test_without_name_the_name_is_asked_in_a_terminal(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--yes", name=None)

    index = child.expect(["Project name", "missing NAME"])
    assert index == 1  # --yes never asks

    child = spawn(tmp_path, "--database", "none", "--no-websocket", *NOT_ASKED, name=None)
    child.expect("Project name")
    child.sendline("9lives")
    child.expect("Project name")  # refused, asked again
    child.sendline("pet-shop")
    for prompt in ("description", "author_name", "python_version"):
        child.expect(prompt)
        child.sendline("")
    child.expect(r"Create the project\? ")
    child.sendline("")
    finish(child)

    assert child.exitstatus == 0
    assert answers_of(tmp_path / "pet-shop")["project_name"] == "pet-shop"


def test_questions_answered_by_flags_are_not_asked(tmp_path: Path) -> None:
    child = spawn(
        tmp_path, "--database", "none", "--python", "3.11", "--author", "Ada", "--no-websocket",
        *NOT_ASKED,
    )  # fmt: skip

    child.expect(r"description \[")
    child.sendline("")
    index = child.expect([r"database \[", r"python_version \[", r"\[y/N\]", "Create the project"])
    child.sendline("")
    finish(child)

    assert index == 3
    assert child.exitstatus == 0


def test_ctrl_c_at_a_prompt_exits_130_and_writes_nothing(tmp_path: Path) -> None:
    child = spawn(tmp_path)

    child.expect(r"description \[A FastAPI service\.\]: ")  # waiting at the prompt
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == 130
    assert "interrupted: nothing was written" in (child.before or "")
    assert list(tmp_path.iterdir()) == []


def test_yes_never_prompts_in_a_terminal(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--yes")

    index = child.expect(["description", "Next steps"])
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
