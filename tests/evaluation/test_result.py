"""EvaluationResult: save -> load -> equal, atomic saves, hostile directories, versions."""

import json
import os
import pathlib
import sys

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from workbench._exceptions import WorkbenchException
from workbench.evaluation import _atomic_dir, _result
from workbench.evaluation import _manifest as mf
from workbench.evaluation._artifacts import (
    CsvEvaluationArtifact,
    ImageEvaluationArtifact,
    JsonEvaluationArtifact,
    NumpyEvaluationArtifact,
    ParquetEvaluationArtifact,
    TextEvaluationArtifact,
)
from workbench.evaluation._curves import (
    calibration_curve,
    det_curve_from_ranking,
    lift_and_gains_from_ranking,
    pr_curve_from_ranking,
    rank_scores,
    roc_curve_from_ranking,
)
from workbench.evaluation._explain import Explanation
from workbench.evaluation._result import EvaluationResult
from workbench.evaluation._tables import (
    ConfusionMatrix,
    PerClassMetrics,
    residual_summary,
    threshold_table_from_ranking,
)

ARTIFACT_CLASSES = (CsvEvaluationArtifact, ImageEvaluationArtifact, JsonEvaluationArtifact,
                    NumpyEvaluationArtifact, ParquetEvaluationArtifact, TextEvaluationArtifact)


def make_artifacts():
    image = Image.new("RGB", (7, 5), (10, 200, 30))
    image.putpixel((3, 2), (255, 0, 0))
    return {
        "confusion_matrix": ImageEvaluationArtifact(uri="file:///tmp/run/artifacts/confusion_matrix.png",
                                                    content=image),
        "summary": JsonEvaluationArtifact(uri="summary.json", content={"n": 3, "x": [0.5, None]}),
        "per_class_metrics": CsvEvaluationArtifact(
            uri="per_class_metrics.csv",
            content=pd.DataFrame({"positive_class": [0, 1], "recall": [0.5, 0.75]})),
        "frame": ParquetEvaluationArtifact(
            uri="frame.parquet", content=pd.DataFrame({"a": [1.5, 2.5], "b": ["x", "y"]})),
        "scores": NumpyEvaluationArtifact(uri="scores.npy", content=np.arange(6.0).reshape(2, 3)),
        "notes": TextEvaluationArtifact(uri="notes.txt", content="line 1\nline 2 é\n"),
    }


def make_explanation():
    rng = np.random.default_rng(0)
    shap_values = rng.normal(size=(4, 3)).astype(np.float32)
    return Explanation(
        explainer="tree", feature_names=["a", "b", "c"], class_labels=None,
        mean_abs_shap=np.abs(shap_values).mean(axis=0).astype(np.float64),
        sample_index=np.array([0, 3, 5, 9]), shap_values=shap_values,
        feature_values=rng.normal(size=(4, 3)).astype(np.float32), base_values=np.array(0.25),
        n_rows_total=10, sampled=True, seconds=0.012, positive_label="1")


def make_result(run_id="run-1"):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300).astype(bool)
    score = np.clip(y * 0.3 + rng.random(300) * 0.7, 0, 1)
    ranking = rank_scores(y, score)
    lift, gains = lift_and_gains_from_ranking(ranking, label="1")
    curves = [
        roc_curve_from_ranking(ranking, label="1"),
        pr_curve_from_ranking(ranking, label="1"),
        lift,
        gains,
        calibration_curve(y, score, n_bins=10, label="1"),
        det_curve_from_ranking(ranking, label="1"),
    ]
    tables = {
        "confusion_matrix": ConfusionMatrix(labels=["0", "1"], matrix=np.array([[100, 40], [30, 130]])),
        "threshold_table": threshold_table_from_ranking(ranking, label="1"),
        "per_class_metrics": PerClassMetrics(
            columns=["positive_class", "recall_score", "roc_auc"],
            rows=[{"positive_class": "0", "recall_score": 0.5, "roc_auc": float("nan")},
                  {"positive_class": "1", "recall_score": 0.75, "roc_auc": 0.8}]),
        "residuals": residual_summary(np.arange(20.0), np.arange(20.0) * 1.1),
    }
    return EvaluationResult(
        {"accuracy_score": 0.7666666666666667, "example_count": np.int64(300),
         "roc_auc": np.float64(0.8123), "log_loss": float("nan"), "f1_score": np.float32(0.75)},
        make_artifacts(),
        run_id,
        curves=curves,
        tables=tables,
        explanation=make_explanation(),
        dataset={"name": "test", "digest": "abc123", "path": None, "n_rows": 300,
                 "n_features": 3, "feature_names": ["a", "b", "c"], "targets": "label",
                 "predictions": None, "sampled": False},
        model={"kind": "estimator", "class": "sklearn.linear_model.LogisticRegression",
               "uri": None, "signature": {"inputs": "[]", "outputs": None, "params": None}},
        config={"pos_label": 1, "average": "weighted", "sample_weights": np.array([1.0, 2.0])},
        skipped={"shap_beeswarm_plot": "plots are drawn by the notebook layer"},
        warnings=["a warning"],
        timings={"predict": 0.01, "metrics": 0.002},
    )


