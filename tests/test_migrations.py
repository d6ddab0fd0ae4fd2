"""The migrations match the models."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db(databases=["default", "other"])  # makemigrations reads both
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "maintenance_panel", check=True, dry_run=True, stdout=out)
    assert "No changes detected" in out.getvalue()
