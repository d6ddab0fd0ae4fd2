"""API tokens: bearer secrets that let a deploy pipeline or a chat bot use the
automation API (``maintenance_panel:api``).

A raw token reads ``mcp_<key id>_<secret>``: the prefix lets secret scanners find a
leaked one, the key id (public, stored as it is) finds its row with one indexed query,
and only a hash of the whole token is stored (:func:`~maintenance_panel.models.links.
hash_token`, as for bypass links), compared in constant time.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maintenance_panel.models.history import acting_user, record

#: What a token may do: ``read`` the state, ``switch`` maintenance mode.
SCOPES = ("read", "switch")
#: Every raw token starts with this (secret scanners match it).
TOKEN_PREFIX = "mcp_"


def validate_scopes(value: Any) -> None:
    """Refuse anything but a non-empty list of known scopes."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one scope: read, switch."), code="no_scope")
    unknown = [str(item) for item in value if item not in SCOPES]
    if unknown:
        raise ValidationError(
            _("Unknown scope %(scopes)s; the scopes are read and switch."),
            params={"scopes": ", ".join(unknown)},
            code="unknown_scope",
        )


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        """Tokens neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


class ApiToken(models.Model):
    """A bearer token for the automation API: a name, its scopes, an optional expiry.

    Only a hash of the token is stored; the token itself is shown once, when it is
    made. Making and revoking one is recorded in the history by :meth:`save` (its name,
    never its secret), deleting one by :func:`_record_deletion`.
    """

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Who or what uses the token, e.g. “deploy pipeline”."),
    )
    key_id = models.CharField(_("key id"), max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, validators=[validate_scopes])
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = acting_user(_("created by"), editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    last_used_from = models.GenericIPAddressField(
        _("last used from"), null=True, blank=True, editable=False
    )

    objects: ClassVar[ApiTokenQuerySet] = ApiTokenQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        app_label = "maintenance_panel"
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save the token and record it in the history (made, or revoked); a note of
        its use is not a change and is not recorded."""
        created = self._state.adding
        super().save(*args, **kwargs)
        if created:
            record({"api_token": [None, self.name]})
        elif "revoked_at" in (kwargs.get("update_fields") or ()):
            record({"api_token": [self.name, "revoked"]})

    @property
    def is_usable(self) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    @property
    def public_id(self) -> str:
        """The part of the token that may be shown and logged: ``mcp_<key id>``."""
        return f"{TOKEN_PREFIX}{self.key_id}"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


@receiver(post_delete, sender=ApiToken, dispatch_uid="maintenance_panel_token_deleted_history")
def _record_deletion(*, instance: ApiToken, **kwargs: Any) -> None:
    # A receiver rather than delete(): deleting a queryset does not call delete().
    record({"api_token": [instance.name, None]})
