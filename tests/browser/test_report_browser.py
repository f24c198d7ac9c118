"""HTML reports opened from file:// in headless Chromium: they render offline and work.

Checks: plots drawn, tables filled, tabs switch, the threshold slider and cost inputs change
the confusion numbers to the threshold table's, sortable headers sort, hostile names stay
text (no dialog fires), zero console errors, zero network requests. Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys
import time

import numpy as np
import pytest

import workbench as wb
from workbench.notebook._report import save_html

_spec = importlib.util.spec_from_file_location(
    "_wb_report_chromium", pathlib.Path(__file__).with_name("_chromium.py"))
_chromium = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _chromium  # dataclasses look their module up
_spec.loader.exec_module(_chromium)

CORPUS = (
    "</script><img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
)


@pytest.fixture(scope="module")
def browser():
    with _chromium.chromium() as b:
        yield b


@pytest.fixture(scope="module")
def binary():
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=5000).fit(X, y)
    return wb.evaluate(model, data=X.assign(label=y), targets="label", model_type="classifier")


def _open(browser, path):
    w = _chromium.watched_page(browser)
    start = time.perf_counter()
    w.page.goto(path.as_uri())
    w.page.wait_for_selector('body[data-wb-ready="1"]', timeout=30_000)
    w.seconds = time.perf_counter() - start
    return w


def _tab(page, name):
    page.click(f'.wb-tab[data-tab="{name}"]')
    assert page.get_attribute(f'.wb-tab[data-tab="{name}"]', "aria-selected") == "true"
    assert page.locator(f'.wb-tabpanel[data-tab="{name}"]').is_visible()


def _wait_plots(page, tab, n):
    page.wait_for_function(
        "([tab, n]) => document.querySelectorAll("
        "`.wb-tabpanel[data-tab=\"${tab}\"] .js-plotly-plot .main-svg`).length >= n",
        arg=[tab, n], timeout=30_000)
    return page.locator(f'.wb-tabpanel[data-tab="{tab}"] .js-plotly-plot').count()


@pytest.fixture(scope="module")
def report(browser, binary, tmp_path_factory):
    path = save_html(binary, tmp_path_factory.mktemp("reports") / "binary.html")
    w = _open(browser, path)
    yield w
    w.page.close()


def test_evaluation_report_renders_offline(report, binary):
    page = report.page
    print(f"binary report opened and rendered in {report.seconds:.2f} s")
    assert page.locator("#wb-static").is_hidden()
    tabs = page.eval_on_selector_all(".wb-tab", "els => els.map(e => e.dataset.tab)")
    assert tabs == ["summary", "curves", "threshold", "per-class", "explain", "data"]
    rows = page.locator(".wb-metrics tbody tr")
    assert rows.count() == len(binary.metrics)
    cell = page.locator('.wb-metrics tr[data-metric="roc_auc"] td[data-value]')
    assert float(cell.get_attribute("data-value")) == binary.metrics["roc_auc"]
    assert cell.inner_text() == f"{binary.metrics['roc_auc']:.4g}"
    _chromium.screenshot(page, "report-binary-summary")

    _tab(page, "curves")
    assert _wait_plots(page, "curves", 6) == 6
    legend = page.locator('.wb-plot[data-plot="roc"]').text_content()
    assert f"AUC {binary.metrics['roc_auc']:.4g}" in legend
    assert page.locator('.wb-tabpanel[data-tab="summary"]').is_hidden()
    _chromium.screenshot(page, "report-binary-curves")

    _tab(page, "explain")
    assert _wait_plots(page, "explain", 2) == 2
    ticks = page.locator('.wb-plot[data-plot="beeswarm"]').text_content()
    assert binary.explanation.importance().index[0] in ticks
    _chromium.screenshot(page, "report-binary-explain")

    _tab(page, "data")
    assert page.locator(".wb-features li").count() == 30
    _tab(page, "per-class")
    assert page.locator(".wb-confusion tbody td").all_inner_texts() == ["197", "15", "9", "348"]

    assert report.errors == []
    assert report.foreign_requests() == []
    assert any(u.startswith("blob:") for u in report.requests)


def test_threshold_slider_moves_the_confusion_matrix(report, binary):
    page = report.page
    table = binary.tables["threshold_table"]
    n = len(table.thresholds)
    _tab(page, "threshold")
    _wait_plots(page, "threshold", 1)

    def shown():
        row = int(page.get_attribute(".wb-threshold", "data-row"))
        cells = {k: float(page.get_attribute(f'.wb-cm td[data-cell="{k}"]', "data-value"))
                 for k in ("tp", "fp", "tn", "fn")}
        return row, cells

    row, cells = shown()
    assert row == int(np.nonzero(table.thresholds >= 0.5)[0][-1])
    assert cells == {"tp": 348, "fp": 15, "tn": 197, "fn": 9}
    assert page.inner_text('.wb-cm td[data-cell="tp"]') == "348"

    page.fill(".wb-threshold input[type=range]", "40")
    row, cells = shown()
    assert row == n - 1 - 40
    assert cells == {k: float(getattr(table, k)[row]) for k in ("tp", "fp", "tn", "fn")}
    assert cells["tp"] >= 348 and cells["fp"] > 15  # a lower threshold: more positives
    value = float(page.get_attribute(".wb-threshold-value", "data-value"))
    assert value == pytest.approx(table.thresholds[row], rel=1e-6)
    f1 = float(page.get_attribute('.wb-threshold-metrics dd[data-metric="f1"]', "data-value"))
    assert f1 == pytest.approx(table.f1[row], rel=1e-6)

    page.focus(".wb-threshold input[type=range]")
    page.keyboard.press("ArrowRight")
    assert shown()[0] == row - 1

    # A cost matrix: FP costs 5, FN 1; the expected cost is the table's, and the button
    # moves to the cheapest threshold.
    page.fill('.wb-cost input[data-cost="fp"]', "5")
    row, _ = shown()
    expected = (5 * table.fp[row] + table.fn[row]) / (table.tp[row] + table.fp[row]
                                                     + table.tn[row] + table.fn[row])
    assert page.inner_text('[data-metric="expected_cost"]') == f"{expected:.4g}"
    page.click(".wb-best")
    costs = (5 * table.fp + table.fn) / (table.tp + table.fp + table.tn + table.fn)
    assert shown()[0] == int(np.argmin(costs.astype(np.float32)))
    _chromium.screenshot(page, "report-binary-threshold")
    assert report.errors == []


def test_print_shows_every_tab(report):
    page = report.page
    page.emulate_media(media="print")
    try:
        for tab in ("summary", "curves", "threshold", "explain", "data"):
            assert page.locator(f'.wb-tabpanel[data-tab="{tab}"]').is_visible()
        assert page.locator(".wb-tabs").is_hidden()
    finally:
        page.emulate_media(media="screen")


def test_multiclass_per_class_table_sorts(browser, tmp_path):
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=500).fit(X, y)
    result = wb.evaluate(model, data=X.assign(label=y), targets="label", model_type="classifier",
                         evaluator_config={"log_model_explainability": False})
    w = _open(browser, save_html(result, tmp_path / "iris.html"))
    page = w.page
    _tab(page, "curves")
    assert _wait_plots(page, "curves", 3) == 3  # ROC and PR one-vs-rest + micro/macro, calibration
    legend = page.locator('.wb-plot[data-plot="roc"]').text_content()
    assert "class micro" in legend and "class macro" in legend and "class 2" in legend

    _tab(page, "per-class")
    rows = result.tables["per_class_metrics"].rows
    col = result.tables["per_class_metrics"].columns.index("f1_score")
    header = page.locator(".wb-per-class thead th").nth(col)

    def first_column():
        return page.locator(".wb-per-class tbody tr td:first-child").all_inner_texts()

    assert first_column() == ["0", "1", "2"]
    header.locator("button").click()
    by_f1 = sorted(rows, key=lambda r: -r["f1_score"])
    assert first_column() == [r["positive_class"] for r in by_f1]
    assert header.get_attribute("aria-sort") == "descending"
    header.locator("button").click()
    assert first_column() == [r["positive_class"] for r in sorted(rows, key=lambda r: r["f1_score"])]
    assert header.get_attribute("aria-sort") == "ascending"
    _chromium.screenshot(page, "report-multiclass-per-class")
    assert w.errors == [] and w.foreign_requests() == []
    w.page.close()


def test_regressor_report(browser, tmp_path):
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    result = wb.evaluate(LinearRegression().fit(X, y), data=X.assign(target=y), targets="target",
                         model_type="regressor",
                         evaluator_config={"log_model_explainability": False})
    w = _open(browser, save_html(result, tmp_path / "regressor.html"))
    page = w.page
    tabs = page.eval_on_selector_all(".wb-tab", "els => els.map(e => e.textContent)")
    assert tabs == ["Summary", "Residuals", "Data"]
    assert page.locator(".wb-metrics tbody tr").count() == len(result.metrics)
    _tab(page, "curves")
    assert _wait_plots(page, "curves", 2) == 2
    _chromium.screenshot(page, "report-regressor")
    assert w.errors == [] and w.foreign_requests() == []
    w.page.close()


def test_hostile_names_stay_text(browser, tmp_path):
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 3)), columns=list(CORPUS))
    y = np.array(CORPUS, dtype=object)[X.to_numpy().argmax(axis=1)]
    model = LogisticRegression(max_iter=500).fit(X, y)
    result = wb.evaluate(model, data=X.assign(label=y), targets="label", model_type="classifier")
    for text in CORPUS:
        result.metrics[text] = 0.5
        result.skipped[text] = text
    result.model["class"] = CORPUS[1]
    result.dataset["name"] = CORPUS[0]
    w = _open(browser, save_html(result, tmp_path / "hostile.html"))
    page = w.page
    for tab in page.eval_on_selector_all(".wb-tab", "els => els.map(e => e.dataset.tab)"):
        _tab(page, tab)
    _wait_plots(page, "explain", 2)
    _wait_plots(page, "curves", 3)
    page.wait_for_timeout(300)
    assert w.dialogs == []
    assert page.locator("#wb-root img, #wb-root svg[onload], [onerror]").count() == 0
    body = page.locator("#wb-root").text_content()
    for text in CORPUS:
        assert text in body
    assert CORPUS[0] in page.locator('.wb-plot[data-plot="beeswarm"]').text_content()
    assert page.title().startswith(f"classifier {CORPUS[1]} on {CORPUS[0]} (300 rows)")
    _tab(page, "explain")
    _chromium.screenshot(page, "report-hostile-names")
    assert w.errors == [] and w.foreign_requests() == []
    w.page.close()


# ------------------------------------------------------------------ comparisons


@pytest.fixture(scope="module")
def comparison():
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    df = X.assign(label=y)
    config = {"log_model_explainability": False}
    a = wb.evaluate(LogisticRegression(max_iter=5000).fit(X, y), data=df, targets="label",
                    model_type="classifier", evaluator_config=config)
    b = wb.evaluate(DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y), data=df,
                    targets="label", model_type="classifier", evaluator_config=config)
    thresholds = {"roc_auc": wb.MetricThreshold(threshold=0.99, greater_is_better=True),
                  "f1_score": wb.MetricThreshold(threshold=0.9, greater_is_better=True)}
    return wb.compare({"logreg": a, "tree": b}, thresholds=thresholds, n_resamples=100)


def test_comparison_report_renders_offline(browser, comparison, tmp_path):
    w = _open(browser, save_html(comparison, tmp_path / "comparison.html"))
    page = w.page
    print(f"comparison report opened and rendered in {w.seconds:.2f} s")
    rows = page.locator(".wb-compare-metrics tbody tr")
    assert rows.count() == len(comparison.metrics)
    row = comparison.metric("accuracy_score")
    delta = page.locator('.wb-compare-metrics tr[data-metric="accuracy_score"] td.wb-delta')
    assert float(delta.get_attribute("data-value")) == row["deltas"]["tree"]
    assert delta.get_attribute("data-better") == str(row["better"]["tree"]).lower()
    lo, hi = row["delta_ci"]["tree"]

    def signed(x):  # as the panel writes a delta: 4 significant digits, "+" when positive
        return f"+{x:.4g}" if x > 0 else f"{x:.4g}"

    assert f"[{signed(lo)}, {signed(hi)}]" in delta.inner_text()
    badges = page.locator(".wb-gate")
    assert badges.count() == 2
    passed = {g: v["passed"] for g, v in comparison.gates["tree"].items()}
    assert page.get_attribute('.wb-gate:has-text("roc_auc")', "data-passed") == \
        str(passed["roc_auc"]).lower()
    _chromium.screenshot(page, "report-comparison-metrics")
    _tab(page, "curves")
    assert _wait_plots(page, "curves", 6) == 6
    legend = page.locator('.wb-plot[data-plot="roc"]').text_content()
    assert "logreg" in legend and "tree" in legend
    _chromium.screenshot(page, "report-comparison-curves")
    assert w.errors == [] and w.foreign_requests() == []
    w.page.close()


# ------------------------------------------------------------------ the live host, simulated

HARNESS = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>%(css)s</style></head><body>
<div id="el"></div>
<script type="application/json" id="state">%(state)s</script>
<script type="text/plain" id="panel">%(panel)s</script>
<script src="plotly.min.js"></script>
<script type="module">
// What anywidget gives render(): a model with get/set/save_changes/on/off; Bytes arrive as
// a DataView whose byteOffset is not a multiple of 4.
const init = JSON.parse(document.getElementById("state").textContent);
function dataView(b64) {
  const raw = atob(b64);
  const buffer = new ArrayBuffer(raw.length + 1);
  const bytes = new Uint8Array(buffer, 1);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return new DataView(buffer, 1, raw.length);
}
const state = { spec: init.spec, data: dataView(init.data), runs: init.runs, selected: [], error: "", loader: null };
const listeners = {};
window.__calls = [];
window.__state = state;
window.__views = init.views;
window.__dataView = dataView;
window.__emit = (name) => (listeners[name] || []).forEach((f) => f());
const model = {
  get: (k) => state[k],
  set: (k, v) => { state[k] = v; window.__calls.push(["set", k, v]); },
  save_changes: () => window.__calls.push(["save_changes"]),
  on: (name, f) => (listeners[name] ||= []).push(f),
  off: (name, f) => { listeners[name] = (listeners[name] || []).filter((g) => g !== f); },
};
const url = URL.createObjectURL(new Blob([document.getElementById("panel").textContent], { type: "text/javascript" }));
const panel = await import(url);
window.__cleanup = panel.default.render({ model, el: document.getElementById("el") });
document.body.dataset.ready = "1";
</script></body></html>"""


