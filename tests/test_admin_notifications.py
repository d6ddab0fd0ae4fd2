"""The panel's "Notifications" section, its "Who is told" field, and the read-only list
of deliveries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from maintenance_panel.models import Delivery, MaintenanceChange, MaintenanceConfig, Notification
from tests.factories import GroupFactory, UserFactory
from tests.helpers import PANEL, form_data, logged_in, text

pytestmark = pytest.mark.django_db

DELIVERIES = "/admin/maintenance_panel/delivery/"
HOOKS = [{"url": "https://hooks.example.com/in?token=t0ken", "secret": "s3cret"}]


@pytest.fixture
def client(operator: Any) -> Client:
    return logged_in(operator)


@pytest.fixture
def superuser_client() -> Client:
    from tests.factories import SuperuserFactory

    return logged_in(SuperuserFactory(username="root"))


def section(page: Any) -> str:
    """The text of the panel's Notifications section."""
    found = re.search(
        r'<section[^>]*id="maintenance-notifications".*?</section>', page.content.decode(), re.S
    )
    assert found, "no Notifications section"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group()).split())


def deliveries(*rows: dict[str, Any]) -> None:
    notification = Notification.objects.create(key="k", event="switched_on", payload={})
    for row in rows:
        Delivery.objects.create(notification=notification, channel="webhook", **row)


@override_settings(MAINTENANCE_MODE_WEBHOOKS=HOOKS)
def test_the_section_says_who_is_told_before_anything_was_sent(client: Client) -> None:
    ops = GroupFactory(name="ops")
    MaintenanceConfig.get_solo().notify_groups.set([ops])
    UserFactory(username="bob", groups=[ops])

    said = section(client.get(PANEL))

    assert "Notifications" in said
    assert "1 webhook and 1 e-mail address are told of each event." in said
    assert "Nothing delivered yet." in said


@override_settings(TIME_ZONE="UTC")
def test_the_section_says_when_it_last_delivered_and_what_fails(client: Client) -> None:
    delivered_at = timezone.now().replace(hour=12, minute=3)
    deliveries(
        {"target": "https://a.example/in", "status": "delivered", "delivered_at": delivered_at},
        {
            "target": "https://hooks.example.com/in",
            "status": "pending",
            "attempts": 2,
            "last_error": "502 from hooks.example.com",
        },
    )

    said = section(client.get(PANEL))

    assert re.search(r"Last delivered .*12:03 p\.m\. UTC ?\.", said), said
    assert "1 failing: 502 from hooks.example.com." in said


def test_the_section_says_when_nobody_is_told(client: Client) -> None:
    said = section(client.get(PANEL))

    assert "Nobody is told of maintenance yet" in said


def test_the_section_links_to_the_deliveries_for_whoever_may_see_them(
    client: Client, superuser_client: Client
) -> None:
    assert "Every delivery and its attempts" not in section(client.get(PANEL))
    assert f'href="{DELIVERIES}"' in superuser_client.get(PANEL).content.decode()


def test_the_deliveries_are_listed_read_only(superuser_client: Client) -> None:
    deliveries(
        {
            "target": "https://hooks.example.com/in",
            "status": "failed",
            "attempts": 5,
            "last_error": "502 from hooks.example.com",
        }
    )
    row = Delivery.objects.get()

    listing = superuser_client.get(DELIVERIES)
    detail = superuser_client.get(f"{DELIVERIES}{row.pk}/change/")

    assert listing.status_code == 200
    body = text(listing)
    assert "https://hooks.example.com/in" in body
    assert "502 from hooks.example.com" in body
    assert "switched on" in body
    assert f'href="{DELIVERIES}add/"' not in listing.content.decode()
    assert detail.status_code == 200
    assert 'type="submit"' not in detail.content.decode().split('id="content-main"')[1]
    assert superuser_client.post(f"{DELIVERIES}{row.pk}/delete/").status_code == 403


def test_the_groups_to_notify_are_saved_and_recorded(client: Client) -> None:
    ops = GroupFactory(name="On call")
    page = client.get(PANEL)
    assert "Who is told" in text(page)
    data = {**form_data(page), "notify_groups": [str(ops.pk)], "_save": "Save"}

    response = client.post(PANEL, data)

    assert response.status_code == 302
    assert list(MaintenanceConfig.get_solo().notify_groups.all()) == [ops]
    assert MaintenanceChange.objects.get().changes == {"notify_groups": [[], ["On call"]]}
