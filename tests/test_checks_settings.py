"""System checks of the settings: names, types, lists, hooks, the cache, the template and
the redirect."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import override_settings

from tests.helpers import found

pytestmark = pytest.mark.django_db  # Django's model checks ask SQLite about JSON support

MIDDLEWARE = "maintenance_panel.middleware.MaintenanceModeMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


def hook(request):
    return {}


NOT_CALLABLE = 42


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        (
            "MAINTENANCE_MODE_IGNORE_AUTHENTICATED_USERS",
            "MAINTENANCE_MODE_IGNORE_AUTHENTICATED_USER",
        ),
        ("MAINTENANCE_MODE_IGNORE_SUPERUSERS", "MAINTENANCE_MODE_IGNORE_SUPERUSER"),
        ("MAINTENANCE_MODE_IGNORE_IP_ADDRESS", "MAINTENANCE_MODE_IGNORE_IP_ADDRESSES"),
        ("MAINTENANCE_MODE_RETRY_AFTR", "MAINTENANCE_MODE_RETRY_AFTER"),
    ],
)
def test_misspelt_setting_names_the_right_one(name, suggestion):
    with override_settings(**{name: True}):
        message = found()["maintenance_panel.W001"]
    assert name in message.msg
    assert message.hint == f"Did you mean {suggestion}?"


@override_settings(MAINTENANCE_MODE_WHATEVER=1)
def test_unknown_setting_without_a_close_name():
    assert "settings table" in found()["maintenance_panel.W001"].hint


@override_settings(MAINTENANCE_MODE_STATE_FILE_PATH="/tmp/state.txt")
def test_setting_not_carried_over():
    message = found()["maintenance_panel.W002"]
    assert "MAINTENANCE_MODE_STATE_FILE_PATH" in message.msg
    assert "database is the store" in message.hint


@pytest.mark.parametrize(
    "name", ["MAINTENANCE_MODE_IGNORE_URLS", "MAINTENANCE_MODE_IGNORE_IP_ADDRESSES"]
)
def test_string_where_a_list_is_meant(name):
    with override_settings(**{name: "^/health"}):
        message = found()["maintenance_panel.E004"]
    assert "character by character" in message.msg
    assert message.hint == f"Write {name} = ['^/health']."


@pytest.mark.parametrize("entry", [r"^127\.0\.0\.1$", "127.0.0.*", "10.0.0.0/33", "localhost"])
def test_invalid_ip_entry_is_named(entry):
    with override_settings(MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=["10.0.0.1", entry]):
        message = found()["maintenance_panel.E005"]
    assert repr(entry) in message.msg
    assert "regular expressions are not supported" in message.hint


def test_valid_ip_entries_pass():
    with override_settings(
        MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=["10.0.0.1", "192.168.0.0/16", "2001:db8::/32"],
        MAINTENANCE_MODE_IGNORE_URLS=(r"^/healthz$", r"^/api/"),
    ):
        assert found() == {}


@override_settings(MAINTENANCE_MODE_IGNORE_URLS=["^/ok/", "^/broken(/"])
def test_invalid_regex_is_named():
    message = found()["maintenance_panel.E006"]
    assert "'^/broken(/'" in message.msg


@override_settings(MAINTENANCE_MODE_IGNORE_URLS=["^/ok/", r"^/(?!admin)"])
def test_a_pattern_only_python_matches_is_a_warning_naming_it():
    message = found()["maintenance_panel.W008"]
    assert "'^/(?!admin)'" in message.msg
    assert "backtracking" in message.msg
    assert "RE2 syntax" in message.hint


@override_settings(MAINTENANCE_MODE_IGNORE_URLS=[re.compile(r"^/old/(?=x)", re.I), "^/ok/"])
def test_compiled_python_patterns_pass_as_they_are():
    assert found() == {}


@override_settings(MAINTENANCE_MODE_CACHE="nope")
def test_unknown_cache_alias():
    assert "CACHES" in found()["maintenance_panel.E007"].hint


@override_settings(MAINTENANCE_MODE_CACHE_BACKEND="nope")
def test_unknown_cache_alias_in_the_older_librarys_setting():
    assert found()["maintenance_panel.E007"].msg.startswith(
        "MAINTENANCE_MODE_CACHE_BACKEND names cache 'nope'"
    )


@override_settings(MAINTENANCE_MODE_CACHE="default", MAINTENANCE_MODE_CACHE_BACKEND="nope")
def test_the_cache_setting_wins_over_the_older_librarys():
    assert found() == {}


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/5",
        }
    }
)
def test_shared_cache_is_fine_for_deployment():
    assert "maintenance_panel.I001" not in found(include_deployment_checks=True)


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_process_local_cache_only_mentioned_by_deploy_checks():
    assert "maintenance_panel.I001" not in found()
    assert "Redis" in found(include_deployment_checks=True)["maintenance_panel.I001"].hint


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAINTENANCE_MODE", "yes"),
        ("MAINTENANCE_MODE_IGNORE_STAFF", "no"),
        ("MAINTENANCE_MODE_STATUS_CODE", "503"),
        ("MAINTENANCE_MODE_STATUS_CODE", 99),
        ("MAINTENANCE_MODE_RETRY_AFTER", "1h"),
        ("MAINTENANCE_MODE_RETRY_AFTER", -5),
        ("MAINTENANCE_MODE_TRUSTED_PROXY_COUNT", -1),
        ("MAINTENANCE_MODE_TRUSTED_PROXY_COUNT", True),
        ("MAINTENANCE_MODE_STATE_TTL", "1"),
        ("MAINTENANCE_MODE_ANNOUNCE_BEFORE", "1d"),
        ("MAINTENANCE_MODE_REMIND_AFTER", "4h"),
        ("MAINTENANCE_MODE_REMIND_AFTER", 0),
        ("MAINTENANCE_MODE_REMIND_AFTER", timedelta(0)),
        ("MAINTENANCE_MODE_REMIND_AFTER", True),
        ("MAINTENANCE_MODE_LOGOUT_STAFF_USER", 1),
        ("MAINTENANCE_MODE_IGNORE_TESTS", None),
        ("MAINTENANCE_MODE_BYPASS_COOKIE_NAME", ""),
        ("MAINTENANCE_MODE_REDIRECT_URL", 42),
        ("MAINTENANCE_MODE_CACHE_BACKEND", 1),
        ("MAINTENANCE_MODE_CACHE_BACKEND", ""),
    ],
)
def test_wrong_types(name, value):
    with override_settings(**{name: value}):
        message = found()["maintenance_panel.E008"]
    assert name in message.msg
    assert message.hint.startswith(f"Set {name} to ")


@pytest.mark.parametrize("value", [None, 60, 0.5, timedelta(hours=4)])
def test_remind_after_accepts_seconds_a_timedelta_or_none(value):
    with override_settings(MAINTENANCE_MODE_REMIND_AFTER=value):
        assert "maintenance_panel.E008" not in found()


@pytest.mark.parametrize(
    "name",
    [
        "MAINTENANCE_MODE_GET_CONTEXT",
        "MAINTENANCE_MODE_GET_CLIENT_IP_ADDRESS",
        "MAINTENANCE_MODE_GET_AUTHENTICATED_USER",
    ],
)
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("myproject.nowhere.function", "does not import"),
        ("tests.test_checks_settings.NOT_CALLABLE", "not a callable"),
        (42, "is int"),
    ],
)
def test_hook_settings_must_resolve(name, value, problem):
    with override_settings(**{name: value}):
        message = found()["maintenance_panel.E009"]
    assert name in message.msg
    assert problem in message.msg


@pytest.mark.parametrize("value", ["tests.test_checks_settings.hook", hook])
def test_hook_settings_that_resolve(value):
    with override_settings(
        MAINTENANCE_MODE_GET_CONTEXT=value, MAINTENANCE_MODE_RESPONSE_TYPE=value
    ):
        assert found() == {}


@pytest.mark.parametrize("value", ["xml", "tests.test_checks_settings.nothing", 3])
def test_response_type_must_resolve(value):
    with override_settings(MAINTENANCE_MODE_RESPONSE_TYPE=value):
        message = found()["maintenance_panel.E010"]
    assert "'html', 'json'" in message.hint


@override_settings(MAINTENANCE_MODE_TEMPLATE="maintenance/missing.html")
def test_template_not_found():
    message = found()["maintenance_panel.E011"]
    assert "'maintenance/missing.html' cannot be found" in message.msg


@override_settings(MAINTENANCE_MODE_TEMPLATE="maintenance_panel/banner.html")
def test_template_that_exists():
    assert found() == {}


@override_settings(MAINTENANCE_MODE_REDIRECT_URL="no-such-url-name")
def test_redirect_url_that_does_not_resolve():
    assert "URL name" in found()["maintenance_panel.E012"].hint


@pytest.mark.parametrize("value", ["/maintenance-info/", "https://status.example.com", "about"])
def test_redirect_urls_that_resolve(value):
    with override_settings(MAINTENANCE_MODE_REDIRECT_URL=value):
        assert found() == {}


@override_settings(MAINTENANCE_MODE_IGNORE_URLS=None, MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=None)
def test_none_for_a_list_means_empty():
    assert found() == {}


def test_scope_setting_must_be_regular_expressions():
    with override_settings(MAINTENANCE_MODE_SCOPE_URLS=["^/(broken"]):
        message = found()["maintenance_panel.E006"]
    assert message.msg.startswith("MAINTENANCE_MODE_SCOPE_URLS: '^/(broken'")


def test_scope_setting_must_be_a_list():
    with override_settings(MAINTENANCE_MODE_SCOPE_URLS="^/checkout/"):
        assert "maintenance_panel.E004" in found()


@pytest.mark.parametrize(
    ("name", "value"),
    [("MAINTENANCE_MODE_READ_ONLY", "yes"), ("MAINTENANCE_MODE_READ_ONLY_BLOCK_WRITES", None)],
)
def test_level_settings_types(name, value):
    with override_settings(**{name: value}):
        assert name in found()["maintenance_panel.E008"].msg


@override_settings(MAINTENANCE_MODE_TIME_ZONE="Europe/Berlinn")
def test_an_unknown_time_zone_for_repeated_windows_names_the_closest():
    error = found()["maintenance_panel.E014"]
    assert "'Europe/Berlinn', is not known" in error.msg
    assert "Did you mean 'Europe/Berlin'?" in error.hint


@override_settings(TIME_ZONE="UTC", MAINTENANCE_MODE_TIME_ZONE=None)
def test_the_time_zone_falls_back_to_time_zone():
    assert "maintenance_panel.E014" not in found()


@override_settings(MAINTENANCE_MODE_TIME_ZONE=3600)
def test_a_time_zone_that_is_not_a_name_is_a_type_error():
    assert "MAINTENANCE_MODE_TIME_ZONE" in found()["maintenance_panel.E008"].msg
