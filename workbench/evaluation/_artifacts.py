"""Evaluation artifacts and ``custom_artifacts``: the twin of ``mlflow.models.evaluation.artifacts``.

An artifact holds a ``uri`` (its file name, or the URI MLflow logged it under) and its
``content``; ``_save(path)`` writes the content (atomically) in the format MLflow writes, and
``_load(path)`` reads it back, so that a result saved here loads in MLflow and the other way round:

=========================  =====================  ========================================
class                      files                  content
=========================  =====================  ========================================
ImageEvaluationArtifact    .png .jpg .jpeg        ``PIL.Image.Image`` (raw bytes without Pillow)
JsonEvaluationArtifact     .json                  the parsed JSON (dict, list, ...)
CsvEvaluationArtifact      .csv                   ``pandas.DataFrame`` (written without index)
ParquetEvaluationArtifact  .parquet               ``pandas.DataFrame`` (brotli, as MLflow)
NumpyEvaluationArtifact    .npy                   ``numpy.ndarray`` (never pickled)
TextEvaluationArtifact     .txt                   ``str``
=========================  =====================  ========================================

MLflow also has ``PickleEvaluationArtifact``, for any other object a custom artifact function
returns; nothing of ours is pickled, so such objects are refused with the list of accepted types,
and ``artifact_class_from_name`` refuses the pickle class when loading.

Matplotlib and plotly are imported only when an artifact is such a figure.

Departures from MLflow 3.17.2's ``custom_artifacts`` handling (each deliberate):

- objects MLflow would pickle (anything that is not a path, JSON string, DataFrame, array,
  figure or JSON-serialisable value) are refused with the list of accepted types;
- a plotly figure becomes a PNG (kaleido) or, without kaleido/Chrome, its JSON with a warning
  (MLflow pickles it);
- ``builtin_metrics`` is handed to the functions as ``{key: float}``, as MLflow documents
  (3.17.2 actually passes ``{key: MetricValue}``);
- figures are saved with the caller's matplotlib settings (MLflow wraps the evaluation in an
  ``rc_context`` of dpi 175, 6x4 inches, font size 8);
- artifact names must be plain file names (checked with ``workbench._io.check_relative_path``,
  no ``/``); a name produced twice is an error even with different extensions (MLflow keeps
  the last silently); file extensions are matched case-insensitively; a relative path is looked
  up in ``artifacts_dir`` first (through the checked join), then in the working directory;
- a DataFrame's ``content`` is the frame as returned (MLflow's is the CSV read back), and an
  image's bytes are written back unchanged rather than re-encoded.
"""

from __future__ import annotations

import base64
import io
import json
import os
import pathlib
import sys
import tempfile
import urllib.parse
import warnings
from abc import ABCMeta, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException
from workbench._io import atomic_writer, check_relative_path, dumps_json, safe_join

__all__ = [
    "ArtifactWarning",
    "CsvEvaluationArtifact",
    "EvaluationArtifact",
    "ImageEvaluationArtifact",
    "JsonEvaluationArtifact",
    "NumpyEvaluationArtifact",
    "ParquetEvaluationArtifact",
    "TextEvaluationArtifact",
    "BUILTIN_ARTIFACT_NAMES",
    "BuiltinCsvEvaluationArtifact",
    "BuiltinJsonEvaluationArtifact",
    "artifact_class_from_name",
    "artifact_class_name",
    "builtin_artifact",
    "builtin_artifacts",
    "compute_custom_artifacts",
    "is_builtin_artifact",
]

_MLFLOW_MODULE = "mlflow.models.evaluation.artifacts"


class ArtifactWarning(UserWarning):
    """A custom artifact was skipped or stored in a fallback format."""


