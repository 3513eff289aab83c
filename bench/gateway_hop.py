"""The gateway-hop benchmark: `GET /api/auth/me` direct, through the gateway, through nginx.

Starts every server itself, pinned to core 0 (wrk runs on core 1), on the embedded defaults
(SQLite + embedded KV) and on PostgreSQL + Redis, measures each path at each concurrency in
one run, keeps wrk's raw output under bench/results/<date>/ and rewrites the generated part of
docs/benchmarks.md. Run it through bench/run.sh, which installs nginx and wrk when missing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bench import machine
from bench.machine import load_average
from bench.report import Run, Section, render, write_into
from bench.scratch import REDIS_URL, scratch_postgres
from bench.servers import (
    PYTHON,
    REPO,
    Server,
    cpu_seconds,
    free_port,
    start_nginx,
    start_uvicorn,
    stop_all,
)
from bench.wrk import REPORT_SCRIPT, plain, run_wrk

ME = "/api/auth/me"
TOKEN_TTL_SECONDS = 3600
"""Longer than the whole run, so one token serves every section; it changes nothing that
`/me` does (login is not measured and bcrypt keeps its default cost)."""


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def importable(service: str) -> tuple[bool, str]:
    """Whether `mercato.<service>.app:create_app` imports (the service may be mid-writing)."""
    probe = f"from mercato.{service}.app import create_app"
    completed = subprocess.run(
        [str(PYTHON), "-c", probe], cwd=REPO, capture_output=True, text=True, check=False
    )
    if completed.returncode == 0:
        return True, "importable"
    return False, (completed.stderr.strip().splitlines() or ["import failed"])[-1]


def http(
    method: str, url: str, body: dict[str, object] | None = None, token: str = ""
) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def base_env(data_dir: Path, users_port: int, gateway_port: int) -> dict[str, str]:
    import os

    env = {key: value for key, value in os.environ.items() if not key.startswith("MERCATO_")}
    env.update(
        {
            "MERCATO_DATA_DIR": str(data_dir),
            "MERCATO_USERS_URL": f"http://127.0.0.1:{users_port}",
            "MERCATO_GATEWAY_URL": f"http://127.0.0.1:{gateway_port}",
            # Limits high enough never to trigger: the bench measures the hop, not 429s.
            "MERCATO_RATE_LIMIT": "100000000/1s",
            "MERCATO_SERVICE_RATE_LIMIT": "100000000/1s",
            "MERCATO_AUTH_RATE_LIMIT": "100000000/1s",
            "MERCATO_LOG_LEVEL": "WARNING",
            "MERCATO_ACCESS_TOKEN_TTL_SECONDS": str(TOKEN_TTL_SECONDS),
        }
    )
    # Services that the gateway knows but the bench does not start point at a closed port.
    for service in ("products", "orders", "payments", "notifications"):
        env[f"MERCATO_{service.upper()}_URL"] = f"http://127.0.0.1:{free_port()}"
    return env


@contextmanager
def sqlite_backend(data_dir: Path) -> Iterator[tuple[dict[str, str], str]]:
    url = f"sqlite+aiosqlite:///{(data_dir / 'users.db').resolve()}"
    yield {}, url


@contextmanager
def postgres_backend(data_dir: Path) -> Iterator[tuple[dict[str, str], str]]:
    """A database and a key prefix of our own, dropped and deleted afterwards."""
    with scratch_postgres() as scratch:
        yield (
            {
                "MERCATO_USERS_DATABASE_URL": scratch.url,
                "MERCATO_REDIS_URL": REDIS_URL,
                "MERCATO_KV_PREFIX": scratch.kv_prefix,
            },
            scratch.url,
        )


BackendEnv = AbstractContextManager[tuple[dict[str, str], str]]
BACKENDS: dict[str, tuple[str, Callable[[Path], BackendEnv]]] = {
    "sqlite": ("SQLite + embedded KV (the defaults)", sqlite_backend),
    "postgres": ("PostgreSQL + Redis (the targets apply here)", postgres_backend),
}


Targets = dict[str, tuple[str, list[Server]]]
"""Name -> the URL wrk loads and the servers on that path (whose CPU the request costs)."""


def measure(
    targets: Targets,
    connections: list[int],
    args: argparse.Namespace,
    headers: dict[str, str],
    raw_dir: Path,
    slug: str,
    scripts: Mapping[str, Path] | None = None,
) -> Section:
    """Every target at one concurrency before the next, so all paths see the same machine;
    with several rounds the best round of each point is kept (the machine is shared, and a
    round that another process disturbed is slower, never faster). `scripts` names the wrk
    script of a target that needs its own requests (it must print report.lua's line too)."""
    scripts = scripts or {}
    section: Section = {name: {} for name in targets}
    for round_number in range(1, args.rounds + 1):
        for c in connections:
            for name, (url, on_path) in targets.items():
                script = scripts.get(name, REPORT_SCRIPT)
                run_wrk(url, c, args.warmup, headers, None, script=script)
                raw = raw_dir / f"{slug}-{name}-c{c}-r{round_number}.txt"
                cpu_before = cpu_seconds(on_path)
                result = run_wrk(url, c, args.duration, headers, raw, script=script)
                result = replace(result, server_cpu_s=cpu_seconds(on_path) - cpu_before)
                if result.errors or result.non_2xx:
                    raise RuntimeError(
                        f"{name} c={c}: {result.non_2xx} non-2xx answers, {result.errors} "
                        f"socket errors (raw output in {raw})"
                    )
                say(
                    f"{slug:8} {name:12} c={c:<3} round {round_number} {result.rps:9,.0f} req/s"
                    f"  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms"
                    f"  cpu {result.cpu_us_per_request:6.0f} us/req"
                )
                best = section[name].get(c)
                if best is None or result.rps > best.rps:
                    section[name][c] = result
    return section


def measure_ceiling(
    args: argparse.Namespace, work: Path, raw_dir: Path, *, with_nginx: bool
) -> Section:
    servers: list[Server] = []
    try:
        hello = start_uvicorn(
            "hello",
            "bench.hello_app:app",
            dict(_plain_env()),
            work,
            factory=False,
            port=free_port(),
        )
        servers.append(hello)
        hello.wait_ready()
        targets: Targets = {"hello": (hello.url + ME, [hello])}
        if with_nginx:
            proxy = start_nginx(
                "nginx-hello", hello.port, work, port=free_port(), health_path="/health"
            )
            servers.append(proxy)
            proxy.wait_ready()
            targets["nginx-hello"] = (proxy.url + ME, [proxy, hello])
        return measure(targets, args.connections, args, {}, raw_dir, "ceiling")
    finally:
        stop_all(servers)


def _plain_env() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if not key.startswith("MERCATO_")}


