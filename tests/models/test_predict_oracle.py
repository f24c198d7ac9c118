"""MLflow 3.17.2 as the oracle for predict(): the same request gives the same output text.

Both directions with env_manager="local": mlflow.models.predict on a model workbench saved,
and workbench's predict on a model MLflow saved.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

import mlflow

import mlflow.sklearn  # noqa: E402

import workbench.sklearn  # noqa: E402
from workbench.models._predict import predict  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.5]})
Y = [0, 0, 1, 1]


@pytest.fixture(autouse=True)
def _isolation(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trust.sqlite"))
    monkeypatch.setenv("MLFLOW_SKIP_PIP_REQUIREMENTS_CHECK", "true")


ESTIMATORS = {
    "classifier": lambda: LogisticRegression().fit(X, Y),
    "regressor": lambda: LinearRegression().fit(X, np.array(Y) * 1.5 + 0.1),
}


def _outputs(model_dir, capsys, **kwargs):
    mlflow.models.predict(str(model_dir), env_manager="local", **kwargs)
    theirs = capsys.readouterr().out
    predict(model_dir, env_manager="local", **kwargs)
    ours = capsys.readouterr().out
    return ours, theirs


@pytest.mark.parametrize("kind", sorted(ESTIMATORS))
def test_mlflow_predicts_our_model_the_same(tmp_path, capsys, kind):
    path = tmp_path / "ours"
    workbench.sklearn.save_model(ESTIMATORS[kind](), path, input_example=X.head(2))
    ours, theirs = _outputs(path, capsys, input_data=X)
    assert ours == theirs
    ours, theirs = _outputs(path, capsys, input_data=X.to_csv(index=False), content_type="csv")
    assert ours == theirs


def test_we_predict_mlflows_model_the_same(tmp_path, capsys):
    path = tmp_path / "theirs"
    mlflow.sklearn.save_model(
        ESTIMATORS["regressor"](), str(path), serialization_format="skops", input_example=X.head(2)
    )
    body = tmp_path / "input.json"
    body.write_text('{"dataframe_records": [{"a": 5.0, "b": 1.0}, {"a": -1.0, "b": 0.0}]}')
    ours, theirs = _outputs(path, capsys, input_path=str(body))
    assert ours == theirs


def test_output_files_are_the_same(tmp_path):
    path = tmp_path / "ours"
    workbench.sklearn.save_model(ESTIMATORS["classifier"](), path)
    mlflow.models.predict(str(path), input_data=X, output_path=str(tmp_path / "theirs.json"), env_manager="local")
    predict(path, input_data=X, output_path=tmp_path / "ours.json", env_manager="local")
    assert (tmp_path / "ours.json").read_text() == (tmp_path / "theirs.json").read_text()
