"""Model / ModelInfo: the MLmodel file as data, its round trips, and hostile files."""

import io
import json
import os
import pathlib

import pytest
import yaml

from workbench import WorkbenchException
from workbench import __version__ as workbench_version
from workbench.models._model import MLFLOW_FORMAT_VERSION, Model, ModelInfo, get_model_info
from workbench.models._resources import DatabricksServingEndpoint, DatabricksVectorSearchIndex
from workbench.models._retriever import (
    add_dependencies_schemas,
    clear_retriever_schemas,
    get_retriever_schemas,
    retriever_schemas_from_model,
    set_retriever_schema,
)
from workbench.models._signature import ModelSignature
from workbench.models._uri import resolve_model_path
from workbench.types import ColSpec, ParamSchema, ParamSpec, Schema

SIGNATURE = ModelSignature(
    inputs=Schema([ColSpec("double", "x"), ColSpec("string", "city", required=False)]),
    outputs=Schema([ColSpec("long")]),
    params=ParamSchema([ParamSpec("k", "long", 3)]),
)


def full_model(**overrides):
    fields = dict(
        artifact_path="model",
        run_id="0123456789abcdef0123456789abcdef",
        utc_time_created="2026-01-02 03:04:05.000006",
        flavors={
            "python_function": {"loader_module": "workbench.sklearn", "env": {"conda": "conda.yaml"}},
            "sklearn": {"pickled_model": "model.skops", "serialization_format": "skops"},
        },
        signature=SIGNATURE,
        saved_input_example_info={
            "artifact_path": "input_example.json",
            "type": "dataframe",
            "pandas_orient": "split",
            "serving_input_path": "serving_input_example.json",
        },
        model_uuid="feedfacefeedfacefeedfacefeedface",
        metadata={"team": "risk", "nested": {"a": [1, 2.5, None, True]}},
        model_size_bytes=1234,
        resources=[DatabricksServingEndpoint("chat"), DatabricksVectorSearchIndex("idx", True)],
        env_vars=["OPENAI_API_KEY"],
        auth_policy={"system_auth_policy": {"resources": []}},
        model_id="m-1",
        prompts=["prompts:/p/1"],
        databricks_runtime="15.4",  # an MLmodel key workbench does not know
        future_field={"list": [1, 2], "flag": False},
    )
    fields.update(overrides)
    return Model(**fields)


PINNED_YAML = f"""\
artifact_path: model
auth_policy:
  system_auth_policy:
    resources: []
databricks_runtime: '15.4'
env_vars:
- OPENAI_API_KEY
flavors:
  python_function:
    env:
      conda: conda.yaml
    loader_module: workbench.sklearn
  sklearn:
    pickled_model: model.skops
    serialization_format: skops
future_field:
  flag: false
  list:
  - 1
  - 2
is_signature_from_type_hint: false
metadata:
  nested:
    a:
    - 1
    - 2.5
    - null
    - true
  team: risk
mlflow_version: {MLFLOW_FORMAT_VERSION}
model_id: m-1
model_size_bytes: 1234
model_uuid: feedfacefeedfacefeedfacefeedface
prompts:
- prompts:/p/1
resources:
  api_version: '1'
  databricks:
    serving_endpoint:
    - name: chat
    vector_search_index:
    - name: idx
      on_behalf_of_user: true
run_id: 0123456789abcdef0123456789abcdef
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  serving_input_path: serving_input_example.json
  type: dataframe
signature:
  inputs: '[{{"type": "double", "name": "x", "required": true}}, {{"type": "string",
    "name": "city", "required": false}}]'
  outputs: '[{{"type": "long", "required": true}}]'
  params: '[{{"name": "k", "default": 3, "shape": null, "type": "long"}}]'
type_hint_from_example: false
utc_time_created: '2026-01-02 03:04:05.000006'
workbench_version: {workbench_version}
"""


# --------------------------------------------------------------------------- layout


def test_yaml_is_pinned(tmp_path):
    model = full_model()
    assert model.to_yaml() == PINNED_YAML
    model.save(tmp_path)
    assert (tmp_path / "MLmodel").read_text() == PINNED_YAML


