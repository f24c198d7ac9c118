"""Model format, signatures and schema enforcement: the twin of ``mlflow.models``.

Names are resolved lazily (PEP 562) so that ``import workbench.models`` stays cheap and
importing the model layer never imports a layer above it.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "Model": "workbench.models._model",
    "ModelInfo": "workbench.models._model",
    "ModelSignature": "workbench.models._signature",
    "Resource": "workbench.models._resources",
    "ResourceType": "workbench.models._resources",
    "SignatureDiff": "workbench.models._signature_diff",
    "convert_input_example_to_serving_input": "workbench.models._serving_input",
    "diff_signatures": "workbench.models._signature_diff",
    "get_model_info": "workbench.models._model",
    "infer_signature": "workbench.models._signature",
    "set_retriever_schema": "workbench.models._retriever",
    "validate_schema": "workbench.models._enforcement",
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
