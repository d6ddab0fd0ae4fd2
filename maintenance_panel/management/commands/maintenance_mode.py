"""``manage.py maintenance_mode on|off|status|wait|render|bypass``: maintenance mode
from a shell and from deploy scripts.

Changes go through :mod:`maintenance_panel.core`, so they are validated like the
admin's and recorded in the history as "command line (<OS user>)". ``--wait`` (and
``wait``) return once every process seen recently applies the new state (see
:mod:`maintenance_panel.fleet`); ``render`` writes the page for the web server.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError
from django.utils import timezone

from maintenance_panel import changes, conf, core, fleet, responses, state, staticpage
from maintenance_panel.models import BypassLink
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.validators import split_lines
from maintenance_panel.values import to_moment
from maintenance_panel.windows import representable

#: The words the command takes, the older library's included, and what they mean.
WORDS: dict[str, str] = {
    **dict.fromkeys(("on", "yes", "true", "1"), "on"),
    **dict.fromkeys(("off", "no", "false", "0"), "off"),
    "status": "status",
    "wait": "wait",
    "render": "render",
    "bypass": "bypass",
}
#: How long --wait waits by default (seconds).
DEFAULT_TIMEOUT = 30.0
BYPASS_ACTIONS = ("create", "revoke", "list")
USAGE = (
    "  maintenance_mode on [--start TIME] [--end TIME] [--title TEXT] [--message TEXT]\n"
    "                      [--read-only | --full] [--scope PATTERN ... | --whole-site]\n"
    "                      [--wait [--timeout SECONDS]]\n"
    "  maintenance_mode off [--wait [--timeout SECONDS]]\n"
    "  maintenance_mode status [--json]\n"
    "  maintenance_mode wait [--timeout SECONDS]\n"
    "  maintenance_mode render [--output PATH]\n"
    "  maintenance_mode bypass create NAME [--expires TIME]\n"
    "  maintenance_mode bypass revoke NAME\n"
    "  maintenance_mode bypass list"
)
TIME_EXAMPLES = (
    "an ISO 8601 time such as 2026-11-25T02:00 (read in the current time zone) or "
    "2026-11-25T02:00+01:00, or a time from now such as +30m, +2h, +1d or +1h30m"
)
_RELATIVE = re.compile(
    r"^\+(?:(?P<w>\d+)w)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$"
)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
FLAG_LABELS = {
    "admin_site": "admin site",
    "staff": "staff users",
    "superuser": "superusers",
    "authenticated_user": "logged-in users",
    "anonymous_user": "anonymous visitors",
}


def state_word(text: str) -> str:
    """argparse type: ``on/yes/true/1``, ``off/no/false/0``, ``status``, ``wait``,
    ``render`` or ``bypass``."""
    try:
        return WORDS[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(
            f"unknown word {text!r}; type on (or yes, true, 1), off (or no, false, 0), "
            "status, wait, render, or bypass"
        ) from None


def seconds(text: str) -> float:
    """argparse type: a positive number of seconds, e.g. 30 or 2.5."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds, e.g. 30") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def moment(text: str) -> datetime:
    """argparse type: an ISO 8601 time (naive = current time zone) or ``+30m``-style."""
    text = text.strip()
    relative = _RELATIVE.match(text)
    if relative and any(relative.groupdict().values()):
        try:
            amounts = {_UNITS[unit]: int(n) for unit, n in relative.groupdict().items() if n}
            value = timezone.now() + timedelta(**amounts)
        except (OverflowError, ValueError):  # ValueError: more digits than int() takes
            raise argparse.ArgumentTypeError(f"{text!r} is too far away") from None
    else:
        try:
            value = to_moment(datetime.fromisoformat(text), name="time")  # type: ignore[assignment]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a time; type {TIME_EXAMPLES}"
            ) from None
    if not representable(value):
        raise argparse.ArgumentTypeError(
            f"{text!r} is out of range; type a time between the years 1 and 9999"
        )
    return value


def _show(value: datetime | None) -> str:
    if value is None:
        return "-"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S %Z")


def _json(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, indent=2)


def _validation_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        )
    return " ".join(error.messages)


