"""The inputs or outputs of a model: :class:`Schema`, a list of ColSpec or of TensorSpec.

A schema is either tabular (every entry a :class:`ColSpec`) or tensor-based (every entry a
:class:`TensorSpec`); never both. Entries are either all named or all unnamed (unnamed ones
are matched by position). The JSON form is a list of the entries' dicts, as MLflow writes it
into the ``signature`` of an ``MLmodel`` file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Union

import numpy as np

from workbench.types._colspec import ColSpec
from workbench.types._datatype import DataType
from workbench.types._errors import invalid
from workbench.types._nested import TypeLike
from workbench.types._tensor import TENSOR_TYPE, TensorSpec

__all__ = ["Schema"]

Spec = Union[ColSpec, TensorSpec]


class Schema:
    """The named or positional columns (or tensors) of a dataset.

    Parameters
    ----------
    inputs : list of ColSpec, or list of TensorSpec
        At least one. All named (with unique names) or all unnamed. Unnamed entries must be
        required, and at most one TensorSpec may be unnamed.

    Examples
    --------
    >>> from workbench.types import ColSpec, Schema
    >>> schema = Schema([ColSpec("double", "x"), ColSpec("string", "label", required=False)])
    >>> schema
    ['x': double (required), 'label': string (optional)]
    >>> schema.input_names(), schema.required_input_names(), schema.optional_input_names()
    (['x', 'label'], ['x'], ['label'])
    >>> schema.to_json()
    '[{"type": "double", "name": "x", "required": true}, {"type": "string", "name": "label", "required": false}]'
    >>> Schema.from_json(schema.to_json()) == schema
    True
    """

    def __init__(self, inputs: list[Spec]) -> None:
        if not isinstance(inputs, list):
            raise invalid(
                "Expected the inputs of a Schema to be a list of ColSpec or TensorSpec, got "
                f"{type(inputs).__name__}."
            )
        if not inputs:
            raise invalid("A Schema needs at least one input, got an empty list.")
        wrong = [x for x in inputs if not isinstance(x, (ColSpec, TensorSpec))]
        if wrong:
            raise invalid(
                f"Expected the inputs of a Schema to be ColSpec or TensorSpec, got {wrong!r}."
            )
        n_tensors = sum(isinstance(x, TensorSpec) for x in inputs)
        if 0 < n_tensors < len(inputs):
            raise invalid(
                f"A Schema cannot mix ColSpec and TensorSpec, got {inputs!r}; use only ColSpec "
                "(tabular data) or only TensorSpec (arrays)."
            )
        names = [x.name for x in inputs]
        n_named = sum(name is not None for name in names)
        if 0 < n_named < len(inputs):
            raise invalid(
                f"A Schema cannot mix named and unnamed inputs, got names {names}; name every "
                "input or none."
            )
        seen: set[Any] = set()
        duplicates = [n for n in names if n is not None and (n in seen or seen.add(n))]
        if duplicates:
            raise invalid(
                f"Found duplicated input names {sorted(set(map(str, duplicates)))} in a Schema; "
                "every input needs a unique name."
            )
        if n_named == 0:
            if n_tensors > 1:
                raise invalid(
                    f"A Schema with {n_tensors} TensorSpecs needs a name for each of them, got "
                    "unnamed ones."
                )
            if any(not x.required for x in inputs):
                raise invalid(
                    "An unnamed input cannot be optional (it is matched by position); name "
                    "every input or make all of them required."
                )
        self._inputs = inputs

    @property
    def inputs(self) -> list[Spec]:
        """The ColSpecs or TensorSpecs, in order."""
        return self._inputs

    def __len__(self) -> int:
        return len(self._inputs)

    def __iter__(self) -> Iterator[Spec]:
        return iter(self._inputs)

    def is_tensor_spec(self) -> bool:
        """Tell whether this schema is made of TensorSpecs."""
        return isinstance(self._inputs[0], TensorSpec)

    def has_input_names(self) -> bool:
        """Tell whether the inputs are named."""
        return self._inputs[0].name is not None

    def input_names(self) -> list[str | int]:
        """Return the names, or the positions 0, 1, ... if the inputs are unnamed."""
        return [x.name or i for i, x in enumerate(self._inputs)]

    def required_input_names(self) -> list[str | int]:
        """Return the names (or positions) of the required inputs."""
        return [x.name or i for i, x in enumerate(self._inputs) if x.required]

    def optional_input_names(self) -> list[str | int]:
        """Return the names (or positions) of the optional inputs."""
        return [x.name or i for i, x in enumerate(self._inputs) if not x.required]

    def input_types(self) -> list[TypeLike | np.dtype]:
        """Return the type of each input (a numpy dtype for a TensorSpec)."""
        return [x.type for x in self._inputs]

    def input_types_dict(self) -> dict[str, TypeLike | np.dtype]:
        """Return ``{name: type}``; only for a schema with named inputs."""
        self._require_names("input_types_dict()")
        return {x.name: x.type for x in self._inputs}

    def input_dict(self) -> dict[str, Spec]:
        """Return ``{name: ColSpec or TensorSpec}``; only for a schema with named inputs."""
        self._require_names("input_dict()")
        return {x.name: x for x in self._inputs}

    def _require_names(self, method: str) -> None:
        if not self.has_input_names():
            raise invalid(
                f"Schema.{method} needs named inputs, but this schema's inputs are unnamed; "
                "use input_types() or inputs instead."
            )

    def numpy_types(self) -> list[np.dtype]:
        """Return the numpy dtype of each input (DataType columns or tensors only)."""
        if self.is_tensor_spec():
            return [x.type for x in self._inputs]
        self._require_datatypes("numpy_types()")
        return [x.type.to_numpy() for x in self._inputs]

    def pandas_types(self) -> list[np.dtype | type]:
        """Return the pandas dtype of each column (DataType columns only)."""
        if self.is_tensor_spec():
            raise invalid(
                "Schema.pandas_types() is for ColSpec schemas; this one is made of TensorSpecs, "
                "use numpy_types() instead."
            )
        self._require_datatypes("pandas_types()")
        return [x.type.to_pandas() for x in self._inputs]

    def _require_datatypes(self, method: str) -> None:
        nested = [x for x in self._inputs if not isinstance(x.type, DataType)]
        if nested:
            raise invalid(
                f"Schema.{method} needs every column to have a DataType, but {nested!r} "
                "have nested types (Array, Object, Map or AnyType) with no single dtype."
            )

    def to_dict(self) -> list[dict[str, Any]]:
        """Return the list of the inputs' dicts."""
        return [x.to_dict() for x in self._inputs]

    def to_json(self) -> str:
        """Return the JSON string MLflow writes for this schema (``json.dumps`` of to_dict)."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, json_str: str) -> Schema:
        """Read a schema from the JSON written by :meth:`to_json` (ours or MLflow's)."""
        try:
            entries = json.loads(json_str)
        except (TypeError, ValueError) as e:
            raise invalid(f"Expected a Schema as a JSON string, could not parse it: {e}") from e
        if not isinstance(entries, list) or not all(isinstance(x, dict) for x in entries):
            raise invalid(
                f"Expected a Schema's JSON to be a list of objects, got {json_str!r}."
            )
        return cls([
            TensorSpec.from_json_dict(**x)
            if x.get("type") == TENSOR_TYPE
            else ColSpec.from_json_dict(**x)
            for x in entries
        ])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schema) and self._inputs == other._inputs

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._inputs)
