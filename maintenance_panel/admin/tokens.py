"""API tokens in the admin: the list (with each token's last use), a new token (shown
this once), and revoking tokens (an action of the list, or the button of a token's
page). Tokens are made and revoked through ``core.create_api_token`` and
``core.revoke_api_token``, so the history records them (by name, never the secret)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import formats, timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from maintenance_panel import core
from maintenance_panel.admin.forms import name_split_inputs
from maintenance_panel.models import ApiToken
from maintenance_panel.models.tokens import SCOPES

SCOPE_CHOICES = [
    ("read", _("read: the state (GET)")),
    ("switch", _("switch: change maintenance mode (POST)")),
]
#: Everything a token's page shows; nothing of a token is edited after it is made.
DETAIL_FIELDS = (
    "name",
    "public_id",
    "scope_list",
    "created_at",
    "created_by",
    "expires_at",
    "revoked_at",
    "last_used_at",
    "last_used_from",
)


class ApiTokenForm(forms.ModelForm):
    """A new token: its name, its scopes and an optional expiry."""

    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=SCOPE_CHOICES,
        initial=list(SCOPES),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A status page needs read only; a deploy pipeline needs both."),
    )

    class Meta:
        model = ApiToken
        fields = ("name", "scopes", "expires_at")
        help_texts = {"expires_at": _("Leave empty for a token that works until it is revoked.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_split_inputs(self)

    def clean_expires_at(self) -> Any:
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise ValidationError(_("The expiry is in the past."), code="expired")
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """The list of API tokens, a new token, and revoking."""

    form = ApiTokenForm
    list_display = (
        "name",
        "public_id",
        "scope_list",
        "created_at",
        "expires_at",
        "last_use",
        "state",
    )
    search_fields = ("name", "key_id")
    actions = ("revoke_selected",)
    fields = ("name", "scopes", "expires_at")
    change_form_template = "maintenance_panel/admin/token_change_form.html"

    class Media:
        css = {"all": ("maintenance_panel/admin/panel.css",)}
        js = ("maintenance_panel/admin/panel.js",)

    # -- what the list and a token's page show ----------------------------------------

    @admin.display(description=_("key id"))
    def public_id(self, token: ApiToken) -> str:
        return token.public_id

    @admin.display(description=_("scopes"))
    def scope_list(self, token: ApiToken) -> str:
        return ", ".join(token.scopes)

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_use(self, token: ApiToken) -> str:
        if token.last_used_at is None:
            return gettext("never")
        when = formats.localize(timezone.localtime(token.last_used_at))
        if token.last_used_from:
            return gettext("%(when)s from %(address)s") % {
                "when": when,
                "address": token.last_used_from,
            }
        return when

    @admin.display(description=_("state"))
    def state(self, token: ApiToken) -> str:
        if token.revoked_at is not None:
            return gettext("revoked")
        return gettext("active") if token.is_usable else gettext("expired")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return DETAIL_FIELDS if obj is not None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return DETAIL_FIELDS if obj is not None else ()

    # -- making a token ------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return  # nothing of a token changes after it is made
        raw = core.create_api_token(
            form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.cleaned_data.get("expires_at"),
            user=request.user,
            source="admin",
        )
        made = ApiToken.objects.get(name=form.cleaned_data["name"])
        for field in ApiToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(made, field.attname))
        obj._state.adding, obj._state.db = False, made._state.db
        # Only for the page that follows: never stored.
        obj.raw_token = raw

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None) -> Any:
        raw = obj.raw_token  # set by save_model, which every add goes through
        request.current_app = self.admin_site.name
        response = TemplateResponse(
            request,
            "maintenance_panel/admin/token_created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("API token created"),
                "token": obj,
                "raw_token": raw,
                "api_url": _api_url(request),
                "list_url": reverse(
                    "admin:maintenance_panel_apitoken_changelist", current_app=self.admin_site.name
                ),
                "media": self.media,
            },
        )
        # The token is on this page only: keep it out of every cache.
        add_never_cache_headers(response)
        response["Cache-Control"] += ", no-store"
        return response

    # -- revoking ------------------------------------------------------------------------

    @admin.action(description=_("Revoke selected API tokens"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        names = [token.name for token in queryset.filter(revoked_at__isnull=True)]
        for name in names:
            core.revoke_api_token(name, user=request.user, source="admin")
            self._log_revoked(request, name)
        self.message_user(
            request,
            ngettext(
                "%(count)d API token revoked: it no longer opens the API.",
                "%(count)d API tokens revoked: they no longer open the API.",
                len(names),
            )
            % {"count": len(names)},
            messages.SUCCESS,
        )

    def get_urls(self) -> list[URLPattern]:
        revoke = self.admin_site.admin_view(self.revoke_view)
        return [
            path("<int:token_id>/revoke/", revoke, name="maintenance_panel_apitoken_revoke"),
            *super().get_urls(),
        ]

    def revoke_view(self, request: HttpRequest, token_id: int) -> HttpResponse:
        """Revoke one token (the button on its page)."""
        if request.method != "POST":
            return HttpResponseRedirect("../change/")
        token = ApiToken.objects.filter(pk=token_id).first()
        if token is None or not self.has_change_permission(request, token):
            raise PermissionDenied
        if token.revoked_at is None:
            core.revoke_api_token(token.name, user=request.user, source="admin")
            self._log_revoked(request, token.name, token)
        self.message_user(
            request,
            gettext("API token “%(name)s” is revoked: it no longer opens the API.")
            % {"name": token.name},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:maintenance_panel_apitoken_changelist", current_app=self.admin_site.name)
        )

    def _log_revoked(self, request: HttpRequest, name: str, token: Any = None) -> None:
        token = token or ApiToken.objects.get(name=name)
        # Stored untranslated, as Django's own admin stores field names.
        with translation.override(None):
            field = str(ApiToken._meta.get_field("revoked_at").verbose_name)
        self.log_change(request, token, [{"changed": {"fields": [field]}}])


def _api_url(request: HttpRequest) -> str | None:
    """The endpoint's full URL, or None when the URLconf lacks the app's URLs."""
    try:
        return request.build_absolute_uri(reverse("maintenance_panel:api"))
    except NoReverseMatch:
        return None
