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
