"""The Python API in maintenance_panel.core, seen from a project's code and tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import AsyncClient, SimpleTestCase, override_settings
from django.utils import timezone

from maintenance_panel import core
from maintenance_panel.core import (
    create_bypass_link,
    get_maintenance_mode,
    maintenance_mode_off,
    maintenance_mode_on,
    override_maintenance_mode,
    revoke_bypass_link,
    set_maintenance_mode,
)
from maintenance_panel.models import BypassLink, MaintenanceChange, MaintenanceConfig
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def stored() -> MaintenanceConfig:
    return MaintenanceConfig.objects.get()


# -- get / set ---------------------------------------------------------------------------


def test_get_follows_set(client):
    assert get_maintenance_mode() is False
    set_maintenance_mode(True)
    assert get_maintenance_mode() is True
    assert client.get("/").status_code == 503
    set_maintenance_mode(False)
    assert get_maintenance_mode() is False
    assert client.get("/").status_code == 200


def test_set_records_the_user_and_source():
    staff = StaffFactory(username="ops")
    set_maintenance_mode(True, title="Upgrade", message="Soon back.", user=staff)
    change = MaintenanceChange.objects.get()
    assert change.user == staff
    assert change.source == "api"
    assert change.actor == "ops"
    assert change.changes["title"] == ["", "Upgrade"]
    assert stored().changed_by == staff


def test_set_with_window_as_datetimes_and_timedeltas():
    start = timezone.now() + timedelta(hours=1)
    set_maintenance_mode(True, start=start, end=timedelta(hours=3))
    config = stored()
    assert config.starts_at == start
    assert config.ends_at - timezone.now() > timedelta(hours=2, minutes=59)
    assert get_maintenance_mode() is False  # scheduled, not yet active


@override_settings(TIME_ZONE="America/New_York")
def test_naive_datetime_is_read_in_current_time_zone():
    naive = datetime(2099, 6, 1, 2, 0)
    set_maintenance_mode(True, start=naive, end=naive + timedelta(hours=1))
    assert timezone.localtime(stored().starts_at).replace(tzinfo=None) == naive


def test_off_keeps_the_window_unless_given():
    end = timezone.now() + timedelta(hours=1)
    set_maintenance_mode(True, end=end)
    set_maintenance_mode(False)
    assert stored().ends_at == end


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"start": timedelta(hours=2), "end": timedelta(hours=1)}, "ends_at", "after the start"),
        ({"end": timedelta(hours=-1)}, "ends_at", "in the past"),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
    ],
)
def test_validation_as_in_the_admin(kwargs, field, message):
    with pytest.raises(ValidationError) as raised:
        set_maintenance_mode(True, **kwargs)
    assert message in " ".join(raised.value.message_dict[field])
    assert not MaintenanceConfig.objects.filter(enabled=True).exists()
    assert not MaintenanceChange.objects.exists()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: set_maintenance_mode("off"), "value must be True or False"),
        (lambda: set_maintenance_mode(1), "value must be True or False"),
        (lambda: set_maintenance_mode(True, end=3600), "end must be a datetime, an ISO 8601"),
        (lambda: override_maintenance_mode("yes"), "value must be True or False"),
    ],
)
def test_wrong_types_are_refused(call, message):
    with pytest.raises(TypeError, match=message):
        call()


@override_settings(MAINTENANCE_MODE=True)
def test_set_refused_when_settings_fix_the_state():
    with pytest.raises(ImproperlyConfigured, match="MAINTENANCE_MODE setting"):
        set_maintenance_mode(False)
    assert get_maintenance_mode() is True


def test_inside_a_transaction_the_change_counts_at_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_maintenance_mode(True)
        assert client.get("/").status_code == 503
    assert client.get("/").status_code == 503


# -- test helpers: context managers and decorators --------------------------------------


def test_context_managers(client):
    with maintenance_mode_on():
        assert get_maintenance_mode() is True
        assert client.get("/").status_code == 503
        with maintenance_mode_off():
            assert client.get("/").status_code == 200
    assert get_maintenance_mode() is False
    assert client.get("/").status_code == 200


@maintenance_mode_on()
def test_decorated_sync_function(client):
    assert client.get("/").status_code == 503


@override_maintenance_mode(True)
async def test_decorated_async_function():
    response = await AsyncClient().get("/")
    assert response.status_code == 503


async def test_async_context_manager():
    with maintenance_mode_on():
        assert (await AsyncClient().get("/")).status_code == 503
    async with maintenance_mode_on():
        assert (await AsyncClient().get("/")).status_code == 503
    assert (await AsyncClient().get("/")).status_code == 200


@maintenance_mode_on()
class TestDecoratedPytestClass:
    def test_first(self, client):
        assert client.get("/").status_code == 503

    async def test_async(self):
        assert (await AsyncClient().get("/")).status_code == 503

    def helper(self):
        return "not decorated, not a test"

    def test_helper_untouched(self):
        assert self.helper() == "not decorated, not a test"


def test_decorated_pytest_class_restores_the_state(client):
    assert client.get("/").status_code == 200


@maintenance_mode_on()
class DecoratedDjangoCase(SimpleTestCase):
    def test_state(self):
        assert get_maintenance_mode() is True


def test_decorated_django_test_case_works():
    import unittest

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(DecoratedDjangoCase).run(result)
    assert result.wasSuccessful(), result.errors + result.failures
    assert get_maintenance_mode() is False


def test_forced_state_keeps_exemptions(client, set_config):
    set_config(ignore_urls="^/about/")
    with maintenance_mode_on():
        assert client.get("/").status_code == 503
        assert client.get("/about/").status_code == 200


# -- bypass links from code ----------------------------------------------------------------


def test_create_bypass_link_returns_the_path_and_stores_a_hash(client):
    path = create_bypass_link("QA", expires_at=timedelta(hours=1))
    token = path.rstrip("/").rsplit("/", 1)[-1]
    link = BypassLink.objects.get()
    assert link.name == "QA"
    assert token not in link.token_hash
    assert link.expires_at > timezone.now()
    with maintenance_mode_on():
        client.get(path)
        assert client.get("/").status_code == 200
        revoke_bypass_link("QA")
        assert client.get("/").status_code == 503


def test_create_bypass_link_validation():
    create_bypass_link("QA")
    with pytest.raises(ValidationError, match="already exists"):
        create_bypass_link("QA")
    with pytest.raises(ValidationError, match="expiry is in the past"):
        create_bypass_link("late", expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="This field cannot be blank"):
        create_bypass_link("")


@override_settings(ROOT_URLCONF="tests.test_checks_urls")
def test_create_bypass_link_without_the_app_urls_names_the_missing_line():
    with pytest.raises(ImproperlyConfigured) as caught:
        create_bypass_link("QA")
    assert 'path("maintenance/", include("maintenance_panel.urls"))' in str(caught.value)
    assert not BypassLink.objects.exists()


def test_revoke_unknown_link():
    with pytest.raises(ValidationError, match="no bypass link named"):
        revoke_bypass_link("nobody")


def test_revoke_twice_is_harmless():
    create_bypass_link("QA")
    revoke_bypass_link("QA")
    first = BypassLink.objects.get().revoked_at
    revoke_bypass_link("QA")
    assert BypassLink.objects.get().revoked_at == first


def test_public_names():
    assert set(core.__all__) >= {
        "get_maintenance_mode",
        "set_maintenance_mode",
        "override_maintenance_mode",
        "maintenance_mode_on",
        "maintenance_mode_off",
        "create_bypass_link",
        "revoke_bypass_link",
    }


def test_a_running_site_does_not_import_django_test():
    """The test helpers load django.test only when a test asks for them."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, django; django.setup();"
        "import maintenance_panel.core, maintenance_panel.middleware;"
        "from django.urls import resolve; resolve('/');"
        "print('django.test' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env={"DJANGO_SETTINGS_MODULE": "demo.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "False", result.stderr


