"""``maintenance_mode token create|revoke|list``: API tokens from a shell."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from maintenance_panel import core
from maintenance_panel.models import ApiToken, MaintenanceChange

pytestmark = pytest.mark.django_db


def run(*args: str, **options: object) -> str:
    out = StringIO()
    call_command("maintenance_mode", *args, stdout=out, **options)
    return out.getvalue()


def test_create_prints_the_token_once_and_it_works(client):
    output = run("token", "create", "deploy pipeline", "--expires", "+90d")
    assert "API token “deploy pipeline” created (read, switch); it works until " in output
    assert "shown only this once" in output
    raw = output.strip().splitlines()[-1]
    assert raw.startswith("mcp_")
    response = client.get("/maintenance/api/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    change = MaintenanceChange.objects.get()
    assert change.actor.startswith("command line")
    assert raw not in json.dumps(change.changes)


def test_create_with_scopes_and_json():
    data = json.loads(run("token", "create", "status page", "--scopes", "read", "--json"))
    assert data["scopes"] == ["read"]
    assert data["token"].startswith("mcp_")
    assert data["expires_at"] is None
    assert ApiToken.objects.get().scopes == ["read"]


def test_scopes_by_keyword_as_call_command_passes_them():
    run("token", "create", "bot", scopes=["switch"])
    assert ApiToken.objects.get().scopes == ["switch"]


def test_list_shows_scopes_state_and_last_use():
    assert "No API tokens" in run("token", "list")
    raw = core.create_api_token("deploy")
    core.create_api_token("old", scopes=["read"])
    core.revoke_api_token("old")
    from maintenance_panel import tokens

    tokens.note_use(tokens.authenticate(raw).token, "192.0.2.4")
    lines = run("token", "list").splitlines()
    assert lines[0].startswith(f"deploy ({raw[:16]}, read, switch): usable until revoked, last")
    assert lines[0].endswith("from 192.0.2.4")
    assert lines[1].startswith("old (mcp_")
    assert "revoked" in lines[1]
    assert "never used" in lines[1]
    data = json.loads(run("token", "list", "--json"))
    assert [token["name"] for token in data] == ["deploy", "old"]
    assert data[0]["last_used_from"] == "192.0.2.4"
    assert data[1]["usable"] is False
    assert raw not in json.dumps(data)


def test_revoke():
    core.create_api_token("deploy")
    assert "API token “deploy” revoked" in run("token", "revoke", "deploy")
    assert ApiToken.objects.get().revoked_at is not None
    assert json.loads(run("token", "revoke", "deploy", "--json")) == {
        "name": "deploy",
        "revoked": True,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token"], "Type `token create NAME"),
        (["token", "create"], "Type `token create NAME"),
        (["token", "list", "x"], "Type `token create NAME"),
        (["token", "drop", "x"], "Type `token create NAME"),
        (["token", "revoke", "ghost"], "no API token named “ghost”"),
        (["token", "revoke", "x", "--expires", "+1d"], "--expires goes with `token create`"),
        (["token", "list", "--scopes", "read"], "--scopes goes with `token create`"),
        (["token", "create", "x", "--scopes", "admin"], "is not a list of scopes"),
        (["token", "create", "x", "--expires", "2001-01-01T00:00"], "is in the past"),
        (["token", "create", "x", "--title", "a"], "--title does not go with `token`"),
        (["status", "--scopes", "read"], "--scopes does not go with `status`"),
    ],
)
def test_mistakes_are_command_errors(args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace("[", r"\[")):
        run(*args)


def test_a_name_in_use_is_a_command_error():
    core.create_api_token("deploy")
    with pytest.raises(CommandError, match="Nothing created: name"):
        run("token", "create", "deploy")


def test_bad_scopes_by_keyword_are_a_command_error():
    with pytest.raises(CommandError, match="--scopes"):
        run("token", "create", "bot", scopes="everything")


def test_list_says_until_when_and_expired():
    from datetime import timedelta

    from django.utils import timezone

    core.create_api_token("soon", expires_at=timedelta(days=1))
    core.create_api_token("gone", expires_at=timedelta(days=1))
    ApiToken.objects.filter(name="gone").update(expires_at=timezone.now() - timedelta(days=1))
    lines = run("token", "list").splitlines()
    assert lines[0].startswith("gone (")
    assert ": expired " in lines[0]
    assert lines[1].startswith("soon (")
    assert ": usable until " in lines[1]


def test_revoke_quietly():
    core.create_api_token("deploy")
    assert run("token", "revoke", "deploy", verbosity=0) == ""
