"""Static display bundles: keys, content, escaping of hostile names, size bounds."""

from __future__ import annotations

import html.parser
import json

import numpy as np
import pandas as pd
import pytest

from workbench.evaluation import ConfusionMatrix, EvaluationResult, PerClassMetrics
from workbench.models import ModelSignature, diff_signatures
from workbench.notebook import _display
from workbench.notebook._display import (
    metric_hint,
    result_mimebundle,
    result_text,
    signature_diff_mimebundle,
)
from workbench.types import ColSpec, ParamSchema, ParamSpec, Schema

HOSTILE = "</script><img src=x onerror=alert(1)>"
HOSTILE_2 = "\"'><svg onload=alert(2)>&amp;"

#: The only elements the static HTML may contain.
ALLOWED_TAGS = {"style", "div", "b", "h4", "table", "thead", "tbody", "tr", "th", "td", "span",
                "ul", "li", "code"}


class Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def parse(markup: str) -> Collector:
    collector = Collector()
    collector.feed(markup)
    collector.close()
    return collector


def assert_inert(markup: str) -> Collector:
    """No injected element, no event-handler or URL attribute, no script anywhere."""
    doc = parse(markup)
    tags = {tag for tag, _ in doc.tags}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    for tag, attrs in doc.tags:
        for name, _value in attrs:
            assert name == "class", (tag, name)
    assert "<script" not in markup.lower() and "javascript:" not in markup.lower()
    return doc


def hostile_result() -> EvaluationResult:
    labels = [HOSTILE, HOSTILE_2]
    signature = ModelSignature(
        Schema([ColSpec("double", HOSTILE), ColSpec("string", HOSTILE_2, required=False)]),
        Schema([ColSpec("long", HOSTILE)]),
        params=ParamSchema([ParamSpec(HOSTILE, "string", HOSTILE_2)]),
    )
    return EvaluationResult(
        {HOSTILE: 0.5, "accuracy_score": 0.75, "log_loss": 0.3, "example_count": 4},
        {},
        run_id=HOSTILE,
        tables={
            "confusion_matrix": ConfusionMatrix(labels=labels, matrix=np.array([[1, 1], [0, 2]])),
            "per_class_metrics": PerClassMetrics(
                columns=["positive_class", "recall_score"],
                rows=[{"positive_class": HOSTILE, "recall_score": 0.5},
                      {"positive_class": HOSTILE_2, "recall_score": 1.0}],
            ),
        },
        dataset={"name": HOSTILE, "digest": "0123", "n_rows": 4, "feature_names": [HOSTILE, HOSTILE_2],
                 "targets": HOSTILE_2, "path": HOSTILE},
        model={"kind": "estimator", "class": HOSTILE, "model_type": "classifier", "uri": HOSTILE_2,
               "labels": labels, "signature": signature.to_dict()},
        skipped={HOSTILE: HOSTILE_2},
        warnings=[HOSTILE],
    )


# --------------------------------------------------------------------------- results


def test_bundle_keys_and_include_exclude():
    result = EvaluationResult({"roc_auc": 0.9}, {})
    assert sorted(result_mimebundle(result)) == ["text/html", "text/plain"]
    assert list(result_mimebundle(result, include={"text/html"})) == ["text/html"]
    assert list(result_mimebundle(result, exclude={"text/html"})) == ["text/plain"]


def test_html_of_a_real_evaluation(iris):
    from workbench.evaluation import evaluate

    result = evaluate(iris["clf"], iris["df"], targets="label", model_type="classifier",
                      evaluator_config={"log_model_explainability": False})
    bundle = result_mimebundle(result)
    doc = assert_inert(bundle["text/html"])
    text = " ".join(doc.text)
    for expected in ("Metrics", "accuracy_score", "\u2191 higher is better", "\u2193 lower is better",
                     "Per class", "Confusion matrix", "true \\ predicted", "Skipped",
                     "log_model_explainability", "Data and model", "150", "LogisticRegression"):
        assert expected in text, expected
    assert bundle["text/plain"].startswith("EvaluationResult: classifier LogisticRegression on dataset (150 rows)")
    assert "accuracy_score" in bundle["text/plain"]
    assert len(bundle["text/html"]) < 20_000


