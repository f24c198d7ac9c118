"""The sklearn flavor: MLflow's layout, the seed's example, and the trust policy on load."""

import logging
import os
import pathlib
import pickle
import sys

import numpy as np
import pandas as pd
import pytest
import skops.io
import yaml
from sklearn import datasets
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import workbench.pyfunc
import workbench.sklearn
from workbench import WorkbenchException
from workbench.models import get_model_info, infer_signature
from workbench.models._model import Model
from workbench.models._sklearn_flavor import _load_pyfunc, _SklearnModelWrapper
from workbench.models._trust import file_sha256

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")

TREE = "sklearn.tree._tree.Tree"


@pytest.fixture(autouse=True)
def trust_store(tmp_path, monkeypatch):
    path = tmp_path / "trust" / "trusted.sqlite"
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(path))
    monkeypatch.delenv("WORKBENCH_TRUSTED_LOCATIONS", raising=False)
    return path


@pytest.fixture(scope="module")
def iris():
    return datasets.load_iris()


@pytest.fixture(scope="module")
def forest(iris):
    return RandomForestClassifier(n_estimators=5, random_state=0).fit(iris.data, iris.target)


@pytest.fixture(scope="module")
def logreg(iris):
    return LogisticRegression(max_iter=1000).fit(iris.data, iris.target)


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """Save as another machine would: with a trust store this machine does not read."""

    def save(*args, **kwargs):
        monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "other-machine.sqlite"))
        try:
            workbench.sklearn.save_model(*args, **kwargs)
        finally:
            monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trust" / "trusted.sqlite"))

    return save


def read_mlmodel(path):
    return yaml.safe_load((pathlib.Path(path) / "MLmodel").read_text())


# ------------------------------------------------------------------------- the seed's example


def test_seed_example_random_forest_with_metadata(iris, tmp_path):
    clf = RandomForestClassifier(n_estimators=10, random_state=1)
    clf.fit(iris.data, iris.target)
    signature = infer_signature(iris.data, clf.predict(iris.data))
    path = tmp_path / "iris_rf"
    workbench.sklearn.save_model(
        clf, path, signature=signature, metadata={"metadata_key": "metadata_value"}
    )

    loaded = workbench.sklearn.load_model(path)  # a Tree: loads because this machine wrote it
    np.testing.assert_array_equal(loaded.predict(iris.data), clf.predict(iris.data))
    assert get_model_info(path).signature == signature

    model = workbench.pyfunc.load_model(model_uri=str(path))
    assert model.metadata.metadata["metadata_key"] == "metadata_value"
    np.testing.assert_array_equal(model.predict(iris.data), clf.predict(iris.data))


# ------------------------------------------------------------------------- layout and formats


@pytest.mark.parametrize(
    ("fmt", "file_name", "serializer"),
    [("skops", "model.skops", "skops"), ("cloudpickle", "model.pkl", "cloudpickle"), ("pickle", "model.pkl", None)],
)
def test_each_format_round_trips(fmt, file_name, serializer, forest, iris, tmp_path):
    path = tmp_path / fmt
    workbench.sklearn.save_model(forest, path, serialization_format=fmt)
    assert (path / file_name).is_file()
    loaded = workbench.sklearn.load_model(path)
    np.testing.assert_array_equal(loaded.predict(iris.data), forest.predict(iris.data))
    np.testing.assert_allclose(loaded.predict_proba(iris.data), forest.predict_proba(iris.data))

    import sklearn

    flavors = read_mlmodel(path)["flavors"]
    assert flavors["sklearn"] == {
        "pickled_model": file_name,
        "sklearn_version": sklearn.__version__,
        "serialization_format": fmt,
        "code": None,
        "skops_trusted_types": None,
    }
    pyfunc = flavors["python_function"]
    assert pyfunc["loader_module"] == "mlflow.sklearn"
    assert pyfunc["model_path"] == file_name
    assert pyfunc["predict_fn"] == "predict"
    assert pyfunc["env"] == {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}
    requirements = (path / "requirements.txt").read_text().splitlines()
    expected = ["scikit-learn==" + sklearn.__version__]
    if serializer:
        expected.append(f"{serializer}=={__import__(serializer).__version__}")
    assert requirements == expected


