"""Types for JSON-like values: :class:`Array`, :class:`Object` (of :class:`Property`),
:class:`Map` and :class:`AnyType`.

They nest (an Array of Objects whose properties are Maps ...), and each one serializes to the
JSON Schema-like dict that MLflow writes into signatures::

    {"type": "array", "items": {...}}
    {"type": "object", "properties": {"name": {..., "required": true}}}
    {"type": "map", "values": {...}}
    {"type": "any"}

where ``{...}`` is ``{"type": "<DataType name>"}`` or another nested dict.

``_merge`` combines the types inferred from two examples of the same field (schema inference
over a list of dicts uses it). The rules are MLflow's:

- equal types merge to themselves;
- ``AnyType`` (inferred from ``None``) merges with anything to the other side, and makes an
  Object's properties optional;
- two Objects merge property by property; a property present on one side only becomes
  ``required=False``; a property is required only if it is required on both sides;
- Arrays and Maps merge their element types;
- anything else (``long`` with ``string``, an Array with an Object ...) raises
  :class:`~workbench.WorkbenchException`.
"""

from __future__ import annotations

import abc
import copy
from typing import Any, Union

import numpy as np

from workbench.types._datatype import DataType, parse_datatype
from workbench.types._errors import SpecTypeError, invalid

__all__ = ["AnyType", "Array", "Map", "Object", "Property"]

ARRAY_TYPE = "array"
OBJECT_TYPE = "object"
MAP_TYPE = "map"
ANY_TYPE = "any"
SPARKML_VECTOR_TYPE = "sparkml_vector"
NESTED_TYPE_NAMES = (ARRAY_TYPE, OBJECT_TYPE, MAP_TYPE, ANY_TYPE)

TypeLike = Union[DataType, "Array", "Object", "Map", "AnyType"]


