"""The README's quickstart runs as written."""

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_quickstart_runs(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has no python block"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert "Model is missing inputs ['mean radius']" in capsys.readouterr().out
    assert 0.9 < namespace["result"].metrics["roc_auc"] <= 1.0
    assert (tmp_path / "rf_model" / "MLmodel").is_file()
    assert (tmp_path / "rf_eval" / "metrics.json").is_file()
    # The comparison part: the stored result loads back equal, deltas are the metric differences.
    assert namespace["same"] == namespace["result"]
    comparison = namespace["comparison"]
    assert comparison.paired and comparison.names == ["forest", "logistic"]
    assert len(comparison.to_frame()) == len(comparison.metrics)
    row = comparison.metric("roc_auc")
    forest, logistic = namespace["result"].metrics["roc_auc"], namespace["other"].metrics["roc_auc"]
    assert row["deltas"]["logistic"] == pytest.approx(logistic - forest, abs=1e-12)
    low, high = row["delta_ci"]["logistic"]
    assert low <= high
    html = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert html.count("Plotly") > 0 and "forest" in html and "logistic" in html
