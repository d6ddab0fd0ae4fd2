"""The automation API's OpenAPI 3.1 document, written by hand (the tests check every
answer against it)."""

from __future__ import annotations

from typing import Any

from maintenance_panel import __version__
from maintenance_panel.api.changes import MAX_WAIT

#: The endpoint's path below the app's URLs.
API_PATH = "/api/"

_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_ENTRIES = {
    "type": "object",
    "required": ["settings", "admin"],
    "properties": {"settings": _STRINGS, "admin": _STRINGS},
}
_PROCESS = {
    "type": "object",
    "required": ["host", "pid", "version", "active", "forced", "seen_at"],
    "properties": {
        "host": {"type": "string"},
        "pid": {"type": "integer"},
        "version": {"type": "string"},
        "active": {"type": "boolean"},
        "forced": {"type": "boolean"},
        "seen_at": {"type": "string", "format": "date-time"},
        "verdict": {"enum": ["confirmed", "expired", "forced", "pending"]},
        "why": {"type": "string"},
    },
}

STATE = {
    "type": "object",
    "description": "The state, as `manage.py maintenance_mode status --json` prints it.",
    "required": [
        "enabled",
        "active",
        "forced_by_settings",
        "window",
        "next_window",
        "recurrence",
        "upcoming",
        "retry_after",
        "read_only",
        "scope",
        "reason",
        "explanation",
        "title",
        "message",
        "exemptions",
        "changed_at",
        "changed_via",
        "work",
        "processes",
        "processes_shared",
        "processes_error",
    ],
    "properties": {
        "enabled": {"type": "boolean"},
        "active": {"type": "boolean"},
        "forced_by_settings": {"type": "boolean"},
        "window": {
            "type": "object",
            "required": ["starts_at", "ends_at", "phase"],
            "properties": {
                "starts_at": _NULLABLE_TIME,
                "ends_at": _NULLABLE_TIME,
                "phase": {"enum": ["none", "scheduled", "open", "ended"]},
            },
        },
        "next_window": {
            "type": ["object", "null"],
            "description": "The next window (one-off, or an occurrence of a repeated one).",
            "required": ["starts_at", "ends_at"],
            "properties": {"starts_at": _NULLABLE_TIME, "ends_at": _NULLABLE_TIME},
        },
        "recurrence": {
            "type": ["object", "null"],
            "description": "The repeated window's rule (RFC 5545 RRULE), in words.",
            "required": ["rule", "reading", "duration_seconds", "time_zone"],
            "properties": {
                "rule": {"type": "string"},
                "reading": {"type": "string"},
                "duration_seconds": {"type": ["integer", "null"]},
                "time_zone": {"type": "string"},
            },
        },
        "upcoming": {
            "type": ["object", "null"],
            "description": "The window the site's banner announces now, and its text.",
            "required": ["starts_at", "ends_at", "text"],
            "properties": {
                "starts_at": _NULLABLE_TIME,
                "ends_at": _NULLABLE_TIME,
                "text": {"type": "string"},
            },
        },
        "retry_after": {"type": ["integer", "null"]},
        "read_only": {"type": "boolean"},
        "scope": _STRINGS,
        "reason": {"enum": ["settings", "switch", "window"]},
        "explanation": {"type": "string"},
        "title": {"type": "string"},
        "message": {"type": "string"},
        "exemptions": {"type": "object"},
        "changed_at": _NULLABLE_TIME,
        "changed_via": {"type": "string"},
        "work": {
            "type": "object",
            "required": ["held", "reason", "explanation", "retry_after", "exempt"],
            "properties": {
                "held": {"type": "boolean"},
                "reason": {"type": "string"},
                "explanation": {"type": "string"},
                "retry_after": {"type": ["integer", "null"]},
                "exempt": _ENTRIES,
                "held_last_hour": {
                    "type": "object",
                    "additionalProperties": {"type": "integer"},
                },
                "held_last_hour_error": {"type": ["string", "null"]},
            },
        },
        "processes": {"type": "array", "items": _PROCESS},
        "processes_shared": {"type": "boolean"},
        "processes_error": {"type": ["string", "null"]},
        "wait": {
            "type": "array",
            "items": _PROCESS,
            "description": "With `wait`: where each process stands.",
        },
    },
}

CHANGE = {
    "type": "object",
    "description": "Each key is optional: an absent key keeps what is stored.",
    "additionalProperties": False,
    "properties": {
        "enabled": {"type": "boolean", "description": "The switch."},
        "read_only": {"type": "boolean", "description": "Read-only (true) or full maintenance."},
        "scope": {
            **_STRINGS,
            "description": "Regular expressions (RE2) of the paths under maintenance; "
            "[] for the whole site.",
        },
        "title": {"type": "string", "maxLength": 200},
        "message": {"type": "string"},
        "starts_at": {**_NULLABLE_TIME, "description": "ISO 8601; null for no start."},
        "ends_at": {**_NULLABLE_TIME, "description": "ISO 8601; null for no end."},
        "wait": {
            "type": "number",
            "minimum": 0,
            "maximum": MAX_WAIT,
            "description": "Seconds to wait for every process to apply the change, "
            "as `maintenance_mode on --wait --timeout`.",
        },
    },
}

PROBLEM = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": _STRINGS,
            "description": "The errors per key of the body (`body`: the body as a whole).",
        },
        "processes": {"type": "array", "items": _PROCESS},
    },
}


def _answer(description: str, body: str = "Problem", **headers: str) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
    }
    if headers:
        answer["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return answer


_REFUSED = {
    "401": _answer(
        "No token, or an unknown, malformed, expired or revoked one.",
        **{"WWW-Authenticate": 'Bearer, with error="invalid_token" for a refused token.'},
    ),
    "403": _answer("The token lacks the scope."),
    "405": _answer("Another method than GET, HEAD or POST.", Allow="The methods allowed."),
    "429": _answer(
        "Too many refused tokens from this address.",
        **{"Retry-After": "Seconds until it may try again."},
    ),
}


def document(server: str = "/") -> dict[str, Any]:
    """The OpenAPI 3.1 document, for the app's URLs mounted at ``server``."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Maintenance mode automation API",
            "version": __version__,
            "description": "Read and switch maintenance mode with an API token "
            "(`Authorization: Bearer mcp_...`).",
        },
        "servers": [{"url": server}],
        "security": [{"token": []}],
        "paths": {
            API_PATH: {
                "get": {
                    "operationId": "readState",
                    "summary": "The state (scope read).",
                    "responses": {"200": _answer("The state.", "State"), **_REFUSED},
                },
                "post": {
                    "operationId": "changeState",
                    "summary": "Change the state (scope switch).",
                    "requestBody": {
                        "required": False,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Change"}}
                        },
                    },
                    "responses": {
                        "200": _answer("The new state.", "State"),
                        "400": _answer("The body has errors; nothing changed."),
                        **_REFUSED,
                        "409": _answer("Settings fix the state or the level; nothing changed."),
                        "504": _answer("Saved, but `wait` ran out: the processes that differ."),
                    },
                },
            },
        },
        "components": {
            "schemas": {"State": STATE, "Change": CHANGE, "Problem": PROBLEM},
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
