"""Models of the demo site: things a visitor writes, so read-only maintenance shows."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import F


class GuestbookEntry(models.Model):
    """A line a visitor leaves in the guestbook (written by a POST)."""

    name = models.CharField("name", max_length=80)
    message = models.CharField("message", max_length=500)
    created_at = models.DateTimeField("written at", auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "guestbook entries"

    def __str__(self) -> str:
        return f"{self.name}: {self.message[:40]}"


class PageCounter(models.Model):
    """How often a page was viewed (written by a GET: what the write guard stops)."""

    path = models.CharField("path", max_length=200, unique=True)
    hits = models.PositiveIntegerField("views", default=0)

    def __str__(self) -> str:
        return f"{self.path}: {self.hits}"

    @classmethod
    def count(cls, path: str) -> int:
        """Count one view of ``path`` and return the new total."""
        with transaction.atomic():
            counter, _ = cls.objects.get_or_create(path=path)
            cls.objects.filter(pk=counter.pk).update(hits=F("hits") + 1)
            counter.refresh_from_db(fields=["hits"])
        return counter.hits
