"""How an email leaves: over SMTP when `MERCATO_SMTP_URL` is set, else as an `.eml` file in
the mailbox directory (kit.mail), which stands in for a mail server on a developer's machine.

Both are keyed by the notification id: the mailbox writes `<id>.eml` (a repeat replaces it)
and SMTP sends it as the `Message-ID`, so a receiving server can recognise a repeat.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from mercato.kit.mail import EmailMessage, Mailbox
from mercato.kit.settings import Settings

SMTP_PORTS = {"smtp": 25, "smtps": 465}


class MailTransport(Protocol):
    async def send(self, message: EmailMessage, message_id: str) -> None:
        """Deliver or raise; any exception is a failed attempt."""


class MailboxTransport:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def send(self, message: EmailMessage, message_id: str) -> None:
        await asyncio.to_thread(self.mailbox.write, message, message_id)


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpServer:
    """`smtp://[user:pass@]host[:port]` (STARTTLS when the server offers it) or `smtps://`
    (TLS from the first byte); user and password are percent-decoded."""
    parts = urlsplit(url)
    if parts.scheme not in SMTP_PORTS:
        raise ValueError(f"MERCATO_SMTP_URL must start with smtp:// or smtps://, not {url!r}")
    if not parts.hostname:
        raise ValueError("MERCATO_SMTP_URL names no host")
    return SmtpServer(
        host=parts.hostname,
        port=parts.port or SMTP_PORTS[parts.scheme],
        implicit_tls=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


class SmtpTransport:
    """One SMTP session per message: the sender's batches are small and a session is cheap
    next to keeping one open (and recovering it) across idle minutes."""

    def __init__(self, server: SmtpServer, mailbox: Mailbox, *, timeout: float) -> None:
        self.server = server
        # The mailbox builds the MIME message (headers, both parts) the same way for both
        # transports; nothing is written to its directory from here.
        self._mailbox = mailbox
        self.timeout = timeout
        # aiosmtplib's default EHLO name is socket.getfqdn(), a DNS lookup per message.
        self._local_hostname = socket.gethostname()

    def mime(self, message: EmailMessage, message_id: str) -> MimeMessage:
        return self._mailbox.mime(message, message_id)

    async def send(self, message: EmailMessage, message_id: str) -> None:
        server = self.server
        await aiosmtplib.send(
            self.mime(message, message_id),
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.implicit_tls,
            local_hostname=self._local_hostname,
            timeout=self.timeout,
        )


def transport_for(settings: Settings) -> MailTransport:
    mailbox = Mailbox(settings.mailbox_dir, sender=settings.mail_from)
    if settings.smtp_url:
        server = parse_smtp_url(settings.smtp_url)
        return SmtpTransport(server, mailbox, timeout=settings.upstream_timeout_seconds)
    return MailboxTransport(mailbox)
