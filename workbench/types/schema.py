"""MLflow's import path ``mlflow.types.schema``: the same classes as :mod:`workbench.types`.

Lets code written as ``from mlflow.types.schema import Array, Object`` run with
``mlflow`` replaced by ``workbench``.
"""

from workbench.types import (
    AnyType,
    Array,
    ColSpec,
    DataType,
    Map,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    TensorSpec,
)
from workbench.types._infer import convert_dataclass_to_schema

__all__ = [
    "AnyType",
    "Array",
    "ColSpec",
    "DataType",
    "Map",
    "Object",
    "ParamSchema",
    "ParamSpec",
    "Property",
    "Schema",
    "TensorSpec",
    "convert_dataclass_to_schema",
]