def test_hostile_names_are_escaped_everywhere():
    result = hostile_result()
    markup = result_mimebundle(result)["text/html"]
    doc = assert_inert(markup)
    text = "".join(doc.text)
    # the hostile strings are shown as text, in every section that holds them
    assert text.count(HOSTILE) >= 8
    assert HOSTILE_2 in text
    for section in ("Metrics", "Per class", "Confusion matrix", "Skipped", "Warnings",
                    "Signature", "Data and model"):
        assert section in text, section


def test_signature_table():
    markup = _display.result_html(hostile_result())
    doc = assert_inert(markup)
    text = " ".join(doc.text)
    assert "inputs" in text and "outputs" in text and "params" in text
    assert "optional" in text and "required" in text and "default" in text


def test_text_plain_lists_metrics_with_hints_and_skipped():
    text = result_text(EvaluationResult(
        {"accuracy_score": 0.97333, "log_loss": 0.1, "example_count": 150}, {},
        skipped={"explanation": "no shap"}, dataset={"name": "test", "n_rows": 150},
        model={"class": "sklearn.tree.DecisionTreeClassifier", "model_type": "classifier"},
    ))
    assert text == (
        "EvaluationResult: classifier DecisionTreeClassifier on test (150 rows)\n"
        "  accuracy_score  0.9733  (higher is better)\n"
        "  log_loss        0.1  (lower is better)\n"
        "  example_count   150\n"
        "  skipped explanation: no shap"
    )


def test_metric_hints_follow_the_metric_prefix():
    assert metric_hint("roc_auc") is True
    assert metric_hint("mean_squared_error") is False
    assert metric_hint("val_roc_auc", "val_") is True
    assert metric_hint("example_count") is None
    assert metric_hint("my_metric") is None
    html_out = _display.result_html(EvaluationResult({"val_log_loss": 1.0}, {}, config={"metric_prefix": "val_"}))
    assert "lower is better" in html_out


def test_size_stays_bounded_whatever_the_result_holds():
    n = 2000
    big = "x" * 1_000_000
    labels = [f"class {i}" for i in range(n)]
    result = EvaluationResult(
        {f"metric_{i}": float(i) for i in range(n)} | {big: 1.0},
        {},
        tables={
            "confusion_matrix": ConfusionMatrix(labels=labels, matrix=np.eye(n, dtype=int)),
            "per_class_metrics": PerClassMetrics(
                columns=["positive_class", "recall_score"],
                rows=[{"positive_class": label, "recall_score": 1.0} for label in labels],
            ),
        },
        dataset={"name": big, "feature_names": [f"f{i}" for i in range(100_000)], "n_rows": 10**7},
        model={"class": big, "labels": labels,
               "signature": {"inputs": json.dumps([{"type": "double", "name": f"f{i}", "required": True}
                                                   for i in range(5000)])}},
        skipped={f"s{i}": big for i in range(500)},
        warnings=[big] * 500,
    )
    bundle = result_mimebundle(result)
    assert len(bundle["text/html"]) < 100_000
    assert len(bundle["text/plain"]) < 30_000
    doc = assert_inert(bundle["text/html"])
    text = " ".join(doc.text)
    assert "2000 classes: too many to show here" in text
    assert "more metrics" in text and "more classes" in text and "more signature entries" in text
    assert "more" in text and "\u2026" in text


def test_results_without_data_render():
    bundle = result_mimebundle(EvaluationResult({}, {}))
    doc = assert_inert(bundle["text/html"])
    assert "No metrics." in " ".join(doc.text)
    assert bundle["text/plain"] == "EvaluationResult: model"


