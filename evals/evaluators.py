"""Scoring helpers shared by the eval suites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Tally:
    """Counts per group (usually language) for one metric."""

    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, group: str, hit: bool) -> None:
        self.totals[group] += 1
        self.hits[group] += int(hit)

    def rate(self, group: str | None = None) -> float:
        if group is None:
            total = sum(self.totals.values())
            return sum(self.hits.values()) / total if total else 0.0
        return self.hits[group] / self.totals[group] if self.totals[group] else 0.0

    @property
    def groups(self) -> list[str]:
        return sorted(self.totals)


def spans_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def reciprocal_rank(ranked: Iterable[str], expected: set[str]) -> float:
    for i, item in enumerate(ranked, start=1):
        if item in expected:
            return 1.0 / i
    return 0.0


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]

    def line(r: list[str]) -> str:
        return "| " + " | ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=False)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep, *[line(r) for r in rows]])
