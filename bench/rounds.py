"""Medians of repeated benchmark rounds, and the targets judged on them (bench/run.py).

This host's speed moves twofold within a minute (bench/RESULTS.md), so one wrk run cannot
settle a target like ">= 40% of /healthz". bench/run.py measures every workload in N rounds
interleaved with the other workloads, each divided by its own /healthz run, and judges the
medians; the spread (min-max of the rounds' ratios) shows how far one round could mislead.
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Round:
    """One wrk run of a workload, with the /healthz run made right before it (base_rps)."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    base_rps: float | None = None
    load: float = 0.0

    @property
    def ratio(self) -> float | None:
        return self.rps / self.base_rps if self.base_rps else None


@dataclass(frozen=True)
class Summary:
    rounds: int
    rps: float  # medians of the rounds
    p50_ms: float
    p99_ms: float
    errors: int  # every round's, added: "0 errors" must hold in every round
    base_rps: float | None
    ratio: float | None  # the median of the rounds' own ratios, not median rps / median base
    ratio_min: float | None
    ratio_max: float | None
    load_min: float
    load_max: float


def summarize(rounds: Sequence[Round]) -> Summary:
    if not rounds:
        raise ValueError("no rounds to summarize")
    ratios = [r.ratio for r in rounds if r.ratio is not None]
    bases = [r.base_rps for r in rounds if r.base_rps]
    loads = [r.load for r in rounds]
    return Summary(
        rounds=len(rounds),
        rps=statistics.median(r.rps for r in rounds),
        p50_ms=statistics.median(r.p50_ms for r in rounds),
        p99_ms=statistics.median(r.p99_ms for r in rounds),
        errors=sum(r.errors for r in rounds),
        base_rps=statistics.median(bases) if bases else None,
        ratio=statistics.median(ratios) if ratios else None,
        ratio_min=min(ratios) if ratios else None,
        ratio_max=max(ratios) if ratios else None,
        load_min=min(loads), load_max=max(loads))


@dataclass(frozen=True)
class Target:
    """A row's target, judged on the medians (ratio, rate, p99) and on every round's errors."""

    text: str
    min_ratio: float | None = None
    min_rps: float | None = None
    max_p99_ms: float | None = None  # exclusive: "p99 < 150 ms"
    no_errors: bool = True

    def met(self, summary: Summary, ratio: float | None = None) -> bool:
        """`ratio`: a median ratio other than the row's own, for a row judged against
        another base (/healthz is judged as a share of the bare Flask hello)."""
        ratio = summary.ratio if ratio is None else ratio
        if self.min_ratio is not None and (ratio is None or ratio < self.min_ratio):
            return False
        if self.min_rps is not None and summary.rps < self.min_rps:
            return False
        if self.max_p99_ms is not None and summary.p99_ms >= self.max_p99_ms:
            return False
        return not (self.no_errors and summary.errors)


def percent_spread(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f"{low:.0%}–{high:.0%}"


def check_verdict(outcomes: Sequence[tuple[int | None, bool, str]]) -> tuple[bool, str, str]:
    """A consistency check made once per round: met only if it held in every round.

    Returns (met, the "met" cell, the detail cell naming each round)."""
    ok = all(held for _, held, _ in outcomes)
    numbered = [number for number, _, _ in outcomes if number is not None]
    if not numbered:  # a check made once (the export, the outbox)
        return ok, "yes" if ok else "**no**", "; ".join(d for _, _, d in outcomes)
    failed = [str(number) for number, held, _ in outcomes if not held]
    cell = (f"yes, {len(outcomes)} of {len(outcomes)} rounds" if ok else
            f"**no** in round{'s' if len(failed) > 1 else ''} {', '.join(failed)} "
            f"of {len(outcomes)}")
    detail = "; ".join(f"round {number}{'' if held else ' (**failed**)'}: {text}"
                       for number, held, text in outcomes)
    return ok, cell, detail