def test_default_format_is_skops_and_none_means_skops(logreg, tmp_path):
    workbench.sklearn.save_model(logreg, tmp_path / "a")
    workbench.sklearn.save_model(logreg, tmp_path / "b", serialization_format=None)
    for name in ("a", "b"):
        assert read_mlmodel(tmp_path / name)["flavors"]["sklearn"]["serialization_format"] == "skops"


def test_unknown_format_is_refused_before_anything_is_written(logreg, tmp_path):
    with pytest.raises(WorkbenchException) as info:
        workbench.sklearn.save_model(logreg, tmp_path / "m", serialization_format="joblib")
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert info.value.message.startswith(
        "Unrecognized serialization format: 'joblib'. Expected one of ['skops', 'pickle', 'cloudpickle']"
    )
    assert not (tmp_path / "m").exists()


def test_existing_directory_is_refused(logreg, tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "keep.txt").write_text("mine")
    with pytest.raises(WorkbenchException, match="already exists and is not empty") as info:
        workbench.sklearn.save_model(logreg, tmp_path / "m")
    assert info.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert os.listdir(tmp_path / "m") == ["keep.txt"]


def test_pickle_formats_warn_when_saving(logreg, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="workbench.models"):
        workbench.sklearn.save_model(logreg, tmp_path / "m", serialization_format="cloudpickle")
    assert "loading it runs whatever code the file contains" in caplog.text


def test_skops_refuses_what_it_cannot_store_and_cloudpickle_takes_it(iris, tmp_path):
    odd = FunctionTransformer(lambda x: x * 2)
    with pytest.raises(WorkbenchException, match="could not be stored in the skops format") as info:
        workbench.sklearn.save_model(odd, tmp_path / "skops")
    assert "serialization_format='cloudpickle'" in info.value.message
    assert not (tmp_path / "skops").exists()
    workbench.sklearn.save_model(odd, tmp_path / "cp", serialization_format="cloudpickle")
    loaded = workbench.sklearn.load_model(tmp_path / "cp")
    np.testing.assert_array_equal(loaded.transform(iris.data[:2]), iris.data[:2] * 2)


def test_plain_pickle_cannot_store_a_lambda(tmp_path):
    with pytest.raises(WorkbenchException, match="could not be serialised with pickle.*cloudpickle"):
        workbench.sklearn.save_model(
            FunctionTransformer(lambda x: x), tmp_path / "m", serialization_format="pickle"
        )


def test_input_example_infers_the_signature(iris, logreg, tmp_path):
    frame = pd.DataFrame(iris.data, columns=iris.feature_names)
    model = LogisticRegression(max_iter=1000).fit(frame, iris.target)
    workbench.sklearn.save_model(model, tmp_path / "m", input_example=frame.head(3))
    info = get_model_info(tmp_path / "m")
    assert info.signature == infer_signature(frame.head(3), pd.Series(model.predict(frame.head(3))))
    assert info.saved_input_example_info["artifact_path"] == "input_example.json"


def test_signature_follows_pyfunc_predict_fn(iris, tmp_path):
    frame = pd.DataFrame(iris.data, columns=iris.feature_names)
    model = LogisticRegression(max_iter=1000).fit(frame, iris.target)
    workbench.sklearn.save_model(model, tmp_path / "m", input_example=frame.head(3), pyfunc_predict_fn="predict_proba")
    outputs = get_model_info(tmp_path / "m").signature.outputs
    assert outputs == infer_signature(None, model.predict_proba(frame.head(3))).outputs
    pyfunc = workbench.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(pyfunc.predict(frame.head(4)), model.predict_proba(frame.head(4)))


def test_signature_false_writes_none(iris, logreg, tmp_path):
    workbench.sklearn.save_model(logreg, tmp_path / "m", input_example=iris.data[:2], signature=False)
    assert get_model_info(tmp_path / "m").signature is None


def test_unknown_pyfunc_predict_fn_is_refused(logreg, tmp_path):
    with pytest.raises(WorkbenchException, match=r"Unsupported pyfunc_predict_fn 'transform': expected one of"):
        workbench.sklearn.save_model(logreg, tmp_path / "m", pyfunc_predict_fn="transform")


