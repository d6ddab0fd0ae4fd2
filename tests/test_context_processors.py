"""``{{ maintenance_mode }}`` in templates."""

from __future__ import annotations

import pytest
from django.template import engines
from django.test import RequestFactory, override_settings

from maintenance_panel.context_processors import maintenance_mode

pytestmark = pytest.mark.django_db


def render(request) -> str:
    template = engines["django"].from_string("{% if maintenance_mode %}down{% else %}up{% endif %}")
    return template.render({}, request)


def test_false_while_off(config):
    request = RequestFactory().get("/")
    assert maintenance_mode(request) == {
        "maintenance_mode": False,
        "maintenance_read_only": False,
        "maintenance_upcoming": None,
    }
    assert render(request) == "up"


def test_true_while_on(set_config):
    set_config(enabled=True)
    assert render(RequestFactory().get("/")) == "down"


@override_settings(MAINTENANCE_MODE=True)
def test_follows_the_setting(config):
    assert maintenance_mode(RequestFactory().get("/"))["maintenance_mode"] is True


def flags(path: str, user=None) -> dict[str, bool]:
    from django.contrib.auth.models import AnonymousUser
    from django.urls import resolve

    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    request.resolver_match = resolve(path)
    context = maintenance_mode(request)
    assert context.pop("maintenance_upcoming") is None
    return context


def test_read_only_for_a_visitor_who_may_not_change_anything(set_config):
    set_config(enabled=True, read_only=True)
    assert flags("/") == {"maintenance_mode": True, "maintenance_read_only": True}


def test_not_read_only_for_an_exempt_visitor(set_config):
    set_config(enabled=True, read_only=True, ignore_anonymous_user=True)
    assert flags("/") == {"maintenance_mode": True, "maintenance_read_only": False}


def test_not_read_only_on_a_page_kept_up_by_its_view(set_config):
    set_config(enabled=True, read_only=True)
    assert flags("/about/")["maintenance_read_only"] is False


def test_full_maintenance_is_not_read_only(set_config):
    set_config(enabled=True)
    assert flags("/")["maintenance_read_only"] is False


def test_with_a_scope_the_requests_own_path_decides(set_config):
    set_config(enabled=True, read_only=True, scope_urls="^/guestbook/")
    assert flags("/") == {"maintenance_mode": False, "maintenance_read_only": False}
    assert flags("/guestbook/") == {"maintenance_mode": True, "maintenance_read_only": True}


def test_out_of_scope_reads_no_user(set_config):
    class Untouchable:
        def __getattr__(self, name):
            raise AssertionError(f"request.user.{name} was read")

    set_config(enabled=True, read_only=True, scope_urls="^/guestbook/")
    assert flags("/", Untouchable())["maintenance_mode"] is False
