"""The server <-> worker frames: bodies and answers of megabytes cross intact."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import workbench.pyfunc

from .conftest import AsgiClient, wait_ready


class Echo(workbench.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


@pytest.fixture(scope="module")
def echo_client(tmp_path_factory):
    import cloudpickle

    from workbench.serving import create_app

    cloudpickle.register_pickle_by_value(sys.modules[Echo.__module__])
    path = tmp_path_factory.mktemp("echo") / "model"
    workbench.pyfunc.save_model(path, python_model=Echo(), input_example=pd.DataFrame({"x": [1.0], "s": ["a"]}))
    client = AsgiClient(create_app(path, timeout=60, max_body_bytes=32 * 1024 * 1024))
    try:
        wait_ready(client)
        yield client
    finally:
        client.close()


@pytest.mark.parametrize("rows", [1, 40_000])
def test_large_answers_cross_intact(echo_client, rows):
    rng = np.random.default_rng(rows)
    frame = pd.DataFrame({"x": rng.normal(size=rows), "s": [f"row-{i}-" + "é" * (i % 7) for i in range(rows)]})
    body = {"dataframe_split": {"columns": ["x", "s"], "data": frame.values.tolist()}}
    response = echo_client.post("/invocations", json=body)
    assert response.status_code == 200, response.text[:500]
    if rows > 1:
        assert len(response.content) > 1024 * 1024  # well past the stream reader's buffer limit
    assert response.json()["predictions"] == frame.to_dict(orient="records")
    # and the worker goes on answering
    assert echo_client.post("/invocations", json={"dataframe_records": [{"x": 2.0, "s": "b"}]}).json() == {
        "predictions": [{"x": 2.0, "s": "b"}]
    }
