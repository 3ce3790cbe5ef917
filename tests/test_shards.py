"""A verify matrix split across CI runners: stable ids, disjoint shards whose union is
the matrix, balanced by cost; `--list`; and `verify merge` of the parts' reports."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastgen import _envs, _matrix, _shards, _verify, _verify_report
from fastgen._shards import Planned, Selection
from fastgen.errors import InvalidAnswerError
from fastgen.template import BUNDLED_TEMPLATE, load_template
from tests.conftest import Invoke
from tests.test_matrix import question_sets


def planned_items(draw_costs: list[float]) -> list[Planned]:
    return [
        Planned(
            _shards.combination_id(_matrix.Combination({"n": index}, f"n={index}")),
            _matrix.Combination({"n": index}, f"n={index}"),
            (),
            cost,
        )
        for index, cost in enumerate(draw_costs)
    ]


@st.composite
def matrices(draw: st.DrawFn) -> list[Planned]:
    """The combinations of a random template's matrix, as verify plans them."""
    questions = draw(question_sets())
    matrix = draw(st.sampled_from(["all", "pairwise"]))
    upgrade = draw(st.booleans())
    servers = st.lists(st.sampled_from(["postgresql", "redis"]), unique=True)
    return [
        _shards.planned(combination, draw(servers), upgrade=upgrade)
        for combination in _matrix.combinations(
            load_template(), questions, matrix=matrix, pinned={}
        )
    ]


@settings(max_examples=200, deadline=None)
@given(items=matrices(), count=st.integers(1, 8))
def test_shards_are_disjoint_and_their_union_is_the_matrix(
    items: list[Planned], count: int
) -> None:
    parts = [Selection(shard=(number, count)).pick(items) for number in range(1, count + 1)]

    ids = [item.id for part in parts for item in part]
    assert sorted(ids) == sorted(item.id for item in items)  # each once: disjoint, complete
    assert len(set(ids)) == len(ids)
    for part in parts:  # each part keeps the matrix's order
        assert part == [item for item in items if item in part]
    assert parts == [Selection(shard=(n, count)).pick(list(items)) for n in range(1, count + 1)]


@settings(max_examples=200, deadline=None)
@given(costs=st.lists(st.sampled_from([1.0, 1.5, 2.0, 3.0, 4.5, 6.0]), max_size=40),
       count=st.integers(1, 6))  # fmt: skip
def test_shards_are_balanced_by_cost(costs: list[float], count: int) -> None:
    loads = [sum(item.cost for item in part) for part in _shards.split(planned_items(costs), count)]

    # Longest first onto the lightest part: no part exceeds another by more than one item.
    assert max(loads) - min(loads) <= max(costs, default=0)


@settings(max_examples=100, deadline=None)
@given(items=matrices())
def test_only_every_id_is_the_whole_matrix(items: list[Planned]) -> None:
    assert Selection(only=tuple(item.id for item in items)).pick(items) == items
    assert Selection().pick(items) == items


def test_ids_are_stable_and_tell_combinations_apart() -> None:
    def id_of(answers: dict[str, object], name: str = "c") -> str:
        return _shards.combination_id(_matrix.Combination(answers, name))

    assert id_of({"a": 1, "b": True}) == id_of({"b": True, "a": 1})
    assert id_of({"a": 1}) != id_of({"a": 2})
    # Two presets may hold the same answers: a CI matrix must still tell them apart.
    assert id_of({"a": 1}, "preset one") != id_of({"a": 1}, "preset two")
    # The scheme, spelled out: changing it would break the ids CI matrices hold.
    canonical = b'{"answers": {"database": "sqlite", "websocket": true}, "name": "c"}'
    assert (
        id_of({"websocket": True, "database": "sqlite"})
        == (hashlib.sha256(canonical).hexdigest()[:10])
    )


def test_an_upgraded_combination_costs_three_fresh_ones_and_a_server_half_of_one() -> None:
    combination = _matrix.Combination({}, "the defaults")

    assert _shards.planned(combination, [], upgrade=False).cost == 1.0
    assert _shards.planned(combination, [], upgrade=True).cost == 3.0
    assert _shards.planned(combination, ["pg", "redis"], upgrade=False).cost == 2.0


class TestBadSelections:
    @pytest.mark.parametrize("text", ["0/3", "4/3", "1", "a/b", "1/0", "-1/2", "1/1\u0660"])
    def test_a_shard_is_k_of_n(self, text: str) -> None:
        with pytest.raises(InvalidAnswerError, match=r"is not K/N with 1 <= K <= N"):
            _shards.parse_shard(text)

    def test_shards_are_at_most_a_thousand(self) -> None:
        with pytest.raises(InvalidAnswerError, match="at most 1000 shards, not 100000000"):
            _shards.parse_shard("1/100000000")

    def test_shard_and_only_together(self) -> None:
        with pytest.raises(InvalidAnswerError, match="--shard or --only, not both"):
            Selection(shard=(1, 2), only=("x",))

    def test_an_unknown_id_names_it(self) -> None:
        with pytest.raises(InvalidAnswerError, match="no combination 'nope' in this matrix"):
            Selection(only=("nope",)).pick(planned_items([1.0]))