def measure_backend(
    key: str, args: argparse.Namespace, work: Path, raw_dir: Path, *, with_gateway: bool
) -> Section:
    label, backend = BACKENDS[key]
    data_dir = work / key
    data_dir.mkdir()
    users_port, gateway_port, nginx_port = free_port(), free_port(), free_port()
    env = base_env(data_dir, users_port, gateway_port)
    servers: list[Server] = []
    with backend(data_dir) as (backend_env, users_url):
        env.update(backend_env)
        try:
            say(f"{label}: migrating users")
            subprocess.run(
                [
                    str(PYTHON),
                    "-c",
                    f"from mercato.kit.migrations import upgrade; upgrade('users', {users_url!r})",
                ],
                cwd=REPO,
                env=env,
                check=True,
            )
            users = ready(
                servers,
                start_uvicorn(
                    f"{key}-users",
                    "mercato.users.app:create_app",
                    env,
                    work,
                    factory=True,
                    port=users_port,
                ),
            )
            targets: Targets = {"direct": (users.url + ME, [users])}
            if with_gateway:
                gateway = start_gateway(f"{key}-gateway", env, work, gateway_port, servers)
                targets["gateway"] = (gateway.url + ME, [gateway, users])
            nginx = start_nginx_before(f"{key}-nginx", users_port, work, nginx_port, servers)
            targets["nginx"] = (nginx.url + ME, [nginx, users])
            if with_gateway and args.hop_alone:
                targets.update(hop_alone(key, env, work, servers))

            token = register(users.url)
            for name, (url, _) in targets.items():
                status, body = http("GET", url, token=token)
                if status != 200:
                    raise RuntimeError(f"{name}: GET {ME} answered {status}: {body[:300]!r}")
            section = measure(
                targets,
                args.connections,
                args,
                {"Authorization": f"Bearer {token}"},
                raw_dir,
                key,
            )
            if args.profile and with_gateway:
                profile(key, args, servers, targets, token, raw_dir)
            return section
        finally:
            stop_all(servers)


