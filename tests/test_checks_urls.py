"""System checks of the URLconf: the app's URLs for bypass links, and scopes that match no URL."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.factories import BypassLinkFactory
from tests.helpers import WITH_DATABASE, found

pytestmark = pytest.mark.django_db  # Django's model checks ask SQLite about JSON support

MIDDLEWARE = "maintenance_panel.middleware.MaintenanceModeMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


urlpatterns: list[object] = []  # a URLconf without maintenance_panel.urls


@override_settings(ROOT_URLCONF="tests.test_checks_urls")
def test_urls_not_included_is_fine_without_bypass_links():
    """The include is optional: a project without it and without links is not broken."""
    assert found() == {}
    assert found(**WITH_DATABASE) == {}
    assert found(databases=["default"]) == {}


@override_settings(ROOT_URLCONF="tests.test_checks_urls")
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


@override_settings(ROOT_URLCONF="tests.test_checks_urls")
def test_urls_not_included_with_only_ended_bypass_links():
    BypassLinkFactory(name="old", revoked=True)

    assert found(**WITH_DATABASE) == {}


def test_urls_included_with_bypass_links():
    BypassLinkFactory(name="QA")

    assert found(**WITH_DATABASE) == {}


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
