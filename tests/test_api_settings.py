"""Settings come from the environment."""

from __future__ import annotations

import pytest

from api.settings import Settings


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREPATTERN_DATABASE_URL", "postgresql+psycopg://u@db/carepattern")
    monkeypatch.setenv("CAREPATTERN_WORKERS", "3")
    monkeypatch.setenv("CAREPATTERN_MAX_TIME_LIMIT_S", "120")
    monkeypatch.setenv("CAREPATTERN_PUBLIC_BASE_URL", "https://care.example.org/")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@db/carepattern"
    assert settings.workers == 3
    assert settings.max_time_limit_s == 120
    assert settings.feed_url("tok") == "https://care.example.org/feeds/tok.ics"


def test_threads_per_solve_share_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert Settings(workers=2).threads_per_solve() == 4
    assert Settings(workers=16).threads_per_solve() == 1
    assert Settings(workers=2, solver_threads=3).threads_per_solve() == 3


def test_bad_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREPATTERN_WORKERS", "0")
    with pytest.raises(ValueError, match="workers"):
        Settings()
