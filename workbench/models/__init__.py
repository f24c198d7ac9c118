"""Model format, signatures and schema enforcement: the twin of ``mlflow.models``.

Names are resolved lazily (PEP 562) so that ``import workbench.models`` stays cheap and
importing the model layer never imports a layer above it: the evaluation names
(``evaluate``, ``EvaluationResult``, ...) live in :mod:`workbench.evaluation` and are handed
on from here only when asked for, as MLflow's ``mlflow.models`` does.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "EvaluationArtifact": "workbench.evaluation",
    "EvaluationMetric": "workbench.evaluation",
    "EvaluationResult": "workbench.evaluation",
    "FlavorBackend": "workbench.models._flavor_backend",
    "MetricThreshold": "workbench.evaluation",
    "Model": "workbench.models._model",
    "ModelConfig": "workbench.models._config",
    "ModelInfo": "workbench.models._model",
    "ModelSignature": "workbench.models._signature",
    "Resource": "workbench.models._resources",
    "ResourceType": "workbench.models._resources",
    "SignatureDiff": "workbench.models._signature_diff",
    "build_docker": "workbench.models._docker",
    "convert_input_example_to_serving_input": "workbench.models._serving_input",
    "diff_signatures": "workbench.models._signature_diff",
    "evaluate": "workbench.evaluation",
    "get_model_info": "workbench.models._model",
    "infer_pip_requirements": "workbench.models._capture_imports",
    "infer_signature": "workbench.models._signature",
    "list_evaluators": "workbench.evaluation",
    "make_metric": "workbench.evaluation",
    "predict": "workbench.models._predict",
    "set_model": "workbench.models._code_model",
    "set_retriever_schema": "workbench.models._retriever",
    "set_signature": "workbench.models._set_signature",
    "update_model_requirements": "workbench.models._requirements",
    "validate_schema": "workbench.models._enforcement",
    "validate_serving_input": "workbench.models._validate_serving_input",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
