"""The evaluator registry: "default", registration, entry point plugins, config routing."""

import sys

import pandas as pd
import pytest

from workbench import WorkbenchException
from workbench.evaluation import EvaluationResult, ModelEvaluator, evaluate, list_evaluators
from workbench.evaluation import evaluators as registry
from workbench.evaluation._evaluate import resolve_evaluators_and_configs


class RowCounter(ModelEvaluator):
    name = "row_counter"
    seen = []

    @classmethod
    def can_evaluate(cls, *, model_type, evaluator_config, **kwargs):
        return evaluator_config.get("enabled", True)

    def evaluate(self, *, model_type, dataset, run_id, evaluator_config, model=None,
                 extra_metrics=None, custom_artifacts=None, predictions=None, **kwargs):
        RowCounter.seen.append((model_type, run_id, dict(evaluator_config)))
        return EvaluationResult({"rows": dataset.n_rows}, {})


@pytest.fixture
def row_counter():
    RowCounter.seen = []
    registry.register_evaluator("row_counter", RowCounter)
    yield RowCounter
    registry.unregister_evaluator("row_counter")


def data():
    return pd.DataFrame({"y": [0, 1, 1, 0], "p": [0, 1, 0, 0]})


def test_default_is_listed_first():
    assert list_evaluators()[0] == "default"
    assert registry.is_builtin("default")
    assert type(registry.get_evaluator("default")).__name__ == "DefaultEvaluator"


def test_registered_evaluator_runs_with_the_default(row_counter):
    assert "row_counter" in list_evaluators()
    result = evaluate(data=data(), targets="y", predictions="p", model_type="classifier")
    assert result.metrics["rows"] == 4 and result.metrics["accuracy_score"] == 0.75
    assert row_counter.seen == [("classifier", None, {})]


def test_per_evaluator_configs(row_counter):
    evaluate(data=data(), targets="y", predictions="p", model_type="classifier",
             evaluators=["default", "row_counter"],
             evaluator_config={"default": {"pos_label": 0}, "row_counter": {"k": 1}})
    assert row_counter.seen[-1][2] == {"k": 1}
    # evaluators=None with a config keyed by evaluator names: each gets its own
    result = evaluate(data=data(), targets="y", predictions="p", model_type="classifier",
                      evaluator_config={"row_counter": {"enabled": False}})
    assert "rows" not in result.metrics


def test_mixed_nested_and_flat_config_is_refused(row_counter):
    with pytest.raises(WorkbenchException, match="If `evaluators` argument is an evaluator name list, "
                                                 "evaluator_config must be a dict containing mapping"):
        resolve_evaluators_and_configs(["default", "row_counter"],
                                       {"default": {}, "pos_label": 1}, "classifier")


def test_register_checks():
    with pytest.raises(WorkbenchException, match="subclass of workbench.evaluation.ModelEvaluator"):
        registry.register_evaluator("x", object)
    with pytest.raises(WorkbenchException, match="'default' is the built-in evaluator's name"):
        registry.register_evaluator("default", RowCounter)
    with pytest.raises(WorkbenchException, match="Could not find a registered model evaluator for: 'zz'"):
        registry.get_evaluator("zz")


def test_entry_point_plugins(tmp_path, monkeypatch):
    (tmp_path / "wb_plugin_mod.py").write_text(
        "from workbench.evaluation import ModelEvaluator, EvaluationResult\n"
        "class Plugin(ModelEvaluator):\n"
        "    @classmethod\n"
        "    def can_evaluate(cls, *, model_type, evaluator_config, **kw):\n"
        "        return True\n"
        "    def evaluate(self, *, dataset, **kw):\n"
        "        return EvaluationResult({'plugin_rows': dataset.n_rows}, {})\n"
    )
    dist = tmp_path / "wb_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: wb-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[workbench.evaluators]\nmy_plugin = wb_plugin_mod:Plugin\nbroken = wb_no_such_module:X\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_entry_points_loaded", False)
    monkeypatch.setattr(registry, "_registry", {})
    with pytest.warns(UserWarning, match="Could not load the evaluator 'broken'"):
        names = list_evaluators()
    assert names == ["default", "my_plugin"]
    result = evaluate(data=data(), targets="y", predictions="p", model_type="classifier",
                      evaluators=["default", "my_plugin"])
    assert result.metrics["plugin_rows"] == 4 and "accuracy_score" in result.metrics
    sys.modules.pop("wb_plugin_mod", None)
