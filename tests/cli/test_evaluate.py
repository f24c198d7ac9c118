"""``workbench evaluate``: the printed metrics are the evaluation's, the run is saved."""

from __future__ import annotations

import pytest

import workbench
from workbench.cli._output import number
from workbench.evaluation import EvaluationResult

from .conftest import metric_rows

NO_EXPLAIN = {"log_model_explainability": False}


@pytest.fixture
def expected(files, monkeypatch):
    """What workbench.evaluate computes in-process for the same inputs (not logged)."""
    monkeypatch.setenv("WORKBENCH_LOG_EVALUATIONS", "0")

    def run(model, data, **kwargs):
        return workbench.evaluate(model, data, model_type="classifier", targets="label",
                                  evaluator_config=NO_EXPLAIN, **kwargs)

    return run


def _saved(cli, run_id):
    return EvaluationResult.load(cli.workspace / "runs" / run_id / "artifacts" / "evaluation")


def test_evaluate_prints_the_metrics_and_saves_the_run(cli, files, expected):
    result = cli("evaluate", files["lr"], files["csv"], "--targets", "label",
                 "--model-type", "classifier", "--name", "lr-depth", "--no-explain")
    assert result.exit_code == 0, result.output
    want = expected(str(files["lr"]), files["frame"])
    printed = metric_rows(result.stdout)
    assert printed == {k: number(v) for k, v in want.metrics.items()}
    assert printed["example_count"] == str(len(files["frame"]))
    assert "skipped explanation: evaluator_config['log_model_explainability'] is False" in result.stdout
    last = result.stdout.rstrip().splitlines()
    run_id = last[-2].split("(")[-1].rstrip(").")
    assert last[-2] == f"Saved as run lr-depth ({run_id})."
    assert last[-1] == f"Report: workbench report {run_id} -o report.html"
    saved = _saved(cli, run_id)
    assert saved.metrics == want.metrics
    assert saved.run_id == run_id
    assert saved.dataset.get("path") == str(files["csv"]) or str(files["csv"]) in str(saved.dataset)
    shown = cli.json("runs", "show", "lr-depth")
    assert shown["run_id"] == run_id and shown["status"] == "FINISHED"
    assert shown["metrics"] == pytest.approx({k: float(v) for k, v in want.metrics.items()})


def test_evaluate_json_equals_the_saved_result(cli, files, expected):
    out = cli.json("evaluate", files["lr"], files["parquet"], "--targets", "label",
                   "--model-type", "classifier", "--no-explain")
    saved = _saved(cli, out["run_id"])
    assert out["metrics"] == saved.metrics
    assert out["metrics"] == expected(str(files["lr"]), files["frame"]).metrics  # parquet == csv
    assert out["run_name"].startswith("LogisticRegression-")
    assert out["skipped"] == {"explanation": "evaluator_config['log_model_explainability'] is False"}
    assert out["comparison"] is None


def test_evaluate_static_predictions_with_a_probability_column(cli, files, expected):
    import pandas as pd

    out = cli.json("evaluate", files["scored"], "--targets", "label", "--predictions", "pred",
                   "--model-type", "classifier", "--config", '{"probability_columns": "proba"}')
    want = workbench.evaluate(data=pd.read_csv(files["scored"]), targets="label", predictions="pred",
                              model_type="classifier", evaluator_config={"probability_columns": "proba"})
    assert out["metrics"] == want.metrics
    assert "roc_auc" in out["metrics"] and out["run_name"].startswith("static-classifier-")


def test_evaluate_config_file(cli, files, tmp_path, expected):
    config = tmp_path / "config.yaml"
    config.write_text("pos_label: 0\nlog_model_explainability: false\n")
    out = cli.json("evaluate", files["lr"], files["csv"], "--targets", "label",
                   "--model-type", "classifier", "--config", config)
    want = workbench.evaluate(str(files["lr"]), files["frame"], model_type="classifier", targets="label",
                              evaluator_config={"pos_label": 0, "log_model_explainability": False})
    assert out["metrics"] == want.metrics
    assert out["metrics"]["true_positives"] == want.metrics["true_positives"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{lr}"], "got one argument"),
        (["{lr}", "{csv}", "extra"], "got 3 arguments; expected MODEL_URI DATA"),
        (["{lr}", "{root}/missing.csv"], "missing.csv': no such file; expected a .csv or .parquet file"),
        (["{lr}", "{root}"], "a directory; expected a .csv or .parquet file"),
        (["{lr}", "{lr}/MLmodel"], "expected a .csv or .parquet file, got"),
        (["{lr}", "{csv}", "--config", "{{nope"], "Invalid value for --config: not valid JSON"),
        (["{lr}", "{csv}", "--config", "nope.yaml"], "Invalid value for --config: expected inline JSON"),
    ],
)
def test_evaluate_usage_errors_exit_2(cli, files, args, message):
    argv = [a.format(**{k: v for k, v in files.items() if k != "frame"}) for a in args]
    result = cli("evaluate", *argv, "--targets", "label", "--model-type", "classifier")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert cli("runs", "list").output.startswith("No runs")


