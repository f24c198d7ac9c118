"""The model registry: versions, aliases, tags, read-only copies, rebuild, concurrency."""

from __future__ import annotations

import json
import multiprocessing
import os
import pathlib
import sqlite3

import pytest

from workbench._exceptions import WorkbenchException
from workbench.store import _registry
from workbench.store._registry import Registry, get_registry, rebuild


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trusted.sqlite"))
    return tmp_path / "ws"


def _model_dir(base: pathlib.Path, text: str = "a") -> pathlib.Path:
    model = base / f"model-{text}"
    (model / "sub").mkdir(parents=True)
    (model / "MLmodel").write_text("flavors: {}\n")
    (model / "sub" / "data.txt").write_text(text)
    return model


def test_versions_are_numbered_from_one_and_the_model_is_created_on_first_use(root, tmp_path):
    reg = Registry(root)
    source = _model_dir(tmp_path)
    first = reg.create_model_version("churn", source, source="runs:/" + "a" * 32 + "/m", run_id="a" * 32,
                                     source_artifact_path="m")
    second = reg.create_model_version("churn", source)
    assert (first.version, second.version) == (1, 2)
    assert first.run_id == "a" * 32 and first.source == "runs:/" + "a" * 32 + "/m"
    assert first.source_artifact_path == "m" and first.status == "READY"
    assert second.source == source.resolve().as_uri() and second.run_id is None
    model = reg.get_registered_model("churn")
    assert [v.version for v in model.latest_versions] == [2]
    assert [v.version for v in reg.search_model_versions("churn")] == [2, 1]
    assert (reg.artifacts_dir("churn", 1) / "sub" / "data.txt").read_text() == "a"


def test_version_artifacts_are_read_only(root, tmp_path):
    reg = Registry(root)
    reg.create_model_version("m", _model_dir(tmp_path))
    artifacts = reg.artifacts_dir("m", 1)
    for path in [artifacts, *artifacts.rglob("*")]:
        assert os.stat(path).st_mode & 0o222 == 0, path
    assert _registry.is_registry_path(artifacts / "MLmodel", root)
    with pytest.raises(WorkbenchException, match="registered model versions are read-only") as err:
        _registry.refuse_registry_write(artifacts, root, "set signature")
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert not _registry.is_registry_path(tmp_path, root)


def test_aliases_tags_and_descriptions(root, tmp_path):
    reg = Registry(root)
    source = _model_dir(tmp_path)
    reg.create_model_version("m", source, tags={"stage": "dev"})
    reg.create_model_version("m", source)
    reg.set_registered_model_alias("m", "champion", 1)
    assert reg.get_model_version_by_alias("m", "champion").version == 1
    assert reg.get_model_version("m", 1).aliases == ["champion"]
    reg.set_registered_model_alias("m", "champion", "2")  # moves
    assert reg.get_model_version_by_alias("m", "champion").version == 2
    assert reg.get_registered_model("m").aliases == {"champion": 2}
    reg.delete_registered_model_alias("m", "champion")
    with pytest.raises(WorkbenchException, match="alias champion not found") as err:
        reg.get_model_version_by_alias("m", "champion")
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    reg.set_registered_model_tag("m", "team", "risk")
    reg.set_model_version_tag("m", 2, "validated", True)
    reg.update_registered_model("m", "churn model")
    reg.update_model_version("m", 2, "retrained")
    assert reg.get_registered_model("m").tags == {"team": "risk"}
    assert reg.get_registered_model("m").description == "churn model"
    v2 = reg.get_model_version("m", 2)
    assert (v2.tags, v2.description) == ({"validated": "True"}, "retrained")
    assert reg.get_model_version("m", 1).tags == {"stage": "dev"}
    reg.delete_model_version_tag("m", 2, "validated")
    reg.delete_registered_model_tag("m", "team")
    assert reg.get_model_version("m", 2).tags == {} and reg.get_registered_model("m").tags == {}


@pytest.mark.parametrize("alias", ["latest", "v1", "V12", "a b", "", "x/y"])
def test_reserved_or_bad_aliases_are_refused(root, tmp_path, alias):
    reg = Registry(root)
    reg.create_model_version("m", _model_dir(tmp_path))
    with pytest.raises(WorkbenchException, match="Invalid alias") as err:
        reg.set_registered_model_alias("m", alias, 1)
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"


def test_unknown_model_version_and_alias_say_what_is_missing(root, tmp_path):
    reg = Registry(root)
    with pytest.raises(WorkbenchException, match=r"Registered Model with name=nope not found") as err:
        reg.get_model_version("nope", 1)
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    reg.create_model_version("m", _model_dir(tmp_path))
    with pytest.raises(WorkbenchException, match=r"Model Version \(name=m, version=7\) not found.*\[1\]"):
        reg.get_model_version("m", 7)
    with pytest.raises(WorkbenchException, match="not found"):
        reg.set_registered_model_alias("m", "prod", 7)
    with pytest.raises(WorkbenchException, match="already exists") as err:
        reg.create_registered_model("m")
    assert err.value.error_code == "RESOURCE_ALREADY_EXISTS"


@pytest.mark.parametrize(
    "name", ["../evil", "a/b", "a\\b", ".hidden", "", "x" * 300, "with@at", "nul\x00", "%2e%2e", "c:x"]
)
def test_hostile_model_names_are_refused(root, tmp_path, name):
    reg = Registry(root)
    with pytest.raises(WorkbenchException) as err:
        reg.create_model_version(name, _model_dir(tmp_path))
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert not (root / "registry").exists() or not any((root / "registry").iterdir())


