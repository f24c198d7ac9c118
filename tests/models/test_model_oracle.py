"""Oracle: MLmodel files and input examples move both ways between MLflow 3.17.2 and workbench.

MLflow is installed in the test environment only; these tests always run.
"""

import datetime as dt
import json
import os

import mlflow.models
import mlflow.models.resources as mlres
import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from mlflow.models.utils import _Example, _save_example

from workbench.models import _resources as wbres
from workbench.models._input_example import InputExample, save_example
from workbench.models._model import Model
from workbench.models._retriever import (
    add_dependencies_schemas,
    clear_retriever_schemas,
    set_retriever_schema,
)
from workbench.models._signature import infer_signature

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*[Ii]nteger column:UserWarning",  # both infer_signature hints on integer columns
    "ignore:set_retriever_schema is deprecated:FutureWarning",
    "ignore:A retriever schema named:UserWarning",  # the oracle replaces one on purpose
)

FIELDS = ("artifact_path", "run_id", "utc_time_created", "flavors", "saved_input_example_info",
          "model_uuid", "mlflow_version", "metadata", "model_size_bytes", "resources", "env_vars",
          "model_id", "prompts")

DF = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"], "c": [0.5, 1.5, 2.5]})


def assert_same_example(ours, theirs):
    assert type(ours) is type(theirs)
    if isinstance(theirs, pd.DataFrame):
        pd.testing.assert_frame_equal(ours, theirs)
    elif isinstance(theirs, np.ndarray):
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
    elif scipy.sparse.issparse(theirs):
        assert ours.format == theirs.format
        np.testing.assert_array_equal(ours.toarray(), theirs.toarray())
    elif isinstance(theirs, dict) and any(isinstance(v, np.ndarray) for v in theirs.values()):
        assert ours.keys() == theirs.keys()
        for key in theirs:
            assert_same_example(ours[key], theirs[key])
    else:
        assert ours == theirs


def mlflow_model_dir(tmp_path, example, signature=True, **kwargs):
    """A model directory written entirely by MLflow."""
    model_dir = tmp_path / "mlflow_model"
    model_dir.mkdir()
    data = example[0] if isinstance(example, tuple) else example
    params = example[1] if isinstance(example, tuple) else None
    sig = mlflow.models.infer_signature(data, params=params) if signature else None
    model = mlflow.models.Model(artifact_path="model", run_id="r" * 32, signature=sig, **kwargs)
    model.add_flavor("python_function", loader_module="mlflow.sklearn", env={"conda": "conda.yaml"})
    _save_example(model, example, str(model_dir))
    model.save(str(model_dir / "MLmodel"))
    return model_dir


def workbench_model_dir(tmp_path, example, signature=True, **kwargs):
    """A model directory written entirely by workbench."""
    model_dir = tmp_path / "workbench_model"
    model_dir.mkdir()
    data = example[0] if isinstance(example, tuple) else example
    params = example[1] if isinstance(example, tuple) else None
    sig = infer_signature(data, params=params) if signature else None
    model = Model(artifact_path="model", run_id="r" * 32, signature=sig, **kwargs)
    model.add_flavor("python_function", loader_module="mlflow.sklearn", env={"conda": "conda.yaml"})
    save_example(model, example, model_dir)
    model.save(model_dir)
    return model_dir


EXAMPLES = {
    "dataframe": DF,
    "dataframe_values": pd.DataFrame([[1.0, 2.0], [3.0, 4.0]]),
    "dataframe_params": (DF, {"k": 5, "mode": "fast", "weights": [0.1, 0.2]}),
    "dataframe_dates": pd.DataFrame({"t": pd.to_datetime(["2026-01-01", "2026-02-03"]), "n": [1, 2]}),
    "dataframe_missing": pd.DataFrame({"x": [1.5, np.nan], "s": ["a", None]}),
    "ndarray_float": np.array([[1.0, np.nan], [3.0, 4.0]]),
    "ndarray_int": np.array([1, 2, 3], dtype=np.int32),
    "ndarray_params": (np.array([[1.0, 2.0]]), {"temperature": 0.5}),
    "dict_of_arrays": {"a": np.array([1, 2]), "b": np.array([[0.5], [1.5]])},
    "list": [1, 2, 3],
    "list_of_dicts": [{"q": "hi", "n": 1}, {"q": "yo", "n": 2}],
    "dict": {"question": "why", "k": [1, 2]},
    "llm_dict_params": ({"messages": [{"role": "user", "content": "hi"}]}, {"max_tokens": 10}),
    "string": "plain text",
    "float": 3.5,
    "csr": scipy.sparse.csr_matrix(np.array([[0.0, 1.5, 0.0], [2.0, 0.0, 0.0]])),
    "csc": scipy.sparse.csc_matrix(np.array([[0.0, 1.5, 0.0], [2.0, 0.0, 0.0]])),
}
# MLflow's infer_signature cannot describe these; they are saved without a signature.
NO_SIGNATURE = {"csr", "csc", "llm_dict_params", "string", "float"}