def test_numbers_are_formatted_compactly():
    assert [_display._number(v) for v in (3, np.int64(5), 0.973333, float("nan"), 150.0, True)] == [
        "3", "5", "0.9733", "nan", "150", "True"]


def test_a_regression_result(iris):
    from sklearn.linear_model import LinearRegression

    from workbench.evaluation import evaluate

    X = iris["X"]
    reg = LinearRegression().fit(X.iloc[:, :3], X.iloc[:, 3])
    data = pd.concat([X.iloc[:, :3], X.iloc[:, 3].rename("target")], axis=1)
    result = evaluate(reg, data, targets="target", model_type="regressor",
                      evaluator_config={"log_model_explainability": False})
    markup = result_mimebundle(result)["text/html"]
    doc = assert_inert(markup)
    text = " ".join(doc.text)
    assert "mean_squared_error" in text and "lower is better" in text
    assert "Per class" not in text and "Confusion matrix" not in text


# --------------------------------------------------------------------------- signature diffs


def test_signature_diff_bundle():
    old = ModelSignature(Schema([ColSpec("long", "x"), ColSpec("double", HOSTILE)]))
    new = ModelSignature(Schema([ColSpec("double", "x"), ColSpec("long", HOSTILE_2)]))
    diff = diff_signatures(old, new)
    bundle = signature_diff_mimebundle(diff)
    assert bundle["text/plain"] == str(diff)
    doc = assert_inert(bundle["text/html"])
    text = "".join(doc.text)
    assert HOSTILE in text and HOSTILE_2 in text
    assert "added" in text and "removed" in text and "type" in text
    same = signature_diff_mimebundle(diff_signatures(old, old))
    assert same["text/plain"] == "no changes"
    assert "The signatures are the same." in same["text/html"]
    assert list(signature_diff_mimebundle(diff, include={"text/plain"})) == ["text/plain"]


def test_signature_diff_size_is_bounded():
    old = ModelSignature(Schema([ColSpec("long", f"c{i}") for i in range(3000)]))
    new = ModelSignature(Schema([ColSpec("double", f"c{i}") for i in range(3000)]))
    bundle = signature_diff_mimebundle(diff_signatures(old, new))
    assert len(bundle["text/html"]) < 30_000 and len(bundle["text/plain"]) < 30_000
    assert "more changes" in bundle["text/html"] and "more changes" in bundle["text/plain"]


# --------------------------------------------------------------------------- through IPython


def test_ipython_formats_results_and_diffs_richly(shell):
    data, _ = shell.display_formatter.format(hostile_result())
    assert set(data) >= {"text/plain", "text/html"}
    assert_inert(data["text/html"])
    diff = diff_signatures(None, ModelSignature(Schema([ColSpec("long", "x")])))
    data, _ = shell.display_formatter.format(diff)
    assert data["text/plain"] == "+ inputs.x: long (required)"
    assert "wb-signature-diff" in data["text/html"]


@pytest.mark.parametrize("cls_path", ["workbench.evaluation._result.EvaluationResult",
                                      "workbench.models._signature_diff.SignatureDiff"])
def test_classes_delegate_their_mimebundle_when_the_method_is_pasted(cls_path):
    """The class's ``_repr_mimebundle_`` delegates to the notebook renderer."""
    import importlib

    module, name = cls_path.rsplit(".", 1)
    cls = getattr(importlib.import_module(module), name)
    obj = hostile_result() if name == "EvaluationResult" else diff_signatures(None, None)
    expected = (result_mimebundle(obj) if name == "EvaluationResult" else signature_diff_mimebundle(obj))
    assert obj._repr_mimebundle_() == expected
    assert list(obj._repr_mimebundle_(include={"text/plain"})) == ["text/plain"]


# --------------------------------------------------------------------------- live kernel


@pytest.fixture
def kernel(monkeypatch):
    """Pretend to run inside a Jupyter kernel (comms open as ipywidgets' dummy comms)."""
    monkeypatch.setattr(_display, "in_kernel", lambda: True)