class _NestedType(abc.ABC):
    """What every nested type offers: equality, a repr, a dict form and merging."""

    __hash__ = None  # mutable (Object.properties can be set), compared by value

    @abc.abstractmethod
    def __eq__(self, other: object) -> bool: ...

    @abc.abstractmethod
    def __repr__(self) -> str: ...

    @abc.abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready dict that MLflow writes for this type."""

    @abc.abstractmethod
    def _merge(self, other: Any) -> Any:
        """Return the type that accepts the values of both ``self`` and ``other``."""


def _is_type(value: Any) -> bool:
    return isinstance(value, (DataType, _NestedType))


def check_type_argument(value: Any, what: str) -> TypeLike:
    """Parse a DataType name and check that ``value`` is a type; ``what`` names the argument."""
    value = parse_datatype(value, what)
    if not _is_type(value):
        raise SpecTypeError(
            f"Expected a DataType, Array, Object, Map, AnyType or a type name for {what}, "
            f"got {value!r} of type {type(value).__name__}."
        )
    return value


def type_to_dict(dtype: TypeLike) -> dict[str, Any]:
    """Return ``{"type": "long"}`` for a DataType, the nested dict otherwise (a new dict)."""
    if isinstance(dtype, DataType):
        return {"type": dtype.name}
    return dtype.to_dict()


def type_from_dict(spec: Any, what: str) -> TypeLike:
    """Read a type dict (``{"type": "long"}``, ``{"type": "array", ...}`` ...) back.

    ``what`` says where the dict was found, for the error message.
    """
    if not isinstance(spec, dict) or "type" not in spec:
        raise invalid(f"Expected {what} to be a dict with a 'type' key, got {spec!r}.")
    name = spec["type"]
    if name == ARRAY_TYPE:
        return Array.from_json_dict(**spec)
    if name == OBJECT_TYPE:
        return Object.from_json_dict(**spec)
    if name == MAP_TYPE:
        return Map.from_json_dict(**spec)
    if name == ANY_TYPE:
        return AnyType()
    if name == SPARKML_VECTOR_TYPE:
        raise invalid(
            f"{what} has type 'sparkml_vector', a Spark ML type that workbench does not "
            "support (it has no Spark integration). Use an Array of doubles instead."
        )
    return check_type_argument(name, f"the type of {what}")


def _copy(value: Any) -> Any:
    return value if isinstance(value, DataType) else copy.deepcopy(value)


class Property(_NestedType):
    """A named, typed field of an :class:`Object`.

    Parameters
    ----------
    name : str
        The key of the field in the object.
    dtype : DataType, Array, Object, Map, AnyType or str
        The type of the value; a string is a DataType name.
    required : bool, default True
        Whether every object must have this field.

    Examples
    --------
    >>> from workbench.types import Array, Property
    >>> prop = Property("tags", Array("string"), required=False)
    >>> prop
    tags: Array(string) (optional)
    >>> prop.to_dict()
    {'tags': {'type': 'array', 'items': {'type': 'string'}, 'required': False}}
    >>> Property.from_json_dict(**prop.to_dict()) == prop
    True
    """

    def __init__(self, name: str, dtype: TypeLike | str, required: bool = True) -> None:
        if not isinstance(name, str):
            raise invalid(
                f"Expected the Property name to be a string, got {name!r} of type "
                f"{type(name).__name__}."
            )
        self._name = name
        self._dtype = check_type_argument(dtype, f"the dtype of Property {name!r}")
        self._required = check_required(required, f"Property {name!r}")

    @property
    def name(self) -> str:
        """The property name."""
        return self._name

    @property
    def dtype(self) -> TypeLike:
        """The property type."""
        return self._dtype

    @property
    def required(self) -> bool:
        """Whether the property must be present."""
        return self._required

    @required.setter
    def required(self, value: bool) -> None:
        self._required = check_required(value, f"Property {self._name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Property):
            return False
        return (self.name, self.dtype, self.required) == (other.name, other.dtype, other.required)

    def __lt__(self, other: Property) -> bool:
        # Objects keep their properties sorted by name, so that order never matters.
        return self.name < other.name

    def __repr__(self) -> str:
        return f"{self.name}: {self.dtype!r} ({'required' if self.required else 'optional'})"

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Return ``{name: {<type dict>, "required": bool}}``."""
        body = type_to_dict(self.dtype)
        body["required"] = self.required
        return {self.name: body}

    @classmethod
    def from_json_dict(cls, **kwargs: Any) -> Property:
        """Read ``{name: {"type": ..., "required": bool}}`` (``required`` defaults to True)."""
        if len(kwargs) != 1:
            raise invalid(
                "Expected a Property dict with exactly one key, the property name, got "
                f"{len(kwargs)} keys: {sorted(kwargs)}."
            )
        ((name, body),) = kwargs.items()
        if not isinstance(body, dict) or "type" not in body:
            raise invalid(
                f"Expected Property {name!r} to map to a dict with a 'type' key, got {body!r}."
            )
        body = dict(body)
        required = body.pop("required", True)
        return cls(name, type_from_dict(body, f"Property {name!r}"), required=required)

    def _merge(self, other: Any) -> Property:
        """Merge with the same property seen in another example (see the module docstring)."""
        if isinstance(other, AnyType):
            return Property(self.name, _copy(self.dtype), required=False)
        if not isinstance(other, Property):
            raise invalid(
                f"Can't merge Property {self.name!r} with {other!r} of type "
                f"{type(other).__name__}: expected a Property."
            )
        if self.name != other.name:
            raise invalid(
                f"Can't merge Property {self.name!r} with Property {other.name!r}: the names "
                "differ."
            )
        required = self.required and other.required
        if isinstance(self.dtype, DataType):
            if self.dtype == other.dtype or isinstance(other.dtype, AnyType):
                return Property(self.name, self.dtype, required=required)
            raise invalid(
                f"Property {self.name!r} has incompatible types {self.dtype!r} and "
                f"{other.dtype!r} in different examples; give every example the same type."
            )
        return Property(self.name, self.dtype._merge(other.dtype), required=required)


def check_required(value: Any, what: str) -> bool:
    """Return ``required`` as a bool; ``what`` names its owner in the error message.

    None means True: MLflow 3 reads a nested column whose JSON has no "required" key as
    ``required=None`` (and writes it back as null); we read it as the default, True.
    """
    if value is None:
        return True
    if not isinstance(value, (bool, np.bool_)):
        raise invalid(f"Expected 'required' of {what} to be True or False, got {value!r}.")
    return bool(value)