# --------------------------------------------------------------------------- example files


# MLflow 3.17.2 under pandas 3 writes missing values as NaN (not JSON) in input_example.json;
# workbench writes null. Both files load in both libraries (tested below), so only the bytes differ.
SAME_BYTES = sorted(set(EXAMPLES) - {"dataframe_missing"})


def test_missing_values_are_written_as_null_not_nan():
    ours = InputExample.from_example(EXAMPLES["dataframe_missing"])
    assert ours.example_json == '{"columns": ["x", "s"], "data": [[1.5, "a"], [null, null]]}'
    assert json.loads(ours.example_json) == json.loads(_Example(EXAMPLES["dataframe_missing"])
                                                       .json_input_example.replace("NaN", "null"))


@pytest.mark.parametrize("name", SAME_BYTES)
def test_example_files_are_written_as_mlflow_writes_them(name):
    example = EXAMPLES[name]
    theirs = _Example(example)
    ours = InputExample.from_example(example)
    assert ours.info == theirs.info
    assert list(ours.info) == list(theirs.info)
    assert ours.example_json == theirs.json_input_example
    assert ours.serving_json == theirs.json_serving_input


def test_datetime_and_bytes_examples_match():
    for example in (dt.datetime(2026, 1, 2, 3, 4, 5), b"\x00\x01bytes", np.int64(7), True):
        theirs, ours = _Example(example), InputExample.from_example(example)
        assert (ours.info, ours.example_json, ours.serving_json) == (
            theirs.info, theirs.json_input_example, theirs.json_serving_input)


# --------------------------------------------------------------------------- MLflow -> workbench


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_mlflow_models_load_here_with_equal_fields_and_examples(tmp_path, name):
    example = EXAMPLES[name]
    model_dir = mlflow_model_dir(
        tmp_path, example, signature=name not in NO_SIGNATURE,
        metadata={"team": "risk", "nested": {"a": [1, None]}},
        resources=[mlres.DatabricksServingEndpoint("chat"),
                   mlres.DatabricksVectorSearchIndex("idx", on_behalf_of_user=True)],
        env_vars=["OPENAI_API_KEY"], model_size_bytes=99,
    )
    theirs = mlflow.models.Model.load(str(model_dir))
    ours = Model.load(model_dir)
    for field in FIELDS:
        assert getattr(ours, field) == getattr(theirs, field), field
    if theirs.signature is None:
        assert ours.signature is None
    else:
        assert ours.signature.to_dict() == theirs.signature.to_dict()
    # Byte for byte: what we would write back is the file MLflow wrote.
    assert ours.to_yaml() == (model_dir / "MLmodel").read_text()
    assert json.loads(ours.to_json()) == json.loads(theirs.to_json())
    assert_same_example(ours.load_input_example(), theirs.load_input_example(str(model_dir)))
    assert ours.load_input_example_params() == theirs.load_input_example_params(str(model_dir))
    assert ours.load_serving_input_example() == theirs.get_serving_input(str(model_dir))


def test_mlflow_sklearn_model_loads_here(tmp_path):
    import mlflow.sklearn
    from sklearn.linear_model import LogisticRegression

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})
    clf = LogisticRegression().fit(X, [0, 1, 0, 1])
    model_dir = tmp_path / "sk"
    mlflow.sklearn.save_model(
        clf, str(model_dir), serialization_format="cloudpickle", input_example=X.head(2),
        metadata={"k": "v"},
    )
    theirs = mlflow.models.Model.load(str(model_dir))
    ours = Model.load(model_dir)
    for field in FIELDS:
        assert getattr(ours, field) == getattr(theirs, field), field
    assert ours.flavors["sklearn"]["serialization_format"] == "cloudpickle"
    assert ours.model_size_bytes == theirs.model_size_bytes > 0
    assert ours.signature.to_dict() == theirs.signature.to_dict()
    assert ours.to_yaml() == (model_dir / "MLmodel").read_text()
    assert_same_example(ours.load_input_example(), theirs.load_input_example(str(model_dir)))
    info = ours.get_model_info()
    assert info.signature_dict == theirs.signature.to_dict()
    assert info.model_uuid == theirs.get_model_info().model_uuid


