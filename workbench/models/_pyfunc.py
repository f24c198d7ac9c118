"""The ``python_function`` flavor: :class:`PyFuncModel`, :func:`load_model`, :func:`save_model`.

Every model workbench (or MLflow) can load as a plain predictor carries a
``python_function`` flavor in its MLmodel file. Its ``loader_module`` says which loader
builds the model; workbench looks it up in :mod:`workbench.models._loaders` (it never
imports a module just because a model file names it). :func:`load_model` wraps what the
loader returns in a :class:`PyFuncModel`, which enforces the model's signature on every
call, as MLflow does.

Workbench additions: :attr:`PyFuncModel.predict_proba` (when the model has probabilities)
and the ``trusted`` argument of :func:`load_model` (see :mod:`workbench.models._trust`).
"""

from __future__ import annotations

import copy
import inspect
import logging
import os
import pathlib
import platform
import sys
from typing import Any

import yaml

from workbench._exceptions import (
    BAD_REQUEST,
    INVALID_PARAMETER_VALUE,
    NOT_IMPLEMENTED,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import safe_join

_logger = logging.getLogger(__name__)

#: Flavor name and the keys of its dict (MLflow's names).
FLAVOR_NAME = "python_function"
MAIN = "loader_module"
CODE = "code"
DATA = "data"
ENV = "env"
PY_VERSION = "python_version"
MODEL_CONFIG = "config"
MODEL_CODE_PATH = "model_code_path"
CONDA_ENV_FILE_NAME = "conda.yaml"
PYTHON_ENV_FILE_NAME = "python_env.yaml"
# metadata flag MLflow sets on models whose files live elsewhere.
_MODEL_IS_EXTERNAL = "mlflow.model.isExternal"


def _python_version() -> str:
    return platform.python_version()


def add_to_model(
    model: Any,
    loader_module: str,
    data: str | None = None,
    code: str | None = None,
    conda_env: str | None = None,
    python_env: str | None = None,
    model_config: dict[str, Any] | None = None,
    model_code_path: str | None = None,
    **kwargs: Any,
) -> Any:
    """Add a ``python_function`` flavor to ``model`` (an MLmodel :class:`~workbench.models.Model`).

    Paths are relative to the model directory. The flavor dict is what MLflow 3.17.2 writes:
    ``loader_module``, ``python_version``, then ``code``, ``data``, ``env`` (``conda``,
    ``virtualenv``), ``config`` and ``model_code_path`` when given, plus ``kwargs``.

    Returns
    -------
    Model
        ``model``, updated.

    Examples
    --------
    >>> from workbench.models import Model
    >>> model = add_to_model(Model(), "mlflow.pyfunc.model", conda_env="conda.yaml",
    ...                      python_env="python_env.yaml", python_model="python_model.pkl")
    >>> sorted(model.flavors["python_function"])
    ['env', 'loader_module', 'python_model', 'python_version']
    >>> model.flavors["python_function"]["env"]
    {'conda': 'conda.yaml', 'virtualenv': 'python_env.yaml'}
    """
    params = copy.deepcopy(kwargs)
    params[MAIN] = loader_module
    params[PY_VERSION] = _python_version()
    if code:
        params[CODE] = code
    if data:
        params[DATA] = data
    if conda_env or python_env:
        params[ENV] = {}
        if conda_env:
            params[ENV]["conda"] = conda_env
        if python_env:
            params[ENV]["virtualenv"] = python_env
    if model_config:
        params[MODEL_CONFIG] = model_config
    if model_code_path:
        params[MODEL_CODE_PATH] = model_code_path
    return model.add_flavor(FLAVOR_NAME, **params)


# --------------------------------------------------------------------------- PyFuncModel


def _describe(data: Any) -> str:
    from workbench.models._enforcement import _describe_input

    return _describe_input(data)


def _enforce_input(data: Any, schema: Any) -> Any:
    from workbench.models._enforcement import _enforce_schema

    if schema is None:
        return data
    try:
        return _enforce_schema(data, schema)
    except WorkbenchException as err:
        raise WorkbenchException(
            f"Failed to enforce the model's input schema on the data ({_describe(data)}): "
            f"{err.message}",
            error_code=INVALID_PARAMETER_VALUE,
            error_class="SCHEMA_ENFORCEMENT_FAILED",
        ) from err


def _call_with_params(method: Any, data: Any, params: Any) -> Any:
    try:
        parameter = inspect.signature(method).parameters.get("params")
    except (TypeError, ValueError):
        parameter = None
    if parameter is not None and parameter.kind != inspect.Parameter.VAR_KEYWORD:
        return method(data, params=params)
    if params:
        _logger.warning(
            "The underlying model does not take params, so the params %s are ignored.", params
        )
    return method(data)


class PyFuncModel:
    """A model loaded as a plain predictor, with its MLmodel metadata.

    Built by :func:`load_model`, not by hand. ``predict`` enforces the model's signature
    (input schema and params schema) before calling the model.

    Parameters
    ----------
    model_meta : Model
        The model's MLmodel content.
    model_impl : object
        What the flavor's loader returned: it has ``predict(data[, params])`` and perhaps
        ``predict_proba``.
    predict_fn : str, default "predict"
        The name of the method that predicts.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> import workbench.pyfunc
    >>> def double(model_input):
    ...     return model_input * 2
    >>> path = os.path.join(tempfile.mkdtemp(), "double")
    >>> workbench.pyfunc.save_model(path, python_model=double,
    ...                             input_example=pd.DataFrame({"x": [1.0]}))
    >>> model = workbench.pyfunc.load_model(path)
    >>> model.predict(pd.DataFrame({"x": [1.5, 2.0]}))["x"].tolist()
    [3.0, 4.0]
    >>> print(model, end="")
    workbench.pyfunc.loaded_model:
      flavor: mlflow.pyfunc.model
    """

    def __init__(self, model_meta: Any, model_impl: Any, predict_fn: str = "predict") -> None:
        if not model_meta:
            raise WorkbenchException("Model is missing metadata: expected the model's Model (MLmodel content).")
        if not callable(getattr(model_impl, predict_fn, None)):
            raise WorkbenchException(
                f"Model implementation {type(model_impl).__name__} is missing the required "
                f"{predict_fn!r} method.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        self._model_meta = model_meta
        self._model_impl = model_impl
        self._predict_fn = getattr(model_impl, predict_fn)
        self.input_example: Any = None

    # ------------------------------------------------------------------ properties

    @property
    def metadata(self) -> Any:
        """The model's :class:`~workbench.models.Model` (its MLmodel content)."""
        return self._model_meta

    @property
    def model_config(self) -> dict[str, Any]:
        """The model configuration it was loaded with (``{}`` when it has none)."""
        return (self._model_meta.flavors.get(FLAVOR_NAME) or {}).get(MODEL_CONFIG, {}) or {}

    @property
    def loader_module(self) -> str | None:
        """The ``loader_module`` of the model's ``python_function`` flavor."""
        conf = self._model_meta.flavors.get(FLAVOR_NAME)
        return None if conf is None else conf.get(MAIN)

    @property
    def model_id(self) -> str | None:
        """The logged model id recorded in MLmodel, if any."""
        return getattr(self._model_meta, "model_id", None)

    # ------------------------------------------------------------------ predicting

    def _prepare(self, data: Any, params: Any) -> tuple[Any, Any]:
        from workbench.models._enforcement import _enforce_params_schema

        meta = self._model_meta
        params_schema = meta.get_params_schema()
        if not meta._is_signature_from_type_hint():
            # A signature from type hints is checked by the model wrapper against the hint.
            data = _enforce_input(data, meta.get_input_schema())
        return data, _enforce_params_schema(params, params_schema)

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """Return the model's predictions for ``data``.

        Parameters
        ----------
        data : DataFrame, Series, ndarray, sparse matrix, list, dict or scalar
            The model input. When the model has a signature, the input is checked and
            converted to it first.
        params : dict, optional
            Inference params; checked against the signature's params schema, which also
            supplies defaults for params not given.

        Raises
        ------
        WorkbenchException
            ``INVALID_PARAMETER_VALUE`` when the data or the params do not fit the signature.
        """
        data, params = self._prepare(data, params)
        return _call_with_params(self._predict_fn, data, params)

    @property
    def predict_proba(self) -> Any:
        """Return class probabilities for ``data`` (a workbench addition; MLflow has none).

        Available only when the loaded model has probabilities (a classifier, or a
        :class:`~workbench.pyfunc.PythonModel` that defines ``predict_proba``);
        ``hasattr(model, "predict_proba")`` tells. Called as
        ``model.predict_proba(data, params=None)``, with the input enforced as in
        :meth:`predict`.
        """
        method = getattr(self._model_impl, "predict_proba", None)
        if not callable(method):
            raise AttributeError(
                f"This model ({self.loader_module}) has no predict_proba: its implementation "
                f"{type(self._model_impl).__name__} does not provide probabilities."
            )

        def predict_proba(data: Any, params: dict[str, Any] | None = None) -> Any:
            data, params = self._prepare(data, params)
            return _call_with_params(method, data, params)

        return predict_proba

    # ------------------------------------------------------------------ access

    def unwrap_python_model(self) -> Any:
        """Return the :class:`~workbench.pyfunc.PythonModel` inside (to call its own methods).

        Raises
        ------
        WorkbenchException
            When the model is not a Python model (e.g. an sklearn model).
        """
        python_model = getattr(self._model_impl, "python_model", None)
        if python_model is None:
            raise WorkbenchException(
                "Unable to retrieve the base model object from this pyfunc model: it is not a "
                f"PythonModel (loader_module {self.loader_module!r}). Use get_raw_model() for "
                "models of other flavors.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        return python_model

    def get_raw_model(self) -> Any:
        """Return the underlying raw model, when the flavor's wrapper provides one."""
        getter = getattr(self._model_impl, "get_raw_model", None)
        if not callable(getter):
            raise NotImplementedError("`get_raw_model` is not implemented by the underlying model")
        return getter()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PyFuncModel):
            return False
        return self._model_meta == other._model_meta

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        info: dict[str, Any] = {}
        meta = self._model_meta
        if getattr(meta, "run_id", None) is not None:
            info["run_id"] = meta.run_id
        if getattr(meta, "artifact_path", None) is not None:
            info["artifact_path"] = meta.artifact_path
        info["flavor"] = self.loader_module
        return yaml.safe_dump({"workbench.pyfunc.loaded_model": info}, default_flow_style=False)


# --------------------------------------------------------------------------- loading


def _check_trusted(trusted: Any) -> bool | None:
    if trusted is not None and not isinstance(trusted, bool):
        raise WorkbenchException.invalid_parameter_value(
            f"trusted must be True, False or None, got {type(trusted).__name__}: {trusted!r}."
        )
    return trusted


def _warn_python_version(saved: Any) -> None:
    if not saved:
        return
    current = _python_version()
    if str(saved).split(".")[:2] != current.split(".")[:2]:
        _logger.warning(
            "The model was saved with Python %s and this is Python %s: it may not load or may "
            "behave differently. Use Python %s to be sure.",
            saved,
            current,
            ".".join(str(saved).split(".")[:2]),
        )


def _add_code_to_path(model_dir: pathlib.Path, conf: dict[str, Any], trusted: bool | None) -> None:
    """Put the model's ``code/`` directory first on ``sys.path`` (as MLflow does), if trusted.

    Code on ``sys.path`` runs as soon as anything imports it, so every file in it must pass
    the same trust check as model code.
    """
    from workbench.models._code_model import read_trusted_code

    subpath = conf.get(CODE)
    if not subpath:
        return
    code_dir = safe_join(model_dir, subpath)
    if not code_dir.is_dir():
        return
    for file in sorted(code_dir.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts:
            read_trusted_code(file, trusted=trusted, what="code shipped with the model")
    entry = os.fspath(code_dir)
    if entry not in sys.path:
        sys.path.insert(0, entry)


def _call_loader(loader: Any, data_path: pathlib.Path, model_config: Any, trusted: bool | None) -> Any:
    load = loader._load_pyfunc
    try:
        takes_trusted = "trusted" in inspect.signature(load).parameters
    except (TypeError, ValueError):
        takes_trusted = False
    args: list[Any] = [os.fspath(data_path)]
    if model_config:
        args.append(model_config)
    if takes_trusted:
        return load(*args, trusted=trusted)
    return load(*args)


def load_model(
    model_uri: str | os.PathLike,
    suppress_warnings: bool = False,
    dst_path: str | os.PathLike | None = None,
    model_config: str | os.PathLike | dict[str, Any] | None = None,
    *,
    trusted: bool | None = None,
) -> PyFuncModel:
    """Load a model stored in Python function format.

    Parameters
    ----------
    model_uri : str or os.PathLike
        The model directory, its MLmodel file, a ``file://`` URI, ``runs:/<run_id>/<path>``
        or ``models:/<name>/<version|latest>`` / ``models:/<name>@<alias>``.
    suppress_warnings : bool, default False
        Do not log warnings about a different Python or CloudPickle version.
    dst_path : str, optional
        Where MLflow downloads a remote model. Local models are read in place, so it is
        only checked to be an existing directory when given.
    model_config : dict or str, optional
        Overrides keys of the configuration the model was saved with (a dict, or a YAML
        file). As in MLflow, only keys the saved configuration has are taken; others are
        ignored with a warning.
    trusted : bool, optional
        Workbench addition. Loading a pickled Python model, or a model from code, runs code
        from the model directory. By default (None) that happens only for files this machine
        wrote or files under ``$WORKBENCH_TRUSTED_LOCATIONS``; True trusts this model; False
        refuses any such file.

    Returns
    -------
    PyFuncModel

    Raises
    ------
    WorkbenchException
        ``RESOURCE_DOES_NOT_EXIST`` when the model has no ``python_function`` flavor;
        ``PERMISSION_DENIED`` when code would run from an untrusted file;
        ``NOT_IMPLEMENTED`` for a loader module workbench does not know.

    Examples
    --------
    >>> import os, tempfile
    >>> import workbench.pyfunc
    >>> class Echo(workbench.pyfunc.PythonModel):
    ...     def predict(self, context, model_input, params=None):
    ...         return [context.model_config["prefix"] + s for s in model_input]
    >>> path = os.path.join(tempfile.mkdtemp(), "echo")
    >>> workbench.pyfunc.save_model(path, python_model=Echo(), model_config={"prefix": "> "})
    >>> workbench.pyfunc.load_model(path).predict(["hi"])
    ['> hi']
    >>> workbench.pyfunc.load_model(path, model_config={"prefix": "# "}).predict(["hi"])
    ['# hi']
    """
    from workbench.models._config import overridden_config
    from workbench.models._loaders import get_loader, loader_module_for
    from workbench.models._model import Model
    from workbench.models._retriever import clear_retriever_schemas
    from workbench.models._uri import resolve_model_path

    trusted = _check_trusted(trusted)
    local_path = resolve_model_path(model_uri)
    if dst_path is not None and not os.path.isdir(dst_path):
        raise WorkbenchException(
            f"dst_path {os.fspath(dst_path)!r} is not an existing directory. Expected an existing "
            "directory, or leave it out for a local model.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    model_meta = Model.load(local_path)
    if model_meta.metadata and model_meta.metadata.get(_MODEL_IS_EXTERNAL, False) is True:
        raise WorkbenchException(
            "This model's artifacts are external: they are not stored in the model directory, "
            "so it cannot be loaded from it.",
            error_code=BAD_REQUEST,
        )
    conf = model_meta.flavors.get(FLAVOR_NAME)
    if not isinstance(conf, dict):
        raise WorkbenchException(
            f'Model does not have the "{FLAVOR_NAME}" flavor: its flavors are '
            f"{sorted(model_meta.flavors)}. Load it with its own flavor's load_model instead.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    if not suppress_warnings:
        _warn_python_version(conf.get(PY_VERSION))
    loader_module_for(conf.get(MAIN), trusted=trusted)  # refuse an unknown loader before anything runs
    _add_code_to_path(local_path, conf, trusted)  # a trusted loader module may live in code/
    loader = get_loader(conf.get(MAIN), trusted=trusted)
    data_path = safe_join(local_path, conf[DATA]) if conf.get(DATA) else local_path

    merged = overridden_config(conf.get(MODEL_CONFIG), model_config)
    if model_config and merged is not None:
        conf[MODEL_CONFIG] = merged  # PyFuncModel.model_config shows what the model got (as MLflow)
    try:
        model_impl = _call_loader(loader, data_path, merged, trusted)
    finally:
        # Schemas a model file declares while loading belong to no later save.
        clear_retriever_schemas()
    pyfunc_model = PyFuncModel(model_meta, model_impl, predict_fn=conf.get("predict_fn", "predict"))
    try:
        pyfunc_model.input_example = model_meta.load_input_example(local_path)
    except Exception as err:  # noqa: BLE001 - the example is informative only
        _logger.debug("Could not load the input example of %s: %s", local_path, err)
    return pyfunc_model


# --------------------------------------------------------------------------- saving


def save_model(
    path: str | os.PathLike,
    loader_module: str | None = None,
    data_path: str | os.PathLike | None = None,
    code_paths: list[str] | None = None,
    infer_code_paths: bool = False,
    conda_env: Any = None,
    mlflow_model: Any = None,
    python_model: Any = None,
    artifacts: dict[str, str] | None = None,
    signature: Any = None,
    input_example: Any = None,
    pip_requirements: Any = None,
    extra_pip_requirements: Any = None,
    metadata: dict[str, Any] | None = None,
    model_config: Any = None,
    streamable: bool | None = None,
    resources: Any = None,
    auth_policy: Any = None,
    uv_project_path: Any = None,
    uv_groups: Any = None,
    uv_extras: Any = None,
    **kwargs: Any,
) -> None:
    """Save a pyfunc model to a new local directory ``path``; see :func:`workbench.pyfunc.save_model`."""
    from workbench.models._config import check_model_config
    from workbench.models._model import Model
    from workbench.models._save import staged_model_dir

    mlflow_model = kwargs.pop("model", mlflow_model)
    if kwargs:
        raise TypeError(f"save_model() got unexpected keyword arguments: {sorted(kwargs)}")
    if infer_code_paths:
        raise WorkbenchException(
            "infer_code_paths=True is not supported by workbench: list the files the model "
            "needs with code_paths=[...] instead.",
            error_code=NOT_IMPLEMENTED,
        )
    if any(value is not None for value in (uv_project_path, uv_groups, uv_extras)):
        raise WorkbenchException(
            "uv_project_path, uv_groups and uv_extras are not supported by workbench: pass "
            "pip_requirements (e.g. the output of `uv export`) instead.",
            error_code=NOT_IMPLEMENTED,
        )
    if code_paths is not None and not isinstance(code_paths, list):
        raise TypeError(f"Argument code_paths should be a list, not {type(code_paths)}")
    first = {"loader_module": loader_module, "data_path": data_path}
    second = {"artifacts": artifacts, "python_model": python_model}
    first_given = any(value is not None for value in first.values())
    second_given = any(value is not None for value in second.values())
    if first_given and second_given:
        raise WorkbenchException(
            "loader_module/data_path and python_model/artifacts cannot be given together: save "
            "either a loader module with its data, or a Python model with its artifacts. Got "
            f"{first} and {second}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if loader_module is None and python_model is None:
        raise WorkbenchException(
            "Either loader_module or python_model must be given: python_model is a PythonModel "
            "instance, a function of one argument, or the path of a model file that calls "
            "workbench.models.set_model(...).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    model_config = check_model_config(model_config)
    model = mlflow_model if mlflow_model is not None else Model()
    if resources is not None:
        model.resources = resources
    if auth_policy is not None:
        model.auth_policy = auth_policy
    common = {
        "signature": signature,
        "input_example": input_example,
        "metadata": metadata,
        "pip_requirements": pip_requirements,
        "extra_pip_requirements": extra_pip_requirements,
        "conda_env": conda_env,
        "code_paths": code_paths,
    }
    with staged_model_dir(path) as staging:
        if first_given:
            _save_loader_module(model, staging, loader_module, data_path, model_config, streamable, common)
        else:
            _save_python_model(model, staging, python_model, artifacts, model_config, streamable, common)


def _save_loader_module(
    model: Any,
    staging: pathlib.Path,
    loader_module: Any,
    data_path: Any,
    model_config: Any,
    streamable: Any,
    common: dict[str, Any],
) -> None:
    import shutil

    from workbench.models._requirements import default_requirements_for
    from workbench.models._save import finish_model_dir

    data = None
    if data_path is not None:
        source = pathlib.Path(os.path.abspath(os.fspath(data_path)))
        if not source.exists():
            raise WorkbenchException(
                f"data_path {os.fspath(data_path)!r} does not exist. Expected a file or directory "
                "holding the model's data.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        (staging / DATA).mkdir()
        target = staging / DATA / source.name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target)
        data = f"{DATA}/{source.name}"
    add_to_model(
        model,
        loader_module=loader_module,
        data=data,
        conda_env=CONDA_ENV_FILE_NAME,
        python_env=PYTHON_ENV_FILE_NAME,
        model_config=model_config,
        streamable=bool(streamable),
    )
    model.flavors[FLAVOR_NAME][CODE] = None
    finish_model_dir(
        model, staging, default_requirements=default_requirements_for(FLAVOR_NAME), validate_example=True, **common
    )


def _save_python_model(
    model: Any,
    staging: pathlib.Path,
    python_model: Any,
    artifacts: Any,
    model_config: Any,
    streamable: Any,
    common: dict[str, Any],
) -> None:
    from workbench.models import _code_model, _python_model
    from workbench.models._requirements import default_requirements_for
    from workbench.models._save import finish_model_dir

    model_code_path = None
    if isinstance(python_model, (str, os.PathLike)):
        copy, model_code_path = _code_model.copy_model_code(python_model, staging)
        # Run the caller's own file (no trust needed), under its own name for tracebacks.
        python_model = _code_model.run_model_code(model_code_path, copy.read_bytes(), model_config)
    _python_model.check_python_model(python_model)
    is_function = not (
        isinstance(python_model, _python_model.PythonModel) or _python_model._is_duck_python_model(python_model)
    )
    if is_function and all(
        common[key] is None for key in ("input_example", "pip_requirements", "extra_pip_requirements")
    ):
        raise WorkbenchException(
            "When python_model is a function, give at least one of input_example, "
            "pip_requirements or extra_pip_requirements (MLflow requires it too, to know the "
            "model's input or its environment).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    signature = common.pop("signature")
    wrapped = _python_model.as_python_model(python_model, signature)
    context = _python_model.PythonModelContext(artifacts, model_config)
    hinted = _python_model.signature_from_type_hints(wrapped)

    def infer_from(data: Any, params: Any = None) -> Any:
        wrapped.load_context(context)
        return _python_model._PythonModelPyfuncWrapper(wrapped, context, None).predict(data, params)

    flavor_params = _python_model._pyfunc_flavor_params(wrapped, streamable)
    if model_code_path is None:
        flavor_params[_python_model.CONFIG_KEY_PYTHON_MODEL] = _python_model.dump_python_model(wrapped, staging)
    if artifacts:
        flavor_params[_python_model.CONFIG_KEY_ARTIFACTS] = _python_model.copy_artifacts(artifacts, staging)
    add_to_model(
        model,
        loader_module=_code_model.LOADER_MODULE if model_code_path else _python_model.LOADER_MODULE,
        conda_env=CONDA_ENV_FILE_NAME,
        python_env=PYTHON_ENV_FILE_NAME,
        model_config=model_config,
        model_code_path=model_code_path,
        **flavor_params,
    )
    model.flavors[FLAVOR_NAME][CODE] = None
    if hinted is not None:
        if signature is not None and signature != hinted:
            _logger.warning(
                "The signature given differs from the one the type hints of predict describe; "
                "the type hints win, as in MLflow:\n%s",
                hinted,
            )
        if hinted.outputs is None and common["input_example"] is not None:
            _complete_outputs(hinted, common["input_example"], infer_from)
        signature, validate = hinted, False
    else:
        validate = True
    finish_model_dir(
        model,
        staging,
        signature=signature,
        default_requirements=default_requirements_for(FLAVOR_NAME),
        infer_from=infer_from,
        validate_example=validate,
        **common,
    )


def _complete_outputs(signature: Any, input_example: Any, infer_from: Any) -> None:
    # A list[str] input hint without an output hint: describe the output from the example.
    from workbench.types._infer import _infer_schema

    try:
        output = infer_from(copy.deepcopy(input_example))
        signature.outputs = _infer_schema(output)
    except Exception as err:  # noqa: BLE001 - as MLflow, a failed inference only warns
        _logger.warning("Could not infer the output schema from the input example: %s", err)
