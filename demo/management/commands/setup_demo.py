"""Prepare the demo site: migrate, a demo superuser, the "Beta testers" group."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate the database and create the demo superuser and the 'Beta testers' group."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default=os.environ.get("DEMO_USERNAME", "admin"))
        parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "admin"))

    def handle(self, *args: Any, username: str, password: str, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        Group.objects.get_or_create(name="Beta testers")
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create_superuser(username, "admin@example.com", password)
        else:
            user.is_staff = user.is_superuser = user.is_active = True
            user.set_password(password)
            user.save()
        self.stdout.write(self.style.SUCCESS("Demo site ready."))
        self.stdout.write("  Site:     http://127.0.0.1:8000/")
        self.stdout.write("  Admin:    http://127.0.0.1:8000/admin/")
        self.stdout.write(f"  Username: {username}")
        self.stdout.write(f"  Password: {password}")