def test_mlflow_pyfunc_model_with_type_hints_loads_here(tmp_path):
    import mlflow.pyfunc

    class Upper(mlflow.pyfunc.PythonModel):
        def predict(self, model_input: list[str], params=None) -> list[str]:
            return [text.upper() for text in model_input]

    model_dir = tmp_path / "pf"
    mlflow.pyfunc.save_model(str(model_dir), python_model=Upper(),
                             input_example=(["a", "b"], {"k": 1}))
    theirs = mlflow.models.Model.load(str(model_dir))
    ours = Model.load(model_dir)
    assert theirs.signature._is_signature_from_type_hint is True
    assert ours.signature._is_signature_from_type_hint is True
    assert ours.signature._is_type_hint_from_example is False
    for field in FIELDS:
        assert getattr(ours, field) == getattr(theirs, field), field
    assert ours.flavors["python_function"]["python_model"] == "python_model.pkl"
    assert ours.to_yaml() == (model_dir / "MLmodel").read_text()
    assert ours.load_input_example() == theirs.load_input_example(str(model_dir)) == ["a", "b"]
    assert ours.load_input_example_params() == {"k": 1}
    # and back: MLflow reads the flags we write
    ours.save(model_dir)
    assert mlflow.models.Model.load(str(model_dir)).signature._is_signature_from_type_hint is True


def test_mlflow_version_and_unknown_keys_from_mlflow(tmp_path):
    model = mlflow.models.Model(flavors={}, mlflow_version=None, custom={"x": 1})
    model.save(str(tmp_path / "MLmodel"))
    ours = Model.load(tmp_path)
    assert ours.mlflow_version is None and ours.workbench_version is None
    assert ours.custom == {"x": 1}
    assert ours.to_yaml() == (tmp_path / "MLmodel").read_text()


# --------------------------------------------------------------------------- workbench -> MLflow


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_workbench_models_load_in_mlflow(tmp_path, name):
    example = EXAMPLES[name]
    model_dir = workbench_model_dir(
        tmp_path, example, signature=name not in NO_SIGNATURE,
        metadata={"team": "risk"},
        resources=[wbres.DatabricksServingEndpoint("chat"),
                   wbres.DatabricksVectorSearchIndex("idx", on_behalf_of_user=True)],
        env_vars=["OPENAI_API_KEY"], model_size_bytes=99, future={"kept": True},
    )
    ours = Model.load(model_dir)
    theirs = mlflow.models.Model.load(str(model_dir))
    for field in FIELDS:
        assert getattr(theirs, field) == getattr(ours, field), field
    if ours.signature is None:
        assert theirs.signature is None
    else:
        assert theirs.signature.to_dict() == ours.signature.to_dict()
    assert theirs.workbench_version == ours.workbench_version
    assert theirs.future == {"kept": True}
    # MLflow writes back exactly the file we wrote.
    assert theirs.to_yaml() == (model_dir / "MLmodel").read_text()
    assert json.loads(theirs.to_json()) == json.loads(ours.to_json())
    assert_same_example(ours.load_input_example(), theirs.load_input_example(str(model_dir)))
    assert theirs.load_input_example_params(str(model_dir)) == ours.load_input_example_params()
    assert theirs.get_serving_input(str(model_dir)) == ours.load_serving_input_example()


def test_mlflow_get_model_info_reads_ours(tmp_path):
    model_dir = workbench_model_dir(tmp_path, DF, metadata={"a": 1})
    theirs = mlflow.models.get_model_info(str(model_dir))
    ours = Model.load(model_dir).get_model_info()
    assert theirs.signature.to_dict() == ours.signature_dict
    assert (theirs.metadata, theirs.flavors, theirs.model_uuid, theirs.mlflow_version) == (
        ours.metadata, ours.flavors, ours.model_uuid, ours.mlflow_version)
    assert theirs.model_uri == ours.model_uri == f"runs:/{'r' * 32}/model"