class TestList:
    def test_the_json_feeds_a_ci_matrix(self, invoke: Invoke) -> None:
        result = invoke("verify", "--list", "--json", "-", "--data", "python_version=3.12")

        assert result.exit_code == 0, result.stderr
        listed = json.loads(result.stdout)
        plan = _verify.plan(_verify.VerifyRequest(pinned={"python_version": "3.12"}))
        assert [entry["id"] for entry in listed["include"]] == [i.id for i in plan.combinations]
        assert listed["upgrade_from"] == plan.previous.version if plan.previous else None
        entry = listed["include"][0]
        assert set(entry) == {"id", "name", "answers", "servers", "cost"}

    def test_a_shard_lists_its_part(self, invoke: Invoke) -> None:
        whole = json.loads(invoke("verify", "--list", "--json", "-").stdout)["include"]
        parts = [
            json.loads(invoke("verify", "--list", "--shard", f"{k}/3", "--json", "-").stdout)
            for k in (1, 2, 3)
        ]

        assert sorted(e["id"] for p in parts for e in p["include"]) == sorted(
            e["id"] for e in whole
        )

    def test_the_table_renders_nothing(self, invoke: Invoke, tmp_path: Path) -> None:
        result = invoke("verify", "--list", "--matrix", "presets")

        assert result.exit_code == 0, result.stderr
        assert "preset postgres-realtime" in result.stdout
        assert "postgresql, redis" in result.stdout


def report(
    tmp_path: Path,
    name: str,
    ids: list[str],
    mine: list[str],
    *,
    selection: Selection,
    failed: tuple[str, ...] = (),
    version: str = "1.0.0",
) -> Path:
    """The JSON report of one part of a verify run over `ids`, having checked `mine`."""
    cases = tuple(
        _verify.CaseResult(
            id_,
            f"c={id_}{suffix}",
            {"c": id_},
            (_verify.CheckResult("pytest", "failed" if id_ in failed else "passed", 1.0),),
        )
        for id_ in mine
        for suffix in ("", " (from 0.9.0)")
    )
    verified = _verify.Verified(
        template="team",
        version=version,
        matrix="all",
        cases=cases,
        seconds=2.0 * len(mine),
        check_names=("generate", "pytest"),
        ids=tuple(ids),
        pinned={"python_version": "3.12"},
        upgrade=True,
        selection=selection,
    )
    path = tmp_path / name
    _verify_report.write_json(verified, path)
    return path


IDS = ["a", "b", "c", "d", "e"]


def shard_reports(tmp_path: Path, failed: tuple[str, ...] = ()) -> list[Path]:
    items = planned_items([1.0] * len(IDS))
    items = [Planned(id_, item.combination, (), 1.0) for id_, item in zip(IDS, items, strict=True)]
    return [
        report(
            tmp_path, f"shard-{k}.json", IDS, [i.id for i in Selection(shard=(k, 3)).pick(items)],
            selection=Selection(shard=(k, 3)), failed=failed,
        )
        for k in (1, 2, 3)
    ]  # fmt: skip


