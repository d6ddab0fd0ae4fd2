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
    assert maintenance_mode(request) == {"maintenance_mode": False}
    assert render(request) == "up"


def test_true_while_on(set_config):
    set_config(enabled=True)
    assert render(RequestFactory().get("/")) == "down"


@override_settings(MAINTENANCE_MODE=True)
def test_follows_the_setting(config):
    assert maintenance_mode(RequestFactory().get("/"))["maintenance_mode"] is True
