"""The live timings are part of the settings: read from the environment once, when made."""

import pytest

from planner.settings import LiveSettings, Settings, settings_from_env


def test_live_settings_come_from_the_environment_when_settings_are_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLANNER_LIVE_HEARTBEAT_S", "0.5")
    monkeypatch.setenv("PLANNER_LIVE_QUEUE_SIZE", "32")
    monkeypatch.setenv("PLANNER_LIVE_POLL_S", "1")
    settings = Settings(database_url="postgresql://unused/none")
    assert settings.live == LiveSettings(heartbeat_s=0.5, queue_size=32, poll_interval_s=1.0)
    assert settings.live.presence_window_s == 1.5
    assert settings_from_env().live == settings.live
    monkeypatch.setenv("PLANNER_LIVE_HEARTBEAT_S", "9")
    assert settings.live.heartbeat_s == 0.5, "read once, not on every use"


def test_defaults_without_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PLANNER_LIVE_HEARTBEAT_S", "PLANNER_LIVE_QUEUE_SIZE", "PLANNER_LIVE_POLL_S"):
        monkeypatch.delenv(name, raising=False)
    live = Settings().live
    assert (live.heartbeat_s, live.queue_size, live.poll_interval_s) == (15.0, 512, 2.0)
    assert live.presence_window_s == 45.0


def test_given_live_settings_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_LIVE_HEARTBEAT_S", "0.5")
    assert Settings(live=LiveSettings(heartbeat_s=2)).live.heartbeat_s == 2
