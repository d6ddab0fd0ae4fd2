"""``maintenance_mode on|off``: switch, with a window, a text, a level and a scope."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from maintenance_panel import conf, core, wording
from maintenance_panel.management.output import as_json, validation_text
from maintenance_panel.management.verbs import status, wait
from maintenance_panel.models.history import command_line_actor
from maintenance_panel.wording import plain_time


def _refuse_bad_window(options: dict[str, Any]) -> None:
    forced = conf.forced_state()
    if forced is not None:
        raise CommandError(
            f"Maintenance mode is fixed {'on' if forced else 'off'} by the "
            "MAINTENANCE_MODE setting; remove that setting (or set it to None) to "
            "switch it from the command line."
        )
    start, end = options["start"], options["end"]
    if start is not None and end is not None and end <= start:
        raise CommandError(
            f"--end ({plain_time(end)}) is not after --start ({plain_time(start)}); type an "
            "end after the start, e.g. --start 2026-11-25T02:00 --end 2026-11-25T03:00."
        )
    if end is not None and end <= timezone.now():
        raise CommandError(
            f"--end ({plain_time(end)}) is in the past; type a future time, e.g. --end +1h."
        )


def _confirmed(command: BaseCommand, value: bool) -> bool:
    """``--interactive``: whether the person at the terminal answers yes (as
    django-maintenance-mode asks); no terminal to answer counts as no."""
    try:
        answer = input(f"Switch maintenance mode {'on' if value else 'off'}? (y/N) ")
    except EOFError:
        answer = ""
    if answer.strip().lower().startswith("y"):
        return True
    command.stdout.write("Nothing changed.")
    return False


def run(command: BaseCommand, value: bool, options: dict[str, Any]) -> None:
    """Turn maintenance on (``value``) or off, then print the new state (and wait);
    with ``--interactive``, only once confirmed."""
    _refuse_bad_window(options)
    if options.get("interactive") and not _confirmed(command, value):
        return
    actor = command_line_actor()
    since = time.time()
    try:
        core.set_maintenance_mode(
            value,
            start=options["start"],
            end=options["end"],
            title=options["title"],
            message=options["message"],
            read_only=options.get("read_only"),
            scope=[] if options.get("whole_site") else options.get("scope"),
            recurrence="" if options.get("no_repeat") else options.get("every"),
            recurrence_duration=options.get("for_"),
            source=actor.source,
            label=actor.label,
        )
    except ValidationError as exc:
        raise CommandError(f"Nothing changed: {validation_text(exc)}") from exc
    except ImproperlyConfigured as exc:
        raise CommandError(
            f"Nothing changed: {exc} Leave out --read-only / --full to keep the level."
        ) from exc
    committed = time.time()
    described = status.describe()
    data = status.document(described)
    if not options["json"] and options["verbosity"] >= 1:
        command.stdout.write(wording.headline(described))
    if options["wait"]:
        data["wait"] = wait.wait(command, since=since, committed=committed, options=options)
    if options["json"]:
        command.stdout.write(as_json(data))
