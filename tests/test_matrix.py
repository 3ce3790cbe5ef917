"""The combinations `fastgen verify` checks: all, pairwise (covering every allowed pair),
presets; `when` conditions honoured and pinned answers kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastgen import _matrix
from fastgen.errors import InvalidAnswerError
from fastgen.template import Question, load_questions, load_template

QUESTIONS = load_questions()
TEMPLATE = load_template()


def covered(
    combinations: list[_matrix.Combination], questions: dict[str, Question]
) -> set[_matrix.Pair]:
    return set().union(*(_matrix.pairs_of(combination, questions) for combination in combinations))


def asks_exactly_what_is_asked(answers: dict[str, object], questions: dict[str, Question]) -> bool:
    return all(
        (name in answers) == bool(answers.get(question.asked_if, False))
        for name, question in questions.items()
        if question.asked_if and (question.kind == "bool" or question.choices)
    )


def test_all_is_every_allowed_combination_of_the_bundled_template() -> None:
    combinations = _matrix.combinations(TEMPLATE, QUESTIONS, matrix="all", pinned={})

    # auth 2 x python 3 x (database 4 x (no WebSocket, or WebSocket with one of 2
    # backends) x jobs 2 x metrics 2 x tracing 2 on no platform, + on Kubernetes the 2
    # database servers x (no WebSocket or Redis) x 8, + on Lambda, or on both, the 2
    # database servers without WebSocket or metrics x jobs 2 x tracing 2).
    assert len(combinations) == 2 * 3 * (4 * 3 * 8 + 2 * 2 * 8 + 2 * 4 + 2 * 4)
    assert len({combination.name for combination in combinations}) == len(combinations)
    assert all(asks_exactly_what_is_asked(c.answers, QUESTIONS) for c in combinations)


def test_pairwise_covers_every_allowed_pair_in_fewer_combinations() -> None:
    combinations = _matrix.combinations(TEMPLATE, QUESTIONS, matrix="pairwise", pinned={})

    assert _matrix.allowed_pairs(QUESTIONS, {}) <= covered(combinations, QUESTIONS)
    # python x database is 12, the least any array can be; the combinations the
    # validators refuse cost three more.
    assert len(combinations) == 15
    assert all(asks_exactly_what_is_asked(c.answers, QUESTIONS) for c in combinations)


def test_a_pinned_answer_is_in_every_combination() -> None:
    combinations = _matrix.combinations(
        TEMPLATE,
        QUESTIONS,
        matrix="all",
        pinned={
            "database": "mysql",
            "auth": "none",
            "python_version": "3.12",
            "jobs": "redis",
            "metrics": True,
            "tracing": False,
            "kubernetes": False,
            "serverless": "none",
        },
    )

    assert [c.name for c in combinations] == [
        "websocket=false",
        "websocket=true broadcast_backend=memory",
        "websocket=true broadcast_backend=redis",
    ]
    assert all(c.answers["database"] == "mysql" for c in combinations)
    assert all(c.answers["metrics"] and not c.answers["tracing"] for c in combinations)


def test_a_pinned_conditional_answer_keeps_only_the_combinations_that_ask_it() -> None:
    pinned = {"broadcast_backend": "redis", "python_version": "3.12", "kubernetes": False}

    combinations = _matrix.combinations(
        TEMPLATE, QUESTIONS, matrix="all", pinned=pinned | {"serverless": "none"}
    )

    assert {c.answers["websocket"] for c in combinations} == {True}
    assert len(combinations) == 4 * 2 * 2 * 2 * 2  # database x auth x jobs x metrics x tracing


def test_a_combination_a_validator_refuses_is_left_out() -> None:
    pinned = {"database": "sqlite", "python_version": "3.12"}

    combinations = _matrix.combinations(TEMPLATE, QUESTIONS, matrix="all", pinned=pinned)

    assert {c.answers["kubernetes"] for c in combinations} == {False}
    assert {c.answers["serverless"] for c in combinations} == {"none"}
    # WebSocket 3 ways x auth x jobs x metrics x tracing
    assert len(combinations) == 3 * 2 * 2 * 2 * 2


def test_presets_are_the_templates_presets_with_the_pins() -> None:
    combinations = _matrix.combinations(
        TEMPLATE, QUESTIONS, matrix="presets", pinned={"python_version": "3.13"}
    )

    assert [c.name for c in combinations] == [f"preset {name}" for name in TEMPLATE.presets]
    assert all(c.answers["python_version"] == "3.13" for c in combinations)


def test_an_unknown_matrix_is_refused() -> None:
    with pytest.raises(InvalidAnswerError, match="'some' is not one of all, pairwise, presets"):
        _matrix.combinations(TEMPLATE, QUESTIONS, matrix="some", pinned={})


@st.composite
def question_sets(draw: st.DrawFn) -> dict[str, Question]:
    """Yes/no questions and choices, some asked only when an earlier yes/no is yes."""
    questions: dict[str, Question] = {}
    for number in range(draw(st.integers(2, 6))):
        name = f"q{number}"
        yes_nos = [q.name for q in questions.values() if q.kind == "bool"]
        asked_if = draw(st.sampled_from([None, *yes_nos]))
        if draw(st.booleans()):
            questions[name] = Question(name, (), kind="bool", asked_if=asked_if)
        else:
            count = draw(st.integers(1, 4))
            choices = tuple(f"{name}c{index}" for index in range(count))
            questions[name] = Question(name, choices, asked_if=asked_if)
    return questions


@settings(max_examples=60, deadline=None)
@given(questions=question_sets())
def test_any_pairwise_array_covers_every_allowed_pair(questions: dict[str, Question]) -> None:
    combinations = _matrix.combinations(TEMPLATE, questions, matrix="pairwise", pinned={})
    every = _matrix.combinations(TEMPLATE, questions, matrix="all", pinned={})

    assert _matrix.allowed_pairs(questions, {}) <= covered(combinations, questions)
    assert len(combinations) <= len(every)
    assert all(asks_exactly_what_is_asked(c.answers, questions) for c in combinations)
