"""add_libraries_to_model: the seed's example with mlflow replaced by workbench (pip wheel from PyPI)."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

import workbench
import workbench._tracking as tracking
import workbench.pyfunc
from workbench import WorkbenchException
from workbench.models.utils import add_libraries_to_model
from workbench.store import get_store, set_workspace
from workbench.store._registry import get_registry

wb = workbench if hasattr(workbench, "start_run") else tracking


class Add(workbench.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input + 1


@pytest.fixture(autouse=True)
def workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trusted.sqlite"))
    root = set_workspace(tmp_path / "ws")
    yield root
    while tracking.active_run() is not None:
        tracking.end_run()
    set_workspace(None)


@pytest.fixture
def registered():
    with wb.start_run() as run:
        workbench.pyfunc.log_model(
            name="adder", python_model=Add(), pip_requirements=["six"], registered_model_name="model-with-libs"
        )
    return run.info.run_id


def _check_wheeled(model_dir):
    wheels = sorted(p.name for p in (model_dir / "wheels").iterdir())
    assert len(wheels) == 1 and wheels[0].startswith("six-") and wheels[0].endswith(".whl")
    assert (model_dir / "requirements.txt").read_text() == f"wheels/{wheels[0]}\n"
    assert (model_dir / "original_requirements.txt").read_text().split() == ["six"]
    conda = yaml.safe_load((model_dir / "conda.yaml").read_text())
    assert {"pip": [f"wheels/{wheels[0]}"]} in conda["dependencies"]
    mlmodel = yaml.safe_load((model_dir / "MLmodel").read_text())
    assert set(mlmodel["wheels"]) == {"platform"}


def test_seed_add_libraries_to_model(registered):
    source_run = registered
    model_uri = "models:/model-with-libs/1"

    # Log libraries to the original run of the model
    info = add_libraries_to_model(model_uri)
    assert info.run_id == source_run and info.artifact_path == "adder_wheels"
    assert info.registered_model_version == 2 and wb.active_run() is None
    _check_wheeled(get_store().artifact_dir(source_run) / "adder_wheels")
    version = get_registry().get_model_version("model-with-libs", 2)
    assert version.run_id == source_run and version.source == f"runs:/{source_run}/adder_wheels"
    _check_wheeled(get_registry().artifacts_dir("model-with-libs", 2))
    out = workbench.pyfunc.load_model("models:/model-with-libs/2").predict(pd.DataFrame({"a": [1]}))
    assert out["a"].tolist() == [2]

    # Log libraries to some run_id
    with wb.start_run() as other:
        pass
    info = add_libraries_to_model(model_uri, run_id=other.info.run_id)
    assert info.run_id == other.info.run_id and info.registered_model_version == 3

    # Log libraries to a new run
    with wb.start_run() as new_run:
        info = add_libraries_to_model(model_uri)
    assert info.run_id == new_run.info.run_id and info.registered_model_version == 4

    # Log libraries to a new registered model named 'new-model'
    with wb.start_run():
        info = add_libraries_to_model(model_uri, registered_model_name="new-model")
    assert info.registered_model_version == 1
    assert get_registry().get_model_version("new-model", 1).name == "new-model"


def test_refusals(registered):
    with pytest.raises(WorkbenchException, match="only operates on a registered model") as err:
        add_libraries_to_model(f"runs:/{registered}/adder")
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(WorkbenchException, match="not found") as err:
        add_libraries_to_model("models:/model-with-libs/9")
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    add_libraries_to_model("models:/model-with-libs/latest")
    with pytest.raises(WorkbenchException, match="Model libraries are already added") as err:
        add_libraries_to_model("models:/model-with-libs/latest")
    assert err.value.error_code == "BAD_REQUEST"