def describe_state() -> dict[str, Any]:
    """The effective state, why, the window and the exemptions, read from the database."""
    snapshot = Snapshot.from_data(state.load_data(), stamp="command")
    summary = responses.status_summary(snapshot)
    forced = conf.forced_state()
    phase = summary["window"]["phase"]
    if forced is not None:
        reason = "settings"
        explanation = f"fixed by the setting MAINTENANCE_MODE = {forced}"
    elif not snapshot.enabled:
        reason, explanation = "switch", "the switch is off"
    elif phase == "none":
        reason, explanation = "switch", "the switch is on, with no window"
    else:
        reason = "window"
        explanation = {
            "scheduled": f"the switch is on; the window opens at {_show(snapshot.starts_at)}",
            "ended": f"the switch is on, but the window ended at {_show(snapshot.ends_at)}",
            "open": "the switch is on and the window is open"
            + (f" until {_show(snapshot.ends_at)}" if snapshot.ends_at else ""),
        }[phase]
    flags = {
        name: {
            "exempt": snapshot.flag(name),
            "fixed_by_settings": conf.forced_flag(name.upper()) is not None,
        }
        for name in FLAG_LABELS
    }
    user_model = get_user_model()
    users = sorted(
        str(user.get_username())
        for user in user_model._default_manager.filter(pk__in=list(snapshot.user_ids))
    )
    links = [
        {"name": link.name, "expires_at": link.expires_at}
        for link in BypassLink.objects.usable().order_by("name")
    ]
    return {
        **summary,
        "reason": reason,
        "explanation": explanation,
        "title": snapshot.title,
        "message": snapshot.message,
        "exemptions": {
            **flags,
            "groups": sorted(
                Group.objects.filter(pk__in=snapshot.group_ids).values_list("name", flat=True)
            ),
            "users": users,
            "ip_addresses": {
                "settings": list(conf.ignored_networks().entries),
                "admin": split_lines(snapshot.data.get("ignore_ip_addresses", "")),
            },
            "urls": {
                "settings": list(conf.ignored_url_patterns().sources),
                "admin": split_lines(snapshot.data.get("ignore_urls", "")),
            },
            "bypass_links": links,
        },
        "changed_at": snapshot.changed_at,
        "changed_via": snapshot.changed_via,
    }


def describe_processes() -> dict[str, Any]:
    """``processes`` (the fleet reports as data), ``processes_shared`` (whether other
    processes can report here) and ``processes_error`` (why the reports cannot be read,
    or None)."""
    try:
        processes = [report.as_dict() for report in core.fleet()]
        error = None
    except fleet.ReportsUnavailable as exc:
        processes, error = [], str(exc)
    return {
        "processes": processes,
        "processes_shared": fleet.reports_are_shared(),
        "processes_error": error,
    }


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


