"""Bypass links: secret links that let whoever opens them use the site during maintenance."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenance_panel.models.history import acting_user, record


def hash_token(token: str) -> str:
    """The stored form of a secret (a bypass link's, an API token): its SHA-256, which
    needs no salt or slow hashing as the secrets are long and random."""
    return hashlib.sha256(token.encode()).hexdigest()


class BypassLinkQuerySet(models.QuerySet["BypassLink"]):
    def usable(self) -> BypassLinkQuerySet:
        """Links neither revoked nor expired."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class BypassLink(models.Model):
    """A secret link that lets whoever opens it use the site during maintenance.

    Only a hash of the secret is stored; the secret itself is shown once, when the
    link is made. Making and revoking a link is recorded in the history by
    :meth:`save`, deleting one by :func:`_record_deletion` (a ``post_delete`` receiver).
    """

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Who or what the link is for, e.g. “QA team”."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = acting_user(_("created by"), editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects: ClassVar[BypassLinkQuerySet] = BypassLinkQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        app_label = "maintenance_panel"
        verbose_name = _("bypass link")
        verbose_name_plural = _("bypass links")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save the link and record it in the history (made, or revoked)."""
        created = self._state.adding
        super().save(*args, **kwargs)
        if created:
            record({"bypass_link": [None, self.name]})
        elif self.revoked_at is not None:
            record({"bypass_link": [self.name, "revoked"]})

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


@receiver(post_delete, sender=BypassLink, dispatch_uid="maintenance_panel_link_deleted_history")
def _record_deletion(*, instance: BypassLink, **kwargs: Any) -> None:
    # A receiver rather than delete(): deleting a queryset does not call delete().
    record({"bypass_link": [instance.name, None]})