def ready(servers: list[Server], server: Server) -> Server:
    """Keep `server` for the teardown, then wait until it answers."""
    servers.append(server)
    server.wait_ready()
    return server


def start_gateway(
    name: str, env: dict[str, str], work: Path, port: int, servers: list[Server]
) -> Server:
    """The gateway under uvicorn, in front of the users URL `env` names."""
    gateway = start_uvicorn(
        name, "mercato.gateway.app:create_app", env, work, factory=True, port=port
    )
    # Its /health is 503 while the services the bench does not start are down.
    gateway.ready_statuses = (200, 503)
    return ready(servers, gateway)


def start_nginx_before(
    name: str, upstream_port: int, work: Path, port: int, servers: list[Server]
) -> Server:
    """nginx proxying to the server on `upstream_port`: the reference hop."""
    return ready(servers, start_nginx(name, upstream_port, work, port=port, health_path="/health"))


def hop_alone(key: str, env: dict[str, str], work: Path, servers: list[Server]) -> Targets:
    """The same two hops in front of the hello-world instead of the users service: with
    `/me` costing milliseconds upstream, only this shows what the hop itself costs."""
    hello = ready(
        servers,
        start_uvicorn(
            f"{key}-hello",
            "bench.hello_app:app",
            _plain_env(),
            work,
            factory=False,
            port=free_port(),
        ),
    )
    gateway_port = free_port()
    gateway_env = {
        **env,
        "MERCATO_USERS_URL": hello.url,
        "MERCATO_GATEWAY_URL": f"http://127.0.0.1:{gateway_port}",
    }
    gateway = start_gateway(f"{key}-gateway-hello", gateway_env, work, gateway_port, servers)
    nginx = start_nginx_before(f"{key}-nginx-hello", hello.port, work, free_port(), servers)
    return {
        "hello-direct": (hello.url + ME, [hello]),
        "gateway-hello": (gateway.url + ME, [gateway, hello]),
        "nginx-hello": (nginx.url + ME, [nginx, hello]),
    }


def register(users_url: str) -> str:
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    status, body = http(
        "POST",
        users_url + "/api/auth/register",
        {"email": email, "password": "bench-password-1", "name": "Bench User"},
    )
    if status != 201:
        raise RuntimeError(f"registration answered {status}: {body[:300]!r}")
    token: str = json.loads(body)["access_token"]
    return token


