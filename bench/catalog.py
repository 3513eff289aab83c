"""The catalog benchmark: the cached product list and product page through the gateway and an
uncached search, on a PostgreSQL catalog of synthetic products, beside the ASGI hello-world
ceiling and an Express endpoint serving the same JSON, all measured in one run.

Creates its own database and Redis key prefix (dropped and deleted at the end), starts every
server itself pinned to core 0 (wrk on core 1), keeps wrk's raw output under
bench/results/<date>/ and rewrites the catalog block of docs/benchmarks.md. Run it with
`bench/run.sh catalog`, which installs wrk and the Express reference's packages when missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench import catalog_data, machine
from bench.catalog_report import CatalogRun, render
from bench.gateway_hop import Targets, measure, ready, say
from bench.machine import load_average
from bench.report import Section, write_into
from bench.scratch import REDIS_URL, Scratch, scratch_postgres
from bench.servers import REPO, Server, free_port, pinned, start_uvicorn, stop_all
from bench.wrk import REPORT_SCRIPT, plain

LIST = "/api/products?page=1&limit=20"
NO_LIMIT = "100000000/1s"
"""Rate limits that never trigger: the bench measures reads, not 429s (the counting runs)."""
EXPRESS_DIR = REPO / "bench" / "express"
SEARCH_PAGES = (1, 2, 3)
START = "<!-- catalog:begin -->"
END = "<!-- catalog:end -->"


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def fetch_ok(url: str) -> tuple[dict[str, str], bytes]:
    status, headers, body = fetch(url)
    if status != 200:
        raise RuntimeError(f"GET {url} answered {status}: {body[:300]!r}")
    return headers, body


def service_env(work: Path, scratch: Scratch) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MERCATO_")}
    env.update(
        {
            "MERCATO_DATA_DIR": str(work / "data"),
            "MERCATO_PRODUCTS_DATABASE_URL": scratch.url,
            "MERCATO_REDIS_URL": REDIS_URL,
            "MERCATO_KV_PREFIX": scratch.kv_prefix,
            "MERCATO_RATE_LIMIT": NO_LIMIT,
            "MERCATO_SERVICE_RATE_LIMIT": NO_LIMIT,
            "MERCATO_AUTH_RATE_LIMIT": NO_LIMIT,
            "MERCATO_LOG_LEVEL": "WARNING",
            "MERCATO_GATEWAY_SERVICES": "products",
            # Nothing here asks the users service for keys (no request carries a token).
            "MERCATO_USERS_URL": f"http://127.0.0.1:{free_port()}",
        }
    )
    return env


def start_products(
    name: str, env: dict[str, str], work: Path, servers: list[Server], *, cached: bool
) -> Server:
    products_env = {**env, "MERCATO_CATALOG_CACHE": "true" if cached else "false"}
    return ready(
        servers,
        start_uvicorn(
            name,
            "mercato.products.app:create_app",
            products_env,
            work,
            factory=True,
            port=free_port(),
        ),
    )


def start_gateway_before(
    name: str, products: Server, env: dict[str, str], work: Path, servers: list[Server]
) -> Server:
    port = free_port()
    gateway_env = {
        **env,
        "MERCATO_PRODUCTS_URL": products.url,
        "MERCATO_GATEWAY_URL": f"http://127.0.0.1:{port}",
    }
    return ready(
        servers,
        start_uvicorn(
            name, "mercato.gateway.app:create_app", gateway_env, work, factory=True, port=port
        ),
    )


def start_express(page_path: Path, work: Path, servers: list[Server]) -> Server:
    """The seed's stack, one Node process on the server core like each Python server."""
    if not (EXPRESS_DIR / "node_modules" / "express").is_dir():
        raise RuntimeError(
            "bench/express/node_modules is missing: run `bench/run.sh catalog` (it runs npm ci)"
        )
    port = free_port()
    log_path = work / "express.log"
    env = {**os.environ, "NODE_ENV": "production"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            pinned(["node", str(EXPRESS_DIR / "server.js"), str(port), str(page_path)]),
            cwd=EXPRESS_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return ready(servers, Server("express", port, process, log_path))


def search_script(queries: list[str], work: Path) -> Path:
    """A wrk script asking each query for one page between 1 and 3, in a shuffled order and
    round again, then reporting like report.lua: no two requests in a row are alike. One path
    per query, so that even the slowest measurement goes through every query."""
    rng = random.Random(11)
    paths = [
        "/api/products?"
        + urllib.parse.urlencode({"q": query, "page": rng.choice(SEARCH_PAGES), "limit": 20})
        for query in queries
    ]
    rng.shuffle(paths)
    listed = ",\n".join(f'  "{path}"' for path in paths)
    script = work / "search.lua"
    script.write_text(
        "-- Generated by bench/catalog.py: shopper searches, cycled.\n"
        f"local paths = {{\n{listed}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n" + REPORT_SCRIPT.read_text()
    )
    return script


def match_counts(products: Server, queries: list[str]) -> list[int]:
    """How many products each query finds: the work a search does grows with it."""
    totals = []
    for query in queries:
        _, body = fetch_ok(f"{products.url}/api/products?{urllib.parse.urlencode({'q': query})}")
        totals.append(int(json.loads(body)["total"]))
    return totals


def check_cache(url: str, expected: str) -> None:
    """The second of two identical requests answers `X-Cache: <expected>`."""
    fetch_ok(url)
    headers, _ = fetch_ok(url)
    if headers.get("x-cache") != expected:
        raise RuntimeError(f"GET {url}: expected X-Cache {expected}, got {headers}")


def build_catalog(scratch: Scratch, count: int) -> tuple[list[str], float]:
    from mercato.kit.migrations import upgrade

    say(f"migrating {scratch.database} and loading {count:,} products")
    started = time.monotonic()
    upgrade("products", scratch.url)
    sample = asyncio.run(catalog_data.load(scratch.dsn, count))
    seconds = time.monotonic() - started
    say(f"catalog ready in {seconds:.1f} s")
    return sample, seconds


def database_size(scratch: Scratch) -> str:
    import asyncpg

    async def size() -> str:
        connection = await asyncpg.connect(scratch.dsn)
        try:
            text: str = await connection.fetchval(
                "SELECT pg_size_pretty(pg_database_size(current_database()))"
            )
            return text
        finally:
            await connection.close()

    return asyncio.run(size())


def run_catalog(args: argparse.Namespace, work: Path, raw_dir: Path) -> CatalogRun:
    servers: list[Server] = []
    with scratch_postgres() as scratch:
        sample, load_seconds = build_catalog(scratch, args.products)
        env = service_env(work, scratch)
        try:
            hello = ready(
                servers,
                start_uvicorn(
                    "hello",
                    "bench.hello_app:app",
                    {k: v for k, v in env.items() if not k.startswith("MERCATO_")},
                    work,
                    factory=False,
                    port=free_port(),
                ),
            )
            products = start_products("products", env, work, servers, cached=True)
            gateway = start_gateway_before("gateway", products, env, work, servers)
            uncached = start_products("products-uncached", env, work, servers, cached=False)
            search_gateway = start_gateway_before("gateway-uncached", uncached, env, work, servers)

            check_cache(products.url + LIST, "HIT")
            check_cache(gateway.url + LIST, "HIT")
            _, page = fetch_ok(products.url + LIST)
            page_path = work / "products-page.json"
            page_path.write_bytes(page)
            express = start_express(page_path, work, servers)
            _, express_page = fetch_ok(express.url + LIST)
            if express_page != page:
                raise RuntimeError("Express does not answer the products service's bytes")
            _, gateway_page = fetch_ok(gateway.url + LIST)
            if gateway_page != page:
                raise RuntimeError("the gateway does not relay the products service's bytes")
            product_id = sample[0]
            detail = f"/api/products/{product_id}"
            check_cache(products.url + detail, "HIT")
            check_cache(gateway.url + detail, "HIT")

            queries = catalog_data.search_queries(args.queries)
            search = "/api/products?" + urllib.parse.urlencode({"q": queries[0]})
            check_cache(uncached.url + search, "MISS")
            check_cache(search_gateway.url + search, "MISS")
            say(f"counting what {len(queries)} search queries find")
            totals = match_counts(uncached, queries)
            script = search_script(queries, work)

            targets: Targets = {
                "hello": (hello.url + LIST, [hello]),
                "express-list": (express.url + LIST, [express]),
                "direct-list": (products.url + LIST, [products]),
                "gateway-list": (gateway.url + LIST, [gateway, products]),
                "direct-detail": (products.url + detail, [products]),
                "gateway-detail": (gateway.url + detail, [gateway, products]),
                "search-direct": (uncached.url + "/api/products", [uncached]),
                "search-gateway": (
                    search_gateway.url + "/api/products",
                    [search_gateway, uncached],
                ),
            }
            scripts = {"search-direct": script, "search-gateway": script}
            section: Section = measure(
                targets, args.connections, args, {}, raw_dir, "catalog", scripts
            )
            return CatalogRun(
                products=args.products,
                load_seconds=load_seconds,
                database_size=database_size(scratch),
                page_bytes=len(page),
                queries=len(queries),
                match_counts=totals,
                results=section,
            )
        finally:
            stop_all(servers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up before")
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every point this often, keep the best"
    )
    parser.add_argument(
        "--connections", type=lambda s: [int(c) for c in s.split(",")], default=[1, 8, 64]
    )
    parser.add_argument("--products", type=int, default=100_000, help="catalog size")
    parser.add_argument("--queries", type=int, default=200, help="distinct search queries")
    parser.add_argument("--no-docs", action="store_true", help="print the block, do not write")
    args = parser.parse_args(argv)

    started = datetime.now(UTC)
    load_before = load_average()
    raw_dir = REPO / "bench" / "results" / started.strftime("%Y%m%dT%H%M%SZ")
    raw_dir.mkdir(parents=True, exist_ok=True)
    say(f"raw output in {raw_dir}")
    with tempfile.TemporaryDirectory(prefix="mercato-bench-catalog-") as tmp:
        run = run_catalog(args, Path(tmp), raw_dir)
    run.date = started.strftime("%Y-%m-%d %H:%M UTC")
    run.command = "bench/run.sh catalog" + "".join(f" {a}" for a in (argv or sys.argv[1:]))
    run.machine = {**machine.describe(), "node": _node_versions()}
    run.connections = args.connections
    run.duration, run.warmup, run.rounds = args.duration, args.warmup, args.rounds
    run.load_average = f"{load_before} at the start, {load_average()} at the end"

    generated, verdicts = render(run, START, END)
    (raw_dir / "catalog-results.json").write_text(
        json.dumps(
            {
                "date": run.date,
                "command": run.command,
                "machine": run.machine,
                "catalog": {
                    "products": run.products,
                    "load_seconds": round(run.load_seconds, 1),
                    "database_size": run.database_size,
                    "page_bytes": run.page_bytes,
                    "search_match_counts": run.match_counts,
                },
                "results": {
                    name: {c: plain(result) for c, result in by_c.items()}
                    for name, by_c in run.results.items()
                },
                "targets": verdicts,
            },
            indent=2,
        )
    )
    (raw_dir / "catalog-table.md").write_text(generated + "\n")
    for line in verdicts:
        say(line)
    if args.no_docs:
        print(generated)
    else:
        write_into(REPO / "docs" / "benchmarks.md", generated, start=START, end=END)
        say("docs/benchmarks.md updated")
    return 0


def _node_versions() -> str:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    manifest = EXPRESS_DIR / "node_modules" / "express" / "package.json"
    express = json.loads(manifest.read_text())["version"] if manifest.exists() else "missing"
    return f"Node {node.stdout.strip()}, Express {express}"


if __name__ == "__main__":
    sys.exit(main())
