"""Splitting a verify matrix across CI runners: stable ids, expected costs, shards.

Each combination has an id made from its answers, so it stays the same while the
template's questions and the pinned answers do not change. A shard `K/N` is the K-th of
N disjoint parts whose union is the whole matrix, balanced by expected cost (the
costliest combination first, onto the lightest part), and the same on every runner.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastgen._matrix import Combination
from fastgen.errors import InvalidAnswerError

UPGRADE_COST = 2.0  # an upgraded combination renders twice and merges: twice a fresh one
SERVER_COST = 0.5  # each server a combination's checks need adds half a fresh one
MAX_SHARDS = 1000
_SHARD = re.compile(r"([1-9][0-9]*)/([1-9][0-9]*)", re.ASCII)


@dataclass(frozen=True)
class Planned:
    """A combination as verify plans it: its id, the servers it needs, its cost."""

    id: str
    combination: Combination
    servers: tuple[str, ...]
    cost: float


def combination_id(combination: Combination) -> str:
    """A short id of `combination`'s name and answers, the same on every machine and run
    (two presets with the same answers have different names, so different ids)."""
    named = {"name": combination.name, "answers": combination.answers}
    canonical = json.dumps(named, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:10]


def planned(combination: Combination, servers: Sequence[str], *, upgrade: bool) -> Planned:
    fresh = 1 + SERVER_COST * len(servers)
    cost = fresh * (1 + UPGRADE_COST) if upgrade else fresh
    return Planned(combination_id(combination), combination, tuple(servers), cost)


def split(items: Sequence[Planned], count: int) -> list[list[Planned]]:
    """`count` disjoint parts of `items`, balanced by cost, each in the matrix's order."""
    loads = [0.0] * count
    parts: list[list[Planned]] = [[] for _ in range(count)]
    for item in sorted(items, key=lambda item: (-item.cost, item.id)):
        lightest = min(range(count), key=lambda index: (loads[index], index))
        parts[lightest].append(item)
        loads[lightest] += item.cost
    order = {item.id: index for index, item in enumerate(items)}
    return [sorted(part, key=lambda item: order[item.id]) for part in parts]


@dataclass(frozen=True)
class Selection:
    """Which part of the matrix one run checks: a shard `K/N`, given ids, or all."""

    shard: tuple[int, int] | None = None
    only: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.shard and self.only:
            raise InvalidAnswerError("give --shard or --only, not both")

    def pick(self, items: Sequence[Planned]) -> list[Planned]:
        if self.shard:
            number, count = self.shard
            return split(items, count)[number - 1]
        if self.only:
            known = {item.id for item in items}
            unknown = [id_ for id_ in self.only if id_ not in known]
            if unknown:
                raise InvalidAnswerError(
                    f"--only: no combination {', '.join(map(repr, unknown))} in this matrix",
                    hint="`fastgen verify --list` shows the ids, for the same --matrix and --data",
                )
            return [item for item in items if item.id in self.only]
        return list(items)

    def as_json(self) -> dict[str, Any]:
        if self.shard:
            return {"shard": f"{self.shard[0]}/{self.shard[1]}"}
        return {"only": list(self.only)} if self.only else {}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Selection:
        shard = data.get("shard")
        return cls(parse_shard(shard) if shard else None, tuple(data.get("only", ())))


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` as (K, N), 1 <= K <= N, or an InvalidAnswerError."""
    match = _SHARD.fullmatch(text.strip())
    if not match or int(match.group(1)) > int(match.group(2)):
        raise InvalidAnswerError(
            f"--shard: {text!r} is not K/N with 1 <= K <= N", hint="e.g. --shard 2/3"
        )
    if int(match.group(2)) > MAX_SHARDS:
        raise InvalidAnswerError(f"--shard: at most {MAX_SHARDS} shards, not {match.group(2)}")
    return int(match.group(1)), int(match.group(2))
