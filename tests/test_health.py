"""Failing components are told to the log once per episode."""

from __future__ import annotations

import logging

import pytest

from maintenance_panel import health


@pytest.fixture(autouse=True)
def _fresh():
    health.forget()
    yield
    health.forget()


def messages(caplog):
    return [record.getMessage() for record in caplog.records]


def test_one_warning_per_episode_and_one_line_when_back(caplog):
    with caplog.at_level(logging.INFO, logger="maintenance_panel"):
        for _ in range(3):
            health.report_unavailable("database", OSError("refused"))
        health.report_available("database")
        health.report_available("database")
    assert messages(caplog) == [
        "maintenance_panel: database unavailable, keeping the last known state: refused",
        "maintenance_panel: database available again",
    ]


def test_components_are_told_apart(caplog):
    with caplog.at_level(logging.INFO, logger="maintenance_panel"):
        health.report_unavailable("database", OSError("a"))
        health.report_unavailable("shared cache", OSError("b"))
    assert messages(caplog) == [
        "maintenance_panel: database unavailable, keeping the last known state: a",
        "maintenance_panel: shared cache unavailable, reading the database instead: b",
    ]


def test_working_component_says_nothing(caplog):
    with caplog.at_level(logging.INFO, logger="maintenance_panel"):
        health.report_available("shared cache")
    assert messages(caplog) == []


def test_forget_starts_a_new_episode(caplog):
    with caplog.at_level(logging.INFO, logger="maintenance_panel"):
        health.report_unavailable("database", OSError("a"))
        health.forget()
        health.report_unavailable("database", OSError("b"))
    assert len(messages(caplog)) == 2
