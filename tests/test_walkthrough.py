"""The seed tutorial, end to end through the test client: the admin drives it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from maintenance_panel.models import MaintenanceConfig
from tests.factories import SuperuserFactory
from tests.helpers import form_data

pytestmark = pytest.mark.django_db

PANEL = "/admin/maintenance_panel/maintenanceconfig/"


@pytest.fixture
def operator_client():
    client = Client()
    client.force_login(SuperuserFactory(username="operator"))
    return client


def save_panel(client: Client, **changes):
    page = client.get(PANEL)
    assert page.status_code == 200
    data = form_data(page)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        elif value is True:
            data[name] = "on"
        else:
            data[name] = value
    response = client.post(PANEL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_admin_lists_maintenance_mode(operator_client):
    index = operator_client.get("/admin/")
    assert "Maintenance mode" in index.content.decode()


def test_tick_switch_and_save_takes_site_down_for_visitors(operator_client, client):
    assert client.get("/").status_code == 200
    save_panel(
        operator_client,
        enabled=True,
        title="Upgrading <the> database",
        message="We are moving house.\nBack soon & better.",
    )
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 503
    assert [t.name for t in response.templates][:2] == ["503.html", "base.html"]
    # What the operator wrote, and nothing fixed beside it.
    assert "<h1>Upgrading &lt;the&gt; database</h1>" in body
    assert "<title>Upgrading &lt;the&gt; database</title>" in body
    assert "Website Unavailable" not in body
    assert "Please try again later" not in body
    assert "<main>" in body
    assert "We are moving house.<br>Back soon &amp; better." in body
    assert response["Retry-After"] == "3600"
    assert "no-store" in response["Cache-Control"]


def test_demo_page_with_the_defaults_says_it_once(operator_client, client):
    save_panel(operator_client, enabled=True)
    body = client.get("/").content.decode()
    assert "<h1>Website unavailable</h1>" in body
    assert body.count("Please try again later.") == 1
    assert "We expect to be back" not in body


def test_demo_page_names_the_end_with_its_zone(operator_client, client, set_config):
    set_config(enabled=True, ends_at=timezone.now() + timedelta(hours=2))
    body = client.get("/").content.decode()
    assert "We expect to be back by <time datetime=" in body
    assert " UTC</time>.</p>" in body


def test_admin_stays_usable_and_about_page_reachable(operator_client, client):
    save_panel(operator_client, enabled=True)
    assert operator_client.get("/admin/").status_code == 200
    assert operator_client.get(PANEL).status_code == 200
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/about/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_untick_and_save_brings_site_back_at_once(operator_client, client):
    save_panel(operator_client, enabled=True)
    assert client.get("/").status_code == 503
    save_panel(operator_client, enabled=False)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("setting", "stored", "expected"),
    [
        (True, False, 503),
        (False, True, 200),
        (None, True, 503),
        (None, False, 200),
    ],
)
def test_maintenance_mode_setting_wins_over_admin(client, set_config, setting, stored, expected):
    set_config(enabled=stored)
    with override_settings(MAINTENANCE_MODE=setting):
        assert client.get("/").status_code == expected


@override_settings(MAINTENANCE_MODE=True)
def test_forced_switch_is_shown_disabled_with_reason(operator_client):
    page = operator_client.get(PANEL)
    form = page.context["adminform"].form
    assert form.fields["enabled"].disabled
    assert "MAINTENANCE_MODE setting" in page.content.decode()


@override_settings(MAINTENANCE_MODE_TEMPLATE="errors/503.html")
def test_template_setting_uses_that_template(client, set_config):
    set_config(enabled=True, title="Planned work")
    response = client.get("/")
    assert response.status_code == 503
    assert response.templates[0].name == "errors/503.html"
    assert "Down for maintenance" in response.content.decode()
    assert "Planned work" in response.content.decode()


def test_saving_through_the_admin_records_who_and_history(operator_client):
    save_panel(operator_client, enabled=True)
    config = MaintenanceConfig.get_solo()
    assert config.changed_by.username == "operator"
    from maintenance_panel.models import MaintenanceChange

    change = MaintenanceChange.objects.get()
    assert change.source == "admin"
    assert change.actor == "operator"
    assert change.changes["enabled"] == [False, True]


@override_settings(
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
        }
    ]
)
def test_app_ships_a_fallback_page_when_the_project_has_none(client, set_config):
    set_config(enabled=True, title="Back at <noon>", message="One\nTwo")
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 503
    assert "<h1>Back at &lt;noon&gt;</h1>" in body
    assert "One<br>Two" in body
