"""``maintenance_mode token create|revoke|list``: API tokens for the automation API
from a shell."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from maintenance_panel import core
from maintenance_panel.management.arguments import scopes
from maintenance_panel.management.output import as_json, validation_text
from maintenance_panel.models import ApiToken
from maintenance_panel.models.history import Actor, command_line_actor
from maintenance_panel.wording import plain_time

ACTIONS = ("create", "revoke", "list")


def run(command: BaseCommand, args: tuple[str, ...], options: dict[str, Any]) -> None:
    """``token create NAME``, ``token revoke NAME`` or ``token list``."""
    action = args[0].lower() if args else ""
    if action not in ACTIONS or (action == "list") != (len(args) == 1) or len(args) > 2:
        raise CommandError(
            "Type `token create NAME [--scopes read,switch] [--expires TIME]`, "
            "`token revoke NAME` or `token list` (quote a NAME with spaces)."
        )
    for option in ("expires", "scopes"):
        if options.get(option) is not None and action != "create":
            raise CommandError(f"--{option} goes with `token create` only.")
    actor = command_line_actor()
    if action == "list":
        _list(command, options)
    elif action == "create":
        _create(command, args[1], options, actor)
    else:
        _revoke(command, args[1], options, actor)


def _scopes(given: Any) -> tuple[str, ...]:
    if given is None:
        return ("read", "switch")
    text = given if isinstance(given, str) else ",".join(given)
    try:
        return scopes(text)
    except argparse.ArgumentTypeError as exc:
        raise CommandError(f"--scopes: {exc}") from None


def _create(command: BaseCommand, name: str, options: dict[str, Any], actor: Actor) -> None:
    expires = options["expires"]
    if expires is not None and expires <= timezone.now():
        raise CommandError(
            f"--expires ({plain_time(expires)}) is in the past; type a future time, e.g. "
            "--expires +90d."
        )
    chosen = _scopes(options.get("scopes"))
    try:
        raw = core.create_api_token(
            name, scopes=chosen, expires_at=expires, source=actor.source, label=actor.label
        )
    except ValidationError as exc:
        raise CommandError(f"Nothing created: {validation_text(exc)}") from exc
    if options["json"]:
        command.stdout.write(
            as_json({"name": name, "token": raw, "scopes": list(chosen), "expires_at": expires})
        )
        return
    until = f"until {plain_time(expires)}" if expires else "until revoked"
    command.stdout.write(
        f"API token “{name}” created ({', '.join(chosen)}); it works {until}. "
        f"It is shown only this once:\n{raw}"
    )


def _revoke(command: BaseCommand, name: str, options: dict[str, Any], actor: Actor) -> None:
    try:
        core.revoke_api_token(name, source=actor.source, label=actor.label)
    except ValidationError as exc:
        raise CommandError(
            f"{validation_text(exc)} Type `maintenance_mode token list` to see the names."
        ) from exc
    if options["json"]:
        command.stdout.write(as_json({"name": name, "revoked": True}))
    elif options["verbosity"] >= 1:
        command.stdout.write(f"API token “{name}” revoked; its next request is refused.")


def _status_of(token: ApiToken) -> str:
    if token.revoked_at:
        return f"revoked {plain_time(token.revoked_at)}"
    if not token.is_usable:
        return f"expired {plain_time(token.expires_at)}"
    if token.expires_at:
        return f"usable until {plain_time(token.expires_at)}"
    return "usable until revoked"


def _last_use(token: ApiToken) -> str:
    if token.last_used_at is None:
        return "never used"
    where = f" from {token.last_used_from}" if token.last_used_from else ""
    return f"last used {plain_time(token.last_used_at)}{where}"


def _list(command: BaseCommand, options: dict[str, Any]) -> None:
    found = list(ApiToken.objects.order_by("name"))
    if options["json"]:
        command.stdout.write(
            as_json(
                [
                    {
                        "name": token.name,
                        "id": token.public_id,
                        "scopes": token.scopes,
                        "created_at": token.created_at,
                        "expires_at": token.expires_at,
                        "revoked_at": token.revoked_at,
                        "last_used_at": token.last_used_at,
                        "last_used_from": token.last_used_from,
                        "usable": token.is_usable,
                    }
                    for token in found
                ]
            )
        )
    elif not found:
        command.stdout.write("No API tokens; make one with `maintenance_mode token create NAME`.")
    else:
        for token in found:
            command.stdout.write(
                f"{token.name} ({token.public_id}, {', '.join(token.scopes)}): "
                f"{_status_of(token)}, {_last_use(token)}"
            )
