"""Checks of the installation: the middleware, the app order, django-solo."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

MIDDLEWARE_PATH = "maintenance_panel.middleware.MaintenanceModeMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


@register(Tags.compatibility)
def check_middleware(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E001: middleware missing; E002: it runs before AuthenticationMiddleware."""
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    if MIDDLEWARE_PATH not in middleware:
        return [
            Error(
                "MaintenanceModeMiddleware is not in MIDDLEWARE, so maintenance mode "
                "never holds a request back.",
                hint=f"Add '{MIDDLEWARE_PATH}' to MIDDLEWARE, after '{AUTH_MIDDLEWARE}'.",
                id="maintenance_panel.E001",
            )
        ]
    if AUTH_MIDDLEWARE in middleware and middleware.index(AUTH_MIDDLEWARE) > middleware.index(
        MIDDLEWARE_PATH
    ):
        return [
            Error(
                "MaintenanceModeMiddleware comes before AuthenticationMiddleware, so it "
                "cannot tell who is exempt.",
                hint=f"Move '{MIDDLEWARE_PATH}' below '{AUTH_MIDDLEWARE}' in MIDDLEWARE.",
                id="maintenance_panel.E002",
            )
        ]
    return []


@register(Tags.templates)
def check_app_order(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W005: listed after the admin, so the admin's templates hide the app's banner."""
    names = [config.name for config in apps.get_app_configs()]
    if "django.contrib.admin" not in names or "maintenance_panel" not in names:
        return []
    if names.index("maintenance_panel") < names.index("django.contrib.admin"):
        return []
    return [
        Warning(
            "'maintenance_panel' comes after 'django.contrib.admin' in INSTALLED_APPS, so "
            "the admin's own templates are used and its pages show no maintenance banner.",
            hint="Move 'maintenance_panel' above 'django.contrib.admin' in INSTALLED_APPS.",
            id="maintenance_panel.W005",
        )
    ]


@register(Tags.compatibility)
def check_solo(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E003: django-solo is not in INSTALLED_APPS."""
    if "solo" not in settings.INSTALLED_APPS and "solo.apps.SoloAppConfig" not in (
        settings.INSTALLED_APPS
    ):
        return [
            Error(
                "'solo' is not in INSTALLED_APPS; the maintenance page of the admin needs "
                "its templates.",
                hint="Add 'solo' to INSTALLED_APPS (pip install django-solo).",
                id="maintenance_panel.E003",
            )
        ]
    return []
