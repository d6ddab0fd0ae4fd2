"""Notifications: events the team is told about, and each delivery of them.

A :class:`Notification` is stored before anything is sent (an outbox): its ``key`` names
the event once for the whole fleet (a switch by its version, a window boundary by the
window's times), so a second process that notices the same boundary cannot store it
twice, and a process that dies before sending leaves a row that is sent later. Each
webhook and each e-mail recipient of a notification is one :class:`Delivery`, with its
attempts, its next attempt and its last error, which the panel shows.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: The events, in the words of the webhook's ``event`` key.
EVENTS = (
    ("switched_on", _("switched on")),
    ("switched_off", _("switched off")),
    ("changed", _("changed")),
    ("window_opened", _("window opened")),
    ("window_closed", _("window closed")),
    ("still_on", _("still on")),
)


class Notification(models.Model):
    """One event to tell the team about, stored before it is sent."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    event = models.CharField(_("event"), max_length=20, choices=EVENTS)
    #: The JSON document a webhook receives (the e-mail says the same in words).
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        app_label = "maintenance_panel"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.get_event_display()} ({self.key})"


class Delivery(models.Model):
    """One notification sent to one webhook or one e-mail address."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    STATUSES = (
        (PENDING, _("pending")),
        (DELIVERED, _("delivered")),
        (FAILED, _("failed")),
    )
    WEBHOOK = "webhook"
    EMAIL = "email"
    CHANNELS = ((WEBHOOK, _("webhook")), (EMAIL, _("e-mail")))

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=CHANNELS)
    #: The webhook's URL or the e-mail address.
    target = models.CharField(_("to"), max_length=500)
    #: Which webhook of ``MAINTENANCE_MODE_WEBHOOKS`` (an HMAC of its URL, which may hold
    #: a token that is never stored); empty for an e-mail.
    endpoint = models.CharField(_("endpoint"), max_length=64, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        app_label = "maintenance_panel"
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ("-updated_at", "-pk")
        indexes = (models.Index(fields=("status", "next_attempt_at")),)

    def __str__(self) -> str:
        # As the admin shows it (title, breadcrumbs): the event and status in words.
        event = self.notification.get_event_display()
        return f"{event} → {self.target}: {self.get_status_display()}"
