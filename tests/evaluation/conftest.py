"""Fixtures shared by the evaluation tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def mlflow_file_store(tmp_path, monkeypatch):
    """MLflow (the oracle) tracking into a file store of this test's tmp_path; runs left
    active are ended afterwards. Yields tmp_path."""
    import mlflow  # imported here: only the oracle tests pay for it

    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3.17 refuses file stores otherwise
    mlflow.set_tracking_uri(uri)
    yield tmp_path
    while mlflow.active_run() is not None:
        mlflow.end_run()