def test_estimator_without_the_method_gets_no_pyfunc_flavor(iris, tmp_path, caplog):
    scaler = StandardScaler().fit(iris.data)
    with caplog.at_level(logging.WARNING, logger="workbench.models"):
        workbench.sklearn.save_model(scaler, tmp_path / "m")
    assert "has no predict method, so no python_function flavor" in caplog.text
    assert list(read_mlmodel(tmp_path / "m")["flavors"]) == ["sklearn"]
    np.testing.assert_allclose(workbench.sklearn.load_model(tmp_path / "m").transform(iris.data), scaler.transform(iris.data))


def test_requirement_arguments(logreg, tmp_path):
    workbench.sklearn.save_model(logreg, tmp_path / "a", extra_pip_requirements=["pandas>=2"])
    assert (tmp_path / "a" / "requirements.txt").read_text().splitlines()[-1] == "pandas>=2"
    workbench.sklearn.save_model(logreg, tmp_path / "b", pip_requirements=["scikit-learn"])
    assert (tmp_path / "b" / "requirements.txt").read_text() == "scikit-learn"
    with pytest.raises(WorkbenchException, match="Only one of `conda_env`, `pip_requirements`"):
        workbench.sklearn.save_model(logreg, tmp_path / "c", pip_requirements=["x"], extra_pip_requirements=["y"])
    assert not (tmp_path / "c").exists()


def test_default_requirements_helpers():
    import sklearn

    assert workbench.sklearn.get_default_pip_requirements() == [f"scikit-learn=={sklearn.__version__}"]
    both = workbench.sklearn.get_default_pip_requirements(include_cloudpickle=True, include_skops=True)
    assert [r.split("==")[0] for r in both] == ["scikit-learn", "cloudpickle", "skops"]
    env = workbench.sklearn.get_default_conda_env(include_skops=True)
    assert env["dependencies"][-1] == {"pip": workbench.sklearn.get_default_pip_requirements(include_skops=True)}


def test_mlflow_model_argument_keeps_its_fields(logreg, tmp_path):
    base = Model(run_id="0123456789abcdef0123456789abcdef", artifact_path="model")
    workbench.sklearn.save_model(logreg, tmp_path / "m", mlflow_model=base)
    saved = read_mlmodel(tmp_path / "m")
    assert saved["run_id"] == "0123456789abcdef0123456789abcdef"
    assert set(saved["flavors"]) == {"python_function", "sklearn"}


def test_code_paths_are_copied_and_put_on_sys_path(logreg, tmp_path, monkeypatch):
    helper = tmp_path / "src" / "my_features_xyz.py"
    helper.parent.mkdir()
    helper.write_text("VALUE = 42\n")
    workbench.sklearn.save_model(logreg, tmp_path / "m", code_paths=[str(helper)])
    flavors = read_mlmodel(tmp_path / "m")["flavors"]
    assert flavors["sklearn"]["code"] == "code" and flavors["python_function"]["code"] == "code"
    assert (tmp_path / "m" / "code" / "my_features_xyz.py").is_file()
    monkeypatch.setattr(sys, "path", list(sys.path))
    workbench.sklearn.load_model(tmp_path / "m")
    assert sys.path[0] == str(tmp_path / "m" / "code")


def test_code_dir_of_an_untrusted_pickle_never_reaches_sys_path(logreg, tmp_path, elsewhere, monkeypatch):
    helper = tmp_path / "numpy_shadow.py"
    helper.write_text("")
    elsewhere(logreg, tmp_path / "m", code_paths=[str(helper)], serialization_format="pickle")
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = list(sys.path)
    with pytest.raises(WorkbenchException, match="it is a pickle file"):
        workbench.sklearn.load_model(tmp_path / "m")
    assert sys.path == before


def test_foreign_code_is_refused_even_with_a_recorded_model_file(logreg, tmp_path, monkeypatch):
    workbench.sklearn.save_model(logreg, tmp_path / "m", serialization_format="pickle", code_paths=[])
    (tmp_path / "m" / "code").mkdir(exist_ok=True)
    (tmp_path / "m" / "code" / "sneaky.py").write_text("import os\n")  # added after the save
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = list(sys.path)
    with pytest.raises(WorkbenchException) as info:
        workbench.sklearn.load_model(tmp_path / "m")
    assert info.value.error_code == "PERMISSION_DENIED" and "sneaky.py" in info.value.message
    assert sys.path == before


