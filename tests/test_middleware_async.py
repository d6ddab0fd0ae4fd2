"""The async request path: the same answers as the sync one, and no I/O on the event
loop (a snapshot that needs re-validating is read in a thread)."""

from __future__ import annotations

import itertools

import pytest
from asgiref.sync import iscoroutinefunction, sync_to_async
from django.http import HttpResponse
from django.test import AsyncClient

from maintenance_panel import state
from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.middleware import MaintenanceModeMiddleware
from maintenance_panel.models import MaintenanceConfig
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.urls("tests.urls")


@pytest.mark.django_db(transaction=True)
async def test_async_view_off():
    await sync_to_async(MaintenanceConfig.get_solo)()
    response = await AsyncClient().get("/async/")
    assert response.status_code == 200
    assert response.content == b"async page"


@pytest.mark.django_db(transaction=True)
async def test_async_client_gets_same_answers_as_sync():
    client = AsyncClient()
    assert (await client.get("/")).status_code == 200
    await sync_to_async(set_maintenance_mode)(True)
    assert (await client.get("/")).status_code == 503
    assert (await client.get("/async/")).status_code == 503
    assert (await client.get("/async-always-on/")).status_code == 200
    assert (await client.get("/always-on/")).status_code == 200
    assert (await client.get("/no-such-page/")).status_code == 503
    await sync_to_async(set_maintenance_mode)(False)
    assert (await client.get("/async/")).status_code == 200
    assert (await client.get("/async-always-down/")).status_code == 503


@pytest.mark.django_db(transaction=True)
async def test_async_group_exemption():
    from maintenance_panel.core import set_maintenance_mode

    def prepare():
        testers = GroupFactory()
        set_maintenance_mode(True)
        MaintenanceConfig.get_solo().ignore_groups.add(testers)
        return UserFactory(groups=[testers]), UserFactory()

    member, outsider = await sync_to_async(prepare)()
    member_client, outsider_client = AsyncClient(), AsyncClient()
    await member_client.aforce_login(member)
    await outsider_client.aforce_login(outsider)
    assert (await member_client.get("/async/")).status_code == 200
    assert (await outsider_client.get("/async/")).status_code == 503


async def test_middleware_is_async_capable():
    async def get_response(request):
        return HttpResponse("page")

    middleware = MaintenanceModeMiddleware(get_response)
    assert iscoroutinefunction(middleware)
    assert iscoroutinefunction(middleware.process_view)
    assert MaintenanceModeMiddleware.sync_capable
    assert MaintenanceModeMiddleware.async_capable


@pytest.mark.django_db(transaction=True)
async def test_a_ttl_running_out_mid_request_never_reads_on_the_event_loop(monkeypatch):
    """The clock reads once just before and twice just after the snapshot's TTL ends,
    so a snapshot found fresh at one reading is stale at the next two. The async path
    reads the clock once per answer and re-validates in a thread; a read on the event
    loop would raise SynchronousOnlyOperation and answer 500."""
    await sync_to_async(set_maintenance_mode)(True)
    before_or_after = itertools.cycle((-0.5, 0.5, 0.5))
    monkeypatch.setattr(
        state, "monotonic", lambda: state._holder.trusted_until + next(before_or_after)
    )
    client = AsyncClient()
    for path in ("/async/", "/async-always-down/", "/no-such-page/") * 3:
        assert (await client.get(path)).status_code == 503


@pytest.mark.django_db(transaction=True)
async def test_an_anonymous_visitor_is_answered_without_a_thread_of_ours(monkeypatch):
    """Nothing about an anonymous visitor needs a query: the 503 is decided on the event
    loop (a logged-in visitor's groups may need one, so that is decided in a thread)."""
    from maintenance_panel import middleware

    await sync_to_async(set_maintenance_mode)(True)
    client = AsyncClient()
    assert (await client.get("/async/")).status_code == 503  # the snapshot is fresh now
    hops: list[str] = []

    def counting(function, *args, **kwargs):
        hops.append(getattr(function, "__name__", repr(function)))
        return sync_to_async(function, *args, **kwargs)

    monkeypatch.setattr(middleware, "sync_to_async", counting)
    assert (await client.get("/async/")).status_code == 503
    assert hops == []
    member = await sync_to_async(UserFactory)()
    await client.aforce_login(member)
    assert (await client.get("/async/")).status_code == 503
    assert hops == ["_decide"]
