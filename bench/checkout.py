"""The checkout benchmark: orders per second for create-with-payment through the gateway, on
PostgreSQL + Redis, with the cached catalog list measured beside it in the same run.

Starts the whole stack (users, products, payments, notifications, orders, gateway) as
separate uvicorn processes on scratch databases of its own, registers shoppers, loads a
catalog with plenty of stock, then drives `POST /api/orders` with `pm_card_visa` through the
gateway with wrk at each concurrency. Afterwards it checks that nothing was oversold (units
sold by the products service == units of paid orders, stock + reserved + sold == what was
loaded) and reads each service's `/metrics` to report database statements and commits per
order and each process's CPU per order. Servers are not pinned (the target is for the whole
2-core machine); wrk runs on core 1. Writes docs/benchmarks.md's checkout block.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from bench import machine
from bench.gateway_hop import http, ready, say
from bench.machine import load_average
from bench.report import write_into
from bench.scratch import REDIS_URL, Scratch, scratch_postgres
from bench.servers import PYTHON, REPO, Server, cpu_seconds, free_port, start_uvicorn, stop_all
from bench.wrk import REPORT_SCRIPT, WrkResult, plain, run_wrk

SERVICES = ("users", "products", "payments", "notifications", "orders")
NO_LIMIT = "100000000/1s"
LIST = "/api/products?page=1&limit=20"
STOCK = 1_000_000
START = "<!-- checkout:begin -->"
END = "<!-- checkout:end -->"
ADDRESS = {
    "name": "Bench Shopper",
    "line1": "1 Load Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}
_METRIC = re.compile(r'^(mercato_db_(?:statements|commits)_total)\{service="(\w+)"\} ([0-9.e+]+)$')


@dataclass
class Point:
    connections: int
    checkout: WrkResult
    catalog: WrkResult
    orders_paid: int = 0
    statements: dict[str, float] = field(default_factory=dict)
    commits: dict[str, float] = field(default_factory=dict)
    cpu_ms: dict[str, float] = field(default_factory=dict)


def stack_env(work: Path, scratches: dict[str, Scratch], ports: dict[str, int]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MERCATO_")}
    env.update(
        {
            "MERCATO_ENV": "development",
            "MERCATO_DATA_DIR": str(work / "data"),
            "MERCATO_REDIS_URL": REDIS_URL,
            "MERCATO_KV_PREFIX": scratches["users"].kv_prefix,
            "MERCATO_RATE_LIMIT": NO_LIMIT,
            "MERCATO_SERVICE_RATE_LIMIT": NO_LIMIT,
            "MERCATO_AUTH_RATE_LIMIT": NO_LIMIT,
            "MERCATO_LOG_LEVEL": "WARNING",
            "MERCATO_BCRYPT_ROUNDS": "4",
        }
    )
    for name, scratch in scratches.items():
        env[f"MERCATO_{name.upper()}_DATABASE_URL"] = scratch.url
    for name, port in ports.items():
        env[f"MERCATO_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run([str(PYTHON), "-m", "mercato.cli", "migrate"], cwd=REPO, env=env, check=True)


def call(method: str, url: str, body: dict[str, object] | None = None, token: str = "") -> object:
    status, payload = http(method, url, body, token)
    if not 200 <= status < 300:
        raise RuntimeError(f"{method} {url} answered {status}: {payload[:300]!r}")
    return json.loads(payload) if payload else None


def prepare(
    env: dict[str, str], gateway: str, shoppers: int, products: int
) -> tuple[list[str], list[str]]:
    """Shoppers' access tokens and the ids of products with plenty of stock."""
    email, password = f"admin-{uuid.uuid4().hex[:8]}@example.com", "bench-password-1"
    command = ["create-admin", "--email", email, "--password", password]
    created = subprocess.run(
        [str(PYTHON), "-m", "mercato.cli", *command],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode != 0:
        raise RuntimeError(f"create-admin failed: {created.stdout}{created.stderr}")
    admin = call("POST", gateway + "/api/auth/login", {"email": email, "password": password})
    admin_token = str(admin["access_token"])  # type: ignore[index]
    ids = []
    for n in range(products):
        product = call(
            "POST",
            gateway + "/api/products",
            {
                "name": f"Bench item {n}",
                "price": f"{5 + n % 40}.99",
                "sku": f"BENCH-{n:05}",
                "stock": STOCK,
            },
            admin_token,
        )
        ids.append(str(product["id"]))  # type: ignore[index]
    tokens = []
    for n in range(shoppers):
        pair = call(
            "POST",
            gateway + "/api/auth/register",
            {
                "email": f"shopper-{n}-{uuid.uuid4().hex[:6]}@example.com",
                "password": password,
                "name": f"Shopper {n}",
            },
        )
        tokens.append(str(pair["access_token"]))  # type: ignore[index]
    return tokens, ids


def order_script(tokens: list[str], product_ids: list[str], work: Path) -> Path:
    """A wrk script posting orders of one unit, paid with the test Visa card, cycling through
    the shoppers and the products (so no two requests in a row are alike)."""
    bodies = [
        json.dumps(
            {
                "items": [{"product_id": product_ids[n % len(product_ids)], "quantity": 1}],
                "shipping_address": ADDRESS,
                "payment_method": "pm_card_visa",
            }
        )
        for n in range(len(product_ids))
    ]
    lua_tokens = ",\n".join(f'  "{token}"' for token in tokens)
    lua_bodies = ",\n".join("  " + json.dumps(body) for body in bodies)
    script = work / "checkout.lua"
    script.write_text(
        "-- Generated by bench/checkout.py: paid orders, cycled over shoppers and products.\n"
        f"local tokens = {{\n{lua_tokens}\n}}\n"
        f"local bodies = {{\n{lua_bodies}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  local headers = {}\n"
        '  headers["Authorization"] = "Bearer " .. tokens[i % #tokens + 1]\n'
        '  headers["Content-Type"] = "application/json"\n'
        '  return wrk.format("POST", "/api/orders", headers, bodies[i % #bodies + 1])\n'
        "end\n" + REPORT_SCRIPT.read_text()
    )
    return script


def db_counters(servers: dict[str, Server]) -> tuple[dict[str, float], dict[str, float]]:
    statements: dict[str, float] = {}
    commits: dict[str, float] = {}
    for name in SERVICES:
        with urllib.request.urlopen(servers[name].url + "/metrics", timeout=10) as response:
            text = response.read().decode()
        for line in text.splitlines():
            match = _METRIC.match(line)
            if match and match.group(2) == name:
                target = statements if "statements" in match.group(1) else commits
                target[name] = float(match.group(3))
    return statements, commits


async def _stock_and_orders(scratches: dict[str, Scratch]) -> dict[str, int]:
    import asyncpg

    products = await asyncpg.connect(scratches["products"].dsn)
    orders = await asyncpg.connect(scratches["orders"].dsn)
    try:
        stock = await products.fetchrow(
            "SELECT count(*) AS n, sum(stock) AS stock, sum(reserved) AS reserved,"
            " sum(sold) AS sold,"
            " min(stock) AS min_stock FROM products"
        )
        paid = await orders.fetchrow(
            "SELECT count(DISTINCT o.id) AS orders, coalesce(sum(i.quantity), 0) AS units"
            " FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.status = 'paid'"
        )
        stalled = await orders.fetchval("SELECT count(*) FROM orders WHERE step IS NOT NULL")
    finally:
        await products.close()
        await orders.close()
    return {
        "products": int(stock["n"]),
        "stock": int(stock["stock"]),
        "reserved": int(stock["reserved"]),
        "sold": int(stock["sold"]),
        "min_stock": int(stock["min_stock"]),
        "paid_orders": int(paid["orders"]),
        "paid_units": int(paid["units"]),
        "stalled": int(stalled),
    }


def run(args: argparse.Namespace, work: Path, raw_dir: Path) -> tuple[list[Point], dict[str, int]]:
    servers: list[Server] = []
    with ExitStack() as stack:
        scratches = {name: stack.enter_context(scratch_postgres()) for name in SERVICES}
        ports = {name: free_port() for name in (*SERVICES, "gateway")}
        env = stack_env(work, scratches, ports)
        env["MERCATO_PAYMENT_LATENCY_SECONDS"] = str(args.payment_latency)
        say("migrating five databases")
        migrate(env)
        try:
            by_name: dict[str, Server] = {}
            for name in (*SERVICES, "gateway"):
                by_name[name] = ready(
                    servers,
                    start_uvicorn(
                        name,
                        f"mercato.{name}.app:create_app",
                        env,
                        work,
                        factory=True,
                        port=ports[name],
                        pin=False,
                    ),
                )
            gateway = by_name["gateway"].url
            say(f"registering {args.shoppers} shoppers and loading {args.products} products")
            tokens, product_ids = prepare(env, gateway, args.shoppers, args.products)
            script = order_script(tokens, product_ids, work)
            points = []
            everything = list(by_name.values())
            for c in args.connections:
                run_wrk(gateway + "/api/orders", c, args.warmup, {}, None, script=script)
                before_db = db_counters(by_name)
                before_cpu = {name: cpu_seconds([server]) for name, server in by_name.items()}
                before = asyncio.run(_stock_and_orders(scratches))["paid_orders"]
                raw = raw_dir / f"checkout-c{c}.txt"
                checkout = run_wrk(
                    gateway + "/api/orders", c, args.duration, {}, raw, script=script
                )
                after_cpu = {name: cpu_seconds([server]) for name, server in by_name.items()}
                after_db = db_counters(by_name)
                paid = asyncio.run(_stock_and_orders(scratches))["paid_orders"] - before
                cpu_before = cpu_seconds(everything)
                catalog = run_wrk(
                    gateway + LIST, c, args.duration, {}, raw_dir / f"catalog-c{c}.txt"
                )
                catalog = replace(catalog, server_cpu_s=cpu_seconds(everything) - cpu_before)
                if checkout.errors or checkout.non_2xx:
                    raise RuntimeError(
                        f"checkout c={c}: {checkout.non_2xx} non-2xx, "
                        f"{checkout.errors} errors ({raw})"
                    )
                per = max(paid, 1)
                point = Point(
                    c,
                    checkout,
                    catalog,
                    paid,
                    {k: (after_db[0].get(k, 0) - before_db[0].get(k, 0)) / per for k in SERVICES},
                    {k: (after_db[1].get(k, 0) - before_db[1].get(k, 0)) / per for k in SERVICES},
                    {k: (after_cpu[k] - before_cpu[k]) * 1000 / per for k in by_name},
                )
                say(
                    f"c={c}: {checkout.rps:,.0f} orders/s (p99 {checkout.p99_ms:.1f} ms), "
                    f"catalog {catalog.rps:,.0f} req/s; {paid} paid"
                )
                points.append(point)
            say("waiting for the outboxes to drain, then checking the stock")
            final = asyncio.run(_stock_and_orders(scratches))
            return points, final
        finally:
            stop_all(servers)


def render(points: list[Point], final: dict[str, int], meta: dict[str, str]) -> str:
    loaded = final["products"] * STOCK
    oversold = final["sold"] - final["paid_units"]
    conserved = final["stock"] + final["reserved"] + final["sold"] == loaded
    lines = [
        START,
        f"Run {meta['date']} with `{meta['command']}` on {meta['machine']}; load average "
        f"{meta['load']}. PostgreSQL + Redis, payment latency {meta['latency']} s; servers "
        "unpinned (the whole machine), wrk on core 1.",
        "",
        "| c | orders/s | p50 ms | p99 ms | catalog list req/s (same run) | orders/s ÷ catalog |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for p in points:
        lines.append(
            f"| {p.connections} | {p.checkout.rps:,.0f} | {p.checkout.p50_ms:.1f} | "
            f"{p.checkout.p99_ms:.1f} | {p.catalog.rps:,.0f} | "
            f"{p.checkout.rps / p.catalog.rps:.3f} |"
        )
    lines += [
        "",
        "Per paid order, at each concurrency: database statements / commits / CPU ms, by process.",
        "",
        "| c | " + " | ".join(SERVICES) + " | gateway CPU ms | total CPU ms |",
        "|---:|" + "---:|" * (len(SERVICES) + 2),
    ]
    for p in points:
        cells = [
            f"{p.statements[s]:.1f} / {p.commits[s]:.1f} / {p.cpu_ms[s]:.2f} ms" for s in SERVICES
        ]
        total = sum(p.cpu_ms.values())
        lines.append(
            f"| {p.connections} | "
            + " | ".join(cells)
            + f" | {p.cpu_ms['gateway']:.2f} | {total:.2f} |"
        )
    lines += [
        "",
        f"After the run: {final['paid_orders']:,} paid orders holding "
        f"{final['paid_units']:,} units; "
        f"the products service sold {final['sold']:,} (oversold: {oversold}), reserved "
        f"{final['reserved']}, lowest stock {final['min_stock']:,}; stock + reserved + sold "
        f"{'==' if conserved else '!='} the {loaded:,} loaded; "
        f"orders left mid-step: {final['stalled']}.",
        END,
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before")
    parser.add_argument(
        "--connections", type=lambda s: [int(c) for c in s.split(",")], default=[1, 8, 32]
    )
    parser.add_argument("--shoppers", type=int, default=50)
    parser.add_argument("--products", type=int, default=50)
    parser.add_argument("--payment-latency", type=float, default=0.0)
    parser.add_argument("--no-docs", action="store_true", help="print the block, do not write")
    args = parser.parse_args(argv)

    started = datetime.now(UTC)
    load_before = load_average()
    raw_dir = REPO / "bench" / "results" / started.strftime("%Y%m%dT%H%M%SZ")
    raw_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mercato-bench-checkout-") as tmp:
        points, final = run(args, Path(tmp), raw_dir)
    described = machine.describe()
    meta = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "command": "bench/run.sh checkout" + "".join(f" {a}" for a in (argv or sys.argv[1:])),
        "machine": ", ".join(f"{k}: {v}" for k, v in described.items()),
        "load": f"{load_before} at the start, {load_average()} at the end",
        "latency": str(args.payment_latency),
    }
    block = render(points, final, meta)
    (raw_dir / "checkout-results.json").write_text(
        json.dumps(
            {
                "meta": meta,
                "final": final,
                "points": [
                    {
                        "connections": p.connections,
                        "checkout": plain(p.checkout),
                        "catalog": plain(p.catalog),
                        "orders_paid": p.orders_paid,
                        "statements_per_order": p.statements,
                        "commits_per_order": p.commits,
                        "cpu_ms_per_order": p.cpu_ms,
                    }
                    for p in points
                ],
            },
            indent=2,
        )
    )
    print(block)
    if not args.no_docs:
        write_into(REPO / "docs" / "benchmarks.md", block, start=START, end=END)
        say("docs/benchmarks.md updated")
    return 0 if final["sold"] == final["paid_units"] else 1


if __name__ == "__main__":
    sys.exit(main())
