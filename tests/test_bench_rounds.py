"""bench/run.py --repeat: the medians and spreads its tables print, and the targets judged on
them (bench/rounds.py). A noisy round must neither pass nor fail a target on its own."""
from bench.rounds import Round, Target, check_verdict, percent_spread, summarize


def test_the_median_ratio_is_of_each_rounds_own_ratio_and_the_spread_its_extremes():
    rounds = [Round(rps=300, p50_ms=50, p99_ms=140, errors=0, base_rps=1000, load=1.5),
              Round(rps=900, p50_ms=20, p99_ms=400, errors=0, base_rps=2000, load=3.0),
              Round(rps=200, p50_ms=60, p99_ms=120, errors=0, base_rps=1000, load=2.0)]
    s = summarize(rounds)
    assert (s.rounds, s.rps, s.p50_ms, s.p99_ms, s.base_rps) == (3, 300, 50, 140, 1000)
    # Ratios 30%, 45%, 20%: the median is 30%, not median rps / median base (300 / 1000
    # happens to agree here) nor the mean (31.7%).
    assert s.ratio == 0.3
    assert (s.ratio_min, s.ratio_max) == (0.2, 0.45)
    assert percent_spread(s.ratio_min, s.ratio_max) == "20%–45%"
    assert (s.load_min, s.load_max) == (1.5, 3.0)


def test_median_ratio_differs_from_ratio_of_medians_when_the_host_drifts():
    # The host doubles its speed between rounds: each round's own ratio stays 40%.
    rounds = [Round(400, 1, 1, 0, base_rps=1000), Round(800, 1, 1, 0, base_rps=2000),
              Round(600, 1, 1, 0, base_rps=1500), Round(1000, 1, 1, 0, base_rps=1100)]
    s = summarize(rounds)
    assert s.ratio == 0.4  # even count: the mean of the two middle ratios (40%, 40%)
    assert s.rps / s.base_rps != s.ratio  # 700 / 1250 = 56%


def test_targets_are_judged_on_the_medians_and_on_every_rounds_errors():
    sign = Target(">= 600/s, >= 25% of healthz, p99 < 150 ms, 0 errors",
                  min_ratio=0.25, min_rps=600, max_p99_ms=150)
    one_bad_round = [Round(700, 10, 100, 0, 2000), Round(100, 90, 900, 0, 2000),
                     Round(650, 12, 110, 0, 2000)]
    assert sign.met(summarize(one_bad_round))  # medians: 650/s, 32.5%, p99 110 ms
    one_good_round = [Round(700, 10, 100, 0, 2000), Round(500, 90, 900, 0, 2000),
                      Round(550, 12, 160, 0, 2000)]
    assert not sign.met(summarize(one_good_round))  # median 550/s, p99 160 ms
    p99_at_limit = [Round(700, 10, 150, 0, 2000)]
    assert not sign.met(summarize(p99_at_limit))  # "p99 < 150 ms" is strict
    an_error = [Round(700, 10, 100, 0, 2000), Round(700, 10, 100, 1, 2000),
                Round(700, 10, 100, 0, 2000)]
    assert not sign.met(summarize(an_error))
    assert Target("no error rule", min_ratio=0.25, no_errors=False).met(summarize(an_error))


def test_a_row_judged_against_another_base_uses_the_ratio_given():
    healthz = summarize([Round(1000, 1, 1, 0, base_rps=1000)])  # its own ratio is 100%
    share_of_hello = Target(">= 60% of bare Flask hello", min_ratio=0.6, no_errors=False)
    assert share_of_hello.met(healthz)
    assert not share_of_hello.met(healthz, ratio=0.55)
    assert share_of_hello.met(healthz, ratio=0.6)


def test_a_check_holds_only_if_it_held_in_every_round_and_names_the_failed_ones():
    ok, cell, detail = check_verdict([(1, True, "10 pending, 10 queued"),
                                      (2, False, "9 pending, 10 queued"),
                                      (3, True, "8 pending, 8 queued")])
    assert not ok
    assert cell == "**no** in round 2 of 3"
    assert detail == ("round 1: 10 pending, 10 queued; round 2 (**failed**): 9 pending, "
                      "10 queued; round 3: 8 pending, 8 queued")
    ok, cell, _ = check_verdict([(1, True, "a"), (2, True, "b")])
    assert ok and cell == "yes, 2 of 2 rounds"
    assert check_verdict([(None, True, "once")]) == (True, "yes", "once")
    assert check_verdict([(1, False, "a"), (2, False, "b")])[1] == "**no** in rounds 1, 2 of 2"


def test_cpu_split_charges_a_busy_child_to_wrk_and_keeps_the_sums():
    """The split bench/run.py prints: a child's CPU lands in the `wrk` group, every group
    is per request, and the total covers the named groups."""
    import subprocess
    import sys

    import pytest

    from bench import cpu_split

    before = cpu_split.snapshot(port=1)  # no gunicorn listens there: app stays 0
    if before is None:
        pytest.skip("no /proc here")
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"],
                   check=True)
    after = cpu_split.snapshot(port=1)
    split = cpu_split.per_request_ms(before, after, requests=10)
    assert split is not None
    assert split["app"] == 0
    assert split["wrk"] > 1  # the child's ~0.2 s over 10 "requests"
    assert split["total"] >= split["app"] + split["database"] + split["wrk"] - 1e-9
    assert cpu_split.per_request_ms(before, after, requests=0) is None
