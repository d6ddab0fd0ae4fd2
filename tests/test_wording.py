"""The state in words: the same status gives the same sentences wherever it is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import translation

from maintenance_panel import status, wording
from maintenance_panel.snapshot import Snapshot

NOW = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def describe(**data: object) -> status.Status:
    return status.describe(Snapshot.from_data(data, "s"), now=NOW)


@pytest.mark.parametrize(
    ("data", "label", "headline"),
    [
        ({}, "OFF", "Maintenance mode is OFF: the site is up."),
        ({"enabled": True}, "ON", "Maintenance mode is ON: visitors get the maintenance page."),
        (
            {"enabled": True, "read_only": True},
            "READ-ONLY",
            "Maintenance mode is ON, READ-ONLY: visitors can read the site; changes get the "
            "maintenance page.",
        ),
        (
            {"enabled": True, "starts_at": NOW + HOUR},
            "SCHEDULED",
            "Maintenance mode is scheduled: the site is up until",
        ),
    ],
)
def test_the_panels_badge_and_the_commands_headline_tell_the_same_state(data, label, headline):
    described = describe(**data)
    assert wording.status_label(described) == label
    assert wording.headline(described).startswith(headline)


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        ({}, "the switch is off"),
        ({"enabled": True}, "the switch is on, with no window"),
        ({"enabled": True, "starts_at": NOW + HOUR}, "the switch is on; the window opens at"),
        ({"enabled": True, "ends_at": NOW - HOUR}, "the switch is on, but the window ended at"),
        ({"enabled": True, "ends_at": NOW + HOUR}, "the switch is on and the window is open until"),
    ],
)
def test_the_cause_in_words(data, sentence):
    assert wording.cause_sentence(describe(**data)).startswith(sentence)


def test_the_setting_named_as_the_cause():
    with override_settings(MAINTENANCE_MODE=True):
        assert wording.cause_sentence(describe()) == "fixed by the setting MAINTENANCE_MODE = True"


def test_the_scope_readable_for_visitors_and_exact_for_the_command():
    with override_settings(MAINTENANCE_MODE_SCOPE_URLS=["^/forum/"]):
        described = describe(enabled=True, scope_urls="^/checkout/\n^/shop/\\d+/$")
    assert wording.scope_phrase(described.scope) == r"only /forum/, /checkout/ and ^/shop/\d+/$"
    assert (
        wording.scope_entries(described) == r"only ^/forum/ (settings), ^/checkout/, ^/shop/\d+/$"
    )
    assert wording.scope_phrase(()) == ""
    assert wording.scope_entries(describe()) == "the whole site"


def test_the_level_and_the_window_for_the_command():
    assert wording.level_sentence(describe(read_only=True)).startswith("read-only")
    with override_settings(MAINTENANCE_MODE_READ_ONLY=False):
        assert wording.level_sentence(describe()).endswith("(fixed by MAINTENANCE_MODE_READ_ONLY)")
    assert wording.window_sentence(describe()) == "none"
    assert wording.window_sentence(describe(enabled=True, ends_at=NOW + HOUR)).startswith(
        "from now until"
    )


@override_settings(MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=[], MAINTENANCE_MODE_IGNORE_URLS=[])
def test_exemption_lines_count_what_the_lists_hold():
    described = describe(
        ignore_staff=True, ignore_ip_addresses="10.0.0.0/8\n192.0.2.1", ignore_urls="^/a/"
    )
    names = status.Names(groups=["QA"], users=[], bypass_links=[("x", None)])
    assert wording.exemption_lines(described, names) == [
        "The Django admin.",
        "Staff users.",
        "Members of: QA.",
        "2 IP addresses or networks.",
        "1 URL pattern.",
        "Whoever opened the active bypass link.",
    ]


def test_fixed_reasons_name_the_setting():
    with override_settings(MAINTENANCE_MODE=False, MAINTENANCE_MODE_IGNORE_STAFF=True):
        reasons = wording.fixed_reasons()
    assert reasons["enabled"] == "Fixed off by the MAINTENANCE_MODE setting."
    assert "MAINTENANCE_MODE_IGNORE_STAFF" in reasons["ignore_staff"]
    assert wording.fixed_reasons() == {}


def test_the_web_sentences_are_translated():
    with translation.override("de"):
        assert wording.status_label(describe(enabled=True)) != "ON"
        assert wording.default_page_text(read_only=False)[0] != "Website unavailable"
