"""DefaultEvaluator details: config checks, probability alignment, progress and timings."""

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from workbench import WorkbenchException
from workbench.evaluation import evaluate
from workbench.evaluation.evaluators._base import Steps
from workbench.evaluation.evaluators._default import CONFIG_KEYS, DefaultEvaluator

NO_SHAP = {"log_model_explainability": False}


def test_config_keys_are_mlflows_plus_probability_columns():
    assert set(CONFIG_KEYS) >= {
        "pos_label", "label_list", "average", "sample_weights", "col_mapping", "metric_prefix",
        "max_classes_for_multiclass_roc_pr", "log_model_explainability", "explainability_algorithm",
        "explainability_nsamples", "explainability_kernel_link", "calibration_n_bins",
        "probability_columns"}


def test_ignored_mlflow_keys_warn():
    df = pd.DataFrame({"y": [0, 1, 1, 0], "p": [0, 1, 0, 0]})
    with pytest.warns(UserWarning, match="'log_metrics_with_dataset_info' has no effect in workbench"):
        evaluate(data=df, targets="y", predictions="p", model_type="classifier",
                 evaluator_config={"log_metrics_with_dataset_info": True})


@pytest.mark.parametrize("config, message", [
    ({"max_classes_for_multiclass_roc_pr": 0}, "must be a positive integer, got 0"),
    ({"explainability_nsamples": "many"}, "explainability_nsamples'] must be a positive integer"),
    ({"explainability_kernel_link": "probit"}, "explainability_kernel_link'] must be one of ['identity', 'logit']"),
    ({"calibration_n_bins": 2.5}, "calibration_n_bins'] must be a positive integer"),
    ({"metric_prefix": 3}, "metric_prefix'] must be a string"),
    ({"col_mapping": ["a"]}, "col_mapping'] must be a dict"),
    ({"sample_weights": [1.0, np.nan, 1.0, 1.0]}, "holds 1 NaN or infinite value(s), first at row 1"),
])
def test_config_value_errors(config, message):
    df = pd.DataFrame({"y": [0, 1, 1, 0], "p": [0, 1, 0, 0]})
    with pytest.raises(WorkbenchException) as info:
        evaluate(data=df, targets="y", predictions="p", model_type="classifier", evaluator_config=config)
    assert message in str(info.value)


def test_model_classes_absent_from_the_data_are_dropped_and_rescaled():
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=1000).fit(X, y)
    mask = (y != 2) & (model.predict(X) != 2)  # a binary slice of a 3-class model
    result = evaluate(model, X[mask].assign(t=y[mask]), targets="t", model_type="classifier",
                      evaluator_config=NO_SHAP)
    assert "true_positives" in result.metrics and "roc_auc" in result.metrics
    assert any("occur in neither targets nor predictions" in w for w in result.warnings)


def test_align_proba_orders_columns_by_label():
    proba = np.array([[0.2, 0.8], [0.7, 0.3]])
    out = DefaultEvaluator._align_proba(proba, np.array(["b", "a"]), ["a", "b"], None, [])
    assert out.tolist() == [[0.8, 0.2], [0.3, 0.7]]
    with pytest.raises(WorkbenchException, match="predict_proba gives 3 columns but there are 2 labels"):
        DefaultEvaluator._align_proba(np.ones((2, 3)) / 3, None, [0, 1], None, [])


def test_classifier_with_float_targets_warns_like_mlflow():
    df = pd.DataFrame({"y": [0.5, 1.5, 1.5, 0.5], "p": [0.5, 1.5, 0.5, 0.5]})
    result = evaluate(data=df, targets="y", predictions="p", model_type="classifier")
    assert any("looks like regressor" in w for w in result.warnings)


def test_steps_without_a_terminal_show_no_bar(monkeypatch):
    steps = Steps(["a"])  # pytest captures stderr: not a terminal
    assert steps._bar is None
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    steps = Steps(["a"], progress=True)  # tqdm missing: no bar, no error
    with steps.step("a"):
        pass
    assert steps._bar is None and set(steps.timings) == {"a"}


def test_steps_with_tqdm_show_a_bar():
    import tqdm  # noqa: F401
    steps = Steps(["a", "b"], progress=True, delay=0)
    # the text bar, never tqdm.notebook's widget (it would stay in saved notebooks)
    assert type(steps._bar).__module__ == "tqdm.std"
    with steps.step("a"):
        pass
    assert steps._bar.n == 1
    steps.close()
