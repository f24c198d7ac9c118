"""The MLmodel file as data: :class:`Model`, :class:`ModelInfo` and :func:`get_model_info`.

A model directory holds an ``MLmodel`` YAML file that says how to load the model (its
*flavors*) and what it expects (its signature, an input example, metadata, resources,
environment variables). :class:`Model` reads and writes that file in the layout
MLflow 3.17.2 writes, so that ``mlflow.models.Model.load`` reads ours and we read theirs:

- keys sorted, block style, through ``yaml.safe_dump`` (as MLflow does);
- the signature as ``inputs`` / ``outputs`` / ``params`` JSON strings, with the
  ``is_signature_from_type_hint`` and ``type_hint_from_example`` flags beside it;
- ``utc_time_created`` as ``str(datetime)`` of a naive UTC time, e.g.
  ``'2026-01-12 05:17:31.634689'``;
- ``run_id`` and ``artifact_path`` left out when None, ``model_id`` and ``prompts``
  written even when None (MLflow 3.17.2 writes ``null`` for both);
- keys this class does not know are kept and written back unchanged.

The version keys
----------------
MLflow writes ``mlflow_version`` (the MLflow release that wrote the file) and never reads
it back for anything but :attr:`ModelInfo.mlflow_version`: MLflow 3.17.2 neither refuses
nor warns about any value, and when the key is absent it reads None and leaves the key out
when it writes the model again. Tools that parse the value (serving platforms choosing the
MLflow release to install) expect a version number. workbench therefore writes
``mlflow_version:`` :data:`MLFLOW_FORMAT_VERSION` -- the MLflow release whose MLmodel
format the file follows -- and records its own release in the extra key
``workbench_version``, which MLflow keeps (as an unknown key) and writes back. A file
read from disk keeps whatever both keys held, including their absence.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import pathlib
import uuid
from collections.abc import Callable
from typing import IO, Any

import yaml

from workbench._exceptions import (
    INVALID_PARAMETER_VALUE,
    NOT_IMPLEMENTED,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import atomic_write_text, safe_join
from workbench.models._uri import MLMODEL_FILE_NAME, resolve_model_path

#: The MLflow release whose MLmodel format workbench writes; the value of ``mlflow_version``.
#: Bump it (and re-run tests/models/test_model_oracle.py) when following a newer format.
MLFLOW_FORMAT_VERSION = "3.17.2"

#: MLmodel keys with a meaning to MLflow (``_MLFLOW_VERSION_KEY`` there) and to workbench.
MLFLOW_VERSION_KEY = "mlflow_version"
WORKBENCH_VERSION_KEY = "workbench_version"

# Signature flags MLflow writes next to the signature (attributes of ModelSignature).
_TYPE_HINT_FLAGS = {
    "is_signature_from_type_hint": "_is_signature_from_type_hint",
    "type_hint_from_example": "_is_type_hint_from_example",
}

# Fields to_dict writes first, in the order MLflow's to_dict emits them.
_PLAIN_FIELDS = (
    "run_id",
    "artifact_path",
    "utc_time_created",
    "flavors",
    "model_uuid",
    MLFLOW_VERSION_KEY,
    WORKBENCH_VERSION_KEY,
    "prompts",
    "model_id",
)

# Plain fields that are not written when None (MLflow pops the first three).
_OMIT_WHEN_NONE = ("run_id", "artifact_path", MLFLOW_VERSION_KEY, WORKBENCH_VERSION_KEY)

# Every keyword of Model.__init__ that from_dict may pass through.
_INIT_KEYS = frozenset(
    {
        "artifact_path",
        "run_id",
        "utc_time_created",
        "flavors",
        "signature",
        "saved_input_example_info",
        "model_uuid",
        MLFLOW_VERSION_KEY,
        "metadata",
        "model_size_bytes",
        "resources",
        "env_vars",
        "auth_policy",
        "model_id",
        "prompts",
        WORKBENCH_VERSION_KEY,
    }
)


_invalid = WorkbenchException.invalid_parameter_value


def _workbench_version() -> str:
    from workbench import __version__

    return __version__


def _new_uuid() -> str:
    return uuid.uuid4().hex


def _utc_now_text() -> str:
    # MLflow writes str() of a naive UTC datetime ('YYYY-MM-DD HH:MM:SS.ffffff').
    return str(_dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None))


def _check_mapping(value: Any, what: str) -> dict[str, Any] | None:
    if value is not None and not isinstance(value, dict):
        raise _invalid(
            f"Expected {what} to be a dict or None, got {type(value).__name__}: {value!r}."
        )
    return value


def _check_str_list(value: Any, what: str) -> list[str] | None:
    if value and not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
        raise _invalid(f"Expected {what} to be a list of str or None, got {value!r}.")
    return value


class ModelInfo:
    """The metadata of a saved model, as :meth:`Model.get_model_info` reports it.

    Parameters
    ----------
    artifact_path, flavors, model_uri, model_uuid, run_id, saved_input_example_info, \