class EvaluationArtifact(metaclass=ABCMeta):
    """A model evaluation artifact: a URI and its content, as ``mlflow.models.EvaluationArtifact``.

    Parameters
    ----------
    uri : str
        Where the artifact lives: a file name (``"roc.json"``), a path, or the URI MLflow logged
        it under. Its last path component is the artifact's file name in a saved result.
    content : object, optional
        The content; when omitted it is read from ``uri`` (a local path or ``file://`` URI) the
        first time :attr:`content` is used.

    Examples
    --------
    >>> import os, tempfile
    >>> art = JsonEvaluationArtifact(uri="summary.json", content={"n": 3})
    >>> path = os.path.join(tempfile.mkdtemp(), "summary.json")
    >>> art._save(path)
    >>> JsonEvaluationArtifact(uri=path).content
    {'n': 3}
    """

    def __init__(self, uri: str, content: Any = None) -> None:
        self._uri = uri
        self._content = content

    @abstractmethod
    def _load_content_from_file(self, local_artifact_path: str) -> Any:
        """Read the content from a local file and return it."""

    @abstractmethod
    def _save(self, output_artifact_path: str | os.PathLike) -> None:
        """Write the content to ``output_artifact_path`` (atomically)."""

    def _load(self, local_artifact_path: str | os.PathLike | None = None) -> Any:
        """Load the content from ``local_artifact_path`` (or from :attr:`uri` when it is a
        local path or ``file://`` URI), keep it and return it."""
        if local_artifact_path is None:
            local_artifact_path = _local_path_of(self._uri)
        self._content = self._load_content_from_file(os.fspath(local_artifact_path))
        return self._content

    @property
    def content(self) -> Any:
        """The content of the artifact (its type depends on the class)."""
        if self._content is None:
            self._load()
        return self._content

    @property
    def uri(self) -> str:
        """The URI (or file name) of the artifact."""
        return self._uri

    @property
    def file_name(self) -> str:
        """The artifact's file name in a saved result: the last component of the URI's path."""
        return pathlib.PurePosixPath(urllib.parse.urlparse(str(self._uri)).path).name

    def __repr__(self) -> str:
        return f"{type(self).__name__}(uri='{self.uri}')"


