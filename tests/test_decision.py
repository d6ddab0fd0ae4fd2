"""The rules, on their own: the same ones the middleware and the banner use."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory, override_settings
from django.urls import resolve

from maintenance_panel import decision, state
from maintenance_panel.snapshot import Snapshot
from tests.factories import GroupFactory, StaffFactory, SuperuserFactory, UserFactory

pytestmark = pytest.mark.urls("tests.urls")

ON = Snapshot(enabled=True)


def request_for(path: str = "/", **meta: str):
    request = RequestFactory().get(path, **meta)
    request.resolver_match = resolve(path) if path != "/missing/" else None
    return request


@pytest.mark.parametrize(
    ("path", "snapshot", "reason"),
    [
        ("/", ON, None),
        ("/backoffice/", ON, "url"),
        ("/backoffice/", Snapshot(enabled=True, ignore_admin_site=False), None),
        ("/backoffice/login/", Snapshot(enabled=True, ignore_admin_site=False), "url"),
        (
            "/backoffice/maintenance_panel/maintenanceconfig/",
            Snapshot(enabled=True, ignore_admin_site=False),
            decision.PANEL,
        ),
        ("/maintenance/status/", ON, "url"),
        ("/missing/", ON, None),
    ],
)
def test_reason_before_user_from_the_url(path, snapshot, reason):
    request = request_for(path)
    assert decision.reason_before_user(request, request.resolver_match, snapshot) == reason


def test_reason_before_user_from_the_address():
    snapshot = Snapshot.from_data({"enabled": True, "ignore_ip_addresses": "10.0.0.0/8"}, "s")
    inside = request_for(REMOTE_ADDR="10.1.2.3")
    outside = request_for(REMOTE_ADDR="192.0.2.1")
    assert decision.reason_before_user(inside, None, snapshot) == "ip"
    assert decision.reason_before_user(outside, None, snapshot) is None


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
def test_reason_for_user(flags, factory, reason):
    assert decision.reason_for_user(factory(), Snapshot(enabled=True, **flags)) == reason


@pytest.mark.django_db
def test_listed_users_and_groups():
    testers = GroupFactory()
    member, listed = UserFactory(groups=[testers]), UserFactory()
    snapshot = Snapshot(
        enabled=True, group_ids=frozenset({testers.pk}), user_ids=frozenset({str(listed.pk)})
    )
    assert decision.reason_for_user(listed, snapshot) == "user"
    assert decision.member_group_ids(member, snapshot) == {testers.pk}
    assert decision.reason_for_user(member, snapshot, {testers.pk}) == "group"
    assert decision.member_group_ids(AnonymousUser(), snapshot) == set()


@pytest.mark.django_db
def test_group_lookup_does_not_grow_with_the_list(django_assert_num_queries):
    testers = GroupFactory()
    member, outsider = UserFactory(groups=[testers]), UserFactory(groups=[GroupFactory()])
    listed = frozenset({testers.pk, *range(10**6, 10**6 + 1000)})
    snapshot = Snapshot(enabled=True, group_ids=listed)
    with django_assert_num_queries(2) as captured:
        member_ids = decision.member_group_ids(member, snapshot)
        outsider_ids = decision.member_group_ids(outsider, snapshot)
    # The query names the user, never the listed groups.
    assert all(len(query["sql"]) < 400 for query in captured.captured_queries)
    assert decision.reason_for_user(member, snapshot, member_ids) == "group"
    assert decision.reason_for_user(outsider, snapshot, outsider_ids) is None


@pytest.mark.django_db
def test_exemption_reason_runs_the_same_rules(set_config):
    testers = GroupFactory()
    set_config(enabled=True, ignore_groups=[testers], ignore_ip_addresses="10.0.0.1")
    snapshot = state.get_snapshot()
    assert decision.exemption_reason(request_for(), UserFactory(groups=[testers]), snapshot) == (
        "group"
    )
    assert decision.exemption_reason(request_for(REMOTE_ADDR="10.0.0.1"), None, snapshot) == "ip"
    assert decision.exemption_reason(request_for(), UserFactory(), snapshot) is None
    assert decision.exemption_reason(request_for(), None, Snapshot()) is None


@pytest.mark.django_db
def test_panel_users_during_a_lock_out():
    from tests.factories import grant

    viewer = StaffFactory()
    grant(viewer, "view_maintenanceconfig")
    assert decision.may_use_panel(viewer)
    assert not decision.may_use_panel(StaffFactory())
    assert not decision.may_use_panel(AnonymousUser())
    assert not decision.may_use_panel(None)
