"""The lists of groups and users on the config, recorded in the history.

They change without a save of the config: :func:`_record_list_change` (an
``m2m_changed`` receiver for ``ignore_groups``, ``ignore_users`` and ``notify_groups``)
and :func:`_record_member_deleted` (a ``pre_delete`` receiver for groups and users)
record those changes as made by the current actor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, pre_delete
from django.dispatch import receiver

from maintenance_panel.models import history
from maintenance_panel.models.config import MaintenanceConfig

#: The list fields by their through model.
LISTS = {
    MaintenanceConfig.ignore_groups.through: "ignore_groups",
    MaintenanceConfig.ignore_users.through: "ignore_users",
    MaintenanceConfig.notify_groups.through: "notify_groups",
}


def _labels(model: Any, pks: Any) -> list[str]:
    return sorted(str(obj) for obj in model._default_manager.filter(pk__in=pks))


@receiver(m2m_changed, sender=MaintenanceConfig.ignore_groups.through)
@receiver(m2m_changed, sender=MaintenanceConfig.ignore_users.through)
@receiver(m2m_changed, sender=MaintenanceConfig.notify_groups.through)
def _record_list_change(
    *, sender: Any, instance: Any, action: str, reverse: bool, model: Any, **kwargs: Any
) -> None:
    if reverse:
        return  # changed from the group's or user's side: nothing of the config to show
    name = LISTS[sender]
    if action.startswith("pre_"):
        instance.__dict__.setdefault("_m2m_before", {})[name] = _labels(
            model, getattr(instance, name).values_list("pk", flat=True)
        )
    elif action.startswith("post_"):
        before = instance.__dict__.get("_m2m_before", {}).pop(name, [])
        after = _labels(model, getattr(instance, name).values_list("pk", flat=True))
        if before != after:
            history.record({name: [before, after]})


@receiver(pre_delete, sender=Group, dispatch_uid="maintenance_panel_group_deleted_history")
@receiver(
    pre_delete,
    sender=settings.AUTH_USER_MODEL,
    dispatch_uid="maintenance_panel_user_deleted_history",
)
def _record_member_deleted(*, sender: Any, instance: Any, **kwargs: Any) -> None:
    # Deleting a group or user takes it off the lists without an m2m signal.
    names = ("ignore_groups", "notify_groups") if issubclass(sender, Group) else ("ignore_users",)
    for name in names:
        config = MaintenanceConfig.objects.filter(**{name: instance.pk}).first()
        if config is None:
            continue
        before = _labels(sender, getattr(config, name).values_list("pk", flat=True))
        after = list(before)
        after.remove(str(instance))
        history.record({name: [before, after]})
