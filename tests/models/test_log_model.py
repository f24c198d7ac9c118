"""log_model into the workspace: the seed's registry examples with mlflow replaced by workbench."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn import datasets
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression

import workbench
import workbench._tracking as tracking
import workbench.models
import workbench.pyfunc
import workbench.sklearn
from workbench import WorkbenchException
from workbench.models import Model, infer_signature
from workbench.store import get_store, set_workspace

# The seed writes mlflow.start_run(); workbench exports the tracking API at the top level once
# the lead wires it (workbench/__init__.py); until then the same functions come from _tracking.
wb = workbench if hasattr(workbench, "start_run") else tracking

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")


@pytest.fixture(autouse=True)
def workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trusted.sqlite"))
    monkeypatch.delenv("WORKBENCH_TRUSTED_LOCATIONS", raising=False)
    root = set_workspace(tmp_path / "ws")
    yield root
    while tracking.active_run() is not None:
        tracking.end_run()
    set_workspace(None)


@pytest.fixture(scope="module")
def iris():
    data = datasets.load_iris()
    return pd.DataFrame(data.data, columns=data.feature_names), data.target


def test_seed_log_model_with_metadata_to_the_registry(iris):
    X, y = iris
    with wb.start_run():
        clf = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
        signature = infer_signature(X, clf.predict(X))
        info = workbench.sklearn.log_model(
            clf,
            "iris_rf",
            signature=signature,
            registered_model_name="model-with-metadata",
            metadata={"metadata_key": "metadata_value"},
        )
    assert info.registered_model_version == 1
    model_uri = "models:/model-with-metadata/1"
    model = workbench.pyfunc.load_model(model_uri=model_uri)
    assert model.metadata.metadata["metadata_key"] == "metadata_value"
    assert model.metadata.get_model_info().metadata["metadata_key"] == "metadata_value"
    model_info = workbench.models.get_model_info(model_uri=model_uri)
    assert model_info.metadata["metadata_key"] == "metadata_value"
    np.testing.assert_array_equal(model.predict(X.head(5)), clf.predict(X.head(5)))


def test_seed_get_model_info_on_runs_uri():
    with wb.start_run() as run:
        params = {"n_estimators": 3, "random_state": 42}
        X, y = [[0, 1]], [1]
        signature = workbench.models.infer_signature(X, y)
        rfr = RandomForestRegressor(**params).fit(X, y)
        wb.log_params(params)
        workbench.sklearn.log_model(rfr, artifact_path="sklearn-model", signature=signature)
    model_uri = f"runs:/{run.info.run_id}/sklearn-model"
    model_info = workbench.models.get_model_info(model_uri)
    assert model_info.signature == signature
    assert model_info.run_id == run.info.run_id and model_info.artifact_path == "sklearn-model"
    assert model_info.model_uri == model_uri


def test_logged_mlmodel_records_the_run_and_the_info_matches(iris):
    X, y = iris
    with wb.start_run() as run:
        info = workbench.sklearn.log_model(LogisticRegression(max_iter=300).fit(X, y), name="lr", input_example=X.head(2))
    model_dir = get_store().artifact_dir(run.info.run_id) / "lr"
    mlmodel = yaml.safe_load((model_dir / "MLmodel").read_text())
    assert mlmodel["run_id"] == run.info.run_id and mlmodel["artifact_path"] == "lr"
    assert mlmodel["utc_time_created"] == info.utc_time_created
    assert info.model_uri == f"runs:/{run.info.run_id}/lr" and info.registered_model_version is None
    assert info.signature is not None and info.saved_input_example_info["type"] == "dataframe"
    assert not [p for p in model_dir.parent.iterdir() if p.name.startswith(".")]  # no staging left


def test_seed_predict_on_runs_uri(capsys):
    X = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 1.0, 0.0]})
    with wb.start_run() as run:
        lr = LogisticRegression().fit(X, [0, 1, 1])
        workbench.sklearn.log_model(lr, name="model", signature=infer_signature(X, lr.predict(X)))
    workbench.models.predict(
        model_uri=f"runs:/{run.info.run_id}/model",
        input_data={"x": 1, "y": 2},
        content_type="json",
        env_manager="local",
    )
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out == {"predictions": [0]} or out == {"predictions": [1]}


def test_evaluate_a_models_uri(iris):
    X, y = iris
    binary = (y == 1).astype(int)
    with wb.start_run():
        workbench.sklearn.log_model(
            LogisticRegression(max_iter=500).fit(X, binary), name="model", registered_model_name="clf"
        )
    data = X.assign(label=binary)
    result = workbench.evaluate("models:/clf/1", data, targets="label", model_type="classifier")
    assert 0.5 < result.metrics["accuracy_score"] <= 1.0


def test_latest_and_alias(iris):
    X, y = iris
    with wb.start_run():
        for depth in (1, 3):
            workbench.sklearn.log_model(
                RandomForestClassifier(n_estimators=3, max_depth=depth, random_state=0).fit(X, y),
                name=f"rf{depth}",
                registered_model_name="rf",
                metadata={"depth": depth},
            )
    from workbench.store._registry import get_registry

    get_registry().set_registered_model_alias("rf", "champion", 1)
    assert workbench.pyfunc.load_model("models:/rf/latest").metadata.metadata == {"depth": 3}
    assert workbench.pyfunc.load_model("models:/rf@champion").metadata.metadata == {"depth": 1}
    assert workbench.models.get_model_info("models:/rf/2").artifact_path == "rf3"
    assert workbench.sklearn.load_model("models:/rf@champion").max_depth == 1


def test_log_model_without_an_active_run_starts_one_that_stays_active():
    assert wb.active_run() is None
    info = workbench.sklearn.log_model(LogisticRegression().fit([[0], [1]], [0, 1]), name="m")
    active = wb.active_run()
    assert active is not None and active.info.run_id == info.run_id
    info2 = workbench.sklearn.log_model(LogisticRegression().fit([[0], [1]], [0, 1]), name="m2")
    assert info2.run_id == info.run_id


def test_model_log_with_explicit_run_id_and_flavor_module():
    with wb.start_run() as first:
        pass
    with wb.start_run():
        info = Model.log(
            artifact_path=None,
            name="explicit",
            flavor=workbench.sklearn,
            sk_model=LogisticRegression().fit([[0], [1]], [0, 1]),
            run_id=first.info.run_id,
            registered_model_name="explicit",
        )
    assert info.run_id == first.info.run_id and info.registered_model_version == 1
    assert (get_store().artifact_dir(first.info.run_id) / "explicit" / "MLmodel").is_file()


def test_pyfunc_log_model_registers_and_loads():
    class Doubler(workbench.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input * 2

    with wb.start_run():
        info = workbench.pyfunc.log_model(
            name="doubler", python_model=Doubler(), input_example=pd.DataFrame({"a": [1.0]}),
            registered_model_name="doubler",
        )
    assert info.registered_model_version == 1 and info.flavors["python_function"]
    out = workbench.pyfunc.load_model("models:/doubler/1").predict(pd.DataFrame({"a": [2.0]}))
    assert out["a"].tolist() == [4.0]


def test_argument_errors():
    clf = LogisticRegression().fit([[0], [1]], [0, 1])
    with wb.start_run():
        with pytest.raises(WorkbenchException, match="Both `artifact_path`"):
            workbench.sklearn.log_model(clf, artifact_path="a", name="b")
        with pytest.raises(WorkbenchException, match=r"'\.\.' component") as err:
            workbench.sklearn.log_model(clf, name="../escape")
        assert err.value.error_code == "INVALID_PARAMETER_VALUE"
        with pytest.raises(WorkbenchException, match="Invalid registered model name"):
            workbench.sklearn.log_model(clf, name="ok", registered_model_name="a/b")
        assert not (get_store().artifact_dir(wb.active_run().info.run_id) / "ok").exists()
        workbench.sklearn.log_model(clf, name="twice")
        with pytest.raises(WorkbenchException, match="already exists") as err:
            workbench.sklearn.log_model(clf, name="twice")
        assert err.value.error_code == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(WorkbenchException, match="not found") as err:
        Model.log(None, workbench.sklearn, name="x", sk_model=clf, run_id="0" * 32)
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_registered_versions_are_read_only_through_workbench(iris):
    X, y = iris
    with wb.start_run() as run:
        workbench.sklearn.log_model(LogisticRegression(max_iter=300).fit(X, y), name="m", registered_model_name="ro")
    signature = infer_signature(X, y)
    for uri in ("models:/ro/1", "models:/ro/latest"):
        with pytest.raises(WorkbenchException, match="read-only"):
            workbench.models.set_signature(uri, signature)
        with pytest.raises(WorkbenchException, match="read-only"):
            workbench.models.update_model_requirements(uri, "add", ["six"])
    # The run's copy is the source: it can change, the registered copy does not.
    workbench.models.update_model_requirements(f"runs:/{run.info.run_id}/m", "add", ["six==1.17.0"])
    workbench.models.set_signature(f"runs:/{run.info.run_id}/m", signature)
    registered = workbench.models.get_model_info("models:/ro/1")
    assert registered.signature != signature
    from workbench.store._registry import get_registry

    artifacts = get_registry().artifacts_dir("ro", 1)
    assert "six" not in (artifacts / "requirements.txt").read_text()
    assert all(os.stat(p).st_mode & 0o222 == 0 for p in [artifacts, *artifacts.rglob("*")])


def test_oracle_mlflow_loads_the_logged_model_from_its_local_path(iris, monkeypatch):
    import mlflow.sklearn as mlflow_sklearn
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
    X, y = iris
    clf = LogisticRegression(max_iter=300).fit(X, y)
    with wb.start_run() as run:
        workbench.sklearn.log_model(clf, name="sk", registered_model_name="oracle")
    local = get_store().artifact_dir(run.info.run_id) / "sk"
    loaded = mlflow_sklearn.load_model(str(local))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    import mlflow.models

    info = mlflow.models.get_model_info(str(local))
    assert info.run_id == run.info.run_id and info.artifact_path == "sk"


def _log_and_register(root):
    import os

    import workbench._tracking as tracking
    import workbench.sklearn
    from sklearn.linear_model import LogisticRegression
    from workbench.store import set_workspace

    set_workspace(root)
    versions = []
    for i in range(3):
        with tracking.start_run():
            info = workbench.sklearn.log_model(
                LogisticRegression().fit([[0], [1]], [0, 1]), name="m", registered_model_name="shared",
                metadata={"pid": os.getpid(), "i": i},
            )
        versions.append(info.registered_model_version)
    return versions


def test_concurrent_log_model_from_four_processes_registers_distinct_versions(workspace):
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_log_and_register, [str(workspace)] * 4)
    versions = sorted(v for chunk in results for v in chunk)
    assert versions == list(range(1, 13))
    seen = {
        (info.metadata["pid"], info.metadata["i"])
        for info in (workbench.models.get_model_info(f"models:/shared/{v}") for v in versions)
    }
    assert len(seen) == 12
    assert len(get_store().search()) == 12


def test_the_local_path_of_a_registered_copy_is_refused_too(iris):
    X, y = iris
    with wb.start_run():
        workbench.sklearn.log_model(LogisticRegression(max_iter=300).fit(X, y), name="m", registered_model_name="ro2")
    from workbench.store._registry import get_registry

    local = get_registry().get_model_version("ro2", 1).storage_location
    with pytest.raises(WorkbenchException, match="registered model versions are read-only"):
        workbench.models.set_signature(local, infer_signature(X, y))
    with pytest.raises(WorkbenchException, match="registered model versions are read-only"):
        workbench.models.update_model_requirements(local, "add", ["six"])
