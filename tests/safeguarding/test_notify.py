"""Notifications through the outbox, against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller

from assistant.models import RedactedText, Severity, Verdict
from assistant.safeguarding.notify import OutboxDispatcher, SmtpNotifier, WebhookNotifier
from assistant.storage import models as m
from assistant.storage.conversations import ConversationStore
from assistant.storage.database import init_db, make_engine, session_factory

SECRET_TEXT = "my boss took my passport at 14 Elm Road"


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


class Clock:
    def __init__(self) -> None:
        self.now = m.utcnow()

    def __call__(self) -> dt.datetime:
        return self.now


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sessions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    init_db(engine)
    return session_factory(engine)


@pytest.fixture
def clock():
    return Clock()


def open_case(sessions, council, severity=Severity.URGENT) -> int:
    store = ConversationStore(sessions)
    conv = store.open(None)
    verdict = Verdict(severity, ("immediate_danger",), "lexicon")
    return store.record_user_message(
        conv, RedactedText(SECRET_TEXT), "en", council, verdict, None
    ).case_id


def smtp(port: int) -> SmtpNotifier:
    return SmtpNotifier(
        "127.0.0.1",
        port,
        "harbour@example.org",
        regional_to=["region@example.org"],
        council_to={"walsall": ["walsall-safeguarding@example.org"]},
        starttls=False,
        timeout_s=3,
    )


def dispatcher(sessions, notifiers, clock) -> OutboxDispatcher:
    return OutboxDispatcher(
        sessions, notifiers, base_url="https://harbour.example", retry_base_s=30, clock=clock
    )


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def test_new_case_is_emailed_to_its_council_and_the_region(sessions, clock, inbox):
    handler, port = inbox
    case_id = open_case(sessions, "walsall")
    d = dispatcher(sessions, [smtp(port)], clock)
    assert d.enqueue_new_cases() == 1
    assert d.enqueue_new_cases() == 0  # one row per case and channel
    assert d.run_pending() == 1
    assert d.run_pending() == 0
    [(rcpts, msg)] = handler.messages
    assert sorted(rcpts) == ["region@example.org", "walsall-safeguarding@example.org"]
    assert msg["Subject"] == f"[Harbour] URGENT safeguarding case #{case_id} (Walsall)"
    body = msg.get_payload()
    assert f"https://harbour.example/staff/cases/{case_id}" in body
    assert "passport" not in body and "Elm Road" not in body  # no message content in email
    with sessions() as s:
        row = s.query(m.NotificationOutbox).one()
        assert (row.status, row.attempts, row.sent_at is not None) == ("sent", 1, True)


def test_mail_server_down_then_up_delays_but_never_loses(sessions, clock):
    port = free_port()  # nothing listens here yet
    case_id = open_case(sessions, "coventry", Severity.HIGH)
    first = dispatcher(sessions, [smtp(port)], clock)
    first.enqueue_new_cases()
    assert first.run_pending() == 0
    with sessions() as s:
        row = s.query(m.NotificationOutbox).one()
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.last_error and "Connection" in row.last_error
        assert row.next_attempt_at == clock.now + dt.timedelta(seconds=30)
    assert first.run_pending() == 0  # not due yet: no hammering
    clock.now += dt.timedelta(seconds=31)
    assert first.run_pending() == 0  # still down: backoff doubles
    with sessions() as s:
        row = s.query(m.NotificationOutbox).one()
        assert row.attempts == 2 and row.next_attempt_at == clock.now + dt.timedelta(seconds=60)

    # the mail server comes back; a fresh dispatcher (as after a restart) finds the row
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        after_restart = dispatcher(sessions, [smtp(port)], clock)
        assert after_restart.run_pending() == 0
        clock.now += dt.timedelta(seconds=61)
        assert after_restart.run_pending() == 1
        assert after_restart.run_pending() == 0
    finally:
        controller.stop()
    [(rcpts, msg)] = handler.messages
    assert rcpts == ["region@example.org"] and f"#{case_id}" in msg["Subject"]
    with sessions() as s:
        row = s.query(m.NotificationOutbox).one()
        assert (row.status, row.attempts) == ("sent", 3)


def test_case_without_recipients_is_not_queued_and_old_cases_are_not_announced(sessions, clock):
    notifier = SmtpNotifier("127.0.0.1", 1, "h@example.org", [], {"walsall": ["w@example.org"]})
    open_case(sessions, "dudley")
    d = dispatcher(sessions, [notifier], clock)
    assert d.enqueue_new_cases() == 0
    open_case(sessions, "walsall")
    clock.now += dt.timedelta(hours=25)
    assert d.enqueue_new_cases() == 0  # enabled later: yesterday's cases are not re-announced


def test_webhook_is_signed_and_retried(sessions, clock):
    received: list[tuple[dict, str]] = []
    fail = {"next": True}

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if fail["next"]:
                fail["next"] = False
                self.send_response(503)
            else:
                received.append((json.loads(body), self.headers["X-Harbour-Signature"], body))
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        case_id = open_case(sessions, "birmingham")
        d = dispatcher(sessions, [WebhookNotifier(url, "hook-secret", 3)], clock)
        d.enqueue_new_cases()
        assert d.run_pending() == 0  # 503: retried later
        clock.now += dt.timedelta(seconds=31)
        assert d.run_pending() == 1
    finally:
        server.shutdown()
    [(payload, signature, raw)] = received
    assert payload["case_id"] == case_id and payload["severity"] == "urgent"
    assert "text" not in payload and SECRET_TEXT not in raw.decode()
    expected = hmac.new(b"hook-secret", raw, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
