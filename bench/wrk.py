"""Run wrk pinned to the load core and read the JSON line `report.lua` prints."""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.servers import LOAD_CORE

REPORT_SCRIPT = Path(__file__).resolve().parent / "report.lua"


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_us: int
    p50_us: int
    p90_us: int
    p99_us: int
    max_us: int
    errors: int
    non_2xx: int
    raw: str
    server_cpu_s: float = 0.0
    """CPU the servers on the path used during the measurement (see `servers.cpu_seconds`)."""

    @property
    def rps(self) -> float:
        return self.requests / (self.duration_us / 1e6)

    @property
    def cpu_us_per_request(self) -> float:
        return self.server_cpu_s * 1e6 / self.requests if self.requests else 0.0

    @property
    def p50_ms(self) -> float:
        return self.p50_us / 1000

    @property
    def p99_ms(self) -> float:
        return self.p99_us / 1000


def run_wrk(
    url: str,
    connections: int,
    seconds: int,
    headers: dict[str, str],
    raw_path: Path | None,
    *,
    script: Path = REPORT_SCRIPT,
) -> WrkResult:
    command = [
        "taskset",
        "-c",
        LOAD_CORE,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    output = completed.stdout + completed.stderr
    if raw_path is not None:
        shown = [
            part if not part.startswith("Authorization:") else "Authorization: Bearer …"
            for part in command
        ]
        raw_path.write_text("$ " + " ".join(shown) + "\n" + output)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{output}")
    line = next((ln for ln in output.splitlines() if ln.startswith('{"requests"')), None)
    if line is None:
        raise RuntimeError(f"wrk printed no report line:\n{output}")
    data = json.loads(line)
    return WrkResult(
        requests=data["requests"],
        duration_us=data["duration_us"],
        p50_us=data["p50_us"],
        p90_us=data["p90_us"],
        p99_us=data["p99_us"],
        max_us=data["max_us"],
        errors=data["connect_errors"]
        + data["read_errors"]
        + data["write_errors"]
        + data["timeouts"],
        non_2xx=data["non_2xx"],
        raw=output,
    )


def plain(result: WrkResult) -> dict[str, object]:
    """A result as JSON-ready values, without wrk's raw output."""
    data = asdict(result)
    data.pop("raw", None)
    return dict(data)
