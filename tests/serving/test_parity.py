"""Parity with MLflow 3.17.2's own scoring app: the same requests, the same statuses and predictions.

MLflow is the oracle here only: ``mlflow.pyfunc.scoring_server.init(model)`` builds its
FastAPI app for the same model directory, and both apps answer in process.
"""

from __future__ import annotations

import io
import json
import os

import pytest

from .conftest import X, AsgiClient

import mlflow

import mlflow.pyfunc  # noqa: E402
from mlflow.pyfunc import scoring_server  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")


@pytest.fixture(scope="module")
def theirs(sklearn_model):
    saved = dict(os.environ)
    app = scoring_server.init(mlflow.pyfunc.load_model(str(sklearn_model)))
    client = AsgiClient(app)
    try:
        yield client
    finally:
        client.close()
        os.environ.clear()  # init() marks the process as a serving environment
        os.environ.update(saved)


def _parquet():
    buffer = io.BytesIO()
    X.to_parquet(buffer)
    return buffer.getvalue()


RECORDS = X.to_dict(orient="records")
JSON = "application/json"

CASES = {
    "split": (JSON, {"dataframe_split": X.to_dict(orient="split")}),
    "split-no-index": (JSON, {"dataframe_split": {"columns": ["a", "b"], "data": X.values.tolist()}}),
    "records": (JSON, {"dataframe_records": RECORDS}),
    "instances": (JSON, {"instances": RECORDS}),
    "inputs-columns": (JSON, {"inputs": X.to_dict(orient="list")}),
    "inputs-records": (JSON, {"inputs": RECORDS}),
    "one-row": (JSON, {"dataframe_records": RECORDS[:1]}),
    "params-ignored": (JSON, {"dataframe_records": RECORDS, "params": {}}),
    "extra-key-ignored": (JSON, {"dataframe_records": RECORDS, "other": 1}),
    "charset": ("application/json; charset=utf-8", {"dataframe_records": RECORDS}),
    "csv": ("text/csv", X.to_csv(index=False)),
    "parquet": ("application/vnd.apache.parquet", _parquet()),
    "malformed": (JSON, '{"inputs": [1,'),
    "list": (JSON, "[1, 2]"),
    "scalar": (JSON, "3"),
    "two-keys": (JSON, {"dataframe_records": RECORDS, "inputs": RECORDS}),
    "no-key": (JSON, {"data": RECORDS}),
    "missing-column": (JSON, {"dataframe_records": [{"a": 1.0}]}),
    "wrong-type": (JSON, {"dataframe_records": [{"a": "x", "b": 1.0}]}),
    "split-not-dict": (JSON, {"dataframe_split": [[1.0, 2.0]]}),
    "records-not-list": (JSON, {"dataframe_records": {"a": 1.0}}),
    "bad-utf8": (JSON, b'{"inputs": ["\xff"]}'),
    "text-plain": ("text/plain", "a,b\n1,2\n"),
    "latin-1": ("application/json; charset=latin-1", {"dataframe_records": RECORDS}),
    "unknown-parameter": ("application/json; format=pandas-split", {"dataframe_records": RECORDS}),
    "bad-csv": ("text/csv", 'a,b\n"1,2\n'),
    "bad-parquet": ("application/vnd.apache.parquet", b"PAR1 not really"),
}


def _content(body):
    if isinstance(body, (bytes, str)):
        return body
    return json.dumps(body)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_status_and_predictions(client, theirs, name):
    content_type, body = CASES[name]
    headers = {"content-type": content_type}
    ours = client.post("/invocations", content=_content(body), headers=headers)
    reference = theirs.post("/invocations", content=_content(body), headers=headers)
    assert ours.status_code == reference.status_code, (ours.text, reference.text)
    if reference.status_code == 200:
        assert ours.text == reference.text
    else:
        assert set(ours.json()) >= {"error_code", "message"}
        if reference.headers["content-type"] == "application/json":
            # MLflow answers 415 in text/plain; where it answers JSON, the codes agree
            assert ours.json()["error_code"] == reference.json()["error_code"]


@pytest.mark.parametrize("path", ["/ping", "/health"])
def test_same_health_answer(client, theirs, path):
    ours, reference = client.get(path), theirs.get(path)
    assert (ours.status_code, ours.text) == (reference.status_code, reference.text)
