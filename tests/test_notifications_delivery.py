"""Delivering notifications: e-mail through Django's outbox, failures, retries with
backoff, claims, and the background sender. The real HTTP receiver's tests are in
tests/integration/test_notifications.py."""

from __future__ import annotations

import logging
import socket
import time
from datetime import timedelta
from typing import Any

import django
import pytest
from django.core import mail as django_mail
from django.db import DatabaseError
from django.test import override_settings
from django.utils import timezone

from maintenance_panel.models import Delivery, MaintenanceConfig
from maintenance_panel.notifications import delivery, events
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local port nobody listens on (connecting is refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_settings(port: int) -> dict[str, Any]:
    """Settings that send mail by SMTP to 127.0.0.1:``port`` (Django 6.1 has MAILERS)."""
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


def notify(*usernames: str) -> None:
    ops = GroupFactory(name="ops")
    MaintenanceConfig.get_solo().notify_groups.set([ops])
    for username in usernames:
        UserFactory(username=username, groups=[ops])


def store(event: str = "switched_on", **payload: Any) -> Any:
    return events.store(
        f"test:{event}", event, {"event": event, "active": True, "site": "shop.example", **payload}
    )


@override_settings(DEFAULT_FROM_EMAIL="ops@shop.example", LANGUAGE_CODE="en")
def test_an_email_goes_to_each_member_alone() -> None:
    notify("bob", "carol")
    store(changed_by="alice", title="Upgrade")

    assert delivery.deliver_due() == 2

    assert sorted(message.to[0] for message in django_mail.outbox) == [
        "bob@example.com",
        "carol@example.com",
    ]
    message = django_mail.outbox[0]
    assert (message.from_email, len(message.to), message.bcc) == ("ops@shop.example", 1, [])
    assert message.subject == "shop.example: Maintenance switched on"
    assert "Changed by: alice" in message.body
    assert "Title: Upgrade" in message.body
    assert set(Delivery.objects.values_list("status", "attempts")) == {("delivered", 1)}


@override_settings(LANGUAGE_CODE="de")
def test_the_email_speaks_the_sites_language() -> None:
    notify("bob")
    store("switched_off")

    delivery.deliver_due()

    assert "Wartung" in django_mail.outbox[0].subject


def test_a_failed_webhook_is_retried_with_backoff_then_given_up() -> None:
    port = closed_port()
    url = f"http://user:pw@127.0.0.1:{port}/hook?token=t0ken"
    with override_settings(MAINTENANCE_MODE_WEBHOOKS=[{"url": url, "secret": "s3cret"}]):
        store()
        now = timezone.now()
        waits = []
        for _ in range(5):
            assert delivery.deliver_due(now) == 0
            row = Delivery.objects.get()
            if row.next_attempt_at is not None:
                waits.append(row.next_attempt_at - now)
                assert delivery.deliver_due(row.next_attempt_at - timedelta(seconds=1)) == 0
                now = row.next_attempt_at

    assert waits == list(delivery.BACKOFF)
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 5, None)
    assert row.target == f"http://127.0.0.1:{port}/hook"
    assert row.last_error.startswith("cannot reach 127.0.0.1")
    for secret in ("s3cret", "t0ken", "pw"):
        assert secret not in row.target + row.last_error


def test_a_delivery_claimed_elsewhere_waits_for_its_lease() -> None:
    notify("bob")
    store()
    now = timezone.now()
    Delivery.objects.update(next_attempt_at=now + delivery.LEASE)  # another process sends it

    assert delivery.deliver_due(now) == 0
    assert delivery.deliver_due(now + delivery.LEASE) == 1  # that process died
    assert len(django_mail.outbox) == 1


def test_a_webhook_removed_from_the_setting_is_reported() -> None:
    hooks = [{"url": "https://hooks.example.com/in", "secret": "x"}]
    with override_settings(MAINTENANCE_MODE_WEBHOOKS=hooks):
        store()

    delivery.deliver_due()

    row = Delivery.objects.get()
    assert row.last_error == (
        "https://hooks.example.com/in is no longer in MAINTENANCE_MODE_WEBHOOKS"
    )


def test_an_unreachable_mail_server_is_recorded() -> None:
    notify("bob")
    store()

    with override_settings(**smtp_settings(closed_port())):
        assert delivery.deliver_due() == 0

    row = Delivery.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error.startswith("mail server: ")


@pytest.mark.django_db(transaction=True)
def test_the_background_sender_sends_after_the_commit() -> None:
    delivery.send_in_background()
    notify("bob")
    store()

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not Delivery.objects.filter(status="delivered"):
        time.sleep(0.02)

    assert [message.to for message in django_mail.outbox] == [["bob@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_no_delivery_is_sent_in_the_background_during_tests() -> None:
    notify("bob")
    store()
    time.sleep(0.5)  # what a background sender would have taken

    assert Delivery.objects.get().status == "pending"
    assert django_mail.outbox == []
    assert delivery.deliver_due() == 1  # the test sends them itself


def test_a_delivery_is_claimed_once() -> None:
    notify("bob")
    store()
    row = Delivery.objects.get()
    now = timezone.now()

    assert delivery._claim(row, now) is True
    assert delivery._claim(row, now) is False  # what a second process finds


def test_the_sender_sleeps_until_the_next_retry() -> None:
    notify("bob")
    store()
    Delivery.objects.update(next_attempt_at=timezone.now() + timedelta(minutes=1))

    wait = delivery.Sender()._send_due()

    assert wait is not None
    assert 50 < wait <= 60
    assert delivery.Sender()._send_due() is not None
    Delivery.objects.all().delete()
    assert delivery.Sender()._send_due() is None


def test_the_sender_outlives_a_database_outage(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def outage(now: Any = None) -> int:
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(delivery, "deliver_due", outage)

    with caplog.at_level(logging.ERROR, logger="maintenance_panel"):
        wait = delivery.Sender()._send_due()

    assert wait == delivery.BACKOFF[0].total_seconds()
    assert "sending notifications failed" in caplog.text
