"""``EvaluationResult``: what an evaluation computed, as plain data, saved and loaded safely.

A result holds MLflow's three things (``metrics``, ``artifacts``, ``run_id``) and the data
workbench renders from: curve objects, tables, an explanation, and what was evaluated
(model, dataset, evaluator config), what was skipped and why, warnings and timings.

On disk (``save(path)``) a result is MLflow's directory layout, so that MLflow's
``EvaluationResult.load`` reads it, plus files only workbench reads::

    path/
      metrics.json              MLflow's: {metric name: value}
      artifacts_metadata.json   MLflow's: {artifact name: {"uri": ..., "class_name": ...}}
      artifacts/<file>          MLflow's: each artifact under the last component of its URI
      workbench.json            our versioned manifest (see ``_manifest``)
      curves.json               [curve.to_dict(), ...]
      tables.json               {name: table.to_dict()}
      explanation.json          explanation.to_dict()  (only when there is one and no
                                shap_beeswarm_plot artifact holds it; see below)
      rows/<field>.npy          the per-row data (``result.rows``, a ``RowData``) that
                                ``workbench.compare`` resamples: y_true, y_pred, scores,
                                sample_weight; described in the manifest's ``data.rows``

Everything is JSON, CSV, PNG, .npy (``allow_pickle=False``) or Parquet: nothing is pickled.
``class_name`` holds MLflow's class names (``mlflow.models.evaluation.artifacts.
JsonEvaluationArtifact``) for the artifact types both libraries share, so either library
can load the directory; workbench maps them back to its own classes and never imports a
module named in a file.

Built-in artifacts. ``artifacts`` holds the custom artifacts and, under MLflow 3.17.2's
names, the built-in ones (``roc_curve_plot``, ``precision_recall_curve_plot``,
``lift_curve_plot``, ``calibration_curve_plot``, ``confusion_matrix``,
``per_class_metrics``, ``shap_beeswarm_plot``, ``shap_summary_plot``,
``shap_feature_importance_plot``; which exist is decided by the evaluator, see
:func:`workbench.evaluation._artifacts.builtin_artifacts`). They hold data, not figures:
a ``BuiltinJsonEvaluationArtifact`` (the curves' ``to_dict()`` as a list, the confusion
matrix's ``to_dict()``, the explanation's ``to_dict()``) or a ``BuiltinCsvEvaluationArtifact``
(``per_class_metrics``, the SHAP importance tables), whose ``uri`` is MLflow's file name
with the data's extension (``roc_curve_plot.json`` for MLflow's ``roc_curve_plot.png``).
In memory they are *views*: their content is computed from the result's curve, table or
explanation objects on access, so nothing is held twice.

On disk the design chosen is *files*, not derivation: each built-in artifact is written
under ``artifacts/`` with its ``artifacts_metadata.json`` entry (MLflow's class names
``JsonEvaluationArtifact`` / ``CsvEvaluationArtifact``), so MLflow's
``EvaluationResult.load`` reads our directory and sees MLflow's names. The copies are
small (curves are decimated to at most 1,000 points; tables have a row per class or
feature). The one large payload, the explanation, is written once: when
``shap_beeswarm_plot`` is saved, the manifest's ``data.explanation`` points at its file
(``artifacts/shap_beeswarm_plot.json``) and no ``explanation.json`` is written. The
manifest's ``data.builtin_artifacts`` records what each built-in artifact is a view of
(``{name: {"uri", "source", ...}}``); ``load`` checks each file against the manifest like
any other, then rebuilds the view from the loaded curves, tables and explanation rather
than keeping a second copy, so ``save -> load`` gives an equal result with the same
artifact classes. A directory written by MLflow loads its built-in PNGs as plain
``ImageEvaluationArtifact`` objects, as before.

Saving is atomic: the directory is built beside the target under a hidden temporary name,
every file and directory is fsynced, and the whole is renamed into place, so a crash or an
error never leaves a half-written result under the final name. A target that already
exists must be an empty directory; replacing an existing result takes ``overwrite=True``,
and only a directory that holds a result (``metrics.json`` and
``artifacts_metadata.json``) is replaced: in one atomic swap on Linux
(``renameat2(RENAME_EXCHANGE)``), elsewhere by two renames (the name is briefly absent,
never half written). MLflow's ``save`` writes into any existing directory, file by file;
refusing to mix a new result into an old directory is deliberate.

Loading treats the directory as untrusted: every path (artifact names, the file names
derived from URIs, symlinks) is checked with :func:`workbench._io.safe_join` for every
entry before any artifact is opened; files listed in the manifest are checked against
their recorded size and sha256; a manifest from a newer workbench is refused with a
message that says so. A directory written by MLflow (no ``workbench.json``) loads its
metrics and artifacts.

Differences from MLflow 3.17.2's ``EvaluationResult``, on purpose:

* ``run_id`` defaults to None; MLflow takes the active run's id (the tracking layer sets
  it here when it logs the result). ``load`` keeps the saved ``run_id`` (MLflow drops it).
* ``tables`` holds the result's own table objects; MLflow's reads DataFrames back from a
  tracking server.
* ``save`` refuses a non-empty target unless ``overwrite=True`` (see above).
* ``artifacts`` holds the built-in names as data (JSON/CSV) where MLflow holds PNGs;
  the dict keys are MLflow's (never prefixed), the file names carry ``metric_prefix`` as
  MLflow's do, with ``.json``/``.csv`` instead of ``.png``.
* ``load`` refuses ``PickleEvaluationArtifact`` (MLflow refuses it too unless an
  environment variable allows unpickling), hostile paths (MLflow follows them), and
  anything but the six known artifact classes (MLflow imports any class named in the file).
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from workbench._exceptions import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import _fsync_dir, check_relative_path, dumps_json, safe_join
from workbench.evaluation import _manifest as mf
from workbench.evaluation._atomic_dir import (
    _check_target,
    _fsync_tree,
    _make_sibling,
    _move_into_place,
)
from workbench.evaluation._result_artifacts import (
    _artifact_class,
    _artifact_class_name,
    _builtin_view,
    _is_builtin,
)
from workbench.evaluation._result_decode import (
    _decode,
    _decode_curve,
    _decode_explanation,
    _decode_table,
)
from workbench.evaluation._result_equality import (
    _same_artifacts,
    _same_data,
    _same_metrics,
    _to_jsonable,
)
from workbench.evaluation._result_read import (
    ROWS_DIR,
    _directions,
    _exists,
    _load_rows,
    _read,
    _read_json,
)

__all__ = ["EvaluationResult"]


# ============================================================================ helpers


_invalid = WorkbenchException.invalid_parameter_value


def _artifact_file_name(uri: str) -> str:
    """The file name MLflow gives an artifact inside ``artifacts/``: the last component of
    its URI's path (``file:///x/y/roc.png`` -> ``roc.png``), not decoded, as MLflow does."""
    return pathlib.PurePosixPath(urllib.parse.urlparse(uri).path).name