def test_extra_files(logreg, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("trained on iris")
    workbench.sklearn.save_model(logreg, tmp_path / "m", extra_files=[str(notes)])
    assert read_mlmodel(tmp_path / "m")["flavors"]["sklearn"]["extra_files"] == [{"path": "extra_files/notes.txt"}]
    assert (tmp_path / "m" / "extra_files" / "notes.txt").read_text() == "trained on iris"
    with pytest.raises(WorkbenchException, match="only local files are supported"):
        workbench.sklearn.save_model(logreg, tmp_path / "n", extra_files=["s3://bucket/x.txt"])


# ------------------------------------------------------------------------- trust on load


def test_pickle_from_elsewhere_is_refused_unless_trusted(logreg, iris, tmp_path, elsewhere):
    elsewhere(logreg, tmp_path / "m", serialization_format="pickle")
    with pytest.raises(WorkbenchException) as info:
        workbench.sklearn.load_model(tmp_path / "m")
    assert info.value.error_code == "PERMISSION_DENIED"
    model_file = str(tmp_path / "m" / "model.pkl")
    assert info.value.message.startswith(
        f"Refusing to load a scikit-learn model (pickle) from {model_file!r}: it is a pickle file, "
        "and unpickling runs whatever code the file contains."
    )
    assert "pass trusted=True, or add its directory to $WORKBENCH_TRUSTED_LOCATIONS" in info.value.message
    loaded = workbench.sklearn.load_model(tmp_path / "m", trusted=True)
    np.testing.assert_array_equal(loaded.predict(iris.data), logreg.predict(iris.data))


def test_cloudpickle_from_elsewhere_is_refused_through_pyfunc_too(logreg, tmp_path, elsewhere):
    elsewhere(logreg, tmp_path / "m", serialization_format="cloudpickle")
    with pytest.raises(WorkbenchException, match=r"a scikit-learn model \(cloudpickle\)"):
        workbench.pyfunc.load_model(str(tmp_path / "m"))
    with pytest.raises(WorkbenchException, match="it is a pickle file"):
        _load_pyfunc(str(tmp_path / "m"))


def test_trusted_locations_env_var_lets_a_pickle_load(logreg, iris, tmp_path, elsewhere, monkeypatch):
    elsewhere(logreg, tmp_path / "shared" / "m", serialization_format="pickle")
    monkeypatch.setenv("WORKBENCH_TRUSTED_LOCATIONS", str(tmp_path / "shared"))
    loaded = workbench.sklearn.load_model(tmp_path / "shared" / "m")
    np.testing.assert_array_equal(loaded.predict(iris.data), logreg.predict(iris.data))


def test_foreign_skops_with_a_tree_is_refused_listing_it(forest, iris, tmp_path, elsewhere):
    elsewhere(forest, tmp_path / "m")
    with pytest.raises(WorkbenchException) as info:
        workbench.sklearn.load_model(tmp_path / "m")
    assert info.value.error_code == "PERMISSION_DENIED"
    assert f"types that skops does not trust by default: ['{TREE}']" in info.value.message
    assert (
        f"pass skops_trusted_types=['{TREE}'] to allow exactly these types (workbench.sklearn.load_model), "
        "or trusted=True to allow everything in the file" in info.value.message
    )
    for kwargs in ({"skops_trusted_types": [TREE]}, {"trusted": True}):
        loaded = workbench.sklearn.load_model(tmp_path / "m", **kwargs)
        np.testing.assert_array_equal(loaded.predict(iris.data), forest.predict(iris.data))


def test_foreign_skops_with_only_safe_types_loads(logreg, iris, tmp_path, elsewhere):
    elsewhere(logreg, tmp_path / "m")
    loaded = workbench.sklearn.load_model(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict(iris.data), logreg.predict(iris.data))


def test_trust_list_inside_mlmodel_is_not_trust(forest, tmp_path, elsewhere):
    elsewhere(forest, tmp_path / "m", skops_trusted_types=[TREE])
    assert read_mlmodel(tmp_path / "m")["flavors"]["sklearn"]["skops_trusted_types"] == [TREE]
    with pytest.raises(WorkbenchException) as info:
        workbench.sklearn.load_model(tmp_path / "m")
    assert f"The model's MLmodel file lists skops_trusted_types ['{TREE}']; workbench does not take trust" in info.value.message


def test_partial_type_list_names_what_remains(tmp_path, elsewhere, iris):
    import operator

    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(FunctionTransformer(operator.neg), RandomForestClassifier(n_estimators=2))
    elsewhere(pipe.fit(iris.data, iris.target), tmp_path / "m")
    untrusted = skops.io.get_untrusted_types(file=tmp_path / "m" / "model.skops")
    assert untrusted == ["_operator.neg", TREE]
    with pytest.raises(WorkbenchException) as info:
        workbench.sklearn.load_model(tmp_path / "m", skops_trusted_types=[TREE])
    remaining = [name for name in untrusted if name != TREE]
    assert f"does not trust by default: {remaining}" in info.value.message
    workbench.sklearn.load_model(tmp_path / "m", skops_trusted_types=untrusted)


def test_tampered_skops_file_is_no_longer_recorded(forest, iris, tmp_path):
    workbench.sklearn.save_model(forest, tmp_path / "m")
    model_file = tmp_path / "m" / "model.skops"
    recorded = file_sha256(model_file)
    other = RandomForestClassifier(n_estimators=2, random_state=3).fit(iris.data, iris.target)
    model_file.write_bytes(skops.io.dumps(other))  # bytes changed after the save
    assert file_sha256(model_file) != recorded
    with pytest.raises(WorkbenchException, match=f"does not trust by default: \\['{TREE}'\\]"):
        workbench.sklearn.load_model(tmp_path / "m")


def test_tampered_pickle_is_no_longer_recorded(logreg, tmp_path):
    workbench.sklearn.save_model(logreg, tmp_path / "m", serialization_format="pickle")
    workbench.sklearn.load_model(tmp_path / "m")
    model_file = tmp_path / "m" / "model.pkl"
    model_file.write_bytes(model_file.read_bytes() + b"\0")  # pickle ignores trailing bytes
    with pytest.raises(WorkbenchException, match="it is a pickle file") as info:
        workbench.sklearn.load_model(tmp_path / "m")
    assert info.value.error_code == "PERMISSION_DENIED"


def test_trusted_false_refuses_even_our_own_tree(forest, tmp_path):
    workbench.sklearn.save_model(forest, tmp_path / "m")
    with pytest.raises(WorkbenchException, match=TREE):
        workbench.sklearn.load_model(tmp_path / "m", trusted=False)
    workbench.sklearn.load_model(tmp_path / "m", trusted=False, skops_trusted_types=[TREE])


def test_bad_trust_arguments(logreg, tmp_path):
    workbench.sklearn.save_model(logreg, tmp_path / "m")
    with pytest.raises(WorkbenchException, match=r"Expected skops_trusted_types as a list .* got str"):
        workbench.sklearn.load_model(tmp_path / "m", skops_trusted_types=TREE)
    with pytest.raises(WorkbenchException, match=r"trusted must be True, False or None, got int: 1"):
        workbench.sklearn.load_model(tmp_path / "m", trusted=1)


def test_model_uri_forms(logreg, iris, tmp_path):
    workbench.sklearn.save_model(logreg, tmp_path / "m")
    for uri in (str(tmp_path / "m"), tmp_path / "m" / "MLmodel", (tmp_path / "m").as_uri()):
        np.testing.assert_array_equal(workbench.sklearn.load_model(uri).predict(iris.data[:5]), logreg.predict(iris.data[:5]))
    with pytest.raises(WorkbenchException, match="Registered Model with name=model-with-metadata not found"):
        workbench.sklearn.load_model("models:/model-with-metadata/1")


def test_dst_path_must_be_an_existing_directory(logreg, tmp_path):
    workbench.sklearn.save_model(logreg, tmp_path / "m")
    workbench.sklearn.load_model(tmp_path / "m", dst_path=tmp_path)
    with pytest.raises(WorkbenchException, match="is not an existing directory"):
        workbench.sklearn.load_model(tmp_path / "m", dst_path=tmp_path / "nope")


def test_model_without_sklearn_flavor(tmp_path):
    Model(flavors={"python_function": {"loader_module": "mlflow.pyfunc.model"}}).save(tmp_path)
    with pytest.raises(WorkbenchException, match=r'does not have the "sklearn" flavor \(its flavors: \[.python_function.\]\)'):
        workbench.sklearn.load_model(tmp_path)


def test_unknown_format_in_a_foreign_mlmodel(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"x")
    Model(flavors={"sklearn": {"pickled_model": "model.bin", "serialization_format": "joblib"}}).save(tmp_path)
    with pytest.raises(WorkbenchException, match="Unrecognized serialization format: 'joblib'"):
        workbench.sklearn.load_model(tmp_path)


def test_pickled_model_path_cannot_leave_the_model_dir(tmp_path):
    Model(flavors={"sklearn": {"pickled_model": "../secret.pkl", "serialization_format": "pickle"}}).save(tmp_path)
    with pytest.raises(WorkbenchException, match="contains a '..' component"):
        workbench.sklearn.load_model(tmp_path, trusted=True)


def test_missing_model_file(tmp_path):
    Model(flavors={"sklearn": {"pickled_model": "model.skops", "serialization_format": "skops"}}).save(tmp_path)
    with pytest.raises(WorkbenchException, match="no such file") as info:
        workbench.sklearn.load_model(tmp_path)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


# ------------------------------------------------------------------------- pyfunc


def test_load_pyfunc_takes_the_dir_or_the_file(logreg, iris, tmp_path):
    workbench.sklearn.save_model(logreg, tmp_path / "m")
    for path in (tmp_path / "m", tmp_path / "m" / "model.skops"):
        wrapper = _load_pyfunc(str(path))
        assert isinstance(wrapper, _SklearnModelWrapper)
        np.testing.assert_array_equal(wrapper.predict(iris.data, params=None), logreg.predict(iris.data))
        assert wrapper.get_raw_model().coef_.shape == logreg.coef_.shape


def test_load_pyfunc_of_a_file_without_mlmodel_reads_a_pickle(logreg, iris, tmp_path, caplog):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(logreg))
    with pytest.raises(WorkbenchException, match="it is a pickle file"):
        _load_pyfunc(str(path))
    with caplog.at_level(logging.WARNING, logger="workbench.models"):
        wrapper = _load_pyfunc(str(path), trusted=True)
    assert "no sklearn flavor configuration" in caplog.text
    np.testing.assert_array_equal(wrapper.predict(iris.data), logreg.predict(iris.data))


