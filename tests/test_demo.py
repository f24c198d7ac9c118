"""`make demo` runs workbench._demo: check that it does what it prints."""

import json
import re

import pytest

from workbench.models import get_model_info


def _table(printed: str) -> dict[str, list[str]]:
    """The summary table: metric -> [v1, v2, delta, CI text]."""
    lines = printed.split("95% CI of the delta", 1)[1].splitlines()[2:]
    rows = {}
    for line in lines:
        if not line.strip():
            break
        key, v1, v2, delta, ci = re.match(r"(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*)$", line).groups()
        rows[key] = [v1, v2, delta, ci.strip()]
    return rows


def test_demo_runs_the_main_job(tmp_path, monkeypatch, capsys):
    import workbench
    from workbench import ComparisonResult
    from workbench._demo import SUMMARY_METRICS, _workspace, main
    from workbench.store import get_workspace

    monkeypatch.chdir(tmp_path)
    workspace_before = get_workspace()
    assert main([str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    (out,) = (tmp_path / "out").iterdir()
    # the demo's runs live in its own folder: neither ./.workbench nor the workspace in use
    assert not (tmp_path / ".workbench").exists()
    assert get_workspace() == workspace_before
    assert (out / "workspace").is_dir()

    sig_v1 = get_model_info(str(out / "models" / "v1")).signature
    sig_v2 = get_model_info(str(out / "models" / "v2")).signature
    assert len(sig_v1.inputs.inputs) == 30
    assert len(sig_v2.inputs.inputs) == 29
    assert (out / "signature_diff.txt").read_text().splitlines() == [
        "+ inputs.area ratio: double (required)",
        "- inputs.mean fractal dimension: double",
        "- inputs.worst symmetry: double",
        "~ inputs.mean area: double -> float",
    ]
    assert "v1 accepts the test batch" in printed
    assert printed.count("refused ") == 4
    assert "Model is missing inputs ['mean radius']" in printed

    # both evaluations were persisted as runs "v1" and "v2" of the demo's workspace
    with _workspace(out / "workspace"):
        v1 = workbench.load_evaluation("v1")
        v2 = workbench.load_evaluation("v2")
    assert 0.95 < v1.metrics["roc_auc"] <= 1.0
    assert v2.metrics["example_count"] == 143
    assert {c.kind for c in v1.curves} >= {"roc", "precision_recall", "lift", "calibration"}

    # the summary table shows the stored values, their deltas and the paired bootstrap
    # interval of each delta, as the saved comparison holds them
    comparison = ComparisonResult.load(out / "comparison")
    assert comparison.paired and comparison.names == ["v1", "v2"] and comparison.baseline == "v1"
    table = _table(printed)
    assert set(table) == {k for k in SUMMARY_METRICS if k in v1.metrics and k in v2.metrics}
    for key, (a, b, delta, ci) in table.items():
        assert a == f"{v1.metrics[key]:.4f}" and b == f"{v2.metrics[key]:.4f}", key
        assert float(delta) == pytest.approx(v2.metrics[key] - v1.metrics[key], abs=1e-4)
        stored = comparison.metric(key)["delta_ci"]["v2"]
        if stored is None:
            assert ci == "-"
        else:
            lo, hi = stored
            assert ci == f"[{lo:+.4f}, {hi:+.4f}]"
    for key in ("accuracy_score", "f1_score", "log_loss", "roc_auc"):
        lo, hi = comparison.metric(key)["delta_ci"]["v2"]
        assert lo <= v2.metrics[key] - v1.metrics[key] <= hi
    assert comparison.gates["v2"]["log_loss"]["passed"] is False
    assert "v2 FAILS the gate" in printed and "log_loss threshold = 0.1" in printed

    # one report, the comparison, whose absolute path is the last line printed
    report = printed.rstrip().splitlines()[-1]
    assert report.startswith("/") and report.endswith("report.html")
    html = open(report, encoding="utf-8").read()
    assert html.count("* plotly.js v") == 1
    assert "workbench demo: v1 vs v2" in html
    assert [p.name for p in out.glob("*.html")] == ["report.html"]

    payload = json.loads((out / "serving_input_example.json").read_text())
    assert list(payload) == ["dataframe_split"]
    assert len(payload["dataframe_split"]["data"]) == 2
    assert str(out.resolve()) in printed
