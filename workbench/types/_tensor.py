"""One tensor input or output: :class:`TensorSpec`.

A tensor is described by a numpy dtype and a shape in which ``-1`` marks a dimension of any
size (usually the batch). Strings and bytes are allowed only without a size (``np.dtype(str)``,
not ``np.dtype("<U10")``), because a signature must not depend on the longest example.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from workbench.types._errors import SpecTypeError, invalid

__all__ = ["TensorSpec"]

TENSOR_TYPE = "tensor"


def _check_dtype(dtype: Any, what: str) -> np.dtype:
    if not isinstance(dtype, np.dtype):
        raise SpecTypeError(
            f"Expected the type of {what} to be a numpy.dtype such as np.dtype('float64'), "
            f"got {dtype!r} of type {type(dtype).__name__}; wrap it in np.dtype(...)."
        )
    if dtype.char in ("U", "S") and dtype.itemsize != 0:
        plain = "str" if dtype.char == "U" else "bytes"
        raise invalid(
            f"The type of {what} is {dtype!r}, a string dtype with a size; sizes are not "
            f"supported in signatures. Use np.dtype({plain!r}) instead."
        )
    return dtype


def _check_shape(shape: Any, what: str) -> tuple[int, ...]:
    if not isinstance(shape, (tuple, list)):
        raise SpecTypeError(
            f"Expected the shape of {what} to be a tuple or list of ints, got {shape!r} of "
            f"type {type(shape).__name__}."
        )
    dims = []
    for dim in shape:
        try:
            if isinstance(dim, (bool, np.bool_)):
                raise TypeError
            dim = operator.index(dim)
        except TypeError:
            raise invalid(
                f"Expected the shape of {what} to hold ints (-1 for a dimension of any size), "
                f"got {dim!r} in {shape!r}."
            ) from None
        if dim < -1:
            raise invalid(
                f"Expected the shape of {what} to hold sizes >= 0 or -1 (any size), got {dim} "
                f"in {tuple(shape)!r}."
            )
        dims.append(dim)
    return tuple(dims)


class TensorSpec:
    """The dtype, shape and name of one tensor.

    Parameters
    ----------
    type : numpy.dtype
        The element type, e.g. ``np.dtype("float32")``.
    shape : tuple or list of int
        The dimensions; ``-1`` marks a dimension of any size.
    name : str, optional
        The tensor name; several tensors in one schema must all be named.

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.types import TensorSpec
    >>> spec = TensorSpec(np.dtype("float64"), (-1, 4), "x")
    >>> spec
    'x': Tensor('float64', (-1, 4))
    >>> spec.to_dict()
    {'name': 'x', 'type': 'tensor', 'tensor-spec': {'dtype': 'float64', 'shape': (-1, 4)}}
    >>> TensorSpec.from_json_dict(**spec.to_dict()) == spec
    True
    """

    def __init__(
        self,
        type: np.dtype,  # noqa: A002 - MLflow's argument name
        shape: tuple[int, ...] | list[int],
        name: str | None = None,
    ) -> None:
        what = "a TensorSpec" if name is None else f"TensorSpec {name!r}"
        self._type = _check_dtype(type, what)
        self._shape = _check_shape(shape, what)
        self._name = name

    @property
    def type(self) -> np.dtype:
        """The numpy dtype of the elements."""
        return self._type

    @property
    def shape(self) -> tuple[int, ...]:
        """The dimensions; -1 marks a dimension of any size."""
        return self._shape

    @property
    def name(self) -> str | None:
        """The tensor name, or None if the tensor is unnamed."""
        return self._name

    @property
    def required(self) -> bool:
        """Always True: tensors cannot be optional."""
        return True

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"name": ..., "type": "tensor", "tensor-spec": {"dtype", "shape"}}``.

        ``name`` comes first and only if set; ``shape`` is a tuple (a list in JSON).
        """
        body = {"type": TENSOR_TYPE, "tensor-spec": {"dtype": self.type.name, "shape": self.shape}}
        return body if self.name is None else {"name": self.name, **body}

    @classmethod
    def from_json_dict(cls, **kwargs: Any) -> TensorSpec:
        """Read a dict written by :meth:`to_dict`."""
        if "type" not in kwargs or "tensor-spec" not in kwargs:
            raise invalid(
                "Expected a TensorSpec dict with keys 'type' and 'tensor-spec', got keys "
                f"{sorted(kwargs)}."
            )
        if kwargs["type"] != TENSOR_TYPE:
            raise invalid(
                f"Expected a TensorSpec dict to have type 'tensor', got {kwargs['type']!r}."
            )
        info = kwargs["tensor-spec"]
        if not isinstance(info, dict) or not {"dtype", "shape"} <= set(info):
            raise invalid(
                "Expected the 'tensor-spec' of a TensorSpec dict to have keys 'dtype' and "
                f"'shape', got {info!r}."
            )
        try:
            dtype = np.dtype(info["dtype"])
        except TypeError:
            raise invalid(
                f"The 'dtype' {info['dtype']!r} of a TensorSpec dict is not a numpy dtype name "
                "such as 'float64'."
            ) from None
        return cls(dtype, info["shape"], kwargs.get("name"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TensorSpec):
            return False
        return (self.name, self.type, self.shape) == (other.name, other.type, other.shape)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        tensor = f"Tensor({self.type.name!r}, {self.shape!r})"
        return tensor if self.name is None else f"{self.name!r}: {tensor}"
