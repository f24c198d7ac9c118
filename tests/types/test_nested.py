import pytest

from workbench._exceptions import WorkbenchException
from workbench.types import AnyType, Array, DataType, Map, Object, Property


def test_property_basics():
    prop = Property("a", "long")
    assert prop.name == "a" and prop.dtype is DataType.long and prop.required is True
    assert repr(prop) == "a: long (required)"
    assert prop.to_dict() == {"a": {"type": "long", "required": True}}
    prop.required = False
    assert repr(prop) == "a: long (optional)"
    assert prop != Property("a", "long")
    assert prop != "a"


def test_property_from_json_dict_defaults_required_and_rejects_bad_shapes():
    assert Property.from_json_dict(a={"type": "string"}) == Property("a", DataType.string)
    with pytest.raises(WorkbenchException, match=r"exactly one key, the property name, got 2"):
        Property.from_json_dict(a={"type": "string"}, b={"type": "long"})
    with pytest.raises(WorkbenchException, match=r"Property 'a' to map to a dict with a 'type'"):
        Property.from_json_dict(a={"required": True})


def test_property_rejects_bad_arguments():
    with pytest.raises(WorkbenchException, match=r"Property name to be a string, got 1 of type int"):
        Property(1, "long")
    with pytest.raises(WorkbenchException, match=r"Unsupported type name 'lng' for the dtype"):
        Property("a", "lng")
    with pytest.raises(TypeError, match=r"got 1.5 of type float"):
        Property("a", 1.5)
    with pytest.raises(WorkbenchException, match=r"'required' of Property 'a' to be True or False"):
        Property("a", "long", required="no")


def test_object_sorts_properties_and_serializes():
    obj = Object([Property("b", "double"), Property("a", Array("string"), required=False)])
    assert [p.name for p in obj.properties] == ["a", "b"]
    assert obj == Object([Property("a", Array("string"), False), Property("b", "double")])
    assert repr(obj) == "{a: Array(string) (optional), b: double (required)}"
    assert obj.to_dict() == {
        "type": "object",
        "properties": {
            "a": {"type": "array", "items": {"type": "string"}, "required": False},
            "b": {"type": "double", "required": True},
        },
    }
    assert Object.from_json_dict(**obj.to_dict()) == obj


def test_object_rejects_bad_properties():
    with pytest.raises(WorkbenchException, match=r"at least one Property, got an empty list"):
        Object([])
    with pytest.raises(WorkbenchException, match=r"to be a list of Property, got tuple"):
        Object((Property("a", "long"),))
    with pytest.raises(WorkbenchException, match=r"to be Property instances, got \['a'\]"):
        Object(["a"])
    with pytest.raises(WorkbenchException, match=r"duplicated property names \['a'\]"):
        Object([Property("a", "long"), Property("a", "string")])
    obj = Object([Property("a", "long")])
    with pytest.raises(WorkbenchException, match=r"at least one Property"):
        obj.properties = []
    obj.properties = [Property("z", "long"), Property("y", "long")]
    assert [p.name for p in obj.properties] == ["y", "z"]


def test_object_from_json_dict_errors():
    with pytest.raises(WorkbenchException, match=r"keys 'type' and 'properties', got keys \['type'\]"):
        Object.from_json_dict(type="object")
    with pytest.raises(WorkbenchException, match=r"to have type 'object', got 'array'"):
        Object.from_json_dict(type="array", properties={})
    with pytest.raises(WorkbenchException, match=r"dict of property name to property dict"):
        Object.from_json_dict(type="object", properties={"a": "long"})


def test_array_map_any_dicts_and_reprs():
    assert Array(DataType.long).to_dict() == {"type": "array", "items": {"type": "long"}}
    assert repr(Array(Array("string"))) == "Array(Array(string))"
    assert Map("double").to_dict() == {"type": "map", "values": {"type": "double"}}
    assert repr(Map("double")) == "Map(str -> DataType.double)"  # MLflow's form
    assert repr(Map(Array("long"))) == "Map(str -> Array(long))"
    assert AnyType().to_dict() == {"type": "any"}
    assert repr(AnyType()) == "Any"
    assert AnyType() == AnyType() and AnyType() != DataType.long
    nested = Map(Array(Object([Property("k", AnyType())])))
    assert Map.from_json_dict(**nested.to_dict()) == nested
    assert Array.from_json_dict(**Array(nested).to_dict()) == Array(nested)
    assert AnyType.from_json_dict(type="any") == AnyType()


def test_array_and_map_errors():
    with pytest.raises(WorkbenchException, match=r"Unsupported type name 'nope' for the dtype of an Array"):
        Array("nope")
    with pytest.raises(TypeError, match=r"for the value_type of a Map, got 3 of type int"):
        Map(3)
    with pytest.raises(WorkbenchException, match=r"Array dict with keys 'type' and 'items'"):
        Array.from_json_dict(type="array")
    with pytest.raises(WorkbenchException, match=r"'items' of an Array to be a dict with a 'type' key"):
        Array.from_json_dict(type="array", items="long")
    with pytest.raises(WorkbenchException, match=r"Map dict to have type 'map', got 'array'"):
        Map.from_json_dict(type="array", values={"type": "long"})
    with pytest.raises(WorkbenchException, match=r"Spark ML type that workbench does not support"):
        Array.from_json_dict(type="array", items={"type": "sparkml_vector"})


# --- merging ---------------------------------------------------------------------------


def test_object_merge_unions_properties_and_marks_missing_optional():
    left = Object([Property("a", "string"), Property("b", "double")])
    right = Object([Property("a", "string", required=False), Property("c", "boolean")])
    assert left._merge(right) == Object([
        Property("a", "string", required=False),
        Property("b", "double", required=False),
        Property("c", "boolean", required=False),
    ])
    assert left._merge(left) == left and left._merge(left) is not left


def test_merge_with_any_type():
    obj = Object([Property("a", "long")])
    assert obj._merge(AnyType()) == Object([Property("a", "long", required=False)])
    assert AnyType()._merge(obj) == Object([Property("a", "long", required=False)])
    assert AnyType()._merge(DataType.string) is DataType.string
    assert AnyType()._merge(AnyType()) == AnyType()
    assert Array("long")._merge(Array(AnyType())) == Array("long")
    assert Map("long")._merge(AnyType()) == Map("long")
    assert Property("a", "long")._merge(Property("a", AnyType())) == Property("a", "long")
    assert Property("a", "long")._merge(AnyType()) == Property("a", "long", required=False)


def test_nested_merge_recurses():
    left = Array(Object([Property("x", "long")]))
    right = Array(Object([Property("y", Map("string"))]))
    assert left._merge(right) == Array(Object([
        Property("x", "long", required=False),
        Property("y", Map("string"), required=False),
    ]))


@pytest.mark.parametrize(
    ("left", "right", "message"),
    [
        (Array("long"), Array("string"), r"element types long and string differ"),
        (Array("long"), Map("long"), r"Can't merge Array\(long\) with .* expected an Array"),
        (Map("long"), Map("double"), r"value types long and double differ"),
        (Object([Property("a", "long")]), Object([Property("a", "string")]),
         r"Property 'a' has incompatible types long and string"),
        (Object([Property("a", "long")]), Array("long"), r"expected an Object"),
        (Property("a", "long"), Property("b", "long"), r"the names differ"),
        (Property("a", "long"), DataType.long, r"expected a Property"),
        (AnyType(), 3, r"Can't merge AnyType with 3 of type int"),
    ],
)
def test_incompatible_merges_raise(left, right, message):
    with pytest.raises(WorkbenchException, match=message) as info:
        left._merge(right)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
