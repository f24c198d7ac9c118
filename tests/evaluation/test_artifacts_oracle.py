"""Oracle: MLflow 3.17.2 reads the artifact files we write (and we read its), infers the same
artifact class for each custom-artifact value, and loads a result directory laid out with our
class names."""

from __future__ import annotations

import io
import json
import os
from typing import NamedTuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from workbench.evaluation import _artifacts as wb  # noqa: E402

import mlflow  # the test oracle (pip install workbench[test])
from mlflow.models.evaluation import artifacts as mlflow_artifacts  # noqa: E402
from mlflow.models.evaluation.base import EvaluationResult as MlflowEvaluationResult  # noqa: E402
from mlflow.utils.class_utils import _get_class_from_string  # noqa: E402


def png_bytes():
    buf = io.BytesIO()
    Image.new("RGBA", (6, 4), (10, 20, 30, 255)).save(buf, format="PNG")
    return buf.getvalue()


def contents():
    return {
        "img.png": (wb.ImageEvaluationArtifact, None),
        "j.json": (wb.JsonEvaluationArtifact, {"a": [1, 2.5, None], "nested": {"b": "é"}}),
        "t.csv": (wb.CsvEvaluationArtifact, pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": [0.5, np.nan]})),
        "t.parquet": (wb.ParquetEvaluationArtifact, pd.DataFrame({"a": [1.5, 2.5], "b": ["x", "y"]})),
        "a.npy": (wb.NumpyEvaluationArtifact, np.arange(12, dtype=np.int32).reshape(3, 4)),
        "t.txt": (wb.TextEvaluationArtifact, "first line\nsecond ü\n"),
    }


def ours_artifact(cls, name, content):
    if cls is wb.ImageEvaluationArtifact:
        return cls(uri=name, data=png_bytes())
    return cls(uri=name, content=content)


def assert_content_equal(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    elif isinstance(a, Image.Image):
        assert a.size == b.size and a.mode == b.mode and a.tobytes() == b.tobytes()
    else:
        assert a == b


@pytest.mark.parametrize("name", list(contents()))
def test_mlflow_loads_what_we_save(name, tmp_path):
    cls, content = contents()[name]
    ours = ours_artifact(cls, name, content)
    ours._save(tmp_path / name)
    mlflow_cls = _get_class_from_string(wb.artifact_class_name(ours))
    assert mlflow_cls.__name__ == cls.__name__
    theirs = mlflow_cls(uri=name)
    assert_content_equal(theirs._load(str(tmp_path / name)), ours.content)


@pytest.mark.parametrize("name", list(contents()))
def test_we_load_what_mlflow_saves(name, tmp_path):
    cls, content = contents()[name]
    mlflow_cls = getattr(mlflow_artifacts, cls.__name__)
    if cls is wb.ImageEvaluationArtifact:
        content = Image.open(io.BytesIO(png_bytes()))
        content.load()
    mlflow_cls(uri=name, content=content)._save(str(tmp_path / name))
    ours_cls = wb.artifact_class_from_name(f"{mlflow_cls.__module__}.{mlflow_cls.__name__}")
    assert ours_cls is cls
    assert_content_equal(ours_cls(uri=name)._load(tmp_path / name), content)


def test_mlflow_loads_a_result_directory_with_our_class_names(tmp_path):
    arts = {name.split(".")[0]: ours_artifact(cls, name, content) for name, (cls, content) in contents().items()}
    (tmp_path / "artifacts").mkdir()
    for art in arts.values():
        art._save(tmp_path / "artifacts" / art.file_name)
    (tmp_path / "metrics.json").write_text(json.dumps({"m": 1.0}))
    (tmp_path / "artifacts_metadata.json").write_text(json.dumps(
        {name: {"uri": art.uri, "class_name": wb.artifact_class_name(art)} for name, art in arts.items()}
    ))
    loaded = MlflowEvaluationResult.load(str(tmp_path))
    assert loaded.metrics == {"m": 1.0}
    assert list(loaded.artifacts) == list(arts)
    for name, art in arts.items():
        assert type(loaded.artifacts[name]).__name__ == type(art).__name__
        assert_content_equal(loaded.artifacts[name].content, art.content)


class _Tuple(NamedTuple):  # what MLflow's inference helper reads for its messages
    name: str
    index: int


def test_same_artifact_class_inferred_for_each_value(tmp_path):
    for ext, payload in {".png": png_bytes(), ".jpg": png_bytes(), ".jpeg": png_bytes(),
                         ".json": b"{}", ".txt": b"t", ".csv": b"a\n1\n"}.items():
        (tmp_path / f"f{ext}").write_bytes(payload)
    np.save(tmp_path / "f.npy", np.arange(2))
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "f.parquet")
    fig = plt.figure()
    values = {
        **{f"path{ext}": str(tmp_path / f"f{ext}") for ext in
           (".png", ".jpg", ".jpeg", ".json", ".txt", ".csv", ".npy", ".parquet")},
        "json_str": '{"a": 1}',
        "frame": pd.DataFrame({"a": [1.0]}),
        "array": np.arange(3),
        "figure": fig,
        "mapping": {"a": np.float64(1.0)},
        "listing": [1, 2],
        "number": 3,
        "raw": b"bytes",
    }
    ours = wb.compute_custom_artifacts([lambda d, m, a: values], eval_df=pd.DataFrame({"prediction": [1.0]}),
                                       builtin_metrics={})
    plt.close(fig)
    for name, raw in values.items():
        inferred = mlflow_artifacts._infer_artifact_type_and_ext(name, raw, _Tuple("fn", 0))
        assert wb.artifact_class_name(ours[name]) == f"{inferred.type.__module__}.{inferred.type.__name__}", name
        assert ours[name].uri == name + inferred.ext, name


def test_mlflow_pickles_what_we_refuse(tmp_path):
    class Opaque:
        pass

    inferred = mlflow_artifacts._infer_artifact_type_and_ext("x", Opaque(), _Tuple("fn", 0))
    assert inferred.type.__name__ == "PickleEvaluationArtifact"
    with pytest.raises(wb.WorkbenchException, match="MLflow would pickle it"):
        wb.compute_custom_artifacts([lambda d, m, a: {"x": Opaque()}],
                                    eval_df=pd.DataFrame({"prediction": [1.0]}), builtin_metrics={})


def test_seed_custom_artifacts_match_mlflow_evaluate(tmp_path, monkeypatch):
    """One real mlflow.evaluate run with the seed's custom_artifacts: same names, classes, contents."""
    import logging
    import warnings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.ERROR)

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

    def others(eval_df, _builtin_metrics, _artifacts_dir):
        return {"arr": eval_df["prediction"].to_numpy(), "summary": {"n": len(eval_df)}}

    rng = np.random.default_rng(1)
    data = pd.DataFrame({"x": rng.normal(size=40)})
    data["y"] = data["x"] * 2
    data["pred"] = data["x"] * 2 + rng.normal(scale=0.1, size=40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with mlflow.start_run():
            theirs = mlflow.evaluate(
                data=data, predictions="pred", targets="y", model_type="regressor",
                custom_artifacts=[scatter_plot, pred_sample, others],
                evaluator_config={"log_model_explainability": False},
            ).artifacts
    ours = wb.compute_custom_artifacts(
        [scatter_plot, pred_sample, others],
        eval_df=pd.DataFrame({"prediction": data["pred"], "target": data["y"]}),
        builtin_metrics={"max_error": 1.0},
    )
    for name, art in ours.items():
        assert type(theirs[name]).__name__ == type(art).__name__, name
        assert os.path.basename(theirs[name].uri) == art.uri, name
        if name == "pred_target_scatter":
            assert theirs[name].content.format == art.content.format == "PNG"
        else:
            assert_content_equal(art.content, theirs[name].content)