@pytest.fixture
def full_result():
    return make_result()


# ------------------------------------------------------------------ round trips


def test_save_load_equal(tmp_path, full_result):
    path = tmp_path / "eval"
    full_result.save(path)
    assert sorted(os.listdir(path)) == [
        "artifacts", "artifacts_metadata.json", "curves.json", "explanation.json",
        "metrics.json", "tables.json", "workbench.json"]
    assert sorted(os.listdir(path / "artifacts")) == [
        "confusion_matrix.png", "frame.parquet", "notes.txt", "per_class_metrics.csv",
        "scores.npy", "summary.json"]
    loaded = EvaluationResult.load(path)
    assert loaded == full_result
    assert full_result == loaded
    assert loaded.run_id == "run-1"
    assert [c.kind for c in loaded.curves] == [
        "roc", "precision_recall", "lift", "gains", "calibration", "det"]
    assert loaded.curves == full_result.curves  # E1's own equality, element by element
    assert loaded.tables["per_class_metrics"] == full_result.tables["per_class_metrics"]
    assert loaded.explanation == full_result.explanation
    assert loaded.curve("roc").auc == full_result.curve("roc").auc
    for name, artifact in loaded.artifacts.items():
        assert type(artifact) is type(full_result.artifacts[name])
        assert artifact.uri == full_result.artifacts[name].uri
    assert loaded.config["sample_weights"] == [1.0, 2.0]  # JSON: arrays come back as lists
    assert loaded.skipped == full_result.skipped and loaded.warnings == ["a warning"]
    assert loaded.timings == {"predict": 0.01, "metrics": 0.002}
    # Load -> save -> load again is stable.
    loaded.save(tmp_path / "again")
    assert EvaluationResult.load(tmp_path / "again") == full_result


def test_files_are_mlflows_layout_and_json(tmp_path, full_result):
    path = tmp_path / "eval"
    full_result.save(path)
    metrics = json.loads((path / "metrics.json").read_text())
    assert metrics["example_count"] == 300 and isinstance(metrics["example_count"], int)
    assert np.isnan(metrics["log_loss"])  # written as MLflow writes it: the NaN token
    metadata = json.loads((path / "artifacts_metadata.json").read_text())
    assert metadata["summary"] == {
        "uri": "summary.json",
        "class_name": "mlflow.models.evaluation.artifacts.JsonEvaluationArtifact"}
    assert metadata["confusion_matrix"]["class_name"].endswith(".ImageEvaluationArtifact")
    manifest = json.loads((path / "workbench.json").read_text())
    assert manifest["format"] == "workbench.evaluation_result"
    assert manifest["format_version"] == mf.FORMAT_VERSION == 1
    assert manifest["run"] == {"run_id": "run-1"}
    assert set(manifest["versions"]) >= {"workbench", "python", "numpy", "pandas", "scikit-learn"}
    assert manifest["data"] == {"curves": "curves.json", "tables": "tables.json",
                                "explanation": "explanation.json"}
    assert set(manifest["files"]) == {
        "metrics.json", "artifacts_metadata.json", "curves.json", "tables.json",
        "explanation.json", "artifacts/confusion_matrix.png", "artifacts/frame.parquet",
        "artifacts/notes.txt", "artifacts/per_class_metrics.csv", "artifacts/scores.npy",
        "artifacts/summary.json"}
    # Our data files are strict JSON (E1 encodes inf/NaN as strings): no pickles anywhere.
    for name in ("curves.json", "tables.json", "explanation.json"):
        json.loads((path / name).read_text(), parse_constant=lambda c: pytest.fail(c))
    for file in path.rglob("*"):
        assert not file.name.endswith((".pkl", ".pickle"))


