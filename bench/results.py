"""What a benchmark run found: one row per measured item, checked against the targets of the issue, written as
Markdown and JSON to bench/results/<UTC time>-scale<scale>.{md,json} and copied to latest.{md,json}."""

import json
import math
import shutil
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"

# The targets of the issue.
PAGE_P95_MS = 50.0
LOOKUP_P95_MS = 20.0
PAGE_MAX_QUERIES = 12
SWEEP_MAX_S = 10.0
FIGURES_MAX_S = 1.0
PDF_MAX_S = 15.0
LOAD_MIN_RPS = 150.0
LOAD_P95_MS = 100.0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Target:
    """A limit on one row; a None part is not checked."""

    p95_ms: float | None = None
    max_ms: float | None = None
    max_queries: int | None = None
    min_rps: float | None = None

    def describe(self) -> str:
        parts = []
        if self.min_rps is not None:
            parts.append(f"≥ {self.min_rps:g} req/s")
        if self.p95_ms is not None:
            parts.append(f"p95 < {_duration(self.p95_ms)}")
        if self.max_ms is not None:
            parts.append(f"< {_duration(self.max_ms)}")
        if self.max_queries is not None:
            parts.append(f"≤ {self.max_queries} queries")
        return ", ".join(parts) or "—"


def _duration(ms: float) -> str:
    return f"{ms / 1000:g} s" if ms >= 1000 else f"{ms:g} ms"


@dataclass
class Row:
    key: str
    item: str
    requests: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    max_ms: float | None = None
    queries_min: int | None = None
    queries_max: int | None = None
    rps: float | None = None
    target: Target | None = None
    passed: bool | None = None  # None: no target, or not measured
    note: str = ""
    details: dict = field(default_factory=dict)

    @classmethod
    def measured(
        cls,
        key: str,
        item: str,
        *,
        seconds: list[float],
        queries: list[int] | None = None,
        target: Target | None = None,
        note: str = "",
        details: dict | None = None,
    ) -> "Row":
        ms = [s * 1000.0 for s in seconds]
        row = cls(
            key=key,
            item=item,
            requests=len(ms),
            p50_ms=statistics.median(ms) if ms else None,
            p95_ms=percentile(ms, 95) if ms else None,
            max_ms=max(ms) if ms else None,
            queries_min=min(queries) if queries else None,
            queries_max=max(queries) if queries else None,
            target=target,
            note=note,
            details=details or {},
        )
        row.check()
        return row

    @classmethod
    def skipped(cls, key: str, item: str, why: str, target: Target | None = None) -> "Row":
        return cls(key=key, item=item, target=target, note=f"skipped: {why}")

    def check(self) -> None:
        target = self.target
        if target is None or not self.requests:
            self.passed = None
            return
        checks = []
        if target.p95_ms is not None:
            checks.append(self.p95_ms is not None and self.p95_ms < target.p95_ms)
        if target.max_ms is not None:
            checks.append(self.max_ms is not None and self.max_ms < target.max_ms)
        if target.max_queries is not None:
            checks.append(self.queries_max is not None and self.queries_max <= target.max_queries)
        if target.min_rps is not None:
            checks.append(self.rps is not None and self.rps >= target.min_rps)
        self.passed = all(checks) if checks else None

    def fail(self, why: str) -> None:
        """The item did not do what it should (an error page, a refused write): it fails whatever its speed."""
        self.passed = False
        self.note = f"{self.note}; {why}" if self.note else why


def page_target(*, lookup: bool = False) -> Target:
    return Target(p95_ms=LOOKUP_P95_MS if lookup else PAGE_P95_MS, max_queries=PAGE_MAX_QUERIES)


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _queries(row: Row) -> str:
    if row.queries_min is None:
        return "—"
    if row.queries_min == row.queries_max:
        return str(row.queries_min)
    return f"{row.queries_min}–{row.queries_max}"


def _verdict(row: Row) -> str:
    return {True: "pass", False: "**FAIL**", None: "—"}[row.passed]


def _requests(row: Row) -> str:
    if not row.requests:
        return "—"
    if row.rps is not None:
        return f"{row.requests} ({row.rps:.0f}/s)"
    return str(row.requests)


def render_markdown(meta: dict, rows: list[Row], sections: list[tuple[str, str]]) -> str:
    lines = [f"# Benchmark {meta['started_at']} — scale {meta['scale']}", ""]
    lines += [
        f"- machine: {meta['cpu_count']} cores ({meta['platform']}), Python {meta['python']}",
        f"- commit: `{meta['commit']}`{' (working tree dirty)' if meta['dirty'] else ''}",
        f"- database: PostgreSQL {meta['postgresql']}, `{meta['database']}`",
        f"- scale: {meta['scale']} ({meta['scale_source']})",
        f"- settings: DEBUG {'on' if meta['debug'] else 'off'}, {meta['settings']}",
        f"- benchmark dealer: {meta['dealer']}; users: {', '.join(f'{k} `{v}`' for k, v in meta['users'].items())}",
        f"- in-process requests: {meta['requests']} measured per item after {meta['warmup']} warm-up",
        f"- duration: {meta['duration_s']:.0f} s; load average before {meta['load_average_before']}, after "
        f"{meta['load_average_after']} (on {meta['cpu_count']} cores: other work skews the figures)",
        "",
        "| rows (estimate) | |",
        "|---|---:|",
        *(f"| {name} | {count:,} |" for name, count in meta["row_counts"].items()),
        "",
        "| item | requests | p50 ms | p95 ms | max ms | queries | target | pass/fail |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        target = row.target.describe() if row.target else "—"
        lines.append(
            f"| {row.item} | {_requests(row)} | {_ms(row.p50_ms)} | {_ms(row.p95_ms)} | {_ms(row.max_ms)} "
            f"| {_queries(row)} | {target} | {_verdict(row)} |"
        )
    notes = [row for row in rows if row.note]
    if notes:
        lines += ["", "Notes:", ""]
        lines += [f"- {row.item}: {row.note}" for row in notes]
    for title, text in sections:
        lines += ["", f"## {title}", "", text.rstrip()]
    return "\n".join(lines) + "\n"


def _json_row(row: Row) -> dict:
    data = asdict(row)
    data["target"] = row.target.describe() if row.target else None
    return data


def write(meta: dict, rows: list[Row], sections: list[tuple[str, str]], extra: dict) -> tuple[Path, Path]:
    """Write the run's Markdown and JSON and copy them to latest.{md,json}; returns the two paths."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"{meta['stamp']}-scale{meta['scale']}"
    md_path = RESULTS_DIR / f"{stem}.md"
    json_path = RESULTS_DIR / f"{stem}.json"
    md_path.write_text(render_markdown(meta, rows, sections), encoding="utf-8")
    payload = {"meta": meta, "rows": [_json_row(row) for row in rows], **extra}
    json_path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    shutil.copyfile(md_path, RESULTS_DIR / "latest.md")
    shutil.copyfile(json_path, RESULTS_DIR / "latest.json")
    return md_path, json_path
