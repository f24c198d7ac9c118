"""Data types and schemas of model inputs, outputs and parameters: the twin of ``mlflow.types``.

The names, arguments and JSON forms are MLflow's, so a signature written by either package
reads back in the other::

    >>> from workbench.types import ColSpec, Schema
    >>> Schema([ColSpec("long", "x")]).to_json()
    '[{"type": "long", "name": "x", "required": true}]'
"""

from workbench.types._colspec import ColSpec
from workbench.types._datatype import DataType
from workbench.types._nested import AnyType, Array, Map, Object, Property
from workbench.types._params import ParamSchema, ParamSpec
from workbench.types._schema import Schema
from workbench.types._tensor import TensorSpec

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
]
