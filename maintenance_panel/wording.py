"""The state in words: every sentence that tells a :class:`~maintenance_panel.status.Status`.

The panel, the banners, the maintenance page and ``maintenance_mode status`` take their
sentences from here, so they cannot tell the same state in different ways. Sentences
for the web pages are translated; the command's output is English, as a shell script
that reads it expects.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from maintenance_panel import conf, setting_lists
from maintenance_panel.status import Names, Status
from maintenance_panel.work import WorkState

# -- the scope --------------------------------------------------------------------------

_PLAIN_PATH = re.compile(r"^\^?(/[\w\-./~%]*)\$?$")


def readable_pattern(pattern: str) -> str:
    """A scope pattern as a reader takes it: ``^/checkout/`` reads ``/checkout/``; a
    pattern with more to it than a plain path stays as written."""
    match = _PLAIN_PATH.match(pattern)
    return match.group(1) if match else pattern


def scope_phrase(patterns: tuple[str, ...] | list[str]) -> str:
    """ "only /checkout/ and /api/v1/", or "" for the whole site."""
    readable = [readable_pattern(pattern) for pattern in patterns]
    if not readable:
        return ""
    if len(readable) == 1:
        paths = readable[0]
    else:
        paths = gettext("%(first)s and %(last)s") % {
            "first": ", ".join(readable[:-1]),
            "last": readable[-1],
        }
    return gettext("only %(paths)s") % {"paths": paths}


# -- what settings fix ------------------------------------------------------------------


def _fixed_flag_reason(flag: str, value: bool) -> str:
    setting = f"{conf.PREFIX}_IGNORE_{flag}"
    if value:
        text = gettext("Fixed to yes by the %(setting)s setting; remove it to decide here.")
    else:
        text = gettext("Fixed to no by the %(setting)s setting; remove it to decide here.")
    return text % {"setting": setting}


def fixed_reasons() -> dict[str, str]:
    """The fields that settings fix, each with the reason the admin shows."""
    fixed: dict[str, str] = {}
    forced = conf.forced_state()
    if forced is not None:
        fixed["enabled"] = (
            gettext("Fixed on by the MAINTENANCE_MODE setting.")
            if forced
            else gettext("Fixed off by the MAINTENANCE_MODE setting.")
        )
    forced_level = conf.forced_read_only()
    if forced_level is not None:
        fixed["read_only"] = (
            gettext("Fixed to read-only by the MAINTENANCE_MODE_READ_ONLY setting.")
            if forced_level
            else gettext("Fixed to full maintenance by the MAINTENANCE_MODE_READ_ONLY setting.")
        )
    for flag in conf.IGNORE_FLAGS:
        value = conf.forced_flag(flag)
        if value is not None:
            fixed[f"ignore_{flag.lower()}"] = _fixed_flag_reason(flag, value)
    return fixed


def settings_tasks_reason() -> str:
    """What the config form adds below ``ignore_tasks`` when the setting lists names too
    ("" when it lists none): those entries, which always apply."""
    entries = setting_lists.ignored_task_patterns().sources
    if not entries:
        return ""
    return gettext(
        "Also kept running, fixed by the MAINTENANCE_MODE_IGNORE_TASKS setting: "
        "%(entries)s. Remove them from the setting to decide here."
    ) % {"entries": ", ".join(entries)}


# -- for the web pages ------------------------------------------------------------------


def status_label(status: Status) -> str:
    """The panel's badge: ON, READ-ONLY, OFF or SCHEDULED."""
    if status.kind == "on" and status.read_only:
        return gettext("READ-ONLY")
    return {"on": gettext("ON"), "off": gettext("OFF"), "scheduled": gettext("SCHEDULED")}[
        status.kind
    ]


def default_page_text(read_only: bool) -> tuple[str, str]:
    """The title and message of the maintenance page when the operator wrote none."""
    if read_only:
        return (
            gettext("Changes are paused"),
            gettext(
                "The site is in read-only mode for maintenance: you can read it as usual, "
                "but changes cannot be saved right now. Please try again later."
            ),
        )
    return gettext("Website unavailable"), gettext("Please try again later.")


