"""The one write path: every change, from any source, goes through here.

A change bumps the config's version, records who did what (before -> after) in the
history, and, once the transaction commits, refreshes the process snapshot, publishes
the new state to the shared cache and sends ``maintenance_mode_changed``. A rolled-back
change does none of that.
"""

from __future__ import annotations

import contextvars
import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenance_panel import conf, state
from maintenance_panel.models import (
    TRACKED_FIELDS,
    TRACKED_M2M,
    BypassLink,
    MaintenanceChange,
    MaintenanceConfig,
    field_default,
)
from maintenance_panel.signals import maintenance_mode_changed
from maintenance_panel.validators import split_lines
from maintenance_panel.windows import window_open

#: Fields that say what visitors get while maintenance is on: the level and the scope.
LEVEL_FIELDS = frozenset({"read_only", "scope_urls"})
#: Fields every save writes, also when the caller names ``update_fields``.
BOOKKEEPING_FIELDS = ("version", "changed_at", "changed_by", "changed_via")


class ConflictError(Exception):
    """The config was changed by someone else since it was read."""

    def __init__(self, current: MaintenanceConfig) -> None:
        super().__init__(_("Maintenance mode was changed by someone else meanwhile."))
        self.current = current


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
    """Who makes a change, and through which door."""

    source: str = "code"
    user: Any = None
    label: str = ""

    def describe(self) -> str:
        if self.label:
            return self.label
        if self.user is not None:
            return str(self.user.get_username())
        return DEFAULT_LABELS.get(self.source, DEFAULT_LABELS["code"])


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


def stored_user(user: Any) -> Any:
    """``user`` if it can be stored in a foreign key, else None (an AnonymousUser, or a
    token user that is no model instance)."""
    return user if getattr(user, "pk", None) is not None else None


def command_line_actor() -> Actor:
    """The actor for a management command: the command line, and the OS user if known."""
    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):
        return Actor(source="command", label="command line")
    return Actor(source="command", label=f"command line ({os_user})")


@contextmanager
def recording(*, source: str = "code", user: Any = None, label: str = "") -> Iterator[Actor]:
    """Attribute every change made inside to this actor, as one history entry."""
    batch = _Batch(Actor(source=source, user=user, label=label))
    token = _current.set(batch)
    try:
        yield batch.actor
    finally:
        _current.reset(token)
    _write_history(batch.actor, batch.changes)


def _record(changes: dict[str, list[Any]]) -> Actor:
    batch = _current.get()
    if batch is not None:
        batch.add(changes)
        return batch.actor
    actor = Actor()
    _write_history(actor, changes)
    return actor


