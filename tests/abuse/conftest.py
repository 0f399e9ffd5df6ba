import pytest

from campaign.abuse import limits as limits_module


@pytest.fixture(autouse=True)
def steady_limit_clock(monkeypatch):
    """Limit windows are cut on the clock (a minute window starts on the minute): a test that
    posts a few times must not see a window end between two posts, so the clock stands still
    here, 30 s into a minute (test_crowd moves it itself)."""
    monkeypatch.setattr(limits_module, "clock", lambda: 1_800_000_000 - 1_800_000_000 % 86400
                        + 43_230)