def test_minimal_result_round_trip(tmp_path):
    result = EvaluationResult({"mean_squared_error": 1.5}, {})
    result.save(tmp_path / "r")
    assert not (tmp_path / "r" / "explanation.json").exists()
    loaded = EvaluationResult.load(tmp_path / "r")
    assert loaded == result
    assert loaded.run_id is None and loaded.curves == [] and loaded.tables == {}
    assert loaded.explanation is None and loaded.dataset == {} and loaded.warnings == []


def test_equality_sees_every_difference(full_result):
    base = make_result()
    assert base == full_result
    changed = make_result()
    changed.metrics["accuracy_score"] = 0.5
    assert changed != full_result
    changed = make_result()
    changed.artifacts["scores"] = NumpyEvaluationArtifact(uri="scores.npy", content=np.zeros((2, 3)))
    assert changed != full_result
    changed = make_result()
    changed.artifacts["summary"] = JsonEvaluationArtifact(uri="other.json", content={"n": 3, "x": [0.5, None]})
    assert changed != full_result
    changed = make_result()
    changed.curves.pop()
    assert changed != full_result
    changed = make_result()
    changed.tables["confusion_matrix"] = ConfusionMatrix(labels=["0", "1"], matrix=np.array([[1, 0], [0, 1]]))
    assert changed != full_result
    assert make_result(run_id="other") != full_result
    assert EvaluationResult({}, {}, explanation=None) != EvaluationResult({}, {}, explanation=make_explanation())
    assert EvaluationResult({}, {}, skipped={"a": "b"}) != EvaluationResult({}, {})
    assert EvaluationResult({"a": float("nan")}, {}) == EvaluationResult({"a": float("nan")}, {})
    assert (full_result == object()) is False
    assert bool(EvaluationResult({}, {}))  # truthy, as MLflow's (validation relies on it)


def test_repr_is_cheap(full_result):
    text = repr(full_result)
    assert text == (
        "EvaluationResult(metrics=5, artifacts=6, curves=[roc[1], precision_recall[1], lift[1], "
        "gains[1], calibration[1], det[1]], tables=[confusion_matrix, threshold_table, "
        "per_class_metrics, residuals], explanation=tree, run_id='run-1')")
    assert len(text) < 300


def test_properties_and_run_id_setter():
    result = EvaluationResult({"a": 1.0}, {})
    assert result.run_id is None
    result.run_id = "abc"
    assert result.run_id == "abc"
    with pytest.raises(WorkbenchException, match="run_id must be a str or None"):
        result.run_id = 3
    with pytest.raises(WorkbenchException, match=r"EvaluationResult\(metrics=...\) expects a dict"):
        EvaluationResult([1.0], {})
    with pytest.raises(WorkbenchException, match=r"EvaluationResult\(curves=...\) expects a list"):
        EvaluationResult({}, {}, curves={"roc": 1})


# ------------------------------------------------------------------ target rules


