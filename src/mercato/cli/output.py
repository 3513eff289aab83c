"""Where every `mercato` command writes: one rich console, and the one way to fail."""

from __future__ import annotations

import typer
from rich.console import Console

console = Console()


def fail(message: str) -> typer.Exit:
    """Print `message` as an error; raise the returned exit to end the command with status 1."""
    console.print(f"[bold red]mercato: {message}[/]", soft_wrap=True)
    return typer.Exit(1)