def test_minimal_model_layout():
    model = Model(utc_time_created="2026-01-02 03:04:05", model_uuid="u")
    assert model.to_dict() == {
        "utc_time_created": "2026-01-02 03:04:05",
        "flavors": {},
        "model_uuid": "u",
        "mlflow_version": MLFLOW_FORMAT_VERSION,
        "workbench_version": workbench_version,
        "prompts": None,
        "model_id": None,
    }


def test_defaults_are_fresh():
    first, second = Model(), Model()
    assert len(first.model_uuid) == 32 and int(first.model_uuid, 16) >= 0
    assert first.model_uuid != second.model_uuid
    assert first.flavors is not second.flavors
    # str() of a naive UTC datetime, as MLflow writes it
    assert first.utc_time_created[4] == "-" and first.utc_time_created[10] == " "
    assert first.mlflow_version == MLFLOW_FORMAT_VERSION
    assert first.workbench_version == workbench_version


def test_utc_time_created_accepts_datetime():
    import datetime as dt

    when = dt.datetime(2026, 5, 6, 7, 8, 9, 10)
    assert Model(utc_time_created=when).utc_time_created == "2026-05-06 07:08:09.000010"


def test_model_uuid_callable():
    assert Model(model_uuid=lambda: "abc").model_uuid == "abc"


# --------------------------------------------------------------------------- round trips


def test_round_trip_every_field_through_dict_yaml_and_disk(tmp_path):
    model = full_model()
    again = Model.from_dict(model.to_dict())
    assert again == model
    assert again.to_dict() == model.to_dict()
    assert Model.from_dict(yaml.safe_load(model.to_yaml())).to_dict() == model.to_dict()
    assert Model.from_dict(json.loads(model.to_json())).to_dict() == model.to_dict()
    model.save(tmp_path / "MLmodel")
    loaded = Model.load(tmp_path)
    assert loaded.to_dict() == model.to_dict()
    for name in (
        "artifact_path", "run_id", "utc_time_created", "flavors", "saved_input_example_info",
        "model_uuid", "mlflow_version", "workbench_version", "metadata", "model_size_bytes",
        "resources", "env_vars", "auth_policy", "model_id", "prompts",
    ):
        assert getattr(loaded, name) == getattr(model, name), name
    assert loaded.signature == SIGNATURE
    assert loaded.databricks_runtime == "15.4"
    assert loaded.future_field == {"list": [1, 2], "flag": False}


def test_from_dict_does_not_invent_absent_keys():
    d = {"flavors": {"python_function": {}}, "utc_time_created": "2026-01-01 00:00:00"}
    model = Model.from_dict(d)
    assert model.model_uuid is None
    assert model.mlflow_version is None
    assert model.workbench_version is None
    assert model.to_dict() == {**d, "model_uuid": None, "prompts": None, "model_id": None}
    assert d == {"flavors": {"python_function": {}}, "utc_time_created": "2026-01-01 00:00:00"}


def test_foreign_version_values_survive():
    model = Model.from_dict({"flavors": {}, "mlflow_version": "2.9.0", "workbench_version": "9.9"})
    assert model.to_dict()["mlflow_version"] == "2.9.0"
    assert model.to_dict()["workbench_version"] == "9.9"
    assert model.get_model_info().mlflow_version == "2.9.0"


def test_mlflow_version_none_leaves_the_key_out():
    assert "mlflow_version" not in Model(mlflow_version=None).to_dict()


def test_unknown_keys_cannot_shadow_methods():
    d = {"flavors": {}, "save": "x", "to_dict": [1], "_signature": "y", 7: "seven"}
    model = Model.from_dict(d)
    assert callable(model.save) and callable(model.to_dict)
    out = model.to_dict()
    assert out["save"] == "x" and out["to_dict"] == [1] and out["_signature"] == "y"
    assert out[7] == "seven"
    assert model.signature is None


def test_setting_a_new_public_attribute_adds_a_key():
    model = Model()
    model.team = "risk"
    assert model.to_dict()["team"] == "risk"
    assert model.team == "risk"


def test_missing_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        Model().nope  # noqa: B018