def test_save_into_existing_empty_directory(tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    EvaluationResult({"a": 1.0}, {}).save(target)
    assert EvaluationResult.load(target).metrics == {"a": 1.0}


def test_refuses_non_empty_directory_and_files(tmp_path):
    result = EvaluationResult({"a": 1.0}, {})
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(WorkbenchException, match="exists and is not empty. Pass overwrite=True") as info:
        result.save(other)
    assert info.value.error_code == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(WorkbenchException, match="holds no saved result"):
        result.save(other, overwrite=True)
    assert os.listdir(other) == ["keep.txt"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(WorkbenchException, match="a file of that name exists"):
        result.save(tmp_path / "file")
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(WorkbenchException, match="symbolic link"):
        result.save(tmp_path / "link")
    assert sorted(os.listdir(tmp_path)) == ["file", "link", "other"]  # no staging left


def test_overwrite_replaces_a_saved_result(tmp_path, full_result):
    target = tmp_path / "r"
    full_result.save(target)
    with pytest.raises(WorkbenchException, match="overwrite=True"):
        EvaluationResult({"a": 1.0}, {}).save(target)
    EvaluationResult({"a": 1.0}, {}).save(target, overwrite=True)
    assert EvaluationResult.load(target) == EvaluationResult({"a": 1.0}, {})
    assert not (target / "artifacts" / "scores.npy").exists()
    assert os.listdir(tmp_path) == ["r"]


def test_creates_missing_parents(tmp_path):
    EvaluationResult({"a": 1.0}, {}).save(tmp_path / "x" / "y" / "r")
    assert EvaluationResult.load(str(tmp_path / "x" / "y" / "r")).metrics == {"a": 1.0}


# ------------------------------------------------------------------ atomicity


class ExplodingArtifact(JsonEvaluationArtifact):
    """Writes half a file, then fails: a crash in the middle of a save."""

    def _save(self, output_artifact_path):
        with open(output_artifact_path, "w") as fh:
            fh.write('{"half": ')
        raise OSError(28, "No space left on device")


def test_failure_mid_save_leaves_nothing(tmp_path, full_result):
    full_result.artifacts["zzz"] = ExplodingArtifact(uri="zzz.json", content={"a": 1})
    with pytest.raises(WorkbenchException, match=r"Cannot save artifact 'zzz'.*No space left"):
        full_result.save(tmp_path / "r")
    assert os.listdir(tmp_path) == []


def test_failure_at_the_rename_leaves_nothing(tmp_path, full_result, monkeypatch):
    def fail(*args):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(_result, "_fsync_tree", fail)
    with pytest.raises(OSError, match="Input/output error"):
        full_result.save(tmp_path / "r")
    assert os.listdir(tmp_path) == []


def test_overwrite_swaps_atomically(tmp_path, full_result, monkeypatch):
    target = tmp_path / "r"
    full_result.save(target)
    outcomes = []
    real_exchange = _atomic_dir._exchange

    def exchange(a, b):
        outcomes.append(real_exchange(a, b))
        return outcomes[-1]

    monkeypatch.setattr(_atomic_dir, "_exchange", exchange)
    EvaluationResult({"a": 2.0}, {}).save(target, overwrite=True)
    assert outcomes == [sys.platform.startswith("linux")]  # one atomic swap on Linux
    assert EvaluationResult.load(target) == EvaluationResult({"a": 2.0}, {})
    assert os.listdir(tmp_path) == ["r"]


def test_failed_overwrite_keeps_the_old_result(tmp_path, full_result, monkeypatch):
    target = tmp_path / "r"
    full_result.save(target)
    monkeypatch.setattr(_atomic_dir, "_exchange", lambda a, b: False)  # the two-rename fallback
    real_rename = os.rename
    calls = []

    def rename(src, dst):
        calls.append((os.path.basename(src), os.path.basename(dst)))
        if len(calls) == 2:  # the new result taking the name
            raise OSError(5, "Input/output error")
        return real_rename(src, dst)

    monkeypatch.setattr(_atomic_dir.os, "rename", rename)
    with pytest.raises(OSError):
        EvaluationResult({"a": 1.0}, {}).save(target, overwrite=True)
    monkeypatch.undo()
    assert len(calls) == 3  # aside, (failed) into place, back
    assert os.listdir(tmp_path) == ["r"]
    assert EvaluationResult.load(target) == full_result


def test_bad_values_fail_before_any_io(tmp_path):
    with pytest.raises(WorkbenchException, match="config cannot be written as JSON"):
        EvaluationResult({"a": 1.0}, {}, config={"fn": object()}).save(tmp_path / "r")
    with pytest.raises(WorkbenchException, match="expected an object with a to_dict"):
        EvaluationResult({"a": 1.0}, {}, curves=[object()]).save(tmp_path / "r")
    with pytest.raises(WorkbenchException, match="both would be written to artifacts/a.json"):
        EvaluationResult({}, {"x": JsonEvaluationArtifact("dir1/a.json", {}),
                              "y": JsonEvaluationArtifact("dir2/a.json", {})}).save(tmp_path / "r")
    with pytest.raises(WorkbenchException, match="Refusing path '../x'"):
        EvaluationResult({}, {"../x": JsonEvaluationArtifact("x.json", {})}).save(tmp_path / "r")
    with pytest.raises(WorkbenchException, match="names no file|Refusing path"):
        EvaluationResult({}, {"x": JsonEvaluationArtifact("file:///tmp/..", {})}).save(tmp_path / "r")
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------ hostile directories


def write_mlflow_like(root, metadata, files=None):
    root.mkdir(parents=True, exist_ok=True)
    (root / "metrics.json").write_text('{"a": 1.0}')
    (root / "artifacts_metadata.json").write_text(json.dumps(metadata))
    (root / "artifacts").mkdir(exist_ok=True)
    for name, text in (files or {}).items():
        (root / "artifacts" / name).write_text(text)
    return root


@pytest.fixture
def load_spy(monkeypatch):
    """Record every artifact file any artifact class opens."""
    opened = []
    for cls in ARTIFACT_CLASSES:
        original = cls._load_content_from_file

        def spy(self, path, _original=original):
            opened.append(path)
            return _original(self, path)

        monkeypatch.setattr(cls, "_load_content_from_file", spy)
    return opened


JSON_CLS = "mlflow.models.evaluation.artifacts.JsonEvaluationArtifact"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"../x": {"uri": "x.json", "class_name": JSON_CLS}}, "Refusing artifact name.*'..' component"),
        ({"/etc/passwd": {"uri": "x.json", "class_name": JSON_CLS}}, "Refusing artifact name.*absolute"),
        ({"x": {"uri": "file:///tmp/..", "class_name": JSON_CLS}}, "Refusing artifact 'x'.*names no file"),
        ({"x": {"uri": "a/%2e%2e", "class_name": JSON_CLS}}, "Refusing artifact 'x'.*'..' component"),
        ({"x": {"uri": "/", "class_name": JSON_CLS}}, "Refusing artifact 'x'.*names no file"),
        ({"x": {"uri": "a\\..\\..\\secret.json", "class_name": JSON_CLS}}, "Refusing artifact 'x'.*backslash"),
        ({"x": {"uri": "x.json", "class_name": "os.system"}}, "Unknown evaluation artifact class"),
        ({"x": {"uri": "x.json",
                "class_name": "mlflow.models.evaluation.artifacts.PickleEvaluationArtifact"}},
         "Refusing to load a PickleEvaluationArtifact"),
        ({"x": {"uri": 3, "class_name": JSON_CLS}}, "should map it to"),
        ({"x": "x.json"}, "should map it to"),
    ],
)
def test_hostile_metadata_is_refused_before_anything_is_opened(tmp_path, load_spy, entry, message):
    # A good artifact first: the hostile entry must refuse the directory before it is read.
    metadata = {"good": {"uri": "good.json", "class_name": JSON_CLS}, **entry}
    root = write_mlflow_like(tmp_path / "r", metadata, {"good.json": "{}", "x.json": "{}"})
    with pytest.raises(WorkbenchException, match=message) as info:
        EvaluationResult.load(root)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert load_spy == []


