"""The fluent tracking API mirrors mlflow.tracking.fluent; MLflow itself is the oracle."""

import json

import pandas as pd
import pytest

from workbench import _tracking as wb
from workbench._exceptions import WorkbenchException
from workbench.store import _store, set_workspace


@pytest.fixture
def ws(tmp_path):
    root = tmp_path / "ws"
    set_workspace(root)
    yield root
    while wb.active_run() is not None:
        wb.end_run()
    set_workspace(None)
    for key in [k for k in _store._stores if k[0] == root]:
        _store._stores.pop(key).close()


def test_start_run_as_context_manager_finishes_or_fails(ws):
    with wb.start_run(run_name="ok", tags={"t": "1"}, description="hello") as run:
        assert wb.active_run() is run
        assert run.info.status == "RUNNING" and run.info.run_name == "ok"
    assert wb.active_run() is None
    got = wb.get_run(run.info.run_id)
    assert got.info.status == "FINISHED" and got.info.end_time >= got.info.start_time
    assert got.data.tags == {"t": "1", "mlflow.note.content": "hello", "mlflow.runName": "ok"}
    with pytest.raises(ZeroDivisionError):
        with wb.start_run() as failing:
            1 / 0
    assert wb.get_run(failing.info.run_id).info.status == "FAILED"
    assert wb.last_active_run().info.run_id == failing.info.run_id


def test_second_run_without_nested_raises_mlflows_message(ws):
    with wb.start_run() as run:
        with pytest.raises(Exception, match=f"Run with UUID {run.info.run_id} is already active. To start a new "
                           "run, first end the current run with workbench.end_run\\(\\). To start a nested run, "
                           "call start_run with nested=True"):
            wb.start_run()


def test_nested_runs_use_a_stack(ws):
    with wb.start_run(run_name="p") as parent:
        with wb.start_run(run_name="c1", nested=True) as c1:
            with wb.start_run(run_name="c2", nested=True) as c2:
                assert wb.active_run() is c2
            assert wb.active_run() is c1
        assert wb.active_run() is parent
    assert wb.active_run() is None
    assert c1.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert c2.data.tags["mlflow.parentRunId"] == c1.info.run_id
    children = wb.search_runs(filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
    assert list(children["tags.mlflow.runName"]) == ["c1"]


def test_resume_by_run_id(ws):
    with wb.start_run(run_name="first") as run:
        wb.log_param("a", 1)
    with wb.start_run(run_id=run.info.run_id) as again:
        assert again.info.status == "RUNNING"
        wb.log_metric("m", 2.0)
    got = wb.get_run(run.info.run_id)
    assert got.info.status == "FINISHED" and got.data.params == {"a": "1"} and got.data.metrics == {"m": 2.0}
    wb.delete_run(run.info.run_id)
    with pytest.raises(WorkbenchException, match="because it is in the deleted state"):
        wb.start_run(run_id=run.info.run_id)


def test_functions_start_a_run_when_none_is_active(ws):
    assert wb.active_run() is None
    assert wb.log_param("p", 3) == 3
    run = wb.active_run()
    assert run is not None
    wb.log_metric("m", 1.0, step=2)
    wb.log_metrics({"a": 0.5, "b": 0.25}, step=1)
    wb.set_tag("t", "x")
    wb.set_tags({"u": 1})
    wb.end_run()
    got = wb.get_run(run.info.run_id)
    assert got.data.params == {"p": "3"} and got.data.metrics == {"m": 1.0, "a": 0.5, "b": 0.25}
    assert got.data.tags["t"] == "x" and got.data.tags["u"] == "1"


def test_params_cannot_change(ws):
    with wb.start_run():
        wb.log_param("lr", 0.1)
        with pytest.raises(WorkbenchException, match="Changing param values is not allowed") as info:
            wb.log_param("lr", 0.2)
        assert info.value.error_code == "INVALID_PARAMETER_VALUE"
        wb.log_params({"lr": 0.1, "n": 5})


def test_set_run_name_tag_renames(ws):
    with wb.start_run(run_name="old") as run:
        wb.set_tag("mlflow.runName", "new")
    assert wb.get_run(run.info.run_id).info.run_name == "new"


def test_artifacts_text_dict(ws, tmp_path):
    src = tmp_path / "model.txt"
    src.write_text("weights")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "x.csv").write_text("a,b")
    with wb.start_run() as run:
        wb.log_artifact(src)
        wb.log_artifact(src, "sub")
        wb.log_artifacts(tmp_path / "dir", "data")
        wb.log_text("hi", "notes/n.txt")
        wb.log_dict({"a": [1, 2]}, "cfg.json")
        wb.log_dict({"a": 1}, "cfg.yaml")
    art = ws / "runs" / run.info.run_id / "artifacts"
    assert (art / "model.txt").read_text() == "weights" and (art / "sub" / "model.txt").is_file()
    assert (art / "data" / "x.csv").read_text() == "a,b"
    assert (art / "notes" / "n.txt").read_text() == "hi"
    assert json.loads((art / "cfg.json").read_text()) == {"a": [1, 2]}
    assert (art / "cfg.yaml").read_text() == "a: 1\n"
    assert run.info.artifact_uri == art.as_uri()


