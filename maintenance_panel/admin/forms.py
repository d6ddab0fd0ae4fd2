"""Forms of the admin's maintenance page: the config, the switch, the preview, bypass links.

The config form carries the ``version`` it was loaded with and a signed copy of the
values the operator started from, so that a save made meanwhile by someone else is
refused with a list of what changed, and the operator's input is shown again.
"""

from __future__ import annotations

import copy
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.admin import widgets
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from maintenance_panel import conf, wording
from maintenance_panel.admin.history import display_value, field_label
from maintenance_panel.admin.schedule import RuleInput, preview_context
from maintenance_panel.models import TRACKED_FIELDS, TRACKED_M2M, BypassLink, MaintenanceConfig
from maintenance_panel.models.history import actor_display, jsonable

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
else:
    StrOrPromise = str

LOADED_SALT = "maintenance_panel.admin.loaded"
#: The one-entry-per-line fields, whose validators name each bad line.
LINE_FIELDS = ("ignore_ip_addresses", "ignore_urls", "scope_urls", "ignore_tasks")


def current_values(config: MaintenanceConfig) -> dict[str, Any]:
    """The config's tracked values in the form the history stores them (JSON-able)."""
    values: dict[str, Any] = {name: jsonable(getattr(config, name)) for name in TRACKED_FIELDS}
    if config.pk is not None:
        for name in TRACKED_M2M:
            values[name] = sorted(str(obj) for obj in getattr(config, name).all())
    return values


@dataclass(frozen=True)
class ConflictLine:
    """One field someone else changed while the operator was editing."""

    label: str
    before: str
    after: str
    also_yours: bool


