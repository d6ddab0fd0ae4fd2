"""``maintenance_mode bypass create|revoke|list``: bypass links from a shell."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from maintenance_panel.models import BypassLink, MaintenanceChange, MaintenanceConfig

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> str:
    out = StringIO()
    call_command("maintenance_mode", *args, stdout=out)
    return out.getvalue()


def stored() -> MaintenanceConfig:
    return MaintenanceConfig.objects.get()


# -- bypass links ------------------------------------------------------------------------


def test_bypass_create_prints_the_path_once_and_it_works(client, set_config):
    set_config(enabled=True)
    output = run("bypass", "create", "QA team", "--expires", "+1d")
    path = output.strip().splitlines()[-1]
    assert path.startswith("/maintenance/bypass/")
    link = BypassLink.objects.get(name="QA team")
    assert path.split("/")[-2] not in link.token_hash
    assert "It is shown only this once" in output
    response = client.get(path)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    change = MaintenanceChange.objects.filter(source="command").get()
    assert change.changes == {"bypass_link": [None, "QA team"]}
    assert change.actor.startswith("command line")


def test_bypass_create_with_base_url_and_json():
    data = json.loads(
        run("bypass", "create", "ops", "--base-url", "https://example.com/", "--json")
    )
    assert data["name"] == "ops"
    assert data["path"].startswith("https://example.com/maintenance/bypass/")
    assert data["expires_at"] is None


def test_bypass_revoke_ends_the_cookie(client, set_config):
    set_config(enabled=True)
    path = run("bypass", "create", "QA").strip().splitlines()[-1]
    client.get(path)
    assert client.get("/").status_code == 200
    output = run("bypass", "revoke", "QA")
    assert "revoked" in output
    assert client.get("/").status_code == 503


def test_bypass_list():
    assert "No bypass links" in run("bypass", "list")
    run("bypass", "create", "b-link", "--expires", "+1h")
    run("bypass", "create", "a-link")
    run("bypass", "revoke", "a-link")
    lines = run("bypass", "list").splitlines()
    assert lines[0].startswith("a-link: revoked ")
    assert lines[1].startswith("b-link: usable until ")
    data = json.loads(run("bypass", "list", "--json"))
    assert [link["usable"] for link in data] == [False, True]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["bypass"], "Type `bypass create NAME"),
        (["bypass", "make", "x"], "Type `bypass create NAME"),
        (["bypass", "create"], "Type `bypass create NAME"),
        (["bypass", "create", "x", "--expires", "2000-01-01"], "type a future time"),
        (["bypass", "revoke", "nobody"], "There is no bypass link named “nobody”"),
        (["bypass", "revoke", "x", "--expires", "+1d"], "--expires goes with"),
        (["on", "--expires", "+1d"], "--expires does not go with `on`"),
    ],
)
def test_bypass_bad_input(args, expected):
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert expected in str(raised.value)
    assert not BypassLink.objects.exists()


def test_bypass_name_in_use():
    run("bypass", "create", "QA")
    with pytest.raises(CommandError, match="Nothing created: name: Bypass link with this"):
        run("bypass", "create", "QA")


def test_bypass_revoke_json():
    run("bypass", "create", "QA")
    assert json.loads(run("bypass", "revoke", "QA", "--json")) == {"name": "QA", "revoked": True}


def test_bypass_list_expired_and_open_ended(monkeypatch):
    run("bypass", "create", "short", "--expires", "+1m")
    run("bypass", "create", "forever")
    later = timezone.now() + timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    lines = run("bypass", "list").splitlines()
    assert lines[0] == "forever: usable until revoked"
    assert lines[1].startswith("short: expired ")


@override_settings(ROOT_URLCONF="tests.test_checks_urls")
def test_bypass_create_without_the_app_urls():
    with pytest.raises(CommandError, match=r'include\("maintenance_panel\.urls"\)'):
        run("bypass", "create", "QA")
    assert not BypassLink.objects.exists()


def test_bypass_name_that_is_not_utf8_is_one_clear_line():
    with pytest.raises(CommandError, match="is not valid UTF-8 text"):
        run("bypass", "create", "caf\udce9")
    assert not BypassLink.objects.exists()


@override_settings(TIME_ZONE="Europe/Berlin")
def test_bypass_expiry_the_clocks_skip_is_refused():
    with pytest.raises(CommandError, match="does not exist or exists twice"):
        run("bypass", "create", "night", "--expires", "2027-03-28T02:30")


def test_expiry_by_keyword_is_read_as_typed():
    call_command("maintenance_mode", "bypass", "create", "QA", expires="+1d", stdout=StringIO())
    expires = BypassLink.objects.get(name="QA").expires_at
    assert expires is not None
    assert expires - timezone.now() > timedelta(hours=23)
    with pytest.raises(CommandError, match="--expires: 'Friday' is not a time"):
        call_command("maintenance_mode", "bypass", "create", "QA2", expires="Friday")