def test_symlink_out_of_the_directory_is_refused(tmp_path, load_spy):
    secret = tmp_path / "secret.json"
    secret.write_text('{"secret": true}')
    root = write_mlflow_like(tmp_path / "r", {"x": {"uri": "x.json", "class_name": JSON_CLS}})
    (root / "artifacts" / "x.json").symlink_to(secret)
    with pytest.raises(WorkbenchException, match="through a symlink"):
        EvaluationResult.load(root)
    assert load_spy == []
    # The artifacts directory itself pointing outside.
    root2 = tmp_path / "r2"
    write_mlflow_like(root2, {"x": {"uri": "secret.json", "class_name": JSON_CLS}})
    (root2 / "artifacts").rmdir()
    (root2 / "artifacts").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(WorkbenchException, match="through a symlink"):
        EvaluationResult.load(root2)
    # metrics.json pointing outside.
    root3 = tmp_path / "r3"
    write_mlflow_like(root3, {})
    (root3 / "metrics.json").unlink()
    (root3 / "metrics.json").symlink_to(secret)
    with pytest.raises(WorkbenchException, match="through a symlink"):
        EvaluationResult.load(root3)
    assert load_spy == []


def test_symlinked_data_file_is_refused(tmp_path, full_result):
    full_result.save(tmp_path / "r")
    outside = tmp_path / "curves.json"
    outside.write_text("[]")
    (tmp_path / "r" / "curves.json").unlink()
    (tmp_path / "r" / "curves.json").symlink_to(outside)
    with pytest.raises(WorkbenchException, match="through a symlink"):
        EvaluationResult.load(tmp_path / "r")


