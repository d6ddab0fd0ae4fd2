"""The request path: decision order, exemptions and the maintenance response (the async
path has tests/test_middleware_async.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.utils.functional import SimpleLazyObject

from maintenance_panel import state
from maintenance_panel.middleware import MaintenanceModeMiddleware
from tests.factories import GroupFactory, StaffFactory, SuperuserFactory, UserFactory
from tests.helpers import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls")]


@pytest.fixture
def on(set_config):
    return set_config(enabled=True)


# -- the switch ------------------------------------------------------------------------


def test_off_serves_site(client, config):
    response = client.get("/")
    assert response.status_code == 200
    assert response.content == b"plain page"


def test_on_holds_back_anonymous_visitor(client, on):
    assert client.get("/").status_code == 503


def test_unknown_url_during_maintenance_gets_maintenance_page_not_404(client, on):
    assert client.get("/no-such-page/").status_code == 503


def test_unknown_url_while_off_is_a_404(client, config):
    assert client.get("/no-such-page/").status_code == 404


# -- 1. view decorators win, whatever the state -----------------------------------------


@pytest.mark.parametrize("url", ["/always-on/", "/class-view/", "/method-view/"])
def test_force_off_views_stay_available(client, on, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b"available" in response.content


def test_force_on_view_answers_maintenance_while_off(client, config):
    assert client.get("/always-down/").status_code == 503


@override_settings(MAINTENANCE_MODE=False)
def test_force_on_view_wins_over_setting_forcing_off(client):
    assert client.get("/always-down/").status_code == 503


@override_settings(MAINTENANCE_MODE=True)
def test_force_off_view_wins_over_setting_forcing_on(client):
    assert client.get("/always-on/").status_code == 200


def test_force_on_view_holds_back_even_superuser(config):
    assert logged_in(SuperuserFactory()).get("/always-down/").status_code == 503


# -- 2. the effective state: settings, switch, window -----------------------------------


def test_window_in_future_is_not_active_yet(client, set_config):
    from datetime import timedelta

    from django.utils import timezone

    set_config(enabled=True, starts_at=timezone.now() + timedelta(hours=1))
    assert client.get("/").status_code == 200


def test_window_in_progress_is_active(client, set_config):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    set_config(
        enabled=True, starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(minutes=10)
    )
    response = client.get("/")
    assert response.status_code == 503
    assert 590 <= int(response["Retry-After"]) <= 600


def test_window_over_is_not_active(client, set_config):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    set_config(enabled=True, starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1))
    assert client.get("/").status_code == 200


# -- 3. exemptions ----------------------------------------------------------------------


def test_admin_site_found_by_resolving_not_by_prefix(client, on):
    # The admin lives at /backoffice/ here; /administrator/ is an ordinary page.
    assert client.get("/backoffice/login/").status_code == 200
    assert client.get("/administrator/").status_code == 503


def test_admin_answer_from_an_earlier_middleware_is_kept(on):
    # CsrfViewMiddleware refuses the post before the view is reached: the admin is
    # still recognised from the URL, so the operator sees the 403, not the 503.
    client = logged_in(SuperuserFactory(), enforce_csrf_checks=True)
    assert client.post("/backoffice/auth/group/add/", {"name": "x"}).status_code == 403
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/", {}).status_code == 503


def test_admin_site_held_back_when_not_ignored(set_config):
    set_config(enabled=True, ignore_admin_site=False)
    staff = logged_in(StaffFactory())
    assert staff.get("/backoffice/").status_code == 503


def test_admin_login_stays_reachable_when_admin_not_ignored(client, set_config):
    set_config(enabled=True, ignore_admin_site=False)
    assert client.get("/backoffice/login/").status_code == 200


def test_panel_reachable_for_superuser_when_admin_not_ignored(set_config):
    set_config(enabled=True, ignore_admin_site=False)
    superuser = logged_in(SuperuserFactory())
    assert superuser.get("/backoffice/maintenance_panel/maintenanceconfig/").status_code == 200
    assert superuser.get("/backoffice/").status_code == 503


def test_panel_not_reachable_for_staff_without_permission(set_config):
    set_config(enabled=True, ignore_admin_site=False)
    staff = logged_in(StaffFactory())
    assert staff.get("/backoffice/maintenance_panel/maintenanceconfig/").status_code == 503


@override_settings(MAINTENANCE_MODE_IGNORE_ADMIN_SITE=False)
def test_ignore_admin_site_setting_fixes_the_field(client, set_config):
    set_config(enabled=True, ignore_admin_site=True)
    assert logged_in(StaffFactory()).get("/backoffice/").status_code == 503


def test_ignore_urls_from_admin(client, set_config):
    set_config(enabled=True, ignore_urls="^/administrator/$\n^/async/")
    assert client.get("/administrator/").status_code == 200
    assert client.get("/").status_code == 503


@override_settings(MAINTENANCE_MODE_IGNORE_URLS=[r"^/administrator/"])
def test_ignore_urls_settings_and_admin_add_up(client, set_config):
    set_config(enabled=True, ignore_urls="^/whoami/")
    assert client.get("/administrator/").status_code == 200
    assert client.get("/whoami/").status_code == 200
    assert client.get("/").status_code == 503


def test_ip_addresses_and_networks_from_admin(set_config):
    set_config(enabled=True, ignore_ip_addresses="203.0.113.7\n10.0.0.0/8\n2001:db8::/32")
    assert Client(REMOTE_ADDR="203.0.113.7").get("/").status_code == 200
    assert Client(REMOTE_ADDR="10.20.30.40").get("/").status_code == 200
    assert Client(REMOTE_ADDR="2001:db8::1").get("/").status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.70").get("/").status_code == 503
    assert Client(REMOTE_ADDR="11.0.0.1").get("/").status_code == 503


@override_settings(MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=["127.0.0.1"])
def test_ip_setting_is_an_address_not_a_regex(set_config):
    set_config(enabled=True)
    assert Client(REMOTE_ADDR="127.0.0.1").get("/").status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.10").get("/").status_code == 503


def test_client_sent_forwarded_for_is_not_trusted(set_config):
    set_config(enabled=True, ignore_ip_addresses="10.0.0.1")
    client = Client(REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert client.get("/").status_code == 503


@pytest.mark.parametrize(
    ("flag", "factory", "exempt"),
    [
        ("ignore_staff", StaffFactory, True),
        ("ignore_staff", UserFactory, False),
        ("ignore_superuser", SuperuserFactory, True),
        ("ignore_superuser", StaffFactory, False),
        ("ignore_authenticated_user", UserFactory, True),
    ],
)
def test_user_kind_exemptions_from_admin(set_config, flag, factory, exempt):
    set_config(enabled=True, **{flag: True})
    expected = 200 if exempt else 503
    assert logged_in(factory()).get("/").status_code == expected


def test_anonymous_exemption(client, set_config):
    set_config(enabled=True, ignore_anonymous_user=True)
    assert client.get("/").status_code == 200
    assert logged_in(UserFactory()).get("/").status_code == 503


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ("MAINTENANCE_MODE_IGNORE_STAFF", "ignore_staff"),
        ("MAINTENANCE_MODE_IGNORE_SUPERUSER", "ignore_superuser"),
        ("MAINTENANCE_MODE_IGNORE_AUTHENTICATED_USER", "ignore_authenticated_user"),
    ],
)
@pytest.mark.parametrize("stored", [True, False])
@pytest.mark.parametrize("forced", [True, False, None])
def test_every_user_flag_setting_fixes_its_field(set_config, setting, field, stored, forced):
    set_config(enabled=True, **{field: stored})
    user = SuperuserFactory()  # staff, superuser and authenticated at once
    effective = stored if forced is None else forced
    with override_settings(**{setting: forced}):
        assert logged_in(user).get("/").status_code == (200 if effective else 503)


@pytest.mark.parametrize("stored", [True, False])
@pytest.mark.parametrize("forced", [True, False, None])
def test_anonymous_flag_setting_fixes_its_field(client, set_config, stored, forced):
    set_config(enabled=True, ignore_anonymous_user=stored)
    effective = stored if forced is None else forced
    with override_settings(MAINTENANCE_MODE_IGNORE_ANONYMOUS_USER=forced):
        assert client.get("/").status_code == (200 if effective else 503)


def test_group_members_see_the_site(set_config):
    testers = GroupFactory(name="Beta testers")
    set_config(enabled=True, ignore_groups=[testers])
    assert logged_in(UserFactory(groups=[testers])).get("/").status_code == 200
    assert logged_in(UserFactory()).get("/").status_code == 503


def test_listed_users_see_the_site(set_config):
    alice = UserFactory()
    set_config(enabled=True, ignore_users=[alice])
    assert logged_in(alice).get("/").status_code == 200
    assert logged_in(UserFactory()).get("/").status_code == 503


def test_group_added_later_takes_effect_at_once(set_config):
    testers = GroupFactory()
    config = set_config(enabled=True)
    member = logged_in(UserFactory(groups=[testers]))
    assert member.get("/").status_code == 503
    config.ignore_groups.add(testers)
    assert member.get("/").status_code == 200


# -- the cost ----------------------------------------------------------------------------


def test_no_query_while_off(client, config, django_assert_num_queries):
    client.get("/")  # warm the snapshot
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_no_query_for_anonymous_visitor_while_on(client, on, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 503


def test_group_check_costs_one_query(set_config, django_assert_num_queries):
    testers = GroupFactory()
    set_config(enabled=True, ignore_groups=[testers])
    member = UserFactory(groups=[testers])
    request = RequestFactory().get("/")
    request.user = member
    middleware = MaintenanceModeMiddleware(lambda r: HttpResponse("page"))
    middleware(request)  # warm the snapshot
    with django_assert_num_queries(1):
        assert middleware(request).status_code == 200


def _exploding(what):
    def explode():
        raise AssertionError(f"{what} touched while maintenance is off")

    return SimpleLazyObject(explode)


def test_user_and_session_untouched_while_off(config):
    request = RequestFactory().get("/")
    request.user = _exploding("request.user")
    request.session = _exploding("request.session")
    middleware = MaintenanceModeMiddleware(lambda r: HttpResponse("page"))
    state.get_snapshot()
    assert middleware(request).status_code == 200
    assert middleware.process_view(request, lambda r: None, (), {}) is None


def test_session_cookie_not_varied_while_off(client, config):
    # SessionMiddleware adds "Vary: Cookie" as soon as anything reads the session.
    response = client.get("/")
    assert "Cookie" not in response.get("Vary", "")


def test_anonymous_user_object_is_fine(on):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    middleware = MaintenanceModeMiddleware(lambda r: HttpResponse("page"))
    assert middleware(request).status_code == 503
