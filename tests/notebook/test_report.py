"""HTML reports (workbench.notebook._report): one self-contained file, plotly.js once."""

from __future__ import annotations

import base64
import json
import pathlib
import re
import sys

import numpy as np
import pandas as pd
import plotly
import pytest

import workbench as wb
from workbench import WorkbenchException
from workbench.evaluation import EvaluationResult
from workbench.notebook import _assets, _report, _view
from workbench.notebook._report import save_html, to_html
from workbench.notebook._view import evaluation_view

PLOTLY_JS = (pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()


def _payload(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="wb-payload">(.*?)</script>', page, re.S)
    assert match, "no payload script"
    return match.group(1)


@pytest.fixture(scope="module")
def small():
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_iris(return_X_y=True, as_frame=True)
    y = (y == 2).astype(int)
    model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    return wb.evaluate(model, data=X.assign(label=y), targets="label", model_type="classifier",
                       evaluator_config={"log_model_explainability": False})


@pytest.fixture(scope="module")
def million_rows():
    rng = np.random.default_rng(0)
    n = 1_000_000
    y = rng.integers(0, 2, n)
    p = np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1)
    df = pd.DataFrame({"label": y, "pred": (p >= 0.5).astype(int), "proba": p})
    return wb.evaluate(data=df, targets="label", predictions="pred", model_type="classifier",
                       evaluator_config={"probability_columns": "proba"})


def test_inline_report_is_self_contained_with_plotly_once(small):
    page = to_html(small)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count(PLOTLY_JS[:300]) == 1 and page.count(PLOTLY_JS[-300:]) == 1
    assert PLOTLY_JS in page
    assert page.count(_assets.read_text("panel.js")) == 1
    assert _assets.read_text("panel.css") in page
    # No external resource outside plotly.js's own source text: no src/href, no http URL.
    ours = page.replace(PLOTLY_JS, "")
    assert not re.search(r"\b(src|href)\s*=", ours)
    assert "http://" not in ours and "https://" not in ours
    assert len(page) - len(PLOTLY_JS) < 200_000


def test_payload_round_trips_to_the_view(small):
    page = to_html(small)
    payload = json.loads(_payload(page))
    spec, data = evaluation_view(small)
    assert payload["spec"] == json.loads(json.dumps(spec))
    assert base64.b64decode(payload["data"]) == data


def test_static_fallback_holds_the_metrics(small):
    page = to_html(small, title="My report")
    static = page.split('id="wb-static"', 1)[1].split('id="wb-root"', 1)[0]
    assert "roc_auc" in static and "accuracy_score" in static
    assert "<title>My report</title>" in page and "<h1>My report</h1>" in page


def test_million_row_report_is_plotly_plus_under_500kb(million_rows, tmp_path):
    out = save_html(million_rows, tmp_path / "big.html")
    size = out.stat().st_size
    assert size - len(PLOTLY_JS.encode()) < 500_000, size


def test_cdn_mode_references_the_installed_version(small):
    from plotly.offline import get_plotlyjs_version

    page = to_html(small, plotlyjs="cdn")
    url = f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"
    assert page.count(f'<script src="{url}" charset="utf-8"></script>') == 1
    assert PLOTLY_JS[:300] not in page and len(page) < 300_000


def test_directory_mode_writes_plotly_beside_the_file(small, tmp_path):
    out = save_html(small, tmp_path / "reports" / "a.html", plotlyjs="directory")
    assert out == tmp_path / "reports" / "a.html"
    beside = tmp_path / "reports" / "plotly.min.js"
    assert beside.read_text() == PLOTLY_JS
    page = out.read_text()
    assert '<script src="plotly.min.js" charset="utf-8"></script>' in page
    assert PLOTLY_JS[:300] not in page
    mtime = beside.stat().st_mtime_ns
    save_html(small, tmp_path / "reports" / "b.html", plotlyjs="directory")
    assert beside.stat().st_mtime_ns == mtime  # an identical copy is kept


def test_save_html_replaces_atomically(small, tmp_path):
    target = tmp_path / "r.html"
    target.write_text("old")
    assert save_html(small, str(target)) == target
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary left behind


def test_json_in_script_escapes_angle_brackets_and_ampersands():
    hostile = "</script><script>alert(1)</script>&amp;"
    result = EvaluationResult({hostile: 1.0}, {}, skipped={hostile: hostile})
    page = to_html(result, plotlyjs="cdn")
    payload = _payload(page)
    assert "<" not in payload and ">" not in payload and "&" not in payload
    assert "\\u003c/script\\u003e" in payload
    assert json.loads(payload)["spec"]["metrics"][0]["name"] == hostile
    assert _report.script_json("\u2028") == '"\\u2028"'


def test_comparison_report(tmp_path):
    rng = np.random.default_rng(3)
    n = 2000
    y = rng.integers(0, 2, n)
    results = {}
    for name, noise in (("a", 0.6), ("b", 0.8)):
        p = np.clip(0.4 * y + noise * rng.random(n), 0, 1)
        df = pd.DataFrame({"label": y, "pred": (p >= 0.5).astype(int), "proba": p})
        results[name] = wb.evaluate(data=df, targets="label", predictions="pred",
                                    model_type="classifier",
                                    evaluator_config={"probability_columns": "proba"})
    comparison = wb.compare(results, n_resamples=200)
    page = comparison.to_html(plotlyjs="cdn")
    payload = json.loads(_payload(page))
    spec, data = _view.comparison_view(comparison)
    assert payload["spec"] == json.loads(json.dumps(spec))
    assert base64.b64decode(payload["data"]) == data
    assert payload["spec"]["names"] == ["a", "b"]
    assert payload["spec"]["paired"] is comparison.paired
    static = page.split('id="wb-static"', 1)[1].split('id="wb-root"', 1)[0]
    assert "roc_auc" in static and "wb-comparison" in static
    assert "<title>Comparison of a, b</title>" in page
    out = comparison.save_html(tmp_path / "c.html")
    assert out.stat().st_size - len(PLOTLY_JS.encode()) < 500_000


@pytest.mark.parametrize("bad, message", [
    ({"plotlyjs": "local"}, "plotlyjs must be one of 'inline', 'cdn', 'directory', got 'local'"),
    ({"title": 3}, "title must be a str or None, got int"),
])
def test_bad_options(small, bad, message):
    with pytest.raises(WorkbenchException, match=re.escape(message)):
        to_html(small, **bad)


def test_bad_objects_and_paths(small, tmp_path):
    with pytest.raises(WorkbenchException, match="EvaluationResult .* or a ComparisonResult .* got dict"):
        to_html({"roc_auc": 0.9})
    with pytest.raises(WorkbenchException, match="is a directory. Pass a file path"):
        save_html(small, tmp_path)
    with pytest.raises(WorkbenchException, match="expects a file path .* got int"):
        save_html(small, 3)
    with pytest.raises(WorkbenchException, match="expects a file path such as 'report.html'"):
        save_html(small, "")


def test_missing_plotly_says_how_to_install(small, monkeypatch):
    monkeypatch.setitem(sys.modules, "plotly", None)
    _report._plotly_js.cache_clear()
    try:
        with pytest.raises(WorkbenchException, match=re.escape('pip install "workbench[notebook]"')):
            to_html(small)
    finally:
        _report._plotly_js.cache_clear()


def test_refuses_front_end_text_that_would_end_the_script():
    with pytest.raises(WorkbenchException, match="would end its element early"):
        _report._script_text("x = '</SCRIPT>'", "panel.js")
