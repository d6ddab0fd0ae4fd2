"""Read-only maintenance guards the whole request, not only the view: the project's own
``handler404`` (a request that never reaches a view) writes nothing either, under WSGI
and under ASGI."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient, Client, override_settings

from demo.models import GuestbookEntry
from maintenance_panel.core import set_maintenance_mode
from tests.factories import StaffFactory
from tests.helpers import logged_in, text

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.readonly_urls")]


@pytest.fixture
def read_only(db):
    set_maintenance_mode(True, read_only=True)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_writing_not_found_page_writes_nothing(read_only, method):
    response = getattr(Client(raise_request_exception=False), method)("/no-such-page/")
    assert response.status_code == 503
    assert "Changes are paused" in text(response)
    assert not GuestbookEntry.objects.exists()


def test_an_exempt_visitor_is_not_guarded_outside_views(read_only):
    staff = logged_in(StaffFactory(), raise_request_exception=False)
    with override_settings(MAINTENANCE_MODE_IGNORE_STAFF=True):
        response = staff.post("/no-such-page/")
    assert response.status_code == 404
    assert GuestbookEntry.objects.get().message == "/no-such-page/"


def test_without_maintenance_the_not_found_page_writes(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert GuestbookEntry.objects.count() == 1


def test_a_view_still_writes_for_a_visitor_its_url_exempts(client, set_config):
    set_config(enabled=True, read_only=True, ignore_urls="^/sign/")
    assert client.post("/sign/").status_code == 200
    assert GuestbookEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["get", "post"])
async def test_under_asgi_a_writing_not_found_page_writes_nothing(method):
    # Django runs handler404 in another thread (sync_to_async with
    # thread_sensitive=False): the guard goes there with the request's context.
    await sync_to_async(set_maintenance_mode)(True, read_only=True)
    client = AsyncClient(raise_request_exception=False)
    response = await getattr(client, method)("/no-such-page/")
    assert response.status_code == 503
    assert "Changes are paused" in text(response)
    assert not await GuestbookEntry.objects.aexists()


@pytest.mark.django_db(transaction=True)
async def test_under_asgi_without_maintenance_the_not_found_page_writes():
    response = await AsyncClient().get("/no-such-page/")
    assert response.status_code == 404
    assert await GuestbookEntry.objects.acount() == 1
