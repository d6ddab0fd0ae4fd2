"""maintenance_panel.conf: defaults, read when used, and documented."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from maintenance_panel import conf, setting_lists

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_setting_is_in_the_settings_table():
    table = (DOCS.parent / "README.md").read_text()
    documented = re.findall(r"^\| `(MAINTENANCE_MODE\w*)` \|", table, flags=re.MULTILINE)
    assert sorted(documented) == sorted(conf.DEFAULTS)


def test_every_setting_is_in_the_migration_guide():
    guide = (DOCS / "migrating.md").read_text()
    missing = [name for name in (*conf.DEFAULTS, *conf.DROPPED) if f"`{name}`" not in guide]
    assert missing == []


def test_defaults_are_not_written_onto_settings():
    for name in conf.DEFAULTS:
        if name != "MAINTENANCE_MODE_IGNORE_URLS":  # the demo sets this one
            assert not hasattr(settings, name), name


def test_override_settings_reaches_memoized_values():
    assert not setting_lists.ignored_networks()
    with override_settings(MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=["10.0.0.0/8"]):
        assert setting_lists.ignored_networks().entries == ("10.0.0.0/8",)
    assert not setting_lists.ignored_networks()


@pytest.mark.parametrize(
    ("overrides", "policy"),
    [
        ({}, (False, False, False)),
        ({"MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER": True}, (True, True, True)),
        (
            {
                "MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER": True,
                "MAINTENANCE_MODE_LOGOUT_SUPERUSER": False,
            },
            (True, True, False),
        ),
        ({"MAINTENANCE_MODE_LOGOUT_STAFF_USER": True}, (False, True, False)),
    ],
)
def test_logout_policy_defaults_to_the_authenticated_user_setting(overrides, policy):
    with override_settings(**overrides):
        assert conf.logout_policy() == policy


@pytest.mark.parametrize(("value", "seconds"), [(600, 600.0), (timedelta(hours=2), 7200.0)])
def test_announce_before_takes_seconds_or_timedelta(value, seconds):
    with override_settings(MAINTENANCE_MODE_ANNOUNCE_BEFORE=value):
        assert conf.announce_before() == seconds


@pytest.mark.parametrize(
    ("value", "seconds"), [(600, 600.0), (timedelta(hours=1), 3600.0), (None, None)]
)
def test_remind_after_takes_seconds_timedelta_or_none(value, seconds):
    with override_settings(MAINTENANCE_MODE_REMIND_AFTER=value):
        assert conf.remind_after() == seconds


def test_remind_after_defaults_to_four_hours():
    assert conf.remind_after() == 4 * 3600.0


@override_settings(MAINTENANCE_MODE_IGNORE_URLS="^/health")
def test_a_string_list_setting_is_one_entry_not_characters():
    assert setting_lists.ignored_url_patterns().sources == ("^/health",)


@override_settings(
    MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=["10.0.0.1", r"^10\.0\.0\.\d+$"],
    MAINTENANCE_MODE_IGNORE_URLS=["^/ok/", "^/broken(/"],
)
def test_invalid_entries_are_skipped_not_raised():
    assert setting_lists.ignored_networks().entries == ("10.0.0.1",)
    assert setting_lists.ignored_url_patterns().sources == ("^/ok/",)


@pytest.mark.parametrize(
    ("overrides", "alias"),
    [
        ({}, "default"),
        ({"MAINTENANCE_MODE_CACHE": "shared"}, "shared"),
        ({"MAINTENANCE_MODE_CACHE_BACKEND": "legacy"}, "legacy"),
        ({"MAINTENANCE_MODE_CACHE_BACKEND": None}, "default"),
        (
            {"MAINTENANCE_MODE_CACHE": "shared", "MAINTENANCE_MODE_CACHE_BACKEND": "legacy"},
            "shared",
        ),
    ],
)
def test_the_older_librarys_cache_setting_counts_when_ours_is_not_set(overrides, alias):
    with override_settings(**overrides):
        assert conf.cache_alias() == alias
    assert conf.cache_alias() == "default"
