"""MLflow's import path ``mlflow.models.signature``: the same names as :mod:`workbench.models`."""

from workbench.models._signature import ModelSignature, infer_signature

__all__ = ["ModelSignature", "infer_signature"]
