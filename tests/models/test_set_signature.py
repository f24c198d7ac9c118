"""set_signature: the seed's example, registry refusals, and an atomic rewrite of MLmodel."""

import os

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

import workbench.pyfunc
import workbench.sklearn
from workbench import WorkbenchException
from workbench.models import Model, ModelSignature, infer_signature
from workbench.models._set_signature import is_registered_model_uri, set_signature
from workbench.types import ColSpec, Schema

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")


@pytest.fixture(autouse=True)
def trust_store(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trust.sqlite"))


@pytest.fixture
def model_uri(tmp_path):
    X = pd.DataFrame({"x": [1.0, 2.0, 3.0], "z": [0.0, 1.0, 0.0]})
    path = tmp_path / "models"
    workbench.sklearn.save_model(LinearRegression().fit(X, [2.0, 4.0, 6.0]), path)
    return str(path)


def test_seed_example(model_uri):
    # The seed's example with mlflow -> workbench, on a local path instead of runs:/.
    model = workbench.pyfunc.load_model(model_uri)

    # determine model signature
    test_df = pd.DataFrame({"x": [4.0, 5.0], "z": [1.0, 0.0]})
    predictions = model.predict(test_df)
    signature = infer_signature(test_df, predictions)

    # set the signature for the logged model
    set_signature(model_uri, signature)

    assert workbench.models.get_model_info(model_uri).signature == signature
    reloaded = workbench.pyfunc.load_model(model_uri)
    assert reloaded.metadata.signature == signature
    np.testing.assert_allclose(reloaded.predict(test_df), [8.0, 10.0])


def test_replaces_an_existing_signature_and_keeps_the_rest(model_uri):
    before = Model.load(model_uri)
    first = ModelSignature(inputs=Schema([ColSpec("double", "x"), ColSpec("double", "z")]))
    set_signature(model_uri, first)
    second = ModelSignature(
        inputs=Schema([ColSpec("double", "x"), ColSpec("double", "z")]),
        outputs=Schema([ColSpec("double")]),
    )
    set_signature(model_uri + "/MLmodel", second)
    after = Model.load(model_uri)
    assert after.signature == second
    assert after.model_uuid == before.model_uuid
    assert after.flavors == before.flavors
    assert after.utc_time_created == before.utc_time_created


def test_file_uri(model_uri):
    signature = ModelSignature(inputs=Schema([ColSpec("double", "x")]))
    set_signature("file://" + model_uri, signature)
    assert Model.load(model_uri).signature == signature


def test_no_temporary_files_left(model_uri):
    set_signature(model_uri, ModelSignature(inputs=Schema([ColSpec("double", "x")])))
    assert not [name for name in os.listdir(model_uri) if name.startswith(".")]


def test_signature_must_be_a_model_signature(model_uri):
    with pytest.raises(WorkbenchException, match="must be a ModelSignature object; got dict") as err:
        set_signature(model_uri, {"inputs": "[]"})
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"


@pytest.mark.parametrize("uri", ["models:/churn/1", "models:/churn@champion", "models:/churn/latest"])
def test_registered_versions_are_refused(uri):
    signature = ModelSignature(inputs=Schema([ColSpec("double", "x")]))
    with pytest.raises(WorkbenchException, match="`models:/<name>/<version>` scheme are not supported") as err:
        set_signature(uri, signature)
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "read-only" in err.value.message


def test_logged_model_and_malformed_run_uris_are_refused():
    signature = ModelSignature(inputs=Schema([ColSpec("double", "x")]))
    for uri, match in (("models:/m-0123456789abcdef", "logged model"), ("runs:/0a1b2c/models", "Invalid run id")):
        with pytest.raises(WorkbenchException, match=match):
            set_signature(uri, signature)


def test_missing_model(tmp_path):
    signature = ModelSignature(inputs=Schema([ColSpec("double", "x")]))
    with pytest.raises(WorkbenchException) as err:
        set_signature(str(tmp_path / "nope"), signature)
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(WorkbenchException, match="Could not find an \"MLmodel\""):
        set_signature(str(tmp_path), signature)


def test_is_registered_model_uri():
    assert is_registered_model_uri("models:/a/1")
    assert is_registered_model_uri("MODELS:/a@b")
    assert not is_registered_model_uri("models:/m-abc")
    assert not is_registered_model_uri(b"models:/a/1")