def test_type_hint_flags_follow_the_signature():
    d = full_model().to_dict()
    d["is_signature_from_type_hint"] = True
    model = Model.from_dict(d)
    assert model.signature._is_signature_from_type_hint is True
    assert model.to_dict()["is_signature_from_type_hint"] is True
    assert "is_signature_from_type_hint" not in model._extra


def test_type_hint_flags_without_signature_are_kept_as_keys():
    model = Model.from_dict({"flavors": {}, "is_signature_from_type_hint": False})
    assert model.to_dict()["is_signature_from_type_hint"] is False


# --------------------------------------------------------------------------- properties


def test_add_flavor_returns_the_model_and_replaces():
    model = Model()
    assert model.add_flavor("a", x=1) is model
    model.add_flavor("a", y=2)
    assert model.flavors == {"a": {"y": 2}}


def test_schema_getters():
    model = full_model()
    assert model.get_input_schema() == SIGNATURE.inputs
    assert model.get_output_schema() == SIGNATURE.outputs
    assert model.get_params_schema() == SIGNATURE.params
    bare = Model()
    assert bare.get_input_schema() is None
    assert bare.get_output_schema() is None
    assert bare.get_params_schema() is None


def test_signature_false_is_ignored():
    model = Model(signature=SIGNATURE)
    model.signature = False
    assert model.signature == SIGNATURE
    assert Model(signature=False).signature is None


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("flavors", ["sklearn"], "Expected flavors to be a dict"),
        ("metadata", "team=risk", "Expected metadata to be a dict or None, got str"),
        ("saved_input_example_info", ["x"], "Expected saved_input_example_info to be a dict"),
        ("model_size_bytes", "12", "Expected model_size_bytes to be an int or None"),
        ("model_size_bytes", True, "Expected model_size_bytes to be an int or None"),
        ("env_vars", "TOKEN", "Expected env_vars to be a list of str or None"),
        ("env_vars", [1], "Expected env_vars to be a list of str or None"),
        ("signature", {"inputs": "[]"}, "Expected signature to be a workbench.models.ModelSignature"),
        ("resources", 42, "Expected resources as a list of Resource objects"),
        ("auth_policy", 3, "Expected auth_policy to be a dict or None"),
    ],
)
def test_setters_refuse_wrong_types(field, value, expected):
    with pytest.raises(WorkbenchException, match=expected) as info:
        Model(**{field: value})
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    model = Model()
    with pytest.raises(WorkbenchException, match=expected):
        setattr(model, field, value)


def test_setters_accept_and_return(tmp_path):
    model = Model()
    model.metadata = {"a": 1}
    model.model_size_bytes = 10
    model.saved_input_example_info = {"artifact_path": "input_example.json", "type": "json_object"}
    model.env_vars = ["A"]
    model.signature = SIGNATURE
    assert (model.metadata, model.model_size_bytes, model.env_vars) == ({"a": 1}, 10, ["A"])
    assert model.saved_input_example_info["type"] == "json_object"
    assert model.signature is SIGNATURE


def test_resources_setter_forms(tmp_path):
    expected = {"databricks": {"serving_endpoint": [{"name": "chat"}]}, "api_version": "1"}
    assert Model(resources=[DatabricksServingEndpoint("chat")]).resources == expected
    path = tmp_path / "resources.yaml"
    path.write_text("api_version: '1'\ndatabricks:\n  serving_endpoint:\n  - name: chat\n")
    assert Model(resources=str(path)).resources == expected
    assert Model(resources=path).resources == expected
    foreign = {"api_version": "2", "elsewhere": {"thing": [{"id": 1}]}}
    assert Model(resources=foreign).resources == foreign  # kept as written


def test_auth_policy_object_with_to_dict():
    class Policy:
        def to_dict(self):
            return {"user_auth_policy": {"api_scopes": ["a"]}}

    assert Model(auth_policy=Policy()).auth_policy == {"user_auth_policy": {"api_scopes": ["a"]}}


def test_to_yaml_to_stream_and_str():
    model = full_model()
    stream = io.StringIO()
    assert model.to_yaml(stream) is None
    assert stream.getvalue() == PINNED_YAML
    assert str(model) == PINNED_YAML
    assert "Model(flavors=['python_function', 'sklearn']" in repr(model)


