"""``maintenance_mode wait`` and ``on|off --wait``: return once every process applies the
stored state, or fail naming those that do not (see :mod:`maintenance_panel.fleet`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from maintenance_panel import conf, fleet, loading
from maintenance_panel.management.arguments import DEFAULT_TIMEOUT


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    """``wait``: for the state stored now."""
    now = time.time()
    wait(command, since=now, committed=now, options=options)


def wait(
    command: BaseCommand, *, since: float, committed: float, options: dict[str, Any]
) -> list[dict[str, Any]]:
    """Wait until every process seen recently applies the stored state (changed between
    ``since`` and ``committed``); return where each stands, as data."""
    timeout = options["timeout"] or DEFAULT_TIMEOUT
    quiet = options["json"] or options["verbosity"] < 1
    if not fleet.reports_are_shared():
        ttl = conf.state_ttl()
        command.stderr.write(
            f"Warning: cache {conf.cache_alias()!r} is process-local, so each process "
            "reports only to itself and none can be asked. Waiting one "
            f"MAINTENANCE_MODE_STATE_TTL ({ttl:g} s) instead: after it, every process "
            "that does not force the state in its settings reads the new state."
        )
        time.sleep(ttl)
        return []

    def tell(verdict: fleet.Verdict) -> None:
        if not quiet:
            command.stdout.write(f"  {verdict.report.label}: {verdict.why}")

    def still_waiting(verdicts: list[fleet.Verdict]) -> None:
        if options["verbosity"] >= 2 and verdicts:
            waiting = "; ".join(f"{v.report.label}: {v.why}" for v in verdicts)
            command.stderr.write(f"{time.time() - committed:.2f} s, waiting for {waiting}")

    verdicts = _wait_for_fleet(since, timeout, tell, still_waiting)
    if not quiet:
        command.stdout.write(_summary(verdicts, committed))
    return [verdict.as_dict() for verdict in verdicts]


def _wait_for_fleet(since: float, timeout: float, tell: Any, still_waiting: Any) -> Any:
    try:
        return fleet.wait_for_fleet(
            expected=loading.expected_active,
            target=None,
            since=since,
            timeout=timeout,
            on_settled=tell,
            on_poll=still_waiting,
        )
    except fleet.FleetTimeout as exc:
        lines = [f"  {verdict.report.label}: {verdict.why}" for verdict in exc.verdicts]
        raise CommandError(
            f"After {timeout:g} s, {len(exc.verdicts)} process(es) do not apply the new "
            "state:\n" + "\n".join(lines)
        ) from exc
    except fleet.ReportsUnavailable as exc:
        raise CommandError(
            f"Cannot read the fleet reports from cache {conf.cache_alias()!r} ({exc}); "
            "the change itself is saved."
        ) from exc


def _summary(verdicts: list[fleet.Verdict], committed: float) -> str:
    if verdicts:
        return (
            f"Every process seen recently applies the new state ({len(verdicts)} "
            f"on {len(fleet.hosts(v.report for v in verdicts))} host(s), "
            f"{time.time() - committed:.2f} s after the change)."
        )
    return (
        f"No process served a request in the last {fleet.seen_recently():g} s: "
        "none can answer with the old state."
    )
