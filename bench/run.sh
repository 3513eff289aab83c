#!/usr/bin/env bash
# The gateway-hop benchmark (`make bench`): installs nginx and wrk when missing, then runs
# bench/gateway_hop.py, which writes raw output under bench/results/ and regenerates the
# table in docs/benchmarks.md. Arguments pass through (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
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

exec .venv/bin/python -m bench.gateway_hop "$@"
