"""`make demo` runs workbench._demo: check that it does what it prints."""

import json

from workbench.evaluation import EvaluationResult
from workbench.models import get_model_info


def test_demo_runs_the_main_job(tmp_path, capsys):
    from workbench._demo import main

    assert main([str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    (out,) = (tmp_path / "out").iterdir()

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

    v1 = EvaluationResult.load(out / "evaluations" / "v1")
    v2 = EvaluationResult.load(out / "evaluations" / "v2")
    assert 0.95 < v1.metrics["roc_auc"] <= 1.0
    assert v2.metrics["example_count"] == 143
    assert {c.kind for c in v1.curves} >= {"roc", "precision_recall", "lift", "calibration"}
    summary = next(line for line in printed.splitlines() if line.startswith("roc_auc"))
    assert f"{v1.metrics['roc_auc']:.4f}" in summary and f"{v2.metrics['roc_auc']:.4f}" in summary
    assert "v2 FAILS the gate" in printed and "log_loss threshold = 0.1" in printed

    payload = json.loads((out / "serving_input_example.json").read_text())
    assert list(payload) == ["dataframe_split"]
    assert len(payload["dataframe_split"]["data"]) == 2
    assert str(out.resolve()) in printed
