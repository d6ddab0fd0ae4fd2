"""Telling the team about maintenance: events, their delivery, window boundaries."""
