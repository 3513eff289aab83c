#!/usr/bin/env bash
# The benchmarks (`make bench` runs them all): `bench/run.sh [args]` is the gateway-hop
# benchmark (bench/gateway_hop.py), `bench/run.sh catalog [args]` the catalog benchmark
# (bench/catalog.py), `bench/run.sh checkout [args]` the checkout one (bench/checkout.py). Installs what they need when missing (nginx and wrk; Node and the
# Express reference's packages for the catalog), then runs the one asked for, which writes
# raw output under bench/results/ and regenerates its block of docs/benchmarks.md.
# Arguments pass through (try --help, or catalog --help).
set -euo pipefail
cd "$(dirname "$0")/.."

bench=gateway_hop
if [ "${1:-}" = catalog ] || [ "${1:-}" = checkout ]; then
    bench=$1
    shift
fi

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ "$bench" = catalog ]; then
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    # Debian starts nginx's service on install where an init system runs; the bench runs its
    # own instance on a free port with its own config and never touches that one.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"
command -v taskset >/dev/null || { echo "bench: taskset (util-linux) is required" >&2; exit 1; }
if [ "$(nproc)" -lt 2 ]; then
    echo "bench: needs 2 cores (servers on core 0, wrk on core 1)" >&2
    exit 1
fi
[ -x .venv/bin/python ] || { echo "bench: no .venv; run 'make run' or install first" >&2; exit 1; }

if [ "$bench" = catalog ]; then
    express=bench/express
    # A copy of the lock beside the packages says what they were installed from: a changed
    # lock installs again.
    stamp="$express/node_modules/.mercato-installed-lock.json"
    if ! cmp -s "$express/package-lock.json" "$stamp"; then
        echo "bench: npm ci in $express" >&2
        (cd "$express" && npm ci --no-audit --no-fund --loglevel=error) >&2
        cp "$express/package-lock.json" "$stamp"
    fi
fi

exec .venv/bin/python -m "bench.$bench" "$@"
