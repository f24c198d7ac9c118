"""``python -m workbench.serving``: arguments and MLflow's environment variables for defaults."""

from __future__ import annotations

import pytest

import workbench.serving.__main__ as entry


@pytest.fixture()
def captured(monkeypatch):
    calls = {}

    def fake_serve(model_uri, **kwargs):
        calls.update(kwargs, model_uri=model_uri)

    monkeypatch.setattr("workbench.serving._server.serve", fake_serve)
    monkeypatch.delenv("MLFLOW_MODELS_WORKERS", raising=False)
    monkeypatch.delenv("MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT", raising=False)
    return calls


def test_defaults(captured):
    entry.main(["--model-uri", "/m"])
    assert captured == {
        "model_uri": "/m", "host": "127.0.0.1", "port": 5000, "timeout": 60, "workers": 1,
        "max_body_bytes": 8 * 1024 * 1024, "max_queue": 64, "log_level": "info",
    }  # fmt: skip


def test_mlflow_variables_set_the_defaults(captured, monkeypatch):
    monkeypatch.setenv("MLFLOW_MODELS_WORKERS", "3")
    monkeypatch.setenv("MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT", "12.5")
    entry.main(["-m", "/m"])
    assert (captured["workers"], captured["timeout"]) == (3, 12.5)
    # the image's ENTRYPOINT passes --port 8080 first; `docker run IMAGE --port 9000 -w 2` wins
    entry.main(["-m", "/m", "--port", "8080", "--port", "9000", "-w", "2"])
    assert (captured["port"], captured["workers"]) == (9000, 2)


@pytest.mark.parametrize("name, value", [("MLFLOW_MODELS_WORKERS", "two"), ("MLFLOW_MODELS_WORKERS", "0"),
                                         ("MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT", "-1")])  # fmt: skip
def test_bad_variables_are_refused(captured, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit, match=name):
        entry.main(["-m", "/m"])
    assert captured == {}
