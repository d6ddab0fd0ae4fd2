"""``maintenance_mode bypass create|revoke|list``: bypass links from a shell."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from maintenance_panel import core
from maintenance_panel.management.output import as_json, validation_text
from maintenance_panel.models import BypassLink
from maintenance_panel.models.history import Actor, command_line_actor
from maintenance_panel.wording import plain_time

ACTIONS = ("create", "revoke", "list")


def run(command: BaseCommand, args: tuple[str, ...], options: dict[str, Any]) -> None:
    """``bypass create NAME``, ``bypass revoke NAME`` or ``bypass list``."""
    action = args[0].lower() if args else ""
    if action not in ACTIONS or (action == "list") != (len(args) == 1) or len(args) > 2:
        raise CommandError(
            "Type `bypass create NAME [--expires TIME]`, `bypass revoke NAME` or "
            "`bypass list` (quote a NAME with spaces)."
        )
    if options["expires"] is not None and action != "create":
        raise CommandError("--expires goes with `bypass create` only.")
    actor = command_line_actor()
    if action == "list":
        _list(command, options)
    elif action == "create":
        _create(command, args[1], options, actor)
    else:
        _revoke(command, args[1], options, actor)


def _revoke(command: BaseCommand, name: str, options: dict[str, Any], actor: Actor) -> None:
    try:
        core.revoke_bypass_link(name, source=actor.source, label=actor.label)
    except ValidationError as exc:
        raise CommandError(
            f"{validation_text(exc)} Type `maintenance_mode bypass list` to see the names."
        ) from exc
    if options["json"]:
        command.stdout.write(as_json({"name": name, "revoked": True}))
    elif options["verbosity"] >= 1:
        command.stdout.write(
            f"Bypass link “{name}” revoked; browsers that used it are held back again."
        )


def _create(command: BaseCommand, name: str, options: dict[str, Any], actor: Actor) -> None:
    expires = options["expires"]
    if expires is not None and expires <= timezone.now():
        raise CommandError(
            f"--expires ({plain_time(expires)}) is in the past; type a future time, e.g. "
            "--expires +1d."
        )
    try:
        path = core.create_bypass_link(
            name, expires_at=expires, source=actor.source, label=actor.label
        )
    except ValidationError as exc:
        raise CommandError(f"Nothing created: {validation_text(exc)}") from exc
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from exc
    link = options["base_url"].rstrip("/") + path
    if options["json"]:
        command.stdout.write(as_json({"name": name, "path": link, "expires_at": expires}))
        return
    until = f"until {plain_time(expires)}" if expires else "until revoked"
    command.stdout.write(
        f"Bypass link “{name}” created; it works {until}. It is shown only this once:\n{link}"
    )


def _status_of(link: BypassLink) -> str:
    if link.revoked_at:
        return f"revoked {plain_time(link.revoked_at)}"
    if not link.is_usable:
        return f"expired {plain_time(link.expires_at)}"
    if link.expires_at:
        return f"usable until {plain_time(link.expires_at)}"
    return "usable until revoked"


def _list(command: BaseCommand, options: dict[str, Any]) -> None:
    links = list(BypassLink.objects.order_by("name"))
    if options["json"]:
        command.stdout.write(
            as_json(
                [
                    {
                        "name": link.name,
                        "created_at": link.created_at,
                        "expires_at": link.expires_at,
                        "revoked_at": link.revoked_at,
                        "usable": link.is_usable,
                    }
                    for link in links
                ]
            )
        )
    elif not links:
        command.stdout.write(
            "No bypass links; make one with `maintenance_mode bypass create NAME`."
        )
    else:
        for link in links:
            command.stdout.write(f"{link.name}: {_status_of(link)}")
