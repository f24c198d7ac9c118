"""Custom Python models: :class:`PythonModel`, :class:`PythonModelContext` and their files.

A :class:`PythonModel` subclass (or a plain function of one argument) is saved as MLflow
3.17.2 saves it: the object is cloudpickled to ``python_model.pkl``, each entry of
``artifacts`` is copied into ``artifacts/``, and the ``python_function`` flavor records

.. code-block:: yaml

    python_function:
      loader_module: mlflow.pyfunc.model     # so that MLflow loads the directory too
      python_model: python_model.pkl
      cloudpickle_version: 3.1.3
      artifacts: {name: {path: artifacts/<file>, uri: <what was given>}}
      config: {...}                          # the model_config, when given
      code: null
      streamable: false
      env: {conda: conda.yaml, virtualenv: python_env.yaml}
      python_version: 3.11.7

Loading a pickle runs code, so :func:`_load_pyfunc` unpickles ``python_model.pkl`` only
when :func:`workbench.models._trust.check_can_unpickle` allows it: a file this machine
wrote, a file under ``$WORKBENCH_TRUSTED_LOCATIONS``, or ``trusted=True`` from the caller.
(MLflow 3.17.2 refuses every such pickle unless ``MLFLOW_ALLOW_PICKLE_DESERIALIZATION`` is
set, its own included.) Models-from-code (:mod:`workbench.models._code_model`) avoid the
pickle altogether.

Type hints
----------
MLflow 3 reads the type hint of ``predict``'s input. workbench supports the one that
matters for text models, ``list[str]`` (or ``typing.List[str]``): the signature is made
from the hints (``is_signature_from_type_hint: true``), a DataFrame input is turned into the
list of its first string column, and anything but a list of str is refused with a clear
error. Other hints are ignored (the signature then comes from ``signature`` or the input
example). Unlike MLflow, ``predict`` itself is not wrapped: calling
``model.predict(context, data)`` directly does no checking.
"""

from __future__ import annotations

import bz2
import gzip
import inspect
import logging
import lzma
import os
import pathlib
import shutil
import typing
import urllib.parse
from typing import Any, NamedTuple

