"""Resources: plain data that round-trips through MLmodel's ``resources`` field."""

import json

import pytest

from workbench import WorkbenchException
from workbench.models import _resources as r
from workbench.models._model import Model

CLASSES = [
    (r.DatabricksUCConnection, "uc_connection", "connection_name"),
    (r.DatabricksServingEndpoint, "serving_endpoint", "endpoint_name"),
    (r.DatabricksVectorSearchIndex, "vector_search_index", "index_name"),
    (r.DatabricksSQLWarehouse, "sql_warehouse", "warehouse_id"),
    (r.DatabricksFunction, "function", "function_name"),
    (r.DatabricksGenieSpace, "genie_space", "genie_space_id"),
    (r.DatabricksTable, "table", "table_name"),
    (r.DatabricksApp, "app", "app_name"),
    (r.DatabricksLakebase, "lakebase", "database_instance_name"),
    (r.DatabricksUCModelService, "uc_model_service", "model_service_name"),
]


def test_resource_type_values():
    assert [t.value for t in r.ResourceType] == [
        "uc_connection", "vector_search_index", "serving_endpoint", "sql_warehouse", "function",
        "genie_space", "table", "app", "lakebase", "uc_model_service",
    ]


def test_every_type_has_a_class():
    assert {cls._type for cls, _, _ in CLASSES} == set(r.ResourceType)


@pytest.mark.parametrize("cls, type_value, keyword", CLASSES)
def test_each_resource_class(cls, type_value, keyword):
    plain = cls(**{keyword: "thing"})
    assert plain.type is r.ResourceType(type_value)
    assert plain.target_uri == "databricks"
    assert plain.name == "thing" and plain.on_behalf_of_user is None
    assert plain.to_dict() == {type_value: [{"name": "thing"}]}
    obo = cls("thing", on_behalf_of_user=False)
    assert obo.to_dict() == {type_value: [{"name": "thing", "on_behalf_of_user": False}]}
    assert cls.from_dict({"name": "thing"}) == plain
    assert cls.from_dict({"name": "thing", "on_behalf_of_user": False}) == obo
    assert plain != obo
    assert isinstance(plain, r.Resource)
    assert repr(obo) == f"{cls.__name__}('thing', on_behalf_of_user=False)"


def test_resource_base_is_abstract():
    with pytest.raises(TypeError):
        r.Resource()  # type: ignore[abstract]


def test_custom_resource_subclass_groups_under_its_target():
    class Custom(r.Resource):
        type = r.ResourceType.APP
        target_uri = "elsewhere"

        def to_dict(self):
            return {"app": [{"id": 1}]}

        @classmethod
        def from_dict(cls, data):
            return cls()

    assert r.resources_to_dict([Custom()]) == {"elsewhere": {"app": [{"id": 1}]}, "api_version": "1"}
    assert Custom() == Custom() and Custom() != "x"


def test_group_and_back():
    resources = [
        r.DatabricksServingEndpoint("chat"),
        r.DatabricksVectorSearchIndex("idx", on_behalf_of_user=True),
        r.DatabricksServingEndpoint("embed"),
    ]
    grouped = r.resources_to_dict(resources)
    assert grouped == {
        "databricks": {
            "serving_endpoint": [{"name": "chat"}, {"name": "embed"}],
            "vector_search_index": [{"name": "idx", "on_behalf_of_user": True}],
        },
        "api_version": "1",
    }
    back = r.resources_from_dict(grouped)
    assert back == [resources[0], resources[2], resources[1]]  # grouped by type
    assert "api_version" in grouped  # not mutated (MLflow pops it)
    assert r.normalize_resources_dict(grouped) == grouped


def test_empty_list():
    assert r.resources_to_dict([]) == {"api_version": "1"}
    assert r.resources_from_dict({"api_version": "1"}) == []


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"databricks": {}}, "Unsupported resources api_version None"),
        ({"api_version": "2"}, "Unsupported resources api_version '2'"),
        ({"api_version": "1", "aws": {}}, "Unsupported resource target 'aws'"),
        ({"api_version": "1", "databricks": {"gpu": []}}, "Unsupported resource type 'gpu'"),
        ({"api_version": "1", "databricks": []}, "as a mapping of type to entries"),
        ({"api_version": "1", "databricks": {"table": {"name": "t"}}}, "Expected a list of 'table'"),
        ({"api_version": "1", "databricks": {"table": [{"id": "t"}]}}, "with a 'name' key"),
        ({"api_version": "1", "databricks": {"table": [{"name": 3}]}}, "non-empty name as a str"),
        ({"api_version": "1", "databricks": {"table": [{"name": "t", "on_behalf_of_user": "yes"}]}},
         "on_behalf_of_user to be True, False or None"),
        (["api_version"], "as a mapping, got list"),
    ],
)
def test_bad_resource_dicts(data, expected):
    with pytest.raises(WorkbenchException, match=expected) as info:
        r.resources_from_dict(data)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_to_dict_refuses_non_resources():
    with pytest.raises(WorkbenchException, match="Expected each resource to be a Resource"):
        r.resources_to_dict(["chat"])
    with pytest.raises(WorkbenchException, match="as a list of Resource objects, got str"):
        r.resources_to_dict("chat")


def test_yaml_and_json_files(tmp_path):
    yaml_file = tmp_path / "resources.yaml"
    yaml_file.write_text(
        "api_version: '1'\n"
        "databricks:\n"
        "  serving_endpoint:\n"
        "  - name: chat\n"
        "  table:\n"
        "  - name: cat.sch.t\n"
        "    on_behalf_of_user: true\n"
    )
    expected = {
        "databricks": {
            "serving_endpoint": [{"name": "chat"}],
            "table": [{"name": "cat.sch.t", "on_behalf_of_user": True}],
        },
        "api_version": "1",
    }
    assert r.resources_from_yaml_file(yaml_file) == expected
    json_file = tmp_path / "resources.json"
    json_file.write_text(json.dumps(expected))
    assert r.resources_from_yaml_file(str(json_file)) == expected


def test_yaml_file_errors(tmp_path):
    with pytest.raises(WorkbenchException, match="is not a file"):
        r.resources_from_yaml_file(tmp_path / "missing.yaml")
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(f"api_version: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(WorkbenchException, match="as plain YAML/JSON"):
        r.resources_from_yaml_file(evil)
    assert not marker.exists()


def test_round_trip_through_the_mlmodel_file(tmp_path):
    resources = [r.DatabricksFunction("cat.sch.fn"), r.DatabricksGenieSpace("g1", True)]
    Model(resources=resources).save(tmp_path)
    loaded = Model.load(tmp_path)
    assert loaded.resources == r.resources_to_dict(resources)
    assert r.resources_from_dict(loaded.resources) == resources
    text = (tmp_path / "MLmodel").read_text()
    assert "resources:\n  api_version: '1'\n  databricks:\n    function:\n    - name: cat.sch.fn\n" in text


def test_unknown_resources_survive_a_round_trip(tmp_path):
    foreign = {"api_version": "1", "databricks": {"quantum_computer": [{"name": "q"}]}}
    Model(resources=foreign).save(tmp_path)
    assert Model.load(tmp_path).resources == foreign