def test_missing_and_irregular_files(tmp_path):
    root = write_mlflow_like(tmp_path / "r", {"x": {"uri": "x.json", "class_name": JSON_CLS}})
    with pytest.raises(WorkbenchException, match="artifacts/x.json is missing") as info:
        EvaluationResult.load(root)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    os.mkfifo(root / "artifacts" / "x.json")  # would block a reader forever
    with pytest.raises(WorkbenchException, match="not a regular file"):
        EvaluationResult.load(root)
    with pytest.raises(WorkbenchException, match="no such directory"):
        EvaluationResult.load(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(WorkbenchException, match="it has no metrics.json"):
        EvaluationResult.load(tmp_path / "empty")
    (root / "metrics.json").write_text("[1, 2]")
    with pytest.raises(WorkbenchException, match="metrics.json should hold a JSON object"):
        EvaluationResult.load(root)


def test_tampered_file_is_detected(tmp_path, full_result):
    full_result.save(tmp_path / "r")
    (tmp_path / "r" / "artifacts" / "notes.txt").write_text("changed")
    with pytest.raises(WorkbenchException, match="'artifacts/notes.txt' of this evaluation result "
                       "changed after it was saved") as info:
        EvaluationResult.load(tmp_path / "r")
    assert info.value.error_code == "DATA_LOSS"
    full_result.save(tmp_path / "s")
    with open(tmp_path / "s" / "curves.json", "r+b") as fh:
        fh.truncate(100)
    with pytest.raises(WorkbenchException, match="curves.json"):
        EvaluationResult.load(tmp_path / "s")


# ------------------------------------------------------------------ format versions


def test_future_format_version_is_refused(tmp_path, full_result):
    full_result.save(tmp_path / "r")
    manifest_path = tmp_path / "r" / "workbench.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = mf.FORMAT_VERSION + 1
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(WorkbenchException) as info:
        EvaluationResult.load(tmp_path / "r")
    assert str(info.value) == (
        f"Cannot read the evaluation result in {str(manifest_path)!r}: it was written with "
        f"format_version {mf.FORMAT_VERSION + 1} by a newer workbench, and this workbench "
        f"(0.1.0) reads format versions 1 to {mf.FORMAT_VERSION}. Upgrade workbench "
        "(pip install -U workbench) to load it.")


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("{not json", "it is not valid JSON"),
        ("[]", "expected a JSON object, got list"),
        ('{"format": "other", "format_version": 1}', "expected \"format\": 'workbench.evaluation_result'"),
        ('{"format": "workbench.evaluation_result", "format_version": "1"}',
         "expected a positive integer format_version, got '1'"),
        ('{"format": "workbench.evaluation_result", "format_version": 0}',
         "expected a positive integer format_version, got 0"),
        ('{"format": "workbench.evaluation_result", "format_version": 1, "skipped": []}',
         "'skipped' must be a JSON object"),
        ('{"format": "workbench.evaluation_result", "format_version": 1, "run": {"run_id": 3}}',
         "'run' must be an object"),
    ],
)
def test_malformed_manifest_is_refused(tmp_path, manifest, message):
    root = write_mlflow_like(tmp_path / "r", {})
    (root / "workbench.json").write_text(manifest)
    with pytest.raises(WorkbenchException, match="Cannot read the evaluation result manifest") as info:
        EvaluationResult.load(root)
    assert message in str(info.value)


# A directory as format version 1 wrote it (frozen here: later versions must keep reading it).
V1_MANIFEST = """{
  "format": "workbench.evaluation_result",
  "format_version": 1,
  "created": "2026-11-27T21:00:00.000000+00:00",
  "versions": {"numpy": "2.4.6", "pandas": "3.1.1", "python": "3.11.7",
               "scikit-learn": "1.9.1", "shap": null, "workbench": "0.1.0"},
  "run": {"run_id": "r1"},
  "model": {"kind": "estimator"},
  "dataset": {"name": "d", "n_rows": 4},
  "config": {"pos_label": 1},
  "skipped": {"log_loss": "no probabilities"},
  "warnings": [],
  "timings": {"metrics": 0.5},
  "data": {"curves": "curves.json", "tables": "tables.json", "explanation": null},
  "files": {}
}"""
V1_CURVES = ('[{"kind": "roc", "fpr": [0.0, 0.0, 1.0], "tpr": [0.0, 1.0, 1.0], '
             '"thresholds": ["Infinity", 0.8, 0.1], "auc": 1.0, "label": "1", "n_total": 2}]')
