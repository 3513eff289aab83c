"""Process-level tuning applied once a service has started."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Move every object alive after start-up (modules, SQLAlchemy metadata, FastAPI routes)
    out of the garbage collector's reach.

    Without it each full collection walks them all again: on `GET /api/auth/me` that showed
    as pauses of tens of milliseconds, p99 75 ms against a p50 of 6 ms at 8 connections, and
    p99 9.5 ms with it (bench/, PostgreSQL + Redis). Objects made later are collected as usual.
    """
    gc.collect()
    gc.freeze()
