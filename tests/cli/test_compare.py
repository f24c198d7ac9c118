"""``workbench compare``: deltas with confidence intervals, gates (exit 1), JSON, report."""

from __future__ import annotations

import json

import pytest

import workbench
from workbench.cli._output import to_jsonable
from workbench.evaluation import EvaluationResult, MetricThreshold

from .conftest import copy_result_dir, parse_table


def _load(cli, name):
    return EvaluationResult.load(cli.workspace / "runs" / cli.run_ids[name] / "artifacts" / "evaluation")


@pytest.fixture(scope="module")
def in_process(evaluated):
    """workbench.compare on the same two saved results, in this process."""
    return workbench.compare({"lr": _load(evaluated, "lr"), "stump": _load(evaluated, "stump")},
                             baseline="lr", n_resamples=200, seed=3)


def test_compare_json_equals_the_python_api(evaluated, in_process):
    result = evaluated("compare", "lr", "stump", "--n-resamples", "200", "--seed", "3", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(json.dumps(to_jsonable(in_process.to_dict())))


def test_compare_table_shows_values_deltas_and_intervals(evaluated, in_process):
    result = evaluated("compare", "lr", "stump", "--n-resamples", "200", "--seed", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Compared with baseline lr (paired bootstrap, 200 resamples, 95% intervals)"
    table = "\n".join(lines[1:1 + 1 + len(in_process.metrics)])
    rows = {r["METRIC"]: r for r in parse_table(table)}
    auc = in_process.metric("roc_auc")
    row = rows["roc_auc"]
    assert row["lr (baseline)"] == f"{auc['values']['lr']:.6g}"
    assert row["stump"] == f"{auc['values']['stump']:.6g}"
    delta = auc["deltas"]["stump"]
    assert row["Δ stump"] == f"{delta:+.6g} worse*"  # the stump is significantly worse
    lo, hi = auc["delta_ci"]["stump"]
    assert row["95% CI of Δ stump"] == f"[{lo:+.6g}, {hi:+.6g}]"
    assert hi < 0
    assert "* the 95% interval of the delta excludes 0" in result.stdout


def test_failed_gate_exits_1_and_still_writes_the_report(evaluated, tmp_path):
    gates = tmp_path / "gates.yaml"
    gates.write_text("roc_auc:\n  min_absolute_change: 0.01\n  greater_is_better: true\n"
                     "example_count:\n  threshold: 10\n  greater_is_better: true\n")
    out = tmp_path / "compare.html"
    result = evaluated("compare", "lr", "stump", "--thresholds", gates, "-o", out)
    assert result.exit_code == 1, result.output
    assert "gate FAIL  stump  roc_auc: Metric roc_auc minimum absolute change check failed:" in result.stdout
    assert "gate pass  stump  example_count" in result.stdout
    assert result.stdout.rstrip().endswith(f"Wrote {out}")
    assert out.stat().st_size > 3_000_000
    python = workbench.compare({"lr": _load(evaluated, "lr"), "stump": _load(evaluated, "stump")},
                               thresholds={"roc_auc": MetricThreshold(min_absolute_change=0.01,
                                                                      greater_is_better=True)})
    assert python.passed is False


def test_passing_gates_exit_0(evaluated, tmp_path):
    gates = tmp_path / "gates.json"
    gates.write_text(json.dumps({"roc_auc": {"min_absolute_change": 0.01, "greater_is_better": True}}))
    result = evaluated("compare", "stump", "lr", "--thresholds", gates, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["baseline"] == "stump"
    assert out["gates"] == {"lr": {"roc_auc": {"passed": True, "message": None}}}


def test_baseline_option_and_directories(evaluated, tmp_path):
    directory = copy_result_dir(evaluated, evaluated.run_ids["stump"], tmp_path / "stump-dir")
    out = json.loads(evaluated("compare", "lr", str(directory), "--baseline", str(directory), "--json").stdout)
    assert out["baseline"] == str(directory)
    assert out["names"] == ["lr", str(directory)]
    # a baseline that is not among the runs is added first
    out = json.loads(evaluated("compare", "lr", "--baseline", "stump", "--json").stdout)
    assert out["names"] == ["stump", "lr"] and out["baseline"] == "stump"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["lr"], 2, "got one run ('lr'); compare needs two or more"),
        (["lr", "nope"], 3, "No stored evaluation for run 'nope'"),
        (["lr", "lr"], 3, "'lr' is given twice"),
        (["lr", "stump", "--confidence", "1.5"], 2, "1.5 is not in the range 0<x<1"),
        (["lr", "stump", "--n-resamples", "0"], 2, "0 is not in the range x>=1"),
    ],
)
def test_compare_errors(evaluated, args, code, message):
    result = evaluated("compare", *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
