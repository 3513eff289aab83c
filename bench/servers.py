"""Start the benchmarked servers pinned to one core, wait until they answer, stop them by pid."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = REPO / ".venv" / "bin" / "python"
SERVER_CORE = "0"
LOAD_CORE = "1"


def free_port() -> int:
    """A port the kernel says is free now (never the fixed 3001-3005/8080 others may use)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    health_path: str = "/health"
    ready_statuses: tuple[int, ...] = (200,)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}; log {self.log_path}:\n"
                    + tail(self.log_path)
                )
            try:
                with urllib.request.urlopen(self.url + self.health_path, timeout=2) as response:
                    if response.status in self.ready_statuses:
                        return
                    last_error = f"HTTP {response.status}"
            except urllib.error.HTTPError as exc:
                if exc.code in self.ready_statuses:
                    return
                last_error = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError) as exc:
                last_error = str(exc)
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout}s ({last_error})")

    def pids(self) -> list[int]:
        """The server's own pid and its children's (nginx's worker)."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [pid, *(int(child) for child in children)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(servers: list[Server]) -> float:
    """User + system CPU the servers' processes have used so far: unlike req/s, CPU per
    request hardly moves when another process competes for the core."""
    total = 0
    for server in servers:
        for pid in server.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def pinned(command: list[str]) -> list[str]:
    return ["taskset", "-c", SERVER_CORE, *command]


def start_uvicorn(
    name: str,
    target: str,
    env: dict[str, str],
    run_dir: Path,
    *,
    factory: bool,
    port: int,
    pin: bool = True,
) -> Server:
    """One uvicorn process configured like `mercato up` runs services, on the server core
    (or, with `pin=False`, wherever the kernel puts it)."""
    command = [
        str(PYTHON),
        "-m",
        "uvicorn",
        *(["--factory"] if factory else []),
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--timeout-keep-alive",
        "75",
        "--log-level",
        "warning",
    ]
    log_path = run_dir / f"{name}.log"
    with log_path.open("wb") as log:
        # taskset execs uvicorn, so this pid is the server's own pid.
        process = subprocess.Popen(
            pinned(command) if pin else command,
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return Server(name, port, process, log_path)


def start_nginx(
    name: str, upstream_port: int, run_dir: Path, *, port: int, health_path: str
) -> Server:
    """nginx from the template, master and its one worker on the server core."""
    nginx_dir = run_dir / name
    nginx_dir.mkdir(parents=True, exist_ok=True)
    # Running as root, nginx would drop its worker to `nobody`, who cannot enter our
    # private temp dir.
    user = "user root;" if os.geteuid() == 0 else ""
    template = (REPO / "bench" / "nginx.conf.template").read_text()
    config = (
        template.replace("{{user_directive}}", user)
        .replace("{{run_dir}}", str(nginx_dir))
        .replace("{{upstream_port}}", str(upstream_port))
        .replace("{{listen_port}}", str(port))
    )
    config_path = nginx_dir / "nginx.conf"
    config_path.write_text(config)
    log_path = nginx_dir / "nginx-stdout.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            pinned(["nginx", "-p", str(nginx_dir), "-c", str(config_path), "-g", "daemon off;"]),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return Server(name, port, process, log_path, health_path=health_path)


def stop_all(servers: list[Server]) -> None:
    for server in reversed(servers):
        try:
            server.stop()
        except Exception as exc:  # keep stopping the others
            print(f"warning: could not stop {server.name}: {exc}", file=sys.stderr)
