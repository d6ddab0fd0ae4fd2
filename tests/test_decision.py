"""The rules, on their own: the one decision the middleware, the banner and the context
processor ask."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory, override_settings
from django.urls import resolve

from maintenance_panel import decision, state
from maintenance_panel.decision import ASK_USER, GUARD, HOLD, REFUSE, SERVE, Decision
from maintenance_panel.snapshot import Snapshot
from tests.factories import GroupFactory, StaffFactory, SuperuserFactory, UserFactory, grant

pytestmark = pytest.mark.urls("tests.urls")

ON = Snapshot(enabled=True)
LOCKED_OUT = Snapshot(enabled=True, ignore_admin_site=False)
PANEL_PAGE = "/backoffice/maintenance_panel/maintenanceconfig/"


def request_for(path: str = "/", method: str = "get", user: Any = None, **meta: str) -> Any:
    request = getattr(RequestFactory(), method)(path, **meta)
    request.resolver_match = resolve(path) if path != "/missing/" else None
    request.user = user if user is not None else AnonymousUser()
    return request


def decided(request: Any, snapshot: Snapshot, **options: Any) -> Decision:
    return decision.decide(request, snapshot, user=decision.RequestUser(request), **options)


@pytest.mark.parametrize(
    ("path", "snapshot", "expected"),
    [
        ("/", ON, Decision(HOLD)),
        ("/", Snapshot(), Decision(SERVE, "off")),
        ("/backoffice/", ON, Decision(SERVE, "url")),
        ("/backoffice/", LOCKED_OUT, Decision(HOLD)),
        ("/backoffice/login/", LOCKED_OUT, Decision(SERVE, "url")),
        (PANEL_PAGE, LOCKED_OUT, Decision(HOLD)),  # an anonymous visitor may not use it
        ("/maintenance/status/", ON, Decision(SERVE, "url")),
        ("/missing/", ON, Decision(HOLD)),
    ],
)
def test_the_url_rules(path, snapshot, expected):
    assert decided(request_for(path), snapshot) == expected


def test_the_address_rule():
    snapshot = Snapshot.from_data({"enabled": True, "ignore_ip_addresses": "10.0.0.0/8"}, "s")
    assert decided(request_for(REMOTE_ADDR="10.1.2.3"), snapshot) == Decision(SERVE, "ip")
    assert decided(request_for(REMOTE_ADDR="192.0.2.1"), snapshot) == Decision(HOLD)


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("203.0.113.9", 0, "198.51.100.1"),
        ("203.0.113.9", 1, "203.0.113.9"),
        ("10.0.0.1, 203.0.113.9", 1, "203.0.113.9"),
        ("10.0.0.1, 203.0.113.9", 2, "10.0.0.1"),
        ("203.0.113.9", 2, "198.51.100.1"),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(forwarded, proxies, expected):
    request = request_for(REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(MAINTENANCE_MODE_TRUSTED_PROXY_COUNT=proxies):
        assert decision.client_ip(request) == expected


def test_a_decorated_view_wins_whatever_the_state():
    request = request_for()
    assert decision.decide(request, Snapshot(), view_forced=True) == Decision(HOLD)
    assert decision.decide(request, ON, view_forced=False) == Decision(SERVE, "view")


def test_outside_the_scope_is_served_without_asking_for_the_user():
    snapshot = Snapshot.from_data({"enabled": True, "scope_urls": "^/class-view/"}, "s")
    assert decision.decide(request_for("/"), snapshot) == Decision(SERVE, "scope")
    assert decision.decide(request_for("/class-view/"), snapshot) is ASK_USER


def test_without_a_user_it_asks_only_when_the_rules_need_one():
    assert decision.decide(request_for("/backoffice/"), ON) == Decision(SERVE, "url")
    assert decision.decide(request_for("/"), ON) is ASK_USER


@pytest.mark.parametrize(
    ("method", "answered", "block_writes", "expected"),
    [
        ("get", False, True, Decision(GUARD)),
        ("get", True, True, Decision(SERVE, "read")),
        ("get", False, False, Decision(SERVE, "read")),
        ("post", False, True, Decision(REFUSE)),
        ("post", True, True, Decision(REFUSE)),
    ],
)
def test_read_only_serves_reads_and_refuses_changes(method, answered, block_writes, expected):
    snapshot = Snapshot(enabled=True, read_only=True)
    with override_settings(MAINTENANCE_MODE_READ_ONLY_BLOCK_WRITES=block_writes):
        assert decided(request_for(method=method), snapshot, answered=answered) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("flags", "factory", "reason"),
    [
        ({}, AnonymousUser, None),
        ({"ignore_anonymous_user": True}, AnonymousUser, "anonymous"),
        ({"ignore_authenticated_user": True}, UserFactory, "authenticated"),
        ({"ignore_staff": True}, StaffFactory, "staff"),
        ({"ignore_staff": True}, UserFactory, None),
        ({"ignore_superuser": True}, SuperuserFactory, "superuser"),
        ({}, SuperuserFactory, None),
    ],
)
def test_the_user_rules(flags, factory, reason):
    result = decided(request_for(user=factory()), Snapshot(enabled=True, **flags))
    assert result == (Decision(SERVE, reason) if reason else Decision(HOLD))


@pytest.mark.django_db
def test_listed_users_and_groups():
    testers = GroupFactory()
    member, listed = UserFactory(groups=[testers]), UserFactory()
    snapshot = Snapshot(
        enabled=True, group_ids=frozenset({testers.pk}), user_ids=frozenset({str(listed.pk)})
    )
    assert decided(request_for(user=listed), snapshot).reason == "user"
    assert decided(request_for(user=member), snapshot).reason == "group"
    assert decided(request_for(user=UserFactory()), snapshot) == Decision(HOLD)


@pytest.mark.django_db
def test_group_lookup_does_not_grow_with_the_list(django_assert_num_queries):
    testers = GroupFactory()
    member, outsider = UserFactory(groups=[testers]), UserFactory(groups=[GroupFactory()])
    listed = frozenset({testers.pk, *range(10**6, 10**6 + 1000)})
    snapshot = Snapshot(enabled=True, group_ids=listed)
    with django_assert_num_queries(2) as captured:
        assert decided(request_for(user=member), snapshot).reason == "group"
        assert decided(request_for(user=outsider), snapshot) == Decision(HOLD)
    # The query names the user, never the listed groups.
    assert all(len(query["sql"]) < 400 for query in captured.captured_queries)


@pytest.mark.django_db
def test_no_group_query_without_listed_groups(django_assert_num_queries):
    request = request_for(user=UserFactory())
    with django_assert_num_queries(0):
        assert decided(request, ON) == Decision(HOLD)


@pytest.mark.django_db
def test_the_panel_during_a_lock_out_is_for_those_who_may_use_it():
    viewer = StaffFactory()
    grant(viewer, "view_maintenanceconfig")
    assert decided(request_for(PANEL_PAGE, user=viewer), LOCKED_OUT) == Decision(SERVE, "url")
    assert decided(request_for(PANEL_PAGE, user=StaffFactory()), LOCKED_OUT) == Decision(HOLD)
    assert not decision.may_use_panel(AnonymousUser())
    assert not decision.may_use_panel(None)


@pytest.mark.django_db
@override_settings(MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER=True)
def test_a_held_back_user_is_logged_out_when_the_settings_say_so():
    assert decided(request_for(user=UserFactory()), ON) == Decision(HOLD, logout=True)
    assert decided(request_for(), ON) == Decision(HOLD)  # nobody to log out


@pytest.mark.django_db
def test_decide_change_runs_the_same_rules(set_config):
    testers = GroupFactory()
    set_config(
        enabled=True, read_only=True, ignore_groups=[testers], ignore_ip_addresses="10.0.0.1"
    )
    snapshot = state.get_snapshot()
    member = request_for(user=UserFactory(groups=[testers]))
    assert decision.decide_change(member, snapshot) == Decision(SERVE, "group")
    office = request_for(REMOTE_ADDR="10.0.0.1")
    assert decision.decide_change(office, snapshot) == Decision(SERVE, "ip")
    assert decision.decide_change(request_for(user=UserFactory()), snapshot) == Decision(REFUSE)
    assert decision.decide_change(request_for(), Snapshot()) == Decision(SERVE, "off")


@pytest.mark.django_db
@override_settings(MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER=True)
def test_a_user_logged_out_is_judged_as_the_anonymous_visitor_they_become():
    anonymous_served = Snapshot(enabled=True, ignore_anonymous_user=True)
    user = request_for(user=UserFactory())
    assert decided(user, anonymous_served) == Decision(SERVE, "anonymous", logout=True)
    assert decided(request_for(), anonymous_served) == Decision(SERVE, "anonymous")


def unresolved(path: str) -> Any:
    request = RequestFactory().get(path)
    request.resolver_match = None  # no view: a 404, decided after the fact
    request.user = AnonymousUser()
    return request


@pytest.mark.parametrize(
    ("path", "snapshot", "expected"),
    [
        ("/backoffice", ON, Decision(SERVE, "url")),  # redirected to the exempt admin
        ("/backoffice", LOCKED_OUT, Decision(HOLD)),
        ("/maintenance/status", ON, Decision(SERVE, "url")),
        ("/whoami", ON, Decision(HOLD)),  # redirected to a page under maintenance
        ("/nowhere", ON, Decision(HOLD)),
        ("/backoffice/", ON, Decision(HOLD)),  # ends with a slash: nothing to append
    ],
)
def test_a_path_that_resolves_only_with_a_slash_is_judged_as_that_path(path, snapshot, expected):
    assert decided(unresolved(path), snapshot, answered=True) == expected


@override_settings(APPEND_SLASH=False)
def test_without_append_slash_no_slash_is_appended():
    assert decided(unresolved("/backoffice"), ON, answered=True) == Decision(HOLD)


def test_a_path_that_resolves_as_it_is_gets_no_slash():
    # An earlier middleware answered before the view was resolved: no redirect follows.
    assert decision.with_appended_slash(unresolved("/backoffice/nope")) is None  # catch-all
    slashed, match = decision.with_appended_slash(unresolved("/backoffice"))
    assert (slashed, match.url_name, match.app_names) == ("/backoffice/", "index", ["admin"])
