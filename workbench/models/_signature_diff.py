"""What changed between two model signatures: :func:`diff_signatures`.

The result is plain data (frozen dataclasses of strings), so that the comparison panel, the
HTML report and ``str()`` can each render it their own way::

    SignatureDiff                       inputs / outputs / params
    └── SchemaDiff                      added, removed, type_changed, required_changed,
        └── SpecChange(name, before, after)     shape_changed, default_changed

Columns and tensors are matched by name; unnamed ones by position, named ``[0]``, ``[1]``...
Types are compared by their JSON form (``to_dict``), so nested Array / Object / Map types
compare by value, and are shown in a compact form: ``array<long>``,
``object{age: long, tags?: array<string>}`` (``?`` marks an optional property),
``map<string, double>``, ``any``, ``tensor float32 (-1, 4)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException

__all__ = ["SchemaDiff", "SignatureDiff", "SpecChange", "diff_signatures", "type_text"]

#: The change kinds of a SchemaDiff, in the order they are listed, with their text marks.
CHANGE_KINDS = (
    ("added", "+"),
    ("removed", "-"),
    ("type_changed", "~"),
    ("required_changed", "~"),
    ("shape_changed", "~"),
    ("default_changed", "~"),
)
SECTIONS = ("inputs", "outputs", "params")


@dataclasses.dataclass(frozen=True)
class SpecChange:
    """One changed column, tensor or parameter.

    Attributes
    ----------
    name : str
        The column, tensor or parameter name; ``"[0]"`` for the first unnamed column.
    before, after : str or None
        What it was and what it is, as readable text; ``before`` is None for an added spec
        and ``after`` is None for a removed one.
    """

    name: str
    before: str | None
    after: str | None

    def to_dict(self) -> dict[str, str | None]:
        """Return ``{"name", "before", "after"}``."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class SchemaDiff:
    """The changes between two schemas (inputs, outputs) or two params schemas.

    Each field is a tuple of :class:`SpecChange`; ``default_changed`` is only filled for
    params. ``shape_changed`` is for tensors and params.
    """

    added: tuple[SpecChange, ...] = ()
    removed: tuple[SpecChange, ...] = ()
    type_changed: tuple[SpecChange, ...] = ()
    required_changed: tuple[SpecChange, ...] = ()
    shape_changed: tuple[SpecChange, ...] = ()
    default_changed: tuple[SpecChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when nothing changed."""
        return not any(getattr(self, kind) for kind, _ in CHANGE_KINDS)

    def __bool__(self) -> bool:
        return not self.is_empty

    def entries(self) -> Iterator[tuple[str, SpecChange]]:
        """Yield ``(kind, change)`` pairs in display order (added, removed, then changes)."""
        for kind, _ in CHANGE_KINDS:
            for change in getattr(self, kind):
                yield kind, change

    def to_dict(self) -> dict[str, list[dict[str, str | None]]]:
        """Return ``{kind: [{"name", "before", "after"}, ...]}`` for every kind."""
        return {kind: [c.to_dict() for c in getattr(self, kind)] for kind, _ in CHANGE_KINDS}


@dataclasses.dataclass(frozen=True)
class SignatureDiff:
    """The changes between two model signatures, one :class:`SchemaDiff` per part.

    ``bool(diff)`` is True when anything changed; ``str(diff)`` lists the changes one per
    line (``+`` added, ``-`` removed, ``~`` changed).
    """

    inputs: SchemaDiff = SchemaDiff()
    outputs: SchemaDiff = SchemaDiff()
    params: SchemaDiff = SchemaDiff()

    @property
    def is_empty(self) -> bool:
        """True when the two signatures are the same."""
        return all(getattr(self, section).is_empty for section in SECTIONS)

    def __bool__(self) -> bool:
        return not self.is_empty

    def to_dict(self) -> dict[str, dict[str, list[dict[str, str | None]]]]:
        """Return ``{"inputs": {...}, "outputs": {...}, "params": {...}}`` (see SchemaDiff)."""
        return {section: getattr(self, section).to_dict() for section in SECTIONS}

    def lines(self) -> list[str]:
        """The text form, one change per line; empty when nothing changed."""
        marks = dict(CHANGE_KINDS)
        result = []
        for section in SECTIONS:
            for kind, change in getattr(self, section).entries():
                where = section + ("" if change.name.startswith("[") else ".") + change.name
                result.append(f"{marks[kind]} {where}: {_change_text(kind, change)}")
        return result

    def __str__(self) -> str:
        return "\n".join(self.lines()) or "no changes"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Rich display in Jupyter (text/plain and static HTML).

        The renderer lives in ``workbench.notebook._display`` (standard library only) and is
        imported only when something is displayed, so this layer stays free of IPython.
        """
        from workbench.notebook._display import signature_diff_mimebundle

        return signature_diff_mimebundle(self, include, exclude)


def _change_text(kind: str, change: SpecChange) -> str:
    if kind == "added":
        return str(change.after)
    if kind == "removed":
        return str(change.before)
    prefix = {"shape_changed": "shape ", "default_changed": "default "}.get(kind, "")
    return f"{prefix}{change.before} -> {change.after}"


def diff_signatures(a: Any, b: Any) -> SignatureDiff:
    """Compare two model signatures: what ``b`` adds, removes and changes relative to ``a``.

    Parameters
    ----------
    a, b : ModelSignature or None
        The old and the new signature; None counts as a signature with no schemas.

    Returns
    -------
    SignatureDiff

    Examples
    --------
    >>> from workbench.models import ModelSignature
    >>> from workbench.types import ColSpec, ParamSchema, ParamSpec, Schema
    >>> old = ModelSignature(
    ...     Schema([ColSpec("long", "x"), ColSpec("double", "income"), ColSpec("string", "y")]),
    ...     params=ParamSchema([ParamSpec("temperature", "double", 0.5)]),
    ... )
    >>> new = ModelSignature(
    ...     Schema([ColSpec("double", "x"), ColSpec("string", "y", required=False),
    ...             ColSpec("long", "age")]),
    ...     params=ParamSchema([ParamSpec("temperature", "double", 0.7)]),
    ... )
    >>> print(diff_signatures(old, new))
    + inputs.age: long (required)
    - inputs.income: double
    ~ inputs.x: long -> double
    ~ inputs.y: required -> optional
    ~ params.temperature: default 0.5 -> 0.7
    >>> diff_signatures(old, old).is_empty
    True
    """
    old, new = _signature_parts(a, "a"), _signature_parts(b, "b")
    return SignatureDiff(
        inputs=_diff_schemas(old["inputs"], new["inputs"]),
        outputs=_diff_schemas(old["outputs"], new["outputs"]),
        params=_diff_params(old["params"], new["params"]),
    )


def _signature_parts(signature: Any, what: str) -> dict[str, Any]:
    if signature is None:
        return dict.fromkeys(SECTIONS)
    if not all(hasattr(signature, section) for section in SECTIONS):
        raise WorkbenchException(
            f"diff_signatures expects ModelSignature objects or None, got {what}="
            f"{type(signature).__name__}. Read a model's signature with "
            "workbench.models.get_model_info(uri).signature.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return {section: getattr(signature, section) for section in SECTIONS}


# --------------------------------------------------------------------------- schemas


def _keyed(specs: Any) -> dict[str, Any]:
    """Specs by name; unnamed ones by position (``"[0]"``)."""
    return {
        spec.name if spec.name is not None else f"[{i}]": spec
        for i, spec in enumerate(specs.inputs if specs is not None else ())
    }


def _diff_schemas(a: Any, b: Any) -> SchemaDiff:
    old, new = _keyed(a), _keyed(b)
    changes: dict[str, list[SpecChange]] = {kind: [] for kind, _ in CHANGE_KINDS}
    changes["added"] = [SpecChange(k, None, _spec_text(s)) for k, s in new.items() if k not in old]
    changes["removed"] = [
        SpecChange(k, _spec_text(s, with_required=False), None)
        for k, s in old.items()
        if k not in new
    ]
    for name, before in old.items():
        after = new.get(name)
        if after is None:
            continue
        if _is_tensor(before) and _is_tensor(after):
            _note(changes["type_changed"], name, before.type.name, after.type.name)
            _note(changes["shape_changed"], name, _shape(before.shape), _shape(after.shape))
            continue
        if _is_tensor(before) or _is_tensor(after):  # a column became a tensor or back
            was, now = _spec_text(before, False), _spec_text(after, False)
            _note(changes["type_changed"], name, was, now)
        else:
            was, now = type_text(before.type), type_text(after.type)
            changed = _type_dict(before.type) != _type_dict(after.type)
            _note(changes["type_changed"], name, was, now, changed)
        _note(changes["required_changed"], name, _required(before), _required(after))
    return SchemaDiff(**{kind: tuple(found) for kind, found in changes.items()})


def _note(
    found: list[SpecChange], name: str, before: str, after: str, changed: bool | None = None
) -> None:
    """Record a change from ``before`` to ``after`` (texts); ``changed`` overrides ``!=``."""
    if (before != after) if changed is None else changed:
        found.append(SpecChange(name, before, after))


def _is_tensor(spec: Any) -> bool:
    return isinstance(spec.type, np.dtype)


def _required(spec: Any) -> str:
    return "required" if spec.required else "optional"


def _shape(shape: Any) -> str:
    return "None" if shape is None else str(tuple(shape))


def _spec_text(spec: Any, with_required: bool = True) -> str:
    if _is_tensor(spec):
        return f"tensor {spec.type.name} {_shape(spec.shape)}"
    text = type_text(spec.type)
    return f"{text} ({_required(spec)})" if with_required else text


def _type_dict(dtype: Any) -> Any:
    from workbench.types import DataType

    return {"type": dtype.name} if isinstance(dtype, DataType) else dtype.to_dict()


def type_text(dtype: Any) -> str:
    """A compact, readable form of a column or property type.

    Examples
    --------
    >>> from workbench.types import Array, Map, Object, Property
    >>> type_text(Array(Map("double")))
    'array<map<string, double>>'
    >>> type_text(Object([Property("age", "long"), Property("tags", Array("string"), False)]))
    'object{age: long, tags?: array<string>}'
    """
    from workbench.types import AnyType, Array, DataType, Map, Object

    if isinstance(dtype, DataType):
        return dtype.name
    if isinstance(dtype, Array):
        return f"array<{type_text(dtype.dtype)}>"
    if isinstance(dtype, Map):
        return f"map<string, {type_text(dtype.value_type)}>"
    if isinstance(dtype, Object):
        fields = (
            f"{p.name}{'' if p.required else '?'}: {type_text(p.dtype)}" for p in dtype.properties
        )
        return "object{" + ", ".join(fields) + "}"
    if isinstance(dtype, AnyType):
        return "any"
    if isinstance(dtype, np.dtype):
        return dtype.name
    return repr(dtype)


# --------------------------------------------------------------------------- params


def _diff_params(a: Any, b: Any) -> SchemaDiff:
    old = {spec.name: spec for spec in (a.params if a is not None else ())}
    new = {spec.name: spec for spec in (b.params if b is not None else ())}
    changes: dict[str, list[SpecChange]] = {kind: [] for kind, _ in CHANGE_KINDS}
    changes["added"] = [SpecChange(k, None, _param_text(s)) for k, s in new.items() if k not in old]
    changes["removed"] = [
        SpecChange(k, type_text(s.dtype), None) for k, s in old.items() if k not in new
    ]
    for name, before in old.items():
        after = new.get(name)
        if after is None:
            continue
        was, now = type_text(before.dtype), type_text(after.dtype)
        changed = _type_dict(before.dtype) != _type_dict(after.dtype)
        _note(changes["type_changed"], name, was, now, changed)
        _note(changes["shape_changed"], name, _shape(before.shape), _shape(after.shape))
        old_default, new_default = _default(before), _default(after)
        # != for values (dict key order does not matter), repr for NaN (never == itself)
        changed = old_default != new_default and repr(old_default) != repr(new_default)
        _note(changes["default_changed"], name, repr(old_default), repr(new_default), changed)
    return SchemaDiff(**{kind: tuple(found) for kind, found in changes.items()})


def _default(spec: Any) -> Any:
    # The JSON form: dates as ISO text, numpy values as Python ones, so == is plain.
    return spec.to_dict()["default"]


def _param_text(spec: Any) -> str:
    shape = "" if spec.shape is None else f", shape {_shape(spec.shape)}"
    return f"{type_text(spec.dtype)} (default {_default(spec)!r}{shape})"
