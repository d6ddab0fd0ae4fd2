"""The history: every change to maintenance mode, from any source, with who made it.

Whoever changes the state says who they are by wrapping the change in
:func:`recording` (the admin, the command, the Python API do); each saved model then
calls :func:`record` with what changed, and the block writes one history entry for all
of it when it ends. A change made outside any block is recorded on its own, as made
by "code".
"""

from __future__ import annotations

import contextvars
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext_lazy as _


def acting_user(verbose_name: Any, **options: Any) -> Any:
    """A reference to whoever acted; kept as None when that user is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **options,
    )


class MaintenanceChange(models.Model):
    """One change to maintenance mode, from any source: who, when, what (before -> after)."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("admin")
        COMMAND = "command", _("command line")
        API = "api", _("Python API")
        CODE = "code", _("code")

    changed_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = acting_user(_("user"))
    actor = models.CharField(_("who"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    changes = models.JSONField(_("what changed"), default=dict)

    class Meta:
        app_label = "maintenance_panel"
        verbose_name = _("maintenance mode change")
        verbose_name_plural = _("maintenance mode changes")
        ordering = ("-changed_at", "-id")

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M:%S} {self.actor}: {', '.join(self.changes)}"


#: How an actor with neither a user nor a label is recorded (stored, so not translated).
DEFAULT_LABELS = {
    "command": "command line",
    "api": "Python API",
    "admin": "admin",
    "code": "code",
}


def actor_display(label: str) -> str:
    """A stored actor label for reading: the default labels in the active language."""
    names = {DEFAULT_LABELS[value]: str(name) for value, name in MaintenanceChange.Source.choices}
    if label in names:
        return names[label]
    prefix = DEFAULT_LABELS["command"]
    if label.startswith(prefix + " ("):  # "command line (<OS user>)"
        return names[prefix] + label[len(prefix) :]
    return label


@dataclass
class Actor:
    """Who makes a change: the source (``"admin"``, ``"command"``, ``"api"``, ``"code"``),
    the user if any, and a label that names them otherwise."""

    source: str = "code"
    user: Any = None
    label: str = ""

    def describe(self) -> str:
        if self.label:
            return self.label
        if self.user is not None:
            return str(self.user.get_username())
        return DEFAULT_LABELS.get(self.source, DEFAULT_LABELS["code"])


def stored_user(user: Any) -> Any:
    """``user`` if it can be stored in a foreign key, else None (an AnonymousUser, or a
    token user that is no model instance)."""
    return user if getattr(user, "pk", None) is not None else None


def switched_on_at(config: Any, current: Any, save_options: dict[str, Any]) -> Any:
    """When the switch was turned on, once ``config`` is saved over ``current`` (the
    stored row, or None): the save's time when it turns the switch on, unchanged while
    it stays on, None while it is off."""
    names = save_options.get("update_fields")
    was_on = current is not None and current.enabled
    if not (was_on if names is not None and "enabled" not in names else config.enabled):
        return None
    return current.switched_on_at if was_on and current.switched_on_at else config.changed_at


def command_line_actor() -> Actor:
    """The actor for a management command: the command line, and the OS user if known."""
    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):
        return Actor(source="command", label="command line")
    return Actor(source="command", label=f"command line ({os_user})")


@dataclass
class _Batch:
    actor: Actor
    changes: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, changes: dict[str, list[Any]]) -> None:
        for name, (before, after) in changes.items():
            if name in self.changes:
                before = self.changes[name][0]
            if before == after:
                self.changes.pop(name, None)
            else:
                self.changes[name] = [before, after]


_current: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar(
    "maintenance_panel_change", default=None
)


@contextmanager
def recording(*, source: str = "code", user: Any = None, label: str = "") -> Iterator[Actor]:
    """Attribute every change made inside to this actor, as one history entry."""
    batch = _Batch(Actor(source=source, user=user, label=label))
    token = _current.set(batch)
    try:
        yield batch.actor
    finally:
        _current.reset(token)
    _write(batch.actor, batch.changes)


def current_actor() -> Actor:
    """Who is making changes now: the actor of the enclosing :func:`recording`, else
    "code"."""
    batch = _current.get()
    return batch.actor if batch is not None else Actor()


def record(changes: dict[str, list[Any]]) -> Actor:
    """Record ``changes`` ({field: [before, after]}) as made by the current actor: into
    the enclosing :func:`recording`, or as an entry of their own."""
    batch = _current.get()
    if batch is not None:
        batch.add(changes)
        return batch.actor
    actor = Actor()
    _write(actor, changes)
    return actor


def jsonable(value: Any) -> Any:
    """``value`` as the history stores it (datetimes and durations as ISO 8601)."""
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _write(actor: Actor, changes: dict[str, list[Any]]) -> None:
    if not changes:
        return
    MaintenanceChange.objects.create(
        user=stored_user(actor.user),
        actor=actor.describe(),
        source=actor.source,
        changes={name: [jsonable(v) for v in pair] for name, pair in changes.items()},
    )