def test_to_yaml_refuses_numpy_values_with_a_clear_error():
    import numpy as np

    with pytest.raises(WorkbenchException, match=r"must hold plain values .* \.item\(\)"):
        Model(metadata={"n": np.int64(3)}).to_yaml()


def test_equality():
    assert full_model() == full_model()
    assert full_model() != full_model(metadata={"team": "other"})
    assert full_model() != "model"


# --------------------------------------------------------------------------- save / load


def test_save_writes_file_path_or_directory(tmp_path):
    model = full_model()
    model.save(tmp_path / "custom-name.yaml")
    assert (tmp_path / "custom-name.yaml").read_text() == PINNED_YAML
    model.save(tmp_path)
    assert (tmp_path / "MLmodel").read_text() == PINNED_YAML


def test_save_into_a_missing_directory(tmp_path):
    with pytest.raises(WorkbenchException, match="does not exist. Create the model directory first") as info:
        Model().save(tmp_path / "nope" / "MLmodel")
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_type_hint_flag_accessors():
    model = Model(signature=SIGNATURE)
    assert model._is_signature_from_type_hint() is False
    assert model._is_type_hint_from_example() is False
    assert Model()._is_signature_from_type_hint() is False


def test_save_is_atomic_on_failure(tmp_path):
    import numpy as np

    full_model().save(tmp_path)
    with pytest.raises(WorkbenchException):
        Model(metadata={"n": np.float32(1)}).save(tmp_path)
    assert (tmp_path / "MLmodel").read_text() == PINNED_YAML
    assert sorted(os.listdir(tmp_path)) == ["MLmodel"]  # no temporary files left


@pytest.mark.parametrize("form", ["dir", "mlmodel", "file_uri", "file_uri_mlmodel", "pathlike"])
def test_load_accepts_every_local_form(tmp_path, form):
    full_model().save(tmp_path)
    where = {
        "dir": str(tmp_path),
        "mlmodel": str(tmp_path / "MLmodel"),
        "file_uri": tmp_path.as_uri(),
        "file_uri_mlmodel": (tmp_path / "MLmodel").as_uri(),
        "pathlike": tmp_path,
    }[form]
    assert Model.load(where).to_dict() == full_model().to_dict()


def test_load_file_uri_with_percent_encoding(tmp_path):
    model_dir = tmp_path / "my model"
    model_dir.mkdir()
    full_model().save(model_dir)
    assert model_dir.as_uri().endswith("my%20model")
    assert Model.load(model_dir.as_uri()).model_uuid == full_model().model_uuid


def test_load_missing_directory(tmp_path):
    with pytest.raises(WorkbenchException, match="Could not find a model at") as info:
        Model.load(tmp_path / "nope")
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_load_directory_without_mlmodel(tmp_path):
    with pytest.raises(WorkbenchException, match='Could not find an "MLmodel" configuration file') as info:
        Model.load(tmp_path)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_load_file_not_named_mlmodel(tmp_path):
    other = tmp_path / "model.yaml"
    other.write_text("flavors: {}\n")
    with pytest.raises(WorkbenchException, match="Expected a model directory or a file named 'MLmodel'"):
        Model.load(other)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("- a\n- b\n", "to hold a mapping of fields, got list"),
        ("", "to hold a mapping of fields, got NoneType"),
        ("flavors: [\n", "is not valid YAML"),
        ("signature: '[1]'\n", "Expected the MLmodel signature as a mapping"),
    ],
)
def test_load_malformed_mlmodel(tmp_path, text, expected):
    (tmp_path / "MLmodel").write_text(text)
    with pytest.raises(WorkbenchException, match=expected) as info:
        Model.load(tmp_path)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_load_from_mlmodel_not_a_dict():
    with pytest.raises(WorkbenchException, match="Expected the MLmodel content as a mapping, got list"):
        Model.from_dict(["flavors"])


@pytest.mark.parametrize(
    "uri, code, match",
    [("runs:/x/y", "INVALID_PARAMETER_VALUE", "Invalid run id 'x'"),
     ("runs:/0123/model", "INVALID_PARAMETER_VALUE", "Invalid run id '0123'"),
     ("models:/name/1", "RESOURCE_DOES_NOT_EXIST", "Registered Model with name=name not found"),
     ("models:/m-123", "INVALID_PARAMETER_VALUE", "logged model")],
)
def test_store_uris_resolve_through_the_workspace(uri, code, match, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "ws"))
    with pytest.raises(WorkbenchException, match=match) as info:
        Model.load(uri)
    assert info.value.error_code == code
    with pytest.raises(WorkbenchException, match=match):
        get_model_info(uri)
    with pytest.raises(WorkbenchException, match=match):
        resolve_model_path(uri)