@pytest.mark.parametrize("path", ["../x.txt", "/abs.txt", "a/../../x", "%2e%2e/x"])
def test_hostile_artifact_files_are_refused(ws, path):
    with wb.start_run():
        with pytest.raises(WorkbenchException) as info:
            wb.log_text("x", path)
        assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_hostile_run_name_is_refused(ws):
    with pytest.raises(WorkbenchException, match="Invalid run name"):
        wb.start_run(run_name="../../etc")
    assert wb.active_run() is None


def test_unknown_run(ws):
    with pytest.raises(WorkbenchException, match=r"Run with id=\w+ not found") as info:
        wb.get_run("1" * 32)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_workspace_resolution(tmp_path, monkeypatch):
    from workbench.store import _workspace

    set_workspace(None)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "env"))
    assert wb.get_workspace() == tmp_path / "env"
    assert wb.set_workspace(tmp_path / "explicit") == tmp_path / "explicit"
    assert wb.get_workspace() == tmp_path / "explicit"
    set_workspace(None)
    monkeypatch.delenv("WORKBENCH_HOME")
    monkeypatch.setattr(_workspace, "_default", None)
    monkeypatch.chdir(tmp_path)
    assert wb.get_workspace() == tmp_path / ".workbench"
    monkeypatch.chdir("/")
    assert wb.get_workspace() == tmp_path / ".workbench"  # fixed at first use


def test_search_runs_dataframe_matches_mlflow(ws, tmp_path, monkeypatch):
    import mlflow

    monkeypatch.setattr(mlflow.tracking._tracking_service.utils, "_tracking_uri", None, raising=False)
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path}/mlflow.db")
    try:
        for module in (wb, mlflow):
            with module.start_run(run_name="a"):
                module.log_params({"model": "rf", "depth": 3})
                module.log_metrics({"acc": 0.9, "f1": 0.8})
                module.set_tag("stage", "dev")
            with module.start_run(run_name="b"):
                module.log_param("model", "gbm")
                module.log_metric("acc", 0.95)
                module.log_metric("loss", float("nan"))
            with module.start_run(run_name="c"):
                pass
        for kwargs in ({}, {"filter_string": "metrics.acc > 0.91"}, {"order_by": ["metrics.acc ASC"]},
                       {"filter_string": "params.model = 'rf'", "max_results": 1}):
            ours = wb.search_runs(**kwargs)
            theirs = mlflow.search_runs(experiment_ids=["0"], **kwargs)
            theirs = theirs.drop(columns=[c for c in theirs.columns if c.startswith("tags.mlflow.") and c != "tags.mlflow.runName"])
            assert sorted(ours.columns) == sorted(theirs.columns)
            assert list(ours.columns[:6]) == ["run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time"]
            assert ours["start_time"].dtype == theirs["start_time"].dtype and str(ours["start_time"].dtype).endswith("UTC]")
            ours = ours.drop(columns=["run_id", "artifact_uri", "start_time", "end_time"])
            theirs = theirs[ours.columns]
            pd.testing.assert_frame_equal(ours.reset_index(drop=True), theirs.reset_index(drop=True), check_dtype=False)
        empty = wb.search_runs(filter_string="metrics.acc > 5")
        assert list(empty.columns) == ["run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time"]
        assert len(wb.search_runs(output_format="list")) == 3
    finally:
        while mlflow.active_run():
            mlflow.end_run()


def test_run_data_is_made_on_first_use_and_kept(ws):
    with wb.start_run(run_name="lazy") as run:
        wb.log_metrics({"acc": 0.9, "f1": float("nan")})
        wb.log_param("depth", 3)
    (listed,) = wb.search_runs(output_format="list")
    assert listed.data._metrics is None and listed.data._tags is None  # a listing decodes nothing
    metrics = listed.data.metrics
    assert metrics["acc"] == 0.9 and metrics["f1"] != metrics["f1"] and listed.data.metrics is metrics
    assert listed.data.params == {"depth": "3"} and listed.data.tags["mlflow.runName"] == "lazy"
    as_dict = listed.to_dictionary()
    assert as_dict["info"]["run_id"] == run.info.run_id and as_dict["data"]["params"] == {"depth": "3"}
    assert json.loads(json.dumps(as_dict["data"]["tags"])) == {"mlflow.runName": "lazy"}
