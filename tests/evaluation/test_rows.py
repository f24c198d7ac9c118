"""RowData: compact per-row data, its files, and the default evaluator attaching it."""

import io

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

import workbench
from workbench._exceptions import WorkbenchException
from workbench.evaluation._rows import RowData

NO_SHAP = {"log_model_explainability": False}


def test_binary_codes_and_positive_scores():
    rows = RowData.for_classifier(["b", "a", "b"], ["a", "a", "b"], labels=["a", "b"],
                                  scores=np.array([[0.3, 0.7], [0.9, 0.1], [0.2, 0.8]]))
    assert rows.kind == "binary" and rows.pos_index == 1 and rows.average is None
    assert rows.y_true.tolist() == [1, 0, 1] and rows.y_true.dtype == np.int8
    assert rows.y_pred.tolist() == [0, 0, 1]
    assert rows.scores.dtype == np.float32
    np.testing.assert_array_equal(rows.scores, np.float32([0.7, 0.1, 0.8]))
    assert rows.nbytes == 3 * (1 + 1 + 4)
    neg = RowData.for_classifier([1, 0], [1, 0], labels=[0, 1], pos_label=0,
                                 scores=np.array([[0.4, 0.6], [0.8, 0.2]]))
    assert neg.pos_index == 0
    np.testing.assert_array_equal(neg.scores, np.float32([0.4, 0.8]))


def test_multiclass_and_regressor():
    rows = RowData.for_classifier([2, 0, 1], [2, 1, 1], labels=[0, 1, 2],
                                  scores=np.eye(3)[[2, 1, 1]], average="macro")
    assert rows.kind == "multiclass" and rows.scores.shape == (3, 3)
    assert rows.average == "macro" and rows.pos_index is None
    y = np.array([1.0, 2.0])
    reg = RowData.for_regressor(y, [1, 3], sample_weight=[1, 2])
    y[0] = 99  # a copy: the caller's array does not change the rows
    assert reg.y_true.tolist() == [1.0, 2.0] and reg.y_pred.dtype == np.float64
    assert reg.sample_weight.tolist() == [1.0, 2.0]
    with pytest.raises(ValueError):
        reg.y_true[0] = 5.0  # read-only


@pytest.mark.parametrize("kwargs, message", [
    (dict(kind="nope", labels=None, y_true=np.zeros(2), y_pred=np.zeros(2)),
     "kind must be one of"),
    (dict(kind="binary", labels=[0, 1], y_true=np.array([0, 2]), y_pred=np.array([0, 1]),
          pos_index=1), "int codes in [0, 2)"),
    (dict(kind="binary", labels=[0, 1], y_true=np.array([0, 1]), y_pred=np.array([0, 1]),
          scores=np.zeros((2, 2)), pos_index=1), "scores must have shape (2,)"),
    (dict(kind="binary", labels=[0, 1], y_true=np.array([0, 1]), y_pred=np.array([0])),
     "one entry per row (2 rows)"),
    (dict(kind="multiclass", labels=[0, 1, 2], y_true=np.array([0]), y_pred=np.array([0]),
          average="binary"), "needs average in"),
    (dict(kind="binary", labels=[0, 1], y_true=np.array([0]), y_pred=np.array([0])),
     "needs pos_index 0 or 1"),
    (dict(kind="regressor", labels=[0, 1], y_true=np.zeros(1), y_pred=np.zeros(1)),
     "no labels and no scores"),
])
def test_bad_row_data_is_refused(kwargs, message):
    with pytest.raises(WorkbenchException, match="RowData") as err:
        RowData(**kwargs)
    assert message in err.value.message