class MaintenanceConfigForm(forms.ModelForm):
    """The config form of the admin page (the button on top is the quick switch)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    loaded = forms.CharField(widget=forms.HiddenInput, required=False)
    #: Hidden fields that track the edit itself; they never count as a change.
    bookkeeping = ("version", "loaded")

    class Meta:
        model = MaintenanceConfig
        fields = (*TRACKED_FIELDS, *TRACKED_M2M)
        widgets = {"recurrence": RuleInput}

    @cached_property
    def changed_data(self) -> list[str]:
        # ``loaded`` is signed with a timestamp, so it differs from a fresh initial
        # value once a second has passed since the page was loaded.
        return [name for name in super().changed_data if name not in self.bookkeeping]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_split_inputs(self)
        self.conflict: list[ConflictLine] | None = None
        for name in LINE_FIELDS:
            if name in self.fields:
                # The model's validator names the line with a null character; the form
                # field's own check would only name the field.
                self.fields[name].validators = [
                    validator
                    for validator in self.fields[name].validators
                    if not isinstance(validator, ProhibitNullCharactersValidator)
                ]
        self.fixed = {
            name: reason for name, reason in wording.fixed_reasons().items() if name in self.fields
        }
        for name, reason in self.fixed.items():
            field = self.fields[name]
            field.disabled = True
            field.help_text = reason
            # Show the value that applies; clean() keeps the stored one unchanged.
            flag = name.removeprefix("ignore_").upper()
            if name == "enabled":
                self.initial[name] = conf.forced_state()
            elif name == "read_only":
                self.initial[name] = conf.forced_read_only()
            elif flag in conf.IGNORE_FLAGS:
                self.initial[name] = conf.forced_flag(flag)
        settings_tasks = wording.settings_tasks_reason()
        if settings_tasks and "ignore_tasks" in self.fields:
            # The setting's entries always apply: shown (read-only) beside the admin's.
            self.fields["ignore_tasks"].help_text = format_lazy(
                "{} {}", self.fields["ignore_tasks"].help_text, settings_tasks
            )
        rule_field = self.fields.get("recurrence")
        if rule_field is not None and isinstance(rule_field.widget, RuleInput):
            rule_field.widget.preview = preview_context(
                self["recurrence"].value() or "", self["recurrence_duration"].value()
            )
        if self.instance.pk is not None:
            self.initial.setdefault("version", self.instance.version)
            self.initial.setdefault(
                "loaded", signing.dumps(current_values(self.instance), salt=LOADED_SALT)
            )

    def full_clean(self) -> None:
        super().full_clean()
        widget = getattr(self.fields.get("recurrence"), "widget", None)
        # The field's own error is shown above it: the preview does not repeat it.
        if isinstance(widget, RuleInput) and widget.preview.get("error_field") in self.errors:
            widget.preview = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.fixed:
            # Settings decide these; never write the displayed value into the database.
            cleaned.pop(name, None)
        ends_at = cleaned.get("ends_at")
        switched_on = cleaned.get("enabled", self.instance.enabled)
        if (
            switched_on
            and {"enabled", "ends_at"} & set(self.changed_data)
            and ends_at is not None
            and ends_at <= timezone.now()
        ):
            self.add_error(
                "ends_at",
                ValidationError(
                    _(
                        "The end is in the past, so maintenance would stop at once. Pick a "
                        "later time or leave it empty; to end maintenance now, use “Turn "
                        "maintenance off”."
                    ),
                    code="end_in_past",
                ),
            )
        version = cleaned.get("version")
        if self.instance.pk is not None and version is None:
            # Without it, a save made meanwhile by someone else would go unnoticed.
            self.add_error(
                None,
                ValidationError(
                    _(
                        "This form was sent without the version of maintenance mode it "
                        "was opened with. Reload the page and make your changes again."
                    ),
                    code="no_version",
                ),
            )
        elif self.instance.pk is not None and version != self.instance.version:
            self._refuse_conflict(cleaned)
        return cleaned

    def _typed(self, name: str, cleaned: dict[str, Any], loaded: dict[str, Any]) -> bool:
        """Whether the operator changed field ``name`` from the value they started with."""
        if name not in cleaned or name not in self.fields:
            return False
        value = cleaned[name]
        if name in TRACKED_M2M:
            return sorted(str(obj) for obj in value) != loaded[name]
        return jsonable(value) != loaded[name]

    def _refuse_conflict(self, cleaned: dict[str, Any]) -> None:
        """Someone saved meanwhile: list what changed, and let the next save go through."""
        try:
            loaded = signing.loads(self.data.get("loaded", ""), salt=LOADED_SALT)
        except signing.BadSignature:
            loaded = {}
        current = current_values(self.instance)
        self.conflict = []
        for name, after in current.items():
            if name not in loaded or loaded[name] == after:
                continue
            self.conflict.append(
                ConflictLine(
                    label=field_label(name),
                    before=display_value(name, loaded[name]),
                    after=display_value(name, after),
                    also_yours=self._typed(name, cleaned, loaded),
                )
            )
        # The form is shown again with the operator's input; from now on it counts as
        # based on the current state, so saving it again deliberately overwrites.
        # A QueryDict's copy is mutable (and keeps lists); so is a plain dict's.
        data = cast(MutableMapping[str, Any], copy.copy(cast(Any, self.data)))
        data["version"] = str(self.instance.version)
        data["loaded"] = signing.dumps(current, salt=LOADED_SALT)
        self.data = data
        who = actor_display(self.instance.changed_via) or gettext("someone else")
        self.add_error(
            None,
            ValidationError(
                _(
                    "%(who)s saved maintenance mode while you were editing it. Your input "
                    "is kept below; check what changed meanwhile, then save again to apply "
                    "your version."
                ),
                code="conflict",
                params={"who": who},
            ),
        )


def name_split_inputs(form: forms.BaseForm) -> None:
    """Give the date and the time box of each split date-time field a name of its own
    ("End: date", "End: time"): the field's label points at neither of them, so screen
    readers would announce two unnamed text boxes."""
    for field in form.fields.values():
        widget = field.widget
        if not isinstance(widget, forms.SplitDateTimeWidget):
            continue
        label = field.label or ""
        date_input, time_input = widget.widgets
        date_input.attrs["aria-label"] = gettext("%(field)s: date") % {"field": label}
        time_input.attrs["aria-label"] = gettext("%(field)s: time") % {"field": label}


def _datetime_field(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.SplitDateTimeField:
    return forms.SplitDateTimeField(
        label=label, required=False, widget=widgets.AdminSplitDateTime, help_text=help_text
    )


class SwitchOnForm(forms.Form):
    """The confirmation step before maintenance is turned on: the window to apply (the
    level comes with the button that led here)."""

    starts_at = _datetime_field(_("Start"), _("Leave empty to start at once."))
    ends_at = _datetime_field(_("End"), _("Optional. The site comes back by itself at this time."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_split_inputs(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_at: datetime | None = cleaned.get("starts_at")
        ends_at: datetime | None = cleaned.get("ends_at")
        if ends_at is not None and ends_at <= timezone.now():
            self.add_error(
                "ends_at",
                ValidationError(
                    _("The end is in the past. Pick a later time or leave it empty."),
                    code="end_in_past",
                ),
            )
        elif starts_at is not None and ends_at is not None and ends_at <= starts_at:
            self.add_error(
                "ends_at",
                ValidationError(_("The end must be after the start."), code="end_before_start"),
            )
        return cleaned


class PreviewForm(forms.Form):
    """The unsaved text (and window) to show on the preview of the maintenance page."""

    title = forms.CharField(required=False, max_length=200)
    message = forms.CharField(required=False)
    read_only = forms.BooleanField(required=False)
    starts_at = forms.SplitDateTimeField(required=False)
    ends_at = forms.SplitDateTimeField(required=False)


class BypassLinkForm(forms.Form):
    """A new bypass link: who it is for and until when it works."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who or what the link is for, e.g. “QA team”."),
    )
    expires_at = _datetime_field(
        _("Expires at"), _("Leave empty for a link that works until it is revoked.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_split_inputs(self)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if BypassLink.objects.filter(name=name).exists():
            raise ValidationError(
                _("There is already a bypass link named “%(name)s”; pick another name."),
                code="duplicate",
                params={"name": name},
            )
        return name

    def clean_expires_at(self) -> datetime | None:
        expires_at: datetime | None = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise ValidationError(_("The expiry is in the past."), code="expired")
        return expires_at


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Attach an error from the write path to the form's fields where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