#: Why a visitor sees the site during maintenance, by the decision's reason (the banner).
EXEMPTION_REASONS = {
    "url": _("this address stays available during maintenance"),
    "ip": _("your network is on the exemption list"),
    "bypass": _("you opened a bypass link"),
    "anonymous": _("visitors who are not logged in are exempt"),
    "authenticated": _("logged-in users are exempt"),
    "staff": _("staff users are exempt"),
    "superuser": _("superusers are exempt"),
    "user": _("your account is on the exemption list"),
    "group": _("your group is on the exemption list"),
    "view": _("this page stays available during maintenance"),
}

_FLAG_LINES = {
    "staff": _("Staff users."),
    "superuser": _("Superusers."),
    "authenticated_user": _("Every logged-in user."),
    "anonymous_user": _("Visitors who are not logged in."),
}


def exemption_lines(status: Status, names: Names) -> list[str]:
    """Who keeps using the site during maintenance, one sentence each (settings
    included), as the confirmation page lists them."""
    exemptions = status.exemptions
    if exemptions.flags["admin_site"]:
        lines = [gettext("The Django admin.")]
    else:
        lines = [
            gettext(
                "Not the Django admin; only its login and this page stay reachable "
                "for people who may use it."
            )
        ]
    lines += [str(text) for name, text in _FLAG_LINES.items() if exemptions.flags[name]]
    if names.groups:
        lines.append(gettext("Members of: %(groups)s.") % {"groups": ", ".join(names.groups)})
    lines += _counted_lines(status, names)
    return lines


def _counted_lines(status: Status, names: Names) -> list[str]:
    exemptions = status.exemptions
    lines = []
    count = len(exemptions.user_ids)
    if count:
        lines.append(
            ngettext("%(count)d listed user.", "%(count)d listed users.", count) % {"count": count}
        )
    count = len(exemptions.networks)
    if count:
        lines.append(
            ngettext(
                "%(count)d IP address or network.", "%(count)d IP addresses or networks.", count
            )
            % {"count": count}
        )
    count = len(exemptions.urls)
    if count:
        lines.append(
            ngettext("%(count)d URL pattern.", "%(count)d URL patterns.", count) % {"count": count}
        )
    count = len(names.bypass_links)
    if count:
        lines.append(
            ngettext(
                "Whoever opened the active bypass link.",
                "Whoever opened one of the %(count)d active bypass links.",
                count,
            )
            % {"count": count}
        )
    return lines


#: What background work does now, by :attr:`Status.work.reason` (the panel's words).
WORK_PANEL_SENTENCES = {
    "off": _("Background work runs: maintenance is off."),
    "scoped": _("Background work runs: a scoped maintenance holds no background work."),
    "read_only": _(
        "Background work runs under the write guard: a task or command that tries to write "
        "to the database is stopped, nothing written, and tried again later."
    ),
    "read_only_unguarded": _(
        "Background work runs: the maintenance is read-only, and "
        "MAINTENANCE_MODE_READ_ONLY_BLOCK_WRITES is off."
    ),
    "held": _(
        "Background work is held: tasks and commands that check for maintenance wait, and "
        "are tried again later."
    ),
}


# -- for the command line (English) -----------------------------------------------------

#: The exemption flags as the command names them, in the order it lists them.
FLAG_NAMES = {
    "admin_site": "admin site",
    "staff": "staff users",
    "superuser": "superusers",
    "authenticated_user": "logged-in users",
    "anonymous_user": "anonymous visitors",
}


def plain_time(value: datetime | None) -> str:
    """A time for the command's output, in the current time zone, with its name."""
    if value is None:
        return "-"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S %Z")


def scope_entries(status: Status) -> str:
    """The scope as the command shows it: the patterns as written, the settings' marked."""
    if not status.scope:
        return "the whole site"
    return "only " + ", ".join(
        f"{pattern} (settings)" if pattern in status.scope_from_settings else pattern
        for pattern in status.scope
    )


def headline(status: Status) -> str:
    """The command's first line: on (and how), scheduled, or off."""
    if status.active:
        where = f" for {scope_entries(status)}" if status.scope else ""
        if status.read_only:
            return (
                f"Maintenance mode is ON, READ-ONLY{where}: visitors can read the "
                "site; changes get the maintenance page."
            )
        return f"Maintenance mode is ON{where}: visitors get the maintenance page."
    if status.kind == "scheduled":
        return (
            f"Maintenance mode is scheduled: the site is up until {plain_time(status.starts_at)}."
        )
    return "Maintenance mode is OFF: the site is up."


