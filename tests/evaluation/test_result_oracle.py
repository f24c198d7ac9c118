"""Oracle: EvaluationResult directories move both ways between MLflow 3.17.2 and workbench.

MLflow is installed in the test environment only; these tests always run. One test runs a
real (small) ``mlflow.models.evaluate`` against a tracking store in a temporary directory.
"""

import importlib.util
import json
import math
import os
import pathlib
import warnings

import mlflow
import mlflow.models
import numpy as np
import pandas as pd
import pytest
from mlflow.models.evaluation import artifacts as mla
from PIL import Image

from workbench.evaluation._result import EvaluationResult
from workbench.evaluation._result_equality import _same_content
from workbench.evaluation._validation import MetricThreshold, validate_evaluation_results

pytestmark = pytest.mark.filterwarnings(
    "ignore::FutureWarning",  # mlflow.evaluate's own deprecation notices
    "ignore::UserWarning",
)


def _sibling(name):
    """Import a test module beside this one (pytest runs with --import-mode=importlib)."""
    spec = importlib.util.spec_from_file_location(
        f"_oracle_{name}", pathlib.Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def same_metrics(ours, theirs):
    assert ours.keys() == theirs.keys()
    for key in ours:
        a, b = ours[key], theirs[key]
        assert a == b or (math.isnan(a) and math.isnan(b)), key


def same_artifacts(ours, theirs):
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert type(ours[name]).__name__ == type(theirs[name]).__name__, name
        assert ours[name].uri == theirs[name].uri, name
        assert _same_content(ours[name].content, theirs[name].content), name


def mlflow_artifacts(base):
    """One artifact of each of MLflow's non-pickle classes, with MLflow-style URIs."""
    image = Image.new("RGBA", (9, 4), (1, 2, 3, 255))
    image.putpixel((8, 3), (200, 100, 50, 128))
    uri = "file:///somewhere/mlruns/0/abc/artifacts/"
    return {
        "confusion_matrix": mla.ImageEvaluationArtifact(uri=uri + "confusion_matrix.png", content=image),
        "summary": mla.JsonEvaluationArtifact(uri=uri + "summary.json",
                                              content={"a": [1, 2.5, None], "b": "text"}),
        "per_class_metrics": mla.CsvEvaluationArtifact(
            uri=uri + "per_class_metrics.csv",
            content=pd.DataFrame({"positive_class": [0, 1, 2], "recall": [0.5, 0.25, 1.0],
                                  "name": ["a", "b", "c"]})),
        "frame": mla.ParquetEvaluationArtifact(
            uri="mlflow-artifacts:/0/abc/artifacts/frame.parquet",
            content=pd.DataFrame({"x": [1.5, np.nan], "y": ["p", "q"]})),
        "scores": mla.NumpyEvaluationArtifact(uri=uri + "scores.npy",
                                              content=np.linspace(0, 1, 12).reshape(3, 4)),
        "notes": mla.TextEvaluationArtifact(uri=uri + "notes.txt", content="hello\nworld é"),
    }


METRICS = {"accuracy_score": 0.75, "example_count": 200, "roc_auc": 0.8333333333333334,
           "log_loss": float("nan"), "true_negatives": np.int64(71)}


def test_mlflow_saved_result_loads_here(tmp_path):
    path = tmp_path / "mlflow_saved"
    mlflow.models.EvaluationResult(METRICS, mlflow_artifacts(tmp_path)).save(str(path))
    ours = EvaluationResult.load(path)
    theirs = mlflow.models.EvaluationResult.load(str(path))
    same_metrics(ours.metrics, theirs.metrics)
    same_metrics(ours.metrics, {k: (float(v) if isinstance(v, np.integer) else v)
                                for k, v in METRICS.items()})
    same_artifacts(ours.artifacts, theirs.artifacts)
    assert ours.run_id is None and ours.curves == [] and ours.explanation is None
    assert type(ours.artifacts["confusion_matrix"]).__module__ == "workbench.evaluation._artifacts"
    # Contents are what MLflow was given.
    assert ours.artifacts["summary"].content == {"a": [1, 2.5, None], "b": "text"}
    np.testing.assert_array_equal(ours.artifacts["scores"].content,
                                  np.linspace(0, 1, 12).reshape(3, 4))
    assert ours.artifacts["confusion_matrix"].content.getpixel((8, 3)) == (200, 100, 50, 128)
    # And it saves again in our format, still equal.
    ours.save(tmp_path / "resaved")
    assert EvaluationResult.load(tmp_path / "resaved") == ours


def test_our_result_loads_in_mlflow(tmp_path):
    ours = _sibling("test_result").make_result()  # curves, tables, explanation, artifacts
    ours.save(tmp_path / "ours")
    theirs = mlflow.models.EvaluationResult.load(str(tmp_path / "ours"))
    same_metrics(theirs.metrics, {k: float(v) for k, v in ours.metrics.items()})
    same_artifacts(ours.artifacts, theirs.artifacts)
    assert type(theirs.artifacts["summary"]) is mla.JsonEvaluationArtifact
    # MLflow ignores our extra files; a validation gate reads the same metrics from both.
    gate = {"accuracy_score": MetricThreshold(threshold=0.7, greater_is_better=True)}
    validate_evaluation_results(gate, theirs)
    validate_evaluation_results(gate, EvaluationResult.load(tmp_path / "ours"))


def test_mlflow_round_trip_of_our_save_is_lossless_for_mlflow_parts(tmp_path):
    """ours.save -> MLflow load -> MLflow save -> our load: metrics and artifacts survive."""
    ours = EvaluationResult({"r2_score": -0.25, "max_error": 3},
                            _sibling("test_result").make_artifacts())
    ours.save(tmp_path / "a")
    mlflow.models.EvaluationResult.load(str(tmp_path / "a")).save(str(tmp_path / "b"))
    back = EvaluationResult.load(tmp_path / "b")
    same_metrics(back.metrics, ours.metrics)
    same_artifacts(back.artifacts, ours.artifacts)
    assert back == ours


@pytest.fixture(scope="module")
def mlflow_evaluation(tmp_path_factory):
    """A real mlflow.models.evaluate on static predictions, with custom artifacts."""
    root = tmp_path_factory.mktemp("mlflow_tracking")
    saved, clean = root / "saved", root / "clean"
    env = {"MLFLOW_TRACKING_URI": (root / "mlruns").as_uri(), "MLFLOW_ALLOW_FILE_STORE": "true"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        mlflow.set_tracking_uri(env["MLFLOW_TRACKING_URI"])
        rng = np.random.default_rng(0)
        y = rng.integers(0, 2, 200)
        pred = np.where(rng.random(200) < 0.8, y, 1 - y)
        df = pd.DataFrame({"label": y, "pred": pred, "a": rng.normal(size=200)})

        def extra(eval_df, builtin_metrics, artifacts_dir):
            return {
                # A JSON string is a JsonEvaluationArtifact; MLflow 3.17.2 pickles a dict.
                "summary": json.dumps({"n": int(len(eval_df)),
                                       "metrics": sorted(builtin_metrics)}),
                "pickled": {1, 2, 3},  # not JSON: MLflow pickles it
                "head": eval_df.head(5).reset_index(drop=True),
                "preds": eval_df["prediction"].to_numpy()[:10],
            }

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with mlflow.start_run():
                result = mlflow.models.evaluate(
                    data=df, predictions="pred", targets="label", model_type="classifier",
                    custom_artifacts=[extra],
                    evaluator_config={"log_model_explainability": False})
        result.save(str(saved))
        # The same result without its pickle artifact, saved by MLflow too.
        mlflow.models.EvaluationResult(
            result.metrics,
            {k: v for k, v in result.artifacts.items() if k != "pickled"},
        ).save(str(clean))
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        mlflow.set_tracking_uri(None)
    return result, saved, clean


def test_real_mlflow_evaluate_pickle_artifact_is_refused(mlflow_evaluation):
    result, saved, _ = mlflow_evaluation
    assert type(result.artifacts["pickled"]).__name__ == "PickleEvaluationArtifact"
    with pytest.raises(Exception, match="Cannot load artifact 'pickled': Refusing to load a "
                       "PickleEvaluationArtifact: workbench never unpickles"):
        EvaluationResult.load(saved)


def test_real_mlflow_evaluate_result_loads_here(mlflow_evaluation, tmp_path):
    result, _, saved = mlflow_evaluation
    ours = EvaluationResult.load(saved)
    theirs = mlflow.models.EvaluationResult.load(str(saved))
    assert {"accuracy_score", "f1_score", "true_positives", "example_count"} <= set(ours.metrics)
    same_metrics(ours.metrics, {k: float(v) for k, v in result.metrics.items()})
    same_artifacts(ours.artifacts, theirs.artifacts)
    kinds = {name: type(a).__name__ for name, a in ours.artifacts.items()}
    assert kinds == {"confusion_matrix": "ImageEvaluationArtifact",
                     "summary": "JsonEvaluationArtifact",
                     "head": "CsvEvaluationArtifact",
                     "preds": "NumpyEvaluationArtifact"}
    assert ours.artifacts["summary"].content["n"] == 200
    metadata = json.loads((saved / "artifacts_metadata.json").read_text())
    assert metadata["confusion_matrix"]["uri"].startswith("file://")
    # Save ours, load in MLflow: the same metrics and artifact contents.
    ours.save(tmp_path / "ours")
    again = mlflow.models.EvaluationResult.load(str(tmp_path / "ours"))
    same_metrics(again.metrics, theirs.metrics)
    same_artifacts(ours.artifacts, again.artifacts)


def test_hostile_uri_mlflow_would_follow_is_refused_here(tmp_path):
    """MLflow opens artifacts/<last URI component> without checks; a symlink there leaves
    the directory. Workbench refuses it (and everything else in the directory)."""
    secret = tmp_path / "secret.json"
    secret.write_text('{"secret": 1}')
    path = tmp_path / "r"
    mlflow.models.EvaluationResult({"a": 1.0}, {
        "x": mla.JsonEvaluationArtifact(uri="x.json", content={})}).save(str(path))
    (path / "artifacts" / "x.json").unlink()
    (path / "artifacts" / "x.json").symlink_to(secret)
    assert mlflow.models.EvaluationResult.load(str(path)).artifacts["x"].content == {"secret": 1}
    with pytest.raises(Exception, match="through a symlink"):
        EvaluationResult.load(path)
