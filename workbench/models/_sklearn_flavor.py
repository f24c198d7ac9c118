"""The scikit-learn flavor: save, load and serve estimators in MLflow's ``sklearn`` layout.

A directory written here is the directory ``mlflow.sklearn.save_model`` writes (MLflow
3.17.2): the estimator in ``model.skops`` (skops, the default) or ``model.pkl`` (pickle or
cloudpickle), an ``sklearn`` flavor (``pickled_model``, ``sklearn_version``,
``serialization_format``, ``code``, ``skops_trusted_types``, and ``extra_files`` when given)
and a ``python_function`` flavor whose ``loader_module`` is ``mlflow.sklearn``, so MLflow
loads our models and we load MLflow's.

Loading follows DESIGN.md section 8 (see :mod:`workbench.models._trust`):

- a pickle or cloudpickle file loads only when the caller passes ``trusted=True``, when this
  machine recorded its sha256 (workbench wrote it), or when it lies under
  ``$WORKBENCH_TRUSTED_LOCATIONS``;
- a skops file that this machine wrote (or that lies under a trusted location) loads with
  every type in it trusted, so a saved RandomForest loads back here out of the box. Any
  other skops file loads only if every type that skops does not trust by default was
  allowed by the caller (``skops_trusted_types=[...]``, or ``trusted=True`` for all); the
  refusal lists the types. The ``skops_trusted_types`` written in ``MLmodel`` is never read
  as trust: whoever wrote the model chose it. It is written only so that MLflow, which does
  read it, can load the model.

Departures from MLflow, each on purpose:

- MLflow 3's skops default refuses to save a tree model unless ``skops_trusted_types``
  lists ``sklearn.tree._tree.Tree``, and refuses to load any model unless
  ``MLFLOW_ALLOW_PICKLE_DESERIALIZATION=true``; here trust comes from this machine's
  records or the caller, as above (that variable is not read).
- The input example's signature is inferred with the method the pyfunc will call
  (``pyfunc_predict_fn``, e.g. ``predict_proba``), so the output schema describes what the
  pyfunc returns; MLflow always infers it from ``predict``.
- An unknown ``pyfunc_predict_fn`` is refused when saving, not when loading.
- A model's ``code/`` directory reaches ``sys.path`` only once the model file is trusted,
  and only if every file in it is (recorded here, under a trusted location, or
  ``trusted=True``), as in ``workbench.pyfunc.load_model``.
- ``trusted`` and ``skops_trusted_types`` are keyword-only additions to ``load_model``;
  ``trusted=False`` refuses even files this machine wrote.
- The requirements are the flavor's pinned libraries (``scikit-learn``, plus ``skops`` or
  ``cloudpickle``), without MLflow's pin and without MLflow's inference of further
  requirements by loading the model in a subprocess (see
  :mod:`workbench.models._requirements`).
- ``log_model`` saves into the run's artifacts and returns ``runs:/<run_id>/<name>`` as
  the model URI (MLflow 3 keeps a separate logged model, ``models:/<model_id>``); see
  :meth:`workbench.models.Model.log`.
"""

from __future__ import annotations

import logging
import os
import pathlib
import pickle
import shutil
import urllib.parse
from typing import Any

