"""Every fault ends in the extractive answer, within the timeout plus one second."""

from __future__ import annotations

import socket
import time

import pytest

from assistant.llm_composer import CircuitBreaker
from tests.llm.conftest import NONE, QUESTION, lang, passages
from tests.llm_server import Reply, answer_json

TIMEOUT_S = 2.0
GOOD = answer_json("Ask Acas on 0300 123 1100 [S1].", "")
LONG_GOOD = answer_json("Ask Acas on 0300 123 1100 for advice about deductions [S1].", "")


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def compose(composer, stream=False):
    args = (QUESTION, passages(), lang("en"), NONE)
    if not stream:
        return composer.compose(*args)
    *tokens, final = list(composer.compose_stream(*args))
    assert all(isinstance(t, str) for t in tokens)
    return final


@pytest.fixture
def outcomes():
    return []


@pytest.fixture
def composer(make_composer, outcomes):
    c = make_composer(timeout_s=TIMEOUT_S)
    c.observer = lambda language, outcome: outcomes.append(outcome)
    return c


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("replies", "outcome", "requests"),
    [
        ([Reply(GOOD, delay_s=10)], "failed:timeout", 1),
        ([Reply(status=500), Reply(status=500)], "failed:http_500", 2),
        ([Reply(status=429), Reply(status=429)], "failed:http_429", 2),
        ([Reply(status=401)], "failed:http_401", 1),  # a wrong key: no retry
        ([Reply(body=b'{"choices": [{"message": '), Reply(body=b"<html>")], "failed:", 2),
        ([Reply(GOOD, finish_reason="length")], "rejected:too_long", 1),
    ],
)
def test_faults_fall_back_within_the_time_bound(
    composer, llm_server, extractive, outcomes, replies, outcome, requests, stream
):
    llm_server.push(*replies)
    answer, elapsed = timed(lambda: compose(composer, stream))
    assert answer == extractive.compose(QUESTION, passages(), lang("en"), NONE)
    assert elapsed < TIMEOUT_S + 1
    assert len(outcomes) == 1 and outcomes[0].startswith(outcome)
    assert len(llm_server.requests) == requests


def test_a_truncated_stream_falls_back(composer, llm_server, extractive, outcomes):
    llm_server.push(Reply(LONG_GOOD, chunk_chars=8, cut_after=4))
    answer, elapsed = timed(lambda: compose(composer, stream=True))
    assert answer == extractive.compose(QUESTION, passages(), lang("en"), NONE)
    assert outcomes[0].startswith("failed:") and elapsed < TIMEOUT_S + 1
    # it had sent text already, so it was not retried (the client would see it twice)
    assert len(llm_server.requests) == 1


def test_a_stream_that_stalls_falls_back_at_the_deadline(
    composer, llm_server, extractive, outcomes
):
    llm_server.push(Reply(LONG_GOOD, chunk_chars=8, stall_after=3))
    answer, elapsed = timed(lambda: compose(composer, stream=True))
    assert answer == extractive.compose(QUESTION, passages(), lang("en"), NONE)
    assert outcomes == ["failed:timeout"]
    assert TIMEOUT_S - 0.2 < elapsed < TIMEOUT_S + 1


def test_a_slow_trickle_cannot_outlast_the_deadline(composer, llm_server, outcomes):
    # each piece arrives well inside the read timeout, but the whole takes too long
    llm_server.push(Reply(LONG_GOOD, chunk_chars=4, chunk_delay_s=0.3))
    _, elapsed = timed(lambda: compose(composer, stream=True))
    assert outcomes == ["failed:timeout"] and elapsed < TIMEOUT_S + 1


def test_one_retry_after_a_server_error_can_succeed(composer, llm_server, outcomes):
    llm_server.push(Reply(status=503), Reply(GOOD))
    answer = compose(composer)
    assert answer.reply == "Ask Acas on 0300 123 1100." and outcomes == ["accepted"]
    assert len(llm_server.requests) == 2


def test_no_retry_when_the_deadline_leaves_no_time(make_composer, llm_server, outcomes):
    composer = make_composer(timeout_s=1.0)
    composer.retry_backoff_s = 0.9  # the pause alone would overrun the deadline
    llm_server.push(Reply(status=500, delay_s=0.3), Reply(GOOD))
    _, elapsed = timed(lambda: compose(composer))
    assert len(llm_server.requests) == 1 and elapsed < 1.0 + 1


def test_connection_refused_falls_back_at_once(make_composer, extractive, outcomes):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    composer = make_composer(base_url=f"http://127.0.0.1:{port}/v1")
    composer.observer = lambda language, outcome: outcomes.append(outcome)
    answer, elapsed = timed(lambda: compose(composer))
    assert answer == extractive.compose(QUESTION, passages(), lang("en"), NONE)
    assert outcomes == ["failed:connection"] and elapsed < 1.5  # no waiting for a timeout


def test_the_breaker_opens_after_repeated_failures_and_tries_again_later(
    make_composer, llm_server, outcomes
):
    now = [1000.0]
    composer = make_composer(retries=0, breaker_failures=3)
    composer.breaker = CircuitBreaker(3, 30.0, clock=lambda: now[0])
    composer.status.breaker = composer.breaker
    composer.observer = lambda language, outcome: outcomes.append(outcome)
    llm_server.push(*[Reply(status=500)] * 3)
    for _ in range(3):
        compose(composer)
    assert composer.model_status()["state"] == "open"
    _, elapsed = timed(lambda: compose(composer))  # open: the model is not called
    assert len(llm_server.requests) == 3 and outcomes[-1] == "skipped:breaker_open"
    assert elapsed < 0.5
    now[0] += 31  # half-open: one trial call
    assert composer.model_status()["state"] == "half_open"
    llm_server.push(Reply(status=500))
    compose(composer)
    assert len(llm_server.requests) == 4 and composer.model_status()["state"] == "open"
    now[0] += 31
    llm_server.push(Reply(GOOD))
    assert compose(composer).reply == "Ask Acas on 0300 123 1100."
    status = composer.model_status()
    assert status["state"] == "ok" and status["consecutive_failures"] == 0
    assert status["outcomes"]["failed:http_500"] == 4


def test_a_rejected_answer_does_not_count_against_the_model(make_composer, llm_server):
    composer = make_composer(breaker_failures=2)
    llm_server.push(*[Reply(answer_json("Nothing cited.", "", sources=[]))] * 3)
    for _ in range(3):
        compose(composer)
    assert composer.model_status()["state"] == "ok"
    assert len(llm_server.requests) == 3


def test_the_breaker_half_open_trial_is_released_when_abandoned():
    now = [0.0]
    breaker = CircuitBreaker(1, 10.0, clock=lambda: now[0])
    breaker.record_failure()
    now[0] = 11
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.release_trial()
    assert breaker.allow()


def test_default_timeouts_are_five_and_thirty_seconds():
    from assistant.settings import LLMSettings

    s = LLMSettings()
    assert (s.connect_timeout_s, s.timeout_s, s.retries) == (5.0, 30.0, 1)
