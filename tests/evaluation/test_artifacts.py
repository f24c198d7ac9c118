"""Evaluation artifacts: classes, save/load round trips, custom_artifacts resolution, safety."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from workbench._exceptions import WorkbenchException  # noqa: E402
from workbench.evaluation._artifacts import (  # noqa: E402
    ArtifactWarning,
    CsvEvaluationArtifact,
    EvaluationArtifact,
    ImageEvaluationArtifact,
    JsonEvaluationArtifact,
    NumpyEvaluationArtifact,
    ParquetEvaluationArtifact,
    TextEvaluationArtifact,
    artifact_class_from_name,
    artifact_class_name,
    compute_custom_artifacts,
)


@pytest.fixture
def eval_df():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"prediction": rng.normal(size=30), "target": rng.normal(size=30)})


def png_bytes(color=(255, 0, 0)):
    buf = io.BytesIO()
    Image.new("RGB", (4, 3), color).save(buf, format="PNG")
    return buf.getvalue()


def compute(fns, eval_df, **kwargs):
    return compute_custom_artifacts(fns, eval_df=eval_df, builtin_metrics=kwargs.pop("builtin_metrics", {"mse": 1.0}), **kwargs)


# --------------------------------------------------------------------------- the seed's example


def test_seed_custom_artifacts_example(eval_df):
    """The seed's example with mlflow replaced by workbench (and the intended eval_df.head(10))."""

    def scatter_plot(eval_df, builtin_metrics, artifacts_dir):
        plt.scatter(eval_df["prediction"], eval_df["target"])
        plt.xlabel("Targets")
        plt.ylabel("Predictions")
        plt.title("Targets vs. Predictions")
        plt.savefig(os.path.join(artifacts_dir, "example.png"))
        plt.close()
        return {"pred_target_scatter": os.path.join(artifacts_dir, "example.png")}

    def pred_sample(eval_df, _builtin_metrics, _artifacts_dir):
        return {"pred_sample": eval_df.head(10)}

    artifacts = compute([scatter_plot, pred_sample], eval_df)
    assert list(artifacts) == ["pred_target_scatter", "pred_sample"]
    scatter = artifacts["pred_target_scatter"]
    assert isinstance(scatter, ImageEvaluationArtifact) and scatter.uri == "pred_target_scatter.png"
    assert isinstance(scatter.content, Image.Image) and scatter.content.format == "PNG"
    assert scatter.data.startswith(b"\x89PNG")
    sample = artifacts["pred_sample"]
    assert isinstance(sample, CsvEvaluationArtifact) and sample.uri == "pred_sample.csv"
    pd.testing.assert_frame_equal(sample.content, eval_df.head(10))


# --------------------------------------------------------------------------- value types