from workbench._exceptions import (
    INVALID_PARAMETER_VALUE,
    NOT_IMPLEMENTED,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import safe_join

_logger = logging.getLogger(__name__)

# Keys of the python_function flavor (MLflow's names).
CONFIG_KEY_ARTIFACTS = "artifacts"
CONFIG_KEY_ARTIFACT_RELATIVE_PATH = "path"
CONFIG_KEY_ARTIFACT_URI = "uri"
CONFIG_KEY_PYTHON_MODEL = "python_model"
CONFIG_KEY_CLOUDPICKLE_VERSION = "cloudpickle_version"
CONFIG_KEY_COMPRESSION = "python_model_compression"
MODEL_CODE_PATH = "model_code_path"
#: The file the model object is pickled to, and the directory artifacts are copied into.
PICKLE_FILE_NAME = "python_model.pkl"
ARTIFACTS_SUBPATH = "artifacts"
#: The loader_module MLflow writes for pickled Python models (loaded by this module here).
LOADER_MODULE = "mlflow.pyfunc.model"

_DECOMPRESSORS = {"gzip": gzip.decompress, "bzip2": bz2.decompress, "lzma": lzma.decompress}


class _TypeHints(NamedTuple):
    """The type hints of ``predict``'s input and output (MLflow's ``predict_type_hints``)."""

    input: Any = None
    output: Any = None


def _is_list_str(hint: Any) -> bool:
    return typing.get_origin(hint) is list and typing.get_args(hint) == (str,)


def _has_context(parameters: typing.Mapping[str, inspect.Parameter]) -> bool:
    # predict(self, context, model_input, params=None), or any name in the context's place
    # (MLflow's rule: two arguments besides self and params).
    return "context" in parameters or len([p for p in parameters if p not in ("self", "params")]) == 2


def _extract_type_hints(func: Any, input_index: int) -> _TypeHints:
    try:
        hints = typing.get_type_hints(func)
        names = [p for p in inspect.signature(func).parameters if p != "self"]
    except Exception:  # noqa: BLE001 - unresolvable annotations: behave as if there were none
        return _TypeHints()
    name = names[input_index] if len(names) > input_index else None
    return _TypeHints(hints.get(name) if name else None, hints.get("return"))


class PythonModel:
    """A generic Python model: subclass it and define ``predict`` (and ``load_context``).

    ``predict(self, context, model_input, params=None)`` receives the
    :class:`PythonModelContext` (artifacts and model configuration), the input and the
    inference params; ``context`` may be left out of the signature when unused. Defining
    ``predict_proba`` with the same arguments (a workbench addition) makes
    :meth:`PyFuncModel.predict_proba <workbench.pyfunc.PyFuncModel.predict_proba>` available,
    so evaluations get probabilities.

    Examples
    --------
    >>> import tempfile, os
    >>> import workbench.pyfunc
    >>> class AddN(workbench.pyfunc.PythonModel):
    ...     def load_context(self, context):
    ...         self.n = context.model_config["n"]
    ...     def predict(self, context, model_input, params=None):
    ...         return model_input.apply(lambda column: column + self.n)
    >>> path = os.path.join(tempfile.mkdtemp(), "add_n")
    >>> workbench.pyfunc.save_model(path, python_model=AddN(), model_config={"n": 5})
    >>> import pandas as pd
    >>> workbench.pyfunc.load_model(path).predict(pd.DataFrame({"x": [1, 2]}))["x"].tolist()
    [6, 7]
    """

    def load_context(self, context: PythonModelContext) -> None:
        """Load what ``predict`` needs from ``context`` (called once, when the model loads).

        Parameters
        ----------
        context : PythonModelContext
            The artifacts (name -> absolute path) and the model configuration.
        """

    def predict(self, context: PythonModelContext, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        """Return the predictions for ``model_input``; override this in a subclass.

        Parameters
        ----------
        context : PythonModelContext
            The context given to :meth:`load_context`; it may be left out of the signature.
        model_input : DataFrame, ndarray, list, dict, ...
            The input, after the model's signature was enforced.
        params : dict, optional
            Inference params, after the signature's params schema was enforced.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not define predict(self, context, model_input, "
            "params=None). Subclasses of PythonModel must implement it."
        )

    @property
    def predict_type_hints(self) -> _TypeHints:
        """The type hints of ``predict``'s input and output (MLflow's loader reads them too)."""
        parameters = inspect.signature(self.predict).parameters
        return _extract_type_hints(self.predict, 1 if _has_context(parameters) else 0)


class _FunctionPythonModel(PythonModel):
    """A plain function ``f(model_input)`` saved as a Python model (MLflow wraps it alike)."""

    def __init__(self, func: Any, signature: Any = None) -> None:
        self.func = func
        self.signature = signature

    @property
    def predict_type_hints(self) -> _TypeHints:
        return _extract_type_hints(self.func, 0)

    def predict(self, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        """Call the function on ``model_input`` (params are not passed to functions)."""
        return self.func(model_input)


class PythonModelContext:
    """What a :class:`PythonModel` receives in ``load_context`` and ``predict``.

    Parameters
    ----------
    artifacts : dict
        Artifact name -> absolute path of the artifact's copy inside the model directory
        (at save time, while a signature is inferred: the path or URI that was given).
    model_config : dict or None
        The model configuration: the one saved with the model, with the keys given to
        ``load_model(model_config=...)`` overridden.

    Examples
    --------
    >>> context = PythonModelContext({"vocab": "/models/m/artifacts/vocab.txt"}, {"k": 3})
    >>> context.artifacts["vocab"], context.model_config["k"]
    ('/models/m/artifacts/vocab.txt', 3)
    """

    def __init__(self, artifacts: dict[str, str] | None, model_config: dict[str, Any] | None) -> None:
        self._artifacts = artifacts
        self._model_config = model_config

    @property
    def artifacts(self) -> dict[str, str] | None:
        """Artifact name -> absolute filesystem path."""
        return self._artifacts

    @property
    def model_config(self) -> dict[str, Any] | None:
        """Configuration key -> value (None when the model has no configuration)."""
        return self._model_config

    def __repr__(self) -> str:
        return f"PythonModelContext(artifacts={self._artifacts!r}, model_config={self._model_config!r})"


# --------------------------------------------------------------------------- predicting


def _first_string_column(frame: Any) -> Any:
    if len(frame) == 0:
        return None
    return next((name for name, value in frame.iloc[0].items() if isinstance(value, str)), None)


def _as_list_of_str(model_input: Any) -> list[str]:
    import pandas as pd

    if isinstance(model_input, pd.DataFrame):
        column = _first_string_column(model_input)
        if column is None:
            raise WorkbenchException(
                "This model's predict takes list[str], so a DataFrame input needs a string "
                f"column; got columns {list(model_input.columns)!r} with no strings in the "
                "first row. Pass a list of str, or a DataFrame with a text column.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        model_input = model_input[column].tolist()
    if not isinstance(model_input, list):
        raise WorkbenchException(
            f"This model's predict takes list[str]; expected a list of str, got "
            f"{type(model_input).__name__}. Wrap a single string as [text].",
            error_code=INVALID_PARAMETER_VALUE,
        )
    bad = [(index, type(item).__name__) for index, item in enumerate(model_input) if not isinstance(item, str)]
    if bad:
        shown = ", ".join(f"item {index} is {kind}" for index, kind in bad[:5])
        raise WorkbenchException(
            f"This model's predict takes list[str], but {len(bad)} item(s) are not str: {shown}"
            f"{', ...' if len(bad) > 5 else ''}. Convert them to str first.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return model_input


def _type_hints_of(python_model: Any) -> _TypeHints:
    hints = getattr(python_model, "predict_type_hints", None)
    if hints is not None and hasattr(hints, "input"):
        return _TypeHints(hints.input, getattr(hints, "output", None))
    try:  # a duck-typed model object with a predict method but no predict_type_hints
        parameters = inspect.signature(python_model.predict).parameters
    except (TypeError, ValueError):
        return _TypeHints()
    return _extract_type_hints(python_model.predict, 1 if _has_context(parameters) else 0)


def _call(method: Any, context: Any, model_input: Any, params: Any) -> Any:
    parameters = inspect.signature(method).parameters
    kwargs = {}
    if "params" in parameters:
        kwargs["params"] = params
    elif params:
        _logger.warning(
            "The model's %s does not take params, so the params %s are ignored. Add a "
            "'params=None' argument to use them.",
            getattr(method, "__name__", "predict"),
            params,
        )
    if _has_context(parameters):
        return method(context, model_input, **kwargs)
    return method(model_input, **kwargs)


class _PythonModelPyfuncWrapper:
    """The pyfunc face of a Python model: ``predict(model_input, params=None)``.

    Has ``predict_proba`` exactly when the Python model has one.
    """

    def __init__(self, python_model: Any, context: PythonModelContext, signature: Any) -> None:
        self.python_model = python_model
        self.context = context
        self.signature = signature
        self._takes_list_of_str = _is_list_str(_type_hints_of(python_model).input)
        if callable(getattr(python_model, "predict_proba", None)):
            self.predict_proba = self._predict_proba

    def _convert_input(self, model_input: Any) -> Any:
        if self._takes_list_of_str:
            return _as_list_of_str(model_input)
        return model_input

    def predict(self, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        """Call the Python model's ``predict`` with the context when it takes one."""
        return _call(self.python_model.predict, self.context, self._convert_input(model_input), params)

    def _predict_proba(self, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        return _call(self.python_model.predict_proba, self.context, self._convert_input(model_input), params)

    def __repr__(self) -> str:
        return f"_PythonModelPyfuncWrapper(python_model={type(self.python_model).__name__})"


# --------------------------------------------------------------------------- saving


def check_python_model(python_model: Any) -> Any:
    """Refuse what cannot be saved as a Python model; return it (a function is wrapped later).

    A callable must take exactly one argument (the model input), as in MLflow.

    Examples
    --------
    >>> check_python_model(lambda a, b: a)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: When python_model is a function it must take exactly one argument (the model input); it takes 2...
    """
    if isinstance(python_model, PythonModel) or _is_duck_python_model(python_model):
        return python_model
    if not callable(python_model):
        raise WorkbenchException(
            "Expected python_model to be a workbench.pyfunc.PythonModel instance, a function of "
            "one argument, or the path of a Python file that calls "
            f"workbench.models.set_model(...); got {type(python_model).__name__}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    count = len(inspect.signature(python_model).parameters)
    if count != 1:
        raise WorkbenchException(
            "When python_model is a function it must take exactly one argument (the model "
            f"input); it takes {count}. Wrap it, e.g. python_model=lambda data: f(data, 1).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return python_model


def _is_duck_python_model(obj: Any) -> bool:
    # A PythonModel of another package with the same interface (MLflow's, in a model file).
    return callable(getattr(obj, "predict", None)) and callable(getattr(obj, "load_context", None))


def as_python_model(python_model: Any, signature: Any = None) -> Any:
    """Return ``python_model``, a function wrapped in :class:`_FunctionPythonModel`."""
    if isinstance(python_model, PythonModel) or _is_duck_python_model(python_model):
        return python_model
    return _FunctionPythonModel(python_model, signature=signature)


def signature_from_type_hints(python_model: Any) -> Any:
    """Return the signature MLflow derives from a ``list[str]`` input hint, else None.

    Examples
    --------
    >>> def upper(model_input: list[str]) -> list[str]:
    ...     return [s.upper() for s in model_input]
    >>> signature_from_type_hints(as_python_model(upper)).to_dict()["inputs"]
    '[{"type": "string", "required": true}]'
    """
    from workbench.models._signature import ModelSignature
    from workbench.types import ColSpec, Schema

    hints = _type_hints_of(python_model)
    if not _is_list_str(hints.input):
        return None
    outputs = Schema([ColSpec("string")]) if _is_list_str(hints.output) else None
    signature = ModelSignature(Schema([ColSpec("string")]), outputs)
    signature._is_signature_from_type_hint = True
    return signature


def _local_artifact(name: str, uri: Any) -> pathlib.Path:
    if not isinstance(uri, (str, os.PathLike)):
        raise WorkbenchException(
            f"Expected the artifact {name!r} to be a local path or file:// URI, got "
            f"{type(uri).__name__}: {uri!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    text = os.fspath(uri)
    parsed = urllib.parse.urlparse(text)
    if parsed.scheme == "file":
        text = urllib.parse.unquote(parsed.path)
    elif len(parsed.scheme) > 1:
        raise WorkbenchException(
            f"Cannot copy the artifact {name!r} from {text!r}: only local paths and file:// "
            f"URIs are supported, not {parsed.scheme!r} URIs. Download it first and pass its "
            "local path.",
            error_code=NOT_IMPLEMENTED,
        )
    source = pathlib.Path(os.path.abspath(os.path.expanduser(text)))
    if not source.exists():
        raise WorkbenchException(
            f"Cannot copy the artifact {name!r}: {os.fspath(source)!r} does not exist. "
            "Expected artifacts={name: local path or file:// URI}.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    return source


def copy_artifacts(artifacts: Any, model_dir: pathlib.Path) -> dict[str, dict[str, str]]:
    """Copy ``artifacts`` (name -> path or file URI) into ``model_dir/artifacts``.

    Each source keeps its base name (``artifacts/vocab.txt``); the same source named twice is
    copied once; sources whose base names collide go into numbered subdirectories
    (``artifacts/0/data.csv``, ``artifacts/1/data.csv``), as MLflow does.

    Returns
    -------
    dict
        The flavor's ``artifacts`` entry: name -> ``{"path": ..., "uri": ...}``.
    """
    if not isinstance(artifacts, dict) or not all(isinstance(key, str) and key for key in artifacts):
        raise WorkbenchException(
            "Expected artifacts to be a dict of artifact name (str) -> local path or file:// "
            f"URI, got {type(artifacts).__name__}: {artifacts!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    sources: dict[pathlib.Path, list[tuple[str, str]]] = {}
    for name, uri in artifacts.items():
        sources.setdefault(_local_artifact(name, uri), []).append((name, os.fspath(uri)))
    counts: dict[str, int] = {}
    for source in sources:
        key = source.name.casefold()
        counts[key] = counts.get(key, 0) + 1
    root = model_dir / ARTIFACTS_SUBPATH
    root.mkdir(exist_ok=True)
    taken = {name.casefold() for name in (s.name for s in sources) if counts[name.casefold()] == 1}
    namespace = 0
    config: dict[str, dict[str, str]] = {}
    for source, names in sources.items():
        relative = pathlib.PurePosixPath(source.name)
        if counts[source.name.casefold()] > 1:
            while str(namespace) in taken:
                namespace += 1
            relative = pathlib.PurePosixPath(str(namespace), source.name)
            taken.add(str(namespace))
        destination = safe_join(root, relative.as_posix())
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, symlinks=False)
        else:
            shutil.copyfile(source, destination)
        for name, uri in names:
            config[name] = {
                CONFIG_KEY_ARTIFACT_RELATIVE_PATH: f"{ARTIFACTS_SUBPATH}/{relative.as_posix()}",
                CONFIG_KEY_ARTIFACT_URI: uri,
            }
    return config


def dump_python_model(python_model: Any, model_dir: pathlib.Path) -> str:
    """Cloudpickle ``python_model`` to ``python_model.pkl``, record it as trusted, return its name."""
    import cloudpickle

    from workbench._io import atomic_write_bytes
    from workbench.models._trust import record_trusted_file

    try:
        data = cloudpickle.dumps(python_model)
    except Exception as err:
        raise WorkbenchException(
            f"Failed to serialize the Python model with cloudpickle ({type(err).__name__}: "
            f"{err}). Save the model as code instead: put it in a file that calls "
            "workbench.models.set_model(model) and pass save_model(path, python_model='that_file.py').",
            error_code=INVALID_PARAMETER_VALUE,
            error_class="MODEL_SERIALIZATION_FAILED",
        ) from err
    target = model_dir / PICKLE_FILE_NAME
    atomic_write_bytes(target, data)
    record_trusted_file(target)
    return PICKLE_FILE_NAME


def _pyfunc_flavor_params(python_model: Any, streamable: bool | None) -> dict[str, Any]:
    import cloudpickle

    if streamable is None:
        streamable = callable(getattr(type(python_model), "predict_stream", None))
    return {CONFIG_KEY_CLOUDPICKLE_VERSION: cloudpickle.__version__, "streamable": bool(streamable)}


# --------------------------------------------------------------------------- loading


def _unpickle(path: pathlib.Path, compression: Any, trusted: bool | None) -> Any:
    import cloudpickle

    from workbench.models._trust import read_trusted_bytes

    data = read_trusted_bytes(path, trusted=trusted, what=PICKLE_FILE_NAME)
    if compression:
        decompress = _DECOMPRESSORS.get(compression)
        if decompress is None:
            raise WorkbenchException(
                f"Cannot read {os.fspath(path)!r}: unknown python_model_compression "
                f"{compression!r}. Expected one of {sorted(_DECOMPRESSORS)}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        data = decompress(data)
    return cloudpickle.loads(data)


def _warn_cloudpickle_version(saved: Any) -> None:
    import cloudpickle

    if saved is None:
        _logger.warning("The MLmodel file does not record the CloudPickle version the model was saved with.")
    elif saved != cloudpickle.__version__:
        _logger.warning(
            "The model was saved with CloudPickle %s and this environment has CloudPickle %s; "
            "the pickle may not load or may behave differently. Install cloudpickle==%s to be sure.",
            saved,
            cloudpickle.__version__,
            saved,
        )


def artifact_paths(model_dir: pathlib.Path, conf: dict[str, Any]) -> dict[str, str]:
    """Return artifact name -> absolute path of the artifact inside ``model_dir``."""
    saved = conf.get(CONFIG_KEY_ARTIFACTS) or {}
    if not isinstance(saved, dict):
        raise WorkbenchException(
            f"Expected python_function.artifacts in MLmodel to be a mapping, got {type(saved).__name__}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    paths = {}
    for name, info in saved.items():
        relative = info.get(CONFIG_KEY_ARTIFACT_RELATIVE_PATH) if isinstance(info, dict) else None
        if not isinstance(relative, str):
            raise WorkbenchException(
                f"Expected the artifact {name!r} in MLmodel to have a 'path', got {info!r}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        paths[name] = os.fspath(safe_join(model_dir, relative).absolute())
    return paths


def wrap_loaded(python_model: Any, model_dir: pathlib.Path, conf: dict[str, Any], model_config: Any, signature: Any) -> _PythonModelPyfuncWrapper:
    """Build the context, call ``load_context`` and wrap the model for pyfunc."""
    context = PythonModelContext(artifacts=artifact_paths(model_dir, conf), model_config=model_config)
    python_model.load_context(context=context)
    return _PythonModelPyfuncWrapper(python_model, context, signature)


def _load_pyfunc(
    path: str | os.PathLike, model_config: dict[str, Any] | None = None, *, trusted: bool | None = None
) -> _PythonModelPyfuncWrapper:
    """Load a Python model directory (loader ``mlflow.pyfunc.model``) for ``load_model``.

    Parameters
    ----------
    path : str or os.PathLike
        The model directory.
    model_config : dict, optional
        The configuration handed to ``load_context`` (already merged by ``load_model``).
    trusted : bool, optional
        As in :func:`workbench.pyfunc.load_model`: whether ``python_model.pkl`` may be
        unpickled although this machine did not write it.

    Raises
    ------
    WorkbenchException
        ``PERMISSION_DENIED`` when the pickle is not trusted (see the module notes).
    """
    from workbench.models._model import Model

    model_dir = pathlib.Path(path)
    meta = Model.load(model_dir)
    conf = meta.flavors.get("python_function") or {}
    if conf.get(MODEL_CODE_PATH):
        from workbench.models import _code_model

        return _code_model._load_pyfunc(model_dir, model_config, trusted=trusted)
    subpath = conf.get(CONFIG_KEY_PYTHON_MODEL)
    if not isinstance(subpath, str):
        raise WorkbenchException(
            "The python_function flavor in MLmodel names no python_model file (expected e.g. "
            f"'python_model: python_model.pkl'); got {subpath!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    pickle_path = safe_join(model_dir, subpath)
    python_model = _unpickle(pickle_path, conf.get(CONFIG_KEY_COMPRESSION), trusted)
    _warn_cloudpickle_version(conf.get(CONFIG_KEY_CLOUDPICKLE_VERSION))
    return wrap_loaded(python_model, model_dir, conf, model_config, meta.signature)
