"""The scoring server: MLflow's protocol on FastAPI and uvicorn (the ``serve`` extra).

:func:`create_app` builds the ASGI application for a model; :func:`serve` runs it with
uvicorn until interrupted. Predictions run in worker processes that are killed and replaced
when they overrun the timeout or die, and request bodies are capped before parsing.

The names are loaded lazily, so that the worker processes (which import
``workbench.serving._predict_worker``) never import FastAPI.
"""

from __future__ import annotations

from typing import Any

__all__ = sorted(["create_app", "serve"])

_LAZY = {"create_app": "workbench.serving._app", "serve": "workbench.serving._server"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'workbench.serving' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
