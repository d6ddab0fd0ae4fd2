"""The demo's URLs, with a ``handler404`` that logs every miss in the database."""

from demo.urls import urlpatterns

__all__ = ["handler404", "urlpatterns"]

handler404 = "tests.readonly_urls.writing_not_found"