def test_predict_proba_through_pyfunc(forest, iris, tmp_path):
    workbench.sklearn.save_model(forest, tmp_path / "m")
    model = workbench.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(model.predict_proba(iris.data), forest.predict_proba(iris.data))


def test_regressor_has_no_predict_proba(tmp_path, iris):
    reg = LinearRegression().fit(iris.data, iris.target)
    workbench.sklearn.save_model(reg, tmp_path / "m")
    wrapper = _load_pyfunc(str(tmp_path / "m"))
    assert not hasattr(wrapper, "predict_proba")


def test_schema_enforcement_through_pyfunc(iris, tmp_path):
    frame = pd.DataFrame(iris.data, columns=["sl", "sw", "pl", "pw"])
    model = LogisticRegression(max_iter=1000).fit(frame, iris.target)
    signature = infer_signature(frame, model.predict(frame))
    workbench.sklearn.save_model(model, tmp_path / "m", signature=signature)
    pyfunc = workbench.pyfunc.load_model(str(tmp_path / "m"))
    # columns come back in the signature's order, whatever order they arrive in
    np.testing.assert_array_equal(pyfunc.predict(frame[["pw", "pl", "sw", "sl"]]), model.predict(frame))
    with pytest.raises(WorkbenchException, match="pw"):
        pyfunc.predict(frame.drop(columns=["pw"]))
    with pytest.raises(WorkbenchException):
        pyfunc.predict(frame.assign(sl="not a number"))


def test_wrapper_repr():
    wrapper = _SklearnModelWrapper(LinearRegression(), predict_fn="predict")
    assert repr(wrapper) == "_SklearnModelWrapper(LinearRegression(), predict_fn='predict')"
