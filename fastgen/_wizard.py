"""The questions of a template, asked in a terminal, one per line.

Driven by the template's copier.yml: each question shows its help, its choices with
their descriptions, and its default in brackets; Enter takes the default, anything typed
replaces it. `<` goes back to the previous question. Then a summary of the answers and
what they imply (the servers the project needs), and a confirmation. Prompts go to
stderr, so that stdout stays for results (`--json`); Ctrl-C and Ctrl-D write nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, TextIO

from fastgen.errors import FastgenError, InvalidAnswerError, InvalidNameError
from fastgen.template import Question, Template

BACK = "<"


class CancelledError(FastgenError):
    """The user declined the summary."""


class Terminal:
    """Reads answers from `stdin`, writes prompts to `stderr`."""

    def __init__(self, stdin: TextIO = sys.stdin, stderr: TextIO = sys.stderr) -> None:
        self.stdin, self.stderr = stdin, stderr

    def say(self, text: str = "") -> None:
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def ask(self, prompt: str) -> str:
        self.stderr.write(prompt)
        self.stderr.flush()
        line = self.stdin.readline()
        if not line:  # Ctrl-D: the user left
            raise KeyboardInterrupt
        return line.rstrip("\r\n")


def ask_name(terminal: Terminal) -> str:
    """The project name, asked until it is one fastgen accepts."""
    from fastgen.names import parse_project_name

    while True:
        reply = terminal.ask("Project name (e.g. shop, my-api): ").strip()
        try:
            return parse_project_name(reply).name
        except InvalidNameError as error:
            terminal.say(f"  ! {error}")


def ask(
    template: Template,
    questions: Mapping[str, Question],
    given: Mapping[str, Any],
    terminal: Terminal,
) -> dict[str, Any]:
    """The answers to the questions `given` leaves open, asked in order, then confirmed."""
    answers = dict(given)
    open_questions = [q for q in questions.values() if q.name not in given]
    asked: list[int] = []  # the indexes of the questions asked, to go back through
    index = 0
    while True:
        _ask_from(index, open_questions, answers, asked, terminal)
        _summarize(template, questions, answers, terminal)
        reply = terminal.ask("Create the project? [Y/n, < to go back] ").strip().lower()
        if reply in ("", "y", "yes"):
            return answers
        if reply in ("n", "no"):
            raise CancelledError("cancelled: nothing was written")
        # `<`: the last question again, its answer as the default; else the summary again.
        index = asked.pop() if reply == BACK and asked else len(open_questions)


def _ask_from(
    index: int,
    open_questions: list[Question],
    answers: dict[str, Any],
    asked: list[int],
    terminal: Terminal,
) -> None:
    """Ask the questions from `index` on; `<` goes back through `asked`."""
    while index < len(open_questions):
        question = open_questions[index]
        condition = question.asked_if
        if condition and not answers.get(condition):
            answers.pop(question.name, None)  # not asked: a stale answer must not stay
            index += 1
            continue
        reply = terminal.ask(_prompt(question, answers))
        if reply.strip() == BACK:
            if asked:
                index = asked.pop()
            continue
        try:
            answers[question.name] = _answer(question, reply, answers)
        except InvalidAnswerError as error:
            terminal.say(f"  ! {error.message}")
            continue
        asked.append(index)
        index += 1


def _prompt(question: Question, answers: Mapping[str, Any]) -> str:
    default = answers.get(question.name, _default(question, answers))
    lines = [question.help]
    lines += [f"  {number}) {label}" for number, label in enumerate(question.labels, 1)]
    if question.kind == "bool":
        shown = "Y/n" if default else "y/N"
        return "\n".join(lines) + f" [{shown}] "
    shown = f" [{_display(default)}]" if default not in (None, "") else ""
    return "\n".join(lines) + f"\n{question.name}{shown}: "


def _answer(question: Question, reply: str, answers: Mapping[str, Any]) -> Any:
    text = reply.strip()
    if not text:
        default = answers.get(question.name, _default(question, answers))
        if default is None:
            raise InvalidAnswerError(f"{question.name} has no default: type an answer")
        return question.check(default)
    if question.choices and text.isdigit() and 1 <= int(text) <= len(question.choices):
        return question.choices[int(text) - 1]
    if question.kind == "bool":  # the prompt offers y/n
        text = {"y": "yes", "n": "no"}.get(text.lower(), text)
    value = question.check(text)
    _validate(question, value, answers)
    return value


def _default(question: Question, answers: Mapping[str, Any]) -> Any:
    """The default, rendered where it is a Jinja expression of earlier answers."""
    import jinja2

    from fastgen import _jinja

    default = question.default
    if isinstance(default, str) and "{{" in default:
        try:
            name = f"default of {question.name} in copier.yml"
            return _jinja.render_string(default, answers, name=name)
        except jinja2.TemplateError:  # Copier renders it, and says what is wrong
            return None
    return default


def _validate(question: Question, value: Any, answers: Mapping[str, Any]) -> None:
    """Run the question's copier.yml validator, where fastgen can evaluate it."""
    message = question.refusal({**answers, question.name: value})
    if message:
        raise InvalidAnswerError(message)


def _summarize(
    template: Template,
    questions: Mapping[str, Question],
    answers: Mapping[str, Any],
    terminal: Terminal,
) -> None:
    terminal.say("\nThe project:")
    width = max(map(len, questions))
    for name in questions:
        if name in answers:
            terminal.say(f"  {name.ljust(width)}  {_display(answers[name])}")
    needed = [server.name for server in template.servers if server.needed_by(dict(answers))]
    if needed:
        terminal.say(
            f"It needs {', '.join(needed)} to run and to test (`docker compose up -d` starts them)."
        )
    else:
        terminal.say("It needs no server: it runs and tests on its own.")


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