def test_outside_a_kernel_there_is_no_widget_view():
    assert _display.in_kernel() is False  # pytest runs no kernel, even with IPython imported
    assert _display.WIDGET_VIEW not in result_mimebundle(EvaluationResult({"roc_auc": 0.9}, {}))


def test_in_a_kernel_the_bundle_adds_the_panel_view_beside_the_static_parts(kernel):
    from ipywidgets.widgets.widget import _instances

    from workbench.notebook import _panel

    result = hostile_result()
    bundle = result_mimebundle(result)
    assert sorted(bundle) == sorted(["text/plain", "text/html", _display.WIDGET_VIEW])
    static = _display._filter(bundle, None, {_display.WIDGET_VIEW})
    assert static == {"text/plain": result_text(result), "text/html": _display.result_html(result)}
    view = bundle[_display.WIDGET_VIEW]
    assert view["version_major"] == 2
    widget = _instances[view["model_id"]]
    assert isinstance(widget, _panel.EvaluationPanel) and widget.result is result
    assert widget.loader is _panel.plotly_loader()
    # the static parts alone when the front-end asks for them
    assert list(result_mimebundle(result, include={"text/plain"})) == ["text/plain"]
    assert _display.WIDGET_VIEW not in result_mimebundle(result, exclude={_display.WIDGET_VIEW})


def test_a_panel_that_cannot_be_built_leaves_the_static_view_and_says_why(kernel, monkeypatch):
    from workbench.notebook import _panel

    def broken(result):
        raise RuntimeError("no front-end")

    monkeypatch.setattr(_panel, "EvaluationPanel", broken)
    with pytest.warns(RuntimeWarning, match=r"^workbench: the interactive EvaluationPanel could not "
                      r"be built \(RuntimeError: no front-end\); showing the static view\."):
        bundle = result_mimebundle(EvaluationResult({"roc_auc": 0.9}, {}))
    assert sorted(bundle) == ["text/html", "text/plain"]


def test_in_kernel_is_false_for_a_terminal_ipython(shell):
    assert shell is not None and getattr(shell, "kernel", None) is None
    assert _display.in_kernel() is False


# --------------------------------------------------------------------------- comparisons


@pytest.fixture(scope="module")
def comparison():
    import workbench
    from workbench.evaluation._persist import logging_disabled

    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(400, 3)), columns=["a", "b", "c"])
    y = (X["a"] + 0.5 * X["b"] + rng.normal(scale=0.7, size=400) > 0).astype(int)
    data = X.assign(y=y)
    models = [DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y), LogisticRegression().fit(X, y)]
    with logging_disabled():
        poor, good = (workbench.evaluate(m, data, targets="y", model_type="classifier",
                                         evaluator_config={"log_model_explainability": False})
                      for m in models)
    gates = {"accuracy_score": workbench.MetricThreshold(threshold=0.95, greater_is_better=True)}
    return workbench.compare({HOSTILE: poor, HOSTILE_2: good}, thresholds=gates, n_resamples=200)


def test_comparison_bundle_text_and_values(comparison):
    bundle = _display.comparison_mimebundle(comparison)
    assert sorted(bundle) == ["text/html", "text/plain"]
    assert comparison._repr_mimebundle_() == bundle
    text = bundle["text/plain"]
    assert text.splitlines()[0] == f"ComparisonResult: {HOSTILE} vs {HOSTILE_2} (baseline: {HOSTILE}, paired)"
    row = comparison.metric("accuracy_score")
    delta, (lo, hi) = row["deltas"][HOSTILE_2], row["delta_ci"][HOSTILE_2]
    line = next(x for x in text.splitlines() if x.strip().startswith("accuracy_score"))
    assert f"({delta:+.4g} [{lo:+.4g}, {hi:+.4g}]) better" in line
    assert "gates: 0 of 1 passed" in text and f"failed {HOSTILE_2} accuracy_score:" in text


