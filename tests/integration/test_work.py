"""Background work on PostgreSQL and Redis: cron's ``maintenance_mode exec`` in processes
of their own, the held runs counted through the shared cache for the others to read."""

from __future__ import annotations

import json
import subprocess

from tests.integration.machine import PYTHON, ROOT
from tests.integration.sites import Site

EXPIRED_SESSION = """
from datetime import timedelta
from django.contrib.sessions.models import Session
from django.utils import timezone
yesterday = timezone.now() - timedelta(days=1)
Session.objects.create(session_key="x" * 32, session_data="", expire_date=yesterday)
"""
COUNT_SESSIONS = (
    "from django.contrib.sessions.models import Session; print(Session.objects.count())"
)


def manage(site: Site, *args: str) -> subprocess.CompletedProcess[str]:
    """``python manage.py ARGS`` as cron would run it on the site."""
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=site.env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def sessions(site: Site) -> int:
    return int(manage(site, "shell", "--no-imports", "-v", "0", "-c", COUNT_SESSIONS).stdout)


def test_held_runs_are_counted_for_every_process_to_read(site: Site) -> None:
    assert manage(site, "maintenance_mode", "on").returncode == 0

    for _ in range(2):
        held = manage(site, "maintenance_mode", "exec", "clearsessions")
        assert held.returncode == 75, held.stderr
        assert held.stderr.startswith("clearsessions: held, not run")

    status = json.loads(manage(site, "maintenance_mode", "status", "--json").stdout)
    assert status["work"]["held"] is True
    assert status["work"]["held_last_hour"] == {"clearsessions": 2}
    assert manage(site, "maintenance_mode", "off").returncode == 0
    assert manage(site, "maintenance_mode", "exec", "clearsessions").returncode == 0


def test_read_only_stops_clearsessions_before_it_deletes(site: Site) -> None:
    assert manage(site, "shell", "--no-imports", "-c", EXPIRED_SESSION).returncode == 0
    assert manage(site, "maintenance_mode", "on", "--read-only").returncode == 0

    stopped = manage(site, "maintenance_mode", "exec", "clearsessions")

    assert stopped.returncode == 75, stopped.stderr
    assert "stopped at its first database write, nothing written" in stopped.stderr
    assert sessions(site) == 1
    assert manage(site, "maintenance_mode", "off").returncode == 0
    assert manage(site, "maintenance_mode", "exec", "clearsessions").returncode == 0
    assert sessions(site) == 0
