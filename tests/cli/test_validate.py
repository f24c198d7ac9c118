"""``workbench validate``: gates from a file, exit 1 on failure, JSON for CI."""

from __future__ import annotations

import json

import pytest

import workbench
from workbench.evaluation import MetricThreshold, ModelValidationFailedException

from .conftest import copy_result_dir, parse_table


def _metrics(cli, run_id):
    return cli.json("runs", "show", run_id)["metrics"]


@pytest.fixture
def gates(tmp_path):
    def write(spec, name="gates.json"):
        path = tmp_path / name
        path.write_text(json.dumps(spec))
        return path

    return write


def test_passing_gates_exit_0(evaluated, gates):
    lr = _metrics(evaluated, "lr")
    path = gates({"roc_auc": {"threshold": lr["roc_auc"] - 0.01, "greater_is_better": True},
                  "log_loss": {"threshold": lr["log_loss"] + 0.01, "greater_is_better": False}})
    result = evaluated("validate", "lr", "--thresholds", path)
    assert result.exit_code == 0, result.output
    rows = parse_table(result.stdout.split("\n\n")[0])
    assert [(r["METRIC"], r["RESULT"]) for r in rows] == [("roc_auc", "pass"), ("log_loss", "pass")]
    assert rows[1]["GATE"] == f"<= {lr['log_loss'] + 0.01:.6g}"
    assert result.stdout.rstrip().endswith("Validation passed: 2 gate(s).")


def test_failing_gate_exits_1_with_mlflows_message(evaluated, gates):
    lr = _metrics(evaluated, "lr")
    path = gates({"roc_auc": {"threshold": 0.5, "greater_is_better": True},
                  "accuracy_score": {"threshold": 0.99, "greater_is_better": True}})
    result = evaluated("validate", "lr", "--thresholds", path)
    assert result.exit_code == 1
    assert "Validation failed: 1 of 2 gate(s)." in result.stdout
    assert (f"  Metric accuracy_score value threshold check failed: candidate model accuracy_score = "
            f"{lr['accuracy_score']}, accuracy_score threshold = 0.99.") in result.stdout
    assert result.stderr == ""


def test_json_summary_matches_validate_evaluation_results(evaluated, gates):
    path = gates({"roc_auc": {"min_absolute_change": 0.01, "greater_is_better": True},
                  "log_loss": {"min_relative_change": 0.1, "greater_is_better": False},
                  "example_count": {"threshold": 1, "greater_is_better": True}})
    result = evaluated("validate", "stump", "--baseline", "lr", "--thresholds", path, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["candidate"], report["baseline"], report["passed"]) == ("stump", "lr", False)
    stump, lr = _metrics(evaluated, "stump"), _metrics(evaluated, "lr")
    by_metric = {m["metric"]: m for m in report["metrics"]}
    assert by_metric["roc_auc"]["candidate"] == pytest.approx(stump["roc_auc"])
    assert by_metric["roc_auc"]["baseline"] == pytest.approx(lr["roc_auc"])
    assert by_metric["roc_auc"]["threshold"] == {"threshold": None, "min_absolute_change": 0.01,
                                                 "min_relative_change": None, "greater_is_better": True}
    assert [by_metric[m]["passed"] for m in ("roc_auc", "log_loss", "example_count")] == [False, False, True]
    # the same verdict and wording as the Python API
    from workbench.evaluation import EvaluationResult

    root = evaluated.workspace / "runs"
    cand = EvaluationResult.load(root / evaluated.run_ids["stump"] / "artifacts" / "evaluation")
    base = EvaluationResult.load(root / evaluated.run_ids["lr"] / "artifacts" / "evaluation")
    thresholds = {"roc_auc": MetricThreshold(min_absolute_change=0.01, greater_is_better=True),
                  "log_loss": MetricThreshold(min_relative_change=0.1, greater_is_better=False),
                  "example_count": MetricThreshold(threshold=1, greater_is_better=True)}
    with pytest.raises(ModelValidationFailedException) as info:
        workbench.validate_evaluation_results(thresholds, cand, base)
    assert report["message"] == info.value.message
    assert by_metric["roc_auc"]["message"] in info.value.message


def test_result_directories_work_as_candidate_and_baseline(evaluated, gates, tmp_path):
    cand = copy_result_dir(evaluated, evaluated.run_ids["lr"], tmp_path / "cand")
    base = copy_result_dir(evaluated, evaluated.run_ids["stump"], tmp_path / "base")
    path = gates({"roc_auc": {"min_absolute_change": 0.01, "greater_is_better": True}}, "g.json")
    result = evaluated("validate", cand, "--baseline", base, "--thresholds", path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["passed"] is True


def test_yaml_thresholds(evaluated, tmp_path):
    path = tmp_path / "gates.yaml"
    path.write_text("roc_auc:\n  threshold: 0.5\n  greater_is_better: true\n")
    assert evaluated("validate", "lr", "--thresholds", path).exit_code == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["lr"], 2, "Missing option '--thresholds'"),
        (["lr", "--thresholds", "missing.json"], 2, "File 'missing.json' does not exist."),
        (["no-such-run", "--thresholds", "{gates}"], 3, "No stored evaluation for run 'no-such-run'"),
        (["lr", "--baseline", "nope", "--thresholds", "{gates}"], 3, "No stored evaluation for run 'nope'"),
        (["lr", "--thresholds", "{bad}"], 2, "`greater_is_better` parameter must be defined"),
    ],
)
def test_validate_errors(evaluated, gates, tmp_path, args, code, message):
    good = gates({"roc_auc": {"threshold": 0.5, "greater_is_better": True}})
    bad = gates({"roc_auc": {"threshold": 0.5}}, "bad.json")
    argv = [a.format(gates=good, bad=bad) for a in args]
    result = evaluated("validate", *argv)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
