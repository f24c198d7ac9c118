"""``workbench report``: one offline HTML file from a run, a result directory, or several."""

from __future__ import annotations

import re

import pytest

from .conftest import copy_result_dir


def test_report_of_one_run(evaluated, tmp_path):
    out = tmp_path / "report.html"
    result = evaluated("report", "lr", "-o", out, "--title", "Churn <model> & co")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {out}\n"
    html = out.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "<title>Churn &lt;model&gt; &amp; co</title>" in html
    assert "Churn <model>" not in html
    assert not re.search(r'<script[^>]+src="https?://', html)  # inline: no network request
    assert len(html) > 3_000_000  # plotly.js is inside


def test_report_of_a_result_directory_equals_the_run(evaluated, tmp_path):
    directory = copy_result_dir(evaluated, evaluated.run_ids["lr"], tmp_path / "eval")
    from_dir = tmp_path / "dir.html"
    from_run = tmp_path / "run.html"
    assert evaluated("report", directory, "-o", from_dir, "--title", "t").exit_code == 0
    assert evaluated("report", evaluated.run_ids["lr"], "-o", from_run, "--title", "t").exit_code == 0
    assert from_dir.read_bytes() == from_run.read_bytes()


def test_report_plotlyjs_modes(evaluated, tmp_path):
    cdn = tmp_path / "cdn.html"
    assert evaluated("report", "lr", "-o", cdn, "--plotlyjs", "cdn").exit_code == 0
    assert re.search(r'<script[^>]+src="https://cdn\.plot\.ly/', cdn.read_text())
    assert cdn.stat().st_size < 1_000_000
    beside = tmp_path / "dir" / "report.html"
    beside.parent.mkdir()
    assert evaluated("report", "lr", "-o", beside, "--plotlyjs", "directory").exit_code == 0
    assert '<script src="plotly.min.js"' in beside.read_text()
    assert (beside.parent / "plotly.min.js").stat().st_size > 3_000_000


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["lr"], 2, "Missing option '-o' / '--output'"),
        (["lr", "-o", "{out}", "--plotlyjs", "web"], 2, "'web' is not one of 'inline', 'cdn', 'directory'"),
        (["nope", "-o", "{out}"], 3, "No stored evaluation for run 'nope'"),
        (["lr", "lr", "-o", "{out}"], 3, "'lr' is given twice"),
    ],
)
def test_report_errors(evaluated, tmp_path, args, code, message):
    out = tmp_path / "r.html"
    result = evaluated("report", *[a.format(out=out) for a in args])
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert not out.exists()


def test_report_of_several_runs_is_a_comparison(evaluated, tmp_path):
    out = tmp_path / "compare.html"
    result = evaluated("report", "lr", "stump", "-o", out, "--title", "lr vs stump")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<title>lr vs stump</title>" in html
    assert "stump" in html and "lr" in html
    import workbench
    from workbench.evaluation import EvaluationResult

    runs = evaluated.workspace / "runs"
    results = {n: EvaluationResult.load(runs / evaluated.run_ids[n] / "artifacts" / "evaluation")
               for n in ("lr", "stump")}
    expected = workbench.compare(results, baseline="lr").to_html(title="lr vs stump")
    assert html == expected
