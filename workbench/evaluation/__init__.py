"""Model evaluation: the twin of MLflow's ``mlflow.models.evaluate`` and its companions.

>>> import workbench.evaluation as ev
>>> "evaluate" in ev.__all__ and "list_evaluators" in ev.__all__
True

Names resolve lazily (PEP 562): ``import workbench.evaluation`` imports neither numpy nor
pandas nor scikit-learn; each name's module is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    # orchestration (E2)
    "EvaluationDataset": "workbench.evaluation._dataset",
    "ModelEvaluator": "workbench.evaluation.evaluators._base",
    "evaluate": "workbench.evaluation._evaluate",
    "list_evaluators": "workbench.evaluation.evaluators",
    # custom metrics and artifacts
    "CsvEvaluationArtifact": "workbench.evaluation._artifacts",
    "EvaluationArtifact": "workbench.evaluation._artifacts",
    "ImageEvaluationArtifact": "workbench.evaluation._artifacts",
    "JsonEvaluationArtifact": "workbench.evaluation._artifacts",
    "NumpyEvaluationArtifact": "workbench.evaluation._artifacts",
    "ParquetEvaluationArtifact": "workbench.evaluation._artifacts",
    "TextEvaluationArtifact": "workbench.evaluation._artifacts",
    "EvaluationMetric": "workbench.evaluation._custom_metrics",
    "MetricValue": "workbench.evaluation._custom_metrics",
    "make_metric": "workbench.evaluation._custom_metrics",
    # result and validation
    "ComparisonResult": "workbench.evaluation._compare",
    "compare": "workbench.evaluation._compare",
    "load_evaluation": "workbench.evaluation._persist",
    "log_evaluation": "workbench.evaluation._persist",
    "EvaluationResult": "workbench.evaluation._result",
    "MetricThreshold": "workbench.evaluation._validation",
    "ModelValidationFailedException": "workbench.evaluation._validation",
    "validate_evaluation_results": "workbench.evaluation._validation",
    # curves, tables and explanations as data
    "CalibrationCurve": "workbench.evaluation._curves",
    "DetCurve": "workbench.evaluation._curves",
    "GainsCurve": "workbench.evaluation._curves",
    "LiftCurve": "workbench.evaluation._curves",
    "PrecisionRecallCurve": "workbench.evaluation._curves",
    "RocCurve": "workbench.evaluation._curves",
    "ConfusionMatrix": "workbench.evaluation._tables",
    "PerClassMetrics": "workbench.evaluation._tables",
    "ResidualSummary": "workbench.evaluation._tables",
    "ThresholdTable": "workbench.evaluation._tables",
    "Explanation": "workbench.evaluation._explain",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench.evaluation' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
