"""Database router of the test settings: the second database holds the demo's tables
only (enough to write to it), so checks and migrations elsewhere never touch it."""

from __future__ import annotations

from typing import Any


class OtherDatabaseRouter:
    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if db == "other":
            return app_label == "demo"
        return None
