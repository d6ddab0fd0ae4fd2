"""``maintenance_mode status [--json]``: the state, why, and who keeps using the site.

The JSON document is :mod:`maintenance_panel.documents`' (the automation API answers
with the same one)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand

from maintenance_panel import conf, fleet, status, wording
from maintenance_panel.documents import describe, document, full_document
from maintenance_panel.management.output import as_json
from maintenance_panel.wording import plain_time

__all__ = ["describe", "document", "full_document", "run"]


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    """Print the state (as text, or as JSON with ``--json``)."""
    described = describe()
    data = full_document(described)
    if options["json"]:
        command.stdout.write(as_json(data))
        return
    lines = [
        wording.headline(described),
        f"Why: {wording.cause_sentence(described)}.",
        f"Window: {wording.window_sentence(described)}",
        *_schedule_lines(described),
        f"Level: {wording.level_sentence(described)}",
        f"Scope: {wording.scope_entries(described)}",
    ]
    if described.retry_after:
        lines.append(f"Retry-After: {described.retry_after} s")
    if described.title:
        lines.append(f"Title: {described.title}")
    if described.message:
        lines.append(f"Message: {described.message}")
    lines += _exemption_lines(data["exemptions"])
    lines += _work_lines(data["work"])
    if described.changed_at:
        lines.append(
            f"Last change: {plain_time(described.changed_at)} by {described.changed_via or '?'}"
        )
    lines += _process_lines(data)
    command.stdout.write("\n".join(lines))


def _schedule_lines(described: status.Status) -> list[str]:
    """``Repeats:`` (the rule, in words, and its zone) and ``Next window:``."""
    lines = []
    if described.repeats is not None:
        repeats = described.repeats
        lines.append(f"Repeats: {repeats.rule} ({repeats.reading}, in {repeats.time_zone})")
    upcoming = described.next_window
    if upcoming is not None and upcoming.starts_at is not None:
        end = f" to {plain_time(upcoming.ends_at)}" if upcoming.ends_at else ""
        lines.append(f"Next window: {plain_time(upcoming.starts_at)}{end}")
    return lines


def _exemption_lines(exemptions: dict[str, Any]) -> list[str]:
    lines = ["Exempt during maintenance:"]
    for name, label in wording.FLAG_NAMES.items():
        flag = exemptions[name]
        answer = "yes" if flag["exempt"] else "no"
        if flag["fixed_by_settings"]:
            answer += f" (fixed by MAINTENANCE_MODE_IGNORE_{name.upper()})"
        lines.append(f"  {label}: {answer}")
    lines.append(f"  groups: {', '.join(exemptions['groups']) or '-'}")
    lines.append(f"  users: {', '.join(exemptions['users']) or '-'}")
    for key, label in (("ip_addresses", "IP addresses"), ("urls", "URLs")):
        entries = [f"{entry} (settings)" for entry in exemptions[key]["settings"]]
        entries += exemptions[key]["admin"]
        lines.append(f"  {label}: {', '.join(entries) or '-'}")
    links = [
        f"{link['name']} (until {plain_time(link['expires_at'])})"
        if link["expires_at"]
        else link["name"]
        for link in exemptions["bypass_links"]
    ]
    lines.append(f"  bypass links: {', '.join(links) or '-'}")
    return lines


def _work_lines(work: dict[str, Any]) -> list[str]:
    exempt = [f"{entry} (settings)" for entry in work["exempt"]["settings"]]
    exempt += work["exempt"]["admin"]
    if work["held_last_hour_error"]:
        counts = f"cannot be read ({work['held_last_hour_error']})"
    else:
        counts = ", ".join(f"{n} {c}" for n, c in work["held_last_hour"].items()) or "-"
    return [
        f"Background work: {work['explanation']}",
        f"  keeps running: {', '.join(exempt) or '-'}",
        f"  held in the last hour: {counts}",
    ]


def _process_lines(data: dict[str, Any]) -> list[str]:
    window = f"{fleet.seen_recently():g} s"
    if data["processes_error"]:
        return [f"Processes: the reports cannot be read ({data['processes_error']})."]
    reports = data["processes"]
    lines = [
        f"Processes seen in the last {window}: {len(reports)} "
        f"on {len({p['host'] for p in reports})} host(s)"
    ]
    if not data["processes_shared"]:
        lines.append(
            f"  (cache {conf.cache_alias()!r} is process-local: each process reports only "
            "to itself, so none is listed here; use a shared cache such as Redis)"
        )
    now = time.time()
    for process in reports:
        seen = datetime.fromisoformat(process["seen_at"]).timestamp()
        forced = " (forced by its settings)" if process["forced"] else ""
        lines.append(
            f"  {process['host']}, pid {process['pid']}: maintenance "
            f"{'on' if process['active'] else 'off'}{forced}, version "
            f"{process['version']}, {max(0.0, now - seen):.1f} s ago"
        )
    return lines