from workbench._exceptions import (
    INVALID_PARAMETER_VALUE,
    PERMISSION_DENIED,
    RESOURCE_ALREADY_EXISTS,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import atomic_write_bytes, safe_join
from workbench.models import _trust

_logger = logging.getLogger("workbench.models")

FLAVOR_NAME = "sklearn"

SERIALIZATION_FORMAT_SKOPS = "skops"
SERIALIZATION_FORMAT_PICKLE = "pickle"
SERIALIZATION_FORMAT_CLOUDPICKLE = "cloudpickle"

SUPPORTED_SERIALIZATION_FORMATS = [
    SERIALIZATION_FORMAT_SKOPS,
    SERIALIZATION_FORMAT_PICKLE,
    SERIALIZATION_FORMAT_CLOUDPICKLE,
]

#: The estimator methods a pyfunc may call (``pyfunc_predict_fn``), as MLflow lists them.
SUPPORTED_PYFUNC_PREDICT_FNS = [
    "predict",
    "predict_proba",
    "predict_log_proba",
    "predict_joint_log_proba",
    "score",
]

#: What MLflow's pyfunc loader module is called in MLmodel; MLflow imports it by this name.
PYFUNC_LOADER_MODULE = "mlflow.sklearn"

_PICKLE_MODEL_DATA_SUBPATH = "model.pkl"
_SKOPS_MODEL_DATA_SUBPATH = "model.skops"
_CODE_SUBDIR = "code"
_EXTRA_FILES_SUBDIR = "extra_files"
_CONDA_ENV_FILE_NAME = "conda.yaml"
_PYTHON_ENV_FILE_NAME = "python_env.yaml"


# ============================================================================ requirements


def get_default_pip_requirements(include_cloudpickle: bool = False, include_skops: bool = False) -> list[str]:
    """Return the pip requirements every sklearn model saved here needs, pinned.

    Parameters
    ----------
    include_cloudpickle : bool, default False
        Add ``cloudpickle`` (the model is serialised with it).
    include_skops : bool, default False
        Add ``skops`` (the model is serialised with it).

    Returns
    -------
    list of str
        ``scikit-learn==<installed>`` and the serialiser's pin. No ``mlflow`` pin: see
        :mod:`workbench.models._requirements`.

    Examples
    --------
    >>> [req.split("==")[0] for req in get_default_pip_requirements(include_skops=True)]
    ['scikit-learn', 'skops']
    """
    from workbench.models._requirements import pinned

    requirements = [pinned("scikit-learn", module="sklearn")]
    if include_cloudpickle:
        requirements.append(pinned("cloudpickle"))
    if include_skops:
        requirements.append(pinned("skops"))
    return requirements


def get_default_conda_env(include_cloudpickle: bool = False, include_skops: bool = False) -> dict:
    """Return the conda environment (as a dict) for an sklearn model saved here.

    Examples
    --------
    >>> env = get_default_conda_env()
    >>> env["dependencies"][-1]["pip"][0].split("==")[0]
    'scikit-learn'
    """
    from workbench.models._requirements import conda_env_dict

    return conda_env_dict(get_default_pip_requirements(include_cloudpickle, include_skops))


# ============================================================================ argument checks


def _check_serialization_format(serialization_format: Any) -> str:
    if serialization_format is None:
        return SERIALIZATION_FORMAT_SKOPS
    if serialization_format not in SUPPORTED_SERIALIZATION_FORMATS:
        raise WorkbenchException(
            f"Unrecognized serialization format: {serialization_format!r}. Expected one of "
            f"{SUPPORTED_SERIALIZATION_FORMATS}: 'skops' (the default, safe to load) or, for "
            "estimators skops cannot store, 'cloudpickle' or 'pickle' (loading those runs code "
            "from the file).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return serialization_format


def _check_type_list(value: Any, name: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise WorkbenchException(
            f"Expected {name} as a list of fully qualified type names such as "
            f"['sklearn.tree._tree.Tree'], got {type(value).__name__}: {value!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return list(value)


def _check_predict_fn(pyfunc_predict_fn: Any) -> str:
    if pyfunc_predict_fn not in SUPPORTED_PYFUNC_PREDICT_FNS:
        raise WorkbenchException(
            f"Unsupported pyfunc_predict_fn {pyfunc_predict_fn!r}: expected one of "
            f"{SUPPORTED_PYFUNC_PREDICT_FNS}, the estimator method the python_function flavor calls.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return pyfunc_predict_fn


# ============================================================================ serialisation


def _dump_skops(sk_model: Any) -> bytes:
    import skops.io

    try:
        data = skops.io.dumps(sk_model)
        # Load it back (trusting its own types: we just made it) so a model skops cannot
        # rebuild fails now, at save time, not when someone needs it.
        skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))
    except Exception as exc:  # noqa: BLE001 - skops raises many kinds; all mean "cannot store"
        raise WorkbenchException(
            f"The {type(sk_model).__name__} model could not be stored in the skops format ({exc}). "
            "skops stores estimators and functions defined at module top level, not lambdas or "
            "classes defined inside functions. Save it with serialization_format='cloudpickle' "
            "instead (loading that format runs code from the file, so it loads only where it is "
            "trusted).",
            error_code=INVALID_PARAMETER_VALUE,
        ) from exc
    return data


def _dump_pickle(sk_model: Any, serialization_format: str) -> bytes:
    if serialization_format == SERIALIZATION_FORMAT_CLOUDPICKLE:
        import cloudpickle as pickler
    else:
        pickler = pickle
    try:
        # The default protocol, not the newest: readable by more Python versions.
        return pickler.dumps(sk_model, protocol=pickle.DEFAULT_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        hint = (
            " Classes and functions defined in __main__ or a notebook need "
            "serialization_format='cloudpickle'."
            if serialization_format == SERIALIZATION_FORMAT_PICKLE
            else ""
        )
        raise WorkbenchException(
            f"The {type(sk_model).__name__} model could not be serialised with "
            f"{serialization_format} ({exc}).{hint}",
            error_code=INVALID_PARAMETER_VALUE,
        ) from exc


def _serialize(sk_model: Any, serialization_format: str) -> tuple[str, bytes]:
    """Return ``(file name, bytes)`` of the estimator in ``serialization_format``."""
    if serialization_format == SERIALIZATION_FORMAT_SKOPS:
        return _SKOPS_MODEL_DATA_SUBPATH, _dump_skops(sk_model)
    _logger.warning(
        "Saving the model with %s: loading it runs whatever code the file contains, so "
        "workbench will load it only on this machine (which records what it wrote), from a "
        "directory in $WORKBENCH_TRUSTED_LOCATIONS, or with trusted=True. The 'skops' format "
        "(the default) does not run code when it is loaded.",
        serialization_format,
    )
    return _PICKLE_MODEL_DATA_SUBPATH, _dump_pickle(sk_model, serialization_format)


def _skops_refusal(path: os.PathLike | str, remaining: list[str], declared: Any) -> WorkbenchException:
    message = (
        f"Refusing to load the scikit-learn model {os.fspath(path)!r}: the skops file holds "
        f"types that skops does not trust by default: {remaining}. A crafted file can misuse "
        "them (skops explains each type's risk in skops.io.get_untrusted_types' documentation). "
        "workbench trusts every type in a skops file only when this machine wrote it (its "
        "sha256 is recorded) or it lies under a directory listed in "
        f"${_trust.TRUSTED_LOCATIONS_ENV}. If you trust the source of this model, pass "
        f"skops_trusted_types={remaining} to allow exactly these types (workbench.sklearn."
        "load_model), or trusted=True to allow everything in the file (workbench.sklearn."
        "load_model or workbench.pyfunc.load_model)."
    )
    if declared:
        message += (
            f" (The model's MLmodel file lists skops_trusted_types {list(declared)}; workbench "
            "does not take trust from the model's own files.)"
        )
    return WorkbenchException(message, error_code=PERMISSION_DENIED)


def _skops_types_to_allow(
    data: bytes,
    path: pathlib.Path,
    *,
    trusted: bool | None,
    skops_trusted_types: list[str] | None,
    declared: Any = None,
) -> tuple[list[str], bool]:
    """Return ``(types to pass skops, whether the whole file is trusted)`` or refuse.

    The whole file is trusted when the caller says so or this machine wrote it (or it lies
    under a trusted location); otherwise every type skops does not trust by default must be
    in the caller's ``skops_trusted_types``.
    """
    import skops.io

    untrusted = skops.io.get_untrusted_types(data=data)
    fully_trusted = trusted is True or (
        trusted is None and _trust.machine_trusts(path, _trust.sha256_bytes(data))
    )
    if not fully_trusted:
        allowed = set(skops_trusted_types or ())
        remaining = [name for name in untrusted if name not in allowed]
        if remaining:
            raise _skops_refusal(path, remaining, declared)
    return untrusted, fully_trusted


def _load_model_file(
    path: pathlib.Path,
    serialization_format: str,
    *,
    trusted: bool | None,
    skops_trusted_types: list[str] | None,
    declared: Any = None,
    code: tuple[pathlib.Path, dict[str, Any]] | None = None,
) -> Any:
    """Load the estimator file at ``path`` under the trust policy.

    The file is read once and the checked bytes are loaded, so it cannot change in
    between. ``code`` (the model directory and the flavor's conf) names the ``code/``
    directory to put on ``sys.path``; that happens only after the model file passed the
    trust check, and each code file is checked in turn (as ``workbench.pyfunc.load_model``
    does).
    """
    serialization_format = _check_serialization_format(serialization_format)
    what = f"a scikit-learn model ({serialization_format})"
    if serialization_format == SERIALIZATION_FORMAT_SKOPS:
        import skops.io

        data = _read_model_bytes(path, what)
        allowed, fully_trusted = _skops_types_to_allow(
            data, path, trusted=trusted, skops_trusted_types=skops_trusted_types, declared=declared
        )
        # skops imports only the modules of types it may build; the model's own code can
        # matter only when the file, or some of its types, were trusted.
        if code is not None and (fully_trusted or skops_trusted_types):
            _add_code_to_path(*code, trusted)
        return skops.io.loads(data, trusted=allowed)
    data = _trust.read_trusted_bytes(path, trusted=trusted, what=what)
    if code is not None:
        _add_code_to_path(*code, trusted)
    if serialization_format == SERIALIZATION_FORMAT_CLOUDPICKLE:
        import cloudpickle

        return cloudpickle.loads(data)
    return pickle.loads(data)  # noqa: S301 - trust checked by read_trusted_bytes


def _add_code_to_path(model_dir: pathlib.Path, conf: dict[str, Any], trusted: bool | None) -> None:
    from workbench.models._pyfunc import _add_code_to_path as add

    add(model_dir, conf, trusted)


def _read_model_bytes(path: pathlib.Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise WorkbenchException(
            f"Expected {what} at {os.fspath(path)!r}, but there is no such file.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        ) from None


# ============================================================================ save


def _copy_extra_files(extra_files: Any, root: pathlib.Path) -> dict[str, Any]:
    """Copy local ``extra_files`` into ``root/extra_files``; return the flavor's config."""
    if not extra_files:
        return {}
    if not isinstance(extra_files, list):
        raise WorkbenchException(
            f"Expected extra_files as a list of local file paths, got {type(extra_files).__name__}: {extra_files!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    target = root / _EXTRA_FILES_SUBDIR
    target.mkdir()
    entries = []
    for item in extra_files:
        text = os.fspath(item)
        parsed = urllib.parse.urlparse(text)
        if parsed.scheme == "file":
            text = urllib.parse.unquote(parsed.path)
        elif len(parsed.scheme) > 1:
            raise WorkbenchException(
                f"Cannot copy the extra file {text!r}: only local files are supported (no "
                f"{parsed.scheme!r} URIs yet). Download it first and pass its local path.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        source = pathlib.Path(text).expanduser()
        if not source.is_file():
            raise WorkbenchException(
                f"Expected each extra file to be an existing local file, got {text!r}.",
                error_code=RESOURCE_DOES_NOT_EXIST,
            )
        destination = safe_join(target, source.name)
        if destination.exists():
            raise WorkbenchException(
                f"Two extra files are named {source.name!r}; expected distinct file names "
                "(they are stored side by side in 'extra_files/').",
                error_code=RESOURCE_ALREADY_EXISTS,
            )
        shutil.copyfile(source, destination)
        entries.append({"path": f"{_EXTRA_FILES_SUBDIR}/{source.name}"})
    return {"extra_files": entries}


def _signature_predictor(sk_model: Any, pyfunc_predict_fn: str) -> Any:
    """Return ``predict(data, params=None)`` for signature inference, or None.

    The method the pyfunc will call describes its output; ``score`` needs targets, so it
    falls back to ``predict``. sklearn methods take no params: they are dropped.
    """
    name = pyfunc_predict_fn if pyfunc_predict_fn != "score" else "predict"
    method = getattr(sk_model, name, None) or getattr(sk_model, "predict", None)
    return None if method is None else _accepting_params(method)


def save_model(
    sk_model: Any,
    path: str | os.PathLike,
    conda_env: Any = None,
    code_paths: list[str] | None = None,
    mlflow_model: Any = None,
    serialization_format: str | None = None,
    signature: Any = None,
    input_example: Any = None,
    pip_requirements: Any = None,
    extra_pip_requirements: Any = None,
    pyfunc_predict_fn: str = "predict",
    metadata: dict[str, Any] | None = None,
    skops_trusted_types: list[str] | None = None,
    extra_files: list[str] | None = None,
) -> None:
    """Save a scikit-learn estimator to the directory ``path`` in MLflow's layout.

    Parameters
    ----------
    sk_model : estimator
        A scikit-learn estimator or pipeline.
    path : str or os.PathLike
        The model directory to create; it must not exist or be empty. It appears complete
        or not at all (written under a temporary name, then renamed).
    conda_env : dict or str, optional
        A whole conda environment (dict or YAML path) instead of the default requirements.
    code_paths : list of str, optional
        Files or directories copied into ``code/`` and put on ``sys.path`` when loading.
    mlflow_model : Model, optional
        The :class:`~workbench.models.Model` the flavors are added to; a new one by default.
    serialization_format : {"skops", "cloudpickle", "pickle"}, optional
        ``"skops"`` (the default; None means it too) loads without running code from the
        file. ``"cloudpickle"`` stores what skops cannot (classes defined in a notebook,
        lambdas) and ``"pickle"`` is plain pickle; both run code when loaded, so they load
        only where they are trusted (see :func:`load_model`).
    signature : ModelSignature, optional
        The model's signature. Inferred from ``input_example`` when not given (with the
        method ``pyfunc_predict_fn`` names); ``False`` saves none.
    input_example : optional
        An example input, saved as ``input_example.json``.
    pip_requirements, extra_pip_requirements : list of str or str, optional
        Replace, or add to, the default requirements (``scikit-learn`` pinned, and
        ``skops`` or ``cloudpickle`` by format).
    pyfunc_predict_fn : str, default "predict"
        The estimator method the ``python_function`` flavor calls: one of
        ``SUPPORTED_PYFUNC_PREDICT_FNS``. When the estimator lacks it, no
        ``python_function`` flavor is written (with a warning), as in MLflow.
    metadata : dict, optional
        Custom metadata stored in ``MLmodel``.
    skops_trusted_types : list of str, optional
        Written to the ``sklearn`` flavor for MLflow, which needs it to load a skops model
        holding types skops does not trust by default (for example
        ``["sklearn.tree._tree.Tree"]`` for tree ensembles). workbench itself does not read
        it back: models saved here load here anyway, because this machine records what it
        wrote.
    extra_files : list of str, optional
        Local files copied into ``extra_files/``.

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` for an unknown format or ``pyfunc_predict_fn``, an
        estimator the format cannot store, or conflicting requirement arguments;
        ``RESOURCE_ALREADY_EXISTS`` when ``path`` exists and is not empty.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from workbench.models._sklearn_flavor import load_model, save_model
    >>> old_store = os.environ.get("WORKBENCH_TRUST_STORE")
    >>> os.environ["WORKBENCH_TRUST_STORE"] = os.path.join(tempfile.mkdtemp(), "trusted.sqlite")
    >>> X, y = load_iris(return_X_y=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "tree")
    >>> save_model(DecisionTreeClassifier(max_depth=2).fit(X, y), path)
    >>> sorted(os.listdir(path))
    ['MLmodel', 'conda.yaml', 'model.skops', 'python_env.yaml', 'requirements.txt']
    >>> load_model(path).predict(X[:3])  # a Tree, loaded without opt-in: this machine wrote it
    array([0, 0, 0])
    >>> _ = os.environ.pop("WORKBENCH_TRUST_STORE") if old_store is None else os.environ.update(WORKBENCH_TRUST_STORE=old_store)
    """
    import sklearn

    from workbench.models._model import Model
    from workbench.models._pyfunc import add_to_model
    from workbench.models._requirements import _check_one_source
    from workbench.models._save import finish_model_dir, staged_model_dir

    _check_one_source(conda_env, pip_requirements, extra_pip_requirements)
    serialization_format = _check_serialization_format(serialization_format)
    pyfunc_predict_fn = _check_predict_fn(pyfunc_predict_fn)
    skops_trusted_types = _check_type_list(skops_trusted_types, "skops_trusted_types")
    # Serialise before touching the disk: an estimator that cannot be stored fails fast.
    model_file_name, model_bytes = _serialize(sk_model, serialization_format)
    model = mlflow_model if mlflow_model is not None else Model()
    code_subdir = _CODE_SUBDIR if code_paths is not None else None

    with staged_model_dir(path) as staging:
        model_file = safe_join(staging, model_file_name)
        atomic_write_bytes(model_file, model_bytes)
        _trust.record_trusted_file(model_file)
        extra_files_config = _copy_extra_files(extra_files, staging)
        if hasattr(sk_model, pyfunc_predict_fn):
            add_to_model(
                model,
                loader_module=PYFUNC_LOADER_MODULE,
                model_path=model_file_name,
                conda_env=_CONDA_ENV_FILE_NAME,
                python_env=_PYTHON_ENV_FILE_NAME,
                code=code_subdir,
                predict_fn=pyfunc_predict_fn,
            )
        else:
            _logger.warning(
                "The %s model has no %s method, so no python_function flavor is written: "
                "workbench.pyfunc.load_model cannot load this model (workbench.sklearn.load_model can).",
                type(sk_model).__name__,
                pyfunc_predict_fn,
            )
        model.add_flavor(
            FLAVOR_NAME,
            pickled_model=model_file_name,
            sklearn_version=sklearn.__version__,
            serialization_format=serialization_format,
            code=code_subdir,
            skops_trusted_types=skops_trusted_types,
            **extra_files_config,
        )
        default_requirements = get_default_pip_requirements(
            include_cloudpickle=serialization_format == SERIALIZATION_FORMAT_CLOUDPICKLE,
            include_skops=serialization_format == SERIALIZATION_FORMAT_SKOPS,
        )
        finish_model_dir(
            model,
            staging,
            signature=signature,
            input_example=input_example,
            metadata=metadata,
            default_requirements=default_requirements,
            pip_requirements=pip_requirements,
            extra_pip_requirements=extra_pip_requirements,
            conda_env=conda_env,
            code_paths=code_paths,
            infer_from=_signature_predictor(sk_model, pyfunc_predict_fn),
        )


def log_model(
    sk_model: Any,
    artifact_path: str | None = None,
    conda_env: Any = None,
    code_paths: list[str] | None = None,
    serialization_format: str | None = None,
    registered_model_name: str | None = None,
    signature: Any = None,
    input_example: Any = None,
    await_registration_for: int = 300,
    pip_requirements: Any = None,
    extra_pip_requirements: Any = None,
    pyfunc_predict_fn: str = "predict",
    metadata: dict[str, Any] | None = None,
    extra_files: list[str] | None = None,
    params: dict[str, Any] | None = None,
    tags: dict[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
    name: str | None = None,
    skops_trusted_types: list[str] | None = None,
    **kwargs: Any,
) -> Any:
    """Log a scikit-learn model to a run of the workspace, and register it if asked.

    Takes :func:`save_model`'s arguments plus MLflow's logging ones; see
    :meth:`workbench.models.Model.log` for ``name`` / ``artifact_path``, the run used and
    what is recorded.

    Parameters
    ----------
    sk_model : estimator
        The estimator to log.
    artifact_path : str, optional
        Deprecated in MLflow 3; use ``name``.
    registered_model_name : str, optional
        Also register the model as a new version of this registered model (created on
        first use); ``models:/<registered_model_name>/<version>`` then loads it.
    name : str, optional
        The model's path under the run's artifacts (default ``"model"``).
    conda_env, code_paths, serialization_format, signature, input_example, \
pip_requirements, extra_pip_requirements, pyfunc_predict_fn, metadata, extra_files, \
skops_trusted_types
        As in :func:`save_model`.
    await_registration_for, params, tags, model_type, step, model_id, **kwargs
        As in :meth:`workbench.models.Model.log`.

    Returns
    -------
    ModelInfo
        ``model_uri`` ``runs:/<run_id>/<name>``; ``registered_model_version`` when registered.

    Examples
    --------
    >>> import tempfile, workbench, workbench.sklearn
    >>> from sklearn.linear_model import LinearRegression
    >>> _ = workbench.store.set_workspace(tempfile.mkdtemp())  # doctest: +SKIP
    >>> with workbench.start_run():  # doctest: +SKIP
    ...     info = workbench.sklearn.log_model(LinearRegression().fit([[0], [1]], [0, 1]), name="lr",
    ...                                        registered_model_name="lr")
    >>> info.registered_model_version  # doctest: +SKIP
    1
    """
    import sys

    from workbench.models._model import Model

    return Model.log(
        artifact_path=artifact_path,
        name=name,
        flavor=sys.modules[__name__],
        sk_model=sk_model,
        conda_env=conda_env,
        code_paths=code_paths,
        serialization_format=serialization_format,
        registered_model_name=registered_model_name,
        signature=signature,
        input_example=input_example,
        await_registration_for=await_registration_for,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        pyfunc_predict_fn=pyfunc_predict_fn,
        metadata=metadata,
        extra_files=extra_files,
        params=params,
        tags=tags,
        model_type=model_type,
        step=step,
        model_id=model_id,
        skops_trusted_types=skops_trusted_types,
        **kwargs,
    )


# ============================================================================ load


def _flavor_conf(model: Any, model_dir: pathlib.Path) -> dict[str, Any]:
    conf = model.flavors.get(FLAVOR_NAME)
    if not isinstance(conf, dict):
        raise WorkbenchException(
            f'The model at {os.fspath(model_dir)!r} does not have the "{FLAVOR_NAME}" flavor '
            f"(its flavors: {sorted(model.flavors)}). Expected a model saved with "
            "workbench.sklearn.save_model or mlflow.sklearn.save_model; load others with "
            "workbench.pyfunc.load_model.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    return conf


def load_model(
    model_uri: str | os.PathLike,
    dst_path: str | os.PathLike | None = None,
    *,
    trusted: bool | None = None,
    skops_trusted_types: list[str] | None = None,
) -> Any:
    """Load a scikit-learn estimator saved with the ``sklearn`` flavor.

    Parameters
    ----------
    model_uri : str or os.PathLike
        The model directory (or its ``MLmodel`` file, or a ``file://`` URI),
        ``runs:/<run_id>/<path>`` or ``models:/<name>/<version|latest>`` /
        ``models:/<name>@<alias>``.
    dst_path : str or os.PathLike, optional
        Where MLflow downloads a remote model. Local models are read in place, so it is
        only checked to be an existing directory when given.
    trusted : bool, optional
        ``True``: trust the model file (a pickle is unpickled; every type in a skops file
        is allowed). ``False``: do not consult this machine's records or trusted locations.
        ``None`` (default): trust what this machine wrote (its sha256 is recorded) and
        files under ``$WORKBENCH_TRUSTED_LOCATIONS``.
    skops_trusted_types : list of str, optional
        For a skops file that is not otherwise trusted: the types (as
        ``skops.io.get_untrusted_types`` names them) you allow, e.g.
        ``["sklearn.tree._tree.Tree"]``. The list in the model's ``MLmodel`` is not used.

    Returns
    -------
    estimator

    Raises
    ------
    WorkbenchException
        ``PERMISSION_DENIED`` when the file is a pickle not trusted as above, or a skops
        file holding types nobody trusted (the message lists them and how to opt in);
        ``RESOURCE_DOES_NOT_EXIST`` when the model or its file is missing or has no
        ``sklearn`` flavor; ``INVALID_PARAMETER_VALUE`` for an unknown
        ``serialization_format``.

    Examples
    --------
    >>> import os, pickle, tempfile
    >>> from workbench.models._model import Model
    >>> model_dir = tempfile.mkdtemp()  # a model someone else wrote, as a pickle
    >>> with open(os.path.join(model_dir, "model.pkl"), "wb") as fh:
    ...     pickle.dump({"not": "an estimator"}, fh)
    >>> Model(flavors={"sklearn": {"pickled_model": "model.pkl",
    ...                            "serialization_format": "pickle"}}).save(model_dir)
    >>> load_model(model_dir)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Refusing to load a scikit-learn model (pickle) from '...model.pkl': it is a pickle file...
    >>> load_model(model_dir, trusted=True)
    {'not': 'an estimator'}
    """
    from workbench.models._model import Model

    trusted = _trust.check_trusted(trusted)
    skops_trusted_types = _check_type_list(skops_trusted_types, "skops_trusted_types")
    if dst_path is not None and not os.path.isdir(dst_path):
        raise WorkbenchException(
            f"dst_path {os.fspath(dst_path)!r} is not an existing directory. Expected an existing "
            "directory, or leave it out for a local model.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    model = Model.load(model_uri)
    model_dir = pathlib.Path(model._model_dir)
    conf = _flavor_conf(model, model_dir)
    pickled_model = conf.get("pickled_model")
    if not isinstance(pickled_model, str):
        raise WorkbenchException(
            f"The sklearn flavor in {os.fspath(model_dir / 'MLmodel')!r} has no 'pickled_model' "
            f"file name (got {pickled_model!r}); expected e.g. 'model.skops' or 'model.pkl'.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return _load_model_file(
        safe_join(model_dir, pickled_model),
        conf.get("serialization_format", SERIALIZATION_FORMAT_PICKLE),
        trusted=trusted,
        skops_trusted_types=skops_trusted_types,
        declared=conf.get("skops_trusted_types"),
        code=(model_dir, conf),
    )


class _SklearnModelWrapper:
    """What ``workbench.pyfunc.load_model`` wraps: an estimator behind pyfunc's methods.

    ``predict(data, params=None)`` calls the estimator method the model was saved with
    (``pyfunc_predict_fn``); ``predict_proba``, ``predict_log_proba``,
    ``predict_joint_log_proba`` and ``score`` exist exactly when the estimator has them.
    ``params`` are accepted for the pyfunc interface and not passed on (sklearn's methods
    take none), as in MLflow.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> wrapper = _SklearnModelWrapper(LogisticRegression(max_iter=500).fit(X, y))
    >>> wrapper.predict(X[:2]), wrapper.predict_proba(X[:2]).shape
    (array([0, 0]), (2, 3))
    >>> hasattr(wrapper, "predict_joint_log_proba")
    False
    """

    _OPTIONAL_METHODS = ("predict_proba", "predict_log_proba", "predict_joint_log_proba", "score")

    def __init__(self, sklearn_model: Any, predict_fn: str = "predict") -> None:
        self.sklearn_model = sklearn_model
        self.predict_fn = predict_fn
        for name in self._OPTIONAL_METHODS:
            method = getattr(sklearn_model, name, None)
            if method is not None:
                setattr(self, name, _accepting_params(method))

    def get_raw_model(self) -> Any:
        """Return the estimator."""
        return self.sklearn_model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """Return the estimator's ``pyfunc_predict_fn`` (by default ``predict``) of ``data``."""
        method = getattr(self.sklearn_model, self.predict_fn, None)
        if method is None:
            raise WorkbenchException(
                f"The {type(self.sklearn_model).__name__} model has no {self.predict_fn!r} method, "
                "which its python_function flavor names as predict_fn.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        return method(data)

    def __repr__(self) -> str:
        return f"_SklearnModelWrapper({self.sklearn_model!r}, predict_fn={self.predict_fn!r})"


def _accepting_params(method: Any) -> Any:
    def call(data: Any, params: dict[str, Any] | None = None) -> Any:
        return method(data)

    call.__name__ = getattr(method, "__name__", "call")
    call.__doc__ = f"Return the estimator's {call.__name__} of ``data`` (``params`` are not used)."
    return call


def _locate(path: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path | None, Any]:
    """Return ``(model_dir, model_file or None, Model or None)`` for the path a pyfunc passes.

    MLflow passes the model directory (3.x: the pyfunc flavor's ``model_path`` names the
    file) or, for models whose pyfunc flavor has ``data``, the model file itself.
    """
    from workbench.models._model import Model

    if path.is_file():
        model_dir, model_file = path.parent, path
    else:
        model_dir, model_file = path, None
    try:
        model = Model.load(model_dir)
    except WorkbenchException as exc:
        if exc.error_code != RESOURCE_DOES_NOT_EXIST or model_file is None:
            raise
        model = None
    return model_dir, model_file, model


def _load_pyfunc(
    path: str | os.PathLike,
    model_config: dict[str, Any] | None = None,
    *,
    trusted: bool | None = None,
    skops_trusted_types: list[str] | None = None,
) -> _SklearnModelWrapper:
    """Load the estimator for ``workbench.pyfunc.load_model`` (loader ``mlflow.sklearn``).

    Parameters
    ----------
    path : str or os.PathLike
        The model directory, or the serialised estimator inside it (what MLflow passes
        when the pyfunc flavor has a ``data`` key).
    model_config : dict, optional
        Not used by sklearn models; accepted for the loader interface.
    trusted, skops_trusted_types
        As in :func:`load_model`.

    Returns
    -------
    _SklearnModelWrapper
    """
    trusted = _trust.check_trusted(trusted)
    skops_trusted_types = _check_type_list(skops_trusted_types, "skops_trusted_types")
    model_dir, model_file, model = _locate(pathlib.Path(path))
    flavors = model.flavors if model is not None else {}
    conf = flavors.get(FLAVOR_NAME) if isinstance(flavors.get(FLAVOR_NAME), dict) else {}
    pyfunc_conf = flavors.get("python_function") if isinstance(flavors.get("python_function"), dict) else {}
    if model_file is None:
        name = pyfunc_conf.get("model_path") or conf.get("pickled_model")
        if not isinstance(name, str):
            raise WorkbenchException(
                f"Cannot find the serialised scikit-learn model in {os.fspath(model_dir)!r}: its MLmodel "
                "names no file (expected python_function.model_path or sklearn.pickled_model, "
                "e.g. 'model.skops').",
                error_code=RESOURCE_DOES_NOT_EXIST,
            )
        model_file = safe_join(model_dir, name)
    if not conf:
        _logger.warning(
            "The model at %s has no sklearn flavor configuration; reading %s as a pickle, as MLflow does.",
            os.fspath(model_dir),
            os.fspath(model_file),
        )
    estimator = _load_model_file(
        model_file,
        conf.get("serialization_format", SERIALIZATION_FORMAT_PICKLE),
        trusted=trusted,
        skops_trusted_types=skops_trusted_types,
        declared=conf.get("skops_trusted_types"),
        # workbench.pyfunc.load_model has put the code directory on sys.path already.
    )
    return _SklearnModelWrapper(estimator, predict_fn=pyfunc_conf.get("predict_fn", "predict"))