def test_unknown_attribute_of_core():
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        core.nothing_here  # noqa: B018


def test_is_read_only_follows_switch_window_and_level():
    from django.test import override_settings

    from maintenance_panel.core import is_read_only

    assert not is_read_only()
    set_maintenance_mode(False, read_only=True)
    assert not is_read_only()  # the level alone is not maintenance
    set_maintenance_mode(True)
    assert is_read_only()  # None kept the stored level
    assert get_maintenance_mode()
    set_maintenance_mode(True, read_only=False)
    assert not is_read_only()
    with override_settings(MAINTENANCE_MODE_READ_ONLY=True):
        assert is_read_only()
    set_maintenance_mode(True, read_only=True, start=timedelta(hours=1))
    assert not is_read_only()  # scheduled, not yet in force


def test_set_with_scope_and_keep_it():
    set_maintenance_mode(True, scope=["^/checkout/", "^/api/v1/"])
    assert MaintenanceConfig.get_solo().scope_urls == "^/checkout/\n^/api/v1/"
    set_maintenance_mode(True, title="Still scoped")
    assert MaintenanceConfig.get_solo().scope_urls == "^/checkout/\n^/api/v1/"
    set_maintenance_mode(True, scope=[])
    assert MaintenanceConfig.get_solo().scope_urls == ""


def test_level_fixed_by_settings_refuses_the_other():
    from django.core.exceptions import ImproperlyConfigured
    from django.test import override_settings

    with override_settings(MAINTENANCE_MODE_READ_ONLY=False):
        with pytest.raises(ImproperlyConfigured, match="MAINTENANCE_MODE_READ_ONLY"):
            set_maintenance_mode(True, read_only=True)
        set_maintenance_mode(True, read_only=False)  # the same level is fine


def test_scope_must_be_a_list():
    with pytest.raises(TypeError, match="scope must be a list"):
        set_maintenance_mode(True, scope=42)  # type: ignore[arg-type]
