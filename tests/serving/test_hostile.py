"""Hostile requests: bad bodies and content types in process; overruns and dead workers on a real server."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import httpx
import pytest

from .conftest import SMALL_CAP, X, tricky_row

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")


def post(client, content, content_type="application/json", **kwargs):
    headers = {} if content_type is None else {"content-type": content_type}
    return client.post("/invocations", content=content, headers=headers, **kwargs)


def assert_error(response, status, code=None, contains=None):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) >= {"error_code", "message"}
    if code is not None:
        assert body["error_code"] == code
    if contains is not None:
        assert contains in body["message"]
    assert "Traceback" not in response.text and "stack_trace" not in body
    return body


# --------------------------------------------------------------------------- bodies


def test_malformed_json(client):
    body = assert_error(post(client, b'{"inputs": [1, 2'), 400, "BAD_REQUEST", "valid JSON")
    assert body["message"].startswith("Invalid input.")


def test_malformed_json_echoes_at_most_1kb(client):
    junk = "{" + "x" * 50_000
    body = assert_error(post(client, junk), 400, "BAD_REQUEST")
    assert "x" * 1025 not in body["message"]
    assert len(body["message"]) < 2 * 1024 + 300


def test_invalid_utf8(client):
    assert_error(post(client, b'{"inputs": ["\xff\xfe"]}'), 400, "BAD_REQUEST")


def test_list_body(client):
    assert_error(post(client, b"[1, 2, 3]"), 400, "BAD_REQUEST", "Received a list")


def test_scalar_body(client):
    assert_error(post(client, b"42"), 400, "BAD_REQUEST")


def test_two_input_keys(client):
    records = X.to_dict(orient="records")
    body = assert_error(
        post(client, json.dumps({"dataframe_records": records, "instances": records})), 400, "BAD_REQUEST"
    )
    assert "exactly one" in body["message"]


def test_no_input_key(client):
    assert_error(post(client, b'{"params": {}, "data": [1]}'), 400, "BAD_REQUEST", "exactly one")


def test_wrong_split_shape(client):
    assert_error(post(client, b'{"dataframe_split": [[1, 2]]}'), 400, "BAD_REQUEST")


@pytest.mark.parametrize("where", ["top", "inputs"])
def test_json_nested_100000_deep(client, where):
    deep = "[" * 100_000 + "]" * 100_000
    text = deep if where == "top" else '{"inputs": ' + deep + "}"
    started = time.monotonic()
    body = assert_error(post(client, text), 400, "BAD_REQUEST")
    assert "nested too deeply" in body["message"] or "Received a list" in body["message"]
    assert time.monotonic() - started < 10
    assert client.get("/health").status_code == 200  # the worker survived


def test_huge_number(client):
    text = '{"inputs": {"a": [' + "9" * 100_000 + '], "b": [1.0]}}'
    assert_error(post(client, text), 400)


# --------------------------------------------------------------------------- content types


@pytest.mark.parametrize(
    "content_type, contains",
    [
        ("text/plain", "only supports the following content types"),
        ("application/xml", "only supports the following content types"),
        ("application/json; charset=latin-1", "UTF-8"),
        ("text/csv; charset=utf-16", "UTF-8"),
        ("application/json; format=pandas-split", "Unrecognized content type parameters: format"),
        (None, "no Content-Type"),
    ],
)
def test_wrong_content_type_or_charset_is_415(client, content_type, contains):
    body = json.dumps({"dataframe_records": X.to_dict(orient="records")})
    assert_error(post(client, body, content_type), 415, "BAD_REQUEST", contains)


def test_bad_csv(client):
    assert_error(post(client, b'a,b\n"unterminated\n', "text/csv"), 400, "BAD_REQUEST")


# --------------------------------------------------------------------------- size


def test_oversize_with_content_length(client):
    response = post(client, b"x" * (SMALL_CAP + 1))
    assert_error(response, 413, "REQUEST_LIMIT_EXCEEDED", str(SMALL_CAP))


def test_oversize_chunked_without_content_length(client):
    async def chunks():  # no Content-Length: the body arrives in pieces
        for _ in range(SMALL_CAP // 1024 + 2):
            yield b"x" * 1024

    response = post(client, chunks())
    assert_error(response, 413, "REQUEST_LIMIT_EXCEEDED")


def test_body_at_the_cap_is_parsed(client):
    padding = SMALL_CAP - len('{"inputs": [], "x": ""}')
    text = '{"inputs": [], "x": "' + "y" * padding + '"}'
    assert len(text) == SMALL_CAP
    assert post(client, text).status_code == 400  # parsed (and refused by the model), not 413


def test_chunked_body_under_the_cap_predicts(client):
    text = json.dumps({"dataframe_records": X.to_dict(orient="records")}).encode()

    async def chunks():
        for start in range(0, len(text), 7):
            yield text[start : start + 7]

    response = post(client, chunks())
    assert response.json() == {"predictions": [0, 0, 1, 1]}


# --------------------------------------------------------------------------- processes


@pytest.fixture(scope="module")
def tricky_server(start, tricky_model):
    return start(tricky_model, timeout=2, workers=1, max_queue=1, max_body_bytes=SMALL_CAP)


def healthy(server):
    server.wait_healthy(timeout=60)
    return server


def test_timeout_is_504_and_the_server_recovers(tricky_server):
    server = healthy(tricky_server)
    started = time.monotonic()
    response = server.client.post("/invocations", json=tricky_row(sleep=30))
    assert_error(response, 504, "DEADLINE_EXCEEDED", "2 seconds")
    assert time.monotonic() - started < 10
    for i in range(50):
        response = server.client.post("/invocations", json=tricky_row(x=float(i)))
        assert response.status_code == 200, response.text
        assert response.json() == {"predictions": [{"x": 2.0 * i}]}


def test_worker_killed_mid_request_is_503_and_health_recovers(tricky_server):
    server = healthy(tricky_server)
    pidfile = server.pidfile
    if os.path.exists(pidfile):
        os.remove(pidfile)
    result = {}

    def slow_request():
        result["response"] = httpx.post(f"{server.url}/invocations", json=tricky_row(sleep=1.8), timeout=30)

    thread = threading.Thread(target=slow_request)
    thread.start()
    deadline = time.monotonic() + 10
    while not os.path.exists(pidfile) or not open(pidfile).read():
        assert time.monotonic() < deadline, "the prediction did not start"
        time.sleep(0.01)
    os.kill(int(open(pidfile).read()), signal.SIGKILL)
    thread.join(timeout=30)
    assert_error(result["response"], 503, "TEMPORARILY_UNAVAILABLE", "died")
    # No worker is ready until the replacement has loaded the model (which takes a Python
    # start and the model's imports, far longer than this request).
    assert_error(server.client.get("/health"), 503, "TEMPORARILY_UNAVAILABLE", "no worker is ready")
    server.wait_healthy(timeout=60)
    assert server.client.post("/invocations", json=tricky_row(x=3.0)).json() == {"predictions": [{"x": 6.0}]}


def test_worker_that_kills_itself_is_503(tricky_server):
    server = healthy(tricky_server)
    assert_error(server.client.post("/invocations", json=tricky_row(die=1.0)), 503, "TEMPORARILY_UNAVAILABLE")
    server.wait_healthy(timeout=60)
    assert server.client.post("/invocations", json=tricky_row()).status_code == 200


def test_full_queue_is_503_with_retry_after(tricky_server):
    server = healthy(tricky_server)
    # One worker and max_queue=1: at most two requests are admitted at once (one running,
    # one waiting). Six one-second requests sent together fill the pool; the others are
    # refused at once with 503 and Retry-After (timing-free: no stagger to miss under load).
    barrier = threading.Barrier(6)
    responses = []

    def request():
        barrier.wait()
        responses.append(server.client.post("/invocations", json=tricky_row(sleep=1.0)))

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(r.status_code for r in responses)
    assert len(statuses) == 6 and set(statuses) <= {200, 503}, statuses
    assert statuses.count(200) >= 2 and statuses.count(503) >= 1, statuses
    for response in responses:
        if response.status_code == 503:
            assert_error(response, 503, "TEMPORARILY_UNAVAILABLE", "busy")
            assert response.headers["retry-after"] == "1"
        else:
            assert response.json() == {"predictions": [{"x": 2.0}]}


def test_oversize_over_a_real_socket(tricky_server):
    server = healthy(tricky_server)
    response = server.client.post(
        "/invocations", content=b"x" * (SMALL_CAP + 1), headers={"content-type": "application/json"}
    )
    assert_error(response, 413, "REQUEST_LIMIT_EXCEEDED")

    def chunks():
        for _ in range(1024):  # 64 MiB offered; refused after the first 256 KiB
            yield b"x" * 65536

    with httpx.Client(base_url=server.url, timeout=30) as fresh:
        response = fresh.post("/invocations", content=chunks(), headers={"content-type": "application/json"})
    assert_error(response, 413, "REQUEST_LIMIT_EXCEEDED")
    assert server.client.get("/health").status_code == 200


def test_idle_worker_killed_is_replaced(tricky_server):
    server = healthy(tricky_server)
    pidfile = server.pidfile
    assert server.client.post("/invocations", json=tricky_row(sleep=0.01)).status_code == 200
    os.kill(int(open(pidfile).read()), signal.SIGKILL)  # the worker is idle now
    time.sleep(0.2)
    # The next request is not blamed for the dead worker: it waits for the replacement.
    response = server.client.post("/invocations", json=tricky_row(x=4.0))
    assert response.json() == {"predictions": [{"x": 8.0}]}
    assert server.client.get("/health").status_code == 200
