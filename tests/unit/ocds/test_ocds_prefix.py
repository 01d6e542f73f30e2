"""The ocid prefix is a setting (``PLANNER_OCDS_PREFIX``), and a work's ocid is stable."""

from __future__ import annotations

import pytest

from planner.ocds import build
from planner.settings import Settings, settings_from_env


def test_the_prefix_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().ocds_prefix == "ocds-gongsh"
    monkeypatch.setenv("PLANNER_OCDS_PREFIX", "ocds-a1b2c3")
    assert settings_from_env().ocds_prefix == "ocds-a1b2c3"
    assert build.ocid(settings_from_env().ocds_prefix, 42) == "ocds-a1b2c3-w42"