def test_evaluate_requires_a_model_type(cli, files):
    result = cli("evaluate", files["lr"], files["csv"], "--targets", "label")
    assert result.exit_code == 2
    assert "Missing option '--model-type'" in result.stderr


def test_evaluate_bad_targets_exit_3_and_leave_no_run(cli, files):
    result = cli("evaluate", files["lr"], files["csv"], "--targets", "labl", "--model-type", "classifier")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: The targets column 'labl' is not in the data.")
    assert "Did you mean 'label'?" in result.stderr
    assert "Traceback" not in result.output
    assert cli.json("runs", "list") == []


def test_evaluate_with_a_baseline_prints_the_comparison(cli, files):
    base = cli.json("evaluate", files["lr"], files["csv"], "--targets", "label",
                    "--model-type", "classifier", "--name", "lr", "--no-explain")
    result = cli("evaluate", files["stump"], files["csv"], "--targets", "label", "--model-type",
                 "classifier", "--name", "stump", "--no-explain", "--baseline", "lr")
    assert result.exit_code == 0, result.output
    assert "\n\nCompared with baseline lr (paired bootstrap, 1000 resamples, 95% intervals)\n" in result.stdout
    assert "roc_auc" in result.stdout.split("Compared with baseline")[1]
    out = cli.json("evaluate", files["stump"], files["csv"], "--targets", "label", "--model-type",
                   "classifier", "--name", "stump-2", "--no-explain", "--baseline", base["run_id"])
    expected = workbench.compare({base["run_id"]: _saved(cli, base["run_id"]),
                                  "stump-2": _saved(cli, out["run_id"])}, baseline=base["run_id"])
    from workbench.cli._output import to_jsonable

    assert out["comparison"] == to_jsonable(expected.to_dict())
    assert out["comparison"]["paired"] is True


def test_evaluate_unknown_baseline_fails_before_evaluating(cli, files):
    result = cli("evaluate", files["lr"], files["csv"], "--targets", "label",
                 "--model-type", "classifier", "--baseline", "nope")
    assert result.exit_code == 3
    assert "No stored evaluation for run 'nope'" in result.stderr
    assert cli.json("runs", "list") == []


def test_evaluate_a_regressor(cli, tmp_path, monkeypatch):
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    import workbench.sklearn

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    workbench.sklearn.save_model(Ridge().fit(X[:300], y[:300]), tmp_path / "ridge")
    test = X[300:].assign(target=y[300:])
    test.to_parquet(tmp_path / "diabetes.parquet")
    result = cli("evaluate", tmp_path / "ridge", tmp_path / "diabetes.parquet", "--targets", "target",
                 "--model-type", "regressor", "--no-explain")
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("WORKBENCH_LOG_EVALUATIONS", "0")
    want = workbench.evaluate(str(tmp_path / "ridge"), test, targets="target", model_type="regressor",
                              evaluator_config=NO_EXPLAIN)
    printed = metric_rows(result.stdout)
    assert printed == {k: number(v) for k, v in want.metrics.items()}
    assert set(printed) >= {"mean_absolute_error", "root_mean_squared_error", "r2_score"}


def test_evaluation_warnings_go_to_stderr_once(cli, files):
    result = cli("evaluate", files["lr"], files["csv"], "--targets", "label", "--model-type",
                 "classifier", "--no-explain", "--config", '{"no_explain": true, "log_model_explainability": false}')
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1
    assert lines[0].startswith("warning: Unknown evaluator_config key 'no_explain' is ignored.")
    out = cli.json("evaluate", files["lr"], files["csv"], "--targets", "label", "--model-type",
                   "classifier", "--config", '{"no_explain": true, "log_model_explainability": false}')
    assert len(out["warnings"]) == 1 and "'no_explain'" in out["warnings"][0]