def test_value_types_resolve_as_mlflow_infers(eval_df, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    pd.DataFrame({"a": [1, 2]}).to_parquet(tmp_path / "t.parquet")
    np.save(tmp_path / "arr.npy", np.arange(3))
    (tmp_path / "d.json").write_text('{"k": [1, 2]}')
    pd.DataFrame({"a": [1]}).to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "p.JPG").write_bytes(png_bytes())  # extension case is ignored

    fig = plt.figure()
    plt.plot([1, 2], [3, 4])

    def everything(eval_df, builtin_metrics, artifacts_dir):
        return {
            "txt": str(tmp_path / "notes.txt"),
            "parquet": tmp_path / "t.parquet",  # a pathlib.Path works too
            "npy_file": str(tmp_path / "arr.npy"),
            "json_file": str(tmp_path / "d.json"),
            "csv_file": str(tmp_path / "t.csv"),
            "jpg": str(tmp_path / "p.JPG"),
            "json_str": '{"a": 1, "b": [1, 2]}',
            "json_number": "3.5",
            "frame": eval_df.head(3),
            "array": np.array([[1.0, 2.0], [3.0, 4.0]]),
            "strings": np.array(["a", "b"]),
            "figure": fig,
            "mapping": {"n": np.int64(3), "x": np.array([0.5]), "ok": True},
            "listing": [1, "two", None],
            "number": np.float64(0.25),
        }

    arts = compute([everything], eval_df)
    plt.close(fig)
    kinds = {name: (type(a).__name__, a.uri) for name, a in arts.items()}
    assert kinds == {
        "txt": ("TextEvaluationArtifact", "txt.txt"),
        "parquet": ("ParquetEvaluationArtifact", "parquet.parquet"),
        "npy_file": ("NumpyEvaluationArtifact", "npy_file.npy"),
        "json_file": ("JsonEvaluationArtifact", "json_file.json"),
        "csv_file": ("CsvEvaluationArtifact", "csv_file.csv"),
        "jpg": ("ImageEvaluationArtifact", "jpg.jpg"),
        "json_str": ("JsonEvaluationArtifact", "json_str.json"),
        "json_number": ("JsonEvaluationArtifact", "json_number.json"),
        "frame": ("CsvEvaluationArtifact", "frame.csv"),
        "array": ("NumpyEvaluationArtifact", "array.npy"),
        "strings": ("NumpyEvaluationArtifact", "strings.npy"),
        "figure": ("ImageEvaluationArtifact", "figure.png"),
        "mapping": ("JsonEvaluationArtifact", "mapping.json"),
        "listing": ("JsonEvaluationArtifact", "listing.json"),
        "number": ("JsonEvaluationArtifact", "number.json"),
    }
    assert arts["txt"].content == "hello"
    assert arts["json_file"].content == {"k": [1, 2]}
    assert arts["json_str"].content == {"a": 1, "b": [1, 2]}
    assert arts["json_number"].content == 3.5
    assert arts["mapping"].content == {"n": 3, "x": [0.5], "ok": True}
    assert arts["number"].content == 0.25
    np.testing.assert_array_equal(arts["npy_file"].content, np.arange(3))
    assert arts["jpg"].content.size == (4, 3)
    assert arts["figure"].data.startswith(b"\x89PNG")
    pd.testing.assert_frame_equal(arts["parquet"].content, pd.DataFrame({"a": [1, 2]}))


def test_relative_path_is_looked_up_in_artifacts_dir(eval_df):
    def rel(eval_df, builtin_metrics, artifacts_dir):
        with open(os.path.join(artifacts_dir, "out.json"), "w") as fh:
            json.dump({"v": 1}, fh)
        return {"rel": "out.json"}

    assert compute([rel], eval_df)["rel"].content == {"v": 1}


def test_each_function_gets_its_own_temporary_dir_removed_afterwards(eval_df):
    dirs = []

    def a(eval_df, builtin_metrics, artifacts_dir):
        dirs.append(artifacts_dir)
        assert os.listdir(artifacts_dir) == []
        open(os.path.join(artifacts_dir, "same.txt"), "w").write("a")
        return {"a": os.path.join(artifacts_dir, "same.txt")}

    def b(eval_df, builtin_metrics, artifacts_dir):
        dirs.append(artifacts_dir)
        assert os.listdir(artifacts_dir) == []
        open(os.path.join(artifacts_dir, "same.txt"), "w").write("b")
        return {"b": os.path.join(artifacts_dir, "same.txt")}

    arts = compute([a, b], eval_df)
    assert (arts["a"].content, arts["b"].content) == ("a", "b")
    assert len(set(dirs)) == 2 and not any(os.path.exists(d) for d in dirs)


def test_given_artifacts_dir_is_used_and_kept(eval_df, tmp_path):
    def a(eval_df, builtin_metrics, artifacts_dir):
        assert artifacts_dir == str(tmp_path / "arts")
        return {"a": "[1]"}

    compute([a], eval_df, artifacts_dir=tmp_path / "arts")
    assert (tmp_path / "arts").is_dir()


def test_functions_get_copies(eval_df):
    metrics = {"mse": 1.0}
    before = eval_df.copy()

    def mutate(eval_df, builtin_metrics, artifacts_dir):
        assert list(eval_df.columns) == ["prediction", "target"]
        eval_df["prediction"] = 0.0
        builtin_metrics["mse"] = -1
        return None

    with pytest.warns(ArtifactWarning):
        compute([mutate], eval_df.assign(feature=1.0), builtin_metrics=metrics)
    pd.testing.assert_frame_equal(eval_df, before)
    assert metrics == {"mse": 1.0}


