"""``manage.py maintenance_mode``: output, exit status, what it changes and records."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from maintenance_panel.models import BypassLink, MaintenanceChange, MaintenanceConfig
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> str:
    out = StringIO()
    call_command("maintenance_mode", *args, stdout=out)
    return out.getvalue()


def stored() -> MaintenanceConfig:
    return MaintenanceConfig.objects.get()


# -- on / off --------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["on", "yes", "true", "1", "ON", "True", "Yes"])
def test_on_words(word, client):
    output = run(word)
    assert "Maintenance mode is ON" in output
    assert stored().enabled
    assert client.get("/").status_code == 503


@pytest.mark.parametrize("word", ["off", "no", "false", "0", "OFF", "False"])
def test_off_words(word, set_config, client):
    set_config(enabled=True)
    output = run(word)
    assert "Maintenance mode is OFF" in output
    assert not stored().enabled
    assert client.get("/").status_code == 200


def test_on_records_the_command_line_and_os_user(monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "deploy")
    run("on")
    change = MaintenanceChange.objects.get()
    assert change.source == "command"
    assert change.actor == "command line (deploy)"
    assert change.changes["enabled"] == [False, True]
    assert stored().changed_via == "command line (deploy)"


def test_on_with_title_message_and_relative_end(client):
    before = timezone.now()
    run("on", "--title", "Upgrade", "--message", "Back soon.\nPromise.", "--end", "+2h")
    config = stored()
    assert config.title == "Upgrade"
    assert config.message == "Back soon.\nPromise."
    assert config.starts_at is None
    assert before + timedelta(hours=2) <= config.ends_at <= timezone.now() + timedelta(hours=2)
    response = client.get("/")
    assert response.status_code == 503
    assert b"Upgrade" in response.content
    assert 7100 < int(response["Retry-After"]) <= 7200


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("+30m", timedelta(minutes=30)),
        ("+2h", timedelta(hours=2)),
        ("+1d", timedelta(days=1)),
        ("+1h30m", timedelta(hours=1, minutes=30)),
        ("+1w", timedelta(weeks=1)),
        ("+90s", timedelta(seconds=90)),
    ],
)
def test_relative_times(text, delta):
    before = timezone.now()
    run("on", "--end", text)
    assert before + delta <= stored().ends_at <= timezone.now() + delta


def test_scheduled_window_from_iso_times():
    start = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    end = start + timedelta(hours=1)
    output = run("on", "--start", start.isoformat(), "--end", end.isoformat())
    assert "scheduled" in output
    config = stored()
    assert (config.starts_at, config.ends_at) == (start, end)


@override_settings(TIME_ZONE="Europe/Berlin")
def test_naive_iso_time_is_read_in_current_time_zone():
    tomorrow = timezone.localdate() + timedelta(days=2)
    run("on", "--start", f"{tomorrow}T02:00", "--end", f"{tomorrow} 03:00")
    config = stored()
    assert timezone.localtime(config.starts_at).hour == 2
    assert timezone.localtime(config.ends_at).hour == 3
    assert config.starts_at.utcoffset() is not None


def test_iso_time_with_offset_and_z():
    start = datetime(2099, 1, 1, 2, 0, tzinfo=timezone.get_fixed_timezone(60))
    run("on", "--start", "2099-01-01T02:00+01:00", "--end", "2099-01-01T02:00Z")
    config = stored()
    assert config.starts_at == start
    assert config.ends_at == start + timedelta(hours=1)


def test_on_without_window_clears_an_old_window(set_config):
    set_config(
        starts_at=timezone.now() + timedelta(days=1), ends_at=timezone.now() + timedelta(days=2)
    )
    run("on")
    config = stored()
    assert config.enabled
    assert (config.starts_at, config.ends_at) == (None, None)


def test_verbosity_zero_is_quiet():
    assert run("on", "--verbosity", "0") == ""
    assert stored().enabled


def test_on_json():
    data = json.loads(run("on", "--json"))
    assert data["active"] is True
    assert data["reason"] == "switch"


# -- bad input: CommandError, nothing changed -------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["maybe"],
            "type on (or yes, true, 1), off (or no, false, 0), status, wait, render, or bypass",
        ),
        (["on", "--end", "tomorrow"], "type an ISO 8601 time"),
        (["on", "--end", "+5x"], "a time from now such as +30m"),
        (["on", "--end", "+99999999999d"], "is too far away"),
        (["on", "--end", "2026-02-30T10:00"], "is not a time"),
        (["on", "--start", "+2h", "--end", "+1h"], "type an end after the start"),
        (["on", "--end", "2000-01-01T00:00"], "type a future time"),
        (["off", "--end", "+1h"], "--end does not go with `off`"),
        (["status", "extra"], "Unexpected 'extra' after `status`"),
        (["on", "--title", "x" * 201], "at most 200 characters"),
    ],
)
def test_bad_input_says_what_to_type_and_changes_nothing(args, expected):
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert expected in str(raised.value)
    assert not MaintenanceConfig.objects.filter(enabled=True).exists()
    assert not MaintenanceChange.objects.exists()


@override_settings(MAINTENANCE_MODE=False)
def test_state_fixed_by_settings_is_refused():
    with pytest.raises(CommandError, match="fixed off by the MAINTENANCE_MODE setting"):
        run("on")
    assert not MaintenanceConfig.objects.filter(enabled=True).exists()


def test_missing_table_says_run_migrate(monkeypatch):
    from django.db import OperationalError

    def broken() -> None:
        raise OperationalError("no such table: maintenance_panel_maintenanceconfig")

    monkeypatch.setattr("maintenance_panel.loading.load_data", broken)
    with pytest.raises(CommandError, match=r"run `python manage\.py migrate`"):
        run("status")


def test_exit_status_from_a_real_shell(tmp_path):
    """From the command line: usage on stderr and a non-zero exit, never a traceback."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "demo.settings",
    }

    def shell(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    assert shell("migrate", "-v0").returncode == 0
    bad = shell("maintenance_mode", "sometimes")
    assert bad.returncode == 2
    assert "unknown word 'sometimes'" in bad.stderr
    assert "Traceback" not in bad.stderr
    past = shell("maintenance_mode", "on", "--end", "2001-01-01")
    assert past.returncode == 1
    assert "CommandError: --end" in past.stderr
    good = shell("maintenance_mode", "on")
    assert good.returncode == 0, good.stderr
    status = shell("maintenance_mode", "status", "--json")
    assert json.loads(status.stdout)["active"] is True


# -- status ------------------------------------------------------------------------------


def test_status_off():
    output = run("status")
    assert "Maintenance mode is OFF" in output
    assert "Why: the switch is off." in output
    assert "Window: none" in output


def test_status_lists_window_and_exemptions(set_config):
    group = GroupFactory(name="QA")
    user = UserFactory(username="alice")
    set_config(
        enabled=True,
        ends_at=timezone.now() + timedelta(hours=1),
        ignore_staff=True,
        ignore_ip_addresses="203.0.113.7\n10.0.0.0/8",
        ignore_urls="^/api/",
        ignore_groups=[group],
        ignore_users=[user],
    )
    run("bypass", "create", "Support", "--expires", "+1d")
    output = run("status")
    assert "Maintenance mode is ON" in output
    assert "Why: the switch is on and the window is open until" in output
    assert "Retry-After: " in output
    assert "  staff users: yes" in output
    assert "  superusers: no" in output
    assert "  groups: QA" in output
    assert "  users: alice" in output
    assert "  IP addresses: 203.0.113.7, 10.0.0.0/8" in output
    assert "  URLs: ^/healthz$ (settings), ^/api/" in output
    assert "  bypass links: Support (until " in output


@override_settings(
    MAINTENANCE_MODE=True,
    MAINTENANCE_MODE_IGNORE_STAFF=False,
    MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=["192.0.2.1", "2001:db8::/32"],
)
def test_status_names_the_settings_that_fix_things():
    output = run("status")
    assert "  IP addresses: 192.0.2.1 (settings), 2001:db8::/32 (settings)" in output
    assert "Why: fixed by the setting MAINTENANCE_MODE = True." in output
    assert "staff users: no (fixed by MAINTENANCE_MODE_IGNORE_STAFF)" in output


def test_status_json_for_scripts(set_config):
    start = timezone.now() + timedelta(hours=3)
    set_config(enabled=True, starts_at=start, ends_at=start + timedelta(hours=1))
    data = json.loads(run("status", "--json"))
    assert data["active"] is False
    assert data["enabled"] is True
    assert data["reason"] == "window"
    assert data["window"]["phase"] == "scheduled"
    assert datetime.fromisoformat(data["window"]["starts_at"]) == start.replace(
        microsecond=start.microsecond // 1000 * 1000
    )
    assert data["retry_after"] is None
    assert data["exemptions"]["admin_site"] == {"exempt": True, "fixed_by_settings": False}
    assert data["exemptions"]["urls"]["settings"] == ["^/healthz$"]


def test_status_after_the_window():
    config = MaintenanceConfig.get_solo()
    config.enabled = True
    config.starts_at = timezone.now() - timedelta(hours=2)
    config.ends_at = timezone.now() - timedelta(hours=1)
    config.save()
    output = run("status")
    assert "Maintenance mode is OFF" in output
    assert "the window ended at" in output
    assert "(ended)" in output


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


def test_status_shows_title_and_message(set_config):
    set_config(enabled=True, title="Upgrade", message="Back at noon.")
    output = run("status")
    assert "Title: Upgrade" in output
    assert "Message: Back at noon." in output


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


@override_settings(ROOT_URLCONF="tests.test_checks")
def test_bypass_create_without_the_app_urls():
    with pytest.raises(CommandError, match=r'include\("maintenance_panel\.urls"\)'):
        run("bypass", "create", "QA")
    assert not BypassLink.objects.exists()


# -- levels and scope ------------------------------------------------------------------


def test_on_read_only_with_a_scope(client):
    output = run("on", "--read-only", "--scope", "^/checkout/", "--scope", "^/api/v1/")
    assert "READ-ONLY for only ^/checkout/, ^/api/v1/" in output
    config = stored()
    assert config.read_only is True
    assert config.scope_urls == "^/checkout/\n^/api/v1/"
    assert client.get("/").status_code == 200  # out of scope
    change = MaintenanceChange.objects.first()
    assert change.changes["read_only"] == [False, True]
    assert change.changes["scope_urls"] == ["", "^/checkout/\n^/api/v1/"]


def test_full_and_whole_site_go_back():
    run("on", "--read-only", "--scope", "^/checkout/")
    run("on", "--full", "--whole-site")
    config = stored()
    assert config.read_only is False
    assert config.scope_urls == ""


def test_on_without_level_options_keeps_them():
    run("on", "--read-only", "--scope", "^/checkout/")
    run("off")
    run("on", "--message", "Again")
    config = stored()
    assert config.read_only is True
    assert config.scope_urls == "^/checkout/"


def test_status_shows_level_and_scope():
    run("on", "--read-only", "--scope", "^/checkout/")
    with override_settings(MAINTENANCE_MODE_SCOPE_URLS=["^/forum/"]):
        output = run("status")
    assert "Level: read-only" in output
    assert "Scope: only ^/forum/ (settings), ^/checkout/" in output
    run("on", "--whole-site", "--full")
    assert "Level: full" in run("status")
    assert "Scope: the whole site" in run("status")


def test_status_json_has_level_and_scope():
    run("on", "--read-only", "--scope", "^/checkout/")
    data = json.loads(run("status", "--json"))
    assert data["read_only"] is True
    assert data["scope"] == ["^/checkout/"]


def test_bad_scope_pattern_changes_nothing():
    with pytest.raises(CommandError, match=r"Nothing changed: .*Line 1: “\^/\(broken”"):
        run("on", "--scope", "^/(broken")
    assert not MaintenanceConfig.objects.filter(enabled=True).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("off", "--read-only"), "--read-only does not go with `off`"),
        (("status", "--full"), "--full does not go with `status`"),
        (("off", "--scope", "^/x/"), "--scope does not go with `off`"),
        (("status", "--whole-site"), "--whole-site does not go with `status`"),
    ],
)
def test_level_options_only_go_with_on(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_read_only_and_full_together_are_refused():
    with pytest.raises(CommandError, match="not allowed with argument"):
        run("on", "--read-only", "--full")


def test_level_fixed_by_settings():
    with override_settings(MAINTENANCE_MODE_READ_ONLY=True):
        with pytest.raises(CommandError, match="MAINTENANCE_MODE_READ_ONLY"):
            run("on", "--full")
        assert "fixed by MAINTENANCE_MODE_READ_ONLY" in run("status")
        run("on")
    assert stored().enabled is True
