"""The admin's maintenance page: what each kind of user sees, the banner, lock-out."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maintenance_panel import state
from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.models import MaintenanceChange, MaintenanceConfig
from tests.factories import OperatorFactory, StaffFactory, SuperuserFactory, ViewerFactory
from tests.helpers import PANEL, logged_in, panel_url, text

pytestmark = pytest.mark.django_db

TOGGLE = panel_url("toggle")
PREVIEW = panel_url("preview")


def html(response: Any) -> str:
    return " ".join(response.content.decode().split())


# -- who sees what -----------------------------------------------------------------------


def test_panel_url_is_the_admin_entry_for_the_model() -> None:
    assert PANEL == "/admin/maintenance_panel/maintenanceconfig/"
    for name in ("toggle", "preview", "bypass_add"):
        # state.py lets URL names with this prefix through for panel users.
        assert reverse(f"admin:maintenance_panel_maintenanceconfig_{name}").startswith(PANEL)


def test_operator_sees_state_and_the_switch() -> None:
    response = logged_in(OperatorFactory()).get(PANEL)

    assert response.status_code == 200
    assert "Maintenance mode is OFF" in text(response)
    assert "Turn maintenance on" in text(response)
    assert "Preview the maintenance page" in text(response)
    assert f'action="{TOGGLE}"' in html(response)
    assert 'name="version"' in html(response)


def test_view_only_user_sees_state_without_switch() -> None:
    set_maintenance_mode(True)

    response = logged_in(ViewerFactory()).get(PANEL)

    assert response.status_code == 200
    body = text(response)
    assert "Maintenance mode is ON" in body
    assert "Turn maintenance off" not in body
    assert "You can see the state but not change it" in body
    assert "Create link" not in body


def test_view_only_user_may_not_switch() -> None:
    response = logged_in(ViewerFactory()).post(TOGGLE, {"enabled": "1", "confirm": "1"})

    assert response.status_code == 403
    assert not _enabled()


def test_staff_without_permission_gets_403() -> None:
    client = logged_in(StaffFactory())

    assert client.get(PANEL).status_code == 403
    assert client.post(TOGGLE, {"enabled": "0"}).status_code == 403
    assert client.post(PREVIEW, {"title": "x"}).status_code == 403


def test_anonymous_is_sent_to_login() -> None:
    client = Client()

    for url in (PANEL, TOGGLE, PREVIEW):
        response = client.post(url) if url != PANEL else client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def _enabled() -> bool:
    from maintenance_panel.models import MaintenanceConfig

    return MaintenanceConfig.get_solo().enabled


# -- the status box ----------------------------------------------------------------------


def test_status_on_says_since_when_and_by_whom() -> None:
    operator = OperatorFactory(username="alice")
    set_maintenance_mode(True, user=operator, source="admin")

    body = text(logged_in(operator).get(PANEL))

    assert "Maintenance mode is ON" in body
    assert "Visitors get the maintenance page." in body
    assert "On for 0 minutes, since" in body
    assert "Turned on by alice." in body
    assert "Last saved" in body


def test_status_scheduled_shows_the_window() -> None:
    start = timezone.now() + timedelta(hours=2)
    set_maintenance_mode(True, start=start, end=start + timedelta(hours=1))

    body = text(logged_in(OperatorFactory()).get(PANEL))

    assert "Maintenance mode is SCHEDULED" in body
    assert "Maintenance is scheduled from" in body
    assert "Visitors still see the site." in body
    assert "Turn maintenance off" in body
    assert "Start now instead" in body


def test_status_after_the_window_ended_is_off() -> None:
    from maintenance_panel.models import MaintenanceConfig

    set_maintenance_mode(True, end=timezone.now() + timedelta(hours=1))
    MaintenanceConfig.objects.update(ends_at=timezone.now() - timedelta(minutes=5))

    body = text(logged_in(OperatorFactory()).get(PANEL))

    assert "Maintenance mode is OFF" in body
    assert "the maintenance window ended at" in body
    assert "Turn maintenance on" in body


def test_state_fixed_by_settings_disables_the_switch(settings: Any) -> None:
    settings.MAINTENANCE_MODE = True

    response = logged_in(OperatorFactory()).get(PANEL)

    assert "Maintenance mode is ON" in text(response)
    assert "Fixed on by the MAINTENANCE_MODE setting." in text(response)
    body = html(response)
    assert "Turn maintenance off</button>" in body
    assert "disabled" in body.split("Turn maintenance off</button>")[0].rsplit("<button", 1)[1]


def test_flag_fixed_by_settings_is_read_only_with_the_reason(settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_STAFF = True

    response = logged_in(OperatorFactory()).get(PANEL)

    field = response.context["adminform"].form.fields["ignore_staff"]
    assert field.disabled
    assert "MAINTENANCE_MODE_IGNORE_STAFF" in text(response)
    assert "Fixed to yes" in text(response)
    # The checkbox shows the value that applies.
    assert response.context["adminform"].form["ignore_staff"].value() is True


# -- the banner on every admin page ------------------------------------------------------


def test_banner_on_every_admin_page_while_on() -> None:
    set_maintenance_mode(True)
    client = logged_in(SuperuserFactory())

    for url in (reverse("admin:index"), reverse("admin:auth_group_changelist"), PANEL):
        body = text(client.get(url))
        assert "Maintenance mode is ON: visitors get the maintenance page." in body, url
    index = client.get(reverse("admin:index")).content.decode()
    assert f'href="{PANEL}">Open the maintenance panel' in index


def test_banner_keeps_the_site_header() -> None:
    set_maintenance_mode(True)

    body = html(logged_in(OperatorFactory()).get(reverse("admin:index")))

    assert "Django administration" in body
    assert body.index('id="header"') < body.index("mp-admin-banner")


@pytest.mark.parametrize(
    ("window_start", "expected"),
    [
        (None, r"On for 3 hours, since [^,]+, \d{4}, .+? UTC \."),
        # The switch was on before the window opened: counted from the window's start.
        (timedelta(minutes=30), "On for 30 minutes, since "),
    ],
)
def test_banner_says_how_long_maintenance_has_been_on(window_start, expected) -> None:
    start = timezone.now() - window_start if window_start else None
    set_maintenance_mode(True, start=start)
    MaintenanceConfig.objects.update(switched_on_at=timezone.now() - timedelta(hours=3))
    state.expire()  # an update() sends no signal

    body = text(logged_in(OperatorFactory()).get(reverse("admin:index")))

    assert re.search(expected, body)


def test_no_banner_while_off() -> None:
    body = html(logged_in(OperatorFactory()).get(reverse("admin:index")))

    assert "mp-admin-banner" not in body


def test_no_banner_while_only_scheduled() -> None:
    set_maintenance_mode(True, start=timezone.now() + timedelta(hours=1))

    body = html(logged_in(OperatorFactory()).get(reverse("admin:index")))

    assert "mp-admin-banner" not in body


def test_banner_without_panel_link_for_users_who_may_not_open_it() -> None:
    set_maintenance_mode(True)

    body = text(logged_in(StaffFactory()).get(reverse("admin:index")))

    assert "Maintenance mode is ON" in body
    assert "Open the maintenance panel" not in body


def test_banner_says_when_settings_force_it(settings: Any) -> None:
    settings.MAINTENANCE_MODE = True

    body = text(logged_in(SuperuserFactory()).get(reverse("admin:index")))

    assert "It is fixed on by the MAINTENANCE_MODE setting." in body


def test_banner_on_the_login_page() -> None:
    set_maintenance_mode(True)

    body = text(Client().get(reverse("admin:login")))

    assert "Maintenance mode is ON" in body
    assert "Open the maintenance panel" not in body


# -- the panel never locks itself out ----------------------------------------------------


@pytest.fixture
def admin_held_back(set_config: Any) -> None:
    set_config(enabled=True, ignore_admin_site=False)


@pytest.mark.usefixtures("admin_held_back")
def test_lockout_rest_of_admin_is_held_back() -> None:
    response = logged_in(OperatorFactory()).get(reverse("admin:index"))

    assert response.status_code == 503


@pytest.mark.usefixtures("admin_held_back")
def test_lockout_login_page_works() -> None:
    operator = OperatorFactory(username="op")
    client = Client()

    assert client.get(reverse("admin:login")).status_code == 200
    response = client.post(
        f"{reverse('admin:login')}?next={PANEL}",
        {"username": "op", "password": "secret-password", "next": PANEL},
    )

    assert response.status_code == 302
    assert response["Location"] == PANEL
    assert client.get(PANEL).status_code == 200
    assert operator.pk


@pytest.mark.usefixtures("admin_held_back")
def test_lockout_operator_can_switch_off() -> None:
    client = logged_in(OperatorFactory())

    assert client.get(PANEL).status_code == 200
    assert client.get(reverse("admin:jsi18n")).status_code == 200
    assert client.post(PREVIEW, {"title": "x"}).status_code == 200
    response = client.post(TOGGLE, {"enabled": "0"})

    assert response.status_code == 302
    assert not _enabled()
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.usefixtures("admin_held_back")
def test_lockout_view_only_user_still_sees_the_panel() -> None:
    assert logged_in(ViewerFactory()).get(PANEL).status_code == 200


@pytest.mark.usefixtures("admin_held_back")
def test_lockout_panel_held_back_for_others() -> None:
    assert logged_in(StaffFactory()).get(PANEL).status_code == 503
    assert Client().get(PANEL).status_code == 503


@pytest.mark.usefixtures("admin_held_back")
def test_lockout_login_without_next_leads_to_the_panel() -> None:
    OperatorFactory(username="op")
    client = Client()

    page = client.get(reverse("admin:login"))
    assert f'name="next" value="{PANEL}"' in page.content.decode()
    response = client.post(
        reverse("admin:login"),
        {"username": "op", "password": "secret-password", "next": PANEL},
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == PANEL
    assert "Turn maintenance off" in text(response)


def test_login_without_lockout_leads_to_the_index() -> None:
    set_maintenance_mode(True)

    page = Client().get(reverse("admin:login"))

    assert f'name="next" value="{reverse("admin:index")}"' in page.content.decode()


@pytest.mark.usefixtures("admin_held_back")
def test_lockout_login_keeps_a_given_next() -> None:
    page = Client().get(f"{reverse('admin:login')}?next=/admin/auth/")

    assert 'name="next" value="/admin/auth/"' in page.content.decode()


@pytest.mark.usefixtures("admin_held_back")
def test_lockout_users_field_works_without_the_autocomplete_view() -> None:
    from tests.factories import UserFactory

    friend = UserFactory(username="friend")
    client = logged_in(OperatorFactory())

    page = client.get(PANEL)
    assert client.get(reverse("admin:autocomplete")).status_code == 503
    assert "admin-autocomplete" not in html(page)
    assert f'<option value="{friend.pk}">friend</option>' in html(page)


def test_users_field_uses_autocomplete_normally() -> None:
    assert "admin-autocomplete" in html(logged_in(OperatorFactory()).get(PANEL))


def test_panel_times_name_their_zone(set_config, operator):
    set_config(enabled=True, ends_at=timezone.now() + timedelta(hours=2))
    page = logged_in(operator).get(PANEL).content.decode()
    assert "Ends by itself at <time datetime=" in page
    assert " UTC</time> (in " in page


@pytest.mark.parametrize(
    "path",
    [
        PANEL,
        f"{PANEL}history/",
        f"{PANEL}bypass-links/add/",
    ],
)
def test_breadcrumbs_use_the_markup_of_the_admin_they_run_in(config, path):
    client = logged_in(SuperuserFactory())
    stock = client.get("/admin/auth/user/").content.decode()
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    for markup in ('<ol class="breadcrumbs">', '<div class="breadcrumbs">'):
        assert (markup in page) == (markup in stock), markup


def test_confirm_page_breadcrumbs_lead_back_to_the_panel(operator):
    page = logged_in(operator).post(panel_url("toggle"), {"enabled": "1"}).content.decode()
    crumbs = page[page.index('class="breadcrumbs"') :].split("</nav>")[0]
    assert f'<a href="{PANEL}">Maintenance mode</a>' in crumbs
    assert "Turn maintenance mode on?" in crumbs


@pytest.mark.usefixtures("admin_held_back")
def test_lockout_everything_the_panel_links_to_stays_reachable() -> None:
    config = MaintenanceConfig.get_solo()
    config.ignore_admin_site = False
    config.save()
    client = logged_in(SuperuserFactory())
    panel = client.get(PANEL)
    assert panel.status_code == 200
    links = set(re.findall(r'href="(/admin/[^"#]*)"', panel.content.decode()))
    assert reverse("admin:maintenance_panel_maintenancechange_changelist") in links
    breadcrumbs = re.search(r'class="breadcrumbs">(.*?)</(?:ol|div)>', panel.content.decode(), re.S)
    assert breadcrumbs is not None
    assert f'href="{reverse("admin:index")}"' not in breadcrumbs.group(1)  # 503 during a lock-out
    for link in sorted(links):
        if link.startswith("/admin/maintenance_panel/"):
            assert client.get(link).status_code == 200, link
    change = MaintenanceChange.objects.first()
    entry = reverse("admin:maintenance_panel_maintenancechange_change", args=[change.pk])
    assert client.get(entry).status_code == 200
