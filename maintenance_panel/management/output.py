"""What the command prints: JSON for scripts, and errors in one line."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder


def as_json(value: Any) -> str:
    """``value`` as indented JSON (datetimes in ISO 8601)."""
    return json.dumps(value, cls=DjangoJSONEncoder, indent=2)


def validation_text(error: ValidationError) -> str:
    """A ``ValidationError`` in one line, each message after its field's name."""
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        )
    return " ".join(error.messages)