V1_TABLES = ('{"confusion_matrix": {"kind": "confusion_matrix", "labels": ["0", "1"], '
             '"matrix": [[1, 0], [0, 1]], "weighted": null}}')


def test_format_version_1_directory_loads(tmp_path):
    root = write_mlflow_like(tmp_path / "v1", {"summary": {"uri": "summary.json", "class_name": JSON_CLS}},
                             {"summary.json": '{"n": 1}'})
    (root / "workbench.json").write_text(V1_MANIFEST)
    (root / "curves.json").write_text(V1_CURVES)
    (root / "tables.json").write_text(V1_TABLES)
    result = EvaluationResult.load(root)
    assert result.run_id == "r1" and result.metrics == {"a": 1.0}
    assert result.curves[0].kind == "roc" and result.curves[0].thresholds[0] == np.inf
    assert result.tables["confusion_matrix"].matrix.tolist() == [[1, 0], [0, 1]]
    assert result.artifacts["summary"].content == {"n": 1}
    assert result.skipped == {"log_loss": "no probabilities"} and result.explanation is None
    assert result.dataset == {"name": "d", "n_rows": 4}
    assert result.rows is None  # written before results kept their rows


def test_hostile_data_path_in_manifest_is_refused(tmp_path):
    root = write_mlflow_like(tmp_path / "r", {})
    (tmp_path / "secret.json").write_text("[]")
    for hostile in ("../secret.json", "/etc/passwd", "%2e%2e/secret.json"):
        manifest = json.loads(V1_MANIFEST)
        manifest["data"]["curves"] = hostile
        (root / "workbench.json").write_text(json.dumps(manifest))
        with pytest.raises(WorkbenchException, match=f"Refusing path {hostile!r}"):
            EvaluationResult.load(root)


def test_artifact_without_loadable_content_names_the_artifact(tmp_path):
    result = EvaluationResult({}, {"remote": JsonEvaluationArtifact(uri="mlflow-artifacts:/0/r/a.json")})
    with pytest.raises(WorkbenchException, match="Cannot save artifact 'remote'.*only local paths"):
        result.save(tmp_path / "r")
    assert os.listdir(tmp_path) == []


def test_unknown_curve_kind_is_a_clear_error(tmp_path):
    root = write_mlflow_like(tmp_path / "r", {})
    (root / "workbench.json").write_text(V1_MANIFEST)
    (root / "curves.json").write_text('[{"kind": "spiral"}]')
    with pytest.raises(WorkbenchException, match="Unknown curve kind 'spiral'"):
        EvaluationResult.load(root)
    (root / "curves.json").write_text('[{"kind": "roc", "fpr": [0.0]}]')
    with pytest.raises(WorkbenchException, match="field 'tpr' is missing"):
        EvaluationResult.load(root)
    (root / "curves.json").write_text('[3]')
    with pytest.raises(WorkbenchException, match="curve 0 of curves.json: expected a JSON object"):
        EvaluationResult.load(root)


def test_pathlib_and_str_paths(tmp_path):
    result = EvaluationResult({"a": 1.0}, {})
    result.save(str(tmp_path / "s"))
    assert EvaluationResult.load(pathlib.Path(tmp_path / "s")) == result


# ------------------------------------------------------------------ with evaluate()


