"""The snapshot: built once from plain data, read by every request."""

from __future__ import annotations

from datetime import UTC, datetime

from django.test import override_settings

from maintenance_panel.snapshot import Snapshot

DATA = {
    "enabled": True,
    "title": "Back soon",
    "message": "Upgrading.",
    "starts_at": None,
    "ends_at": datetime(2099, 1, 1, tzinfo=UTC),
    "ignore_admin_site": False,
    "ignore_staff": True,
    "ignore_superuser": False,
    "ignore_authenticated_user": False,
    "ignore_anonymous_user": False,
    "ignore_ip_addresses": "10.0.0.0/8\n\n  2001:db8::/32  \nnot an address",
    "ignore_urls": "^/healthz$\n(unclosed",
    "group_ids": [3, 1],
    "user_ids": ["7"],
    "bypass_links": {5: None},
    "changed_at": None,
    "changed_via": "admin",
}


def test_built_from_data():
    snapshot = Snapshot.from_data(DATA, stamp="42")
    assert snapshot.stamp == "42"
    assert snapshot.stored_active()
    assert snapshot.group_ids == frozenset({1, 3})
    assert snapshot.user_ids == frozenset({"7"})
    assert snapshot.bypass_links == {5: None}
    assert snapshot.data is DATA


def test_lines_are_parsed_once_and_bad_ones_skipped():
    snapshot = Snapshot.from_data(DATA, stamp="42")
    assert snapshot.networks.entries == ("10.0.0.0/8", "2001:db8::/32")
    assert snapshot.url_patterns.sources == ("^/healthz$",)


def test_missing_data_gives_the_defaults():
    snapshot = Snapshot.from_data({}, stamp="empty")
    assert snapshot == Snapshot(stamp="empty")
    assert not snapshot.stored_active()


def test_flags_follow_settings_when_set():
    snapshot = Snapshot.from_data(DATA, stamp="42")
    assert snapshot.flag("staff") is True
    with override_settings(MAINTENANCE_MODE_IGNORE_STAFF=False):
        assert snapshot.flag("staff") is False