def _data_dict(obj: Any, what: str) -> dict[str, Any]:
    to_dict = getattr(obj, "to_dict", None)
    if not callable(to_dict):
        raise _invalid(
            f"Cannot save {what}: expected an object with a to_dict() method (a curve, table "
            f"or explanation from workbench.evaluation), got {type(obj).__name__}."
        )
    data = to_dict()
    if not isinstance(data, dict):
        raise _invalid(
            f"Cannot save {what}: its to_dict() returned {type(data).__name__}, not a dict."
        )
    return data


def _to_jsonable_checked(value: Any, key: str, encode: Callable[..., bytes]) -> Any:
    return json.loads(encode(value, key))


# ============================================================================ the class


class EvaluationResult:
    """The outputs of :func:`workbench.evaluate`: metrics, artifacts and the data to render.

    Parameters
    ----------
    metrics : dict[str, float]
        Metric name to value (MLflow's names, e.g. ``"roc_auc"``).
    artifacts : dict[str, EvaluationArtifact]
        Artifact name to artifact (MLflow's names, e.g. ``"confusion_matrix"``).
    run_id : str, optional
        The run the result was logged to.
    curves : list, optional
        Curve objects (``RocCurve``, ``PrecisionRecallCurve``, ...).
    tables : dict, optional
        Table name to table object (``ConfusionMatrix``, ``ThresholdTable``, ...).
    explanation : Explanation, optional
        SHAP values and aggregates, or None when not computed.
    dataset, model, config : dict, optional
        What was evaluated: dataset info (name, digest, path, n_rows, ...), model info
        (kind, class, uri, signature), the evaluator config. JSON-able.
    skipped : dict[str, str], optional
        Name of a metric, curve or step that was not computed, to the reason.
    warnings : list[str], optional
        Warnings raised during the evaluation.
    timings : dict[str, float], optional
        Seconds per step.
    metric_directions : dict[str, bool], optional
        Whether a greater value is better, for metrics whose direction the built-in
        table does not know (``extra_metrics``' own ``greater_is_better``); used by
        :func:`workbench.compare`.
    rows : RowData, optional
        The per-row targets, predictions and scores (see
        :mod:`workbench.evaluation._rows`), kept so that :func:`workbench.compare` can
        compute confidence intervals; None for results saved by MLflow or by an older
        workbench.

    Examples
    --------
    >>> import tempfile, os
    >>> result = EvaluationResult({"accuracy_score": 0.9, "example_count": 100}, {},
    ...                           skipped={"log_loss": "the model gives no probabilities"})
    >>> result
    EvaluationResult(metrics=2, artifacts=0, curves=[], tables=[], explanation=None, run_id=None)
    >>> path = os.path.join(tempfile.mkdtemp(), "eval")
    >>> result.save(path)
    >>> sorted(os.listdir(path))
    ['artifacts', 'artifacts_metadata.json', 'curves.json', 'metrics.json', 'tables.json',
     'workbench.json']
    >>> loaded = EvaluationResult.load(path)
    >>> loaded == result, loaded.metrics["accuracy_score"], loaded.skipped
    (True, 0.9, {'log_loss': 'the model gives no probabilities'})
    """

    def __init__(
        self,
        metrics: Mapping[str, Any],
        artifacts: Mapping[str, Any],
        run_id: str | None = None,
        *,
        curves: Iterable[Any] | None = None,
        tables: Mapping[str, Any] | None = None,
        explanation: Any = None,
        dataset: Mapping[str, Any] | None = None,
        model: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        skipped: Mapping[str, str] | None = None,
        warnings: Iterable[str] | None = None,
        timings: Mapping[str, float] | None = None,
        rows: Any = None,
        metric_directions: Mapping[str, bool] | None = None,
    ) -> None:
        dicts = (("metrics", metrics), ("artifacts", artifacts), ("tables", tables),
                 ("dataset", dataset), ("model", model), ("config", config),
                 ("skipped", skipped), ("timings", timings))
        for name, value in dicts:
            if value is not None and not isinstance(value, Mapping):
                raise _invalid(
                    f"EvaluationResult({name}=...) expects a dict, got {type(value).__name__}."
                )
        if curves is not None and isinstance(curves, (str, bytes, Mapping)):
            raise _invalid(
                f"EvaluationResult(curves=...) expects a list of curves, got "
                f"{type(curves).__name__}."
            )
        if warnings is not None and isinstance(warnings, (str, bytes)):
            raise _invalid("EvaluationResult(warnings=...) expects a list of str, got one str.")
        if rows is not None:
            from workbench.evaluation._rows import RowData

            if not isinstance(rows, RowData):
                raise _invalid(
                    f"EvaluationResult(rows=...) expects a RowData or None, got "
                    f"{type(rows).__name__}. Build one with RowData.for_classifier() or "
                    "RowData.for_regressor()."
                )
        if run_id is not None and not isinstance(run_id, str):
            raise _invalid(
                f"EvaluationResult(run_id=...) expects a str or None, got {type(run_id).__name__}."
            )
        self._metrics = metrics if metrics is not None else {}
        self._artifacts = artifacts if artifacts is not None else {}
        self._run_id = run_id
        self._curves = list(curves) if curves is not None else []
        self._tables = dict(tables) if tables is not None else {}
        self._explanation = explanation
        self._dataset = dict(dataset) if dataset is not None else {}
        self._model = dict(model) if model is not None else {}
        self._config = dict(config) if config is not None else {}
        self._skipped = dict(skipped) if skipped is not None else {}
        self._warnings = [str(w) for w in warnings] if warnings is not None else []
        self._timings = dict(timings) if timings is not None else {}
        self._rows = rows
        if metric_directions is not None and not (
                isinstance(metric_directions, Mapping)
                and all(isinstance(v, bool) for v in metric_directions.values())):
            raise _invalid(
                "EvaluationResult(metric_directions=...) expects a dict of metric name to "
                f"bool (greater is better), got {metric_directions!r:.80}."
            )
        self._metric_directions = dict(metric_directions or {})

    # ------------------------------------------------------------------ properties

    @property
    def metrics(self) -> dict[str, Any]:
        """Metric name to scalar value."""
        return self._metrics  # type: ignore[return-value]

    @property
    def artifacts(self) -> dict[str, Any]:
        """Artifact name to artifact (uri and content)."""
        return self._artifacts  # type: ignore[return-value]

    @property
    def run_id(self) -> str | None:
        """The id of the run the result was logged to, or None."""
        return self._run_id

    @run_id.setter
    def run_id(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise _invalid(f"run_id must be a str or None, got {type(value).__name__}.")
        self._run_id = value

    @property
    def curves(self) -> list[Any]:
        """Curve data objects (``RocCurve``, ``PrecisionRecallCurve``, ...)."""
        return self._curves

    @property
    def tables(self) -> dict[str, Any]:
        """Table name to table data object (``ConfusionMatrix``, ``ThresholdTable``, ...).

        Unlike MLflow's ``EvaluationResult.tables`` (evaluation tables read back from the
        run), these are the result's own tables, available without a tracking server.
        """
        return self._tables

    @property
    def explanation(self) -> Any:
        """The SHAP ``Explanation``, or None when it was not computed (see ``skipped``)."""
        return self._explanation

    @property
    def dataset(self) -> dict[str, Any]:
        """Dataset info: name, digest, path, n_rows, n_features, feature_names, ..."""
        return self._dataset

    @property
    def model(self) -> dict[str, Any]:
        """Model info: kind, class, uri, signature."""
        return self._model

    @property
    def config(self) -> dict[str, Any]:
        """The evaluator config the result was computed with."""
        return self._config

    @property
    def skipped(self) -> dict[str, str]:
        """Name of what was not computed, to why."""
        return self._skipped

    @property
    def warnings(self) -> list[str]:
        """Warnings raised while evaluating."""
        return self._warnings

    @property
    def timings(self) -> dict[str, float]:
        """Seconds per step."""
        return self._timings

    @property
    def rows(self) -> Any:
        """The per-row data (``RowData``) behind the metrics, or None.

        Kept by the default evaluator (codes and float32 scores: a few bytes a row) so
        that :func:`workbench.compare` can bootstrap confidence intervals; None for a
        result loaded from a directory saved by MLflow or by an older workbench.
        """
        return self._rows

    @property
    def metric_directions(self) -> dict[str, bool]:
        """Metric name to "greater is better", for metrics not in the built-in table."""
        return self._metric_directions

    def curve(self, kind: str, label: str | None = None) -> Any:
        """The first curve of ``kind`` (and ``label``, when given), or None.

        Examples
        --------
        >>> EvaluationResult({}, {}).curve("roc") is None
        True
        """
        for c in self._curves:
            if getattr(c, "kind", None) != kind:
                continue
            if label is None or getattr(c, "label", None) == label:
                return c
        return None

    # ------------------------------------------------------------------ comparison

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EvaluationResult):
            return NotImplemented
        return (
            self._run_id == other._run_id
            and _same_metrics(self._metrics, other._metrics)
            and _same_artifacts(self._artifacts, other._artifacts)
            and len(self._curves) == len(other._curves)
            and all(_same_data(a, b) for a, b in zip(self._curves, other._curves))
            and self._tables.keys() == other._tables.keys()
            and all(_same_data(self._tables[k], other._tables[k]) for k in self._tables)
            and _same_data(self._explanation, other._explanation)
            and self._metric_directions == other._metric_directions
            and (self._rows is None) == (other._rows is None)
            and (self._rows is None or self._rows == other._rows)
            and all(
                _to_jsonable(getattr(self, a)) == _to_jsonable(getattr(other, a))
                for a in ("_dataset", "_model", "_config", "_skipped", "_warnings", "_timings")
            )
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        # Counts and names only: a result can hold large arrays; the repr never shows them.
        def curve_name(c: Any) -> str:
            kind = getattr(c, "kind", type(c).__name__)
            label = getattr(c, "label", None)
            return f"{kind}[{label}]" if label is not None else str(kind)

        curves = ", ".join(curve_name(c) for c in self._curves)
        tables = ", ".join(str(k) for k in self._tables)
        explanation = (
            None if self._explanation is None else getattr(self._explanation, "explainer", "yes")
        )
        return (
            f"EvaluationResult(metrics={len(self._metrics)}, artifacts={len(self._artifacts)}, "
            f"curves=[{curves}], tables=[{tables}], explanation={explanation}, "
            f"run_id={self._run_id!r})"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Rich display in Jupyter (text/plain and static HTML).

        The renderer lives in ``workbench.notebook._display`` (standard library only) and is
        imported only when something is displayed, so this layer stays free of IPython.
        """
        from workbench.notebook._display import result_mimebundle

        return result_mimebundle(self, include, exclude)

    def to_html(self, **kwargs: Any) -> str:
        """The result as one self-contained, interactive HTML page.

        Keyword arguments (``plotlyjs="inline"|"cdn"|"directory"``, ``title``) go to
        ``workbench.notebook._report.to_html``, imported only when called.
        """
        from workbench.notebook._report import to_html

        return to_html(self, **kwargs)

    def save_html(self, path: str | os.PathLike, **kwargs: Any) -> pathlib.Path:
        """Write :meth:`to_html` to ``path`` atomically; return the path written."""
        from workbench.notebook._report import save_html

        return save_html(self, path, **kwargs)

    # ------------------------------------------------------------------ save

    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> None:
        """Write the result to the directory ``path``, atomically.

        Parameters
        ----------
        path : str or os.PathLike
            The directory to create. It may exist only as an empty directory, or, with
            ``overwrite=True``, as a directory holding a saved result (it is replaced).
        overwrite : bool, default False
            Replace an existing result directory.

        Raises
        ------
        WorkbenchException
            ``RESOURCE_ALREADY_EXISTS`` when ``path`` is a non-empty directory and
            ``overwrite`` is False, or when it is anything but a result directory;
            ``INVALID_PARAMETER_VALUE`` when a value cannot be written as JSON or two
            artifacts would share a file name. Nothing is left under ``path`` then.
        """
        target = pathlib.Path(os.path.abspath(os.fspath(path)))
        replace = _check_target(target, overwrite)
        payload = self._encode()  # everything that can fail on bad values, before any I/O
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = _make_sibling(target, "tmp")
        try:
            self._write(staging, payload)
            _fsync_tree(staging)
            _move_into_place(staging, target, replace)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _fsync_dir(target.parent)

    def _encode(self) -> dict[str, Any]:
        """Encode the JSON files and plan the artifact files; nothing is written."""

        def encode(value: Any, what: str, **kwargs: Any) -> bytes:
            try:
                return dumps_json(value, **kwargs).encode("utf-8")
            except (TypeError, ValueError) as err:
                raise _invalid(
                    f"Cannot save the evaluation result: {what} cannot be written as JSON "
                    f"({err}). Give plain numbers, strings, lists and dicts."
                ) from None

        artifacts_metadata: dict[str, dict[str, str]] = {}
        files_by_name: dict[str, str] = {}
        builtin_specs: dict[str, dict[str, Any]] = {}
        for name, artifact in self._artifacts.items():
            where = f"artifact {name!r}"
            if not isinstance(name, str):
                raise _invalid(f"Artifact names must be str, got {type(name).__name__}: {name!r}.")
            check_relative_path(name)
            uri = getattr(artifact, "uri", None)
            if not isinstance(uri, str) or not uri:
                raise _invalid(f"Cannot save {where}: it has no uri (got {uri!r}).")
            file_name = _artifact_file_name(uri)
            try:
                check_relative_path(file_name)
            except WorkbenchException as err:
                raise _invalid(f"Cannot save {where} with uri {uri!r}: {err.message}") from None
            if "/" in file_name or file_name in (".", ".."):
                raise _invalid(f"Cannot save {where}: its uri {uri!r} names no file.")
            if file_name in files_by_name:
                raise _invalid(
                    f"Cannot save artifacts {files_by_name[file_name]!r} and {name!r}: both "
                    f"would be written to artifacts/{file_name} (the last component of their "
                    "URIs, as MLflow names artifact files). Give them distinct URIs."
                )
            files_by_name[file_name] = name
            spec = getattr(artifact, "spec", None)
            if _is_builtin(artifact) and isinstance(spec, dict):
                builtin_specs[name] = _to_jsonable_checked(spec, where, encode)
            artifacts_metadata[name] = {
                "uri": uri,
                "class_name": _artifact_class_name(artifact, name),
            }

        curves = [
            _data_dict(c, f"curve {i} ({type(c).__name__})") for i, c in enumerate(self._curves)
        ]
        tables = {}
        for name, table in self._tables.items():
            if not isinstance(name, str):
                raise _invalid(f"Table names must be str, got {type(name).__name__}: {name!r}.")
            tables[name] = _data_dict(table, f"table {name!r}")
        explanation = (
            None if self._explanation is None else _data_dict(self._explanation, "the explanation")
        )
        # The explanation is written once: when a built-in artifact is the explanation's
        # to_dict() (shap_beeswarm_plot), its file under artifacts/ is the explanation file.
        explanation_file = None
        for name, spec in builtin_specs.items():
            if spec.get("source") == "explanation" and spec.get("view") == "full":
                explanation_file = f"{mf.ARTIFACTS_DIR}/{_artifact_file_name(spec['uri'])}"
                break
        rows_files: dict[str, bytes] = {}
        rows_spec = None
        if self._rows is not None:
            rows_spec = self._rows.describe()
            rows_files = {f"{ROWS_DIR}/{name}": data
                          for name, data in self._rows.to_files().items()}
            rows_spec["files"] = sorted(rows_files)
        return {
            "_rows_files": rows_files,
            "_rows_spec": rows_spec,
            # MLflow writes metrics with json.dump (NaN as the NaN token); so do we.
            mf.METRICS_NAME: encode(dict(self._metrics), "metrics"),
            mf.ARTIFACTS_METADATA_NAME: encode(artifacts_metadata, "artifacts_metadata"),
            mf.CURVES_NAME: encode(curves, "curves"),
            mf.TABLES_NAME: encode(tables, "tables"),
            mf.EXPLANATION_NAME: (
                None if explanation is None or explanation_file is not None
                else encode(explanation, "explanation")
            ),
            "_explanation_file": None if explanation is None else (
                explanation_file or mf.EXPLANATION_NAME),
            "_builtin_specs": builtin_specs,
            "_artifact_files": {files_by_name[f]: f for f in files_by_name},  # name -> file
            "_sections": {
                key: _to_jsonable_checked(getattr(self, f"_{key}"), key, encode)
                for key in ("model", "dataset", "config", "skipped", "warnings", "timings")
            },
        }

    def _write(self, staging: pathlib.Path, payload: dict[str, Any]) -> None:
        files: dict[str, dict[str, Any]] = {}
        artifacts_dir = staging / mf.ARTIFACTS_DIR
        artifacts_dir.mkdir()
        for name, file_name in payload["_artifact_files"].items():
            artifact = self._artifacts[name]
            out = artifacts_dir / file_name
            try:
                if not _is_builtin(artifact) and getattr(artifact, "_content", None) is None:
                    artifact.content  # noqa: B018 - loads the content from the uri
                artifact._save(str(out))
            except Exception as err:
                why = (
                    err.message
                    if isinstance(err, WorkbenchException)
                    else f"{type(err).__name__}: {err}"
                )
                raise WorkbenchException(
                    f"Cannot save artifact {name!r} ({type(artifact).__name__}, uri "
                    f"{artifact.uri!r}): {why}",
                    error_code=getattr(err, "error_code", INVALID_PARAMETER_VALUE),
                ) from err
            if not out.is_file():
                raise _invalid(f"Cannot save artifact {name!r}: its _save() wrote no file.")
            files[f"{mf.ARTIFACTS_DIR}/{file_name}"] = mf.file_record(out.read_bytes())
        for file_name in (mf.METRICS_NAME, mf.ARTIFACTS_METADATA_NAME, mf.CURVES_NAME,
                          mf.TABLES_NAME, mf.EXPLANATION_NAME):
            data = payload[file_name]
            if data is None:
                continue
            (staging / file_name).write_bytes(data)
            files[file_name] = mf.file_record(data)
        if payload["_rows_files"]:
            (staging / ROWS_DIR).mkdir()
            for relpath, data in payload["_rows_files"].items():
                (staging / relpath).write_bytes(data)
                files[relpath] = mf.file_record(data)
        sections = payload["_sections"]
        manifest = mf.build_manifest(
            run_id=self._run_id,
            has_explanation=payload["_explanation_file"] is not None,
            files=files,
            **sections,
        )
        if payload["_explanation_file"] is not None:
            manifest["data"]["explanation"] = payload["_explanation_file"]
        if payload["_builtin_specs"]:
            manifest["data"]["builtin_artifacts"] = payload["_builtin_specs"]
        if payload["_rows_spec"] is not None:
            manifest["data"]["rows"] = payload["_rows_spec"]
        if self._metric_directions:
            manifest["data"]["metric_directions"] = dict(self._metric_directions)
        (staging / mf.MANIFEST_NAME).write_bytes(
            dumps_json(manifest, indent=2).encode("utf-8")
        )

    # ------------------------------------------------------------------ load

    @classmethod
    def load(cls, path: str | os.PathLike) -> EvaluationResult:
        """Load a result saved by :meth:`save`, or by MLflow's ``EvaluationResult.save``.

        Parameters
        ----------
        path : str or os.PathLike
            The result directory.

        Returns
        -------
        EvaluationResult
            With everything :meth:`save` wrote; from an MLflow directory, the metrics and
            artifacts (MLflow saves nothing else; ``run_id`` is None, as in MLflow).

        Raises
        ------
        WorkbenchException
            ``RESOURCE_DOES_NOT_EXIST`` when ``path`` is not a result directory;
            ``INVALID_PARAMETER_VALUE`` for a hostile path (``..``, absolute, a symlink
            out of the directory) anywhere in it, an unknown artifact class, malformed
            JSON, or a manifest written by a newer workbench; ``DATA_LOSS`` when a file
            differs from the size and sha256 recorded when it was saved.
        """
        root = pathlib.Path(os.fspath(path))
        if not root.is_dir():
            raise WorkbenchException(
                f"Cannot load an evaluation result from {os.fspath(path)!r}: "
                f"{'it is not a directory' if root.exists() else 'no such directory'}. "
                "Pass the directory that EvaluationResult.save() wrote.",
                error_code=RESOURCE_DOES_NOT_EXIST,
            )
        manifest: dict[str, Any] | None = None
        if _exists(root, mf.MANIFEST_NAME):
            raw = _read(root, mf.MANIFEST_NAME, None)
            manifest = mf.parse_manifest(raw, os.path.join(os.fspath(path), mf.MANIFEST_NAME))
        for required in (mf.METRICS_NAME, mf.ARTIFACTS_METADATA_NAME):
            if not _exists(root, required):
                raise WorkbenchException(
                    f"Cannot load an evaluation result from {os.fspath(path)!r}: it has no "
                    f"{required}. Pass a directory written by EvaluationResult.save() "
                    "(workbench's or MLflow's).",
                    error_code=RESOURCE_DOES_NOT_EXIST,
                )
        metrics = _read_json(root, mf.METRICS_NAME, manifest, dict)
        metadata = _read_json(root, mf.ARTIFACTS_METADATA_NAME, manifest, dict)

        # Check every entry before opening any artifact: a hostile entry anywhere refuses
        # the whole directory with nothing read through the others.
        plan = []
        for name, entry in metadata.items():
            try:
                check_relative_path(name, root)
            except WorkbenchException as err:
                raise _invalid(
                    f"Refusing artifact name in {mf.ARTIFACTS_METADATA_NAME}: {err.message}"
                ) from None
            if not (isinstance(entry, dict) and isinstance(entry.get("uri"), str)
                    and isinstance(entry.get("class_name"), str)):
                raise _invalid(
                    f"Cannot load artifact {name!r}: {mf.ARTIFACTS_METADATA_NAME} should map it "
                    f"to {{\"uri\": str, \"class_name\": str}}, got {entry!r:.200}."
                )
            file_name = _artifact_file_name(entry["uri"])
            try:
                if file_name in ("", ".", ".."):
                    raise _invalid(f"Refusing path {file_name!r}: it names no file")
                file_path = safe_join(root, mf.ARTIFACTS_DIR, file_name)
            except WorkbenchException as err:
                raise _invalid(
                    f"Refusing artifact {name!r} with uri {entry['uri']!r}: {err.message}"
                ) from None
            if not file_path.is_file():
                raise WorkbenchException(
                    f"Cannot load artifact {name!r}: {mf.ARTIFACTS_DIR}/{file_name} is missing "
                    "or not a regular file.",
                    error_code=RESOURCE_DOES_NOT_EXIST,
                )
            artifact_cls = _artifact_class(entry["class_name"], name)
            plan.append((name, entry, file_name, file_path, artifact_cls))

        builtin_specs: dict[str, Any] = {}
        if manifest is not None:
            builtin_specs = manifest.get("data", {}).get("builtin_artifacts") or {}
            if not isinstance(builtin_specs, dict):
                raise _invalid(
                    "Cannot load the evaluation result: data.builtin_artifacts in "
                    f"{mf.MANIFEST_NAME} should be a JSON object, got {builtin_specs!r:.80}."
                )
        artifacts: dict[str, Any] = {}
        for name, entry, file_name, file_path, artifact_cls in plan:
            if manifest is not None:
                mf.verify_file(f"{mf.ARTIFACTS_DIR}/{file_name}", file_path.read_bytes(), manifest)
            if name in builtin_specs:
                artifacts[name] = None  # a view of the data, rebuilt once the data is read
                continue
            artifact = artifact_cls(uri=entry["uri"])
            try:
                artifact._load(str(file_path))
            except WorkbenchException:
                raise
            except Exception as err:
                raise _invalid(
                    f"Cannot load artifact {name!r} from {mf.ARTIFACTS_DIR}/{file_name} as "
                    f"{artifact_cls.__name__}: {type(err).__name__}: {err}"
                ) from err
            artifacts[name] = artifact

        if manifest is None:  # written by MLflow: metrics and artifacts only
            return cls(metrics, artifacts)

        data = manifest.get("data", {})
        curves_path = data.get("curves") or mf.CURVES_NAME
        tables_path = data.get("tables") or mf.TABLES_NAME
        curves_raw = _read_json(root, curves_path, manifest, list, optional=True)
        tables_raw = _read_json(root, tables_path, manifest, dict, optional=True)
        explanation_raw = None
        if data.get("explanation"):
            explanation_raw = _read_json(root, data["explanation"], manifest, dict)
        curves = [
            _decode(_decode_curve, d, f"curve {i} of {mf.CURVES_NAME}")
            for i, d in enumerate(curves_raw or [])
        ]
        tables = {
            name: _decode(_decode_table, d, f"table {name!r} of {mf.TABLES_NAME}")
            for name, d in (tables_raw or {}).items()
        }
        explanation = (
            None
            if explanation_raw is None
            else _decode(_decode_explanation, explanation_raw, mf.EXPLANATION_NAME)
        )
        rows = _load_rows(root, data.get("rows"), manifest)
        for name, spec in builtin_specs.items():
            if name not in artifacts:
                raise _invalid(
                    f"Cannot load the evaluation result: built-in artifact {name!r} is described "
                    f"in {mf.MANIFEST_NAME} but not listed in {mf.ARTIFACTS_METADATA_NAME}."
                )
            artifacts[name] = _builtin_view(name, spec, metadata[name], curves, tables,
                                            explanation)
        return cls(
            metrics,
            artifacts,
            manifest["run"].get("run_id") if "run" in manifest else None,
            curves=curves,
            tables=tables,
            explanation=explanation,
            dataset=manifest.get("dataset"),
            model=manifest.get("model"),
            config=manifest.get("config"),
            skipped=manifest.get("skipped"),
            warnings=manifest.get("warnings"),
            timings=manifest.get("timings"),
            rows=rows,
            metric_directions=_directions(data.get("metric_directions")),
        )