def test_files_round_trip_and_refuse_pickles():
    rows = RowData.for_classifier([0, 1, 1], [0, 1, 0], labels=[0, 1], scores=[0.1, 0.8, 0.4],
                                  sample_weight=[1.0, 2.0, 0.5], digest="abc")
    files = rows.to_files()
    assert sorted(files) == ["sample_weight.npy", "scores.npy", "y_pred.npy", "y_true.npy"]
    back = RowData.from_files(rows.describe(), files)
    assert back == rows and back.digest == "abc"
    assert back != RowData.for_classifier([0, 1, 1], [0, 1, 1], labels=[0, 1],
                                          scores=[0.1, 0.8, 0.4], sample_weight=[1.0, 2.0, 0.5],
                                          digest="abc")
    buf = io.BytesIO()
    np.save(buf, np.array([{"x": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(WorkbenchException, match="Cannot read row data file y_true.npy"):
        RowData.from_files(rows.describe(), {**files, "y_true.npy": buf.getvalue()})
    with pytest.raises(WorkbenchException, match="y_true.npy and y_pred.npy are required"):
        RowData.from_files(rows.describe(), {"scores.npy": files["scores.npy"]})
    with pytest.raises(WorkbenchException, match="Cannot read row data: RowData kind"):
        RowData.from_files({**rows.describe(), "kind": "weird"}, files)


def test_same_targets():
    a = RowData.for_classifier([0, 1], [0, 1], labels=[0, 1], digest="d")
    assert a.same_targets(RowData.for_classifier([0, 1], [1, 1], labels=[0, 1], digest="d"))
    assert not a.same_targets(RowData.for_classifier([1, 1], [0, 1], labels=[0, 1], digest="d"))
    # the digest is not part of it: other columns over the same rows still pair
    assert a.same_targets(RowData.for_classifier([0, 1], [0, 1], labels=[0, 1], digest="e"))
    assert not a.same_targets(RowData.for_classifier([0, 1], [0, 1], labels=[0, 1], digest="d",
                                                     sample_weight=[1, 1]))


def _frame(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, pd.DataFrame(X, columns=["a", "b", "c"])


def test_evaluate_attaches_binary_rows():
    X, df = _frame()
    y = np.where(X[:, 0] + 0.5 * X[:, 1] > 0, "yes", "no")
    model = LogisticRegression().fit(df, y)
    result = workbench.evaluate(model, data=df.assign(label=y), targets="label",
                                model_type="classifier", evaluator_config=NO_SHAP)
    rows = result.rows
    assert rows.kind == "binary" and rows.labels == ["no", "yes"]
    assert rows.digest == result.dataset["digest"]
    np.testing.assert_array_equal(rows.y_true, (y == "yes").astype(np.int8))
    np.testing.assert_array_equal(rows.y_pred, (model.predict(df) == "yes").astype(np.int8))
    np.testing.assert_array_equal(rows.scores, model.predict_proba(df)[:, 1].astype(np.float32))


def test_evaluate_attaches_multiclass_and_regressor_rows():
    X, df = _frame()
    y = np.digitize(X[:, 0], [-0.5, 0.5])
    model = LogisticRegression().fit(df, y)
    result = workbench.evaluate(model, data=df.assign(label=y), targets="label",
                                model_type="classifier",
                                evaluator_config={**NO_SHAP, "average": "macro"})
    assert result.rows.kind == "multiclass" and result.rows.average == "macro"
    np.testing.assert_array_equal(result.rows.scores, model.predict_proba(df).astype(np.float32))
    target = X @ [1.0, 2.0, 0.0]
    reg = LinearRegression().fit(df, target)
    result = workbench.evaluate(reg, data=df.assign(t=target), targets="t",
                                model_type="regressor", evaluator_config=NO_SHAP)
    assert result.rows.kind == "regressor" and result.rows.scores is None
    np.testing.assert_array_equal(result.rows.y_pred, reg.predict(df))


@pytest.mark.parametrize("array", [
    np.arange(7, dtype=np.int8), np.linspace(0, 1, 12, dtype=np.float32).reshape(4, 3),
    np.array([1.5, -2.0]), np.empty(0), np.arange(12.0).reshape(3, 4).T,
])
def test_files_hold_exactly_what_np_save_writes(array):
    # the .npy bytes are built in one buffer of the final size (no BytesIO growth), and
    # are byte for byte np.save's, whatever the memory order
    from workbench.evaluation._rows import _npy_bytes

    expected = io.BytesIO()
    np.save(expected, array, allow_pickle=False)
    data = _npy_bytes(array)
    assert bytes(data) == expected.getvalue()
    np.testing.assert_array_equal(np.load(io.BytesIO(data), allow_pickle=False), array)
