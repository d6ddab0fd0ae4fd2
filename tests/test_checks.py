"""System checks: stable ids, and a hint that says how to fix each finding."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import Tags, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test import override_settings

from tests.factories import BypassLinkFactory

pytestmark = pytest.mark.django_db  # Django's model checks ask SQLite about JSON support

MIDDLEWARE = "maintenance_panel.middleware.MaintenanceModeMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


def found(**kwargs) -> dict[str, object]:
    """Our findings by id."""
    return {
        message.id: message
        for message in run_checks(**kwargs)
        if (message.id or "").startswith("maintenance_panel.")
    }


def hook(request):
    return {}


NOT_CALLABLE = 42


def test_clean_project_has_no_findings():
    assert found() == {}


def test_checks_run_from_manage_py_check():
    out = StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()


def test_middleware_missing():
    without = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    with override_settings(MIDDLEWARE=without):
        message = found()["maintenance_panel.E001"]
    assert MIDDLEWARE in message.hint
    with (
        override_settings(MIDDLEWARE=without),
        pytest.raises(SystemCheckError, match=r"maintenance_panel\.E001"),
    ):
        call_command("check")


def test_middleware_before_authentication():
    reordered = [MIDDLEWARE, *(m for m in settings.MIDDLEWARE if m != MIDDLEWARE)]
    with override_settings(MIDDLEWARE=reordered):
        message = found()["maintenance_panel.E002"]
    assert "below" in message.hint
    assert AUTH in message.hint


def test_app_listed_after_the_admin():
    apps = [app for app in settings.INSTALLED_APPS if app != "maintenance_panel"]
    with override_settings(INSTALLED_APPS=[*apps, "maintenance_panel"]):
        warning = found()["maintenance_panel.W005"]
    assert "above 'django.contrib.admin'" in warning.hint


def test_solo_not_installed(monkeypatch):
    monkeypatch.setattr(
        settings, "INSTALLED_APPS", [app for app in settings.INSTALLED_APPS if app != "solo"]
    )
    assert "'solo'" in found()["maintenance_panel.E003"].hint


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
        ("MAINTENANCE_MODE_LOGOUT_STAFF_USER", 1),
        ("MAINTENANCE_MODE_IGNORE_TESTS", None),
        ("MAINTENANCE_MODE_BYPASS_COOKIE_NAME", ""),
        ("MAINTENANCE_MODE_REDIRECT_URL", 42),
    ],
)
def test_wrong_types(name, value):
    with override_settings(**{name: value}):
        message = found()["maintenance_panel.E008"]
    assert name in message.msg
    assert message.hint.startswith(f"Set {name} to ")


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
        ("tests.test_checks.NOT_CALLABLE", "not a callable"),
        (42, "is int"),
    ],
)
def test_hook_settings_must_resolve(name, value, problem):
    with override_settings(**{name: value}):
        message = found()["maintenance_panel.E009"]
    assert name in message.msg
    assert problem in message.msg


@pytest.mark.parametrize("value", ["tests.test_checks.hook", hook])
def test_hook_settings_that_resolve(value):
    with override_settings(
        MAINTENANCE_MODE_GET_CONTEXT=value, MAINTENANCE_MODE_RESPONSE_TYPE=value
    ):
        assert found() == {}


@pytest.mark.parametrize("value", ["xml", "tests.test_checks.nothing", 3])
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


urlpatterns: list[object] = []  # a URLconf without maintenance_panel.urls


WITH_DATABASE = {"tags": [Tags.database], "databases": ["default"]}


@override_settings(ROOT_URLCONF="tests.test_checks")
def test_urls_not_included_is_fine_without_bypass_links():
    """The include is optional: a project without it and without links is not broken."""
    assert found() == {}
    assert found(**WITH_DATABASE) == {}
    assert found(databases=["default"]) == {}


@override_settings(ROOT_URLCONF="tests.test_checks")
def test_urls_not_included_with_usable_bypass_links():
    BypassLinkFactory(name="QA")
    BypassLinkFactory(name="old", revoked=True)

    assert "maintenance_panel.W004" not in found()  # only with the database tag
    message = found(**WITH_DATABASE)["maintenance_panel.W004"]
    assert "1 usable bypass link(s)" in message.msg
    assert 'include("maintenance_panel.urls")' in message.hint
    err = StringIO()
    call_command("check", databases=["default"], stderr=err)
    assert "maintenance_panel.W004" in err.getvalue()


@override_settings(ROOT_URLCONF="tests.test_checks")
def test_urls_not_included_with_only_ended_bypass_links():
    BypassLinkFactory(name="old", revoked=True)

    assert found(**WITH_DATABASE) == {}


def test_urls_included_with_bypass_links():
    BypassLinkFactory(name="QA")

    assert found(**WITH_DATABASE) == {}


# -- the database check ------------------------------------------------------------------


@pytest.mark.django_db
def test_tables_present():
    assert found(tags=[Tags.database], databases=["default"]) == {}
    assert found(**WITH_DATABASE, include_deployment_checks=True) == {}


@pytest.mark.django_db
def test_missing_table_before_migrate(monkeypatch):
    real = connection.introspection.table_names
    monkeypatch.setattr(
        connection.introspection,
        "table_names",
        lambda *args, **kwargs: [t for t in real(*args, **kwargs) if "maintenance" not in t],
    )
    assert "maintenance_panel.W003" not in found()  # only with the database tag
    # Not while migrate runs its checks, before it creates the tables.
    assert "maintenance_panel.W003" not in found(databases=["default"])
    message = found(**WITH_DATABASE, include_deployment_checks=True)["maintenance_panel.W003"]
    assert message.hint.startswith("run migrate")
    err = StringIO()
    call_command("check", databases=["default"], deploy=True, tags=["database"], stderr=err)
    assert "maintenance_panel.W003" in err.getvalue()
    assert "run migrate" in err.getvalue()


@override_settings(MAINTENANCE_MODE_IGNORE_URLS=None, MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=None)
def test_none_for_a_list_means_empty():
    assert found() == {}


def test_every_check_id_is_documented():
    root = Path(__file__).resolve().parent.parent
    pattern = r"maintenance_panel\.[EWI]\d{3}"
    source = "".join(
        path.read_text() for path in (root / "maintenance_panel" / "checks").glob("*.py")
    )
    docs = (root / "docs" / "checks.md").read_text()
    assert set(re.findall(f'id="({pattern})"', source)) == set(re.findall(f"`({pattern})`", docs))


# -- levels and scope ------------------------------------------------------------------


@pytest.mark.parametrize(
    "scope", [["^/about/"], [r"^/admin/auth/"], [r"^/guestbook/$"], ["^/maintenance/status/"]]
)
def test_scope_that_matches_a_url_is_fine(scope):
    with override_settings(MAINTENANCE_MODE_SCOPE_URLS=scope):
        assert "maintenance_panel.W006" not in found()


def test_scope_that_matches_no_url():
    with override_settings(MAINTENANCE_MODE_SCOPE_URLS=["^checkout/", "^/about/"]):
        message = found()["maintenance_panel.W006"]
    assert "'^checkout/' matches no URL" in message.msg
    assert "starts with a slash" in message.hint


def test_stored_scope_is_checked_with_the_database(set_config):
    set_config(scope_urls="^/nowhere/")
    assert "maintenance_panel.W006" not in found()
    message = found(databases=["default"])["maintenance_panel.W006"]
    assert "the admin's scope: '^/nowhere/'" in message.msg


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


def test_url_samples_of_regex_routes():
    from django.urls import include, re_path

    from maintenance_panel.checks import url_samples

    patterns = [
        re_path(r"^shop/(?P<id>\d+)/buy/$", lambda request: None),
        re_path(r"^legal/$", lambda request: None),
        re_path(r"^api/", include([re_path(r"^items/$", lambda request: None)])),
    ]
    assert url_samples(patterns) == [
        ("/shop/", False),
        ("/legal/", True),
        ("/api/", False),
        ("/api/items/", True),
    ]