@pytest.mark.parametrize("uri", ["s3://bucket/model", "https://example.com/model", "dbfs:/m"])
def test_other_schemes_are_refused(uri):
    with pytest.raises(WorkbenchException, match="is not supported. Expected a local directory"):
        resolve_model_path(uri)


def test_file_uri_on_another_host_is_refused():
    with pytest.raises(WorkbenchException, match="file URIs on another host"):
        resolve_model_path("file://server/share/model")


@pytest.mark.parametrize("bad", [None, 3, ""])
def test_resolve_refuses_non_paths(bad):
    with pytest.raises(WorkbenchException, match="Expected"):
        resolve_model_path(bad)


# --------------------------------------------------------------------------- hostile files


def test_python_object_tag_is_refused_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "MLmodel").write_text(
        f"flavors: {{}}\nx: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    with pytest.raises(WorkbenchException, match="uses a YAML tag that builds Python objects") as info:
        Model.load(model_dir)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "never runs code" in str(info.value)
    assert not marker.exists()


@pytest.mark.parametrize(
    "tag", ["!!python/object:os.system", "!!python/name:os.system", "!!python/object/new:os.system"]
)
def test_other_python_tags_are_refused(tmp_path, tag):
    (tmp_path / "MLmodel").write_text(f"flavors: {{}}\nx: {tag} {{}}\n")
    with pytest.raises(WorkbenchException, match="YAML tag"):
        Model.load(tmp_path)


def test_mlmodel_symlink_out_of_the_model_directory_is_refused(tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "MLmodel"
    full_model().save(secret)
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "MLmodel").symlink_to(secret)
    opened = []
    real_read_text = pathlib.Path.read_text
    monkeypatch.setattr(
        pathlib.Path, "read_text", lambda self, *a, **k: opened.append(self) or real_read_text(self, *a, **k)
    )
    with pytest.raises(WorkbenchException, match="through a symlink") as info:
        Model.load(model_dir)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert opened == []


def test_mlmodel_path_given_directly_may_be_a_symlink_to_its_directory(tmp_path):
    # The caller chose this location: it is the root, so a symlinked model *directory* is fine.
    real = tmp_path / "real"
    real.mkdir()
    full_model().save(real)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    assert Model.load(link).model_uuid == full_model().model_uuid


# --------------------------------------------------------------------------- ModelInfo


def test_model_info_has_every_field(tmp_path):
    model = full_model()
    info = model.get_model_info()
    assert isinstance(info, ModelInfo)
    assert info.artifact_path == "model"
    assert info.flavors == model.flavors
    assert info.model_uri == "models:/m-1"
    assert info.model_uuid == "feedfacefeedfacefeedfacefeedface"
    assert info.run_id == "0123456789abcdef0123456789abcdef"
    assert info.saved_input_example_info == model.saved_input_example_info
    assert info.signature == SIGNATURE
    assert info.signature_dict == SIGNATURE.to_dict()
    assert info.utc_time_created == "2026-01-02 03:04:05.000006"
    assert info.mlflow_version == MLFLOW_FORMAT_VERSION
    assert info.metadata == {"team": "risk", "nested": {"a": [1, 2.5, None, True]}}
    assert info.env_vars == ["OPENAI_API_KEY"]
    assert info.prompts == ["prompts:/p/1"]
    assert info.model_id == "m-1"
    assert info.registered_model_version is None
    info.registered_model_version = 3
    assert info.registered_model_version == 3
    info.env_vars = ["B"]
    assert info.env_vars == ["B"]
    with pytest.raises(WorkbenchException, match="env_vars"):
        info.env_vars = "B"
    assert "models:/m-1" in repr(info)


def test_model_info_uri_rules(tmp_path):
    assert full_model(model_id=None).get_model_info().model_uri == (
        "runs:/0123456789abcdef0123456789abcdef/model"
    )
    assert Model().get_model_info().model_uri is None
    Model().save(tmp_path)
    assert Model.load(tmp_path).get_model_info().model_uri == str(tmp_path.resolve())
    assert get_model_info(tmp_path).model_uri == str(tmp_path.resolve())


def test_model_info_without_signature():
    info = Model().get_model_info()
    assert info.signature is None and info.signature_dict is None


def test_model_info_positional_signature_of_the_seed():
    info = ModelInfo("p", {}, "runs:/r/p", "u", "r", None, None, "t", "3.17.2", {"inputs": None},
                     {"m": 1}, 4, ["E"])
    assert (info.signature_dict, info.metadata, info.registered_model_version, info.env_vars) == (
        {"inputs": None}, {"m": 1}, 4, ["E"])


def test_get_model_info_reads_local_models(tmp_path):
    full_model().save(tmp_path)
    info = get_model_info(str(tmp_path))
    assert info.metadata["team"] == "risk"
    assert info.signature == SIGNATURE


# --------------------------------------------------------------------------- log


def test_log_refuses_a_flavor_without_save_model():
    with pytest.raises(WorkbenchException, match="flavor module with a save_model"):
        Model.log("model", flavor=object(), registered_model_name="m", metadata={"a": 1})


def test_load_input_example_of_a_run_model_resolves_the_run():
    model = Model(run_id="r1", artifact_path="model",
                  saved_input_example_info={"artifact_path": "input_example.json", "type": "json_object"})
    with pytest.raises(WorkbenchException, match="Invalid run id 'r1'"):
        model.load_input_example()


def test_load_input_example_of_an_unsaved_model_asks_for_a_path():
    with pytest.raises(WorkbenchException, match="Pass the model directory"):
        Model().load_input_example()


# --------------------------------------------------------------------------- retriever schema


@pytest.fixture
def clean_retrievers():
    clear_retriever_schemas()
    yield
    clear_retriever_schemas()


def test_retriever_schema_lands_in_metadata_at_save_time(tmp_path, clean_retrievers):
    set_retriever_schema(primary_key="chunk_id", text_column="chunk_text", doc_uri="doc_uri",
                         other_columns=["title"], name="docs")
    set_retriever_schema(primary_key="id", text_column="text")
    model = add_dependencies_schemas(Model(metadata={"team": "search"}))
    assert get_retriever_schemas() == []  # cleared for the next model
    model.save(tmp_path)
    loaded = Model.load(tmp_path)
    assert loaded.metadata == {
        "team": "search",
        "dependencies_schemas": {
            "retrievers": [
                {"primary_key": "chunk_id", "text_column": "chunk_text", "doc_uri": "doc_uri",
                 "other_columns": ["title"], "name": "docs"},
                {"primary_key": "id", "text_column": "text", "doc_uri": None,
                 "other_columns": [], "name": "retriever"},
            ]
        },
    }
    assert [s["name"] for s in retriever_schemas_from_model(loaded)] == ["docs", "retriever"]


def test_retriever_schema_same_name_replaces(clean_retrievers):
    import warnings

    set_retriever_schema(primary_key="a", text_column="t")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        set_retriever_schema(primary_key="a", text_column="t")  # identical: no warning
    with pytest.warns(UserWarning, match="named 'retriever' exists already; replacing it") as record:
        set_retriever_schema(primary_key="b", text_column="t")
    assert record[0].filename == __file__
    assert [s["primary_key"] for s in get_retriever_schemas()] == ["b"]


def test_no_retriever_schema_leaves_metadata_alone(clean_retrievers):
    assert add_dependencies_schemas(Model()).metadata is None
    assert retriever_schemas_from_model(Model()) == []


def test_retriever_schema_is_keyword_only_and_checked(clean_retrievers):
    with pytest.raises(TypeError):
        set_retriever_schema("id", "text")  # type: ignore[misc]
    with pytest.raises(WorkbenchException, match="expects primary_key as a str, got int"):
        set_retriever_schema(primary_key=1, text_column="t")
    with pytest.raises(WorkbenchException, match="other_columns as a list of str"):
        set_retriever_schema(primary_key="a", text_column="t", other_columns="title")
