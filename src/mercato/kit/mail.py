"""Emails: rendered from a service's Jinja2 templates, written as `.eml` files to a mailbox.

The mailbox directory (`$MERCATO_DATA_DIR/mail`) stands in for an SMTP server until one is
configured: each message is a real RFC 5322 file that any mail client or `email.parser` opens.
"""

from __future__ import annotations

import email.policy
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage as MimeMessage
from email.parser import BytesParser
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

DEFAULT_SENDER = "Mercato <no-reply@mercato.local>"

# Ids become file names: letters, digits, dot, dash, underscore, never starting with a dot,
# so no id can name a path outside the mailbox, a hidden file, or `..`.
_MESSAGE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str


class Mailbox:
    """A directory of `.eml` files, one per message id; writing an id again replaces it."""

    def __init__(self, directory: Path, *, sender: str = DEFAULT_SENDER) -> None:
        self.directory = directory
        self.sender = sender
        self._domain = parseaddr(sender)[1].rpartition("@")[2] or "mercato.local"

    def path_for(self, message_id: str) -> Path:
        if not _MESSAGE_ID.fullmatch(message_id):
            raise ValueError(f"invalid message id {message_id!r}")
        return self.directory / f"{message_id}.eml"

    def write(self, message: EmailMessage, message_id: str) -> Path:
        """Write the message atomically: readers see the whole file or none of it.

        Idempotent by `message_id` (an outbox event id), so a redelivered event leaves one file.
        """
        path = self.path_for(message_id)
        # LF line ends, as maildir files have them: parsed back, the parts equal what was sent.
        data = self.mime(message, message_id).as_bytes(policy=email.policy.default)
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return path

    def read(self, message_id: str) -> MimeMessage:
        """The stored message, parsed (`get_body(("plain",)).get_content()` gives the text)."""
        with self.path_for(message_id).open("rb") as file:
            parsed = BytesParser(policy=email.policy.default).parse(file)
        assert isinstance(parsed, MimeMessage)  # guaranteed by policy.default
        return parsed

    def mime(self, message: EmailMessage, message_id: str) -> MimeMessage:
        """The RFC 5322 message as written here, and as an SMTP transport sends it."""
        mime = MimeMessage()
        # Header values with CR/LF raise ValueError here: no header injection via `to`/`subject`.
        mime["From"] = self.sender
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime["Date"] = format_datetime(datetime.now(UTC))
        mime["Message-ID"] = f"<{message_id}@{self._domain}>"
        mime.set_content(message.text)
        mime.add_alternative(message.html, subtype="html")
        return mime


class EmailRenderer:
    """Renders `<name>.subject.j2`, `<name>.txt.j2` and `<name>.html.j2` from `package/templates`.

    Only the HTML part is autoescaped (escaping the text part would show `&amp;` to readers);
    StrictUndefined turns a missing variable into an error instead of a blank in a sent email.
    """

    def __init__(self, package: str) -> None:
        self.environment = Environment(
            loader=PackageLoader(package, "templates"),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )

    def render(self, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
        """(subject, text, html); the subject is collapsed to one line."""
        subject = self.environment.get_template(f"{template}.subject.j2").render(context)
        text = self.environment.get_template(f"{template}.txt.j2").render(context)
        html = self.environment.get_template(f"{template}.html.j2").render(context)
        return " ".join(subject.split()), text, html

    def message(self, template: str, to: str, context: dict[str, Any]) -> EmailMessage:
        """The rendered email for one recipient."""
        subject, text, html = self.render(template, context)
        return EmailMessage(to=to, subject=subject, text=text, html=html)
