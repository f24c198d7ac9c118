"""The view payload (workbench.notebook._view): values equal the result's, bounded sizes."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench import WorkbenchException
from workbench.evaluation import EvaluationResult
from workbench.notebook import _view
from workbench.notebook._view import decode_array, evaluation_view, spec_json

PAYLOAD_LIMIT = 300_000


def _size(spec, data) -> int:
    return len(spec_json(spec).encode("utf-8")) + len(data)


def _refs(node):
    """Every {"offset", "n"} reference in a spec."""
    if isinstance(node, dict):
        if set(node) == {"offset", "n"}:
            yield node
        else:
            for value in node.values():
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


@pytest.fixture(scope="module")
def binary():
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    df = X.assign(label=y)
    model = LogisticRegression(max_iter=5000).fit(X, y)
    return wb.evaluate(model, data=df, targets="label", model_type="classifier")


@pytest.fixture(scope="module")
def ten_classes():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    n, k = 20_000, 10
    X = pd.DataFrame(rng.normal(size=(n, 12)), columns=[f"f{i}" for i in range(12)])
    y = (X.iloc[:, :k].to_numpy() + rng.normal(scale=2.0, size=(n, k))).argmax(axis=1)
    model = LogisticRegression(max_iter=300).fit(X, y)
    return wb.evaluate(model, data=X.assign(label=y), targets="label", model_type="classifier")


@pytest.fixture(scope="module")
def million_rows():
    rng = np.random.default_rng(0)
    n = 1_000_000
    y = rng.integers(0, 2, n)
    p = np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1)
    df = pd.DataFrame({"label": y, "pred": (p >= 0.5).astype(int), "proba": p})
    return wb.evaluate(data=df, targets="label", predictions="pred", model_type="classifier",
                       evaluator_config={"probability_columns": "proba"})


# ------------------------------------------------------------------ values


def test_metrics_equal_the_results(binary):
    spec, _ = evaluation_view(binary)
    assert spec["type"] == "evaluation" and spec["version"] == _view.SPEC_VERSION
    assert [m["name"] for m in spec["metrics"]] == list(binary.metrics)
    for row in spec["metrics"]:
        assert row["value"] == binary.metrics[row["name"]]
    hints = {m["name"]: m["greater_is_better"] for m in spec["metrics"]}
    assert hints["roc_auc"] is True and hints["log_loss"] is False
    assert hints["example_count"] is None


def test_curve_points_are_the_curves_float32_values(binary):
    spec, data = evaluation_view(binary)
    assert [c["kind"] for c in spec["curves"]] == [c.kind for c in binary.curves]
    axes = {"roc": ("fpr", "tpr"), "precision_recall": ("recall", "precision"),
            "det": ("fpr", "fnr"), "lift": ("fraction", "lift"), "gains": ("fraction", "gain"),
            "calibration": ("prob_pred", "prob_true")}
    for entry, curve in zip(spec["curves"], binary.curves):
        x_attr, y_attr = axes[curve.kind]
        assert (entry["x_name"], entry["y_name"]) == (x_attr, y_attr)
        np.testing.assert_array_equal(decode_array(data, entry["x"]),
                                      np.asarray(getattr(curve, x_attr), np.float32))
        np.testing.assert_array_equal(decode_array(data, entry["y"]),
                                      np.asarray(getattr(curve, y_attr), np.float32))
        assert entry["n"] == len(getattr(curve, x_attr))
        assert entry["label"] == curve.label == "1"
    roc = spec["curves"][0]
    assert roc["score_name"] == "AUC" and roc["score"] == binary.curve("roc").auc
    assert roc["score"] == pytest.approx(binary.metrics["roc_auc"])


def test_threshold_table_columns(binary):
    spec, data = evaluation_view(binary)
    table = binary.tables["threshold_table"]
    view = spec["threshold"]
    assert view["label"] == "1" and view["n"] == len(table.thresholds)
    for name in ("thresholds", "tp", "fp", "tn", "fn", "precision", "recall", "f1", "accuracy"):
        np.testing.assert_array_equal(decode_array(data, view["columns"][name]),
                                      np.asarray(getattr(table, name), np.float32))
    # At the row the panel opens on (the last threshold >= 0.5) the counts are the metrics'.
    row = int(np.nonzero(table.thresholds >= 0.5)[0][-1])
    assert table.tp[row] == binary.metrics["true_positives"]
    assert table.fp[row] == binary.metrics["false_positives"]


def test_confusion_and_facts(binary):
    spec, _ = evaluation_view(binary)
    cm = binary.tables["confusion_matrix"]
    assert spec["confusion"] == {"labels": ["0", "1"], "matrix": cm.matrix.tolist()}
    assert spec["confusion"]["matrix"] == [[197, 15], [9, 348]]
    facts = dict(map(tuple, spec["facts"]))
    assert facts["data n_rows"] == 569 and facts["data digest"] == binary.dataset["digest"]
    assert spec["dataset"]["features"] == binary.dataset["feature_names"]
    assert spec["dataset"]["n_rows"] == 569 and spec["dataset"]["features_total"] == 30
    assert "569 of 569 rows (every row)" in spec["dataset"]["sampling"][0]
    assert {a[0] for a in spec["artifacts"]} == set(binary.artifacts)


def test_explanation_importance_and_beeswarm(binary):
    spec, data = evaluation_view(binary)
    exp = binary.explanation
    ex = spec["explain"]
    assert ex["explainer"] == exp.explainer == "linear"
    assert ex["n_sample"] == exp.n_sample and ex["n_rows_total"] == 569
    order = exp.importance()
    assert ex["importance"]["features"] == order.index[:_view.MAX_IMPORTANCE_FEATURES].tolist()
    np.testing.assert_allclose(ex["importance"]["overall"],
                               order["mean_abs_shap"].to_numpy()[:_view.MAX_IMPORTANCE_FEATURES])
    swarm = ex["beeswarm"]
    assert swarm["features"] == ex["importance"]["features"][:_view.MAX_BEESWARM_FEATURES]
    per = swarm["points_per_feature"]
    assert per * len(swarm["features"]) <= _view.MAX_BEESWARM_POINTS
    (cls,) = swarm["classes"]
    shap = decode_array(data, cls["shap"])
    assert len(shap) == per * len(swarm["features"])
    # the first feature's points are the SHAP values of that feature at rows spread evenly
    j = exp.feature_names.index(swarm["features"][0])
    rows = np.unique(np.linspace(0, exp.n_sample - 1, per).astype(np.int64))
    np.testing.assert_array_equal(shap[:per], exp.shap_values[rows, j].astype(np.float32))
    y = decode_array(data, cls["y"])
    assert np.all(np.abs(y[:per]) <= 0.4) and np.all(np.abs(y[per:2 * per] - 1) <= 0.4)
    colour = decode_array(data, cls["colour"])
    finite = colour[np.isfinite(colour)]
    assert finite.min() >= 0 and finite.max() <= 1


def test_spec_is_strict_json_and_references_are_aligned(binary):
    spec, data = evaluation_view(binary)
    text = spec_json(spec)
    assert json.loads(text) == spec
    refs = list(_refs(spec))
    assert len(refs) >= 12 + 9
    for ref in refs:
        assert ref["offset"] % 4 == 0 and ref["offset"] + 4 * ref["n"] <= len(data)
    assert sum(4 * r["n"] for r in refs) == len(data)


# ------------------------------------------------------------------ bounds


def test_million_rows_binary_stays_small(million_rows):
    spec, data = evaluation_view(million_rows)
    assert million_rows.dataset["n_rows"] == 1_000_000
    assert _size(spec, data) < PAYLOAD_LIMIT
    assert all(c["n"] <= 1000 for c in spec["curves"]) and len(spec["curves"]) == 6
    assert 900 <= spec["threshold"]["n"] <= 1000
    assert spec["explain"] is None


def test_ten_classes_stays_small_and_keeps_every_class(ten_classes):
    spec, data = evaluation_view(ten_classes)
    assert _size(spec, data) < PAYLOAD_LIMIT
    assert [r[0] for r in spec["per_class"]["rows"]] == [str(i) for i in range(10)]
    assert spec["per_class"]["columns"] == ten_classes.tables["per_class_metrics"].columns
    assert len(spec["confusion"]["labels"]) == 10
    assert np.asarray(spec["confusion"]["matrix"]).sum() == 20_000
    labels = {c["label"] for c in spec["curves"] if c["kind"] == "roc"}
    assert labels == {str(i) for i in range(10)} | {"micro", "macro"}
    swarm = spec["explain"]["beeswarm"]
    assert len(swarm["classes"]) == 10
    total = sum(decode_array(data, c["shap"]).shape[0] for c in swarm["classes"])
    assert 0 < total <= _view.MAX_BEESWARM_POINTS
    by_class = spec["explain"]["importance"]["by_class"]
    assert [c["label"] for c in by_class] == [str(i) for i in range(10)]


def test_caps_on_long_lists_and_strings():
    long_name = "m" * 5000
    metrics = {f"metric_{i}": float(i) for i in range(_view.MAX_METRICS + 50)}
    metrics[long_name] = 1.0
    result = EvaluationResult(metrics, {}, dataset={"feature_names": [f"f{i}" for i in range(5000)]},
                              warnings=["w" * 10_000] * 500)
    spec, data = evaluation_view(result)
    assert len(spec["metrics"]) == _view.MAX_METRICS and spec["metrics_total"] == len(metrics)
    assert len(spec["dataset"]["features"]) == _view.MAX_FEATURE_NAMES
    assert spec["dataset"]["features_total"] == 5000
    assert len(spec["warnings"]) == _view.MAX_LIST
    assert all(len(w) <= 500 for w in spec["warnings"])
    assert _size(spec, data) < PAYLOAD_LIMIT


def test_non_finite_and_odd_metric_values():
    result = EvaluationResult({"a": math.nan, "b": math.inf, "c": -math.inf, "d": np.int64(3),
                               "e": np.float32(0.5), "f": None, "g": "text"}, {})
    spec, _ = evaluation_view(result)
    values = {m["name"]: m["value"] for m in spec["metrics"]}
    assert values == {"a": "NaN", "b": "Infinity", "c": "-Infinity", "d": 3, "e": 0.5,
                      "f": None, "g": "text"}
    json.loads(spec_json(spec))


def test_regressor_residuals():
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    model = LinearRegression().fit(X, y)
    result = wb.evaluate(model, data=X.assign(target=y), targets="target",
                         model_type="regressor",
                         evaluator_config={"log_model_explainability": False})
    spec, data = evaluation_view(result)
    res = result.tables["residuals"]
    view = spec["residuals"]
    np.testing.assert_array_equal(decode_array(data, view["counts"]), res.counts.astype(np.float32))
    np.testing.assert_array_equal(decode_array(data, view["target"]),
                                  res.sample_target.astype(np.float32))
    assert view["n_total"] == 442 and view["mean"] == pytest.approx(res.mean)
    assert spec["threshold"] is None and spec["curves"] == []
    assert {m["name"] for m in spec["metrics"]} >= {"mean_absolute_error", "r2_score"}


def test_saved_and_loaded_result_gives_the_same_view(binary, tmp_path):
    binary.save(tmp_path / "r")
    loaded = EvaluationResult.load(tmp_path / "r")
    assert evaluation_view(loaded) == evaluation_view(binary)


def test_bad_input_says_what_was_expected():
    with pytest.raises(WorkbenchException, match="expects an EvaluationResult .* got dict"):
        evaluation_view({"roc_auc": 0.9})
    with pytest.raises(WorkbenchException, match="expects a ComparisonResult .* got EvaluationResult"):
        _view.comparison_view(EvaluationResult({}, {}))


# ------------------------------------------------------------------ comparison


@pytest.fixture(scope="module")
def iris_comparison():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    from workbench.models import MetricThreshold, infer_signature

    X, y = load_iris(return_X_y=True, as_frame=True)
    df = X.assign(label=y)
    config = {"log_model_explainability": False}
    a = wb.evaluate(LogisticRegression(max_iter=500).fit(X, y), data=df, targets="label",
                    model_type="classifier", evaluator_config=config)
    b = wb.evaluate(DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y), data=df,
                    targets="label", model_type="classifier", evaluator_config=config)
    # As if both models had been logged with signatures: b's lacks a column.
    a.model["signature"] = infer_signature(X).to_dict()
    b.model["signature"] = infer_signature(X.drop(columns=["petal width (cm)"])).to_dict()
    thresholds = {"accuracy_score": wb.MetricThreshold(threshold=0.99, greater_is_better=True),
                  "f1_score": MetricThreshold(threshold=0.5, greater_is_better=True)}
    return wb.compare({"logreg": a, "tree": b}, thresholds=thresholds, n_resamples=200)


def test_comparison_view_values(iris_comparison):
    c = iris_comparison
    spec, data = _view.comparison_view(c)
    assert spec["type"] == "comparison" and spec["names"] == ["logreg", "tree"]
    assert spec["baseline"] == "logreg" and spec["baseline_index"] == 0 and spec["paired"] is True
    assert [r["metric"] for r in spec["metrics"]] == [r["metric"] for r in c.metrics]
    for view_row, row in zip(spec["metrics"], c.metrics):
        assert view_row["values"] == [row["values"]["logreg"], row["values"]["tree"]]
        assert view_row["deltas"] == [None, row["deltas"]["tree"]]
        assert view_row["better"] == [None, row["better"]["tree"]]
        ci = row["delta_ci"]["tree"]
        assert view_row["delta_ci"][1] == (None if ci is None else list(ci))
        assert view_row["greater_is_better"] == row["greater_is_better"]
    gates = {(g["candidate"], g["metric"]): g["passed"] for g in spec["gates"]}
    assert gates == {("tree", m): c.gates["tree"][m]["passed"] for m in c.gates["tree"]}
    assert gates[("tree", "f1_score")] is True
    failed = [g for g in spec["gates"] if g["passed"] is False]
    assert all(g["message"] for g in failed)
    assert ["tree", "inputs", "removed", "petal width (cm)"] == spec["signature"][0][:4]
    assert spec["signature_compared"] is True
    assert spec["models"][0][:2] == ["logreg", c.models["logreg"]["run_id"]]


def test_comparison_view_curves_and_per_class(iris_comparison):
    c = iris_comparison
    spec, data = _view.comparison_view(c)
    assert set(spec["curves"]) == set(c.curves)
    for kind, entries in spec["curves"].items():
        assert [e["name"] for e in entries] == list(c.curves[kind])
        for entry in entries:
            curve = c.curves[kind][entry["name"]]
            np.testing.assert_array_equal(
                decode_array(data, entry["y"]),
                np.asarray(getattr(curve, entry["y_name"]), np.float32))
    pc = spec["per_class"]
    assert pc["columns"] == ["class", "metric", "logreg", "tree", "\u0394 tree"]
    assert len(pc["rows"]) == len(c.per_class)
    first = c.per_class[0]
    assert pc["rows"][0] == [first["positive_class"], first["metric"], first["values"]["logreg"],
                             first["values"]["tree"], first["deltas"]["tree"]]
    json.loads(spec_json(spec))


def test_comparison_of_twelve_runs_shows_ten_and_stays_small():
    rng = np.random.default_rng(7)
    n = 5000
    y = rng.integers(0, 2, n)
    results = {}
    for i in range(12):
        p = np.clip(0.2 * y + (0.5 + i / 30) * rng.random(n), 0, 1)
        df = pd.DataFrame({"label": y, "pred": (p >= 0.5).astype(int), "proba": p})
        results[f"run-{i}"] = wb.evaluate(data=df, targets="label", predictions="pred",
                                          model_type="classifier",
                                          evaluator_config={"probability_columns": "proba"})
    comparison = wb.compare(results, baseline="run-11", n_resamples=50)
    spec, data = _view.comparison_view(comparison)
    assert len(spec["names"]) == _view.MAX_RUNS and spec["names_total"] == 12
    assert spec["names"][0] == "run-11" and spec["baseline_index"] == 0
    assert "12 results were compared; the view shows 10" in spec["notes"][-1]
    assert all(len(r["values"]) == 10 for r in spec["metrics"])
    assert len(spec["curves"]["roc"]) == 10
    points = [c["n"] for entries in spec["curves"].values() for c in entries]
    assert sum(points) <= _view.MAX_OVERLAY_POINTS
    roc = spec["curves"]["roc"][0]
    curve = comparison.curves["roc"]["run-11"]
    assert len(curve.fpr) > roc["n"]  # thinned, with the exact end points and AUC
    assert decode_array(data, roc["x"])[[0, -1]].tolist() == [curve.fpr[0], curve.fpr[-1]]
    assert roc["score"] == curve.auc
    assert _size(spec, data) < PAYLOAD_LIMIT
