"""`mercato outbox [SERVICE]` and `mercato outbox requeue`, run in process as a user types them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select
from typer.testing import CliRunner

from mercato.cli import app
from mercato.kit.db import Database
from mercato.kit.outbox import DEAD, DELIVERED, PENDING
from mercato.kit.settings import Settings
from mercato.users.models import outbox

runner = CliRunner()


class UsersOutbox:
    """The users outbox the command will read: events are added directly, as a relay that
    gave up would have left them, and removed afterwards (the database may be shared)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ids: list[str] = []

    def _run(self, work: Any) -> Any:
        async def run() -> Any:
            database = Database(self.url)
            try:
                async with database.engine.begin() as conn:
                    return await work(conn)
            finally:
                await database.dispose()

        return asyncio.run(run())

    def add(self, status: str, *, attempts: int = 8, error: str | None = None) -> str:
        event_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        row = {
            "id": event_id,
            "topic": "test.cli-outbox",
            "payload": {},
            "status": status,
            "attempts": attempts,
            "available_at": now,
            "last_error": error,
            "created_at": now,
            "delivered_at": now if status == DELIVERED else None,
        }
        self._run(lambda conn: conn.execute(insert(outbox).values(row)))
        self.ids.append(event_id)
        return event_id

    def state(self, event_id: str) -> tuple[str, int]:
        query = select(outbox.c.status, outbox.c.attempts).where(outbox.c.id == event_id)

        async def read(conn: Any) -> tuple[str, int]:
            status, attempts = (await conn.execute(query)).one()
            return status, attempts

        result: tuple[str, int] = self._run(read)
        return result

    def remove_added(self) -> None:
        if self.ids:
            self._run(lambda conn: conn.execute(delete(outbox).where(outbox.c.id.in_(self.ids))))


@pytest.fixture
def users_outbox(env: dict[str, str]) -> Iterator[UsersOutbox]:
    # Every service: `mercato outbox` without a service reads all their outboxes.
    result = runner.invoke(app, ["migrate"], env=env)
    assert result.exit_code == 0, result.output
    settings = Settings(
        data_dir=Path(env["MERCATO_DATA_DIR"]),
        users_database_url=env.get("MERCATO_USERS_DATABASE_URL"),
    )
    events = UsersOutbox(settings.database_url("users"))
    yield events
    events.remove_added()


class TestShow:
    def test_counts_by_status_and_lists_the_dead(
        self, env: dict[str, str], users_outbox: UsersOutbox
    ) -> None:
        users_outbox.add(DELIVERED, attempts=0)
        dead = users_outbox.add(DEAD, error="ConnectionRefusedError: mail server down")

        for args in (["outbox"], ["outbox", "users"]):
            result = runner.invoke(app, args, env=env)
            assert result.exit_code == 0, result.output
            summary = next(line for line in result.output.splitlines() if "users outbox:" in line)
            assert "dead" in summary
            assert "delivered" in summary
            listed = next(line for line in result.output.splitlines() if dead in line)
            assert "test.cli-outbox" in listed
            assert "attempts=8" in listed
            assert "ConnectionRefusedError: mail server down" in listed
            assert "mercato outbox requeue users --all-dead" in result.output

    def test_an_unknown_service_is_refused(self, env: dict[str, str]) -> None:
        result = runner.invoke(app, ["outbox", "warehouse"], env=env)
        assert result.exit_code == 1
        assert "no outbox for 'warehouse'" in result.output
        assert "'users'" in result.output

    def test_an_unmigrated_database_fails_plainly(self, tmp_path: Path) -> None:
        env = {"MERCATO_USERS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"}
        result = runner.invoke(app, ["outbox", "users"], env=env)
        assert result.exit_code == 1
        assert "reading the users outbox failed" in result.output
        assert "Traceback" not in result.output


class TestRequeue:
    def test_one_event_by_id(self, env: dict[str, str], users_outbox: UsersOutbox) -> None:
        chosen = users_outbox.add(DEAD, error="boom")
        other = users_outbox.add(DEAD, error="boom")

        result = runner.invoke(app, ["outbox", "requeue", "users", "--id", chosen], env=env)

        assert result.exit_code == 0, result.output
        assert "requeued 1 dead event(s) of users" in result.output
        assert users_outbox.state(chosen) == (PENDING, 0)
        assert users_outbox.state(other) == (DEAD, 8)

    def test_all_dead(self, env: dict[str, str], users_outbox: UsersOutbox) -> None:
        dead = [users_outbox.add(DEAD, attempts=3), users_outbox.add(DEAD)]
        delivered = users_outbox.add(DELIVERED, attempts=0)

        result = runner.invoke(app, ["outbox", "requeue", "users", "--all-dead"], env=env)

        assert result.exit_code == 0, result.output
        assert [users_outbox.state(event) for event in dead] == [(PENDING, 0), (PENDING, 0)]
        assert users_outbox.state(delivered) == (DELIVERED, 0)
        listing = runner.invoke(app, ["outbox", "users"], env=env)
        assert not any(event in listing.output for event in dead)

    def test_an_id_that_is_not_dead_fails(
        self, env: dict[str, str], users_outbox: UsersOutbox
    ) -> None:
        delivered = users_outbox.add(DELIVERED, attempts=0)
        result = runner.invoke(
            app, ["outbox", "requeue", "users", "--id", delivered, "--id", "no-such-id"], env=env
        )
        assert result.exit_code == 1
        assert "requeued 0" in result.output
        assert "2 of the given ids are not dead users events" in result.output
        assert users_outbox.state(delivered) == (DELIVERED, 0)

    @pytest.mark.parametrize("options", [[], ["--all-dead", "--id", "x"]], ids=["neither", "both"])
    def test_asks_for_ids_or_all_dead(self, env: dict[str, str], options: list[str]) -> None:
        result = runner.invoke(app, ["outbox", "requeue", "users", *options], env=env)
        assert result.exit_code == 1
        assert "give either --id ID (one or more) or --all-dead" in result.output
