"""One column of a tabular dataset: :class:`ColSpec`."""

from __future__ import annotations

import warnings
from typing import Any

from workbench.types._errors import invalid
from workbench.types._nested import (
    NESTED_TYPE_NAMES,
    TypeLike,
    check_required,
    check_type_argument,
    type_from_dict,
    type_to_dict,
)

__all__ = ["ColSpec"]


class ColSpec:
    """The name, type and requiredness of one column.

    Parameters
    ----------
    type : DataType, Array, Object, Map, AnyType or str
        The column type; a string is a DataType name (``"long"``).
    name : str, optional
        The column name; unnamed columns are matched by position.
    required : bool, default True
        Whether the column must be present in the input.
    optional : bool, optional
        Deprecated (MLflow 2 spelling), keyword only: ``optional=True`` means
        ``required=False``. Emits a ``FutureWarning``.

    Examples
    --------
    >>> from workbench.types import ColSpec, DataType
    >>> col = ColSpec(DataType.long, "x")
    >>> col
    'x': long (required)
    >>> col.to_dict()
    {'type': 'long', 'name': 'x', 'required': True}
    >>> ColSpec("string", required=False).to_dict()
    {'type': 'string', 'required': False}
    >>> ColSpec.from_json_dict(**col.to_dict()) == col
    True
    """

    def __init__(
        self,
        type: TypeLike | str,  # noqa: A002 - MLflow's argument name
        name: str | None = None,
        required: bool = True,
        *,
        optional: bool | None = None,
    ) -> None:
        self._type = check_type_argument(type, "the type of a ColSpec")
        self._name = name
        what = "ColSpec" if name is None else f"ColSpec {name!r}"
        if optional is not None:
            if required is not True:
                raise invalid(
                    f"{what} got both 'optional' and 'required'; pass only 'required' "
                    "('optional' is deprecated)."
                )
            warnings.warn(
                "ColSpec(optional=...) is deprecated; use required=not optional instead.",
                FutureWarning,
                stacklevel=2,
            )
            required = not check_required(optional, what)
        self._required = check_required(required, what)

    @property
    def type(self) -> TypeLike:
        """The column type."""
        return self._type

    @property
    def name(self) -> str | None:
        """The column name, or None if the column is unnamed."""
        return self._name

    @name.setter
    def name(self, value: str | None) -> None:
        self._name = value

    @property
    def required(self) -> bool:
        """Whether the column must be present."""
        return self._required

    def to_dict(self) -> dict[str, Any]:
        """Return ``{<type dict>, "name": name, "required": bool}`` (no name if unnamed)."""
        result = type_to_dict(self.type)
        if self.name is not None:
            result["name"] = self.name
        result["required"] = self.required
        return result

    @classmethod
    def from_json_dict(cls, **kwargs: Any) -> ColSpec:
        """Read a dict written by :meth:`to_dict` (``required`` defaults to True)."""
        if "type" not in kwargs:
            raise invalid(
                f"Expected a ColSpec dict with a 'type' key, got keys {sorted(kwargs)}."
            )
        body = dict(kwargs)
        name = body.pop("name", None)
        required = body.pop("required", True)
        optional = body.pop("optional", None)
        if body["type"] in NESTED_TYPE_NAMES or body["type"] == "sparkml_vector":
            col_type = type_from_dict(body, "a ColSpec" if name is None else f"ColSpec {name!r}")
        else:
            extra = sorted(set(body) - {"type"})
            if extra:
                raise invalid(
                    f"Unexpected keys {extra} in ColSpec dict {kwargs!r}; a column of a "
                    "DataType has only 'type', 'name' and 'required'."
                )
            col_type = check_type_argument(body["type"], "the type of a ColSpec")
        if optional is not None:
            return cls(col_type, name, optional=optional)
        return cls(col_type, name, required)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ColSpec):
            return False
        return (self.name, self.type, self.required) == (other.name, other.type, other.required)

    __hash__ = None  # type: ignore[assignment]  # mutable (name has a setter)

    def __repr__(self) -> str:
        required = "required" if self.required else "optional"
        if self.name is None:
            return f"{self.type!r} ({required})"
        return f"{self.name!r}: {self.type!r} ({required})"