def test_mlflow_pyfunc_loads_the_example_of_a_sklearn_model_saved_here(tmp_path):
    """MLflow's pyfunc loader serves a model whose MLmodel and example we wrote."""
    import mlflow.pyfunc
    import mlflow.sklearn
    from sklearn.linear_model import LinearRegression

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 0.0, 1.0]})
    reg = LinearRegression().fit(X, [0.0, 1.0, 2.0])
    src = tmp_path / "src"
    mlflow.sklearn.save_model(reg, str(src), serialization_format="cloudpickle")
    # Rewrite MLmodel and the example with workbench, keeping MLflow's flavors and files.
    ours = Model.load(src)
    ours.signature = infer_signature(X, reg.predict(X))
    save_example(ours, X.head(2), src)
    ours.save(src)
    loaded = mlflow.pyfunc.load_model(str(src))
    assert loaded.metadata.signature.to_dict() == ours.signature.to_dict()
    pd.testing.assert_frame_equal(loaded.input_example, X.head(2))
    np.testing.assert_allclose(loaded.predict(loaded.input_example), reg.predict(X.head(2)))


# --------------------------------------------------------------------------- resources


def test_resource_types_match_mlflow():
    assert [(t.name, t.value) for t in wbres.ResourceType] == [
        (t.name, t.value) for t in mlres.ResourceType
    ]


RESOURCE_CLASSES = [
    "DatabricksUCConnection", "DatabricksServingEndpoint", "DatabricksVectorSearchIndex",
    "DatabricksSQLWarehouse", "DatabricksFunction", "DatabricksGenieSpace", "DatabricksTable",
    "DatabricksApp", "DatabricksLakebase", "DatabricksUCModelService",
]


def test_every_mlflow_resource_class_exists_here():
    mlflow_classes = {
        name for name, value in vars(mlres).items()
        if isinstance(value, type) and issubclass(value, mlres.DatabricksResource)
        and value is not mlres.DatabricksResource
    }
    assert mlflow_classes == set(RESOURCE_CLASSES)


@pytest.mark.parametrize("name", RESOURCE_CLASSES)
@pytest.mark.parametrize("obo", [None, True, False])
def test_resource_classes_match_mlflow(name, obo):
    theirs = getattr(mlres, name)("thing", obo)
    ours = getattr(wbres, name)("thing", obo)
    assert ours.to_dict() == theirs.to_dict()
    assert ours.type.value == theirs.type.value
    assert ours.target_uri == theirs.target_uri
    entry = next(iter(theirs.to_dict().values()))[0]
    assert getattr(wbres, name).from_dict(entry) == ours


def test_resource_grouping_matches_mlflow(tmp_path):
    names = [("DatabricksServingEndpoint", "a", None), ("DatabricksTable", "t", True),
             ("DatabricksServingEndpoint", "b", False), ("DatabricksApp", "app", None)]
    theirs = mlres._ResourceBuilder.from_resources([getattr(mlres, n)(x, o) for n, x, o in names])
    ours = wbres.resources_to_dict([getattr(wbres, n)(x, o) for n, x, o in names])
    assert ours == theirs and list(ours) == list(theirs)
    path = tmp_path / "resources.yaml"
    path.write_text(mlflow.models.Model(resources=[mlres.DatabricksTable("t")]).to_yaml())
    resources_only = tmp_path / "only.yaml"
    import yaml

    resources_only.write_text(yaml.safe_dump(yaml.safe_load(path.read_text())["resources"]))
    assert wbres.resources_from_yaml_file(resources_only) == mlres._ResourceBuilder.from_yaml_file(
        str(resources_only))


# --------------------------------------------------------------------------- retriever schema


def test_retriever_schema_metadata_matches_mlflow():
    from mlflow.models import dependencies_schemas as mlds

    calls = [
        dict(primary_key="chunk_id", text_column="chunk_text", doc_uri="doc_uri",
             other_columns=["title"], name="docs"),
        dict(primary_key="id", text_column="text"),
        dict(primary_key="id2", text_column="text"),  # replaces "retriever"
    ]
    clear_retriever_schemas()
    mlds._clear_dependencies_schemas()
    try:
        for call in calls:
            mlflow.models.set_retriever_schema(**call)
            set_retriever_schema(**call)
        with mlds._get_dependencies_schemas() as schemas:
            theirs = schemas.to_dict()
        ours = add_dependencies_schemas(Model()).metadata
        assert ours == theirs
    finally:
        clear_retriever_schemas()
        mlds._clear_dependencies_schemas()


def test_environment_files_left_alone(tmp_path):
    """Saving an example writes only the two example files."""
    save_example(Model(), DF, tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["input_example.json", "serving_input_example.json"]
    assert json.loads((tmp_path / "input_example.json").read_text())["columns"] == ["a", "b", "c"]
