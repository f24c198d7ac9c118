"""evaluate() logs into the workspace; log_evaluation / load_evaluation; the opt-out switch."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import workbench
from workbench import WorkbenchException, _tracking
from workbench.evaluation import EvaluationResult, evaluate, load_evaluation, log_evaluation
from workbench.evaluation import _persist
from workbench.notebook import _workspace
from workbench.store import _store, set_workspace

NO_SHAP = {"log_model_explainability": False}


@pytest.fixture
def ws(tmp_path, monkeypatch):
    """An empty workspace of its own; no run left active afterwards."""
    root = tmp_path / "ws"
    monkeypatch.delenv(_persist.ENV_VAR, raising=False)
    set_workspace(root)
    yield root
    while _tracking.active_run() is not None:
        _tracking.end_run()
    set_workspace(None)
    for key in [k for k in _store._stores if k[0] == root]:
        _store._stores.pop(key).close()


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = (X.a + 0.5 * rng.normal(size=300) > 0).astype(int)
    return X.assign(label=y), LogisticRegression().fit(X, y)


def _runs():
    return _tracking.search_runs(output_format="list", run_view_type=3)


def _evaluate(data, **kwargs):
    df, model = data
    return evaluate(model, df, targets="label", model_type="classifier", evaluator_config=NO_SHAP, **kwargs)


# ------------------------------------------------------------------ evaluate() logs


def test_evaluate_without_a_run_creates_exactly_one_finished_run(ws, data):
    result = _evaluate(data)
    (run,) = _runs()
    assert result.run_id == run.info.run_id and _tracking.active_run() is None
    assert run.info.status == "FINISHED" and run.info.end_time >= run.info.start_time
    assert run.info.run_name.startswith("LogisticRegression-") and len(run.info.run_name) == 25
    assert run.data.metrics == pytest.approx({k: float(v) for k, v in result.metrics.items()})
    assert run.data.tags["workbench.evaluation"] == "1"
    assert run.data.tags["workbench.evaluation.model_type"] == "classifier"
    assert _tracking.last_active_run().info.run_id == run.info.run_id  # as after mlflow.evaluate
    saved = ws / "runs" / run.info.run_id / "artifacts" / "evaluation"
    assert {p.name for p in saved.iterdir()} >= {
        "artifacts", "artifacts_metadata.json", "metrics.json", "workbench.json", "curves.json"}
    assert not any(p.name.startswith(".") for p in saved.parent.iterdir())  # no staging left
    assert json.loads((saved / "workbench.json").read_text())["run"]["run_id"] == run.info.run_id
    assert json.loads((saved / "metrics.json").read_text())["roc_auc"] == result.metrics["roc_auc"]


def test_evaluate_inside_a_run_logs_there(ws, data):
    with workbench.start_run(run_name="outer") as run:
        first = _evaluate(data)
        assert _tracking.active_run().info.run_id == run.info.run_id  # still running
    (only,) = _runs()
    assert first.run_id == run.info.run_id == only.info.run_id
    assert only.info.run_name == "outer" and only.info.status == "FINISHED"
    assert only.data.metrics["accuracy_score"] == first.metrics["accuracy_score"]
    assert load_evaluation("outer") == first


def test_two_evaluations_in_one_run_keep_the_last_and_the_metric_history(ws, data):
    df, model = data
    with workbench.start_run(run_name="twice") as run:
        _evaluate(data)
        second = evaluate(model, df.iloc[:100], targets="label", model_type="classifier", evaluator_config=NO_SHAP)
    assert load_evaluation(run.info.run_id) == second
    history = _store.get_store().get_metric_history(run.info.run_id, "example_count")
    assert [v for v, _s, _t in history] == [300.0, 100.0]


def test_load_by_id_and_name_equals_the_original(ws, data):
    result = _evaluate(data)
    name = _tracking.get_run(result.run_id).info.run_name
    by_id, by_name = load_evaluation(result.run_id), load_evaluation(name)
    assert by_id == result and by_name == result and by_id.run_id == result.run_id
    assert by_id.metrics == result.metrics
    assert [type(c).__name__ for c in by_id.curves] == [type(c).__name__ for c in result.curves]
    roc = result.curve("roc")
    np.testing.assert_array_equal(by_name.curve("roc").fpr, roc.fpr)
    assert by_id.curve("roc").auc == roc.auc == result.metrics["roc_auc"]
    assert sorted(by_id.tables) == sorted(result.tables)
    assert result.rows is not None and result.rows.n_rows == 300  # kept for compare()'s bootstrap
    assert by_id.rows == result.rows and by_name.rows == result.rows
    np.testing.assert_array_equal(by_id.rows.scores, result.rows.scores)
    run = _tracking.get_run(result.run_id)
    assert load_evaluation(run) == result  # a Run object
    assert load_evaluation(_store.get_store().get_run(result.run_id)) == result  # a store record


def test_run_id_survives_save_and_load(ws, data, tmp_path):
    result = _evaluate(data)
    result.save(tmp_path / "copy")
    assert EvaluationResult.load(tmp_path / "copy").run_id == result.run_id
    loaded = load_evaluation(result.run_id)
    loaded.save(tmp_path / "copy2")
    assert EvaluationResult.load(tmp_path / "copy2").run_id == result.run_id


def test_load_by_name_takes_the_newest_not_deleted_run(ws, data):
    df, model = data
    with workbench.evaluation._persist.logging_disabled():
        old = _evaluate(data)
        new = evaluate(model, df.iloc[:150], targets="label", model_type="classifier", evaluator_config=NO_SHAP)
    log_evaluation(old, run_name="same")
    log_evaluation(new, run_name="same")
    with workbench.start_run(run_name="same"):  # newest of all, but holds no evaluation
        pass
    assert load_evaluation("same") == new
    workbench.delete_run(new.run_id)
    assert load_evaluation("same") == old
    assert load_evaluation(new.run_id) == new  # an id finds a deleted run, as get_run does
    workbench.delete_run(old.run_id)
    with pytest.raises(WorkbenchException) as info:
        load_evaluation("same")
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert info.value.message == (
        "No stored evaluation for run 'same': 1 run(s) have that name but none holds an evaluation. "
        "List the runs with workbench.search_runs() or `%workbench list`."
    )


@pytest.mark.parametrize("run", ["nope", "0" * 32, "../../etc/passwd", "x' OR '1'='1"])
def test_unknown_runs_are_not_found(ws, run):
    with pytest.raises(WorkbenchException) as info:
        load_evaluation(run)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert info.value.message == (
        f"No stored evaluation for run {run!r}: no run has that id, and no run (that is not deleted) "
        "has that name. List the runs with workbench.search_runs() or `%workbench list`."
    )


def test_a_run_without_an_evaluation_is_not_found_by_id(ws):
    with workbench.start_run() as run:
        workbench.log_metric("acc", 0.5)
    with pytest.raises(WorkbenchException, match=r"the run holds no evaluation \(nothing under its "
                       r"artifacts/evaluation/\)\. List the runs with workbench\.search_runs\(\)") as info:
        load_evaluation(run.info.run_id)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


@pytest.mark.parametrize("bad", [None, 3, b"run", ""])
def test_load_refuses_what_is_not_a_run(ws, bad):
    with pytest.raises(WorkbenchException, match=r"^load_evaluation expects a run id") as info:
        load_evaluation(bad)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


# ------------------------------------------------------------------ log_evaluation


@pytest.mark.parametrize("name", ["../x", "a/b", "a\\b", "bad\x00name", "line\nbreak", "", " ", "..", "x" * 251])
def test_hostile_run_names_are_refused_before_anything_is_written(ws, name):
    result = EvaluationResult({"acc": 0.5}, {})
    with pytest.raises(WorkbenchException, match=r"^Invalid run name") as info:
        log_evaluation(result, run_name=name)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert _runs() == [] and result.run_id is None


def test_log_into_an_existing_run_keeps_its_status(ws):
    with workbench.start_run(run_name="done") as run:
        pass
    result = EvaluationResult({"rmse": 1.5, "note": "text is not a run metric"}, {})
    assert log_evaluation(result, run_id=run.info.run_id) == run.info.run_id == result.run_id
    after = _tracking.get_run(run.info.run_id)
    assert after.info.status == "FINISHED" and after.data.metrics == {"rmse": 1.5}
    assert load_evaluation("done") == result and load_evaluation("done").metrics["note"] == "text is not a run metric"


def test_log_evaluation_with_a_name_inside_a_run_nests(ws):
    with workbench.start_run(run_name="parent") as parent:
        run_id = log_evaluation(EvaluationResult({"acc": 0.5}, {}), run_name="child")
        assert _tracking.active_run().info.run_id == parent.info.run_id
    child = _tracking.get_run(run_id)
    assert child.info.run_name == "child" and child.info.status == "FINISHED"
    assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert _tracking.get_run(parent.info.run_id).data.metrics == {}


def test_log_evaluation_refuses_bad_arguments(ws):
    result = EvaluationResult({"acc": 0.5}, {})
    with pytest.raises(WorkbenchException, match=r"^log_evaluation expects an EvaluationResult \(what "
                       r"workbench\.evaluate returns\), got dict\.$"):
        log_evaluation({"acc": 0.5})
    with pytest.raises(WorkbenchException, match=r"^log_evaluation takes run_id \(log into that run\) or "
                       r"run_name \(start a run of that name\), not both"):
        log_evaluation(result, run_id="a" * 32, run_name="x")
    with pytest.raises(WorkbenchException, match=r"^Run with id=aaaa") as info:
        log_evaluation(result, run_id="a" * 32)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(WorkbenchException, match=r"^Cannot log the evaluation: metric 'bad key!' cannot be a "
                       r"run metric \(.*\)\. Rename the metric"):
        log_evaluation(EvaluationResult({"bad key!": 0.5}, {}))
    run = workbench.start_run()
    workbench.end_run()
    workbench.delete_run(run.info.run_id)
    with pytest.raises(WorkbenchException, match=r"the run is deleted\. Restore it or log into another run\.$"):
        log_evaluation(result, run_id=run.info.run_id)
    assert [r.info.run_id for r in _runs()] == [run.info.run_id] and result.run_id is None


def test_a_failed_save_leaves_no_partial_evaluation(ws, monkeypatch):
    result = EvaluationResult({"acc": 0.5}, {})

    def disk_full(self, staging, payload):
        (staging / "metrics.json").write_text("{")  # half written, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(EvaluationResult, "_write", disk_full)
    with pytest.raises(OSError, match="No space left"):
        log_evaluation(result, run_name="full")
    (run,) = _runs()
    assert run.info.status == "FAILED" and result.run_id is None and _tracking.active_run() is None
    artifacts = ws / "runs" / run.info.run_id / "artifacts"
    assert list(artifacts.iterdir()) == []  # neither evaluation/ nor its staging directory
    assert "workbench.evaluation" not in run.data.tags


def test_evaluate_keeps_the_result_when_logging_fails(ws, data, monkeypatch):
    def disk_full(self, staging, payload):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(EvaluationResult, "_write", disk_full)
    with pytest.raises(WorkbenchException) as info:
        _evaluate(data)
    assert info.value.error_code == "IO_ERROR"
    assert info.value.message == (
        "The evaluation finished but could not be logged to the workspace: OSError: [Errno 28] No space left "
        "on device The result is err.result; to evaluate without logging, set WORKBENCH_LOG_EVALUATIONS=0."
    )
    assert isinstance(info.value.result, EvaluationResult) and info.value.result.metrics["example_count"] == 300


# ------------------------------------------------------------------ the switch


def test_logging_can_be_switched_off(ws, data, monkeypatch):
    with _persist.logging_disabled():
        assert _evaluate(data).run_id is None
    assert _persist.logging_enabled()
    monkeypatch.setenv(_persist.ENV_VAR, "off")
    assert _evaluate(data).run_id is None
    assert _runs() == []
    monkeypatch.setenv(_persist.ENV_VAR, "sometimes")
    with pytest.raises(WorkbenchException, match=r"^WORKBENCH_LOG_EVALUATIONS='sometimes' is not understood"):
        _evaluate(data)
    monkeypatch.setenv(_persist.ENV_VAR, "1")
    assert _evaluate(data).run_id is not None and len(_runs()) == 1


def test_the_switch_is_per_thread(ws):
    import threading

    seen = []
    with _persist.logging_disabled():
        thread = threading.Thread(target=lambda: seen.append(_persist.logging_enabled()))
        thread.start()
        thread.join()
        seen.append(_persist.logging_enabled())
    assert seen == [True, False]


def test_bad_arguments_start_no_run(ws, data):
    df, model = data
    with pytest.raises(WorkbenchException, match="Unsupported model_type"):
        evaluate(model, df, targets="label", model_type="ranker")
    assert _runs() == []


# ------------------------------------------------------------------ the notebook's two functions


def test_workspace_save_and_load_result_use_the_core(ws, data):
    result = _evaluate(data)
    run_id = result.run_id
    assert _workspace.save_result(result) == run_id  # already logged by evaluate
    assert _workspace.save_result(result, "rf-depth7") == run_id  # evaluate's run, renamed
    (run,) = _runs()
    assert run.info.run_name == "rf-depth7" and _workspace.load_result("rf-depth7") == result
    assert _workspace.save_result(result, "rf-depth7") == run_id
    other = _workspace.save_result(result, "copy")  # a run named by the user is not renamed again
    assert other == result.run_id != run_id and len(_runs()) == 2
    assert _tracking.get_run(run_id).info.run_name == "rf-depth7"
    with pytest.raises(KeyError):
        _workspace.load_result("missing")
    with pytest.raises(WorkbenchException, match="^Invalid run name"):
        _workspace.save_result(result, "../up")


def test_the_magics_name_goes_to_a_new_run_inside_an_active_run(ws, data):
    with workbench.start_run(run_name="session") as session:
        result = _evaluate(data)
        assert result.run_id == session.info.run_id
        child = _workspace.save_result(result, "rf")
    assert _tracking.get_run(child).data.tags["mlflow.parentRunId"] == session.info.run_id
    assert _tracking.get_run(session.info.run_id).info.run_name == "session"


# ------------------------------------------------------------------ a restarted kernel


def test_a_second_process_lists_and_loads_what_the_first_evaluated(ws, tmp_path):
    env = {**os.environ, "WORKBENCH_HOME": str(ws)}
    env.pop(_persist.ENV_VAR, None)
    first = textwrap.dedent("""
        import numpy as np, pandas as pd, workbench
        from sklearn.tree import DecisionTreeClassifier
        rng = np.random.default_rng(1)
        df = pd.DataFrame({"a": rng.normal(size=200)}).assign(label=lambda d: (d.a > 0).astype(int))
        model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(df[["a"]], df.label)
        result = workbench.evaluate(model, df, targets="label", model_type="classifier",
                                    evaluator_config={"log_model_explainability": False})
        result.save(%r)
        print(result.run_id)
    """ % str(tmp_path / "copy"))
    run_id = subprocess.run([sys.executable, "-c", first], env=env, capture_output=True, text=True,
                            check=True).stdout.strip()
    second = textwrap.dedent("""
        import json, workbench
        runs = workbench.search_runs(output_format="list")
        result = workbench.load_evaluation(runs[0].info.run_name)
        print(json.dumps([[r.info.run_id for r in runs], runs[0].info.run_name, result.run_id,
                          result.metrics["accuracy_score"]]))
    """)
    out = subprocess.run([sys.executable, "-c", second], env=env, capture_output=True, text=True, check=True)
    ids, name, loaded_id, accuracy = json.loads(out.stdout)
    assert ids == [run_id] == [loaded_id] and name.startswith("DecisionTreeClassifier-")
    assert load_evaluation(run_id) == EvaluationResult.load(tmp_path / "copy")
    assert accuracy == load_evaluation(name).metrics["accuracy_score"]
