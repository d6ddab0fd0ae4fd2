"""System checks of the installation (middleware, app order, django-solo) and the
database's tables; every id documented."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import Tags
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test import override_settings

from tests.helpers import WITH_DATABASE, found

pytestmark = pytest.mark.django_db  # Django's model checks ask SQLite about JSON support

MIDDLEWARE = "maintenance_panel.middleware.MaintenanceModeMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


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


def test_every_check_id_is_documented():
    root = Path(__file__).resolve().parent.parent
    pattern = r"maintenance_panel\.[EWI]\d{3}"
    source = "".join(
        path.read_text() for path in (root / "maintenance_panel" / "checks").glob("*.py")
    )
    docs = (root / "docs" / "checks.md").read_text()
    assert set(re.findall(f'id="({pattern})"', source)) == set(re.findall(f"`({pattern})`", docs))
