"""Save and load scikit-learn models: the twin of ``mlflow.sklearn``.

Code written for ``mlflow.sklearn`` runs with ``mlflow`` replaced by ``workbench``, and the
model directories move both ways. Models are stored with skops by default, and a model
saved on this machine loads back without any opt-in, tree ensembles included; a pickle, or
a skops file from elsewhere holding types skops does not trust, loads only when you say so
(``trusted=True`` or ``skops_trusted_types=[...]``). See
:mod:`workbench.models._sklearn_flavor` for the details and the departures from MLflow.

Names resolve lazily: importing this module imports neither scikit-learn, skops nor
cloudpickle.

Examples
--------
>>> import workbench.sklearn
>>> workbench.sklearn.FLAVOR_NAME, workbench.sklearn.SERIALIZATION_FORMAT_SKOPS
('sklearn', 'skops')
"""

from __future__ import annotations

import importlib
from typing import Any

_FLAVOR = "workbench.models._sklearn_flavor"

_LAZY = {
    "FLAVOR_NAME": _FLAVOR,
    "SERIALIZATION_FORMAT_CLOUDPICKLE": _FLAVOR,
    "SERIALIZATION_FORMAT_PICKLE": _FLAVOR,
    "SERIALIZATION_FORMAT_SKOPS": _FLAVOR,
    "SUPPORTED_SERIALIZATION_FORMATS": _FLAVOR,
    "get_default_conda_env": _FLAVOR,
    "get_default_pip_requirements": _FLAVOR,
    "load_model": _FLAVOR,
    "log_model": _FLAVOR,
    "save_model": _FLAVOR,
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench.sklearn' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
