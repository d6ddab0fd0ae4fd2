"""What a request costs the database during maintenance: nothing beyond Django's own."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from maintenance_panel import state
from maintenance_panel.middleware import MaintenanceModeMiddleware
from tests.factories import GroupFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls")]

LOAD_QUERIES = 4  # config, its groups, its users, the usable bypass links


# -- what a request costs --------------------------------------------------------------


def middleware() -> MaintenanceModeMiddleware:
    return MaintenanceModeMiddleware(lambda request: HttpResponse("page"))


def request_as(user: Any) -> Any:
    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: user)
    return request


@pytest.mark.parametrize("enabled", [True, False])
def test_anonymous_costs_no_query(client, clock, enabled, django_assert_num_queries, set_config):
    set_config(enabled=enabled).ignore_groups.add(GroupFactory())
    state.get_snapshot()
    with django_assert_num_queries(0):
        response = client.get("/")
    assert response.status_code == (503 if enabled else 200)


def test_group_membership_costs_one_query(clock, django_assert_num_queries, set_config):
    member_group, other_group = GroupFactory(), GroupFactory()
    config = set_config(enabled=True)
    config.ignore_groups.add(member_group)
    member = UserFactory(groups=[member_group])
    outsider = UserFactory(groups=[other_group])
    state.get_snapshot()
    with django_assert_num_queries(1):
        assert middleware()(request_as(member)).status_code == 200
    with django_assert_num_queries(1):
        assert middleware()(request_as(outsider)).status_code == 503


def test_no_group_rule_costs_no_query(clock, django_assert_num_queries, set_config):
    set_config(enabled=True)
    user = UserFactory()
    state.get_snapshot()
    with django_assert_num_queries(0):
        assert middleware()(request_as(user)).status_code == 503
        assert middleware()(request_as(AnonymousUser())).status_code == 503
