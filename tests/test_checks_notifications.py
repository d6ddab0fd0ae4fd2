"""System check of the notification settings: E014."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from tests.helpers import found

pytestmark = pytest.mark.django_db  # Django's model checks ask SQLite about JSON support


@override_settings(
    MAINTENANCE_MODE_WEBHOOKS=[
        {"url": "https://hooks.example.com/in", "secret": "s"},
        {"url": "https://hooks.example.com/slack?token=t0ken", "format": "slak"},
    ]
)
def test_a_bad_webhook_is_an_error_naming_the_entry_with_a_hint() -> None:
    message = found()["maintenance_panel.E014"]

    assert message.msg == (
        "MAINTENANCE_MODE_WEBHOOKS entry 1 has 'format' 'slak', not one of json, slack, "
        "teams; it is not sent to."
    )
    assert "docs/notifications.md" in message.hint
    with pytest.raises(SystemCheckError, match="E014"):
        call_command("check")


@override_settings(MAINTENANCE_MODE_WEBHOOKS="https://hooks.example.com/in")
def test_a_string_is_not_a_list_of_webhooks() -> None:
    message = found()["maintenance_panel.E014"]

    assert message.msg.startswith("MAINTENANCE_MODE_WEBHOOKS is a str, not a list of dicts")


@override_settings(
    MAINTENANCE_MODE_WEBHOOKS=[{"url": "https://teams.example/in", "format": "teams"}]
)
def test_good_webhooks_pass() -> None:
    assert "maintenance_panel.E014" not in found()
