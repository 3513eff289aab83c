"""The catalog benchmark's figures as the markdown block of docs/benchmarks.md, with the ratios
issue 3 sets as targets and a verdict on each."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bench.report import Section
from bench.wrk import WrkResult

LABELS = {
    "hello": "ASGI hello-world (ceiling)",
    "express-list": "Express 4 (Node), the same page, `res.json` per request",
    "direct-list": "products service, cached list, direct",
    "gateway-list": "Mercato gateway -> products, cached list",
    "direct-detail": "products service, cached product, direct",
    "gateway-detail": "Mercato gateway -> products, cached product",
    "search-direct": "products service, uncached search, direct",
    "search-gateway": "Mercato gateway -> products, uncached search",
}
TABLE_HEAD = (
    "| path | req/s | p50 ms | p99 ms | p99/p50 | server CPU µs/req | errors |\n"
    "|---|---:|---:|---:|---:|---:|---:|"
)
CACHED_ROWS = ("direct-list", "gateway-list", "gateway-detail")
SEARCH_ROWS = ("search-direct", "search-gateway")
GATEWAY_SHARE = 0.15
TAIL_RATIO = 4.0
SEARCH_P99_MS = 50.0


@dataclass
class CatalogRun:
    products: int
    load_seconds: float
    database_size: str
    page_bytes: int
    queries: int
    match_counts: list[int]
    results: Section
    date: str = ""
    command: str = ""
    machine: dict[str, str] = field(default_factory=dict)
    connections: list[int] = field(default_factory=list)
    duration: int = 0
    warmup: int = 0
    rounds: int = 0
    load_average: str = ""


def _row(name: str, result: WrkResult) -> str:
    return (
        f"| {LABELS.get(name, name)} | {result.rps:,.0f} | {result.p50_ms:.2f} | "
        f"{result.p99_ms:.2f} | {result.p99_us / max(result.p50_us, 1):.1f} | "
        f"{result.cpu_us_per_request:,.0f} | {result.errors + result.non_2xx} |"
    )


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


class _Ratios:
    """The ratio table and, beside it, one line per target for the console and the JSON."""

    def __init__(self, results: Section, connections: list[int]) -> None:
        self.results = results
        self.connections = connections
        self.lines = ["| ratio | " + " | ".join(f"c={c}" for c in connections) + " | target |"]
        self.lines.append("|---|" + "---:|" * len(connections) + "---|")
        self.verdicts: list[str] = []

    def has(self, *names: str) -> bool:
        return all(name in self.results for name in names)

    def add(self, label: str, cells: list[str], target: str = "") -> None:
        self.lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    def throughput(self, over: str, base: str, label: str, at_least: float | None) -> None:
        ratios = {
            c: self.results[over][c].rps / self.results[base][c].rps for c in self.connections
        }
        target = "(information)"
        if at_least is not None:
            worst = min(ratios.values())
            target = f">= {at_least:.2f}x at every c: {_verdict(worst >= at_least)}"
            self.verdicts.append(f"{label}: worst {worst:.3f}x (target >= {at_least}x)")
        self.add(label, [f"{ratios[c]:.3f}x" for c in self.connections], target)

    def by_cpu(self, over: str, base: str, label: str) -> None:
        cells = []
        for c in self.connections:
            spent = self.results[over][c].cpu_us_per_request
            cells.append(
                f"{self.results[base][c].cpu_us_per_request / spent:.3f}x" if spent else ""
            )
        self.add(label, cells, "(the same ratio by CPU per request: robust to a busy machine)")

    def tail(self, name: str) -> None:
        by_c = self.results[name]
        cells = [f"{by_c[c].p99_us / max(by_c[c].p50_us, 1):.1f}" for c in self.connections]
        if 64 in by_c:
            tail = by_c[64].p99_us / max(by_c[64].p50_us, 1)
            target = f"<= {TAIL_RATIO:.0f} at c=64: {_verdict(tail <= TAIL_RATIO)}"
            self.verdicts.append(f"p99/p50 at c=64, {name}: {tail:.2f} (target <= {TAIL_RATIO})")
        else:
            target = "(c=64 not measured)"
        self.add(f"p99 / p50, {LABELS[name]}", cells, target)

    def search(self, name: str) -> None:
        by_c = self.results[name]
        first = self.connections[0]
        p99 = by_c[first].p99_ms
        cells = [f"{by_c[c].p99_ms:.1f} ms" for c in self.connections]
        self.add(
            f"p99, {LABELS[name]}",
            cells,
            f"< {SEARCH_P99_MS:.0f} ms at c={first}: {_verdict(p99 < SEARCH_P99_MS)}",
        )
        self.verdicts.append(
            f"search p99 at c={first}, {name}: {p99:.1f} ms (target < {SEARCH_P99_MS:.0f} ms)"
        )


def _ratios(run: CatalogRun) -> _Ratios:
    ratios = _Ratios(run.results, run.connections)
    if ratios.has("gateway-list", "hello"):
        ratios.throughput(
            "gateway-list", "hello", "gateway cached list / hello-world, req/s", GATEWAY_SHARE
        )
        ratios.by_cpu("gateway-list", "hello", "gateway cached list / hello-world, by CPU")
    if ratios.has("direct-list", "express-list"):
        ratios.throughput(
            "direct-list", "express-list", "products cached list / Express, req/s", 1.0
        )
        ratios.by_cpu("direct-list", "express-list", "products cached list / Express, by CPU")
    if ratios.has("direct-list", "hello"):
        ratios.throughput("direct-list", "hello", "products cached list / hello-world", None)
    if ratios.has("gateway-list", "direct-list"):
        ratios.throughput(
            "gateway-list", "direct-list", "gateway cached list / products direct", None
        )
    for name in CACHED_ROWS:
        if ratios.has(name):
            ratios.tail(name)
    for name in SEARCH_ROWS:
        if ratios.has(name):
            ratios.search(name)
    return ratios


def render(run: CatalogRun, start: str, end: str) -> tuple[str, list[str]]:
    """The block between `start` and `end`, and the target lines."""
    machine = run.machine
    counts = sorted(run.match_counts)
    found = (
        f"the queries find {counts[0]:,} to {counts[-1]:,} products (median "
        f"{statistics.median(counts):,.0f}; {sum(1 for c in counts if c == 0)} find none)"
        if counts
        else "no queries"
    )
    lines = [
        start,
        f"Run of {run.date}: {run.duration} s per measurement after a {run.warmup} s warm-up "
        f"at the same concurrency, best of {run.rounds} rounds.",
        "",
        f"- Machine: {machine.get('cpu')}, {machine.get('cores')} cores, "
        f"{machine.get('memory')} RAM, {machine.get('kernel')}",
        f"- Software: Python {machine.get('python')}, {machine.get('libraries')}; "
        f"{machine.get('node')}; {machine.get('wrk')}",
        f"- Command: `{run.command}`",
        f"- Load average (1, 5, 15 min): {run.load_average}.",
        f"- Catalog: {run.products:,} products in 10 categories on PostgreSQL, loaded (COPY "
        f"into the migrated tables, then ANALYZE) in {run.load_seconds:.1f} s; database "
        f"{run.database_size}. The list page is {run.page_bytes:,} bytes.",
        f"- Search: {run.queries} distinct queries, each for one page between 1 and 3, shuffled "
        f"and cycled by a wrk script, on an instance with `MERCATO_CATALOG_CACHE=false` "
        f"(checked: `X-Cache: MISS`); {found}.",
        "- Servers pinned with `taskset -c 0` (one process each; only one path is loaded at a "
        "time), wrk with `taskset -c 1`; PostgreSQL and Redis are the machine's own, not "
        "pinned, and their CPU is not in the server CPU column (for the search rows most of "
        "the work is PostgreSQL's).",
        "",
    ]
    for connections in run.connections:
        lines.append(f"c={connections} (`wrk -t1 -c{connections} -d{run.duration}s --latency`)")
        lines.append("")
        lines.append(TABLE_HEAD)
        for name, by_connections in run.results.items():
            if connections in by_connections:
                lines.append(_row(name, by_connections[connections]))
        lines.append("")
    ratios = _ratios(run)
    lines += ["Ratios against the targets:", "", *ratios.lines, "", end]
    return "\n".join(lines), ratios.verdicts
