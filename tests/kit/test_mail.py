"""Emails rendered from a package's templates and written to a mailbox directory."""

from __future__ import annotations

import email.policy
import uuid
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from mercato.kit.mail import DEFAULT_SENDER, EmailMessage, EmailRenderer, Mailbox

TEMPLATES = {
    "welcome.subject.j2": "Welcome to Mercato,\n  {{ name }}!\n",
    "welcome.txt.j2": "Hello {{ name }},\nconfirm at {{ link }}\n",
    "welcome.html.j2": '<p>Hello {{ name }},</p>\n<p><a href="{{ link }}">Confirm</a></p>\n',
}


@pytest.fixture
def renderer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EmailRenderer:
    """A renderer over a throwaway importable package holding `templates/`."""
    package = f"mail_templates_{uuid.uuid4().hex[:8]}"
    templates = tmp_path / package / "templates"
    templates.mkdir(parents=True)
    (tmp_path / package / "__init__.py").write_text("")
    for name, body in TEMPLATES.items():
        (templates / name).write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    return EmailRenderer(package)


def parse(path: Path) -> email.message.EmailMessage:
    parsed = BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


class TestEmailRenderer:
    def test_renders_subject_on_one_line_text_and_escaped_html(
        self, renderer: EmailRenderer
    ) -> None:
        subject, text, html = renderer.render(
            "welcome",
            {"name": "Zoë <b>&", "link": "http://localhost:3000/verify-email?token=a&b=1"},
        )
        assert subject == "Welcome to Mercato, Zoë <b>&!"
        assert (
            text == "Hello Zoë <b>&,\nconfirm at http://localhost:3000/verify-email?token=a&b=1\n"
        )
        assert "<p>Hello Zoë &lt;b&gt;&amp;,</p>" in html
        assert 'href="http://localhost:3000/verify-email?token=a&amp;b=1"' in html

    def test_missing_variable_is_an_error_not_a_blank(self, renderer: EmailRenderer) -> None:
        with pytest.raises(UndefinedError):
            renderer.render("welcome", {"name": "Ann"})

    def test_message_for_a_recipient(self, renderer: EmailRenderer) -> None:
        message = renderer.message("welcome", "ann@ex.com", {"name": "Ann", "link": "L"})
        assert message == EmailMessage(
            to="ann@ex.com",
            subject="Welcome to Mercato, Ann!",
            text="Hello Ann,\nconfirm at L\n",
            html='<p>Hello Ann,</p>\n<p><a href="L">Confirm</a></p>\n',
        )


class TestMailbox:
    def test_rendered_email_parses_back_with_both_parts(
        self, tmp_path: Path, renderer: EmailRenderer
    ) -> None:
        mailbox = Mailbox(tmp_path / "mail")
        link = "http://localhost:3000/verify-email?token=" + "x" * 120  # longer than a line
        message = renderer.message("welcome", "zoe@ex.com", {"name": "Zoë", "link": link})
        event_id = str(uuid.uuid4())

        path = mailbox.write(message, event_id)

        assert path == tmp_path / "mail" / f"{event_id}.eml"
        parsed = parse(path)
        assert parsed["From"] == DEFAULT_SENDER
        assert parsed["To"] == "zoe@ex.com"
        assert parsed["Subject"] == "Welcome to Mercato, Zoë!"
        assert parsed["Message-ID"] == f"<{event_id}@mercato.local>"
        assert parsedate_to_datetime(parsed["Date"]).tzinfo is not None
        assert parsed.get_content_type() == "multipart/alternative"
        plain, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
        assert plain is not None
        assert html is not None
        assert plain.get_content() == message.text
        assert html.get_content() == message.html
        assert link in plain.get_content()
        assert mailbox.read(event_id)["Message-ID"] == parsed["Message-ID"]

    def test_same_id_twice_leaves_one_file_with_the_last_message(self, tmp_path: Path) -> None:
        mailbox = Mailbox(tmp_path)
        first = EmailMessage("a@ex.com", "First", "one", "<p>one</p>")
        second = EmailMessage("a@ex.com", "Second", "two", "<p>two</p>")

        mailbox.write(first, "event-1")
        mailbox.write(second, "event-1")

        assert [p.name for p in tmp_path.iterdir()] == ["event-1.eml"]  # no temp files left
        assert parse(tmp_path / "event-1.eml")["Subject"] == "Second"

    def test_sender_is_configurable(self, tmp_path: Path) -> None:
        mailbox = Mailbox(tmp_path, sender="Shop <orders@shop.example>")
        path = mailbox.write(EmailMessage("a@ex.com", "Hi", "t", "<p>h</p>"), "m1")
        parsed = parse(path)
        assert parsed["From"] == "Shop <orders@shop.example>"
        assert parsed["Message-ID"] == "<m1@shop.example>"

    @pytest.mark.parametrize(
        "message_id",
        ["../escape", "..", "a/b", "/etc/passwd", ".hidden", "", "a\\b", "a\x00b", "x" * 129],
    )
    def test_unsafe_ids_are_refused(self, tmp_path: Path, message_id: str) -> None:
        mailbox = Mailbox(tmp_path / "mail")
        with pytest.raises(ValueError, match="invalid message id"):
            mailbox.write(EmailMessage("a@ex.com", "s", "t", "h"), message_id)
        assert list(tmp_path.rglob("*")) == []

    def test_header_injection_is_refused(self, tmp_path: Path) -> None:
        mailbox = Mailbox(tmp_path)
        with pytest.raises(ValueError, match="linefeed"):
            mailbox.write(EmailMessage("a@ex.com\r\nBcc: evil@ex.com", "s", "t", "h"), "m1")
        assert list(tmp_path.iterdir()) == []
