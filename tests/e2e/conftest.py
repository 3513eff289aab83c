"""Whole stacks started with `mercato up`, always torn down by the pids they started."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .running import RunningStack, stack_env

Launch = Callable[..., RunningStack]


@pytest.fixture
def new_env(backend: Any, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], dict[str, str]]:
    """A stack environment: its own data dir and free ports, the run's backend."""

    def make() -> dict[str, str]:
        return stack_env(backend, tmp_path_factory.mktemp("stack") / "var")

    return make


@pytest.fixture
def launch(new_env: Callable[[], dict[str, str]]) -> Iterator[Launch]:
    """Start a stack per call (in a fresh environment unless given one); each one is stopped
    at teardown, and whatever it left is killed."""
    stacks: list[RunningStack] = []

    def start(env: dict[str, str] | None = None) -> RunningStack:
        stack = RunningStack(env or new_env())
        stacks.append(stack)
        return stack

    yield start
    for stack in stacks:
        stack.stop()


@pytest.fixture(scope="module")
def stack(backend: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """One healthy stack shared by a module's tests (they never share data: unique emails)."""
    running = RunningStack(stack_env(backend, tmp_path_factory.mktemp("stack") / "var"))
    try:
        running.wait_until_ready()
        yield running
    finally:
        running.stop()
