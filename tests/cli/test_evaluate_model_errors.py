"""``workbench evaluate`` with a model that fails or data that does not fit its signature.

The model's own exception becomes a WorkbenchException (exit 3, its message, no traceback);
a model saved with a signature sees only its columns, so extra columns in the data file do
no harm and a missing one is named.
"""

from __future__ import annotations

import numpy as np
import pytest

import workbench
import workbench.sklearn
from workbench.models import infer_signature

from .conftest import FEATURES


@pytest.fixture(scope="module")
def signed(files, tmp_path_factory):
    """The ``lr`` model saved again with a signature, and its test frame."""
    frame = files["frame"]
    features = frame.columns[:FEATURES].tolist()
    model = workbench.sklearn.load_model(files["lr"])
    path = tmp_path_factory.mktemp("signed") / "lr-signed"
    signature = infer_signature(frame[features], model.predict(frame[features]))
    workbench.sklearn.save_model(model, path, signature=signature)
    return path, features


def test_a_model_error_exits_3_with_the_method_model_and_original_error(cli, files, tmp_path):
    data = files["frame"].copy()
    column = data.columns[1]
    data.loc[3, column] = np.nan  # LogisticRegression takes no missing values
    data.to_csv(tmp_path / "gaps.csv", index=False)
    result = cli("evaluate", files["lr"], tmp_path / "gaps.csv", "--targets", "label",
                 "--model-type", "classifier", "--no-explain")
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith(
        "Error: Calling predict_proba() of the model sklearn.linear_model._logistic.LogisticRegression "
        f"loaded from {str(files['lr'])!r} failed on {len(data)} rows with the columns "
        f"{data.columns[:FEATURES].tolist()}: ValueError: Input X contains NaN."
    )
    assert "Check that the data holds what the model was trained on" in result.stderr
    assert "Traceback" not in result.output and "unexpected" not in result.stderr
    assert cli.json("runs", "list") == []


def test_a_signed_model_ignores_extra_columns(cli, files, signed, tmp_path, monkeypatch):
    path, features = signed
    data = files["frame"]
    extra = data[list(reversed(data.columns))].assign(row_id=np.arange(len(data)), split="test")
    extra.to_csv(tmp_path / "extra.csv", index=False)
    out = cli.json("evaluate", path, tmp_path / "extra.csv", "--targets", "label",
                   "--model-type", "classifier", "--no-explain")
    monkeypatch.setenv("WORKBENCH_LOG_EVALUATIONS", "0")
    want = workbench.evaluate(str(files["lr"]), data, targets="label", model_type="classifier",
                              evaluator_config={"log_model_explainability": False})
    assert out["metrics"].keys() == want.metrics.keys()
    for name, value in want.metrics.items():
        assert out["metrics"][name] == pytest.approx(value, rel=1e-12), name
    assert out["metrics"]["example_count"] == len(data)


def test_a_signed_model_names_a_missing_column(cli, files, signed, tmp_path):
    path, features = signed
    data = files["frame"].drop(columns=features[0])
    data.to_csv(tmp_path / "short.csv", index=False)
    result = cli("evaluate", path, tmp_path / "short.csv", "--targets", "label",
                 "--model-type", "classifier", "--no-explain")
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith(
        f"Error: Model is missing inputs [{features[0]!r}]. The data's columns are "
        f"{features[1:]}; the model's signature declares the input columns {features}."
    )
    assert cli.json("runs", "list") == []
