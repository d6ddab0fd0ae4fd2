"""E-mail: who is told (the members of the config's ``notify_groups``) and the message.

One message per recipient, from ``DEFAULT_FROM_EMAIL``, with Django's mail API: each
address is a delivery of its own, retried on its own, and no recipient sees the others'
addresses. Members without an e-mail address, and inactive users, are skipped.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.utils import translation

from maintenance_panel.models import MaintenanceConfig
from maintenance_panel.notifications import text


def recipients() -> list[str]:
    """The distinct e-mail addresses of the active members of ``notify_groups``."""
    config = MaintenanceConfig.objects.filter(pk=MaintenanceConfig.singleton_instance_id).first()
    if config is None:
        return []
    user_model = get_user_model()
    field = user_model.get_email_field_name()
    members = user_model._default_manager.filter(groups__in=config.notify_groups.all())
    if any(model_field.name == "is_active" for model_field in user_model._meta.fields):
        members = members.filter(is_active=True)
    addresses = (
        members.exclude(**{field: ""})
        .exclude(**{f"{field}__isnull": True})
        .values_list(field, flat=True)
        .distinct()
    )
    return sorted(set(addresses), key=str.lower)


def send(address: str, payload: dict[str, Any]) -> str:
    """Send the e-mail of ``payload`` to ``address``; "" when the mail server took it,
    else what went wrong."""
    with translation.override(settings.LANGUAGE_CODE):
        message = EmailMessage(
            subject=text.subject(payload),
            body=text.body(payload),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
    try:
        message.send()
    except OSError as error:  # smtplib's errors, refused connections and timeouts
        return f"mail server: {error}"[:500]
    return ""
