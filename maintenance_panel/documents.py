"""The state as a JSON document for scripts: what ``maintenance_mode status --json``
prints and the automation API (``maintenance_panel:api``) answers, built in one place so
that they cannot drift apart.

:func:`full_document` is the whole document: the status endpoint's keys
(:func:`maintenance_panel.status.as_json`), and why, the text, who is exempt, the last
change, background work (``work``) and the processes (``processes``). Datetimes are
left as they are; both callers encode them with Django's JSON encoder (ISO 8601).
"""

from __future__ import annotations

from typing import Any

from maintenance_panel import fleet, loading, status, wording
from maintenance_panel.fleet import held


def describe(stamp: str = "command") -> status.Status:
    """The stored state, read from the database now (``stamp`` names the reader)."""
    return status.describe(loading.read_snapshot(stamp))


def document(described: status.Status) -> dict[str, Any]:
    """The state as ``--json`` prints it: the status endpoint's document, and why, the
    text, who is exempt and the last change."""
    exemptions = described.exemptions
    names = status.names(exemptions)
    flags = {
        name: {"exempt": exemptions.flags[name], "fixed_by_settings": name in exemptions.fixed}
        for name in wording.FLAG_NAMES
    }
    return {
        **status.as_json(described),
        "reason": described.cause,
        "explanation": wording.cause_sentence(described),
        "title": described.title,
        "message": described.message,
        "exemptions": {
            **flags,
            "groups": names.groups,
            "users": names.users,
            "ip_addresses": exemptions.networks.as_dict(),
            "urls": exemptions.urls.as_dict(),
            "bypass_links": [
                {"name": name, "expires_at": expires} for name, expires in names.bypass_links
            ],
        },
        "changed_at": described.changed_at,
        "changed_via": described.changed_via,
    }


def work(described: status.Status) -> dict[str, Any]:
    """``work``: whether background work is held now and why, the names exempt (from
    the settings and the admin), and how many pieces of work were held per name in
    the last hour (``held_last_hour``; ``held_last_hour_error`` says why it cannot be
    read, or is None)."""
    try:
        counts, error = held.read_held_counts(), None
    except fleet.ReportsUnavailable as exc:
        counts, error = {}, str(exc)
    return {
        "held": described.work.held,
        "reason": described.work.reason,
        "explanation": wording.work_sentence(described),
        "retry_after": described.work.retry_after,
        "exempt": described.work.exempt.as_dict(),
        "held_last_hour": counts,
        "held_last_hour_error": error,
    }


def processes() -> dict[str, Any]:
    """``processes`` (the fleet reports as data), ``processes_shared`` (whether other
    processes can report here) and ``processes_error`` (why the reports cannot be read,
    or None)."""
    try:
        reports = [report.as_dict() for report in fleet.read_reports()]
        error = None
    except fleet.ReportsUnavailable as exc:
        reports, error = [], str(exc)
    return {
        "processes": reports,
        "processes_shared": fleet.reports_are_shared(),
        "processes_error": error,
    }


def full_document(described: status.Status) -> dict[str, Any]:
    """The whole document: :func:`document`, ``work`` and the processes."""
    return {**document(described), "work": work(described), **processes()}