# --------------------------------------------------------------------------- errors and warnings


HEADER = "Custom artifact function 'fn' at index 0 in the `custom_artifacts` parameter"


def single(value):
    def fn(eval_df, builtin_metrics, artifacts_dir):
        return {"art": value}

    return fn


def test_string_neither_path_nor_json_pinned(eval_df):
    with pytest.raises(WorkbenchException) as err:
        compute([single("missing.png")], eval_df)
    assert str(err.value) == (
        f"{HEADER} produced an artifact 'art' with string representation 'missing.png' that is "
        "neither a valid path to a file nor a JSON string. Return the path of a file that exists "
        "(e.g. os.path.join(artifacts_dir, 'plot.png')) or valid JSON."
    )
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"


def test_long_json_string_is_not_mistaken_for_a_path(eval_df):
    payload = json.dumps({"values": list(range(3000))})
    assert compute([single(payload)], eval_df)["art"].content["values"][-1] == 2999


def test_unsupported_extension_and_directory(eval_df, tmp_path):
    (tmp_path / "model.pkl").write_bytes(b"x")
    with pytest.raises(WorkbenchException) as err:
        compute([single(str(tmp_path / "model.pkl"))], eval_df)
    assert str(err.value) == (
        f"{HEADER} produced an artifact 'art' with path '{tmp_path / 'model.pkl'}' that does not "
        "match any of the supported file extensions: .png, .jpg, .jpeg, .json, .npy, .csv, "
        ".parquet, .txt."
    )
    with pytest.raises(WorkbenchException, match="that is not a file"):
        compute([single(str(tmp_path))], eval_df)
    with pytest.raises(WorkbenchException, match="that does not exist"):
        compute([single(tmp_path / "nope.csv")], eval_df)


class Opaque:
    pass


def test_bytes_become_base64_json_as_in_mlflow(eval_df):
    assert compute([single(b"raw")], eval_df)["art"].content == "cmF3\n"


@pytest.mark.parametrize("value", [Opaque(), {1, 2}, pd.Series([1, 2])])
def test_objects_mlflow_would_pickle_are_refused(value, eval_df):
    with pytest.raises(WorkbenchException) as err:
        compute([single(value)], eval_df)
    message = str(err.value)
    assert message.startswith(f"{HEADER} produced an artifact 'art' of type ")
    assert "which workbench cannot store (MLflow would pickle it). Accepted values are: a path" in message
    assert message.endswith("Nothing is pickled.")


def test_object_arrays_are_refused(eval_df):
    with pytest.raises(WorkbenchException, match=r"numpy array of dtype object, which \.npy can only store by pickling"):
        compute([single(np.array([{"a": 1}], dtype=object))], eval_df)


@pytest.mark.parametrize(
    "name",
    ["../escape", "/etc/passwd", "a/b", "a\\b", "%2e%2e", "%252e%252e/x", "", "x\x00y", "~root", "C:evil", "./x"],
)
def test_hostile_artifact_names_are_refused(name, eval_df):
    def fn(eval_df, builtin_metrics, artifacts_dir):
        return {name: "[1]"}

    with pytest.raises(WorkbenchException) as err:
        compute([fn], eval_df)
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Refusing path" in str(err.value) or "must be a plain file name" in str(err.value)


def test_duplicate_names_are_refused(eval_df):
    def a(eval_df, builtin_metrics, artifacts_dir):
        return {"same": "[1]"}

    def b(eval_df, builtin_metrics, artifacts_dir):
        return {"same": eval_df}

    with pytest.raises(WorkbenchException) as err:
        compute([a, b], eval_df)
    assert str(err.value) == (
        "Custom artifact function 'b' at index 1 in the `custom_artifacts` parameter produced an "
        "artifact 'same' that cannot be logged because there already exists an artifact with the "
        "same name (from 'a' at index 0). Give each artifact a unique name."
    )


