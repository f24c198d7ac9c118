"""Oracle: sklearn model directories move both ways between MLflow 3.17.2 and workbench.

MLflow is installed in the test environment only; these tests always run. MLflow 3.17.2
loads no serialised model (skops included) unless MLFLOW_ALLOW_PICKLE_DESERIALIZATION is
true, and saves a skops tree model only with skops_trusted_types naming the Tree type.
"""

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn import datasets
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

import mlflow.pyfunc
import mlflow.sklearn
import workbench.pyfunc
import workbench.sklearn
from workbench import WorkbenchException
from workbench.models import get_model_info, infer_signature

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning:mlflow.*"),
]

TREE = "sklearn.tree._tree.Tree"


@pytest.fixture(autouse=True)
def environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trusted.sqlite"))
    monkeypatch.delenv("WORKBENCH_TRUSTED_LOCATIONS", raising=False)
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")


@pytest.fixture(scope="module")
def iris_frame():
    iris = datasets.load_iris()
    return pd.DataFrame(iris.data, columns=["sl", "sw", "pl", "pw"]), iris.target


@pytest.fixture(scope="module")
def models(iris_frame):
    X, y = iris_frame
    return {
        "logreg": LogisticRegression(max_iter=1000).fit(X, y),
        "forest": RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y),
    }


def mlmodel(path):
    with open(path / "MLmodel") as fh:
        return yaml.safe_load(fh)


# ------------------------------------------------------------------------- MLflow -> workbench


def test_mlflow_cloudpickle_model_loads_here_when_trusted(models, iris_frame, tmp_path):
    X, _ = iris_frame
    path = tmp_path / "m"
    mlflow.sklearn.save_model(models["logreg"], path, serialization_format="cloudpickle", pip_requirements=["scikit-learn"])
    with pytest.raises(WorkbenchException, match="it is a pickle file") as info:
        workbench.sklearn.load_model(path)
    assert info.value.error_code == "PERMISSION_DENIED"
    loaded = workbench.sklearn.load_model(path, trusted=True)
    np.testing.assert_array_equal(loaded.predict(X), models["logreg"].predict(X))
    pyfunc = workbench.pyfunc.load_model(str(path), trusted=True)
    np.testing.assert_array_equal(pyfunc.predict(X), models["logreg"].predict(X))


def test_mlflow_skops_logreg_loads_here_without_opt_in(models, iris_frame, tmp_path):
    X, _ = iris_frame
    path = tmp_path / "m"
    signature = infer_signature(X, models["logreg"].predict(X))
    mlflow.sklearn.save_model(models["logreg"], path, serialization_format="skops", pip_requirements=["scikit-learn"])
    loaded = workbench.sklearn.load_model(path)  # skops trusts every type in it
    np.testing.assert_array_equal(loaded.predict(X), models["logreg"].predict(X))
    pyfunc = workbench.pyfunc.load_model(str(path))
    np.testing.assert_allclose(pyfunc.predict_proba(X), models["logreg"].predict_proba(X))
    assert signature is not None


def test_mlflow_skops_forest_needs_trust_here(models, iris_frame, tmp_path):
    X, _ = iris_frame
    path = tmp_path / "m"
    signature = infer_signature(X, models["forest"].predict(X))
    mlflow.sklearn.save_model(
        models["forest"], path, serialization_format="skops", skops_trusted_types=[TREE],
        signature=signature, pip_requirements=["scikit-learn"],
    )
    with pytest.raises(WorkbenchException, match=f"does not trust by default: \\['{TREE}'\\]"):
        workbench.sklearn.load_model(path)  # MLflow's MLmodel lists the Tree: not trust here
    for kwargs in ({"skops_trusted_types": [TREE]}, {"trusted": True}):
        loaded = workbench.sklearn.load_model(path, **kwargs)
        np.testing.assert_array_equal(loaded.predict(X), models["forest"].predict(X))
    pyfunc = workbench.pyfunc.load_model(str(path), trusted=True)
    np.testing.assert_array_equal(pyfunc.predict(X), models["forest"].predict(X))
    assert get_model_info(path).signature == signature


# ------------------------------------------------------------------------- workbench -> MLflow


@pytest.mark.parametrize("fmt", ["skops", "cloudpickle", "pickle"])
@pytest.mark.parametrize("name", ["logreg", "forest"])
def test_our_models_load_in_mlflow(fmt, name, models, iris_frame, tmp_path):
    X, _ = iris_frame
    model = models[name]
    path = tmp_path / "m"
    extra = {"skops_trusted_types": [TREE]} if (fmt == "skops" and name == "forest") else {}
    workbench.sklearn.save_model(model, path, serialization_format=fmt, input_example=X.head(3), **extra)

    loaded = mlflow.sklearn.load_model(str(path))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    pyfunc = mlflow.pyfunc.load_model(str(path))
    np.testing.assert_array_equal(pyfunc.predict(X), model.predict(X))
    assert mlflow.models.Model.load(str(path)).signature.to_dict() == get_model_info(path).signature.to_dict()
    ours = workbench.pyfunc.load_model(str(path))
    np.testing.assert_array_equal(ours.predict(X), pyfunc.predict(X))


def test_our_forest_without_trusted_types_is_refused_by_mlflow_as_mlflow_refuses_its_own(models, tmp_path):
    import skops.io.exceptions

    workbench.sklearn.save_model(models["forest"], tmp_path / "m")
    with pytest.raises(skops.io.exceptions.UntrustedTypesFoundException):
        mlflow.sklearn.load_model(str(tmp_path / "m"))
    workbench.sklearn.load_model(tmp_path / "m")  # but it loads here: this machine wrote it


def test_predict_proba_pyfunc_matches_mlflow(models, iris_frame, tmp_path):
    X, _ = iris_frame
    path = tmp_path / "m"
    workbench.sklearn.save_model(models["logreg"], path, pyfunc_predict_fn="predict_proba")
    np.testing.assert_allclose(
        mlflow.pyfunc.load_model(str(path)).predict(X), workbench.pyfunc.load_model(str(path)).predict(X)
    )


# ------------------------------------------------------------------------- the flavor dicts


@pytest.mark.parametrize("fmt", ["skops", "cloudpickle", "pickle"])
def test_flavor_dicts_match_mlflow(fmt, models, iris_frame, tmp_path):
    X, _ = iris_frame
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    code = tmp_path / "helper.py"
    code.write_text("")
    notes = tmp_path / "notes.txt"
    notes.write_text("n")
    kwargs = dict(serialization_format=fmt, code_paths=[str(code)], extra_files=[str(notes)], input_example=X.head(2))
    workbench.sklearn.save_model(models["logreg"], ours, **kwargs)
    mlflow.sklearn.save_model(models["logreg"], theirs, pip_requirements=["scikit-learn"], **kwargs)
    a, b = mlmodel(ours), mlmodel(theirs)
    assert a["flavors"]["sklearn"].keys() == b["flavors"]["sklearn"].keys()
    assert a["flavors"]["python_function"].keys() == b["flavors"]["python_function"].keys()
    for key in ("pickled_model", "serialization_format", "code", "skops_trusted_types", "sklearn_version", "extra_files"):
        assert a["flavors"]["sklearn"][key] == b["flavors"]["sklearn"][key], key
    for key in ("loader_module", "model_path", "predict_fn", "code", "env", "python_version"):
        assert a["flavors"]["python_function"][key] == b["flavors"]["python_function"][key], key
    assert a["signature"] == b["signature"]
    assert sorted(p.name for p in ours.iterdir()) == sorted(
        p.name for p in theirs.iterdir() if p.name != "registered_model_meta"
    )
