"""make load (bench/load.py, bench/locustfile.py): how a step is judged, and a short run of every
kind of simulated user against a live server."""

import json

import pytest

from bench import load


def entry(name, histogram, failures=0, conflicts=0, method="GET"):
    return {
        "name": name,
        "method": method,
        "requests": sum(histogram.values()),
        "failures": failures,
        "conflicts": conflicts,
        "histogram": {str(k): v for k, v in histogram.items()},
    }


def test_request_kinds_are_told_by_name():
    assert load.kind_of("POST case action open") == "action"
    assert load.kind_of("POST referral action approve") == "action"
    assert load.kind_of("POST case create") == "action"
    assert load.kind_of("POST public check") == "page"
    assert load.kind_of("GET page dashboard") == "page"
    assert load.kind_of("GET referral list proposed") == "page"
    assert load.kind_of("POST login") == "login"


def test_percentiles_by_nearest_rank_over_a_histogram():
    # 100 requests: 90 at 10 ms, 5 at 200 ms, 4 at 400 ms, 1 at 900 ms.
    histogram = {"10": 90, "200": 5, "400": 4, "900": 1}
    assert load.percentile(histogram, 50) == 10
    assert load.percentile(histogram, 90) == 10
    assert load.percentile(histogram, 95) == 200
    assert load.percentile(histogram, 99) == 400
    assert load.percentile(histogram, 100) == 900
    assert load.percentile({}, 95) is None
    assert load.merged([{"10": 1, "20": 2}, {"20": 3, "30": 1}]) == {"10": 1, "20": 5, "30": 1}


def test_a_step_holds_with_no_errors_and_both_p95_within_their_limits():
    raw = {
        "entries": [
            entry("GET page dashboard", {120: 50, 250: 45, 600: 5}),  # p95 250
            entry("GET task inbox", {40: 100}),
            entry("POST case action open", {200: 95, 480: 5}, method="POST"),  # p95 200
            # Another user took these referrals first: conflicts, not errors.
            entry("POST referral action approve", {300: 10}, conflicts=4, method="POST"),
            entry("POST login", {3000: 2}, method="POST"),  # the sign-in has no limit
            entry("Aggregated", {9999: 1000}, failures=1000),  # Locust's total, never counted
        ],
        "errors": [],
    }
    step = load.judge(50, 60, raw)
    assert step["held"], step["why"]
    assert step["requests"] == 312
    assert step["rps"] == 5.2
    assert (step["errors"], step["conflicts"]) == (0, 4)
    assert step["page"] == {"requests": 200, "p50": 40, "p95": 250, "p99": 600}
    assert step["action"]["requests"] == 110
    assert step["action"]["p95"] == 300
    assert step["kinds"]["POST referral action approve"] == {
        "kind": "action",
        "requests": 10,
        "errors": 0,
        "conflicts": 4,
        "p50": 300,
        "p95": 300,
        "p99": 300,
    }


def test_an_error_or_a_slow_p95_fails_the_step_and_the_stepping_stops_there():
    fine = load.judge(25, 60, {"entries": [entry("GET task inbox", {50: 100})], "errors": []})
    erred = load.judge(
        50,
        60,
        {
            "entries": [entry("GET task inbox", {50: 99, 60: 1}, failures=1)],
            "errors": [{"name": "GET task inbox", "method": "GET", "error": "500 'Server error.'", "occurrences": 1}],
        },
    )
    slow_pages = load.judge(100, 60, {"entries": [entry("GET page dashboard", {200: 94, 301: 6})], "errors": []})
    slow_actions = load.judge(
        200, 60, {"entries": [entry("POST case create", {400: 90, 510: 10}, method="POST")], "errors": []}
    )
    assert fine["held"] and not erred["held"] and not slow_pages["held"] and not slow_actions["held"]
    assert erred["why"] == "1 errors"
    assert erred["error_samples"][0]["error"] == "500 'Server error.'"
    assert slow_pages["why"] == "page p95 301 ms > 300 ms"
    assert slow_actions["why"] == "action p95 510 ms > 500 ms"
    assert load.judge(25, 60, {"entries": [], "errors": []})["why"] == "no requests"
    assert load.held_users([fine, erred]) == 25
    assert load.held_users([erred, fine]) == 0
    later = load.judge(400, 60, {"entries": [entry("GET task inbox", {50: 100})], "errors": []})
    assert load.held_users([fine, slow_pages, later]) == 25  # held again after a failure: not counted
    assert load.held_users([fine, load.judge(50, 60, {"entries": [entry("GET x", {10: 1})], "errors": []})]) == 50


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_every_kind_of_simulated_user_works_against_a_live_server_without_errors(tmp_path, settings, monkeypatch):
    from django.conf import global_settings
    from django.core.management import call_command

    from tests.factories import demo_user
    from tests.notifications.test_live_redis import daphne
    from tests.workflows.helpers import DOCS, referable_case
    from workflows import actions as referrals

    call_command("seed_demo", verbosity=0)
    # The server checks passwords with the real hashers: the supervisor's is set with them.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    # Work waiting in Guangzhou for the heads and the police: two referrals in each state.
    officer, head, police = (demo_user(f"guangzhou.{u}") for u in ("officer1", "head", "police"))
    for i in range(8):
        case, person = referable_case(name=f"负载{i}")
        referral = referrals.propose_referral(case, actor=officer, persons=[person.pk], report="移送")
        if i >= 2:
            referrals.approve(referral, actor=head)
        if i >= 4:
            referrals.transmit(referral, actor=officer, documents=DOCS)
        if i >= 6:
            referrals.acknowledge(referral, actor=police)
    config_path = tmp_path / "config.json"
    config, _issued = load.prepare(config_path, slugs=["guangzhou"])
    assert [c["slug"] for c in config["cities"]] == ["guangzhou"]
    assert set(config["cities"][0]["tokens"]) == set(load.ACCOUNTS)

    monkeypatch.setenv("LOAD_THINK", "0.1,0.5")
    server_env = {"EMAIL_URL": "dummy://", "PUBLIC_CHECKS_PER_HOUR": "1000000", "OTP_REQUIRED_ROLES": ""}
    with daphne(1, **server_env) as (port,):
        raw, cpu = load.run_step(f"http://127.0.0.1:{port}", 10, 15, config_path, tmp_path)
    step = load.judge(10, 15, raw)
    done = {name: k["requests"] - k["errors"] for name, k in step["kinds"].items()}
    assert step["errors"] == 0, json.dumps(step["error_samples"], ensure_ascii=False)
    # Each kind of user did its work: officers to the proposal, the head, the police, the
    # supervisor's pages and API, the public's check.
    for name in (
        "POST case create",
        "POST case action open",
        "POST case action add_person",
        "POST case action record_finding",
        "POST case action propose_referral",
        "POST referral action approve",
        "POST referral action transmit",
        "POST referral action acknowledge",
        "POST referral action accept",
        "GET page dashboard",
        "GET risk list",
        "POST public check",
    ):
        assert done.get(name, 0) >= 1, (name, done)
    assert step["page"]["p95"] is not None and step["action"]["p95"] is not None
    assert set(cpu) >= {"postgres", "web", "locust", "machine", "other"}
