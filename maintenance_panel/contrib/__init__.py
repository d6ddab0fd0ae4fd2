"""Integrations with other libraries, each imported only by a project that uses it."""
