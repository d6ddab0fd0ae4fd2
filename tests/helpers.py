"""Helpers for tests that drive the admin the way a browser would."""

from __future__ import annotations

from typing import Any

from django.forms import BoundField, MultiWidget
from django.http import HttpResponse


def form_data(response: HttpResponse, form_key: str = "adminform") -> dict[str, Any]:
    """The POST data a browser would send back for the form on ``response``, unchanged."""
    form = response.context[form_key].form  # type: ignore[attr-defined]
    data: dict[str, Any] = {}
    for name in form.fields:
        bound: BoundField = form[name]
        if form.fields[name].disabled:
            continue
        value = bound.value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
            continue
        widget = bound.field.widget
        if isinstance(widget, MultiWidget):  # the admin's split date and time
            for index, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = widget.widgets[index].format_value(part)
            continue
        formatted = widget.format_value(value)
        data[bound.html_name] = "" if formatted is None else formatted
    return data
