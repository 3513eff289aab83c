"""What the benchmark ran on: CPU model, cores, memory, kernel and the tool versions."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path


def _first_line(command: list[str]) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return "missing"
    return (completed.stdout + completed.stderr).strip().splitlines()[0]


def _lscpu_model() -> str:
    output = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"^Model name:\s*(.+)$", output, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def _memory_gib() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def describe() -> dict[str, str]:
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("uvicorn", "uvloop", "httptools", "starlette", "fastapi", "aiohttp")
    )
    return {
        "cpu": _lscpu_model(),
        "cores": str(os.cpu_count()),
        "memory": f"{_memory_gib():.1f} GiB",
        "kernel": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "libraries": versions,
        "nginx": _first_line(["nginx", "-v"]),
        "wrk": _first_line(["wrk", "-v"]).split(" Copyright")[0],
    }


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as /proc/loadavg gives them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
