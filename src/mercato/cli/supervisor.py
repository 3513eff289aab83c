"""Runs the stack's processes side by side: starts them, prefixes their output, waits for
their health, and stops them all together. Nothing is ever restarted behind the user's back."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from mercato.cli.stack import GATEWAY, WEB, Component

COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "bright_cyan", "bright_magenta")
TAIL_LINES = 20
HEALTH_POLL_SECONDS = 0.2
MAX_LINE_BYTES = 1024 * 1024
LABELS = {GATEWAY: "gateway (the API)", WEB: "web (open this)"}


@dataclass
class Child:
    """A component's running process and the last lines it wrote."""

    component: Component
    command: list[str]
    colour: str
    process: asyncio.subprocess.Process | None = None
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=TAIL_LINES))
    output_done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def name(self) -> str:
        return self.component.name

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None


class NotReady(Exception):
    """Some processes did not report healthy in time."""

    def __init__(self, children: list[Child]) -> None:
        super().__init__(", ".join(child.name for child in children))
        self.children = children


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Supervisor:
    def __init__(
        self,
        components: Sequence[Component],
        commands: Mapping[str, list[str]],
        env: Mapping[str, str],
        console: Console,
        *,
        ready_timeout: float = 60.0,
        stop_grace: float = 10.0,
        ready_notes: Sequence[str] = (),
    ) -> None:
        width = max(len(c.name) for c in components)
        self.children = [
            Child(c, commands[c.name], COLOURS[i % len(COLOURS)]) for i, c in enumerate(components)
        ]
        self.env = dict(env)
        self.console = console
        self.ready_timeout = ready_timeout
        self.stop_grace = stop_grace
        self.ready_notes = list(ready_notes)
        self.prefix_width = width
        self.stop_requested = asyncio.Event()
        self.force_stop = asyncio.Event()
        self.child_died = asyncio.Event()
        self.dead: list[tuple[Child, int]] = []
        self.stopping = False
        self.tasks: list[asyncio.Task[None]] = []

    async def run(self) -> int:
        """Start everything, wait until healthy, then until Ctrl-C or a death. The exit code."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal)
        try:
            await self._start_all()
            try:
                await self._until_interrupted(asyncio.ensure_future(self._wait_ready()))
            except NotReady as exc:
                for child in exc.children:
                    self._report_not_ready(child)
                return 1
            if not self.interrupted:
                self._print_ready()
                await self._until_interrupted()
            for child, code in self.dead:
                self._report_death(child, code)
            return 1 if self.dead else 0
        finally:
            await self._stop_all()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    @property
    def interrupted(self) -> bool:
        return self.stop_requested.is_set() or self.child_died.is_set()

    def _on_signal(self) -> None:
        if self.stop_requested.is_set():
            self.force_stop.set()  # a second Ctrl-C skips the grace period
        self.stop_requested.set()

    async def _until_interrupted(self, work: asyncio.Future[None] | None = None) -> None:
        """Wait for `work` (when given), a stop request or a death, whichever comes first.

        Cancels whatever is still waiting; raises what `work` raised unless interrupted."""
        futures: list[asyncio.Future[Any]] = [
            asyncio.ensure_future(self.stop_requested.wait()),
            asyncio.ensure_future(self.child_died.wait()),
        ]
        if work is not None:
            futures.append(work)
        await asyncio.wait(futures, return_when=asyncio.FIRST_COMPLETED)
        for future in futures:
            if not future.done():
                future.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await future
        if work is not None and not work.cancelled():
            failure = work.exception()
            if failure is not None and not self.interrupted:
                raise failure

    # -- starting and watching -------------------------------------------------------------

    async def _start_all(self) -> None:
        for child in self.children:
            child.process = await asyncio.create_subprocess_exec(
                *child.command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=self.env,
                # Own process group: Ctrl-C reaches only `mercato up`, which stops each child.
                process_group=0,
                limit=MAX_LINE_BYTES,
            )
            self.console.print(
                f"mercato: started {child.name} pid={child.pid} url={child.component.url}",
                soft_wrap=True,
                highlight=False,
                markup=False,
            )
            self.tasks.append(asyncio.create_task(self._pump_output(child)))
            self.tasks.append(asyncio.create_task(self._watch(child)))

    async def _pump_output(self, child: Child) -> None:
        assert child.process is not None
        assert child.process.stdout is not None
        stream = child.process.stdout
        prefix = Text(f"{child.name:<{self.prefix_width}} | ", style=f"bold {child.colour}")
        try:
            while True:
                try:
                    raw = await stream.readline()
                except ValueError:  # a line longer than the limit: take what is buffered
                    raw = await stream.read(MAX_LINE_BYTES)
                if not raw:
                    break
                line = raw.decode(errors="replace").rstrip()
                child.tail.append(line)
                self.console.print(
                    Text.assemble(prefix, line), soft_wrap=True, highlight=False, markup=False
                )
        finally:
            child.output_done.set()

    async def _watch(self, child: Child) -> None:
        assert child.process is not None
        code = await child.process.wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(child.output_done.wait(), 2)
        if not self.stopping:
            self.dead.append((child, code))
            self.child_died.set()

    async def _wait_ready(self) -> None:
        columns = (
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
        )
        pending = list(self.children)
        timeout = aiohttp.ClientTimeout(total=2)
        with Progress(*columns, console=self.console) as progress:
            tasks = {
                c.name: progress.add_task(
                    f"waiting for {c.name} ({c.component.url}/health)", total=1
                )
                for c in self.children
            }
            async with aiohttp.ClientSession(timeout=timeout) as http:

                async def until_healthy(child: Child) -> None:
                    # Polling is the only way to learn that another process is listening.
                    while True:
                        if await _is_healthy(http, child.component.url):
                            break
                        await asyncio.sleep(HEALTH_POLL_SECONDS)
                    pending.remove(child)
                    progress.update(
                        tasks[child.name], description=f"{child.name} is healthy", completed=1
                    )

                # The gateway last: its /health is only green once the services' are.
                first = [c for c in self.children if c.name != GATEWAY]
                last = [c for c in self.children if c.name == GATEWAY]
                try:
                    async with asyncio.timeout(self.ready_timeout):
                        await asyncio.gather(*(until_healthy(c) for c in first))
                        await asyncio.gather(*(until_healthy(c) for c in last))
                except TimeoutError:
                    raise NotReady(list(pending)) from None

    # -- reporting --------------------------------------------------------------------------

    def _print_ready(self) -> None:
        self.console.print()
        self.console.print("[bold green]Mercato is up.[/] Press Ctrl-C to stop everything.")
        for child in self.children:
            label = LABELS.get(child.name, child.name)
            self.console.print(f"  {label:<20} {child.component.url}", highlight=False)
        for note in self.ready_notes:
            self.console.print(note, highlight=False, soft_wrap=True)

    def _print_tail(self, child: Child) -> None:
        if not child.tail:
            self.console.print("  (it wrote nothing)", style="red")
        for line in child.tail:
            self.console.print(Text(f"  {line}"), soft_wrap=True, highlight=False)

    def _report_death(self, child: Child, code: int) -> None:
        self.console.rule(f"[bold red]{child.name} DIED", style="red")
        self.console.print(
            f"mercato: {child.name} (pid {child.pid}) exited on its own, {describe_exit(code)}."
            " Nothing is restarted; stopping the others. Its last lines:",
            style="bold red",
            soft_wrap=True,
            markup=False,
        )
        self._print_tail(child)
        self.console.rule(style="red")

    def _report_not_ready(self, child: Child) -> None:
        self.console.rule(f"[bold red]{child.name} NOT READY", style="red")
        self.console.print(
            f"mercato: {child.name} did not answer GET {child.component.url}/health with 200"
            f" within {self.ready_timeout:g} s; stopping everything. Its last lines:",
            style="bold red",
            soft_wrap=True,
            markup=False,
        )
        self._print_tail(child)
        self.console.rule(style="red")

    # -- stopping ---------------------------------------------------------------------------

    async def _stop_all(self) -> None:
        self.stopping = True
        running = [child for child in self.children if child.running]
        for child in running:
            _signal_group(child, signal.SIGTERM)
        if running:
            waits: list[asyncio.Future[Any]] = [
                asyncio.ensure_future(asyncio.gather(*(_wait_exit(c) for c in running))),
                asyncio.ensure_future(self.force_stop.wait()),
            ]
            await asyncio.wait(waits, timeout=self.stop_grace, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waits:
                waiter.cancel()
        for child in self.children:
            if child.running:
                self.console.print(
                    f"mercato: {child.name} ignored SIGTERM; sending SIGKILL", style="yellow"
                )
                _signal_group(child, signal.SIGKILL)
        await asyncio.gather(*(_wait_exit(child) for child in self.children if child.process))
        for task in self.tasks:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, 2)
        if running:
            self.console.print("mercato: every process has stopped.")


async def _is_healthy(http: aiohttp.ClientSession, base_url: str) -> bool:
    try:
        async with http.get(f"{base_url}/health") as answer:
            return answer.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


async def _wait_exit(child: Child) -> None:
    assert child.process is not None
    await child.process.wait()


def _signal_group(child: Child, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, sig)
