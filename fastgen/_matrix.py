"""The combinations of a template's answers that `fastgen verify` renders and checks.

The varied questions are those with a closed set of answers (choices, yes/no) that the
user did not pin. A question asked only when a yes/no question is yes (`when:`) has no
answer when that one is no: such a combination leaves it out, and no pair puts one of its
answers beside the no. A pinned answer to such a question keeps only the combinations
that ask it. A combination a question's validator refuses is left out.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastgen.errors import InvalidAnswerError
from fastgen.template import Question, Template

MATRICES = ("all", "pairwise", "presets")
_ABSENT = "<not asked>"  # the value of a question its condition skips

Pair = frozenset[tuple[str, Any]]


@dataclass(frozen=True)
class Combination:
    answers: dict[str, Any]  # the varied and the pinned answers
    name: str  # the varied answers, e.g. `database=mysql websocket=true`


def combinations(
    template: Template,
    questions: Mapping[str, Question],
    *,
    matrix: str,
    pinned: Mapping[str, Any],
) -> list[Combination]:
    """The combinations of `matrix`: every one, a pairwise covering array, or the presets."""
    if matrix == "presets":
        if not template.presets:
            raise InvalidAnswerError(f"the template {template.name} offers no presets")
        return [
            Combination({**preset.answers, **pinned}, f"preset {preset.name}")
            for preset in template.presets.values()
        ]
    space = _Space(questions, pinned)
    if matrix == "all":
        rows = space.every_row()
    elif matrix == "pairwise":
        rows = space.pairwise_rows()
    else:
        raise InvalidAnswerError(f"--matrix: {matrix!r} is not one of {', '.join(MATRICES)}")
    return [space.combination(row) for row in rows]


def allowed_pairs(questions: Mapping[str, Question], pinned: Mapping[str, Any]) -> set[Pair]:
    """Every pair of varied answers that some allowed combination holds."""
    space = _Space(questions, pinned)
    return set().union(*map(space.pairs, space.every_row()))


def pairs_of(combination: Combination, questions: Mapping[str, Question]) -> set[Pair]:
    """The pairs of answers `combination` holds, a question not asked as `_ABSENT`."""
    named = [
        (name, combination.answers.get(name, _ABSENT))
        for name, question in questions.items()
        if _closed(question)
    ]
    return {frozenset(pair) for pair in itertools.combinations(named, 2)}


class _Space:
    """The varied questions, their values, and which rows of values are allowed."""

    def __init__(self, questions: Mapping[str, Question], pinned: Mapping[str, Any]) -> None:
        self.questions = questions
        self.pinned = dict(pinned)
        self.varied = [q for q in questions.values() if q.name not in pinned and _closed(q)]
        self.names = [q.name for q in self.varied]
        self.values = [_values(q) for q in self.varied]

    def every_row(self) -> list[tuple[Any, ...]]:
        rows = (row for row in itertools.product(*self.values) if self.allowed(row))
        return [row for row in rows if not self.refused(row)]

    def pairwise_rows(self) -> list[tuple[Any, ...]]:
        """A covering array, built greedily (as AETG does) from the allowed rows: each
        next row is the one that covers most of the pairs still uncovered.

        allpairspy was tried first: with a filter for the `when` conditions it left
        allowed pairs uncovered (7 of 50 for fastgen's own template)."""
        every = self.every_row()
        missing = set().union(*map(self.pairs, every))
        rows = []
        while missing:
            best = max(every, key=lambda row: len(self.pairs(row) & missing))
            rows.append(best)
            missing -= self.pairs(best)
        return rows or every

    def pairs(self, row: tuple[Any, ...]) -> set[Pair]:
        named = list(zip(self.names, row, strict=True))
        return {frozenset(pair) for pair in itertools.combinations(named, 2)}

    def allowed(self, row: Sequence[Any]) -> bool:
        """Whether the row, or the start of one, answers exactly the questions asked."""
        answers = {**self.pinned, **dict(zip(self.names, row, strict=False))}
        for name, value in answers.items():
            condition = self.questions[name].asked_if if name in self.questions else None
            if condition is None or condition not in answers:
                continue
            asked = answers[condition] not in (False, _ABSENT)  # a question not asked is no
            if asked == (value == _ABSENT):
                return False
        return True

    def refused(self, row: tuple[Any, ...]) -> bool:
        """Whether a question's validator refuses the row's answers (e.g. two modules
        that cannot go together)."""
        answers = self.combination(row).answers
        return any(question.refusal(answers) for question in self.questions.values())

    def combination(self, row: tuple[Any, ...]) -> Combination:
        pairs = zip(self.names, row, strict=True)
        given = {name: value for name, value in pairs if value != _ABSENT}
        shown = given or self.pinned  # nothing varied: the pinned answers name it
        name = " ".join(f"{key}={_shown(value)}" for key, value in shown.items())
        return Combination({**given, **self.pinned}, name or "the defaults")


def _closed(question: Question) -> bool:
    return question.kind == "bool" or bool(question.choices)


def _values(question: Question) -> list[Any]:
    values: list[Any] = [False, True] if question.kind == "bool" else list(question.choices)
    return [*values, _ABSENT] if question.asked_if else values


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
