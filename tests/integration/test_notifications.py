"""Notifications delivered to real local servers: an HTTP receiver that checks the
signature and answers 502 then 200, and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import django
import pytest
from django.test import override_settings

from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.models import Delivery, MaintenanceConfig, Notification
from maintenance_panel.notifications import delivery, events, webhooks
from tests.factories import GroupFactory, UserFactory
from tests.integration.machine import free_port, unavailable
from tests.receiver import running

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-the-test"


def payload() -> dict[str, Any]:
    return {"event": "switched_on", "active": True, "site": "shop.example", "changed_by": "alice"}


def test_the_receiver_verifies_the_signature_and_gets_it_again_after_a_502() -> None:
    with running(statuses=(502,)) as receiver:
        url = f"{receiver.url}/hooks/in?token=t0ken"
        with override_settings(MAINTENANCE_MODE_WEBHOOKS=[{"url": url, "secret": SECRET}]):
            events.store("switch:1", "switched_on", payload())

            assert delivery.deliver_due() == 0
            failed = Delivery.objects.get()
            assert (failed.status, failed.attempts) == ("pending", 1)
            assert failed.last_error == "502 from 127.0.0.1"

            assert delivery.deliver_due(failed.next_attempt_at) == 1

    assert len(receiver.received) == 2
    for got in receiver.received:
        expected = hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
        assert got.headers["X-Maintenance-Signature"] == f"sha256={expected}"
        assert got.headers["Content-Type"] == "application/json"
        assert got.path == "/hooks/in?token=t0ken"
        assert json.loads(got.body) == payload()
    done = Delivery.objects.get()
    assert (done.status, done.attempts, done.last_error) == ("delivered", 2, "")
    assert done.target == f"{receiver.url}/hooks/in"
    stored = json.dumps(list(Delivery.objects.values()), default=str) + json.dumps(
        list(Notification.objects.values("payload"))
    )
    assert SECRET not in stored
    assert "t0ken" not in stored


def wait_until_delivered(count: int = 1) -> bool:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if Delivery.objects.filter(status="delivered").count() >= count:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_slow_receiver_never_holds_up_the_switch() -> None:
    delivery.send_in_background()
    with running() as receiver:
        receiver.hold = True  # it answers when released, or after 10 s
        hooks = [{"url": f"{receiver.url}/slow", "secret": SECRET}]
        with override_settings(MAINTENANCE_MODE_WEBHOOKS=hooks):
            set_maintenance_mode(True, label="API token deploy")
            answered_before_the_switch_returned = receiver.answered.is_set()
            receiver.release.set()
            delivered = wait_until_delivered()

    assert not answered_before_the_switch_returned
    assert delivered
    (got,) = receiver.received
    assert json.loads(got.body)["changed_by"] == "API token deploy"


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        unavailable("aiosmtpd is not installed")
    received: list[Any] = []

    class Keep:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope)
            return "250 Message accepted for delivery"

    controller = Controller(Keep(), hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.received = received
    try:
        yield controller
    finally:
        controller.stop()


def smtp_settings(port: int) -> dict[str, Any]:
    if django.VERSION >= (6, 1):
        backend = {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
        return {"MAILERS": {"default": backend}}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_TIMEOUT": 5,
    }


@override_settings(DEFAULT_FROM_EMAIL="ops@shop.example", LANGUAGE_CODE="fr")
def test_each_member_gets_an_email_through_a_real_smtp_server(smtp_server: Any) -> None:
    ops = GroupFactory(name="ops")
    MaintenanceConfig.get_solo().notify_groups.set([ops])
    UserFactory(username="bob", groups=[ops])
    UserFactory(username="carol", groups=[ops])
    events.store("switch:1", "switched_on", payload())

    with override_settings(**smtp_settings(smtp_server.port)):
        assert delivery.deliver_due() == 2

    envelopes = sorted(smtp_server.received, key=lambda envelope: envelope.rcpt_tos)
    assert [envelope.rcpt_tos for envelope in envelopes] == [
        ["bob@example.com"],
        ["carol@example.com"],
    ]
    message = message_from_bytes(envelopes[0].content)
    assert message["From"] == "ops@shop.example"
    assert str(make_header(decode_header(message["Subject"]))) == (
        "shop.example : Maintenance activée"
    )
    assert "Modifiée par : alice" in message.get_payload(decode=True).decode()


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (302, "302 from 127.0.0.1"),
        (404, "404 from 127.0.0.1"),
        (0, "cannot reach 127.0.0.1: Remote end closed connection without response"),
    ],
)
def test_what_is_not_a_2xx_answer_is_recorded_with_the_host(status: int, error: str) -> None:
    with running(statuses=(status,)) as receiver:
        hooks = [{"url": f"{receiver.url}/in", "secret": SECRET}]
        with override_settings(MAINTENANCE_MODE_WEBHOOKS=hooks):
            events.store("switch:1", "switched_on", payload())
            assert delivery.deliver_due() == 0

    assert Delivery.objects.get().last_error == error


def test_a_receiver_that_does_not_answer_in_time_is_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(webhooks, "TIMEOUT", 0.2)
    with running() as receiver:
        receiver.hold = True
        hooks = [{"url": f"{receiver.url}/in", "secret": SECRET}]
        with override_settings(MAINTENANCE_MODE_WEBHOOKS=hooks):
            events.store("switch:1", "switched_on", payload())
            assert delivery.deliver_due() == 0

    row = Delivery.objects.get()
    assert (row.status, row.last_error) == ("pending", "no answer from 127.0.0.1 within 0.2 s")