@pytest.mark.parametrize("model_type", ["classifier", "regressor"])
def test_evaluate_result_round_trip(tmp_path, model_type):
    from sklearn.linear_model import LinearRegression, LogisticRegression

    from workbench.evaluation import evaluate

    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(400, 3)), columns=["a", "b", "c"])
    if model_type == "classifier":
        y = (X["a"] + rng.normal(size=400) > 0).astype(int)
        model = LogisticRegression().fit(X, y)
    else:
        y = X["a"] * 2 + rng.normal(size=400)
        model = LinearRegression().fit(X, y)
    result = evaluate(model, X.assign(label=y), targets="label", model_type=model_type,
                      evaluator_config={"log_model_explainability": False})
    result.save(tmp_path / "r")
    loaded = EvaluationResult.load(tmp_path / "r")
    assert loaded == result
    assert loaded.metrics == pytest.approx(result.metrics)
    assert [c.kind for c in loaded.curves] == [c.kind for c in result.curves]
    assert loaded.dataset["n_rows"] == 400 and loaded.model == result.model


# ------------------------------------------------------------------ per-row data


def _with_rows(weights=True):
    from workbench.evaluation._rows import RowData

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 50)
    rows = RowData.for_classifier(y, (y + (rng.random(50) < 0.2)) % 3, labels=[0, 1, 2],
                                  scores=rng.dirichlet([1, 1, 1], 50),
                                  sample_weight=rng.random(50) if weights else None,
                                  digest="abc123")
    return EvaluationResult({"accuracy_score": 0.8}, {}, rows=rows, dataset={"digest": "abc123"})


def test_rows_round_trip_with_checked_files(tmp_path):
    result = _with_rows()
    result.save(tmp_path / "r")
    files = sorted(p.name for p in (tmp_path / "r" / "rows").iterdir())
    assert files == ["sample_weight.npy", "scores.npy", "y_pred.npy", "y_true.npy"]
    manifest = json.loads((tmp_path / "r" / "workbench.json").read_text())
    spec = manifest["data"]["rows"]
    assert spec["kind"] == "multiclass" and spec["labels"] == [0, 1, 2] and spec["n_rows"] == 50
    assert spec["files"] == [f"rows/{f}" for f in files]
    assert all(f"rows/{f}" in manifest["files"] for f in files)  # size and sha256
    loaded = EvaluationResult.load(tmp_path / "r")
    assert loaded == result and loaded.rows == result.rows
    assert loaded.rows.scores.dtype == np.float32 and not loaded.rows.scores.flags.writeable
    no_rows = EvaluationResult({"accuracy_score": 0.8}, {}, dataset={"digest": "abc123"})
    assert no_rows != result and result != _with_rows(weights=False)


def test_tampered_rows_file_is_detected(tmp_path):
    _with_rows().save(tmp_path / "r")
    target = tmp_path / "r" / "rows" / "y_true.npy"
    data = bytearray(target.read_bytes())
    data[-1] ^= 1
    target.write_bytes(bytes(data))
    with pytest.raises(WorkbenchException, match="'rows/y_true.npy' of this evaluation result "
                       "changed") as info:
        EvaluationResult.load(tmp_path / "r")
    assert info.value.error_code == "DATA_LOSS"


def test_hostile_rows_entry_is_refused(tmp_path):
    _with_rows().save(tmp_path / "r")
    manifest_path = tmp_path / "r" / "workbench.json"
    manifest = json.loads(manifest_path.read_text())
    for files, message in ((["../secret.npy"], "is not a rows/ file recorded"),
                           (["rows/unlisted.npy"], "is not a rows/ file recorded"),
                           ("rows/y_true.npy", "with a list of \"files\"")):
        manifest["data"]["rows"]["files"] = files
        manifest_path.write_text(json.dumps(manifest))
        with pytest.raises(WorkbenchException, match="Cannot load the evaluation result") as info:
            EvaluationResult.load(tmp_path / "r")
        assert message in info.value.message


def test_rows_must_be_row_data():
    with pytest.raises(WorkbenchException, match="rows=...\\) expects a RowData or None, got dict"):
        EvaluationResult({}, {}, rows={"y_true": [1]})


def test_metric_directions_round_trip_and_checks(tmp_path):
    result = EvaluationResult({"errors": 3.0}, {}, metric_directions={"errors": False})
    result.save(tmp_path / "r")
    loaded = EvaluationResult.load(tmp_path / "r")
    assert loaded.metric_directions == {"errors": False} and loaded == result
    assert loaded != EvaluationResult({"errors": 3.0}, {})
    with pytest.raises(WorkbenchException, match="metric_directions=...\\) expects a dict"):
        EvaluationResult({}, {}, metric_directions={"errors": "no"})
