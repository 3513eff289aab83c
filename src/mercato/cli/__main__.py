"""`python -m mercato.cli`: the same as the `mercato` command."""

from mercato.cli import app

app(prog_name="mercato")
