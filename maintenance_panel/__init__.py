"""Maintenance mode for Django, driven from the Django admin."""

__version__ = "0.1.0"
