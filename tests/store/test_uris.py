"""runs:/ and models:/ URIs resolve to local directories, through resolve_model_path too."""

from __future__ import annotations

import pathlib

import pytest

from workbench._exceptions import WorkbenchException
from workbench.models._uri import resolve_model_path
from workbench.store import _uris, get_store, set_workspace
from workbench.store._registry import get_registry


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trusted.sqlite"))
    root = set_workspace(tmp_path / "ws")
    yield root
    set_workspace(None)


@pytest.fixture
def logged(workspace):
    """A run with a model directory under artifacts/model, registered twice as 'm'."""
    store = get_store()
    run = store.create_run(name="r")
    model = store.artifact_dir(run.run_id) / "model"
    model.mkdir()
    (model / "MLmodel").write_text("flavors: {}\n")
    reg = get_registry()
    reg.create_model_version("m", model, source=f"runs:/{run.run_id}/model", run_id=run.run_id)
    reg.create_model_version("m", model, source=f"runs:/{run.run_id}/model", run_id=run.run_id)
    reg.set_registered_model_alias("m", "champion", 1)
    return run.run_id, model


def test_runs_uri_resolves_to_the_artifact(logged):
    run_id, model = logged
    assert resolve_model_path(f"runs:/{run_id}/model") == model.resolve()
    assert resolve_model_path(f"runs:/{run_id}/model/MLmodel") == model.resolve()
    assert _uris.resolve_uri(f"runs:/{run_id}") == model.parent


@pytest.mark.parametrize(
    ("suffix", "version"), [("/1", 1), ("/2", 2), ("/latest", 2), ("@champion", 1), ("/1/", 1)]
)
def test_models_uris_resolve_to_the_registered_copy(logged, workspace, suffix, version):
    path = resolve_model_path(f"models:/m{suffix}")
    assert path == (workspace / "registry" / "m" / str(version) / "artifacts").resolve()
    assert (path / "MLmodel").read_text() == "flavors: {}\n"


@pytest.mark.parametrize(
    ("uri", "match"),
    [
        ("runs:/" + "0" * 32 + "/model", "Run with id=0{32} not found"),
        ("runs:/RUN/nothing", "has no artifact 'nothing'"),
        ("models:/nope/1", "Registered Model with name=nope not found"),
        ("models:/m/9", r"Model Version \(name=m, version=9\) not found"),
        ("models:/m@prod", "alias prod not found"),
        ("models:/nope/latest", "Registered Model with name=nope not found"),
    ],
)
def test_unknown_things_are_resource_does_not_exist(logged, uri, match):
    run_id, _ = logged
    with pytest.raises(WorkbenchException, match=match) as err:
        resolve_model_path(uri.replace("RUN", run_id))
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"


@pytest.mark.parametrize(
    "uri",
    [
        "runs:/../../etc/passwd",
        "runs:/RUN/../../../etc",
        "runs:/RUN/%2e%2e/%2e%2e/x",
        "runs:/RUN//etc/passwd/..",
        "runs://RUN/model",
        "runs:/RUN/a\\b",
        "models:/../1",
        "models:/m/../../1",
        "models:/m/Production",
        "models:/m-0a1b2c",
        "models:/m@latest",
        "models:/m@../x",
        "models://host/m/1",
        "models:/m/1?x=1",
        "models:/m/0",
    ],
)
def test_hostile_or_malformed_uris_are_refused(logged, uri):
    run_id, _ = logged
    with pytest.raises(WorkbenchException) as err:
        resolve_model_path(uri.replace("RUN", run_id))
    assert err.value.error_code == "INVALID_PARAMETER_VALUE", err.value.message


def test_a_symlink_out_of_the_run_is_refused(logged):
    run_id, model = logged
    (model.parent / "escape").symlink_to("/etc")
    with pytest.raises(WorkbenchException, match="through a symlink"):
        resolve_model_path(f"runs:/{run_id}/escape")


def test_messages_name_the_remedy(logged):
    with pytest.raises(WorkbenchException, match="point an alias at the version"):
        resolve_model_path("models:/m/Production")
    with pytest.raises(WorkbenchException, match="logged model"):
        resolve_model_path("models:/m-123")
