"""infer_pip_requirements: a subprocess loads the model and reports what it imported."""

import importlib.metadata
import logging

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import workbench.sklearn
from workbench import WorkbenchException
from workbench.models._capture_imports import (
    CaptureImports,
    infer_pip_requirements,
    packages_for_modules,
)

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})
Y = [0, 0, 1, 1]


def pin(name):
    return f"{name}=={importlib.metadata.version(name)}"


@pytest.fixture(autouse=True)
def trust_store(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trust.sqlite"))
    monkeypatch.delenv("WORKBENCH_TRUSTED_LOCATIONS", raising=False)
    monkeypatch.delenv("WORKBENCH_REQUIREMENTS_INFERENCE_RAISE_ERRORS", raising=False)


@pytest.fixture(scope="module")
def estimator():
    return LogisticRegression().fit(X, Y)


@pytest.fixture
def skops_model(tmp_path, estimator):
    path = tmp_path / "skops-model"
    workbench.sklearn.save_model(estimator, path, input_example=X.head(2))
    return path


def test_model_directory(skops_model):
    reqs = infer_pip_requirements(str(skops_model), "sklearn")
    assert reqs == sorted(reqs)
    assert pin("scikit-learn") in reqs and pin("skops") in reqs
    names = [req.split("==")[0] for req in reqs]
    assert "workbench" not in names and "setuptools" not in names
    # numpy is a requirement of scikit-learn, but stays pinned: workbench requires it unpinned
    assert pin("numpy") in reqs
    assert all("==" in req for req in reqs)


def test_flavor_data_path_as_file_uri(skops_model):
    reqs = infer_pip_requirements((skops_model / "model.skops").as_uri(), "sklearn")
    assert pin("scikit-learn") in reqs and pin("skops") in reqs


def test_fallback_on_error(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="workbench.models"):
        result = infer_pip_requirements(tmp_path / "nope", "sklearn", fallback=["scikit-learn"])
    assert result == ["scikit-learn"]
    assert "Falling back to ['scikit-learn']" in caplog.text


def test_errors_raise_without_fallback(tmp_path, monkeypatch, skops_model):
    with pytest.raises(WorkbenchException) as err:
        infer_pip_requirements(tmp_path / "nope", "sklearn")
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    monkeypatch.setenv("WORKBENCH_REQUIREMENTS_INFERENCE_RAISE_ERRORS", "true")
    with pytest.raises(WorkbenchException):
        infer_pip_requirements(tmp_path / "nope", "sklearn", fallback=["x"])


def test_store_uris_are_checked():
    with pytest.raises(WorkbenchException, match="Invalid run id 'abc'"):
        infer_pip_requirements("runs:/abc/model", "sklearn")
    assert infer_pip_requirements("models:/m/1", "sklearn", fallback=[]) == []


def test_timeout(skops_model, caplog):
    with pytest.raises(WorkbenchException, match="timed out after 0.01 seconds") as err:
        infer_pip_requirements(skops_model, "sklearn", timeout=0.01)
    assert err.value.error_code == "DEADLINE_EXCEEDED"
    with caplog.at_level(logging.WARNING, logger="workbench.models"):
        assert infer_pip_requirements(skops_model, "sklearn", fallback=["a"], timeout=0.01) == ["a"]
    assert "timed out after 0.01 seconds" in caplog.text


def test_the_subprocess_keeps_the_trust_rules(tmp_path, monkeypatch, estimator):
    # A pickle written "on another machine" (a trust store this one does not read) does not
    # load in the subprocess either; the caller's trusted location, passed through
    # extra_env_vars, does let it load.
    path = tmp_path / "shared" / "pickled"
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "other-machine.sqlite"))
    workbench.sklearn.save_model(estimator, path, serialization_format="pickle")
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "this-machine.sqlite"))
    with pytest.raises(WorkbenchException) as err:
        infer_pip_requirements(path, "sklearn")
    assert err.value.error_code == "PERMISSION_DENIED"
    assert err.value.message.startswith("Loading the model at")
    reqs = infer_pip_requirements(
        path, "sklearn", extra_env_vars={"WORKBENCH_TRUSTED_LOCATIONS": str(tmp_path / "shared")}
    )
    assert pin("scikit-learn") in reqs


def test_a_failing_input_example_is_a_warning(skops_model, caplog):
    # An input example that no longer fits the model: predict fails, loading does not.
    (skops_model / "input_example.json").write_text('{"columns": ["zzz"], "data": [["x"]]}')
    with caplog.at_level(logging.WARNING, logger="workbench.models"):
        reqs = infer_pip_requirements(skops_model, "sklearn")
    assert pin("scikit-learn") in reqs
    assert "Failed to run predict on the input example" in caplog.text


def test_packages_for_modules_prunes_and_excludes():
    reqs = packages_for_modules(["sklearn", "scipy", "joblib", "os", "sys", "workbench", "_private", "nope"])
    names = [req.split("==")[0] for req in reqs]
    # scipy and joblib are scikit-learn requirements (pruned); numpy is not captured here
    assert names == ["scikit-learn"]
    assert packages_for_modules(["yaml"]) == [f"pyyaml=={importlib.metadata.version('PyYAML')}"]


def test_capture_imports_restores_the_import_machinery():
    import builtins
    import importlib

    before = (builtins.__import__, importlib.import_module)
    with CaptureImports() as capture:
        import json  # noqa: F401
        from email import message  # noqa: F401
    assert (builtins.__import__, importlib.import_module) == before
    assert {"json", "email"} <= capture.modules