def test_none_and_non_dict_returns_warn_and_skip(eval_df):
    def nothing(eval_df, builtin_metrics, artifacts_dir):
        return None

    def listing(eval_df, builtin_metrics, artifacts_dir):
        return ["x"]

    def int_keys(eval_df, builtin_metrics, artifacts_dir):
        return {1: "x"}

    with pytest.warns(ArtifactWarning) as record:
        assert compute([nothing, listing, int_keys], eval_df) == {}
    assert [str(r.message) for r in record] == [
        "Custom artifact function 'nothing' at index 0 in the `custom_artifacts` parameter returned None.",
        "Custom artifact function 'listing' at index 1 in the `custom_artifacts` parameter did not "
        "return artifacts as a dictionary of string artifact names with their corresponding objects "
        "(got list); skipped.",
        "Custom artifact function 'int_keys' at index 2 in the `custom_artifacts` parameter did not "
        "return artifacts as a dictionary of string artifact names with their corresponding objects "
        "(got dict); skipped.",
    ]


def test_function_that_raises_is_named(eval_df):
    def broken(eval_df, builtin_metrics, artifacts_dir):
        raise KeyError("col")

    with pytest.raises(WorkbenchException) as err:
        compute([broken], eval_df)
    assert str(err.value) == (
        "Custom artifact function 'broken' at index 0 in the `custom_artifacts` parameter raised "
        "KeyError: 'col'. Fix the function (the error is chained below) or remove it from "
        "custom_artifacts."
    )
    assert isinstance(err.value.__cause__, KeyError)


def test_custom_artifacts_must_be_a_list(eval_df):
    with pytest.raises(WorkbenchException, match="must be a list of functions"):
        compute(single(1), eval_df)
    assert compute(None, eval_df) == {}


# --------------------------------------------------------------------------- plotly


def _fake_plotly_figure(png=None, error=None):
    # A stand-in for plotly.graph_objs.Figure (plotly is an optional dependency).
    class Figure:
        def to_json(self):
            return json.dumps({"data": [{"type": "scatter", "x": [1, 2]}], "layout": {}})

        def to_image(self, format):
            assert format == "png"
            if error is not None:
                raise error
            return png

    Figure.__module__ = "plotly.graph_objs._figure"
    return Figure()


def test_plotly_figure_becomes_png_when_kaleido_works(eval_df):
    arts = compute([single(_fake_plotly_figure(png=png_bytes()))], eval_df)
    assert isinstance(arts["art"], ImageEvaluationArtifact) and arts["art"].uri == "art.png"
    assert arts["art"].content.size == (4, 3)


def test_plotly_figure_without_kaleido_is_kept_as_json_and_says_so(eval_df):
    fig = _fake_plotly_figure(error=ValueError("Image export using the \"kaleido\" engine requires the kaleido package"))
    with pytest.warns(ArtifactWarning) as record:
        arts = compute([single(fig)], eval_df)
    assert isinstance(arts["art"], JsonEvaluationArtifact) and arts["art"].uri == "art.json"
    assert arts["art"].content == {"data": [{"type": "scatter", "x": [1, 2]}], "layout": {}}
    message = str(record[0].message)
    assert "could not be rendered to PNG (ValueError: Image export" in message
    assert "stored as the figure's JSON ('art.json', loadable with plotly.io.from_json)" in message
    assert message.endswith("Install kaleido and Chrome to get a PNG.")


def test_real_plotly_figure(eval_df):
    import plotly.graph_objects as go
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ArtifactWarning)
        art = compute([single(fig)], eval_df)["art"]
    assert art.uri in ("art.png", "art.json")


# --------------------------------------------------------------------------- classes


CASES = [
    (ImageEvaluationArtifact, "img.png", None),
    (JsonEvaluationArtifact, "j.json", {"a": [1, 2.5, None], "b": "é"}),
    (CsvEvaluationArtifact, "t.csv", pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})),
    (ParquetEvaluationArtifact, "t.parquet", pd.DataFrame({"a": [1.5, 2.5], "b": ["x", "y"]})),
    (NumpyEvaluationArtifact, "a.npy", np.arange(6, dtype=np.float32).reshape(2, 3)),
    (TextEvaluationArtifact, "t.txt", "line 1\nline 2 ü\n"),
]


