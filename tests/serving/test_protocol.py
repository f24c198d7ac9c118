"""MLflow's scoring protocol, in process: the app from create_app through httpx's ASGI transport."""

from __future__ import annotations

import io
import json
import time

import numpy as np
import pytest

from .conftest import X

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")


EXPECTED = [0, 0, 1, 1]


def post_json(client, body, content_type="application/json"):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post("/invocations", content=data, headers={"content-type": content_type})


def test_health_is_not_ready_until_a_worker_is_up(client):
    # the client fixture asked /health right after starting the app
    # The worker (a spawned interpreter loading the model) takes well over the first request.
    assert client.first_health.status_code == 503
    assert client.first_health.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
    for path in ("/ping", "/health"):
        response = client.get(path)
        assert (response.status_code, response.text) == (200, "\n")


def test_version(client):
    from workbench import __version__

    assert client.get("/version").text == __version__


@pytest.mark.parametrize(
    "body",
    [
        {"dataframe_split": X.to_dict(orient="split")},
        {"dataframe_split": {"columns": ["a", "b"], "data": X.values.tolist()}},
        {"dataframe_records": X.to_dict(orient="records")},
        {"instances": X.to_dict(orient="records")},
        {"inputs": X.to_dict(orient="list")},
        {"inputs": X.to_dict(orient="records"), "params": {}},
    ],
    ids=["split-with-index", "split", "records", "instances", "inputs-columns", "inputs-records"],
)
def test_json_formats_predict(client, body):
    response = post_json(client, body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"predictions": EXPECTED}


def test_charset_utf8_is_accepted(client):
    response = post_json(client, {"dataframe_records": X.to_dict(orient="records")}, "application/json; charset=UTF-8")
    assert response.json() == {"predictions": EXPECTED}


def test_csv(client):
    response = client.post("/invocations", content=X.to_csv(index=False), headers={"content-type": "text/csv"})
    assert response.json() == {"predictions": EXPECTED}


def test_parquet(client):
    buffer = io.BytesIO()
    X.to_parquet(buffer)
    response = client.post(
        "/invocations", content=buffer.getvalue(), headers={"content-type": "application/vnd.apache.parquet"}
    )
    assert response.json() == {"predictions": EXPECTED}


def test_bad_parquet_is_400(client):
    response = client.post("/invocations", content=b"PAR1 nope", headers={"content-type": "application/vnd.apache.parquet"})
    assert response.status_code == 400
    assert "Parquet" in response.json()["message"]


def test_schema_enforcement_missing_column(client):
    response = post_json(client, {"dataframe_records": [{"a": 1.0}]})
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "b" in body["message"]


def test_numpy_like_inputs(client):
    response = post_json(client, {"inputs": {"a": [0.0, 3.0], "b": [1.0, 0.5]}})
    assert response.json() == {"predictions": [0, 1]}
    assert np.asarray(response.json()["predictions"]).shape == (2,)


def test_unknown_path_and_method_are_json(client):
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.json()["error_code"] == "ENDPOINT_NOT_FOUND"
    response = client.get("/invocations")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert set(response.json()) == {"error_code", "message"}


def test_openapi_document_describes_the_protocol(client):
    document = client.get("/openapi.json").json()
    assert set(document["paths"]) == {"/ping", "/health", "/version", "/invocations"}
    post = document["paths"]["/invocations"]["post"]
    assert set(post["requestBody"]["content"]) == {
        "application/json",
        "text/csv",
        "application/vnd.apache.parquet",
    }
    keys = [branch["required"][0] for branch in post["requestBody"]["content"]["application/json"]["schema"]["oneOf"]]
    assert keys == ["dataframe_split", "dataframe_records", "instances", "inputs"]
    records = post["requestBody"]["content"]["application/json"]["schema"]["oneOf"][1]
    assert records["properties"]["dataframe_records"]["items"] == {
        "type": "object",
        "properties": {c: {"anyOf": [{"type": "number"}, {"type": "boolean"}]} for c in ("a", "b")},
        "required": ["a", "b"],
    }
    assert {"200", "400", "413", "415", "503", "504"} <= set(post["responses"])


def test_a_model_that_does_not_load_keeps_health_at_503(tmp_path):
    from workbench.serving import create_app

    from .conftest import AsgiClient

    broken = AsgiClient(create_app(tmp_path / "no-model-here", timeout=5))
    try:
        deadline = time.monotonic() + 60
        while "could not be loaded" not in (response := broken.get("/health")).text:
            assert response.status_code == 503
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert response.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
        assert "no-model-here" in response.json()["message"]
        response = broken.post("/invocations", json={"inputs": [1]})
        assert response.status_code == 503 and "could not be loaded" in response.json()["message"]
    finally:
        broken.close()


def test_create_app_checks_its_arguments(sklearn_model):
    from workbench.serving import create_app

    for kwargs in ({"timeout": 0}, {"max_body_bytes": 0}, {"max_queue": -1}, {"workers": 0}):
        with pytest.raises(ValueError):
            create_app(sklearn_model, **kwargs)