def _local_path_of(uri: str) -> str:
    parsed = urllib.parse.urlparse(str(uri))
    if parsed.scheme == "file":
        path = urllib.parse.unquote(parsed.path)
    elif parsed.scheme in ("",) or (len(parsed.scheme) == 1 and os.name == "nt"):
        path = str(uri)
    else:
        raise WorkbenchException(
            f"Cannot read artifact content from {uri!r}: only local paths and file:// URIs are "
            "read. Download the file and call artifact._load(local_path).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if not os.path.isfile(path):
        raise WorkbenchException(
            f"Cannot read artifact content: {path!r} is not a file. Pass the local file to "
            "artifact._load(local_path).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return path


class ImageEvaluationArtifact(EvaluationArtifact):
    """An image (PNG or JPEG). ``content`` is a ``PIL.Image.Image`` when Pillow is installed
    (it comes with matplotlib), else the file's bytes; the file's bytes are kept and written
    back unchanged, so saving never re-encodes an image."""

    def __init__(self, uri: str, content: Any = None, *, data: bytes | None = None) -> None:
        super().__init__(uri, content)
        self._bytes = data
        if content is None and data is not None:
            self._content = _image_from_bytes(data)

    @property
    def data(self) -> bytes:
        """The encoded image (PNG or JPEG bytes)."""
        if self._bytes is None:
            content = self.content
            if isinstance(content, (bytes, bytearray)):
                self._bytes = bytes(content)
            else:
                buf = io.BytesIO()
                _write_image(content, buf, self.file_name or "image.png")
                self._bytes = buf.getvalue()
        return self._bytes

    def _repr_png_(self) -> bytes | None:  # notebook display
        data = self.data
        return data if data.startswith(b"\x89PNG") else None

    def _save(self, output_artifact_path: str | os.PathLike) -> None:
        with atomic_writer(output_artifact_path, "wb") as fh:
            if self._bytes is not None:
                fh.write(self._bytes)
            else:
                _write_image(self.content, fh, os.fspath(output_artifact_path))

    def _load_content_from_file(self, local_artifact_path: str) -> Any:
        with open(local_artifact_path, "rb") as fh:
            self._bytes = fh.read()
        return _image_from_bytes(self._bytes)


def _image_from_bytes(data: bytes) -> Any:
    try:
        from PIL import Image
    except ImportError:
        return data
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _write_image(content: Any, fh: Any, name: str) -> None:
    if isinstance(content, (bytes, bytearray)):
        fh.write(content)
        return
    if _is_matplotlib_figure(content):
        content.savefig(fh, format="png")
        return
    fmt = "JPEG" if name.lower().endswith((".jpg", ".jpeg")) else "PNG"
    content.save(fh, format=fmt)  # PIL.Image.Image


class JsonEvaluationArtifact(EvaluationArtifact):
    """A JSON document; ``content`` is the parsed JSON."""

    def _save(self, output_artifact_path: str | os.PathLike) -> None:
        with atomic_writer(output_artifact_path, "w", encoding="utf-8") as fh:
            fh.write(dumps_json(self._content))

    def _load_content_from_file(self, local_artifact_path: str) -> Any:
        with open(local_artifact_path, encoding="utf-8") as fh:
            return json.load(fh)


class CsvEvaluationArtifact(EvaluationArtifact):
    """A table written as CSV without its index; ``content`` is a ``pandas.DataFrame``."""

    def _save(self, output_artifact_path: str | os.PathLike) -> None:
        with atomic_writer(output_artifact_path, "w", encoding="utf-8") as fh:
            self._content.to_csv(fh, index=False)

    def _load_content_from_file(self, local_artifact_path: str) -> Any:
        return pd.read_csv(local_artifact_path)


class ParquetEvaluationArtifact(EvaluationArtifact):
    """A table written as Parquet (brotli, as MLflow); ``content`` is a ``pandas.DataFrame``."""

    def _save(self, output_artifact_path: str | os.PathLike) -> None:
        with atomic_writer(output_artifact_path, "wb") as fh:
            self._content.to_parquet(fh, compression="brotli")

    def _load_content_from_file(self, local_artifact_path: str) -> Any:
        return pd.read_parquet(local_artifact_path)


class NumpyEvaluationArtifact(EvaluationArtifact):
    """An array in ``.npy`` format, written and read with ``allow_pickle=False``."""

    def _save(self, output_artifact_path: str | os.PathLike) -> None:
        _check_array(self._content, getattr(self, "_uri", "array"))
        with atomic_writer(output_artifact_path, "wb") as fh:
            np.save(fh, self._content, allow_pickle=False)

    def _load_content_from_file(self, local_artifact_path: str) -> Any:
        return np.load(local_artifact_path, allow_pickle=False)


class TextEvaluationArtifact(EvaluationArtifact):
    """Plain text; ``content`` is a ``str``."""

    def _save(self, output_artifact_path: str | os.PathLike) -> None:
        with atomic_writer(output_artifact_path, "w", encoding="utf-8") as fh:
            fh.write(self._content)

    def _load_content_from_file(self, local_artifact_path: str) -> Any:
        with open(local_artifact_path, encoding="utf-8") as fh:
            return fh.read()


_CLASSES: tuple[type[EvaluationArtifact], ...] = (
    ImageEvaluationArtifact,
    JsonEvaluationArtifact,
    CsvEvaluationArtifact,
    ParquetEvaluationArtifact,
    NumpyEvaluationArtifact,
    TextEvaluationArtifact,
)
_BY_NAME = {cls.__name__: cls for cls in _CLASSES}

#: file extension -> artifact class, as MLflow infers it from a path (case-insensitive here).
EXTENSION_TO_CLASS: dict[str, type[EvaluationArtifact]] = {
    ".png": ImageEvaluationArtifact,
    ".jpg": ImageEvaluationArtifact,
    ".jpeg": ImageEvaluationArtifact,
    ".json": JsonEvaluationArtifact,
    ".npy": NumpyEvaluationArtifact,
    ".csv": CsvEvaluationArtifact,
    ".parquet": ParquetEvaluationArtifact,
    ".txt": TextEvaluationArtifact,
}


def artifact_class_name(artifact: EvaluationArtifact | type[EvaluationArtifact]) -> str:
    """Return MLflow's ``class_name`` for an artifact (as written in artifacts_metadata.json).

    Examples
    --------
    >>> artifact_class_name(JsonEvaluationArtifact(uri="a.json", content={}))
    'mlflow.models.evaluation.artifacts.JsonEvaluationArtifact'
    """
    cls = artifact if isinstance(artifact, type) else type(artifact)
    for known in _CLASSES:
        if issubclass(cls, known):
            return f"{_MLFLOW_MODULE}.{known.__name__}"
    raise WorkbenchException(
        f"{cls.__name__} is not one of the artifact classes MLflow can load "
        f"({', '.join(sorted(_BY_NAME))}).",
        error_code=INVALID_PARAMETER_VALUE,
    )


def artifact_class_from_name(class_name: str) -> type[EvaluationArtifact]:
    """Return our artifact class for MLflow's ``class_name`` (or ours, or the bare class name).

    Examples
    --------
    >>> artifact_class_from_name("mlflow.models.evaluation.artifacts.CsvEvaluationArtifact")
    <class 'workbench.evaluation._artifacts.CsvEvaluationArtifact'>
    >>> artifact_class_from_name("mlflow.models.evaluation.artifacts.PickleEvaluationArtifact")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Refusing to load a PickleEvaluationArtifact...
    """
    if not isinstance(class_name, str):
        raise WorkbenchException(
            f"Expected an artifact class name as a str, got {type(class_name).__name__}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    module, _, short = class_name.rpartition(".")
    if short == "PickleEvaluationArtifact":
        raise WorkbenchException(
            "Refusing to load a PickleEvaluationArtifact: workbench never unpickles evaluation "
            "artifacts, since a pickle can run any code. Load that artifact's file yourself if you "
            "trust its origin.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    cls = _BY_NAME.get(short)
    known_modules = ("", _MLFLOW_MODULE, __name__, "workbench.models", "workbench.evaluation")
    if cls is None or module not in known_modules:
        raise WorkbenchException(
            f"Unknown evaluation artifact class {class_name!r}. Expected one of MLflow's "
            f"{', '.join(f'{_MLFLOW_MODULE}.{n}' for n in sorted(_BY_NAME))}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return cls


# --------------------------------------------------------------------------- custom artifacts

_ACCEPTED = (
    "Accepted values are: a path to an existing .png/.jpg/.jpeg/.json/.npy/.csv/.parquet/.txt "
    "file (e.g. one written into artifacts_dir); a JSON string; a pandas DataFrame (saved as "
    "CSV); a numpy array of numbers or strings (saved as .npy); a matplotlib Figure (saved as "
    "PNG); a plotly Figure (PNG, or its JSON without kaleido); or any JSON-serialisable object "
    "(dict, list, number). Nothing is pickled."
)


def _is_matplotlib_figure(obj: Any) -> bool:
    if "matplotlib" not in sys.modules:  # a figure cannot exist without matplotlib imported
        return False
    from matplotlib.figure import Figure

    return isinstance(obj, Figure)


def _is_plotly_figure(obj: Any) -> bool:
    module = type(obj).__module__ or ""
    return module.split(".")[0] == "plotly" and hasattr(obj, "to_json") and hasattr(obj, "to_image")


def _check_array(arr: Any, label: str) -> None:
    if isinstance(arr, np.ndarray) and arr.dtype.hasobject:
        raise WorkbenchException(
            f"Artifact {label!r} is a numpy array of dtype object, which .npy can only store by "
            "pickling. Convert it to a numeric or string dtype (e.g. arr.astype(str)) or return "
            "a DataFrame.",
            error_code=INVALID_PARAMETER_VALUE,
        )


def _check_artifact_name(name: Any, header: str) -> str:
    if not isinstance(name, str):
        raise WorkbenchException(
            f"{header} returned an artifact name of type {type(name).__name__}; artifact names "
            "must be str.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    checked = check_relative_path(name)
    if "/" in checked or checked != name:
        raise WorkbenchException(
            f"{header} returned the artifact name {name!r}: an artifact name must be a plain "
            "file name without '/', e.g. 'pred_sample'.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return name


def _locate(raw: str | os.PathLike, artifacts_dir: str) -> pathlib.Path:
    """A relative path is looked up inside ``artifacts_dir`` first (through the checked join, so
    neither ``..`` nor a symlink leaves it), then in the working directory, as MLflow does."""
    path = pathlib.Path(os.fspath(raw))
    if not path.is_absolute():
        try:
            inside = safe_join(artifacts_dir, path.as_posix())
        except WorkbenchException:
            inside = None
        if inside is not None and inside.exists():
            return inside
    return path


def _exists(raw: str, artifacts_dir: str) -> bool:
    # A long JSON string or one with a NUL byte is not a path: os.stat raises for those.
    if not raw:
        return False
    try:
        return _locate(raw, artifacts_dir).exists()
    except (OSError, ValueError):
        return False


def _path_artifact(name: str, path: pathlib.Path, header: str) -> EvaluationArtifact:
    # Anywhere outside artifacts_dir the path must be an existing regular file (MLflow's rule;
    # the function that returned it is the caller's own code).
    if not path.exists():
        raise WorkbenchException(
            f"{header} produced an artifact '{name}' with path '{path}' that does not exist.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if not path.is_file():
        raise WorkbenchException(
            f"{header} produced an artifact '{name}' with path '{path}' that is not a file.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    ext = path.suffix.lower()
    cls = EXTENSION_TO_CLASS.get(ext)
    if cls is None:
        raise WorkbenchException(
            f"{header} produced an artifact '{name}' with path '{path}' that does not match any "
            f"of the supported file extensions: {', '.join(EXTENSION_TO_CLASS)}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    artifact = cls(uri=name + ext)
    artifact._load(os.fspath(path))
    return artifact


def _plotly_artifact(name: str, fig: Any, header: str) -> EvaluationArtifact:
    try:
        png = fig.to_image(format="png")
    except Exception as exc:  # kaleido or Chrome missing, or any rendering failure
        warnings.warn(
            f"{header} produced a plotly figure '{name}' that could not be rendered to PNG "
            f"({type(exc).__name__}: {exc}); it is stored as the figure's JSON "
            f"('{name}.json', loadable with plotly.io.from_json) instead. Install kaleido and "
            "Chrome to get a PNG.",
            ArtifactWarning,
            stacklevel=4,
        )
        return JsonEvaluationArtifact(uri=name + ".json", content=json.loads(fig.to_json()))
    return ImageEvaluationArtifact(uri=name + ".png", data=png)


def _resolve_artifact(name: str, raw: Any, header: str, artifacts_dir: str) -> EvaluationArtifact:
    if isinstance(raw, str):
        if _exists(raw, artifacts_dir):
            return _path_artifact(name, _locate(raw, artifacts_dir), header)
        try:
            parsed = json.loads(raw)
        except ValueError:
            shown = raw if len(raw) <= 200 else raw[:200] + "..."
            raise WorkbenchException(
                f"{header} produced an artifact '{name}' with string representation '{shown}' "
                "that is neither a valid path to a file nor a JSON string. Return the path of a "
                "file that exists (e.g. os.path.join(artifacts_dir, 'plot.png')) or valid JSON.",
                error_code=INVALID_PARAMETER_VALUE,
            ) from None
        return JsonEvaluationArtifact(uri=name + ".json", content=parsed)
    if isinstance(raw, os.PathLike):
        return _path_artifact(name, _locate(raw, artifacts_dir), header)
    if isinstance(raw, pd.DataFrame):
        return CsvEvaluationArtifact(uri=name + ".csv", content=raw.copy())
    if isinstance(raw, np.ndarray):
        _check_array(raw, name)
        return NumpyEvaluationArtifact(uri=name + ".npy", content=raw.copy())
    if _is_matplotlib_figure(raw):
        buf = io.BytesIO()
        raw.savefig(buf, format="png")
        return ImageEvaluationArtifact(uri=name + ".png", data=buf.getvalue())
    if _is_plotly_figure(raw):
        return _plotly_artifact(name, raw, header)
    if isinstance(raw, (bytes, bytearray)):
        # MLflow's JSON encoder writes bytes as a base64 string; so do we.
        return JsonEvaluationArtifact(uri=name + ".json", content=base64.encodebytes(raw).decode("ascii"))
    try:
        text = dumps_json(raw)
    except (TypeError, ValueError):
        raise WorkbenchException(
            f"{header} produced an artifact '{name}' of type {type(raw).__module__}."
            f"{type(raw).__qualname__}, which workbench cannot store (MLflow would pickle it). "
            + _ACCEPTED,
            error_code=INVALID_PARAMETER_VALUE,
        ) from None
    return JsonEvaluationArtifact(uri=name + ".json", content=json.loads(text))


def compute_custom_artifacts(
    custom_artifacts: Sequence[Callable[..., Any]] | None,
    *,
    eval_df: pd.DataFrame,
    builtin_metrics: Mapping[str, Any] | None = None,
    artifacts_dir: str | os.PathLike | None = None,
) -> dict[str, EvaluationArtifact]:
    """Call each custom artifact function and turn what it returns into artifacts.

    Each function is called as ``fn(eval_df, builtin_metrics, artifacts_dir)`` and returns
    ``{artifact name: value}``; each value becomes an artifact as MLflow infers it: a path to an
    existing file (type by extension: .png .jpg .jpeg .json .npy .csv .parquet .txt; a relative
    path is looked up in ``artifacts_dir`` first, then the working directory), a JSON string,
    a DataFrame (CSV), a numpy array (.npy), a matplotlib Figure (PNG), a plotly Figure (PNG when
    kaleido can render it, else its JSON, with a warning), or any JSON-serialisable object (JSON).
    Other objects are refused (MLflow pickles them). Artifact contents are read into memory, so
    the directories may be deleted afterwards; each artifact's ``uri`` is ``name + extension``.

    Parameters
    ----------
    custom_artifacts : list of callable
        ``fn(eval_df, builtin_metrics, artifacts_dir) -> dict[str, object]``.
    eval_df : pandas.DataFrame
        Columns ``prediction`` and ``target``; each function gets its own copy of just those.
    builtin_metrics : dict
        The evaluation's metrics, ``{key: float}`` (each function gets its own copy).
    artifacts_dir : path, optional
        A directory handed to every function for its files. By default each function gets a
        fresh temporary directory, deleted once its artifacts are read (as MLflow does).

    Returns
    -------
    dict of str to EvaluationArtifact

    Raises
    ------
    WorkbenchException
        When a function raises (naming it and its index), an artifact name is not a plain file
        name or is produced twice, a path does not exist or has an unknown extension, a string
        is neither a path nor JSON, or a value is of a type that cannot be stored without pickle.

    Warns
    -----
    ArtifactWarning
        When a function returns None or not a dict with str keys (it is skipped, as in MLflow).

    Examples
    --------
    The seed's example, with ``mlflow`` replaced by ``workbench`` (and ``eval_df.head(10)``):

    >>> import os
    >>> import pandas as pd
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> def scatter_plot(eval_df, builtin_metrics, artifacts_dir):
    ...     plt.scatter(eval_df["prediction"], eval_df["target"])
    ...     plt.xlabel("Targets")
    ...     plt.ylabel("Predictions")
    ...     plt.title("Targets vs. Predictions")
    ...     plt.savefig(os.path.join(artifacts_dir, "example.png"))
    ...     plt.close()
    ...     return {"pred_target_scatter": os.path.join(artifacts_dir, "example.png")}
    >>> def pred_sample(eval_df, _builtin_metrics, _artifacts_dir):
    ...     return {"pred_sample": eval_df.head(10)}
    >>> df = pd.DataFrame({"prediction": [1.0, 2.0, 3.0], "target": [1.0, 2.5, 2.0]})
    >>> arts = compute_custom_artifacts([scatter_plot, pred_sample], eval_df=df,
    ...                                 builtin_metrics={"max_error": 1.0})
    >>> for name, artifact in arts.items():
    ...     print(name, type(artifact).__name__, artifact.uri)
    pred_target_scatter ImageEvaluationArtifact pred_target_scatter.png
    pred_sample CsvEvaluationArtifact pred_sample.csv
    """
    if not custom_artifacts:
        return {}
    if callable(custom_artifacts) or not isinstance(custom_artifacts, (list, tuple)):
        raise WorkbenchException(
            "`custom_artifacts` must be a list of functions "
            "fn(eval_df, builtin_metrics, artifacts_dir) -> dict, got "
            f"{type(custom_artifacts).__name__}. Wrap a single function in a list.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    cols = [c for c in ("prediction", "target") if c in eval_df.columns]
    core = eval_df[cols]
    metrics = dict(builtin_metrics or {})
    results: dict[str, EvaluationArtifact] = {}
    producers: dict[str, str] = {}
    for index, fn in enumerate(custom_artifacts):
        fn_name = getattr(fn, "__name__", repr(fn))
        header = f"Custom artifact function '{fn_name}' at index {index} in the `custom_artifacts` parameter"
        if not callable(fn):
            raise WorkbenchException(
                f"{header} is a {type(fn).__name__}, not a function "
                "fn(eval_df, builtin_metrics, artifacts_dir).",
                error_code=INVALID_PARAMETER_VALUE,
            )
        with _artifacts_dir(artifacts_dir) as fn_dir:
            try:
                returned = fn(core.copy(), dict(metrics), fn_dir)
            except Exception as exc:
                raise WorkbenchException(
                    f"{header} raised {type(exc).__name__}: {exc}. Fix the function (the error "
                    "is chained below) or remove it from custom_artifacts.",
                    error_code=INVALID_PARAMETER_VALUE,
                ) from exc
            if returned is None:
                warnings.warn(f"{header} returned None.", ArtifactWarning, stacklevel=2)
                continue
            if not isinstance(returned, Mapping) or not all(isinstance(k, str) for k in returned):
                warnings.warn(
                    f"{header} did not return artifacts as a dictionary of string artifact names "
                    f"with their corresponding objects (got {type(returned).__name__}); skipped.",
                    ArtifactWarning,
                    stacklevel=2,
                )
                continue
            for name, raw in returned.items():
                name = _check_artifact_name(name, header)
                if name in results:
                    raise WorkbenchException(
                        f"{header} produced an artifact '{name}' that cannot be logged because "
                        f"there already exists an artifact with the same name (from "
                        f"{producers[name]}). Give each artifact a unique name.",
                        error_code=INVALID_PARAMETER_VALUE,
                    )
                results[name] = _resolve_artifact(name, raw, header, fn_dir)
                producers[name] = f"'{fn_name}' at index {index}"
    return results


class _artifacts_dir:
    """The caller's directory, or a fresh temporary one removed afterwards."""

    def __init__(self, given: str | os.PathLike | None) -> None:
        self._given = given
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> str:
        if self._given is not None:
            os.makedirs(self._given, exist_ok=True)
            return os.fspath(self._given)
        self._tmp = tempfile.TemporaryDirectory(prefix="workbench-artifacts-")
        return self._tmp.name

    def __exit__(self, *exc: Any) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


# --------------------------------------------------------------------------- built-in artifacts
#
# MLflow's default evaluator logs PNG figures (and one CSV) under fixed names. workbench
# exposes the same names in ``EvaluationResult.artifacts``, holding the *data* the figures
# are drawn from (the notebook layer draws them with plotly). A built-in artifact is a view
# of a curve, table or explanation the result already holds: its content is computed from
# that object on each access, so nothing is stored twice in memory.

#: Names MLflow 3.17.2's classifier evaluator logs (besides SHAP's), in its order.
ROC_CURVE_PLOT = "roc_curve_plot"
PRECISION_RECALL_CURVE_PLOT = "precision_recall_curve_plot"
LIFT_CURVE_PLOT = "lift_curve_plot"
CALIBRATION_CURVE_PLOT = "calibration_curve_plot"
CONFUSION_MATRIX = "confusion_matrix"
PER_CLASS_METRICS = "per_class_metrics"
SHAP_BEESWARM_PLOT = "shap_beeswarm_plot"
SHAP_SUMMARY_PLOT = "shap_summary_plot"
SHAP_FEATURE_IMPORTANCE_PLOT = "shap_feature_importance_plot"
SHAP_ARTIFACT_NAMES = (SHAP_BEESWARM_PLOT, SHAP_SUMMARY_PLOT, SHAP_FEATURE_IMPORTANCE_PLOT)
BUILTIN_ARTIFACT_NAMES = (
    ROC_CURVE_PLOT, PRECISION_RECALL_CURVE_PLOT, LIFT_CURVE_PLOT, CALIBRATION_CURVE_PLOT,
    CONFUSION_MATRIX, PER_CLASS_METRICS, *SHAP_ARTIFACT_NAMES,
)

# name -> (where the data comes from, what of it, the artifact's format)
_CURVE_KINDS = {
    ROC_CURVE_PLOT: "roc",
    PRECISION_RECALL_CURVE_PLOT: "precision_recall",
    LIFT_CURVE_PLOT: "lift",
    CALIBRATION_CURVE_PLOT: "calibration",
}


class _BuiltinMixin:
    """A built-in artifact: a view whose content is computed from a result's data object.

    ``spec`` says what it is a view of (a JSON-able dict written in the result's manifest,
    so that ``EvaluationResult.load`` rebuilds the same view from the loaded data).
    """

    _source: Callable[[], Any]
    spec: dict[str, Any]

    @property
    def content(self) -> Any:
        return self._source()

    def _load(self, local_artifact_path: str | os.PathLike | None = None) -> Any:
        raise WorkbenchException(
            f"{type(self).__name__} {self.uri!r} is a view of the result's data and is not "
            "loaded from a file.",
            error_code=INVALID_PARAMETER_VALUE,
        )


class BuiltinJsonEvaluationArtifact(_BuiltinMixin, JsonEvaluationArtifact):
    """A built-in artifact stored as JSON (MLflow loads it as a ``JsonEvaluationArtifact``)."""

    def __init__(self, uri: str, source: Callable[[], Any], spec: dict[str, Any]) -> None:
        JsonEvaluationArtifact.__init__(self, uri)
        self._source = source
        self.spec = spec

    def _save(self, output_artifact_path: str | os.PathLike) -> None:
        with atomic_writer(output_artifact_path, "w", encoding="utf-8") as fh:
            fh.write(dumps_json(self._source()))


class BuiltinCsvEvaluationArtifact(_BuiltinMixin, CsvEvaluationArtifact):
    """A built-in table stored as CSV (MLflow loads it as a ``CsvEvaluationArtifact``)."""

    def __init__(self, uri: str, source: Callable[[], Any], spec: dict[str, Any]) -> None:
        CsvEvaluationArtifact.__init__(self, uri)
        self._source = source
        self.spec = spec

    def _save(self, output_artifact_path: str | os.PathLike) -> None:
        with atomic_writer(output_artifact_path, "w", encoding="utf-8") as fh:
            self._source().to_csv(fh, index=False)


def is_builtin_artifact(artifact: Any) -> bool:
    """True for a built-in artifact (a view of a result's data)."""
    return isinstance(artifact, _BuiltinMixin)


def _curves_source(curves: list[Any]) -> Callable[[], Any]:
    return lambda: [c.to_dict() for c in curves]


def builtin_artifact(
    name: str, spec: Mapping[str, Any], *, curves: Sequence[Any], tables: Mapping[str, Any],
    explanation: Any,
) -> EvaluationArtifact | None:
    """The built-in artifact ``name`` described by ``spec``, as a view of the given data;
    None when the data it needs is absent.

    ``spec`` is ``{"uri": file name, "source": "curves" | "table" | "explanation", ...}``:
    ``{"source": "curves", "kind": k}`` is every curve of kind ``k`` (a JSON list of their
    ``to_dict()``); ``{"source": "table", "table": t, "format": "json" | "csv"}`` is the table
    ``t`` (its ``to_dict()``, or as a CSV frame); ``{"source": "explanation", "view": v}`` is
    the explanation's ``to_dict()`` (``"full"``), its per-class mean |SHAP| table
    (``"summary"``) or its overall mean |SHAP| table (``"importance"``).
    """
    spec = dict(spec)
    uri = spec.get("uri")
    if not isinstance(uri, str) or not uri:
        raise WorkbenchException(
            f"Built-in artifact {name!r} has no uri in its description {spec!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    source = spec.get("source")
    if source == "curves":
        kind = spec.get("kind")
        chosen = [c for c in curves if getattr(c, "kind", None) == kind]
        if not chosen:
            return None
        return BuiltinJsonEvaluationArtifact(uri, _curves_source(chosen), spec)
    if source == "table":
        table = tables.get(spec.get("table"))
        if table is None:
            return None
        if spec.get("format") == "csv":
            return BuiltinCsvEvaluationArtifact(uri, table.to_frame, spec)
        return BuiltinJsonEvaluationArtifact(uri, table.to_dict, spec)
    if source == "explanation":
        if explanation is None:
            return None
        view = spec.get("view")
        if view == "full":
            return BuiltinJsonEvaluationArtifact(uri, explanation.to_dict, spec)
        if view in ("summary", "importance"):
            per_class = view == "summary"

            def frame(explanation: Any = explanation, per_class: bool = per_class) -> pd.DataFrame:
                table = explanation.importance().reset_index()
                if not per_class:
                    table = table[["feature", "mean_abs_shap"]]
                return table.reset_index(drop=True)

            return BuiltinCsvEvaluationArtifact(uri, frame, spec)
    raise WorkbenchException(
        f"Unknown description of built-in artifact {name!r}: {spec!r}.",
        error_code=INVALID_PARAMETER_VALUE,
    )


def builtin_artifacts(
    *,
    model_type: str | None,
    n_labels: int | None,
    curves: Sequence[Any],
    tables: Mapping[str, Any],
    explanation: Any,
    metric_prefix: str = "",
) -> dict[str, EvaluationArtifact]:
    """The artifacts MLflow 3.17.2's default evaluator logs, under its names, as data views.

    Which names exist (MLflow's rules, on what was computed):

    * binary classifier: ``roc_curve_plot``, ``precision_recall_curve_plot``,
      ``lift_curve_plot``, ``calibration_curve_plot`` when the curve was computed (it needs
      probabilities; ``result.skipped`` says why one is missing), and ``confusion_matrix``;
    * multiclass classifier: ``calibration_curve_plot``, ``roc_curve_plot`` and
      ``precision_recall_curve_plot`` when computed (probabilities and at most
      ``max_classes_for_multiclass_roc_pr`` classes), ``per_class_metrics`` and
      ``confusion_matrix``;
    * regressor: none;
    * classifier or regressor with an explanation: ``shap_beeswarm_plot``,
      ``shap_summary_plot``, ``shap_feature_importance_plot``.

    The dict keys are never prefixed; ``metric_prefix`` is prepended to the file names
    (``uri``) of the figure names, as MLflow does (``{prefix}roc_curve_plot.png``), and not
    to ``per_class_metrics.csv`` (MLflow writes it unprefixed). The extension is the data's
    (``.json`` or ``.csv``) instead of MLflow's ``.png``.
    """
    specs: dict[str, dict[str, Any]] = {}
    if model_type == "classifier":
        binary = n_labels == 2
        names = ((ROC_CURVE_PLOT, PRECISION_RECALL_CURVE_PLOT, LIFT_CURVE_PLOT,
                  CALIBRATION_CURVE_PLOT) if binary
                 else (CALIBRATION_CURVE_PLOT, ROC_CURVE_PLOT, PRECISION_RECALL_CURVE_PLOT))
        for name in names:
            specs[name] = {"uri": f"{metric_prefix}{name}.json", "source": "curves",
                           "kind": _CURVE_KINDS[name]}
        if not binary:
            specs[PER_CLASS_METRICS] = {"uri": f"{PER_CLASS_METRICS}.csv", "source": "table",
                                        "table": "per_class_metrics", "format": "csv"}
        specs[CONFUSION_MATRIX] = {"uri": f"{metric_prefix}{CONFUSION_MATRIX}.json",
                                   "source": "table", "table": "confusion_matrix",
                                   "format": "json"}
    if model_type in ("classifier", "regressor"):
        for name, view, ext in ((SHAP_BEESWARM_PLOT, "full", "json"),
                                (SHAP_SUMMARY_PLOT, "summary", "csv"),
                                (SHAP_FEATURE_IMPORTANCE_PLOT, "importance", "csv")):
            specs[name] = {"uri": f"{metric_prefix}{name}.{ext}", "source": "explanation",
                           "view": view}
    out: dict[str, EvaluationArtifact] = {}
    for name, spec in specs.items():
        artifact = builtin_artifact(name, spec, curves=curves, tables=tables,
                                    explanation=explanation)
        if artifact is not None:
            out[name] = artifact
    return out
