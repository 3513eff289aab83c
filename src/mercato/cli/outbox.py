"""`mercato outbox`: each service's outbox at a glance, its dead letters, and requeueing them.

A service has an outbox when its package exposes the table as `mercato.<service>.models.outbox`
(kit.outbox.outbox_table); the command finds them that way, so a new service needs no change
here.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy import Table
from typer.core import TyperGroup

from mercato.cli.output import console, fail
from mercato.cli.stack import migrated_services
from mercato.kit.db import Database
from mercato.kit.outbox import DEAD, DeadLetter, dead_letters, requeue_dead, status_counts
from mercato.kit.settings import Settings

T = TypeVar("T")
SHOWN_DEAD_LETTERS = 100


class _ShowByDefault(TyperGroup):
    """`mercato outbox [SERVICE]` runs the hidden `show` command; `requeue` is named. (A click
    group reads its own arguments before the subcommand, so an optional SERVICE argument on
    the group itself would swallow the word `requeue`.)"""

    def parse_args(
        self,
        ctx: Any,  # typer's vendored click.Context, which it does not export
        args: list[str],
    ) -> list[str]:
        if not args or (args[0] not in self.commands and not args[0].startswith("-")):
            args = ["show", *args]
        return super().parse_args(ctx, args)


outbox_app = typer.Typer(
    cls=_ShowByDefault,
    help="Outbox events by status and the dead ones (`mercato outbox [SERVICE]`), or requeue "
    "dead events (`mercato outbox requeue SERVICE`).",
)


def outbox_tables() -> dict[str, Table]:
    """Every installed service's outbox table, by service name."""
    tables = {}
    for service in migrated_services():
        try:
            models = importlib.import_module(f"mercato.{service}.models")
        except ModuleNotFoundError:
            continue
        table = getattr(models, "outbox", None)
        if isinstance(table, Table):
            tables[service] = table
    return tables


def _chosen(service: str | None) -> dict[str, Table]:
    tables = outbox_tables()
    if service is None:
        return tables
    if service not in tables:
        raise fail(f"no outbox for {service!r}; services with an outbox: {sorted(tables)}")
    return {service: tables[service]}


def _on_database(settings: Settings, service: str, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        database = Database(settings.database_url(service))
        try:
            return await work(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except Exception as exc:  # an unreachable or unmigrated database ends the command plainly
        raise fail(f"reading the {service} outbox failed: {type(exc).__name__}: {exc}") from exc


async def _read(database: Database, table: Table) -> tuple[dict[str, int], list[DeadLetter]]:
    return await status_counts(database, table), await dead_letters(
        database, table, SHOWN_DEAD_LETTERS
    )


@outbox_app.command(hidden=True)
def show(
    service: Annotated[
        str | None, typer.Argument(help="Only this service (default: every service).")
    ] = None,
) -> None:
    """Count each service's outbox events by status and list the dead ones."""
    settings = Settings()
    for name, table in _chosen(service).items():
        counts, dead = _on_database(settings, name, partial(_read, table=table))
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "empty"
        console.print(f"[bold]{name}[/] outbox: {summary}", highlight=False)
        for event in dead:
            console.print(
                f"  dead {event.id}  {event.topic}  attempts={event.attempts}"
                f"  {event.last_error or ''}",
                soft_wrap=True,
                highlight=False,
                markup=False,
            )
        if counts.get(DEAD, 0) > len(dead):
            console.print(f"  ... and {counts[DEAD] - len(dead)} more dead events")
        if dead:
            console.print(f"  requeue them: mercato outbox requeue {name} --all-dead")


@outbox_app.command()
def requeue(
    service: Annotated[str, typer.Argument(help="The service whose dead events to requeue.")],
    event_ids: Annotated[
        list[str] | None,
        typer.Option("--id", help="A dead event's id (repeat for several)."),
    ] = None,
    all_dead: Annotated[bool, typer.Option("--all-dead", help="Every dead event.")] = False,
) -> None:
    """Put dead events back to pending with their attempts reset.

    The relay of the running service delivers them again at its next poll."""
    if bool(event_ids) == all_dead:
        raise fail("give either --id ID (one or more) or --all-dead")
    table = _chosen(service)[service]

    async def put_back(database: Database) -> int:
        return await requeue_dead(database, table, None if all_dead else event_ids)

    count = _on_database(Settings(), service, put_back)
    console.print(f"[green]✓[/] requeued {count} dead event(s) of {service}", highlight=False)
    if event_ids and count < len(set(event_ids)):
        raise fail(f"{len(set(event_ids)) - count} of the given ids are not dead {service} events")
