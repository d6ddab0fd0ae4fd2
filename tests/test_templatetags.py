"""``{% maintenance_banner %}`` as visitors of the demo site see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import Client, override_settings
from django.utils import timezone

from maintenance_panel.core import create_bypass_link
from tests.factories import GroupFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

BANNER = 'class="maintenance-banner'


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def test_no_banner_while_off(client, config):
    response = client.get("/")
    assert response.status_code == 200
    assert BANNER not in text(response)


def test_scheduled_window_is_announced_to_everyone(client, set_config):
    start = timezone.now() + timedelta(hours=3)
    set_config(enabled=True, starts_at=start, ends_at=start + timedelta(hours=1))
    page = text(client.get("/"))
    assert "maintenance-banner--scheduled" in page
    assert "Maintenance " in page
    assert " to " in page.split("maintenance-banner--scheduled")[1].split("</div>")[0]


def test_open_ended_schedule(client, set_config):
    set_config(enabled=True, starts_at=timezone.now() + timedelta(hours=1))
    page = text(client.get("/"))
    banner = page.split("maintenance-banner--scheduled")[1].split("</div>")[0]
    assert "Maintenance from " in banner
    assert " to " not in banner


def test_window_too_far_ahead_is_not_announced_yet(client, set_config):
    set_config(enabled=True, starts_at=timezone.now() + timedelta(hours=25))
    assert BANNER not in text(client.get("/"))


@override_settings(MAINTENANCE_MODE_ANNOUNCE_BEFORE=timedelta(days=3))
def test_announce_before_setting(client, set_config):
    set_config(enabled=True, starts_at=timezone.now() + timedelta(hours=25))
    assert "maintenance-banner--scheduled" in text(client.get("/"))


@override_settings(MAINTENANCE_MODE_ANNOUNCE_BEFORE=0)
def test_announce_before_zero_turns_announcements_off(client, set_config):
    set_config(enabled=True, starts_at=timezone.now() + timedelta(minutes=5))
    assert BANNER not in text(client.get("/"))


def test_switched_off_schedule_is_not_announced(client, set_config):
    set_config(enabled=False, starts_at=timezone.now() + timedelta(hours=1))
    assert BANNER not in text(client.get("/"))


@pytest.mark.parametrize(
    ("fields", "make_user", "reason"),
    [
        ({"ignore_staff": True}, StaffFactory, "staff users are exempt"),
        ({"ignore_authenticated_user": True}, UserFactory, "logged-in users are exempt"),
        ({"ignore_ip_addresses": "127.0.0.0/8"}, UserFactory, "your network is on the exemption"),
    ],
)
def test_exempt_user_is_told_why(set_config, fields, make_user, reason):
    set_config(enabled=True, **fields)
    response = logged_in(make_user()).get("/")
    assert response.status_code == 200
    page = text(response)
    assert "maintenance-banner--on" in page
    assert "Maintenance mode is on." in page
    assert f"You are seeing the site because {reason}" in page


def test_listed_user_and_group_member(set_config):
    alice, bob = UserFactory(), UserFactory()
    group = GroupFactory()
    bob.groups.add(group)
    set_config(enabled=True, ignore_users=[alice], ignore_groups=[group])
    assert "your account is on the exemption list" in text(logged_in(alice).get("/"))
    assert "your group is on the exemption list" in text(logged_in(bob).get("/"))


def test_bypass_link_holder_is_told(client, set_config):
    set_config(enabled=True)
    client.get(create_bypass_link("QA"))
    assert "because you opened a bypass link" in text(client.get("/"))


def test_anonymous_exemption_and_end_time(client, set_config):
    set_config(
        enabled=True, ignore_anonymous_user=True, ends_at=timezone.now() + timedelta(hours=1)
    )
    page = text(client.get("/"))
    assert "Maintenance mode is on until " in page
    assert "visitors who are not logged in are exempt" in page


def test_page_kept_up_by_its_view(client, set_config):
    set_config(enabled=True)
    response = client.get("/about/")
    assert response.status_code == 200
    assert "this page stays available during maintenance" in text(response)


def test_no_banner_on_the_maintenance_page(client, set_config):
    set_config(enabled=True)
    response = client.get("/")
    assert response.status_code == 503
    assert BANNER not in text(response)


@override_settings(MAINTENANCE_MODE=True, MAINTENANCE_MODE_IGNORE_STAFF=True)
def test_forced_on_by_settings(config):
    assert "staff users are exempt" in text(logged_in(StaffFactory()).get("/"))


def test_without_request_in_context(set_config):
    set_config(enabled=True)
    rendered = Template("{% load maintenance_panel %}{% maintenance_banner %}").render(Context({}))
    assert "Maintenance mode is on." in rendered
    assert "because" not in rendered


def test_banner_names_the_zone_of_the_end(client, set_config):
    end = timezone.now() + timedelta(hours=2)
    set_config(enabled=True, ends_at=end, ignore_anonymous_user=True)
    page = text(client.get("/"))
    assert f'<time datetime="{end.replace(microsecond=0).isoformat()}">' in page
    assert " UTC</time>." in page


# -- levels and scope ------------------------------------------------------------------


def test_read_only_banner_tells_every_reader(client, set_config):
    set_config(enabled=True, read_only=True)
    response = client.get("/")
    assert response.status_code == 200
    assert "Changes are paused for maintenance: you can read the site" in text(response)
    assert "You can still make changes" not in text(response)


def test_read_only_banner_tells_an_exempt_visitor_why(client, set_config):
    set_config(enabled=True, read_only=True, ignore_anonymous_user=True)
    body = text(client.get("/"))
    assert "Changes are paused for maintenance" in body
    assert "You can still make changes because visitors who are not logged in are exempt" in body


def test_scope_banner_speaks_only_in_the_scope(client, set_config):
    set_config(enabled=True, read_only=True, scope_urls="^/guestbook/")
    assert "Changes are paused" not in text(client.get("/"))
    body = text(client.get("/guestbook/"))
    assert "Changes are paused for maintenance" in body
    assert "It concerns only /guestbook/." in body


def test_full_maintenance_banner_names_the_scope(client, set_config):
    set_config(enabled=True, scope_urls="^/about/", ignore_anonymous_user=True)
    assert "It concerns only /about/." in text(client.get("/about/"))
