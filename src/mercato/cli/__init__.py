"""The `mercato` command: run the whole stack, migrate databases, create an admin, inspect
and requeue outbox events."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Annotated

import typer

from mercato import __version__
from mercato.cli.outbox import outbox_app
from mercato.cli.output import console, fail
from mercato.cli.stack import (
    WEB,
    components,
    is_installed,
    migrated_services,
    port_in_use,
    uvicorn_command,
)
from mercato.cli.supervisor import Supervisor
from mercato.kit.errors import MercatoError
from mercato.kit.migrations import upgrade
from mercato.kit.settings import SERVICES, Settings

app = typer.Typer(
    name="mercato",
    help="Mercato, an e-commerce platform built as Python microservices.",
    no_args_is_help=True,
    add_completion=False,
)


def migrate_services(settings: Settings, services: list[str]) -> None:
    for service in services:
        with console.status(f"migrating {service}..."):
            try:
                upgrade(service, settings.database_url(service))
            except Exception as exc:  # any failure here stops the command with its reason
                raise fail(f"migrating {service} failed: {type(exc).__name__}: {exc}") from exc
        console.print(f"[green]✓[/] {service} database is up to date")


@app.command()
def up(
    ready_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for every /health to answer 200.")
    ] = 60.0,
    demo: Annotated[
        bool, typer.Option(help="Load the demo catalog when the catalog is empty.")
    ] = True,
) -> None:
    """Migrate every service, load the demo catalog on first start, start every service, the
    gateway and the web storefront, and stop them all on Ctrl-C."""
    settings = Settings()
    stack = components(settings)
    if not stack:
        raise fail("no service is installed: nothing to start")
    taken = [c for c in stack if port_in_use(c.host, c.port)]
    for component in taken:
        console.print(
            f"[bold red]mercato: port {component.port} on {component.host} is already in use;"
            f" {component.name} cannot listen on {component.url}.[/] Stop whatever holds it"
            f" (another `mercato up`?) or set MERCATO_{component.name.upper()}_URL.",
            soft_wrap=True,
        )
    if taken:
        raise typer.Exit(1)
    migrate_services(settings, migrated_services())
    if demo and is_installed("products"):
        seed_catalog(settings, only_if_empty=True)

    data_dir = settings.data_dir.resolve()
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "MERCATO_DATA_DIR": str(data_dir),
        # The gateway's aggregated /health covers exactly the services started here (not
        # the storefront, which is no upstream of the gateway).
        "MERCATO_GATEWAY_SERVICES": ",".join(c.name for c in stack if c.name in SERVICES),
    }
    commands = {c.name: uvicorn_command(sys.executable, c) for c in stack}
    notes = [
        f"  {'mailbox (emails)':<20} {settings.mailbox_dir.resolve()}",
        *([storefront_note(settings)] if any(c.name == WEB for c in stack) else []),
        f"The catalog: {settings.service_url('gateway')}/api/products",
        "An admin: .venv/bin/mercato create-admin --email you@example.com",
    ]
    supervisor = Supervisor(
        stack, commands, env, console, ready_timeout=ready_timeout, ready_notes=notes
    )
    code = asyncio.run(supervisor.run())
    if code == 0:
        console.print(f"Data (databases, keys, mailbox) stays in {data_dir}.")
    raise typer.Exit(code)


def storefront_note(settings: Settings) -> str:
    from mercato.web.build import Build, dist_dir

    note = f"Storefront: {settings.service_url(WEB)}"
    if not Build(dist_dir(settings)).is_built():
        note += " (not built yet: run `make web`, then reload the page)"
    return note


def seed_catalog(settings: Settings, *, only_if_empty: bool) -> None:
    from mercato.products.seed import seed

    with console.status("loading the demo catalog..."):
        try:
            outcome = asyncio.run(seed(settings, only_if_empty=only_if_empty))
        except Exception as exc:  # any failure here stops the command with its reason
            raise fail(f"loading the demo catalog failed: {type(exc).__name__}: {exc}") from exc
    if outcome is None:
        return
    console.print(
        f"[green]✓[/] demo catalog: {outcome.categories} categories and"
        f" {outcome.products} products added",
        highlight=False,
    )


@app.command("seed")
def seed_command() -> None:
    """Load the demo catalog (8 categories, 60 products). Safe to repeat: what exists, by
    category slug and product SKU, is left as it is."""
    settings = Settings()
    migrate_services(settings, ["products"])
    seed_catalog(settings, only_if_empty=False)


@app.command()
def migrate(
    service: Annotated[
        str | None, typer.Argument(help="Only this service (default: every service).")
    ] = None,
) -> None:
    """Bring the services' databases to the latest migration."""
    services = migrated_services()
    if service is not None:
        if service not in services:
            raise fail(f"no migrations for {service!r}; services with a database: {services}")
        services = [service]
    migrate_services(Settings(), services)


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's email (an existing user is promoted).")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            confirmation_prompt=True,
            hide_input=True,
            help="Asked for when omitted.",
        ),
    ],
    name: Annotated[str, typer.Option(help="Display name of a new account.")] = "Admin",
) -> None:
    """Create an admin account, or promote an existing user to admin."""
    from mercato.users.admin import create_admin as create_or_promote

    settings = Settings()
    migrate_services(settings, ["users"])
    try:
        outcome = asyncio.run(create_or_promote(settings, email, password, name))
    except MercatoError as exc:
        raise fail(exc.detail) from exc
    console.print(f"[green]✓[/] admin {email} {outcome}", highlight=False)


@app.command()
def version() -> None:
    """Print Mercato's version."""
    console.print(__version__, highlight=False)


app.add_typer(outbox_app, name="outbox")
