"""Read-only maintenance and the scope, on the request path (sync, async, two databases)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import AsyncClient, Client, override_settings

from demo.models import GuestbookEntry, PageCounter
from maintenance_panel.core import set_maintenance_mode
from tests.factories import GroupFactory, StaffFactory, UserFactory
from tests.helpers import logged_in, text

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.readonly_urls")]


@pytest.fixture
def read_only(db):
    set_maintenance_mode(True, read_only=True)


# -- reads and changes -----------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "head", "options", "trace"])
def test_safe_methods_are_served(client, read_only, method):
    response = getattr(client, method)("/read/")
    assert response.status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_changes_get_the_read_only_page(client, read_only, method):
    response = getattr(client, method)("/sign/")
    assert response.status_code == 503
    assert response["Retry-After"] == "3600"
    assert "no-cache" in response["Cache-Control"]
    assert "Changes are paused" in text(response)
    assert response.context["read_only"] is True
    assert not GuestbookEntry.objects.exists()


def test_full_maintenance_page_is_not_the_read_only_one(client):
    set_maintenance_mode(True)
    response = client.get("/read/")
    assert response.status_code == 503
    assert response.context["read_only"] is False
    assert "Changes are paused" not in text(response)


def test_change_refused_as_json(client, read_only):
    response = client.post("/sign/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response.json()["read_only"] is True
    assert response["Retry-After"] == "3600"
    assert "Accept" in response["Vary"]


def test_full_maintenance_json_has_no_read_only_key(client):
    set_maintenance_mode(True)
    response = client.get("/read/", HTTP_ACCEPT="application/json")
    assert "read_only" not in response.json()


def test_operator_text_is_kept_on_the_read_only_page(client):
    set_maintenance_mode(True, read_only=True, title="Database move", message="Back at 4.")
    response = client.post("/sign/")
    assert "Database move" in text(response)
    assert "Back at 4." in text(response)
    assert "you can keep reading, but what you sent was not saved" in text(response)


def test_exempt_group_can_still_write(read_only):
    staff = GroupFactory(name="Staff")
    member = UserFactory(groups=[staff])
    set_maintenance_mode(True, read_only=True)
    from maintenance_panel.models import MaintenanceConfig

    MaintenanceConfig.get_solo().ignore_groups.set([staff])
    response = logged_in(member).post("/sign/")
    assert response.status_code == 200
    assert logged_in(member).get("/count/").status_code == 200
    assert GuestbookEntry.objects.count() == 1
    assert PageCounter.objects.get().hits == 1


def test_exempt_url_can_still_write(client, set_config):
    set_config(enabled=True, read_only=True, ignore_urls="^/sign/$")
    assert client.post("/sign/").status_code == 200
    assert GuestbookEntry.objects.count() == 1


def test_admin_stays_writable(read_only):
    staff = StaffFactory(is_superuser=True)
    response = logged_in(staff).post(
        "/backoffice/auth/group/add/", {"name": "Created during read-only"}
    )
    assert response.status_code == 302
    from django.contrib.auth.models import Group

    assert Group.objects.filter(name="Created during read-only").exists()


def test_held_back_user_is_not_logged_out_in_read_only(read_only):
    user = UserFactory()
    client = logged_in(user)
    with override_settings(MAINTENANCE_MODE_LOGOUT_AUTHENTICATED_USER=True):
        assert client.post("/sign/").status_code == 503
        assert client.get("/whoami/").content.decode() == user.get_username()


def test_setting_fixes_the_level(client):
    set_maintenance_mode(True)
    with override_settings(MAINTENANCE_MODE_READ_ONLY=True):
        assert client.get("/read/").status_code == 200
        assert client.post("/sign/").status_code == 503
    set_maintenance_mode(True, read_only=True)
    with override_settings(MAINTENANCE_MODE_READ_ONLY=False):
        assert client.get("/read/").status_code == 503


def test_read_only_level_while_switched_off_changes_nothing(client):
    set_maintenance_mode(False, read_only=True)
    assert client.post("/sign/").status_code == 200
    assert client.get("/count/").status_code == 200


# -- the write guard -------------------------------------------------------------------


def test_write_on_get_is_refused_with_the_read_only_page(client, read_only):
    response = client.get("/count/")
    assert response.status_code == 503
    assert "Changes are paused" in text(response)
    assert not PageCounter.objects.exists()


def test_write_on_get_is_refused_as_json(client, read_only):
    response = client.get("/count/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response.json()["read_only"] is True


def test_guard_is_removed_after_the_request(client, read_only):
    client.get("/count/")
    client.get("/read/")
    PageCounter.objects.create(path="/outside-a-request/")  # the test itself may write
    assert PageCounter.objects.get().path == "/outside-a-request/"


def test_view_that_copes_with_a_refused_write_is_served(client, read_only):
    response = client.get("/tolerant/")
    assert response.status_code == 200
    assert response.content == b"views: None"
    assert not PageCounter.objects.exists()


def test_guard_off_by_setting_lets_writes_through(client, read_only):
    with override_settings(MAINTENANCE_MODE_READ_ONLY_BLOCK_WRITES=False):
        assert client.get("/count/").status_code == 200
        assert client.post("/sign/").status_code == 503  # changes are still refused
    assert PageCounter.objects.get().hits == 1


def test_guard_without_block_writes_touches_no_user(read_only, django_assert_num_queries):
    with override_settings(MAINTENANCE_MODE_READ_ONLY_BLOCK_WRITES=False):
        client = Client()
        client.get("/read/")  # the snapshot is read
        with django_assert_num_queries(1):  # the view's own count
            assert client.get("/read/").status_code == 200


def test_exempt_visitor_is_not_guarded(client, set_config):
    set_config(enabled=True, read_only=True, ignore_anonymous_user=True)
    assert client.get("/count/").status_code == 200
    assert PageCounter.objects.get().hits == 1


def test_interrupted_transaction_is_rolled_back(client, read_only):
    response = client.get("/half/")
    assert response.status_code == 503
    assert not GuestbookEntry.objects.exists()  # the first write went with the second


def test_interrupted_atomic_request_is_rolled_back(client, read_only, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    response = client.get("/half-per-request/")
    assert response.status_code == 503
    assert not GuestbookEntry.objects.exists()


def test_without_read_only_the_same_views_write(client):
    assert client.get("/half/").status_code == 200
    assert GuestbookEntry.objects.count() == 2


def test_post_that_began_before_read_only_completes_as_a_whole(client):
    # Maintenance was off when the request was decided: read-only switched on while
    # the view runs (here, by the view's own first step) does not cut it in half.
    from django.http import HttpResponse

    from tests import readonly_urls

    def switch_then_write(request):
        GuestbookEntry.objects.create(name="before", message="switch")
        set_maintenance_mode(True, read_only=True)
        GuestbookEntry.objects.create(name="after", message="switch")
        return HttpResponse("done")

    from django.urls import path

    patterns = [path("switch/", switch_then_write), *readonly_urls.urlpatterns]
    with override_settings(ROOT_URLCONF=type("URLs", (), {"urlpatterns": patterns})):
        assert client.post("/switch/").status_code == 200
        assert GuestbookEntry.objects.count() == 2
        assert client.post("/switch/").status_code == 503  # from now on: refused whole
    assert GuestbookEntry.objects.count() == 2


def test_write_behind_with_is_refused(client, read_only):
    assert client.get("/cte/").status_code == 503
    assert not PageCounter.objects.exists()


def test_row_locks_are_refused_where_the_database_takes_them(client, read_only):
    GuestbookEntry.objects.create(name="a", message="b")
    response = client.get("/lock/")
    if connection.features.has_select_for_update:  # PostgreSQL: FOR UPDATE is sent
        assert response.status_code == 503
    else:  # SQLite: Django sends a plain SELECT
        assert response.content == b"locked ['a']"


@pytest.mark.django_db(databases=["default", "other"])
def test_guard_covers_every_database(client, read_only):
    response = client.get("/sign-other/")
    assert response.status_code == 503
    assert not GuestbookEntry.objects.using("other").exists()


def test_write_refused_below_the_view_gets_the_read_only_page(read_only, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.readonly_urls.WritingMiddleware"]
    response = Client(raise_request_exception=False).get("/middleware-writes/")
    assert response.status_code == 503
    assert "Changes are paused" in text(response)
    assert not GuestbookEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
async def test_async_view_write_is_refused():
    from asgiref.sync import sync_to_async

    await sync_to_async(set_maintenance_mode)(True, read_only=True)
    client = AsyncClient()
    response = await client.get("/async-count/")
    assert response.status_code == 503
    assert b"Changes are paused" in response.content
    assert not await PageCounter.objects.aexists()
    assert (await client.get("/async/")).status_code == 200
    assert (await client.post("/async/")).status_code == 503


@pytest.mark.django_db(transaction=True)
async def test_async_sync_view_write_is_refused():
    from asgiref.sync import sync_to_async

    await sync_to_async(set_maintenance_mode)(True, read_only=True)
    response = await AsyncClient().get("/count/")
    assert response.status_code == 503
    assert not await PageCounter.objects.aexists()
    await sync_to_async(set_maintenance_mode)(False)
    assert (await AsyncClient().get("/count/")).status_code == 200


# -- the scope ---------------------------------------------------------------------------


def test_scope_holds_back_only_matching_paths(client):
    set_maintenance_mode(True, scope=["^/checkout/"])
    assert client.get("/checkout/").status_code == 503
    assert client.get("/checkout/pay/").status_code == 503
    assert client.get("/read/").status_code == 200
    assert client.post("/sign/").status_code == 200


def test_scope_from_settings_adds_to_the_admins(client):
    set_maintenance_mode(True, scope=["^/checkout/"])
    with override_settings(MAINTENANCE_MODE_SCOPE_URLS=[r"^/read/$"]):
        assert client.get("/read/").status_code == 503
        assert client.get("/checkout/").status_code == 503
        assert client.get("/").status_code == 200


def test_scope_with_read_only(client):
    set_maintenance_mode(True, read_only=True, scope=["^/checkout/"])
    assert client.get("/checkout/").status_code == 503  # GET that writes: guarded
    assert client.post("/checkout/").status_code == 503
    assert client.get("/count/").status_code == 200  # out of scope: writes as usual
    assert client.post("/sign/").status_code == 200


def test_out_of_scope_touches_nothing(django_assert_num_queries):
    client = logged_in(UserFactory())
    set_maintenance_mode(True, read_only=True, scope=["^/checkout/"])
    client.get("/checkout/")  # the snapshot is read
    with django_assert_num_queries(0):  # no session, no user
        assert client.get("/").status_code == 200
    # In scope: the session and the user are read, and the view's INSERT is refused
    # (Django's debug cursor lists it; it never reaches the database).
    with django_assert_num_queries(3):
        assert client.get("/checkout/").status_code == 503
    assert not GuestbookEntry.objects.exists()


def test_out_of_scope_does_not_read_request_user(rf):
    from django.urls import resolve

    from maintenance_panel.middleware import MaintenanceModeMiddleware
    from tests.urls import plain

    class Untouchable:
        def __getattr__(self, name):
            raise AssertionError(f"request.user.{name} was read")

    set_maintenance_mode(True, scope=["^/checkout/"])
    middleware = MaintenanceModeMiddleware(lambda request: None)
    request = rf.get("/")
    request.user = Untouchable()
    request.resolver_match = resolve("/")
    assert middleware.process_view(request, plain, (), {}) is None
    request = rf.get("/checkout/")
    request.user = AnonymousUser()
    request.resolver_match = resolve("/checkout/")
    assert middleware.process_view(request, plain, (), {}).status_code == 503


def test_scope_line_must_be_a_regular_expression():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Line 2"):
        set_maintenance_mode(True, scope=["^/ok/", "^/(broken/"])