class Object(_NestedType):
    """A JSON object (a dict with string keys) with a fixed set of properties.

    Properties are kept sorted by name, so two Objects with the same properties in any order
    are equal and serialize identically.

    Parameters
    ----------
    properties : list of Property
        At least one; names must be unique.

    Examples
    --------
    >>> from workbench.types import Object, Property
    >>> obj = Object([Property("b", "double"), Property("a", "string", required=False)])
    >>> obj
    {a: string (optional), b: double (required)}
    >>> obj.to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'type': 'object', 'properties': {'a': {'type': 'string', 'required': False},
                                      'b': {'type': 'double', 'required': True}}}
    >>> obj._merge(Object([Property("b", "double"), Property("c", "long")]))
    {a: string (optional), b: double (required), c: long (optional)}
    """

    def __init__(self, properties: list[Property]) -> None:
        self._properties = self._checked(properties)

    @staticmethod
    def _checked(properties: Any) -> list[Property]:
        if not isinstance(properties, list):
            raise invalid(
                "Expected the properties of an Object to be a list of Property, got "
                f"{type(properties).__name__}."
            )
        if not properties:
            raise invalid("An Object needs at least one Property, got an empty list.")
        wrong = [p for p in properties if not isinstance(p, Property)]
        if wrong:
            raise invalid(
                f"Expected the properties of an Object to be Property instances, got {wrong!r}."
            )
        seen: set[str] = set()
        duplicates = sorted({p.name for p in properties if p.name in seen or seen.add(p.name)})
        if duplicates:
            raise invalid(
                f"Found duplicated property names {duplicates} in an Object; names must be "
                "unique."
            )
        return sorted(properties)

    @property
    def properties(self) -> list[Property]:
        """The properties, sorted by name."""
        return self._properties

    @properties.setter
    def properties(self, value: list[Property]) -> None:
        self._properties = self._checked(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Object) and self.properties == other.properties

    def __repr__(self) -> str:
        return "{" + ", ".join(repr(p) for p in self.properties) + "}"

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"type": "object", "properties": {name: {...}, ...}}``."""
        properties: dict[str, Any] = {}
        for prop in self.properties:
            properties.update(prop.to_dict())
        return {"type": OBJECT_TYPE, "properties": properties}

    @classmethod
    def from_json_dict(cls, **kwargs: Any) -> Object:
        """Read ``{"type": "object", "properties": {name: {...}, ...}}``."""
        _check_keys(kwargs, "Object", OBJECT_TYPE, "properties")
        properties = kwargs["properties"]
        if not isinstance(properties, dict) or not all(
            isinstance(v, dict) for v in properties.values()
        ):
            raise invalid(
                "Expected the 'properties' of an Object to be a dict of property name to "
                f"property dict, got {properties!r}."
            )
        return cls([Property.from_json_dict(**{k: v}) for k, v in properties.items()])

    def _merge(self, other: Any) -> Object:
        """Merge with the Object seen in another example (see the module docstring)."""
        if isinstance(other, AnyType):
            return Object(
                [Property(p.name, _copy(p.dtype), required=False) for p in self.properties]
            )
        if not isinstance(other, Object):
            raise invalid(
                f"Can't merge Object {self!r} with {other!r} of type {type(other).__name__}: "
                "expected an Object."
            )
        if self == other:
            return copy.deepcopy(self)
        mine = {p.name: p for p in self.properties}
        theirs = {p.name: p for p in other.properties}
        merged = [
            mine[name]._merge(theirs[name])
            if name in mine and name in theirs
            else Property(name, _copy((mine.get(name) or theirs[name]).dtype), required=False)
            for name in mine.keys() | theirs.keys()
        ]
        return Object(merged)


class Array(_NestedType):
    """A JSON array (a list or 1-D numpy array) whose elements all have one type.

    Parameters
    ----------
    dtype : DataType, Array, Object, Map, AnyType or str
        The element type; a string is a DataType name.

    Examples
    --------
    >>> from workbench.types import Array
    >>> Array("long"), Array(Array("string")).to_dict()
    (Array(long), {'type': 'array', 'items': {'type': 'array', 'items': {'type': 'string'}}})
    """

    def __init__(self, dtype: TypeLike | str) -> None:
        self._dtype = check_type_argument(dtype, "the dtype of an Array")

    @property
    def dtype(self) -> TypeLike:
        """The element type."""
        return self._dtype

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Array) and self.dtype == other.dtype

    def __repr__(self) -> str:
        return f"Array({self.dtype!r})"

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"type": "array", "items": {<element type dict>}}``."""
        return {"type": ARRAY_TYPE, "items": type_to_dict(self.dtype)}

    @classmethod
    def from_json_dict(cls, **kwargs: Any) -> Array:
        """Read ``{"type": "array", "items": {...}}``."""
        _check_keys(kwargs, "Array", ARRAY_TYPE, "items")
        return cls(type_from_dict(kwargs["items"], "the 'items' of an Array"))

    def _merge(self, other: Any) -> Array:
        """Merge with the Array seen in another example (element types must agree)."""
        if isinstance(other, AnyType) or self == other:
            return copy.deepcopy(self)
        if not isinstance(other, Array):
            raise invalid(
                f"Can't merge {self!r} with {other!r} of type {type(other).__name__}: "
                "expected an Array."
            )
        if isinstance(self.dtype, DataType):
            if isinstance(other.dtype, AnyType):
                return Array(self.dtype)
            raise invalid(
                f"Can't merge {self!r} with {other!r}: the element types {self.dtype!r} and "
                f"{other.dtype!r} differ; give every example the same element type."
            )
        return Array(self.dtype._merge(other.dtype))