class Command(BaseCommand):
    help = (
        "Switch maintenance mode on or off, show its state, or manage bypass links.\n\n"
        + USAGE
        + "\n\nTIME: "
        + TIME_EXAMPLES
        + "."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Keep the usage lines of the description as written.
        kwargs.setdefault("formatter_class", _HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "state",
            type=state_word,
            metavar="on|off|status|wait|render|bypass",
            help="on (or yes, true, 1), off (or no, false, 0), status, wait, render, or bypass.",
        )
        parser.add_argument(
            "args",
            nargs="*",
            metavar="create|revoke|list NAME",
            help="With bypass: create NAME, revoke NAME, or list.",
        )
        parser.add_argument(
            "--start", type=moment, metavar="TIME", help=f"With on: when, {TIME_EXAMPLES}."
        )
        parser.add_argument(
            "--end", type=moment, metavar="TIME", help="With on: when the site comes back."
        )
        parser.add_argument(
            "--title", metavar="TEXT", help="With on: the heading of the maintenance page."
        )
        parser.add_argument("--message", metavar="TEXT", help="With on: what visitors read.")
        level = parser.add_mutually_exclusive_group()
        level.add_argument(
            "--read-only",
            dest="read_only",
            action="store_const",
            const=True,
            help="With on: read-only maintenance: the site stays readable, changes get "
            "the maintenance page.",
        )
        level.add_argument(
            "--full",
            dest="read_only",
            action="store_const",
            const=False,
            help="With on: full maintenance (back from --read-only).",
        )
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument(
            "--scope",
            action="append",
            metavar="PATTERN",
            help="With on: only URLs matching this regular expression (matched against "
            "the start of the path, e.g. ^/checkout/) are under maintenance; repeat it "
            "for several.",
        )
        scope.add_argument(
            "--whole-site",
            action="store_true",
            help="With on: clear the scope: the whole site is under maintenance.",
        )
        parser.add_argument(
            "--expires",
            type=moment,
            metavar="TIME",
            help="With bypass create: when the link stops working.",
        )
        parser.add_argument(
            "--base-url",
            default="",
            metavar="URL",
            help="With bypass create: print the link as a full URL, e.g. https://example.com.",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="With on/off: return once every process seen recently applies the "
            "change (fails naming those that do not).",
        )
        parser.add_argument(
            "--timeout",
            type=seconds,
            metavar="SECONDS",
            help=f"With --wait or wait: give up after this long (default {DEFAULT_TIMEOUT:g}).",
        )
        parser.add_argument(
            "--output",
            metavar="PATH",
            help="With render: write the page to this file (atomically) instead of stdout.",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON, for scripts.")

    def handle(self, *args: str, **options: Any) -> None:
        word = options["state"]
        self._refuse_options(word, args, options)
        try:
            if word == "status":
                self._status(options)
            elif word == "wait":
                now = time.time()
                self._wait(since=now, committed=now, options=options)
            elif word == "render":
                self._render(options)
            elif word == "bypass":
                self._bypass(args, options)
            else:
                self._switch(word == "on", options)
        except DatabaseError as exc:
            raise CommandError(
                f"The maintenance tables cannot be read ({exc}); run `python manage.py "
                "migrate` first, or check the database settings."
            ) from exc

    #: The options each word takes; any other one given is refused with the usage.
    OPTIONS_OF = {
        "on": (
            "start",
            "end",
            "title",
            "message",
            "read_only",
            "scope",
            "whole_site",
            "json",
            "wait",
            "timeout",
        ),
        "off": ("json", "wait", "timeout"),
        "status": ("json",),
        "wait": ("timeout",),
        "render": ("output",),
        "bypass": ("expires", "base_url", "json"),
    }

    def _refuse_options(self, word: str, args: tuple[str, ...], options: dict[str, Any]) -> None:
        allowed = self.OPTIONS_OF[word]
        for name in dict.fromkeys(n for names in self.OPTIONS_OF.values() for n in names):
            given = options.get(name) is not None if name == "read_only" else options.get(name)
            if given and name not in allowed:
                if name == "read_only":
                    name = "read_only" if options[name] else "full"
                flag = "--" + name.replace("_", "-")
                raise CommandError(f"{flag} does not go with `{word}`. Usage:\n{USAGE}")
        if options.get("timeout") and word in {"on", "off"} and not options.get("wait"):
            raise CommandError(
                f"--timeout goes with --wait: `maintenance_mode {word} --wait --timeout 60`."
            )
        if args and word != "bypass":
            raise CommandError(f"Unexpected {' '.join(args)!r} after `{word}`. Usage:\n{USAGE}")

    # -- on / off / status ------------------------------------------------------------

    def _switch(self, value: bool, options: dict[str, Any]) -> None:
        forced = conf.forced_state()
        if forced is not None:
            raise CommandError(
                f"Maintenance mode is fixed {'on' if forced else 'off'} by the "
                "MAINTENANCE_MODE setting; remove that setting (or set it to None) to "
                "switch it from the command line."
            )
        start, end = options["start"], options["end"]
        now = timezone.now()
        if start is not None and end is not None and end <= start:
            raise CommandError(
                f"--end ({_show(end)}) is not after --start ({_show(start)}); type an end "
                "after the start, e.g. --start 2026-11-25T02:00 --end 2026-11-25T03:00."
            )
        if end is not None and end <= now:
            raise CommandError(
                f"--end ({_show(end)}) is in the past; type a future time, e.g. --end +1h."
            )
        scope = [] if options.get("whole_site") else options.get("scope")
        actor = changes.command_line_actor()
        since = time.time()
        try:
            core.set_maintenance_mode(
                value,
                start=start,
                end=end,
                title=options["title"],
                message=options["message"],
                read_only=options.get("read_only"),
                scope=scope,
                source=actor.source,
                label=actor.label,
            )
        except ValidationError as exc:
            raise CommandError(f"Nothing changed: {_validation_text(exc)}") from exc
        except ImproperlyConfigured as exc:
            raise CommandError(
                f"Nothing changed: {exc} Leave out --read-only / --full to keep the level."
            ) from exc
        committed = time.time()
        described = describe_state()
        if not options["json"] and options["verbosity"] >= 1:
            self.stdout.write(self._headline(described))
        if options["wait"]:
            described["wait"] = self._wait(since=since, committed=committed, options=options)
        if options["json"]:
            self.stdout.write(_json(described))

    def _status(self, options: dict[str, Any]) -> None:
        described = describe_state()
        described.update(describe_processes())
        if options["json"]:
            self.stdout.write(_json(described))
            return
        window = described["window"]
        lines = [
            self._headline(described),
            f"Why: {described['explanation']}.",
            f"Window: {self._window_text(window)}",
            f"Level: {self._level_text(described)}",
            f"Scope: {self._scope_text(described['scope'])}",
        ]
        if described["retry_after"]:
            lines.append(f"Retry-After: {described['retry_after']} s")
        if described["title"]:
            lines.append(f"Title: {described['title']}")
        if described["message"]:
            lines.append(f"Message: {described['message']}")
        lines.append("Exempt during maintenance:")
        exemptions = described["exemptions"]
        for name, label in FLAG_LABELS.items():
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
            f"{link['name']} (until {_show(link['expires_at'])})"
            if link["expires_at"]
            else link["name"]
            for link in exemptions["bypass_links"]
        ]
        lines.append(f"  bypass links: {', '.join(links) or '-'}")
        if described["changed_at"]:
            lines.append(
                f"Last change: {_show(described['changed_at'])} "
                f"by {described['changed_via'] or '?'}"
            )
        lines.extend(self._process_lines(described))
        self.stdout.write("\n".join(lines))

    @staticmethod
    def _process_lines(described: dict[str, Any]) -> list[str]:
        window = f"{fleet.seen_recently():g} s"
        if described["processes_error"]:
            return [f"Processes: the reports cannot be read ({described['processes_error']})."]
        processes = described["processes"]
        lines = [
            f"Processes seen in the last {window}: {len(processes)} "
            f"on {len({p['host'] for p in processes})} host(s)"
        ]
        if not described["processes_shared"]:
            lines.append(
                f"  (cache {conf.cache_alias()!r} is process-local: each process reports only "
                "to itself, so none is listed here; use a shared cache such as Redis)"
            )
        now = time.time()
        for process in processes:
            seen = datetime.fromisoformat(process["seen_at"]).timestamp()
            forced = " (forced by its settings)" if process["forced"] else ""
            lines.append(
                f"  {process['host']}, pid {process['pid']}: maintenance "
                f"{'on' if process['active'] else 'off'}{forced}, version "
                f"{process['version']}, {max(0.0, now - seen):.1f} s ago"
            )
        return lines

    # -- deploys: wait, render ----------------------------------------------------------

    def _wait(
        self, *, since: float, committed: float, options: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Wait until every process seen recently applies the stored state (changed
        between ``since`` and ``committed``)."""
        timeout = options["timeout"] or DEFAULT_TIMEOUT
        quiet = options["json"] or options["verbosity"] < 1
        if not fleet.reports_are_shared():
            ttl = conf.state_ttl()
            self.stderr.write(
                f"Warning: cache {conf.cache_alias()!r} is process-local, so each process "
                "reports only to itself and none can be asked. Waiting one "
                f"MAINTENANCE_MODE_STATE_TTL ({ttl:g} s) instead: after it, every process "
                "that does not force the state in its settings reads the new state."
            )
            time.sleep(ttl)
            return []

        def expected() -> bool:
            # What this process would apply: its settings (a fleet deployed with one
            # settings file agrees with them), else the stored switch and window.
            forced = conf.forced_state()
            if forced is not None:
                return forced
            return Snapshot.from_data(state.load_data(), stamp="wait").stored_active()

        def tell(verdict: fleet.Verdict) -> None:
            if not quiet:
                self.stdout.write(f"  {verdict.report.label}: {verdict.why}")

        def still_waiting(verdicts: list[fleet.Verdict]) -> None:
            if options["verbosity"] >= 2 and verdicts:
                waiting = "; ".join(f"{v.report.label}: {v.why}" for v in verdicts)
                self.stderr.write(f"{time.time() - committed:.2f} s, waiting for {waiting}")

        try:
            verdicts = fleet.wait_for_fleet(
                expected=expected,
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
        if not quiet:
            if verdicts:
                self.stdout.write(
                    f"Every process seen recently applies the new state ({len(verdicts)} "
                    f"on {len(fleet.hosts(v.report for v in verdicts))} host(s), "
                    f"{time.time() - committed:.2f} s after the change)."
                )
            else:
                self.stdout.write(
                    f"No process served a request in the last {fleet.seen_recently():g} s: "
                    "none can answer with the old state."
                )
        return [{**v.report.as_dict(), "verdict": v.kind, "why": v.why} for v in verdicts]

    def _render(self, options: dict[str, Any]) -> None:
        page = staticpage.render_static_page()
        output = options["output"]
        if not output:
            self.stdout.write(page, ending="" if page.endswith("\n") else "\n")
            return
        try:
            staticpage.write_atomically(output, page)
        except OSError as exc:
            raise CommandError(
                f"Cannot write {output}: {exc.strerror or exc}. Name a file in an existing "
                "folder you may write to."
            ) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(f"Wrote the maintenance page to {output}.")

    @staticmethod
    def _level_text(described: dict[str, Any]) -> str:
        text = (
            "read-only (pages can be read; changes get the maintenance page)"
            if described["read_only"]
            else "full (visitors get the maintenance page)"
        )
        if conf.forced_read_only() is not None:
            text += " (fixed by MAINTENANCE_MODE_READ_ONLY)"
        return text

    @staticmethod
    def _scope_text(scope: list[str]) -> str:
        if not scope:
            return "the whole site"
        settings_entries = set(conf.scope_url_entries())
        return "only " + ", ".join(
            f"{pattern} (settings)" if pattern in settings_entries else pattern for pattern in scope
        )

    @classmethod
    def _headline(cls, described: dict[str, Any]) -> str:
        if described["active"]:
            where = f" for {cls._scope_text(described['scope'])}" if described["scope"] else ""
            if described["read_only"]:
                return (
                    f"Maintenance mode is ON, READ-ONLY{where}: visitors can read the "
                    "site; changes get the maintenance page."
                )
            return f"Maintenance mode is ON{where}: visitors get the maintenance page."
        if described["window"]["phase"] == "scheduled" and described["enabled"]:
            return (
                "Maintenance mode is scheduled: the site is up until "
                f"{_show(described['window']['starts_at'])}."
            )
        return "Maintenance mode is OFF: the site is up."

    @staticmethod
    def _window_text(window: dict[str, Any]) -> str:
        if window["phase"] == "none":
            return "none"
        start = _show(window["starts_at"]) if window["starts_at"] else "now"
        end = _show(window["ends_at"]) if window["ends_at"] else "switched off"
        return f"from {start} until {end} ({window['phase']})"

    # -- bypass links -----------------------------------------------------------------

    def _bypass(self, args: tuple[str, ...], options: dict[str, Any]) -> None:
        action = args[0].lower() if args else ""
        if (
            action not in BYPASS_ACTIONS
            or (action == "list") != (len(args) == 1)
            or (len(args) > 2)
        ):
            raise CommandError(
                "Type `bypass create NAME [--expires TIME]`, `bypass revoke NAME` or "
                "`bypass list` (quote a NAME with spaces)."
            )
        if options["expires"] is not None and action != "create":
            raise CommandError("--expires goes with `bypass create` only.")
        actor = changes.command_line_actor()
        if action == "list":
            self._list_links(options)
        elif action == "create":
            self._create_link(args[1], options, actor)
        else:
            try:
                core.revoke_bypass_link(args[1], source=actor.source, label=actor.label)
            except ValidationError as exc:
                raise CommandError(
                    f"{_validation_text(exc)} Type `maintenance_mode bypass list` to see the names."
                ) from exc
            if options["json"]:
                self.stdout.write(_json({"name": args[1], "revoked": True}))
            elif options["verbosity"] >= 1:
                self.stdout.write(
                    f"Bypass link “{args[1]}” revoked; browsers that used it are held back again."
                )

    def _create_link(self, name: str, options: dict[str, Any], actor: changes.Actor) -> None:
        expires = options["expires"]
        if expires is not None and expires <= timezone.now():
            raise CommandError(
                f"--expires ({_show(expires)}) is in the past; type a future time, e.g. "
                "--expires +1d."
            )
        try:
            path = core.create_bypass_link(
                name, expires_at=expires, source=actor.source, label=actor.label
            )
        except ValidationError as exc:
            raise CommandError(f"Nothing created: {_validation_text(exc)}") from exc
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        link = options["base_url"].rstrip("/") + path
        if options["json"]:
            self.stdout.write(_json({"name": name, "path": link, "expires_at": expires}))
            return
        until = f"until {_show(expires)}" if expires else "until revoked"
        self.stdout.write(
            f"Bypass link “{name}” created; it works {until}. It is shown only this once:\n{link}"
        )

    def _list_links(self, options: dict[str, Any]) -> None:
        links: list[dict[str, Any]] = [
            {
                "name": link.name,
                "created_at": link.created_at,
                "expires_at": link.expires_at,
                "revoked_at": link.revoked_at,
                "usable": link.is_usable,
            }
            for link in BypassLink.objects.order_by("name")
        ]
        if options["json"]:
            self.stdout.write(_json(links))
            return
        if not links:
            self.stdout.write(
                "No bypass links; make one with `maintenance_mode bypass create NAME`."
            )
            return
        for link in links:
            if link["revoked_at"]:
                status = f"revoked {_show(link['revoked_at'])}"
            elif not link["usable"]:
                status = f"expired {_show(link['expires_at'])}"
            elif link["expires_at"]:
                status = f"usable until {_show(link['expires_at'])}"
            else:
                status = "usable until revoked"
            self.stdout.write(f"{link['name']}: {status}")