def assert_content_equal(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    elif isinstance(a, Image.Image):
        assert a.size == b.size and a.tobytes() == b.tobytes()
    else:
        assert a == b


@pytest.mark.parametrize(("cls", "name", "content"), CASES, ids=[c[0].__name__ for c in CASES])
def test_save_load_round_trip(cls, name, content, tmp_path):
    if cls is ImageEvaluationArtifact:
        art = cls(uri=name, data=png_bytes())
        content = art.content
    else:
        art = cls(uri=name, content=content)
    path = tmp_path / name
    art._save(path)
    loaded = cls(uri=str(path))
    assert_content_equal(loaded.content, content)  # lazy load from the uri
    again = cls(uri=name)
    assert_content_equal(again._load(path), content)
    assert repr(again) == f"{cls.__name__}(uri='{name}')"
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left behind


def test_image_from_pil_content_and_file_uri(tmp_path):
    img = Image.new("RGB", (5, 2), (0, 255, 0))
    ImageEvaluationArtifact(uri="x.png", content=img)._save(tmp_path / "x.png")
    loaded = ImageEvaluationArtifact(uri=(tmp_path / "x.png").as_uri())
    assert loaded.content.size == (5, 2)
    assert loaded._repr_png_().startswith(b"\x89PNG")
    assert loaded.file_name == "x.png"


def test_image_bytes_are_written_back_unchanged(tmp_path):
    data = png_bytes((1, 2, 3))
    art = ImageEvaluationArtifact(uri="i.png", data=data)
    art._save(tmp_path / "i.png")
    assert (tmp_path / "i.png").read_bytes() == data


def test_npy_is_never_pickled(tmp_path):
    with pytest.raises(WorkbenchException, match="dtype object"):
        NumpyEvaluationArtifact(uri="a.npy", content=np.array([object()]))._save(tmp_path / "a.npy")
    np.save(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="allow_pickle=False"):
        NumpyEvaluationArtifact(uri="o.npy")._load(tmp_path / "o.npy")


def test_content_from_remote_uri_is_a_clear_error():
    with pytest.raises(WorkbenchException, match=r"only local paths and file:// URIs are read"):
        JsonEvaluationArtifact(uri="s3://bucket/a.json").content
    with pytest.raises(WorkbenchException, match=r"is not a file"):
        JsonEvaluationArtifact(uri="/nonexistent/a.json").content


def test_base_class_is_abstract():
    with pytest.raises(TypeError):
        EvaluationArtifact(uri="x")


MLFLOW_NAMES = {
    f"mlflow.models.evaluation.artifacts.{cls.__name__}": cls for cls, _, _ in CASES
}


def test_class_names_map_both_ways():
    for mlflow_name, cls in MLFLOW_NAMES.items():
        assert artifact_class_from_name(mlflow_name) is cls
        assert artifact_class_from_name(cls.__name__) is cls
        assert artifact_class_from_name(f"workbench.evaluation._artifacts.{cls.__name__}") is cls
        assert artifact_class_name(cls) == mlflow_name
        assert artifact_class_name(cls(uri="x")) == mlflow_name


def test_class_names_refused():
    with pytest.raises(WorkbenchException) as err:
        artifact_class_from_name("mlflow.models.evaluation.artifacts.PickleEvaluationArtifact")
    assert str(err.value) == (
        "Refusing to load a PickleEvaluationArtifact: workbench never unpickles evaluation "
        "artifacts, since a pickle can run any code. Load that artifact's file yourself if you "
        "trust its origin."
    )
    for bad in ("os.system", "evil.module.JsonEvaluationArtifact", "JsonEvaluation"):
        with pytest.raises(WorkbenchException, match=r"^Unknown evaluation artifact class"):
            artifact_class_from_name(bad)
    with pytest.raises(WorkbenchException, match="is not one of the artifact classes MLflow can load"):
        artifact_class_name(EvaluationArtifact)


def test_importing_artifacts_does_not_import_matplotlib_or_plotly():
    code = (
        "import sys, pandas as pd\n"
        "from workbench.evaluation._artifacts import compute_custom_artifacts\n"
        "compute_custom_artifacts([lambda d, m, a: {'x': d, 'y': '[1]'}],"
        " eval_df=pd.DataFrame({'prediction': [1.0]}), builtin_metrics={})\n"
        "assert 'matplotlib' not in sys.modules and 'plotly' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
