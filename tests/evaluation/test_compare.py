"""workbench.compare: paired bootstrap intervals, gates, signature diffs, files, errors."""

import json
import sys
import types

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import workbench
from workbench._exceptions import WorkbenchException
from workbench.evaluation._bootstrap import resample_indices
from workbench.evaluation._compare import ComparisonResult, compare
from workbench.evaluation._result import EvaluationResult
from workbench.evaluation._rows import RowData
from workbench.evaluation._validation import (
    MetricThreshold,
    ModelValidationFailedException,
    validate_evaluation_results,
)
from workbench.models import ModelSignature
from workbench.types import ColSpec, Schema

NO_SHAP = {"log_model_explainability": False}
B = 200  # resamples in these tests


def _data(n=400, seed=0, classes=2):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=list("abcd"))
    z = X["a"] + 0.7 * X["b"] + rng.normal(scale=0.8, size=n)
    y = (z > 0).astype(int) if classes == 2 else np.digitize(z, [-0.7, 0.7])
    return X, y


def _evaluate(model, X, y, **config):
    model.fit(X.iloc[: len(X) // 2], y[: len(X) // 2])
    test = X.iloc[len(X) // 2:].assign(label=y[len(X) // 2:])
    model_type = "regressor" if hasattr(model, "predict") and not hasattr(model, "classes_") \
        else "classifier"
    return workbench.evaluate(model, data=test, targets="label", model_type=model_type,
                              evaluator_config={**NO_SHAP, **config})


@pytest.fixture(scope="module")
def binary_pair():
    X, y = _data()
    return (_evaluate(DecisionTreeClassifier(max_depth=1, random_state=0), X, y),
            _evaluate(GaussianNB(), X, y))


def test_paired_deltas_and_intervals_match_a_slow_reference(binary_pair):
    stump, bayes = binary_pair
    cmp = compare({"stump": stump, "bayes": bayes}, n_resamples=B, seed=3)
    assert cmp.paired and cmp.baseline == "stump" and cmp.names == ["stump", "bayes"]
    assert cmp.candidates == ["bayes"] and cmp.notes == []
    assert cmp.settings == {"n_resamples": B, "confidence": 0.95, "seed": 3, "kind": "binary"}
    y = stump.rows.y_true
    s0, s1 = (r.rows.scores.astype(np.float64) for r in (stump, bayes))
    p0, p1 = stump.rows.y_pred, bayes.rows.y_pred
    ref = {"roc_auc": [], "f1_score": [], "log_loss": []}
    d_ref = {"roc_auc": [], "f1_score": [], "log_loss": []}
    for idx in resample_indices(len(y), B, strata=y, seed=3):
        for name, fn, a, b in (("roc_auc", skm.roc_auc_score, s0, s1),
                               ("f1_score", skm.f1_score, p0, p1),
                               ("log_loss", skm.log_loss, s0, s1)):
            va, vb = fn(y[idx], a[idx]), fn(y[idx], b[idx])
            ref[name].append(vb)
            d_ref[name].append(vb - va)
    for name in ref:
        row = cmp.metric(name)
        assert row["bootstrapped"] is True
        assert row["values"] == {"stump": stump.metrics[name], "bayes": bayes.metrics[name]}
        assert row["deltas"]["bayes"] == bayes.metrics[name] - stump.metrics[name]
        assert row["deltas"]["stump"] is None and row["delta_ci"]["stump"] is None
        np.testing.assert_allclose(row["ci"]["bayes"], np.percentile(ref[name], [2.5, 97.5]),
                                   rtol=0, atol=1e-12)
        np.testing.assert_allclose(row["delta_ci"]["bayes"],
                                   np.percentile(d_ref[name], [2.5, 97.5]), rtol=0, atol=1e-12)
    auc = cmp.metric("roc_auc")
    assert auc["greater_is_better"] is True and auc["better"]["bayes"] is True
    assert auc["significant"]["bayes"] is True and auc["delta_ci"]["bayes"][0] > 0
    loss = cmp.metric("log_loss")
    assert loss["greater_is_better"] is False and loss["better"]["bayes"] is True
    ks = cmp.metric("ks_statistic")  # not bootstrapped: a plain delta
    assert ks["bootstrapped"] is False and ks["delta_ci"]["bayes"] is None
    assert ks["significant"]["bayes"] is None and ks["ci"]["bayes"] is None
    assert cmp.metric("example_count")["better"]["bayes"] is None  # no direction
    assert set(cmp.curves) == {"roc", "precision_recall", "lift", "gains", "calibration", "det"}
    assert cmp.curves["roc"]["bayes"] is bayes.curve("roc")
    assert cmp.per_class == []  # binary results have no per-class table


def test_identical_models_have_zero_deltas_that_are_not_significant(binary_pair):
    stump, _ = binary_pair
    cmp = compare([stump, stump], baseline=1, n_resamples=50)
    assert cmp.names == [cmp.names[0], cmp.names[1]] and cmp.baseline == cmp.names[1]
    row = cmp.metric("accuracy_score")
    other = cmp.names[0]
    assert row["deltas"][other] == 0.0 and row["delta_ci"][other] == (0.0, 0.0)
    assert row["better"][other] is None and row["significant"][other] is False


def test_default_names_and_baseline_by_index(binary_pair):
    stump, bayes = binary_pair
    a = EvaluationResult(dict(stump.metrics), {}, rows=stump.rows, model=stump.model)
    b = EvaluationResult(dict(bayes.metrics), {}, rows=bayes.rows, model=bayes.model)
    cmp = compare([a, b], baseline=-1, n_resamples=20)
    assert cmp.names == ["model 1", "model 2"] and cmp.baseline == "model 2"


def test_not_paired_on_different_data(binary_pair):
    stump, _ = binary_pair
    X, y = _data(seed=5)
    other = _evaluate(GaussianNB(), X, y)
    cmp = compare({"a": stump, "b": other})
    assert not cmp.paired and cmp.settings["kind"] is None
    row = cmp.metric("roc_auc")
    assert row["bootstrapped"] is False and row["ci"] == {"a": None, "b": None}
    assert row["delta_ci"]["b"] is None and row["significant"]["b"] is None
    assert row["deltas"]["b"] == other.metrics["roc_auc"] - stump.metrics["roc_auc"]
    assert row["better"]["b"] == (row["deltas"]["b"] > 0)
    assert len(cmp.notes) == 1 and "were not evaluated on the same rows" in cmp.notes[0]


def test_not_paired_without_row_data(binary_pair):
    stump, bayes = binary_pair
    old = EvaluationResult(dict(stump.metrics), {}, model={"model_type": "classifier"})
    cmp = compare({"old": old, "new": bayes})
    assert not cmp.paired
    assert "'old' has no per-row data" in cmp.notes[0]
    assert cmp.models["old"]["has_rows"] is False and cmp.models["new"]["has_rows"] is True


def test_not_paired_when_targets_differ():
    y = np.array([0, 1, 1, 0])
    a = EvaluationResult({"accuracy_score": 1.0}, {},
                         rows=RowData.for_classifier(y, y, labels=[0, 1], digest="d"))
    b = EvaluationResult({"accuracy_score": 0.5}, {},
                         rows=RowData.for_classifier(1 - y, y, labels=[0, 1], digest="d"))
    cmp = compare([a, b])
    assert not cmp.paired and "their targets, labels" in cmp.notes[0]


def test_paired_when_digests_differ_but_targets_are_the_same_rows():
    # One frame per model (or a static predictions column inside the frame) changes the
    # digest; identical targets row by row pair the results, with a note saying so.
    y = np.array([0, 1, 1, 0, 1, 0, 1, 1])
    a = EvaluationResult({"accuracy_score": 1.0}, {},
                         rows=RowData.for_classifier(y, y, labels=[0, 1], digest="aaaa"))
    b = EvaluationResult({"accuracy_score": 0.75}, {},
                         rows=RowData.for_classifier(y, np.array([0, 1, 0, 0, 1, 1, 1, 1]),
                                                     labels=[0, 1], digest="bbbb"))
    cmp = compare({"a": a, "b": b}, n_resamples=200)
    assert cmp.paired
    assert "digests differ (a: aaaa, b: bbbb)" in cmp.notes[0]
    row = cmp.metric("accuracy_score")
    assert row["deltas"]["b"] == -0.25 and row["delta_ci"]["b"] is not None


def test_gates_match_validate_evaluation_results(binary_pair):
    stump, bayes = binary_pair
    thresholds = {
        "roc_auc": MetricThreshold(threshold=0.99, min_absolute_change=0.01,
                                   greater_is_better=True),
        "accuracy_score": MetricThreshold(threshold=0.5, greater_is_better=True),
        "log_loss": MetricThreshold(min_relative_change=0.9, greater_is_better=False),
        "not_a_metric": MetricThreshold(threshold=1.0, greater_is_better=True),
    }
    cmp = compare({"stump": stump, "bayes": bayes}, thresholds=thresholds, n_resamples=20)
    gates = cmp.gates["bayes"]
    assert list(cmp.gates) == ["bayes"] and not cmp.passed
    with pytest.raises(ModelValidationFailedException) as err:
        validate_evaluation_results(thresholds, bayes, stump)
    failed = [g["message"] for g in gates.values() if not g["passed"]]
    assert "\n".join(failed) == err.value.message.replace("\r\n", "\n")
    assert gates["accuracy_score"] == {"passed": True, "message": None}
    assert gates["roc_auc"]["message"].startswith("Metric roc_auc value threshold check failed")
    assert "not_a_metric" in cmp.notes[-1]
    ok = compare({"stump": stump, "bayes": bayes},
                 thresholds={"accuracy_score": thresholds["accuracy_score"]}, n_resamples=20)
    assert ok.passed
    validate_evaluation_results({"accuracy_score": thresholds["accuracy_score"]}, bayes, stump)


def test_threshold_gives_a_direction_to_an_unknown_metric():
    a = EvaluationResult({"custom": 1.0}, {})
    b = EvaluationResult({"custom": 2.0}, {})
    plain = compare([a, b])
    assert plain.metric("custom")["greater_is_better"] is None
    assert plain.metric("custom")["better"]["model 2"] is None
    gated = compare([a, b], thresholds={
        "custom": MetricThreshold(threshold=0.0, greater_is_better=False)})
    assert gated.metric("custom")["better"]["model 2"] is False


def test_signature_diffs():
    old = ModelSignature(Schema([ColSpec("long", "x"), ColSpec("double", "y")]))
    new = ModelSignature(Schema([ColSpec("double", "x"), ColSpec("double", "y"),
                                 ColSpec("string", "z")]))
    a = EvaluationResult({"accuracy_score": 0.8}, {}, model={"signature": old.to_dict()})
    b = EvaluationResult({"accuracy_score": 0.9}, {}, model={"signature": new.to_dict()})
    c = EvaluationResult({"accuracy_score": 0.7}, {}, model={"signature": None})
    cmp = compare({"a": a, "b": b, "c": c})
    assert cmp.signature_diffs["a"] is None and cmp.signature_diffs["c"] is None
    assert cmp.signature_diffs["b"].lines() == ["+ inputs.z: string (required)",
                                                "~ inputs.x: long -> double"]
    assert any("No signature diff for 'c'" in n for n in cmp.notes)
    back = ComparisonResult.from_dict(json.loads(json.dumps(cmp.to_dict())))
    assert back.signature_diffs["b"] == cmp.signature_diffs["b"]


def test_multiclass_per_class_rows_and_micro_curves():
    X, y = _data(classes=3)
    a = _evaluate(DecisionTreeClassifier(max_depth=2, random_state=0), X, y)
    b = _evaluate(LogisticRegression(), X, y)
    cmp = compare({"tree": a, "logistic": b}, n_resamples=50)
    assert cmp.paired and cmp.settings["kind"] == "multiclass"
    assert cmp.metric("f1_score")["bootstrapped"] is True
    assert cmp.metric("roc_auc")["bootstrapped"] is False  # not in the bootstrapped set
    rows = {(r["positive_class"], r["metric"]): r for r in cmp.per_class}
    ta = {r["positive_class"]: r for r in a.tables["per_class_metrics"].rows}
    tb = {r["positive_class"]: r for r in b.tables["per_class_metrics"].rows}
    r = rows[("1", "recall_score")]
    assert r["values"] == {"tree": ta["1"]["recall_score"], "logistic": tb["1"]["recall_score"]}
    assert r["deltas"] == {"tree": None,
                           "logistic": tb["1"]["recall_score"] - ta["1"]["recall_score"]}
    assert cmp.curves["roc"]["logistic"].label == "micro"
    assert "lift" not in cmp.curves  # one-vs-rest lift curves are not drawn for multiclass


def test_regressors_are_paired_with_plain_resamples():
    X, _ = _data()
    t = X["a"] * 2 + X["b"] ** 2
    a = _evaluate(LinearRegression(), X, t.to_numpy())
    b = _evaluate(DecisionTreeRegressor(max_depth=4, random_state=0), X, t.to_numpy())
    cmp = compare([a, b], n_resamples=100, seed=1)
    assert cmp.paired and cmp.settings["kind"] == "regressor"
    y, p0, p1 = a.rows.y_true, a.rows.y_pred, b.rows.y_pred
    deltas = [skm.r2_score(y[i], p1[i]) - skm.r2_score(y[i], p0[i])
              for i in resample_indices(len(y), 100, seed=1)]
    np.testing.assert_allclose(cmp.metric("r2_score")["delta_ci"][cmp.names[1]],
                               np.percentile(deltas, [2.5, 97.5]), rtol=0, atol=1e-12)
    assert cmp.metric("max_error")["bootstrapped"] is False


def test_runs_by_name(tmp_path):
    workbench.set_workspace(tmp_path / "ws")
    X, y = _data()
    for name, model in (("stump", DecisionTreeClassifier(max_depth=1, random_state=0)),
                        ("bayes", GaussianNB())):
        with workbench.start_run(run_name=name):
            _evaluate(model, X, y)
    cmp = compare(["stump", "bayes"], baseline="bayes", n_resamples=20)
    assert cmp.names == ["stump", "bayes"] and cmp.paired and cmp.baseline == "bayes"
    assert cmp.models["stump"]["run_id"] is not None
    by_object = compare([workbench.load_evaluation("stump"), workbench.load_evaluation("bayes")],
                        n_resamples=20)
    assert by_object.names == ["stump", "bayes"]  # the results' run names
    with pytest.raises(WorkbenchException, match="No stored evaluation for run 'nope'"):
        compare(["stump", "nope"])


def test_save_load_round_trip(tmp_path, binary_pair):
    stump, bayes = binary_pair
    cmp = compare({"stump": stump, "bayes": bayes}, n_resamples=30,
                  thresholds={"roc_auc": MetricThreshold(threshold=0.9, greater_is_better=True)})
    d = cmp.to_dict()
    text = json.dumps(d, allow_nan=False)  # strict JSON: NaN and inf are strings
    assert d["format_version"] == 1 and '"Infinity"' in text  # ROC thresholds start at inf
    assert ComparisonResult.from_dict(json.loads(text)) == cmp
    path = cmp.save(tmp_path / "cmp")
    assert sorted(p.name for p in path.iterdir()) == ["comparison.json"]
    loaded = ComparisonResult.load(path)
    assert loaded == cmp and loaded.metric("roc_auc")["delta_ci"]["bayes"] == \
        cmp.metric("roc_auc")["delta_ci"]["bayes"]
    assert loaded.curves["roc"]["bayes"] == bayes.curve("roc")
    with pytest.raises(WorkbenchException, match="already holds one. Pass overwrite=True"):
        cmp.save(path)
    cmp.save(path, overwrite=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.txt").write_text("x")
    with pytest.raises(WorkbenchException, match="not empty and holds no comparison.json"):
        cmp.save(tmp_path / "other", overwrite=True)
    with pytest.raises(WorkbenchException, match="no comparison.json there"):
        ComparisonResult.load(tmp_path / "missing")
    with pytest.raises(WorkbenchException, match="format_version 2"):
        ComparisonResult.from_dict({**d, "format_version": 2})
    with pytest.raises(WorkbenchException, match="expected a dict with \"format\""):
        ComparisonResult.from_dict({"names": []})
    broken = {**d, "metrics": [{"metric": "x"}]}
    with pytest.raises(WorkbenchException, match="malformed"):
        ComparisonResult.from_dict(broken)


def test_to_frame_and_repr(binary_pair):
    stump, bayes = binary_pair
    cmp = compare({"stump": stump, "bayes": bayes}, n_resamples=30)
    frame = cmp.to_frame()
    assert frame.loc["roc_auc", ("bayes", "value")] == bayes.metrics["roc_auc"]
    assert frame.loc["roc_auc", ("bayes", "ci_low")] == cmp.metric("roc_auc")["delta_ci"]["bayes"][0]
    assert frame.loc["roc_auc", ("stump", "value_ci_high")] == cmp.metric("roc_auc")["ci"]["stump"][1]
    assert frame.loc["log_loss", ("", "greater_is_better")] is False or \
        frame.loc["log_loss", ("", "greater_is_better")] == False  # noqa: E712
    assert list(frame.columns.levels[0]) == sorted(["", "stump", "bayes"])
    text = repr(cmp)
    assert text.startswith("ComparisonResult(names=['stump', 'bayes'], baseline='stump', "
                           "paired=True, metrics=16") and len(text) < 300


def test_display_and_html_delegate(monkeypatch, binary_pair):
    stump, bayes = binary_pair
    cmp = compare([stump, bayes], n_resamples=10)
    calls = []
    fake = types.ModuleType("workbench.notebook._report")
    fake.to_html = lambda obj, **kw: calls.append(("to_html", obj, kw)) or "<html>"
    fake.save_html = lambda obj, path, **kw: calls.append(("save_html", obj, path, kw)) or path
    monkeypatch.setitem(sys.modules, "workbench.notebook._report", fake)
    import workbench.notebook._display as display

    monkeypatch.setattr(display, "comparison_mimebundle",
                        lambda obj, include, exclude: calls.append(("bundle", obj)) or {"text/plain": "x"})
    assert cmp.to_html(title="T") == "<html>"
    assert cmp.save_html("r.html", plotlyjs="cdn") == "r.html"
    assert cmp._repr_mimebundle_() == {"text/plain": "x"}
    assert stump.to_html() == "<html>" and stump.save_html("s.html") == "s.html"
    assert calls[0] == ("to_html", cmp, {"title": "T"})
    assert calls[1] == ("save_html", cmp, "r.html", {"plotlyjs": "cdn"})
    assert calls[2] == ("bundle", cmp) and calls[3][1] is stump


def test_clear_errors(binary_pair):
    stump, bayes = binary_pair
    reg = EvaluationResult({"r2_score": 0.5}, {}, model={"model_type": "regressor"})
    cases = [
        (lambda: compare([stump]), "needs at least 2 results to compare, got 1"),
        (lambda: compare(stump), "expects a sequence or dict of at least 2 results"),
        (lambda: compare([stump, 3]), "item 1 is a int"),
        (lambda: compare({"a": stump, "": bayes}), "must be non-empty strings"),
        (lambda: compare({"a": stump, "b": bayes}, baseline="c"),
         "compare(baseline='c'): no result has that name. The names are ['a', 'b']"),
        (lambda: compare([stump, bayes], baseline=2), "index out of range for 2 results"),
        (lambda: compare([stump, bayes], baseline=1.0), "expects a name, an index or None"),
        (lambda: compare({"a": stump, "r": reg}),
         "cannot compare classifiers with regressors (a: classifier, r: regressor)"),
        (lambda: compare([stump, bayes], thresholds={"roc_auc": 0.9}),
         "must be a dict that maps metric names to MetricThreshold objects"),
        (lambda: compare([stump, bayes], n_resamples=0), "n_resamples=...) must be a positive"),
        (lambda: compare([stump, bayes], confidence=95), "between 0 and 1"),
        (lambda: compare([stump, bayes], seed=-1), "non-negative integer"),
    ]
    for call, message in cases:
        with pytest.raises(WorkbenchException) as err:
            call()
        assert message in err.value.message, err.value.message
        assert err.value.error_code == "INVALID_PARAMETER_VALUE"


def test_duplicate_names_are_refused(tmp_path):
    workbench.set_workspace(tmp_path / "ws")
    X, y = _data()
    with workbench.start_run(run_name="same"):
        _evaluate(GaussianNB(), X, y)
    with pytest.raises(WorkbenchException, match="got the name 'same' twice"):
        compare(["same", "same"])


def test_metric_prefix_and_sample_weights():
    X, y = _data()
    weights = np.random.default_rng(1).random(len(X) // 2) + 0.5
    config = {"metric_prefix": "v_", "sample_weights": weights}
    a = _evaluate(DecisionTreeClassifier(max_depth=1, random_state=0), X, y, **config)
    b = _evaluate(GaussianNB(), X, y, **config)
    cmp = compare({"a": a, "b": b}, n_resamples=40, seed=2)
    assert cmp.paired and cmp.metric("roc_auc") is None
    row = cmp.metric("v_roc_auc")
    assert row["bootstrapped"] and row["greater_is_better"] is True
    assert cmp.metric("v_log_loss")["greater_is_better"] is False
    yt, s0, s1 = a.rows.y_true, a.rows.scores.astype(float), b.rows.scores.astype(float)
    deltas = [skm.roc_auc_score(yt[i], s1[i], sample_weight=weights[i])
              - skm.roc_auc_score(yt[i], s0[i], sample_weight=weights[i])
              for i in resample_indices(len(yt), 40, strata=yt, seed=2)]
    np.testing.assert_allclose(row["delta_ci"]["b"], np.percentile(deltas, [2.5, 97.5]),
                               rtol=0, atol=1e-12)
    other = _evaluate(GaussianNB(), X, y, pos_label=0)  # another positive class: not paired
    assert not compare([a, other]).paired


def test_custom_metric_direction_from_make_metric(tmp_path):
    X, y = _data()

    def errors(predictions, targets, metrics):
        wrong = (np.asarray(predictions) != np.asarray(targets)).sum()
        return workbench.metrics.MetricValue(aggregate_results={"errors": float(wrong)})

    def per_row(predictions, targets, metrics):
        return workbench.metrics.MetricValue(
            scores=(np.asarray(predictions) == np.asarray(targets)).astype(float).tolist())

    extra = [workbench.models.make_metric(eval_fn=errors, greater_is_better=False),
             workbench.models.make_metric(eval_fn=per_row, greater_is_better=True)]
    results = []
    for model in (DecisionTreeClassifier(max_depth=1, random_state=0), GaussianNB()):
        model.fit(X.iloc[:200], y[:200])
        results.append(workbench.evaluate(model, data=X.iloc[200:].assign(label=y[200:]),
                                          targets="label", model_type="classifier",
                                          extra_metrics=extra, evaluator_config=NO_SHAP))
    assert results[0].metric_directions == {"errors": False, "per_row/mean": True,
                                            "per_row/p90": True}
    results[0].save(tmp_path / "r")
    assert EvaluationResult.load(tmp_path / "r").metric_directions == results[0].metric_directions
    cmp = compare({"stump": results[0], "bayes": results[1]})
    row = cmp.metric("errors")
    assert row["greater_is_better"] is False
    assert row["better"]["bayes"] is (row["deltas"]["bayes"] < 0)
    assert cmp.metric("per_row/variance")["greater_is_better"] is None
