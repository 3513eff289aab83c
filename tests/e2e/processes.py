"""Each service as a process of its own (so one can be killed and restarted), the mailbox as
a shopper's inbox, and waiting for what the system does in the background."""

from __future__ import annotations

import contextlib
import email.policy
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, TypeVar

import httpx

from mercato.cli.stack import Component, uvicorn_command

from .running import mercato

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], *, timeout: float, what: str) -> T:
    """`probe()` again and again until it gives a truthy value (returned), at most `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s for {what}")
        time.sleep(0.1)


# --- the mailbox: `$MERCATO_DATA_DIR/mail/*.eml`, one file per notification ---------------


def mailbox_of(env: dict[str, str]) -> Path:
    return Path(env["MERCATO_DATA_DIR"]) / "mail"


def emails_to(mailbox: Path, to: str) -> list[EmailMessage]:
    parser = BytesParser(policy=email.policy.default)
    found = []
    for path in sorted(mailbox.glob("*.eml")) if mailbox.is_dir() else []:
        message = parser.parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)
        if message["To"] == to:
            found.append(message)
    return found


def wait_for_email(
    mailbox: Path, to: str, subject_contains: str, *, timeout: float = 30.0
) -> EmailMessage:
    """The one message to `to` whose subject contains `subject_contains`, once it arrived."""

    def probe() -> list[EmailMessage]:
        return [m for m in emails_to(mailbox, to) if subject_contains in m["Subject"]]

    found = eventually(probe, timeout=timeout, what=f"an email {subject_contains!r} to {to}")
    assert len(found) == 1, [m["Subject"] for m in found]
    return found[0]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    content: str = body.get_content()
    return content


# --- services as separate processes --------------------------------------------------------


class ServiceProcess:
    """`python -m uvicorn --factory mercato.<name>.app:create_app` as `mercato up` runs it,
    on the port of `MERCATO_<NAME>_URL`, its output in a log file for failures' messages."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.env = env
        self.url = env[f"MERCATO_{name.upper()}_URL"]
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.started: list[subprocess.Popen[bytes]] = []
        """Every process this object started (teardown kills whichever still runs)."""
        self.runs = 0

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        self.runs += 1
        log = (self.log_dir / f"{self.name}.{self.runs}.log").open("wb")
        with log:
            self.process = subprocess.Popen(
                uvicorn_command(sys.executable, Component(self.name, self.url)),
                env=self.env,
                cwd=self.log_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started.append(self.process)

    def is_healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited ({self.process.returncode}):\n{self.log()}")
        try:
            return httpx.get(f"{self.url}/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, whatever was in flight is cut off."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """Teardown: every process this object started and that was not reaped yet, by pid
        (a reaped pid may already belong to someone else)."""
        for process in self.started:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(10)

    def log(self) -> str:
        path = self.log_dir / f"{self.name}.{self.runs}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


class Services:
    """Several services, each its own process, sharing one environment."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: dict[str, ServiceProcess] = {}

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.processes[name]

    def url(self, name: str) -> str:
        return self.processes[name].url

    def start(self, names: Iterable[str], *, timeout: float = 40) -> None:
        """Start them side by side, then wait until every one answers its /health."""
        started = []
        for name in names:
            process = self.processes.setdefault(name, ServiceProcess(name, self.env, self.log_dir))
            process.start()
            started.append(process)
        for process in started:
            eventually(process.is_healthy, timeout=timeout, what=f"{process.name}'s /health")

    def revive(self) -> None:
        """Start again whichever process is not running (a test that failed between a kill
        and the restart must not take the next test down with it)."""
        dead = [
            p.name for p in self.processes.values() if p.process and p.process.poll() is not None
        ]
        if dead:
            self.start(dead)

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {name}:\n{p.log()}" for name, p in self.processes.items())


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A `mercato` command, as an operator runs it beside the services."""
    return subprocess.run(mercato(*args), env=env, capture_output=True, text=True, timeout=90)


def problem_code(response: httpx.Response) -> Any:
    try:
        return response.json().get("code")
    except ValueError:
        return None
