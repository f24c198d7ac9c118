"""Tests of ``diff_signatures``: every change kind, None handling, nested types, text form."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from workbench import WorkbenchException
from workbench.models import ModelSignature, SignatureDiff, diff_signatures
from workbench.models._signature_diff import SchemaDiff, SpecChange, type_text
from workbench.types import (
    AnyType,
    Array,
    ColSpec,
    Map,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    TensorSpec,
)


def sig(inputs=None, outputs=None, params=None):
    return ModelSignature(
        Schema(inputs) if inputs is not None else None,
        Schema(outputs) if outputs is not None else None,
        ParamSchema(params) if params is not None else None,
    )


OLD = sig(
    [ColSpec("long", "x"), ColSpec("double", "income"), ColSpec("string", "y")],
    [ColSpec("long")],
    [ParamSpec("temperature", "double", 0.5), ParamSpec("k", "long", 3)],
)
NEW = sig(
    [ColSpec("double", "x"), ColSpec("string", "y", required=False), ColSpec("long", "age")],
    [ColSpec("long")],
    [ParamSpec("temperature", "double", 0.7), ParamSpec("k", "long", 3)],
)


def test_text_form_pins_every_line():
    assert str(diff_signatures(OLD, NEW)) == (
        "+ inputs.age: long (required)\n"
        "- inputs.income: double\n"
        "~ inputs.x: long -> double\n"
        "~ inputs.y: required -> optional\n"
        "~ params.temperature: default 0.5 -> 0.7"
    )


def test_fields_hold_spec_changes():
    diff = diff_signatures(OLD, NEW)
    assert diff.inputs.added == (SpecChange("age", None, "long (required)"),)
    assert diff.inputs.removed == (SpecChange("income", "double", None),)
    assert diff.inputs.type_changed == (SpecChange("x", "long", "double"),)
    assert diff.inputs.required_changed == (SpecChange("y", "required", "optional"),)
    assert diff.params.default_changed == (SpecChange("temperature", "0.5", "0.7"),)
    assert diff.outputs == SchemaDiff()
    assert diff.outputs.is_empty and not diff.outputs


def test_empty_and_truth():
    same = diff_signatures(OLD, OLD)
    assert same.is_empty and not same and str(same) == "no changes"
    assert same == SignatureDiff()
    changed = diff_signatures(OLD, NEW)
    assert not changed.is_empty and changed
    assert diff_signatures(None, None).is_empty


def test_to_dict_has_every_section_and_kind():
    result = diff_signatures(OLD, NEW).to_dict()
    kinds = ["added", "removed", "type_changed", "required_changed", "shape_changed", "default_changed"]
    assert list(result) == ["inputs", "outputs", "params"]
    assert all(list(part) == kinds for part in result.values())
    assert result["inputs"]["added"] == [{"name": "age", "before": None, "after": "long (required)"}]
    assert result["outputs"]["added"] == []


def test_results_are_frozen_plain_data():
    diff = diff_signatures(OLD, NEW)
    with pytest.raises(dataclasses.FrozenInstanceError):
        diff.inputs = SchemaDiff()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        diff.inputs.added[0].name = "z"  # type: ignore[misc]
    assert isinstance(diff.inputs.added, tuple)


def test_none_signatures_and_schemas():
    only_inputs = sig([ColSpec("long", "a")])
    assert str(diff_signatures(None, only_inputs)) == "+ inputs.a: long (required)"
    assert str(diff_signatures(only_inputs, None)) == "- inputs.a: long"
    with_outputs = sig([ColSpec("long", "a")], [ColSpec("double", "p")])
    assert str(diff_signatures(only_inputs, with_outputs)) == "+ outputs.p: double (required)"


def test_unnamed_columns_are_compared_by_position():
    diff = diff_signatures(sig([ColSpec("long"), ColSpec("string")]), sig([ColSpec("double")]))
    assert str(diff) == "- inputs[1]: string\n~ inputs[0]: long -> double"
    assert diff.inputs.removed[0].name == "[1]"


def test_tensor_dtype_and_shape_changes():
    a = sig([TensorSpec(np.dtype("float32"), (-1, 4), "x")])
    b = sig([TensorSpec(np.dtype("float64"), (-1, 5), "x"), TensorSpec(np.dtype("int64"), (-1,), "y")])
    diff = diff_signatures(a, b)
    assert str(diff) == (
        "+ inputs.y: tensor int64 (-1,)\n"
        "~ inputs.x: float32 -> float64\n"
        "~ inputs.x: shape (-1, 4) -> (-1, 5)"
    )
    assert diff.inputs.shape_changed == (SpecChange("x", "(-1, 4)", "(-1, 5)"),)
    unnamed = diff_signatures(
        sig([TensorSpec(np.dtype("uint8"), (-1, 28, 28))]),
        sig([TensorSpec(np.dtype("uint8"), (-1, 32, 32))]),
    )
    assert str(unnamed) == "~ inputs[0]: shape (-1, 28, 28) -> (-1, 32, 32)"


def test_column_becoming_a_tensor_is_a_type_change():
    diff = diff_signatures(sig([ColSpec("long", "x")]), sig([TensorSpec(np.dtype("int64"), (-1,), "x")]))
    assert str(diff) == "~ inputs.x: long -> tensor int64 (-1,)"


def test_type_and_required_change_together():
    diff = diff_signatures(sig([ColSpec("long", "x")]), sig([ColSpec("string", "x", required=False)]))
    assert str(diff) == "~ inputs.x: long -> string\n~ inputs.x: required -> optional"


def test_nested_types_compare_by_value_and_render_compactly():
    obj = Object([Property("a", "long"), Property("tags", Array("string"), required=False)])
    a = sig([ColSpec(obj, "o"), ColSpec(Array(Map("long")), "m"), ColSpec(AnyType(), "z")])
    same_again = sig(
        [
            ColSpec(Object([Property("tags", Array("string"), required=False), Property("a", "long")]), "o"),
            ColSpec(Array(Map("long")), "m"),
            ColSpec(AnyType(), "z"),
        ]
    )
    assert diff_signatures(a, same_again).is_empty
    b = sig(
        [
            ColSpec(Object([Property("a", "double"), Property("tags", Array("string"), False)]), "o"),
            ColSpec(Array(Map("double")), "m"),
            ColSpec("string", "z"),
        ]
    )
    assert str(diff_signatures(a, b)) == (
        "~ inputs.o: object{a: long, tags?: array<string>} -> object{a: double, tags?: array<string>}\n"
        "~ inputs.m: array<map<string, long>> -> array<map<string, double>>\n"
        "~ inputs.z: any -> string"
    )


def test_type_text():
    assert type_text(Array(Array("long"))) == "array<array<long>>"
    assert type_text(Map(Object([Property("x", "double")]))) == "map<string, object{x: double}>"
    assert type_text(AnyType()) == "any"
    assert type_text(np.dtype("float32")) == "float32"


def test_param_changes():
    a = sig(
        params=[
            ParamSpec("k", "long", 3),
            ParamSpec("stop", "string", ["a"], (-1,)),
            ParamSpec("o", Object([Property("a", "long")]), {"a": 1}),
            ParamSpec("same", "double", 1.0),
        ]
    )
    b = sig(
        params=[
            ParamSpec("k", "double", 3),
            ParamSpec("stop", "string", "a"),
            ParamSpec("same", "double", 1),
            ParamSpec("since", "datetime", "2024-01-01"),
            ParamSpec("words", "string", ["x"], (-1,)),
        ]
    )
    diff = diff_signatures(a, b)
    assert str(diff) == (
        "+ params.since: datetime (default '2024-01-01')\n"
        "+ params.words: string (default ['x'], shape (-1,))\n"
        "- params.o: object{a: long}\n"
        "~ params.k: long -> double\n"
        "~ params.stop: shape (-1,) -> None\n"
        "~ params.stop: default ['a'] -> 'a'"
    )
    assert diff.params.shape_changed == (SpecChange("stop", "(-1,)", "None"),)
    # 3 (long) and 3.0 (double) are the same default: only the type changed
    assert [c.name for c in diff.params.default_changed] == ["stop"]


def test_param_defaults_that_are_nan_or_reordered_dicts_are_unchanged():
    obj = Object([Property("a", "long"), Property("b", "long")])
    a = sig(params=[ParamSpec("t", "double", float("nan")), ParamSpec("o", obj, {"a": 1, "b": 2})])
    b = sig(params=[ParamSpec("t", "double", float("nan")), ParamSpec("o", obj, {"b": 2, "a": 1})])
    assert diff_signatures(a, b).is_empty


def test_model_signature_diff_method_delegates():
    assert OLD.diff(NEW) == diff_signatures(OLD, NEW)


def test_wrong_argument_types_are_refused():
    with pytest.raises(WorkbenchException) as info:
        diff_signatures(OLD, Schema([ColSpec("long", "x")]))
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert info.value.message.startswith(
        "diff_signatures expects ModelSignature objects or None, got b=Schema."
    )


def test_entries_are_in_display_order():
    kinds = [kind for kind, _ in diff_signatures(OLD, NEW).inputs.entries()]
    assert kinds == ["added", "removed", "type_changed", "required_changed"]