class Map(_NestedType):
    """A JSON object used as a dictionary: string keys, values of one type.

    Parameters
    ----------
    value_type : DataType, Array, Object, Map, AnyType or str
        The type of every value; a string is a DataType name.

    Examples
    --------
    >>> from workbench.types import Map
    >>> Map("double")
    Map(str -> DataType.double)
    >>> Map("double").to_dict()
    {'type': 'map', 'values': {'type': 'double'}}
    """

    def __init__(self, value_type: TypeLike | str) -> None:
        self._value_type = check_type_argument(value_type, "the value_type of a Map")

    @property
    def value_type(self) -> TypeLike:
        """The type of the values."""
        return self._value_type

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Map) and self.value_type == other.value_type

    def __repr__(self) -> str:
        # str(), not repr(), of the value type: MLflow's form ("Map(str -> DataType.double)").
        return f"Map(str -> {self.value_type})"

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"type": "map", "values": {<value type dict>}}``."""
        return {"type": MAP_TYPE, "values": type_to_dict(self.value_type)}

    @classmethod
    def from_json_dict(cls, **kwargs: Any) -> Map:
        """Read ``{"type": "map", "values": {...}}``."""
        _check_keys(kwargs, "Map", MAP_TYPE, "values")
        return cls(type_from_dict(kwargs["values"], "the 'values' of a Map"))

    def _merge(self, other: Any) -> Map:
        """Merge with the Map seen in another example (value types must agree)."""
        if isinstance(other, AnyType) or self == other:
            return copy.deepcopy(self)
        if not isinstance(other, Map):
            raise invalid(
                f"Can't merge {self!r} with {other!r} of type {type(other).__name__}: "
                "expected a Map."
            )
        if isinstance(self.value_type, DataType):
            if isinstance(other.value_type, AnyType):
                return Map(self.value_type)
            raise invalid(
                f"Can't merge {self!r} with {other!r}: the value types {self.value_type!r} and "
                f"{other.value_type!r} differ; give every example the same value type."
            )
        return Map(self.value_type._merge(other.value_type))


class AnyType(_NestedType):
    """Any JSON value, ``None`` included; values of this type are never checked.

    Inference uses it for fields that are ``None`` in every example; it merges with any other
    type to that type.

    Examples
    --------
    >>> from workbench.types import AnyType, DataType
    >>> AnyType(), AnyType().to_dict(), AnyType()._merge(DataType.long)
    (Any, {'type': 'any'}, long)
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AnyType)

    def __repr__(self) -> str:
        return "Any"

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"type": "any"}``."""
        return {"type": ANY_TYPE}

    @classmethod
    def from_json_dict(cls, **kwargs: Any) -> AnyType:
        """Read ``{"type": "any"}``."""
        if kwargs.get("type") != ANY_TYPE:
            raise invalid(f"Expected an AnyType dict {{'type': 'any'}}, got {kwargs!r}.")
        return cls()

    def _merge(self, other: Any) -> Any:
        """Return the other type (an Object's properties become optional)."""
        if isinstance(other, AnyType):
            return AnyType()
        if isinstance(other, DataType):
            return other
        if not isinstance(other, _NestedType):
            raise invalid(
                f"Can't merge AnyType with {other!r} of type {type(other).__name__}: expected "
                "a DataType, Array, Object, Map, AnyType or Property."
            )
        return other._merge(self)


def _check_keys(kwargs: dict[str, Any], kind: str, type_name: str, body_key: str) -> None:
    if "type" not in kwargs or body_key not in kwargs:
        raise invalid(
            f"Expected a {kind} dict with keys 'type' and {body_key!r}, got keys "
            f"{sorted(kwargs)}."
        )
    if kwargs["type"] != type_name:
        raise invalid(
            f"Expected a {kind} dict to have type {type_name!r}, got {kwargs['type']!r}."
        )
