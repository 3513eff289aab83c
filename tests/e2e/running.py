"""`mercato up` as a real subprocess, on free ports, with the test run's backend."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from mercato.kit.settings import SERVICE_PORTS

READY = "Mercato is up."
STARTED = re.compile(r"^mercato: started (\w+) pid=(\d+) url=(\S+)$")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def nothing_listens(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, int(port))) != 0


def stack_env(backend: Any, data_dir: Path) -> dict[str, str]:
    """The environment of a whole stack: its own data dir and ports, the run's databases."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MERCATO_")}
    env.update(
        {
            "MERCATO_ENV": "test",
            "MERCATO_DATA_DIR": str(data_dir),
            "MERCATO_BCRYPT_ROUNDS": "4",
            "MERCATO_RATE_LIMIT": "100000/15m",
            "MERCATO_AUTH_RATE_LIMIT": "100000/15m",
            "NO_COLOR": "1",
        }
    )
    for name in SERVICE_PORTS:
        env[f"MERCATO_{name.upper()}_URL"] = f"http://127.0.0.1:{free_port()}"
    if backend.name == "postgres":
        # The run's databases (already migrated: `up` must find nothing to do) and a key
        # prefix of its own under the run's, so the run's clean-up removes its keys too.
        for service, url in backend.database_urls.items():
            env[f"MERCATO_{service.upper()}_DATABASE_URL"] = url
        env["MERCATO_REDIS_URL"] = backend.redis_url
        env["MERCATO_KV_PREFIX"] = f"{backend.kv_prefix}e2e-{uuid.uuid4().hex[:8]}:"
    return env


def mercato(*args: str) -> list[str]:
    return [sys.executable, "-m", "mercato.cli", *args]


class RunningStack:
    """One `mercato up`, its output collected line by line as it comes."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.gateway = env["MERCATO_GATEWAY_URL"]
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            mercato("up", "--ready-timeout", "90"),
            env=env,
            cwd=Path(env["MERCATO_DATA_DIR"]).parent,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    @property
    def children(self) -> dict[str, tuple[int, str]]:
        """Name -> (pid, url) of every process `up` started, from its `started` lines."""
        found = (STARTED.match(line) for line in list(self.lines))
        return {m[1]: (int(m[2]), m[3]) for m in found if m}

    def wait_until_ready(self, timeout: float = 120) -> None:
        """Until `up` says everything is healthy (it polls every /health itself)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY in self.output:
                return
            if self.process.poll() is not None:
                raise AssertionError(f"mercato up exited early:\n{self.output}")
            time.sleep(0.1)
        raise AssertionError(f"mercato up never became ready:\n{self.output}")

    def wait_exit(self, timeout: float) -> int:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            message = f"mercato up still runs after {timeout} s:\n{self.output}"
            raise AssertionError(message) from None
        self._reader.join(5)
        return code

    def stop(self) -> None:
        """Teardown: Ctrl-C, then whatever is left is killed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(20)
        self.kill_leftovers()
        # The reader ends at the pipe's EOF; then the pipe is closed here, not by the GC.
        self._reader.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def kill_leftovers(self) -> None:
        """Teardown: whatever a failed test left running, by the pids this stack started."""
        for pid, _ in self.children.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