def profile(
    key: str,
    args: argparse.Namespace,
    servers: list[Server],
    targets: Targets,
    token: str,
    raw_dir: Path,
) -> None:
    """Sample the gateway and the users service with py-spy while wrk drives the gateway."""
    spy = shutil.which("py-spy") or args.profile
    processes = {server.name: server for server in servers if "nginx" not in server.name}
    recorders = []
    for name, server in processes.items():
        out = raw_dir / f"profile-{name}.txt"
        recorders.append(
            subprocess.Popen(
                [
                    spy,
                    "record",
                    "--pid",
                    str(server.process.pid),
                    "--format",
                    "raw",
                    "--duration",
                    str(int(args.duration)),
                    "--rate",
                    "500",
                    "--nonblocking",
                    "--output",
                    str(out),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    run_wrk(
        targets["gateway"][0],
        8,
        args.duration + 1,
        {"Authorization": f"Bearer {token}"},
        raw_dir / f"profile-{key}-wrk.txt",
    )
    for recorder in recorders:
        recorder.wait(timeout=60)
    say(f"profiles written to {raw_dir}/profile-*.txt")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up before")
    parser.add_argument(
        "--connections", type=lambda s: [int(c) for c in s.split(",")], default=[1, 8, 64]
    )
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--hello-only", action="store_true", help="only the ceiling, direct and behind nginx"
    )
    parser.add_argument(
        "--wait-minutes",
        type=float,
        default=0.0,
        help="poll once a minute this long for the users service and gateway to import",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every point this often, keep the best"
    )
    parser.add_argument(
        "--no-hop-alone",
        dest="hop_alone",
        action="store_false",
        help="skip the gateway and nginx in front of the hello-world",
    )
    parser.add_argument("--no-docs", action="store_true", help="print the table, do not write")
    parser.add_argument("--profile", default="", help="py-spy binary: also sample the hop")
    args = parser.parse_args(argv)

    users_ready = gateway_ready = False
    if not args.hello_only:
        deadline = time.monotonic() + args.wait_minutes * 60
        while True:
            (users_ready, users_why), (gateway_ready, gateway_why) = (
                importable("users"),
                importable("gateway"),
            )
            if (users_ready and gateway_ready) or time.monotonic() >= deadline:
                break
            say(f"users: {users_why}; gateway: {gateway_why}; checking again in 60 s")
            time.sleep(60)
        if not users_ready:
            say(f"the users service is not runnable ({users_why}): measuring the ceiling only")
        elif not gateway_ready:
            say(f"the gateway is not runnable ({gateway_why}): measuring without it")
    hello_only = not users_ready

    started = datetime.now(UTC)
    load_before = load_average()
    raw_dir = REPO / "bench" / "results" / started.strftime("%Y%m%dT%H%M%SZ")
    raw_dir.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="mercato-bench-") as tmp:
        work = Path(tmp)
        say(f"raw output in {raw_dir}")
        ceiling = measure_ceiling(args, work, raw_dir, with_nginx=hello_only)
        backends: dict[str, Section] = {}
        if not hello_only:
            for key in args.backends.split(","):
                backends[BACKENDS[key][0]] = measure_backend(
                    key, args, work, raw_dir, with_gateway=gateway_ready
                )

    command = "bench/run.sh" + "".join(f" {arg}" for arg in (argv or sys.argv[1:]))
    run = Run(
        date=started.strftime("%Y-%m-%d %H:%M UTC"),
        command=command,
        machine=machine.describe(),
        connections=args.connections,
        duration=args.duration,
        rounds=args.rounds,
        warmup=args.warmup,
        ceiling=ceiling,
        backends=backends,
        notes=[
            f"Load average (1, 5, 15 min) at the start {load_before}, at the end "
            f"{load_average()}: the machine is shared, which is why every point is the best of "
            f"{args.rounds} interleaved rounds.",
            "Servers pinned with `taskset -c 0` (users, gateway, nginx's master and one worker, "
            "the hello app; only one path is loaded at a time), wrk with `taskset -c 1`; "
            "PostgreSQL and Redis are the machine's own, not pinned.",
            "uvicorn `--loop uvloop --http httptools --no-access-log --timeout-keep-alive 75`, "
            "one process each; `MERCATO_LOG_LEVEL=WARNING`; rate limits at 100000000/1s so they "
            "never trigger (the counting still runs).",
            "Server CPU µs/req: user + system CPU of the processes on the path (users; gateway "
            "+ users; nginx + users) per answered request, read from /proc around each "
            "measurement; PostgreSQL's and Redis's own CPU is not in it.",
            f"One user registered per backend with bcrypt at its default cost; "
            f"`MERCATO_ACCESS_TOKEN_TTL_SECONDS={TOKEN_TTL_SECONDS}` so one token lasts the run.",
        ],
    )
    generated = render(run)
    (raw_dir / "results.json").write_text(
        json.dumps(
            {
                "date": run.date,
                "machine": run.machine,
                "ceiling": {n: {c: plain(r) for c, r in v.items()} for n, v in ceiling.items()},
                "backends": {
                    b: {n: {c: plain(r) for c, r in v.items()} for n, v in s.items()}
                    for b, s in backends.items()
                },
            },
            indent=2,
        )
    )
    (raw_dir / "table.md").write_text(generated + "\n")
    if args.no_docs:
        print(generated)
    else:
        write_into(REPO / "docs" / "benchmarks.md", generated)
        say("docs/benchmarks.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
