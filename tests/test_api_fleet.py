"""The automation API during maintenance (read-only included) and with ``wait``."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from maintenance_panel import fleet
from maintenance_panel.models import MaintenanceConfig
from tests import api_calls
from tests.api_calls import URL, auth, post
from tests.fakes import free_slots, other

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

fresh_cache = pytest.fixture(api_calls.fresh_cache)
token = pytest.fixture(api_calls.deploy_token)


# -- during maintenance --------------------------------------------------------------------


def test_reachable_during_maintenance(client, token, set_config):
    set_config(enabled=True, ignore_admin_site=False)
    assert client.get("/").status_code == 503
    response = client.get(URL, **auth(token))
    assert response.status_code == 200
    assert response.json()["active"] is True
    assert post(client, token, {"enabled": False}).status_code == 200
    assert client.get("/").status_code == 200


def test_switching_off_read_only_maintenance_is_not_refused_by_the_write_guard(
    client, token, set_config
):
    set_config(enabled=True, read_only=True)
    assert client.post("/", {"a": "b"}).status_code == 503
    response = post(client, token, {"enabled": False, "title": "Done"})
    assert response.status_code == 200
    config = MaintenanceConfig.get_solo()
    assert (config.enabled, config.title) == (False, "Done")


# -- wait ----------------------------------------------------------------------------------


@override_settings(
    MAINTENANCE_MODE_STATE_TTL=0.05,
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
)
def test_wait_with_a_process_local_cache_waits_one_ttl(client, token):
    started = time.monotonic()
    response = post(client, token, {"enabled": True, "wait": 5})
    assert response.status_code == 200
    assert response.json()["wait"] == []
    assert time.monotonic() - started >= 0.05


@pytest.fixture
def fleet_cache(shared, committed, commit, no_fleet_reports):
    with commit():
        MaintenanceConfig.get_solo()
    return caches["shared"]


def test_wait_names_the_processes_that_differ_with_504(client, token, fleet_cache, commit):
    slot = list(free_slots())[7]
    forced = other(host="web-2", pid=4711, forced=True, active=False, version="9" * 20)
    fleet_cache.set(fleet.SLOT_KEY % slot, forced, 60)
    with commit():
        response = post(client, token, {"enabled": True, "wait": 0.5})
    assert response.status_code == 504
    data = response.json()
    assert "after 0.5 s 1 process(es) do not apply it" in data["detail"]
    [process] = data["processes"]
    assert (process["host"], process["pid"], process["verdict"]) == ("web-2", 4711, "forced")
    assert "forced off by its settings" in process["why"]
    assert MaintenanceConfig.get_solo().enabled  # the change itself stands


def test_wait_answers_once_every_process_applies_it(client, token, fleet_cache, commit):
    slot = list(free_slots())[3]
    stale = other(host="web-1", pid=1, active=False, version="1", seen_at=time.time() - 30)
    fleet_cache.set(fleet.SLOT_KEY % slot, stale, 60)
    with commit():
        response = post(client, token, {"enabled": True, "wait": 5})
    assert response.status_code == 200
    waited = {(p["host"], p["verdict"]) for p in response.json()["wait"]}
    assert ("web-1", "expired") in waited


def test_wait_says_when_the_reports_cannot_be_read(client, token, fleet_cache, shared, commit):
    shared.broken = True
    with commit():
        response = post(client, token, {"enabled": True, "wait": 0.5})
    assert response.status_code == 504
    assert "cannot be read" in response.json()["detail"]
    assert MaintenanceConfig.get_solo().enabled