def test_live_comparison_panel_picks_runs_and_rerenders(browser, comparison, binary, tmp_path):
    import base64
    import shutil

    import plotly

    from workbench.notebook import _assets
    from workbench.notebook._report import script_json
    from workbench.notebook._view import comparison_view, evaluation_view

    cspec, cdata = comparison_view(comparison)
    espec, edata = evaluation_view(binary)
    runs = [{"id": f"id-{i}", "name": name, "model_type": "classifier", "created": "2026-11-28"}
            for i, name in enumerate(["logreg", "tree", "</script><b>x</b>"])]
    state = {"spec": {}, "data": "", "runs": runs,
             "views": {"comparison": {"spec": cspec, "data": base64.b64encode(cdata).decode()},
                       "evaluation": {"spec": espec, "data": base64.b64encode(edata).decode()}}}
    shutil.copy(pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
                tmp_path / "plotly.min.js")
    path = tmp_path / "live.html"
    path.write_text(HARNESS % {"css": _assets.read_text("panel.css"), "state": script_json(state),
                               "panel": _assets.read_text("panel.js")})
    w = _chromium.watched_page(browser)
    page = w.page
    page.goto(path.as_uri())
    page.wait_for_selector('body[data-ready="1"]')

    # No comparison yet: the picker only, and a checkbox per run (names as text).
    boxes = page.locator(".wb-picker input[type=checkbox]")
    assert boxes.count() == 3
    assert page.locator(".wb-run-name").all_inner_texts() == ["logreg", "tree", "</script><b>x</b>"]
    assert page.locator(".wb-picker b").count() == 0
    boxes.nth(0).check()
    assert page.inner_text(".wb-status") == "Select two or more runs to compare."
    boxes.nth(1).check()
    calls = page.evaluate("window.__calls")
    assert calls[-2:] == [["set", "selected", ["id-0", "id-1"]], ["save_changes"]]
    boxes.nth(0).uncheck()
    boxes.nth(0).check()  # the order of ticking is kept: "tree" is now the baseline
    calls = page.evaluate("window.__calls")
    assert calls[-4:] == [["set", "selected", ["id-1"]], ["save_changes"],
                          ["set", "selected", ["id-1", "id-0"]], ["save_changes"]]

    # The kernel answers with a new spec and data: the panel re-renders, keeps the picker.
    page.evaluate("""() => {
        const v = window.__views.comparison;
        window.__state.data = window.__dataView(v.data);
        window.__state.spec = v.spec;
        window.__emit("change:spec");
    }""")
    assert page.locator(".wb-compare-metrics tbody tr").count() == len(comparison.metrics)
    assert page.locator(".wb-picker input:checked").count() == 2
    _tab(page, "curves")
    assert _wait_plots(page, "curves", 6) == 6

    # An error from the kernel is shown as text.
    page.evaluate("""() => { window.__state.error = "compare failed: <img src=x onerror=alert(1)>";
                           window.__emit("change:error"); }""")
    assert page.inner_text(".wb-picker .wb-error") == "compare failed: <img src=x onerror=alert(1)>"
    assert page.locator("img").count() == 0

    # An evaluation spec over unaligned DataView bytes: the slider works.
    page.evaluate("""() => {
        const v = window.__views.evaluation;
        window.__state.runs = [];
        window.__state.data = window.__dataView(v.data);
        window.__state.spec = v.spec;
        window.__emit("change:spec");
    }""")
    _tab(page, "threshold")
    assert page.inner_text('.wb-cm td[data-cell="tp"]') == "348"
    page.fill(".wb-threshold input[type=range]", "0")
    table = binary.tables["threshold_table"]
    assert float(page.get_attribute('.wb-cm td[data-cell="tp"]', "data-value")) == table.tp[-1]
    _chromium.screenshot(page, "live-panel-harness")
    page.evaluate("window.__cleanup()")
    assert w.errors == [] and w.dialogs == [] and w.foreign_requests() == []
    page.close()