class TestMerge:
    def test_shards_merge_into_the_whole_run(self, invoke: Invoke, tmp_path: Path) -> None:
        merged_json, junit = tmp_path / "merged.json", tmp_path / "merged.xml"

        result = invoke("verify", "merge", *shard_reports(tmp_path), "--json", merged_json,
                        "--junit", junit)  # fmt: skip

        assert result.exit_code == 0, result.stderr
        merged = json.loads(merged_json.read_text())
        assert [c["id"] for c in merged["combinations"]] == [i for i in IDS for _ in (0, 1)]
        assert merged["passed"] is True
        assert merged["ids"] == IDS
        assert 'tests="10"' in junit.read_text()

    def test_a_failure_in_one_shard_fails_the_merge(self, invoke: Invoke, tmp_path: Path) -> None:
        result = invoke("verify", "merge", *shard_reports(tmp_path, failed=("c",)))

        assert result.exit_code == 1
        assert sorted(line for line in result.stderr.splitlines() if "failed:" in line) == [
            "failed: c=c (from 0.9.0): pytest",
            "failed: c=c: pytest",
        ]

    def test_only_parts_merge_too(self, invoke: Invoke, tmp_path: Path) -> None:
        parts = [
            report(tmp_path, "one.json", IDS, ["a", "b"], selection=Selection(only=("a", "b"))),
            report(tmp_path, "two.json", IDS, ["c", "d", "e"], selection=Selection(only=("c",))),
        ]

        assert invoke("verify", "merge", *parts).exit_code == 0

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda paths: paths[:2], "shard 3/3 is missing"),
            (lambda paths: [*paths, paths[0]], "shard 1/3 is given twice"),
        ],
    )
    def test_a_shard_missing_or_twice(
        self, invoke: Invoke, tmp_path: Path, change: Any, message: str
    ) -> None:
        result = invoke("verify", "merge", *change(shard_reports(tmp_path)))

        assert result.exit_code == 1
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1

    def test_reports_of_another_run(self, invoke: Invoke, tmp_path: Path) -> None:
        paths = shard_reports(tmp_path)
        other = report(tmp_path, "other.json", IDS, ["a"], selection=Selection(shard=(3, 3)),
                       version="1.1.0")  # fmt: skip

        result = invoke("verify", "merge", paths[0], paths[1], other)

        assert result.exit_code == 1
        assert f"{other} is of another verify run than {paths[0]}: its version differs" in (
            result.stderr
        )

    def test_a_combination_in_two_parts_or_in_none(self, invoke: Invoke, tmp_path: Path) -> None:
        one = report(tmp_path, "one.json", IDS, ["a", "b"], selection=Selection(only=("a",)))
        two = report(tmp_path, "two.json", IDS, ["b", "c"], selection=Selection(only=("b",)))

        twice = invoke("verify", "merge", one, two)
        missing = invoke("verify", "merge", one)

        assert f"combination b is in both {one} and {two}" in twice.stderr
        assert "no report has combination c, d, e" in missing.stderr

    @pytest.mark.parametrize(
        "edit",
        [
            lambda report: report["combinations"].pop(),  # a combination taken out
            lambda report: report["combinations"].append(report["combinations"][0]),
            lambda report: report.update(combinations=[]),
        ],
    )
    def test_an_edited_shard_report(self, invoke: Invoke, tmp_path: Path, edit: Any) -> None:
        paths = shard_reports(tmp_path)
        report = json.loads(paths[1].read_text())
        edit(report)
        paths[1].write_text(json.dumps(report))

        result = invoke("verify", "merge", *paths)

        assert result.exit_code == 1
        assert any(
            words in result.stderr
            for words in ("no report has combination", "twice", "results of combination")
        ), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1

    @pytest.mark.parametrize(
        ("key", "value"),
        [("seconds", None), ("selection", []), ("selection", {"shard": 2}), ("ids", "abc")],
    )
    def test_a_report_with_a_wrong_type(
        self, invoke: Invoke, tmp_path: Path, key: str, value: object
    ) -> None:
        paths = shard_reports(tmp_path)
        report = json.loads(paths[0].read_text())
        report[key] = value
        paths[0].write_text(json.dumps(report))

        result = invoke("verify", "merge", *paths)

        assert result.exit_code == 1
        assert f"{paths[0]} is damaged" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1

    @pytest.mark.parametrize(
        "content", ["not json", "[]", '{"template": "x"}', "[" * 100_000 + "]" * 100_000]
    )
    def test_not_a_report(self, invoke: Invoke, tmp_path: Path, content: str) -> None:
        path = tmp_path / "report.json"
        path.write_text(content)

        result = invoke("verify", "merge", path)

        assert result.exit_code == 1
        assert str(path) in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_the_ci_recipe_matches_the_github_workflow_schema() -> None:
    """The workflow a team template's repository runs verify with, shards and merge
    (SchemaStore's schema as check-jsonschema ships it: no network)."""
    workflow = BUNDLED_TEMPLATE / ".github/workflows/verify.yml"
    check = [sys.executable, "-m", "check_jsonschema", "--builtin-schema"]

    result = subprocess.run(
        [*check, "vendor.github-workflows", str(workflow)], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stdout + result.stderr
    text = workflow.read_text()
    assert "fastgen verify --template" in text
    assert "--shard ${{ matrix.shard }}/" in text
    assert "fastgen verify merge" in text
    assert "pip install fastgen" not in text  # PyPI's fastgen is another project
    assert text.count('pip install "$FASTGEN_REQUIREMENT"') == 2  # shards and merge alike


def test_each_project_checks_in_a_temporary_folder_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest sessions side by side in one temporary folder delete each other's numbered
    folders; a generated project, whose warnings are errors, then fails at exit."""
    seen: dict[str, str] = {}

    def run_check(name: str, command: str, folder: Path, venv: Path, extra: dict[str, str]) -> Any:
        seen[folder.name] = extra["TMPDIR"]
        return _verify.CheckResult(name, "passed", 0.0)

    monkeypatch.setattr(_verify, "_run_check", run_check)
    monkeypatch.setattr(_envs, "environment", lambda needed: tmp_path / "venv")
    monkeypatch.setattr(_envs, "requirements", lambda folder: [])
    template = load_template()
    for name in ("01", "01-upgraded"):
        (tmp_path / name).mkdir()
        case = _verify._Case("id", name, {"database": "none"}, tmp_path / name)
        _verify._check(case, template, _verify.VerifyRequest())

    assert seen == {name: str(tmp_path / f"{name}.tmp") for name in ("01", "01-upgraded")}
    assert all(Path(folder).is_dir() for folder in seen.values())
