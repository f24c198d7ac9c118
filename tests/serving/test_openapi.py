"""Schemathesis against the server's own OpenAPI document: no 5xx, and malformed requests get 4xx."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from .conftest import SMALL_CAP

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")

EXAMPLES = 40


@schemathesis.serializer("text/csv")
def _csv(ctx, value):
    return value.encode("utf-8") if isinstance(value, str) else str(value).encode("utf-8")


@schemathesis.serializer("application/vnd.apache.parquet")
def _parquet(ctx, value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    buffer = io.BytesIO()
    pd.DataFrame({"a": [0.0], "b": [1.0]}).to_parquet(buffer)
    return buffer.getvalue() if value else str(value).encode("utf-8")


@pytest.fixture(scope="module")
def server(start, sklearn_model):
    # Generous limits: a loaded CI machine must not turn a slow answer into a 503 or 504 here.
    return start(sklearn_model, timeout=60, workers=1, max_queue=64, max_body_bytes=SMALL_CAP)


@pytest.fixture(scope="module")
def schema(server):
    return schemathesis.openapi.from_url(f"{server.url}/openapi.json")


_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_no_server_errors_on_valid_requests(schema, server):
    seen = set()

    @_SETTINGS
    @given(case=schema.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def run(case):
        response = case.call(base_url=server.url)
        seen.add((case.method, case.path, response.status_code))
        assert response.status_code < 500, (case.method, case.path, case.body, response.text)
        if response.status_code >= 400:
            assert set(response.json()) >= {"error_code", "message"}

    run()
    assert {path for _, path, _ in seen} == {"/ping", "/health", "/version", "/invocations"}


def test_document_carries_the_signature(schema, server):
    # The document carries the signature's columns, so records generated from it predict.
    # (Asserted on the document rather than on the generated cases: which cases hypothesis
    # draws varies with the suite's order, so a 200 among 40 of them is not guaranteed.)
    import httpx

    document = httpx.get(f"{server.url}/openapi.json").json()
    body_schema = document["paths"]["/invocations"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    (records,) = [b for b in body_schema["oneOf"] if b["required"] == ["dataframe_records"]]
    record = records["properties"]["dataframe_records"]["items"]
    assert sorted(record["properties"]) == ["a", "b"] and sorted(record["required"]) == ["a", "b"]
    assert record["properties"]["a"] == {"anyOf": [{"type": "number"}, {"type": "boolean"}]}
    answer = httpx.post(f"{server.url}/invocations", json={"dataframe_records": [{"a": 3.0, "b": True}]})
    assert answer.status_code == 200 and answer.json() == {"predictions": [1]}


def test_malformed_invocations_get_4xx(schema, server):
    operation = schema["/invocations"]["POST"]
    statuses = []

    @_SETTINGS
    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    def run(case):
        response = case.call(base_url=server.url)
        statuses.append(response.status_code)
        assert 400 <= response.status_code < 500, (case.body, case.headers, response.text)
        assert set(response.json()) >= {"error_code", "message"}

    run()
    assert statuses
