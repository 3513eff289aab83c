"""Builders and readers the users tests share: accounts, clients, the mailbox."""

from __future__ import annotations

import asyncio
import email.policy
import itertools
import re
import uuid
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi import FastAPI

PASSWORD = "correct horse battery"
_addresses = itertools.count(1)


def unique_email(prefix: str = "shopper") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def client_for(app: FastAPI, address: str | None = None) -> httpx.AsyncClient:
    """A client with an address of its own, so per-address login throttling in one test never
    spills into another."""
    n = next(_addresses)
    address = address or f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
    transport = httpx.ASGITransport(app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://users.test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/auth/refresh", json={"refresh_token": token})


async def register(
    client: httpx.AsyncClient,
    email: str | None = None,
    password: str = PASSWORD,
    name: str = "Ada Shopper",
    **extra: Any,
) -> dict[str, Any]:
    response = await client.post(
        "/api/auth/register",
        json={"email": email or unique_email(), "password": password, "name": name, **extra},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def wait_for_email(
    mailbox: Path, to: str, subject_contains: str, *, count: int = 1, timeout: float = 10.0
) -> EmailMessage:
    """The newest message to `to` whose subject matches, once `count` such messages are in the
    mailbox: users' relay hands the event to the notifications service, which writes
    `<notification id>.eml` there."""
    deadline = asyncio.get_running_loop().time() + timeout
    parser = BytesParser(policy=email.policy.default)
    while True:
        found = []
        for path in mailbox.glob("*.eml") if mailbox.is_dir() else []:
            message = parser.parsebytes(path.read_bytes())
            assert isinstance(message, EmailMessage)
            if message["To"] == to and subject_contains in message["Subject"]:
                found.append((path.stat().st_mtime_ns, message))
        if len(found) >= count:
            return max(found, key=lambda item: item[0])[1]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no email {subject_contains!r} to {to} in {mailbox}")
        await asyncio.sleep(0.05)


def emails_to(mailbox: Path, to: str) -> list[EmailMessage]:
    parser = BytesParser(policy=email.policy.default)
    messages = []
    for path in mailbox.glob("*.eml") if mailbox.is_dir() else []:
        message = parser.parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)
        if message["To"] == to:
            messages.append(message)
    return messages


def link_in(message: EmailMessage, path: str) -> str:
    """The token of the first link to `path` in the plain-text part."""
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    match = re.search(r"https?://\S+", text)
    assert match, text
    url = urlsplit(match.group(0))
    assert url.path == path, match.group(0)
    return parse_qs(url.query)["token"][0]
