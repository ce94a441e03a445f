"""Fuzzing at small scale (benchmarks.bench_robustness runs it large): hostile action strings,
model replies, damaged traces and a misbehaving model server raise only handeye's documented
errors, within their time limits; plus the inputs fuzzing found, as regressions."""

from __future__ import annotations

import time

import numpy as np
import pytest

from benchmarks.bench_robustness import (
    fuzz_actions,
    fuzz_env,
    fuzz_http,
    fuzz_replies,
    fuzz_traces,
    misbehaving_server,
)
from benchmarks.fault_injection import run_faults
from contracts.actions import Type, parse_action
from contracts.errors import ActionError, GroundingError
from perception.grounding.formats import parse_grounding
from perception.grounding.resize import CoordinateFrame
from perception.vlm.http_backend import HTTPGrounder


def _clean(tally) -> None:
    assert tally.tried > 0
    assert (tally.crashes, tally.hangs) == (0, 0), tally.crash_examples


def test_fuzzed_action_strings_and_model_replies_raise_only_documented_errors():
    _clean(fuzz_actions(100))
    _clean(fuzz_replies(60))


def test_damaged_trace_folders_and_a_misbehaving_server_raise_only_documented_errors():
    _clean(fuzz_traces(8))
    tally = fuzz_http(1, timeout_s=0.2)
    _clean(tally)
    assert tally.documented_errors >= 10  # most faults are reported, not silently parsed


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["web", "terminal"])
def test_fuzzed_actions_into_env_steps_never_crash(kind, browser_pool):
    _clean(fuzz_env(kind, 15))


def test_inputs_fuzzing_found_are_clear_errors_and_fast():
    with pytest.raises(ActionError, match="cannot parse|not a literal"):
        parse_action("type(" + "-" * 3000 + "1)")
    with pytest.raises(ActionError, match="surrogates"):
        Type("a\ud800b")
    frame = CoordinateFrame("norm1000", (160, 210), (160, 210))
    t0 = time.perf_counter()
    for reply in ("<tool_call>[" + "9" * 20000, '{"x": ' + "9" * 20000, "(" * 20000):
        with pytest.raises(GroundingError):
            parse_grounding(reply, frame)
    assert time.perf_counter() - t0 < 5.0  # was minutes: quadratic and cubic regexes
    with misbehaving_server(0) as root:
        grounder = HTTPGrounder(base_url=f"{root}/nested/v1", model="m", retries=0, timeout_s=5)
        with pytest.raises(GroundingError, match="non-JSON"):
            grounder.ground(np.zeros((8, 8, 3), np.uint8), "x")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["web", "terminal"])
def test_processes_killed_mid_episode_lose_no_trace_and_the_session_goes_on(kind, browser_pool):
    report = run_faults(kind, 2, seed=0, p_fault=1.0)  # web: a renderer, then Chromium
    assert report.crash is None and report.sessions_crashed == 0
    assert sum(report.faults_injected.values()) == 2 and report.episodes == 2
    assert report.episodes_recorded == 2 and report.traces_lost == report.traces_corrupt == 0
    assert report.interrupted_recorded_with_error == 2  # the error is in the kept steps
