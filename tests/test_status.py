"""The state described: one answer to "is maintenance on, why, at which level, for whom"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from maintenance_panel import core, state, status
from maintenance_panel.snapshot import Snapshot
from tests.factories import GroupFactory, UserFactory

NOW = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def describe(now: datetime = NOW, **data: object) -> status.Status:
    return status.describe(Snapshot.from_data(data, "s"), now=now)


@pytest.mark.parametrize(
    ("data", "kind", "cause", "phase", "active"),
    [
        ({}, "off", "switch", "none", False),
        ({"enabled": True}, "on", "switch", "none", True),
        ({"enabled": True, "starts_at": NOW + HOUR}, "scheduled", "window", "scheduled", False),
        ({"enabled": True, "ends_at": NOW + HOUR}, "on", "window", "open", True),
        ({"enabled": True, "ends_at": NOW - HOUR}, "off", "window", "ended", False),
        ({"enabled": False, "starts_at": NOW + HOUR}, "off", "switch", "scheduled", False),
    ],
)
def test_kind_cause_and_phase_follow_the_switch_and_the_window(data, kind, cause, phase, active):
    described = describe(**data)
    assert (described.kind, described.cause, described.phase) == (kind, cause, phase)
    assert described.active is active
    assert described.ended is (phase == "ended" and bool(data.get("enabled")))


@pytest.mark.parametrize("forced", [True, False])
def test_the_setting_is_the_cause_when_it_fixes_the_state(forced):
    with override_settings(MAINTENANCE_MODE=forced):
        described = describe(enabled=not forced, starts_at=NOW + HOUR)
    assert (described.active, described.enabled, described.cause) == (forced, forced, "settings")
    assert described.forced_by_settings
    assert described.kind == ("on" if forced else "off")  # never "scheduled" when fixed


def test_retry_after_counts_to_the_end_while_active_only():
    assert describe(enabled=True, ends_at=NOW + HOUR).retry_after == 3600
    assert describe(enabled=True).retry_after == 3600  # MAINTENANCE_MODE_RETRY_AFTER
    assert describe(enabled=True, starts_at=NOW + HOUR, ends_at=NOW + 2 * HOUR).retry_after is None


def test_level_and_scope_with_the_settings_first():
    with override_settings(MAINTENANCE_MODE_SCOPE_URLS=["^/forum/"]):
        described = describe(enabled=True, read_only=True, scope_urls="^/checkout/\n^/api/")
    assert described.read_only
    assert not described.level_fixed
    assert described.scope == ("^/forum/", "^/checkout/", "^/api/")
    assert described.scope_from_settings == ("^/forum/",)
    with override_settings(MAINTENANCE_MODE_READ_ONLY=False):
        fixed = describe(enabled=True, read_only=True)
    assert not fixed.read_only
    assert fixed.level_fixed


def test_exemptions_say_which_the_settings_fix():
    with override_settings(
        MAINTENANCE_MODE_IGNORE_STAFF=True,
        MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=["192.0.2.1"],
        MAINTENANCE_MODE_IGNORE_URLS=["^/healthz$"],
    ):
        exemptions = describe(
            ignore_staff=False, ignore_ip_addresses="10.0.0.0/8", ignore_urls="^/about/"
        ).exemptions
    assert exemptions.flags["staff"] is True
    assert exemptions.fixed == {"staff"}
    assert exemptions.flags["admin_site"] is True  # the default
    assert exemptions.networks.as_dict() == {"settings": ["192.0.2.1"], "admin": ["10.0.0.0/8"]}
    assert exemptions.urls.as_dict() == {"settings": ["^/healthz$"], "admin": ["^/about/"]}
    assert len(exemptions.urls) == 2


def test_an_upcoming_window_is_announced_within_the_notice_only():
    soon = describe(enabled=True, starts_at=NOW + HOUR)
    later = describe(enabled=True, starts_at=NOW + timedelta(days=2))
    assert status.upcoming(soon, now=NOW)
    assert not status.upcoming(later, now=NOW)
    assert not status.upcoming(describe(enabled=True), now=NOW)


def test_as_json_is_the_status_endpoints_document():
    described = describe(enabled=True, ends_at=NOW + HOUR, read_only=True)
    assert status.as_json(described) == {
        "enabled": True,
        "active": True,
        "forced_by_settings": False,
        "window": {"starts_at": None, "ends_at": NOW + HOUR, "phase": "open"},
        "next_window": None,
        "recurrence": None,
        "upcoming": None,
        "retry_after": 3600,
        "read_only": True,
        "scope": [],
    }


@pytest.mark.django_db
@pytest.mark.urls("tests.urls")
def test_names_come_from_the_database(set_config):
    testers = GroupFactory(name="QA")
    set_config(ignore_groups=[testers], ignore_users=[UserFactory(username="zoe")])
    core.create_bypass_link("night shift")
    names = status.names(status.describe(state.get_snapshot()).exemptions)
    assert (names.groups, names.users) == (["QA"], ["zoe"])
    assert names.bypass_links == [("night shift", None)]