def jsonable(value: Any) -> Any:
    """``value`` as the history stores it (datetimes as ISO 8601)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _write_history(actor: Actor, changes: dict[str, list[Any]]) -> None:
    if not changes:
        return
    user = stored_user(actor.user)
    MaintenanceChange.objects.create(
        user=user,
        actor=actor.describe(),
        source=actor.source,
        changes={name: [jsonable(v) for v in pair] for name, pair in changes.items()},
    )


def _window_active(values: dict[str, Any], now: Any) -> bool:
    return window_open(
        values.get("enabled", False), values.get("starts_at"), values.get("ends_at"), now
    )


def save_config(
    instance: MaintenanceConfig, base_save: Callable[..., None], *args: Any, **kwargs: Any
) -> None:
    """Save ``instance`` through the write path (see the module docstring)."""
    using = kwargs.get("using") or "default"
    with transaction.atomic(using=using):
        expected = getattr(instance, "expected_version", None)
        if expected is not None and not instance._state.adding:
            current = (
                MaintenanceConfig.objects.using(using)
                .select_for_update()
                .filter(pk=instance.singleton_instance_id)
                .first()
            )
            if current is not None and current.version != expected:
                raise ConflictError(current)
        changes = instance.changes_since_load()
        loaded = dict(getattr(instance, "_loaded", {}))
        batch = _current.get()
        actor = batch.actor if batch is not None else Actor()
        instance.version += 1
        instance.changed_at = timezone.now()
        instance.changed_by = stored_user(actor.user)
        instance.changed_via = actor.describe()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *BOOKKEEPING_FIELDS}
        base_save(*args, **kwargs)
        instance.expected_version = None
        instance._loaded = {name: getattr(instance, name) for name in TRACKED_FIELDS}
        actor = _record(changes)
        if changes:
            now = timezone.now()
            before = {**{n: field_default(n) for n in TRACKED_FIELDS}, **loaded}
            _announce(
                old=_window_active(before, now),
                new=_window_active(instance._loaded, now),
                enabled_changed="enabled" in changes,
                level_changed=bool(LEVEL_FIELDS & set(changes)),
                actor=actor,
                instance=instance,
                using=using,
            )
        state.invalidate(using=using)


def _announce(
    *,
    old: bool,
    new: bool,
    enabled_changed: bool,
    level_changed: bool,
    actor: Actor,
    instance: Any,
    using: str,
) -> None:
    # A new level or scope while maintenance is on changes what visitors get.
    if old == new and not enabled_changed and not (new and level_changed):
        return

    def send() -> None:
        maintenance_mode_changed.send(
            sender=type(instance),
            old=old,
            new=new,
            enabled=instance.enabled,
            read_only=conf.read_only_value(instance.read_only),
            scope=[*conf.scope_url_entries(), *split_lines(instance.scope_urls)],
            source=actor.source,
            actor=actor.describe(),
            user=actor.user,
            config=instance,
        )

    transaction.on_commit(send, using=using)


def _m2m_labels(model: Any, pks: Any) -> list[str]:
    return sorted(str(obj) for obj in model._default_manager.filter(pk__in=pks))


def _connect_m2m() -> None:
    for name in TRACKED_M2M:
        through = getattr(MaintenanceConfig, name).through
        # weak=False: the receiver is a closure that nothing else keeps alive.
        m2m_changed.connect(
            _make_m2m_receiver(name),
            sender=through,
            weak=False,
            dispatch_uid=f"maintenance_panel_{name}",
        )


def _make_m2m_receiver(name: str) -> Callable[..., None]:
    def on_change(*, instance: Any, action: str, reverse: bool, model: Any, **kwargs: Any) -> None:
        if reverse:
            # Changed from the group's or user's side (e.g. a deleted group).
            state.invalidate()
            return
        if action.startswith("pre_"):
            instance._m2m_before = getattr(instance, "_m2m_before", {})
            instance._m2m_before[name] = _m2m_labels(
                model, getattr(instance, name).values_list("pk", flat=True)
            )
            return
        if not action.startswith("post_"):
            return
        before = instance.__dict__.get("_m2m_before", {}).pop(name, [])
        after = _m2m_labels(model, getattr(instance, name).values_list("pk", flat=True))
        if before != after:
            _record({name: [before, after]})
        state.invalidate()

    return on_change


def _on_listed_object_deleted(*, sender: Any, instance: Any, **kwargs: Any) -> None:
    # Deleting a group or user takes it off the exemption lists without an m2m signal.
    name = "ignore_groups" if issubclass(sender, Group) else "ignore_users"
    config = MaintenanceConfig.objects.filter(**{name: instance.pk}).first()
    if config is None:
        return
    before = _m2m_labels(sender, getattr(config, name).values_list("pk", flat=True))
    after = list(before)
    after.remove(str(instance))
    _record({name: [before, after]})
    state.invalidate()


def _on_bypass_link_saved(*, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        _record({"bypass_link": [None, instance.name]})
    elif instance.revoked_at is not None:
        _record({"bypass_link": [instance.name, "revoked"]})
    state.invalidate()


def _on_bypass_link_deleted(*, instance: Any, **kwargs: Any) -> None:
    _record({"bypass_link": [instance.name, None]})
    state.invalidate()


def connect() -> None:
    """Install the write path and connect the receivers (from ``AppConfig.ready``)."""
    MaintenanceConfig.write_path = staticmethod(save_config)
    _connect_m2m()
    for model in (Group, get_user_model()):
        pre_delete.connect(
            _on_listed_object_deleted,
            sender=model,
            dispatch_uid=f"maintenance_panel_listed_{model._meta.label_lower}_deleted",
        )
    post_save.connect(
        _on_bypass_link_saved, sender=BypassLink, dispatch_uid="maintenance_panel_bypass_saved"
    )
    post_delete.connect(
        _on_bypass_link_deleted, sender=BypassLink, dispatch_uid="maintenance_panel_bypass_deleted"
    )