def cause_sentence(status: Status) -> str:
    """Why the state is what it is (the command's "Why:")."""
    if status.cause == "settings":
        return f"fixed by the setting MAINTENANCE_MODE = {status.enabled}"
    if status.cause == "switch":
        return "the switch is on, with no window" if status.enabled else "the switch is off"
    return {
        "scheduled": f"the switch is on; the window opens at {plain_time(status.starts_at)}",
        "ended": f"the switch is on, but the window ended at {plain_time(status.ends_at)}",
        "open": "the switch is on and the window is open"
        + (f" until {plain_time(status.ends_at)}" if status.ends_at else ""),
    }[status.phase]


def window_sentence(status: Status) -> str:
    """The window, or "none"."""
    if status.phase == "none":
        return "none"
    start = plain_time(status.starts_at) if status.starts_at else "now"
    end = plain_time(status.ends_at) if status.ends_at else "switched off"
    return f"from {start} until {end} ({status.phase})"


def level_sentence(status: Status) -> str:
    """The level, and whether a setting fixes it."""
    text = (
        "read-only (pages can be read; changes get the maintenance page)"
        if status.read_only
        else "full (visitors get the maintenance page)"
    )
    if status.level_fixed:
        text += " (fixed by MAINTENANCE_MODE_READ_ONLY)"
    return text


#: What background work does now, by :attr:`Status.work.reason` (the command's words).
WORK_SENTENCES = {
    "off": "runs (maintenance is off)",
    "scoped": "runs (the maintenance is scoped: it holds no background work)",
    "read_only": "runs, under the write guard (read-only maintenance)",
    "read_only_unguarded": "runs (read-only maintenance; MAINTENANCE_MODE_READ_ONLY_BLOCK_WRITES "
    "is off)",
    "held": "held (full maintenance of the whole site)",
}


def work_sentence(status: Status) -> str:
    """What background work does now (the command's "Background work:")."""
    reason = status.work.reason
    if reason == "read_only" and not conf.block_writes():
        reason = "read_only_unguarded"
    text = WORK_SENTENCES[reason]
    if status.work.retry_after is not None:
        text += f"; tried again after {status.work.retry_after} s"
    return text


def _work_until(state: WorkState) -> str:
    if state.forced_by_settings:
        return "until the MAINTENANCE_MODE setting is removed"
    if state.ends_at is not None:
        return f"until {plain_time(state.ends_at)} (the end of the window)"
    return "until it is switched off"


def held_line(state: WorkState) -> str:
    """The one line a held command prints (it exits with status 75)."""
    return (
        f"{state.name}: held, not run: the whole site is under maintenance "
        f"{_work_until(state)}; try again in {state.retry_delay()} s (exit status 75)."
    )


def refused_line(state: WorkState) -> str:
    """The one line a command stopped by the write guard prints (status 75)."""
    return (
        f"{state.name}: stopped at its first database write, nothing written: the site is "
        f"read-only for maintenance {_work_until(state)}; try again in "
        f"{state.retry_delay()} s (exit status 75)."
    )


def task_held_line(state: WorkState, delay: int) -> str:
    """Why a held task did not run (the reason of its retry, in the worker's log)."""
    return (
        f"{state.name}: held, not run: the whole site is under maintenance "
        f"{_work_until(state)}; tried again in {delay} s."
    )


def task_refused_line(state: WorkState, delay: int) -> str:
    """Why a task stopped by the write guard is tried again (its retry's reason)."""
    return (
        f"{state.name}: stopped at its first database write, nothing written: the site is "
        f"read-only for maintenance {_work_until(state)}; tried again in {delay} s."
    )


def task_not_deferred_line(state: WorkState, backend: str, *, refused: bool) -> str:
    """The message of :class:`~maintenance_panel.tasks.WorkHeld`: a task held (or stopped
    at its first write) on a task backend that cannot run it later."""
    if refused:
        what = (
            f"{state.name}: stopped at its first database write, nothing written: the site "
            f"is read-only for maintenance {_work_until(state)}"
        )
    else:
        what = f"{state.name}: held, not run: the whole site is under maintenance " + (
            _work_until(state)
        )
    return (
        f"{what}; the task backend {backend!r} cannot defer a task (supports_defer is "
        f"False), so it was not enqueued: enqueue it again in {state.retry_delay()} s, or "
        "use a backend that can defer (django-tasks-db's DatabaseBackend, say)."
    )