def test_symlinks_in_a_model_are_refused_and_leave_nothing(root, tmp_path):
    source = _model_dir(tmp_path)
    (source / "link").symlink_to("/etc/passwd")
    reg = Registry(root)
    with pytest.raises(WorkbenchException, match="symbolic link"):
        reg.create_model_version("m", source)
    assert [p.name for p in (root / "registry" / "m").iterdir()] == ["registered_model.json"]
    source.joinpath("link").unlink()
    assert reg.create_model_version("m", source).version == 1


def test_rebuild_restores_the_tables_from_the_files(root, tmp_path):
    reg = Registry(root)
    source = _model_dir(tmp_path)
    reg.create_model_version("m", source, tags={"k": "v"}, description="first")
    reg.create_model_version("m", source)
    reg.set_registered_model_alias("m", "champion", 2)
    reg.set_registered_model_tag("m", "team", "risk")
    reg.update_registered_model("m", "desc")
    before = (reg.get_registered_model("m"), reg.search_model_versions("m"))
    reg.close()
    conn = sqlite3.connect(root / "index.sqlite", isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    assert rebuild(conn, root) == []
    conn.execute("COMMIT")
    conn.close()
    reg = Registry(root)
    assert (reg.get_registered_model("m"), reg.search_model_versions("m")) == before


def test_a_lost_index_is_rebuilt_on_open_and_a_corrupt_version_is_skipped(root, tmp_path):
    reg = Registry(root)
    source = _model_dir(tmp_path)
    reg.create_model_version("m", source)
    reg.create_model_version("m", source)
    reg.set_registered_model_alias("m", "prod", 1)
    reg.close()
    for name in os.listdir(root):
        if name.startswith("index.sqlite"):
            os.remove(root / name)
    version_file = root / "registry" / "m" / "2" / "version.json"
    version_file.write_text("{not json")
    with pytest.warns(UserWarning, match="corrupt model version"):
        reg = get_registry(root)
    assert [v.version for v in reg.search_model_versions("m")] == [1]
    assert reg.get_model_version_by_alias("m", "prod").version == 1
    # The corrupt version's number is never reused.
    assert reg.create_model_version("m", source).version == 3


def test_a_version_directory_left_by_a_dead_writer_is_not_overwritten(root, tmp_path):
    reg = Registry(root)
    source = _model_dir(tmp_path)
    reg.create_model_version("m", source)
    (root / "registry" / "m" / "2").mkdir()  # renamed into place, never committed
    assert reg.create_model_version("m", source).version == 3


def _register(args):
    root, source, count = args
    reg = Registry(root)
    return [reg.create_model_version("shared", source).version for _ in range(count)]


def test_concurrent_registrations_from_four_processes_get_distinct_versions(root, tmp_path):
    source = _model_dir(tmp_path)
    Registry(root).close()
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_register, [(str(root), str(source), 5)] * 4)
    versions = sorted(v for chunk in results for v in chunk)
    assert versions == list(range(1, 21))
    reg = Registry(root)
    assert [v.version for v in reg.search_model_versions("shared")] == list(range(20, 0, -1))
    for version in versions:
        record = json.loads((root / "registry" / "shared" / str(version) / "version.json").read_text())
        assert record["version"] == version


def test_register_model_from_a_runs_uri_a_models_uri_and_a_path(tmp_path, monkeypatch):
    from workbench.store import get_store, set_workspace
    from workbench.store._registry import register_model

    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trusted.sqlite"))
    set_workspace(tmp_path / "ws")
    try:
        run = get_store().create_run()
        model = get_store().artifact_dir(run.run_id) / "model"
        model.mkdir()
        (model / "MLmodel").write_text("flavors: {}\n")
        first = register_model(f"runs:/{run.run_id}/model", "m", tags={"a": "b"})
        assert (first.version, first.run_id, first.source_artifact_path, first.tags) == (1, run.run_id, "model", {"a": "b"})
        second = register_model("models:/m/1", "copy")
        assert (second.run_id, second.source) == (run.run_id, "models:/m/1")
        third = register_model(model / "MLmodel", "m")
        assert third.version == 2 and third.run_id is None and third.source == model.resolve().as_uri()
        with pytest.raises(WorkbenchException) as err:
            register_model("runs:/" + "1" * 32 + "/model", "m")
        assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    finally:
        set_workspace(None)


def test_the_registry_survives_the_run_index_rebuilds(tmp_path, monkeypatch):
    import warnings

    from workbench.models._uri import resolve_model_path
    from workbench.store import _store, get_store, set_workspace

    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trusted.sqlite"))
    root = set_workspace(tmp_path / "ws")
    try:
        get_registry().create_model_version("m", _model_dir(tmp_path))
        get_registry().set_registered_model_alias("m", "prod", 1)
        get_store().rebuild_index()  # drops and refills the run tables only
        assert resolve_model_path("models:/m@prod").parts[-3:] == ("m", "1", "artifacts")
        # A lost index: the run store re-creates the file, the registry refills its tables.
        get_store().close()
        _store._stores.clear()
        for name in os.listdir(root):
            if name.startswith("index.sqlite"):
                os.remove(root / name)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            get_store()
            assert resolve_model_path("models:/m@prod").parts[-3:] == ("m", "1", "artifacts")
    finally:
        set_workspace(None)


def test_a_version_renamed_into_place_but_never_committed_is_picked_up_on_open(root, tmp_path):
    reg = Registry(root)
    reg.create_model_version("m", _model_dir(tmp_path))
    reg.create_model_version("m", _model_dir(tmp_path, "b"))
    # What a writer killed between its rename and its COMMIT leaves: files without a row.
    reg._conn.execute("DELETE FROM model_versions WHERE version = 2")
    reg.close()
    reopened = Registry(root)
    assert [v.version for v in reopened.search_model_versions("m")] == [2, 1]
    assert (reopened.artifacts_dir("m", 2) / "sub" / "data.txt").read_text() == "b"
