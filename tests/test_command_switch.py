"""``maintenance_mode on|off``: words, times, level, scope, history, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from maintenance_panel.models import MaintenanceChange, MaintenanceConfig

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


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
            "type on (or yes, true, 1), off (or no, false, 0), status, wait, render, bypass, "
            "token, exec, or tick",
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


@pytest.mark.parametrize(
    "args",
    [
        ("on", "--message", "caf\udce9"),
        ("on", "--title", "\udcff"),
        ("on", "--scope", "^/caf\udce9/"),
    ],
)
def test_text_that_is_not_utf8_is_one_clear_line(args):
    """What Python makes of bytes a shell passes that are not UTF-8: lone surrogates."""
    with pytest.raises(CommandError, match="is not valid UTF-8 text"):
        run(*args)
    assert not MaintenanceConfig.objects.filter(enabled=True).exists()


@override_settings(TIME_ZONE="Europe/Berlin")
@pytest.mark.parametrize(
    "moment", ["2027-03-28T02:30", "2027-10-31T02:30"], ids=["skipped", "twice"]
)
def test_a_local_time_the_clocks_skip_or_pass_twice_is_refused(moment):
    with pytest.raises(CommandError, match="does not exist or exists twice"):
        run("on", "--end", moment)
    run("on", "--end", f"{moment}+01:00")  # with its offset it is one moment
    assert stored().enabled is True


# -- options given by keyword (call_command) -----------------------------------------------


def run_with(*args: str, **options: object) -> str:
    out = StringIO()
    call_command("maintenance_mode", *args, stdout=out, **options)
    return out.getvalue()


def test_keyword_options_are_converted_as_typed_ones(client):
    run_with("on", end="+2h", title="Back soon", scope=["^/shop/"], read_only=True)
    config = stored()
    assert config.ends_at is not None
    assert config.ends_at - timezone.now() > timedelta(hours=1, minutes=59)
    assert (config.title, config.scope_urls, config.read_only) == ("Back soon", "^/shop/", True)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"end": "soon"}, "--end: 'soon' is not a time"),
        ({"start": "+1h", "end": "+30m"}, "is not after --start"),
        ({"message": "caf\udce9"}, "--message: .* is not valid UTF-8 text"),
        ({"scope": ["^/caf\udce9/"]}, "--scope: .* is not valid UTF-8 text"),
        ({"wait": True, "timeout": 0}, "--timeout: '0' is not a positive number"),
        ({"expires": "+1d"}, "--expires does not go with `on`"),
    ],
)
def test_keyword_options_are_refused_as_typed_ones(options, message):
    with pytest.raises(CommandError, match=message):
        run_with("on", **options)
    assert not MaintenanceConfig.objects.filter(enabled=True).exists()


@override_settings(TIME_ZONE="Europe/Berlin")
def test_a_naive_datetime_by_keyword_is_read_in_the_current_zone():
    run_with("on", end=datetime(2099, 1, 1, 2, 0))
    assert stored().ends_at == datetime(2099, 1, 1, 1, 0, tzinfo=UTC)


# -- --interactive ----------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["status", "wait", "render"])
def test_interactive_only_goes_with_on_and_off(word):
    with pytest.raises(CommandError, match=f"--interactive does not go with `{word}`"):
        run(word, "--interactive")


def test_interactive_asks_after_checking_the_window(monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked"))
    with pytest.raises(CommandError, match="is in the past"):
        run("on", "--end", "2001-01-01T00:00+00:00", "--interactive")