def test_comparison_html_is_inert_and_holds_the_table(comparison):
    markup = _display.comparison_html(comparison)
    doc = assert_inert(markup)
    text = "".join(doc.text)
    assert HOSTILE in text and HOSTILE_2 in text  # as text, escaped in the markup
    row = comparison.metric("accuracy_score")
    assert f"{row['deltas'][HOSTILE_2]:+.4g}" in text
    lo, hi = row["delta_ci"][HOSTILE_2]
    assert f"[{lo:+.4g}, {hi:+.4g}]" in text
    assert "\u25b2 better" in text and "FAILED" in text and "Gates" in text
    assert ('class="better"' in markup) and len(markup) < 60_000


def test_comparison_without_intervals_says_not_paired(comparison):
    import dataclasses

    unpaired = dataclasses.replace(comparison, paired=False, notes=["different rows"])
    text = _display.comparison_text(unpaired)
    assert "(baseline: " in text and ", not paired)" in text and "note: different rows" in text


def test_comparison_in_a_kernel_adds_the_comparison_panel(comparison, kernel):
    from ipywidgets.widgets.widget import _instances

    from workbench.notebook import _panel

    bundle = _display.comparison_mimebundle(comparison)
    widget = _instances[bundle[_display.WIDGET_VIEW]["model_id"]]
    assert isinstance(widget, _panel.ComparisonPanel) and widget.comparison is comparison
    assert widget.spec["type"] == "comparison"


def test_ipython_formats_comparisons_richly(shell, comparison):
    data, _ = shell.display_formatter.format(comparison)
    assert data["text/plain"] == _display.comparison_text(comparison)
    assert data["text/html"] == _display.comparison_html(comparison)


# --------------------------------------------------------------------------- a real kernel


def test_a_real_kernel_shows_panels_with_static_fallbacks_and_one_plotly_copy(tmp_path):
    """nbclient runs a notebook in ipykernel: each result carries the widget view *and* the
    static text/html + text/plain; the saved widget state holds plotly.js once."""
    import nbformat
    from nbclient import NotebookClient

    setup = (
        "import numpy as np, pandas as pd, workbench\n"
        "from workbench.evaluation._persist import logging_disabled\n"
        "rng = np.random.default_rng(0)\n"
        "df = pd.DataFrame({'y': rng.integers(0, 2, 500)})\n"
        "df['p'] = np.clip(df['y'] * 0.4 + rng.random(500) * 0.6, 0, 1)\n"
        "df['pred'] = (df['p'] >= 0.5).astype(int)\n"
        "def run():\n"
        "    with logging_disabled():\n"
        "        return workbench.evaluate(data=df, targets='y', predictions='pred', model_type='classifier',\n"
        "                                  evaluator_config={'probability_columns': 'p'})\n"
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell("run()"),
                nbformat.v4.new_code_cell("run()")]
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [cell.outputs for cell in nb.cells[1:]]
    for out in outputs:
        (result,) = [o for o in out if o.output_type == "execute_result"]
        assert set(result.data) == {"text/plain", "text/html", _display.WIDGET_VIEW}
        assert result.data["text/plain"].startswith("EvaluationResult: ")
        assert "<table>" in result.data["text/html"]
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    def has(model, key):  # Bytes traits are saved as base64 buffers beside the state
        return key in model["state"] or any(b["path"] == [key] for b in model.get("buffers", []))

    loaders = [m for m in state.values() if has(m, "source_gz")]
    panels = [m for m in state.values() if "spec" in m["state"]]
    assert len(loaders) == 1 and len(panels) == 2
    views = {out[0].data[_display.WIDGET_VIEW]["model_id"] for out in outputs}
    assert views <= set(state) and len(views) == 2
    size = len(nbformat.writes(nb))
    assert size < 2_400_000, size  # plotly.js once (gzip, base64) + two small panels