signature, utc_time_created, mlflow_version, signature_dict, metadata, \
registered_model_version, env_vars
        As the properties of the same names.
    prompts : list of str, optional
        URIs of the prompts associated with the model (MLflow 3).
    model_id : str, optional
        The id of the logged model, when the MLmodel file records one (MLflow 3).

    Examples
    --------
    >>> info = Model(artifact_path="model", run_id="abc", flavors={"sklearn": {}}).get_model_info()
    >>> info.model_uri, list(info.flavors)
    ('runs:/abc/model', ['sklearn'])
    """

    def __init__(
        self,
        artifact_path: str | None,
        flavors: dict[str, Any],
        model_uri: str | None,
        model_uuid: str | None,
        run_id: str | None,
        saved_input_example_info: dict[str, Any] | None,
        signature: Any,
        utc_time_created: str,
        mlflow_version: str | None,
        signature_dict: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        registered_model_version: int | None = None,
        env_vars: list[str] | None = None,
        *,
        prompts: list[str] | None = None,
        model_id: str | None = None,
    ) -> None:
        self._artifact_path = artifact_path
        self._flavors = flavors
        self._model_uri = model_uri
        self._model_uuid = model_uuid
        self._run_id = run_id
        self._saved_input_example_info = saved_input_example_info
        self._signature = signature
        if signature_dict is None and signature is not None:
            signature_dict = signature.to_dict()
        self._signature_dict = signature_dict
        self._utc_time_created = utc_time_created
        self._mlflow_version = mlflow_version
        self._metadata = metadata
        self._registered_model_version = registered_model_version
        self.env_vars = env_vars
        self._prompts = prompts
        self._model_id = model_id

    @property
    def artifact_path(self) -> str | None:
        """The run-relative path of the model, e.g. ``'model'`` (None for a local model)."""
        return self._artifact_path

    @property
    def flavors(self) -> dict[str, Any]:
        """Flavor name -> the parameters for loading the model as that flavor."""
        return self._flavors

    @property
    def model_uri(self) -> str | None:
        """Where the model can be loaded from.

        ``models:/<model_id>`` when the model has a model id, else
        ``runs:/<run_id>/<artifact_path>`` when it has a run id (MLflow's rule), else the
        local directory it was loaded from.
        """
        return self._model_uri

    @property
    def model_uuid(self) -> str | None:
        """The model's UUID, e.g. ``'39ca11813cfc46b09ab83972740b80ca'``."""
        return self._model_uuid

    @property
    def run_id(self) -> str | None:
        """The id of the run the model was logged to, if any."""
        return self._run_id

    @property
    def saved_input_example_info(self) -> dict[str, Any] | None:
        """The ``saved_input_example_info`` of the MLmodel file (see :class:`Model`)."""
        return self._saved_input_example_info

    @property
    def signature(self) -> Any:
        """The model's :class:`~workbench.models.ModelSignature`, or None."""
        return self._signature

    @property
    def signature_dict(self) -> dict[str, Any] | None:
        """The signature as :meth:`ModelSignature.to_dict` writes it, or None."""
        return self._signature_dict

    @property
    def utc_time_created(self) -> str:
        """When the model was created (UTC), e.g. ``'2022-01-12 05:17:31.634689'``."""
        return self._utc_time_created

    @property
    def mlflow_version(self) -> str | None:
        """The ``mlflow_version`` of the MLmodel file (see the notes of this module)."""
        return self._mlflow_version

    @property
    def metadata(self) -> dict[str, Any] | None:
        """User-defined metadata of the model."""
        return self._metadata

    @property
    def registered_model_version(self) -> int | None:
        """The registered model version, if the model is registered (settable)."""
        return self._registered_model_version

    @registered_model_version.setter
    def registered_model_version(self, value: int | None) -> None:
        self._registered_model_version = value

    @property
    def env_vars(self) -> list[str] | None:
        """Names of the environment variables the model used when it was saved (settable)."""
        return self._env_vars

    @env_vars.setter
    def env_vars(self, value: list[str] | None) -> None:
        self._env_vars = _check_str_list(value, "env_vars")

    @property
    def prompts(self) -> list[str] | None:
        """URIs of the prompts associated with the model, if any."""
        return self._prompts

    @property
    def model_id(self) -> str | None:
        """The logged model's id recorded in the MLmodel file, if any."""
        return self._model_id

    def __repr__(self) -> str:
        return (
            f"ModelInfo(model_uri={self._model_uri!r}, flavors={sorted(self._flavors)!r}, "
            f"model_uuid={self._model_uuid!r})"
        )


class Model:
    """A model described by an MLmodel file: its flavors, signature, example and metadata.

    Parameters
    ----------
    artifact_path : str, optional
        The run-relative path of the model (set when it is logged to a run).
    run_id : str, optional
        The id of the run the model belongs to.
    utc_time_created : str or datetime, optional
        Creation time (UTC); defaults to now. Stored as ``str()`` of the value.
    flavors : dict, optional
        Flavor name -> parameters; see :meth:`add_flavor`.
    signature : ModelSignature, optional
        The model's input, output and params schemas. ``False`` is ignored (MLflow uses it
        to mean "do not infer one").
    saved_input_example_info : dict, optional
        Describes the saved input example (see :mod:`workbench.models._input_example`).
    model_uuid : str or callable, default a new ``uuid4().hex``
        A callable is called once to produce the id.
    mlflow_version : str or None, default :data:`MLFLOW_FORMAT_VERSION`
        Written as ``mlflow_version``; None leaves the key out.
    metadata : dict, optional
        User-defined metadata.
    model_size_bytes : int, optional
        Size of the model's files.
    resources : list of Resource, str, os.PathLike or dict, optional
        Resources needed to serve the model: objects, a YAML/JSON file, or the MLmodel
        mapping itself (see :mod:`workbench.models._resources`).
    env_vars : list of str, optional
        Names of environment variables the model uses.
    auth_policy : dict, optional
        MLflow 3's auth policy mapping (kept as data; an object with ``to_dict`` is
        converted).
    model_id : str, optional
        The logged model id (MLflow 3).
    prompts : list of str, optional
        URIs of associated prompts (MLflow 3).
    **kwargs
        Any other key; kept and written back unchanged. ``workbench_version`` defaults to
        the installed workbench release.

    Examples
    --------
    >>> model = Model(utc_time_created="2026-01-02 03:04:05.000006", model_uuid="0" * 32)
    >>> _ = model.add_flavor("python_function", loader_module="workbench.sklearn")
    >>> print(model.to_yaml(), end="")  # doctest: +ELLIPSIS
    flavors:
      python_function:
        loader_module: workbench.sklearn
    mlflow_version: 3.17.2
    model_id: null
    model_uuid: '00000000000000000000000000000000'
    prompts: null
    utc_time_created: '2026-01-02 03:04:05.000006'
    workbench_version: ...
    >>> Model.from_dict(model.to_dict()) == model
    True
    """

    def __init__(
        self,
        artifact_path: str | None = None,
        run_id: str | None = None,
        utc_time_created: str | _dt.datetime | None = None,
        flavors: dict[str, Any] | None = None,
        signature: Any = None,
        saved_input_example_info: dict[str, Any] | None = None,
        model_uuid: str | Callable[[], str] | None = _new_uuid,
        mlflow_version: str | None = MLFLOW_FORMAT_VERSION,
        metadata: dict[str, Any] | None = None,
        model_size_bytes: int | None = None,
        resources: Any = None,
        env_vars: list[str] | None = None,
        auth_policy: Any = None,
        model_id: str | None = None,
        prompts: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        object.__setattr__(self, "_extra", {})
        object.__setattr__(self, "_model_dir", None)
        self.run_id = run_id
        self.artifact_path = artifact_path
        self.utc_time_created = str(utc_time_created or _utc_now_text())
        self.flavors = flavors if flavors is not None else {}
        self._signature = None
        self.signature = signature
        self.saved_input_example_info = saved_input_example_info
        self.model_uuid = model_uuid() if callable(model_uuid) else model_uuid
        self.mlflow_version = mlflow_version
        self.workbench_version = kwargs.pop(WORKBENCH_VERSION_KEY, _workbench_version())
        self.metadata = metadata
        self.prompts = prompts
        self.model_size_bytes = model_size_bytes
        self.resources = resources
        self.env_vars = env_vars
        self.auth_policy = auth_policy
        self.model_id = model_id
        self._extra.update(kwargs)

    # ----------------------------------------------------------------- unknown keys

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: unknown MLmodel keys read as attributes,
        # as in MLflow, but they can never shadow a method or a property.
        extra = self.__dict__.get("_extra")
        if extra is not None and name in extra:
            return extra[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name in _PLAIN_FIELDS or hasattr(type(self), name):
            object.__setattr__(self, name, value)
        else:
            # A new public attribute is a new MLmodel key, as in MLflow.
            self._extra[name] = value

    # ----------------------------------------------------------------- properties

    @property
    def flavors(self) -> dict[str, Any]:
        """Flavor name -> the parameters for loading the model as that flavor."""
        return self._flavors

    @flavors.setter
    def flavors(self, value: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            raise _invalid(
                f"Expected flavors to be a dict of flavor name -> parameters, got "
                f"{type(value).__name__}: {value!r}."
            )
        self._flavors = value

    @property
    def signature(self) -> Any:
        """The model's :class:`~workbench.models.ModelSignature`, or None (settable)."""
        return self._signature

    @signature.setter
    def signature(self, value: Any) -> None:
        # False means "do not infer a signature" in save_model / log_model; it is not stored.
        if value is False:
            return
        if value is not None and not callable(getattr(value, "to_dict", None)):
            raise _invalid(
                "Expected signature to be a workbench.models.ModelSignature or None, got "
                f"{type(value).__name__}. Build one with infer_signature(inputs, outputs)."
            )
        self._signature = value

    @property
    def saved_input_example_info(self) -> dict[str, Any] | None:
        """Describes the saved input example, e.g.
        ``{"artifact_path": "input_example.json", "type": "dataframe", "pandas_orient": "split",
        "serving_input_path": "serving_input_example.json"}`` (settable)."""
        return self._saved_input_example_info

    @saved_input_example_info.setter
    def saved_input_example_info(self, value: dict[str, Any] | None) -> None:
        self._saved_input_example_info = _check_mapping(value, "saved_input_example_info")

    @property
    def metadata(self) -> dict[str, Any] | None:
        """User-defined metadata stored in the MLmodel file (settable)."""
        return self._metadata

    @metadata.setter
    def metadata(self, value: dict[str, Any] | None) -> None:
        self._metadata = _check_mapping(value, "metadata")

    @property
    def model_size_bytes(self) -> int | None:
        """The size of the model's files in bytes, if computed when it was saved (settable)."""
        return self._model_size_bytes

    @model_size_bytes.setter
    def model_size_bytes(self, value: int | None) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise _invalid(f"Expected model_size_bytes to be an int or None, got {value!r}.")
        self._model_size_bytes = value

    @property
    def resources(self) -> dict[str, Any] | None:
        """The resources needed to serve the model, in the MLmodel layout (settable).

        The setter accepts a list of :class:`~workbench.models.Resource`, a path to a
        YAML/JSON file of that layout, the mapping itself, or None.
        """
        return self._resources

    @resources.setter
    def resources(self, value: Any) -> None:
        from workbench.models._resources import resources_field

        self._resources = resources_field(value)

    @property
    def env_vars(self) -> list[str] | None:
        """Names of the environment variables the model uses (settable)."""
        return self._env_vars

    @env_vars.setter
    def env_vars(self, value: list[str] | None) -> None:
        self._env_vars = _check_str_list(value, "env_vars")

    @property
    def auth_policy(self) -> dict[str, Any] | None:
        """MLflow 3's auth policy mapping, kept as data (settable)."""
        return self._auth_policy

    @auth_policy.setter
    def auth_policy(self, value: Any) -> None:
        if value is not None and not isinstance(value, dict):
            to_dict = getattr(value, "to_dict", None)
            if not callable(to_dict):
                raise _invalid(f"Expected auth_policy to be a dict or None, got {value!r}.")
            value = to_dict()
        self._auth_policy = value

    # ----------------------------------------------------------------- schema access

    def get_input_schema(self) -> Any:
        """Return the signature's input schema, or None when the model has no signature."""
        return self.signature.inputs if self.signature is not None else None

    def get_output_schema(self) -> Any:
        """Return the signature's output schema, or None when the model has no signature."""
        return self.signature.outputs if self.signature is not None else None

    def get_params_schema(self) -> Any:
        """Return the signature's params schema, or None."""
        return getattr(self.signature, "params", None)

    def _is_signature_from_type_hint(self) -> bool:
        # MLflow's pyfunc layer asks the model (not the signature); kept for ported code.
        return bool(getattr(self.signature, "_is_signature_from_type_hint", False))

    def _is_type_hint_from_example(self) -> bool:
        return bool(getattr(self.signature, "_is_type_hint_from_example", False))

    def add_flavor(self, name: str, **params: Any) -> Model:
        """Add (or replace) the flavor ``name`` with ``params``; return the model.

        Examples
        --------
        >>> Model().add_flavor("sklearn", pickled_model="model.pkl").flavors
        {'sklearn': {'pickled_model': 'model.pkl'}}
        """
        self.flavors[name] = params
        return self

    # ----------------------------------------------------------------- model info

    def _model_uri(self) -> str | None:
        if self.model_id:
            return f"models:/{self.model_id}"
        if self.run_id:
            return f"runs:/{self.run_id}/{self.artifact_path}"
        return None if self._model_dir is None else str(self._model_dir)

    def get_model_info(self) -> ModelInfo:
        """Return a :class:`ModelInfo` with this model's metadata.

        Examples
        --------
        >>> Model(model_id="m-123").get_model_info().model_uri
        'models:/m-123'
        """
        return ModelInfo(
            artifact_path=self.artifact_path,
            flavors=self.flavors,
            model_uri=self._model_uri(),
            model_uuid=self.model_uuid,
            run_id=self.run_id,
            saved_input_example_info=self.saved_input_example_info,
            signature=self.signature,
            utc_time_created=self.utc_time_created,
            mlflow_version=self.mlflow_version,
            metadata=self.metadata,
            env_vars=self.env_vars,
            prompts=self.prompts,
            model_id=self.model_id,
        )

    # ----------------------------------------------------------------- input examples

    def _example_dir(self, path: str | os.PathLike | None) -> pathlib.Path:
        if path is not None:
            return resolve_model_path(path)
        if self._model_dir is not None:
            return self._model_dir
        if self.run_id:
            # Resolving the run's artifacts needs the workspace store; this says so.
            return resolve_model_path(f"runs:/{self.run_id}/{self.artifact_path}")
        raise _invalid(
            "This model was not loaded from a directory, so it does not know where its input "
            "example is. Pass the model directory: model.load_input_example('path/to/model')."
        )

    def load_input_example(self, path: str | os.PathLike | None = None) -> Any:
        """Load the input example saved with the model, or None if it has none.

        Parameters
        ----------
        path : str or os.PathLike, optional
            The model directory (or its MLmodel file, or a ``file://`` URI). Defaults to
            the directory the model was loaded from.

        Returns
        -------
        pandas.DataFrame, numpy.ndarray, dict, scipy sparse matrix, JSON value or None

        Raises
        ------
        InputExampleNotFoundError
            (a ``FileNotFoundError``) when the MLmodel file describes an example whose file
            is missing.
        """
        from workbench.models._input_example import read_input_example

        return read_input_example(self, self._example_dir(path))

    def load_input_example_params(
        self, path: str | os.PathLike | None = None
    ) -> dict[str, Any] | None:
        """Load the params saved with the input example, or None if there are none."""
        from workbench.models._input_example import read_input_example_params

        return read_input_example_params(self, self._example_dir(path))

    def load_serving_input_example(self, path: str | os.PathLike | None = None) -> str | None:
        """Return the serving input example (JSON text) saved with the model, or None."""
        from workbench.models._input_example import read_serving_input_example

        return read_serving_input_example(self, self._example_dir(path))

    def get_serving_input(self, path: str | os.PathLike | None = None) -> str | None:
        """MLflow 3's name for :meth:`load_serving_input_example`."""
        return self.load_serving_input_example(path)

    # ----------------------------------------------------------------- serialisation

    def to_dict(self) -> dict[str, Any]:
        """Return the MLmodel content as a dict of plain values.

        Examples
        --------
        >>> d = Model(artifact_path=None, flavors={}, model_uuid="u", env_vars=["TOKEN"]).to_dict()
        >>> [key for key in d if key not in ("utc_time_created", "workbench_version")]
        ['flavors', 'model_uuid', 'mlflow_version', 'prompts', 'model_id', 'env_vars']
        """
        result: dict[str, Any] = {}
        for name in _PLAIN_FIELDS:
            value = getattr(self, name)
            if value is None and name in _OMIT_WHEN_NONE:
                continue  # MLflow leaves these out when None
            result[name] = value
        result.update(self._extra)
        if self.signature is not None:
            result["signature"] = self.signature.to_dict()
            for key, attribute in _TYPE_HINT_FLAGS.items():
                result[key] = bool(getattr(self.signature, attribute, False))
        optional = {
            "saved_input_example_info": self.saved_input_example_info,
            "metadata": self.metadata,
            "resources": self.resources,
            "model_size_bytes": self.model_size_bytes,
            "auth_policy": self.auth_policy,
            "env_vars": self.env_vars,
        }
        result.update({key: value for key, value in optional.items() if value is not None})
        return result

    def to_yaml(self, stream: IO[str] | None = None) -> str | None:
        """Return the MLmodel YAML text, or write it to ``stream`` (then return None).

        The text is ``yaml.safe_dump(self.to_dict(), default_flow_style=False)``, exactly
        what MLflow writes.
        """
        try:
            return yaml.safe_dump(self.to_dict(), stream=stream, default_flow_style=False)
        except yaml.representer.RepresenterError as err:
            raise _invalid(
                f"The model cannot be written as YAML: {err.args[0]} {err.args[1]!r}. Metadata, "
                "flavor parameters and other fields must hold plain values (str, int, float, "
                "bool, None, lists and dicts); convert numpy values with .item() or .tolist()."
            ) from None

    def __str__(self) -> str:
        return self.to_yaml() or ""

    def __repr__(self) -> str:
        return f"Model(flavors={sorted(self.flavors)!r}, model_uuid={self.model_uuid!r})"

    def to_json(self) -> str:
        """Return the MLmodel content as JSON text."""
        return json.dumps(self.to_dict())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def save(self, path: str | os.PathLike) -> None:
        """Write the MLmodel YAML to ``path`` atomically.

        ``path`` is the file to write (as in MLflow); when it is an existing directory the
        file ``MLmodel`` inside it is written.

        Examples
        --------
        >>> import tempfile
        >>> model_dir = tempfile.mkdtemp()
        >>> Model(flavors={"python_function": {}}).save(model_dir)
        >>> list(Model.load(model_dir).flavors)
        ['python_function']
        """
        target = pathlib.Path(path)
        if target.is_dir():
            target = target / MLMODEL_FILE_NAME
        if not target.parent.is_dir():
            raise WorkbenchException(
                f"Cannot write the MLmodel file {os.fspath(target)!r}: the directory "
                f"{os.fspath(target.parent)!r} does not exist. Create the model directory first.",
                error_code=RESOURCE_DOES_NOT_EXIST,
            )
        atomic_write_text(target, self.to_yaml() or "")

    @classmethod
    def load(cls, path: str | os.PathLike) -> Model:
        """Read the MLmodel file of a model directory.

        Parameters
        ----------
        path : str or os.PathLike
            The model directory, its ``MLmodel`` file, or a ``file://`` URI of either.

        Returns
        -------
        Model

        Raises
        ------
        WorkbenchException
            ``RESOURCE_DOES_NOT_EXIST`` when there is no MLmodel file;
            ``INVALID_PARAMETER_VALUE`` when it is not plain YAML (a tag such as
            ``!!python/object`` is refused, never executed), is not a mapping, or
            ``path`` is a malformed ``runs:/`` or ``models:/`` URI; ``RESOURCE_DOES_NOT_EXIST``
            also for an unknown run, artifact, registered model, version or alias.
        """
        model_dir = resolve_model_path(path)
        mlmodel = safe_join(model_dir, MLMODEL_FILE_NAME)
        if not mlmodel.is_file():
            raise WorkbenchException(
                f'Could not find an "{MLMODEL_FILE_NAME}" configuration file at '
                f"{os.fspath(model_dir)!r}. Expected the directory of a saved model.",
                error_code=RESOURCE_DOES_NOT_EXIST,
            )
        model = cls.from_dict(_parse_mlmodel(mlmodel.read_text(encoding="utf-8"), mlmodel))
        model._model_dir = model_dir
        return model

    @classmethod
    def from_dict(cls, model_dict: dict[str, Any]) -> Model:
        """Build a model from the dict :meth:`to_dict` returns (or MLflow's ``to_dict``).

        Keys that are absent stay absent when the model is written again: no new
        ``model_uuid``, ``mlflow_version`` or ``workbench_version`` is made up.
        """
        if not isinstance(model_dict, dict):
            raise _invalid(
                f"Expected the MLmodel content as a mapping, got {type(model_dict).__name__}."
            )
        known = {key: value for key, value in model_dict.items() if key in _INIT_KEYS}
        extra = {key: value for key, value in model_dict.items() if key not in _INIT_KEYS}
        flags = {}
        raw_signature = known.get("signature")
        if raw_signature is not None:
            if not isinstance(raw_signature, dict):
                raise _invalid(
                    "Expected the MLmodel signature as a mapping of 'inputs', 'outputs' and "
                    f"'params' JSON strings, got {type(raw_signature).__name__}."
                )
            from workbench.models._signature import ModelSignature

            known["signature"] = ModelSignature.from_dict(raw_signature)
            flags = {key: extra.pop(key) for key in _TYPE_HINT_FLAGS if key in extra}
        for key in ("model_uuid", MLFLOW_VERSION_KEY, WORKBENCH_VERSION_KEY):
            known.setdefault(key, None)
        # The dict keeps the resources as written: entries workbench does not know survive.
        model = cls(**known)
        model._extra.update(extra)
        for key, attribute in _TYPE_HINT_FLAGS.items():
            if key in flags:
                setattr(model.signature, attribute, flags[key])
        return model

    @classmethod
    def log(
        cls,
        artifact_path: str | None,
        flavor: Any,
        registered_model_name: str | None = None,
        await_registration_for: int = 300,
        metadata: dict[str, Any] | None = None,
        run_id: str | None = None,
        resources: Any = None,
        auth_policy: Any = None,
        prompts: list[str] | None = None,
        name: str | None = None,
        model_type: str | None = None,
        params: dict[str, Any] | None = None,
        tags: dict[str, Any] | None = None,
        step: int = 0,
        model_id: str | None = None,
        **kwargs: Any,
    ) -> ModelInfo:
        """Log a model with ``flavor`` to a run of the workspace; register it if asked.

        The model is saved with ``flavor.save_model(path=..., mlflow_model=..., **kwargs)``
        into ``<artifacts of the run>/<name>`` (built under a temporary name beside it and
        renamed into place), its ``MLmodel`` carrying ``run_id``, ``artifact_path`` and
        ``utc_time_created``.

        Parameters
        ----------
        artifact_path : str or None
            MLflow 3 deprecates it in favour of ``name``; give one of them. Run-relative.
        flavor : module
            A flavor module with ``save_model`` (e.g. ``workbench.sklearn``).
        registered_model_name : str, optional
            Register the logged model as a new version of this registered model (created on
            first use).
        await_registration_for : int, default 300
            Accepted for MLflow compatibility; registration here is synchronous.
        metadata : dict, optional
            Custom metadata stored in MLmodel.
        run_id : str, optional
            The run to log to. Default: the active run, or a new run that stays active
            (MLflow 2's ``_get_or_start_run``).
        resources, auth_policy, prompts
            Recorded in MLmodel.
        name : str, optional
            The model's name: the artifact path under the run (default ``"model"``).
        model_type, params, tags, step, model_id
            MLflow 3's logged-model fields; the workspace keeps no logged-model entity, so
            ``tags`` are set on the registered version (as MLflow 3 also does) and
            ``model_type``, ``params`` and ``step`` are accepted and not recorded.
            ``model_id`` (an existing logged model) is refused.
        **kwargs
            Passed to ``flavor.save_model``.

        Returns
        -------
        ModelInfo
            ``model_uri`` is ``runs:/<run_id>/<name>``; ``registered_model_version`` is set
            when the model was registered.
        """
        from workbench._io import check_relative_path
        from workbench.store._uris import run_artifacts_dir

        if name is not None and artifact_path is not None:
            raise _invalid(
                "Both `artifact_path` (deprecated) and `name` parameters were specified. "
                "Please only specify `name`."
            )
        if model_id is not None:
            raise WorkbenchException(
                "model_id (logging into an existing MLflow 3 logged model) is not supported by "
                "the workbench workspace, which keeps models under runs. Leave it out.",
                error_code=NOT_IMPLEMENTED,
            )
        name = check_relative_path(name or artifact_path or "model")
        if not callable(getattr(flavor, "save_model", None)):
            raise _invalid(
                f"Expected flavor to be a flavor module with a save_model function (e.g. "
                f"workbench.sklearn), got {flavor!r}."
            )
        if registered_model_name is not None:
            from workbench.store._registry import check_model_name

            check_model_name(registered_model_name)  # refuse before anything is written
        run_id = _run_for_logging(run_id)
        artifacts = run_artifacts_dir(run_id)
        artifacts.mkdir(parents=True, exist_ok=True)
        target = safe_join(artifacts, name)
        mlflow_model = cls(
            artifact_path=name,
            run_id=run_id,
            metadata=metadata,
            resources=resources,
            auth_policy=auth_policy,
            prompts=prompts,
        )
        flavor.save_model(path=target, mlflow_model=mlflow_model, **kwargs)
        registered = None
        if registered_model_name is not None:
            from workbench.store._registry import get_registry

            registered = get_registry().create_model_version(
                registered_model_name,
                target,
                source=f"runs:/{run_id}/{name}",
                run_id=run_id,
                source_artifact_path=name,
                tags=tags,
            )
        model_info = mlflow_model.get_model_info()
        if registered is not None:
            model_info.registered_model_version = registered.version
        return model_info


def _run_for_logging(run_id: str | None) -> str:
    """Return ``run_id``, else the active run's id, else the id of a newly started run."""
    from workbench import _tracking

    if run_id is not None:
        from workbench.store._uris import run_artifacts_dir

        run_artifacts_dir(run_id)  # refuses an unknown or malformed run id
        return run_id
    active = _tracking.active_run()
    if active is None:
        # MLflow 2's rule (and the seed's): "If no run is active, this method will create a
        # new active run." The run stays active, as in MLflow.
        active = _tracking.start_run()
    return active.info.run_id


def _parse_mlmodel(text: str, where: pathlib.Path) -> dict[str, Any]:
    """Parse MLmodel YAML with ``yaml.safe_load``; refuse tags and non-mapping content."""
    try:
        data = yaml.safe_load(text)
    except yaml.constructor.ConstructorError as err:
        raise _invalid(
            f"The MLmodel file {os.fspath(where)!r} uses a YAML tag that builds Python objects "
            f"({err.problem}); workbench reads only plain YAML and never runs code from a "
            "model file. Remove the tag, or re-save the model."
        ) from None
    except yaml.YAMLError as err:
        raise _invalid(f"The MLmodel file {os.fspath(where)!r} is not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise _invalid(
            f"Expected the MLmodel file {os.fspath(where)!r} to hold a mapping of fields, got "
            f"{type(data).__name__}."
        )
    return data


def get_model_info(model_uri: str | os.PathLike) -> ModelInfo:
    """Return the :class:`ModelInfo` of the model at ``model_uri``.

    ``model_uri`` is a local path, ``runs:/<run_id>/<path>``, ``models:/<name>/<version>``,
    ``models:/<name>/latest`` or ``models:/<name>@<alias>``.

    Examples
    --------
    >>> import tempfile
    >>> model_dir = tempfile.mkdtemp()
    >>> Model(flavors={"python_function": {}}, metadata={"team": "risk"}).save(model_dir)
    >>> info = get_model_info(model_dir)
    >>> info.metadata, info.model_uri == str(resolve_model_path(model_dir))
    ({'team': 'risk'}, True)
    """
    return Model.load(model_uri).get_model_info()
