"""Model configuration: :class:`ModelConfig` and the ``model_config`` of pyfunc models.

A pyfunc model can carry a configuration: the ``model_config`` given to ``save_model`` is
stored in MLmodel (``python_function.config``, a mapping; a YAML file path is read and
stored as its mapping) and handed to the model when it loads, as
``context.model_config`` of a :class:`~workbench.pyfunc.PythonModel` and through
:class:`ModelConfig` inside models-from-code.

:class:`ModelConfig` follows MLflow 3.17.2 to the letter, including its three states:

- while no model is being loaded (the model file run by hand, in development),
  ``ModelConfig(development_config=...)`` reads the development configuration;
- while a models-from-code file runs inside ``load_model`` (or ``save_model``) the saved
  configuration wins and ``development_config`` is ignored;
- when such a model was saved without ``model_config``, building a ``ModelConfig`` while it
  loads raises :class:`ModelConfigNotFoundError` (a ``FileNotFoundError``, as in MLflow).

The saved configuration is visible only while the model file runs (MLflow's rule too): a
``ModelConfig`` made at the top of the file, as in the examples, sees it; one made later,
inside ``predict``, sees the development configuration.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import pathlib
import sys
from collections.abc import Iterator
from typing import Any

import yaml

from workbench._exceptions import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)

_logger = logging.getLogger(__name__)

#: The key of the configuration in the ``python_function`` flavor (MLflow's ``MODEL_CONFIG``).
CONFIG_KEY = "config"

# None: no model is loading (use development_config). "": a model is loading and was saved
# without a configuration. Otherwise the dict (or YAML path) the loading model was saved with.
_loading_config: contextvars.ContextVar[str | dict[str, Any] | None] = contextvars.ContextVar(
    "workbench_model_config", default=None
)


class ModelConfigNotFoundError(WorkbenchException, FileNotFoundError):
    """No configuration to read: none was given, or its file does not exist.

    Also a :class:`FileNotFoundError`, which is what MLflow raises here.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, error_code=RESOURCE_DOES_NOT_EXIST)


def _mlflow_loading_config() -> Any:
    # A model file written for workbench that MLflow itself loads: MLflow announces the
    # saved configuration in its own module. Read it only if mlflow is already imported.
    module = sys.modules.get("mlflow.models.model_config")
    return getattr(module, "__mlflow_model_config__", None) if module is not None else None


@contextlib.contextmanager
def config_context(config: str | dict[str, Any] | None) -> Iterator[None]:
    """Make ``config`` the saved configuration while a models-from-code file runs.

    ``None`` (a model saved without ``model_config``) makes :class:`ModelConfig` raise.

    Examples
    --------
    >>> with config_context({"key1": "value2"}):
    ...     ModelConfig(development_config={"key1": "value1"}).get("key1")
    'value2'
    >>> ModelConfig(development_config={"key1": "value1"}).get("key1")
    'value1'
    """
    token = _loading_config.set("" if config is None else config)
    try:
        yield
    finally:
        _loading_config.reset(token)


class ModelConfig:
    """ModelConfig used in code to read a YAML configuration file or a dictionary.

    Parameters
    ----------
    development_config : str, os.PathLike or dict, optional
        Path to a YAML configuration file, or a dict, used when the code runs outside of
        model loading. While a model saved with ``model_config`` loads, that configuration
        is used instead; see the notes of :mod:`workbench.models._config`.

    Raises
    ------
    ModelConfigNotFoundError
        (a ``FileNotFoundError``) when there is no configuration to use, or its file does
        not exist.

    Examples
    --------
    >>> from workbench.models._config import ModelConfig
    >>> config = ModelConfig(development_config={"key1": "value1"})
    >>> config.get("key1")
    'value1'

    From a YAML file:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "config.yaml")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("key1: value1\\nanother_key:\\n  - value2\\n  - value3\\n")
    >>> ModelConfig(development_config=path).to_dict()
    {'key1': 'value1', 'another_key': ['value2', 'value3']}
    """

    def __init__(self, *, development_config: str | os.PathLike | dict[str, Any] | None = None):
        loading = _loading_config.get()
        if loading is None:
            loading = _mlflow_loading_config()
        self.config: Any = loading if loading is not None else development_config
        if isinstance(self.config, os.PathLike):
            self.config = os.fspath(self.config)
        if not self.config:
            if loading == "":
                raise ModelConfigNotFoundError(
                    "This model file builds a ModelConfig, but the model is saved (or was "
                    "saved) without a model_config, so there is no configuration to read: "
                    "development_config is not used when a model is saved or loaded. Pass "
                    "model_config={...} or model_config='config.yaml' to save_model."
                )
            raise ModelConfigNotFoundError(
                "No configuration was given to ModelConfig. Expected development_config to be "
                f"a dict or the path of a YAML file, got {development_config!r}."
            )
        if not isinstance(self.config, dict) and not os.path.isfile(self.config):
            raise ModelConfigNotFoundError(
                f"Config file '{self.config}' not found. Expected the path of an existing YAML "
                "file, or a dict."
            )

    def _read_config(self) -> Any:
        if isinstance(self.config, dict):
            return self.config
        return read_config_file(self.config)

    def to_dict(self) -> Any:
        """Returns the configuration as a dictionary."""
        return self._read_config()

    def get(self, key: str) -> Any:
        """Gets the value of a top-level parameter in the configuration.

        Raises
        ------
        KeyError
            When the configuration has no key ``key``.

        Examples
        --------
        >>> ModelConfig(development_config={"a": 1}).get("b")
        Traceback (most recent call last):
        ...
        KeyError: "Key 'b' not found in configuration: {'a': 1}."
        """
        data = self._read_config()
        if data and key in data:
            return data[key]
        raise KeyError(f"Key '{key}' not found in configuration: {data}.")

    def __repr__(self) -> str:
        return f"ModelConfig(config={self.config!r})"


def read_config_file(path: str | os.PathLike) -> Any:
    """Read a YAML configuration file with ``yaml.safe_load``.

    Raises
    ------
    ModelConfigNotFoundError
        When the file does not exist.
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` when it is not valid (plain) YAML.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise ModelConfigNotFoundError(
            f"Config file '{os.fspath(path)}' not found. Expected the path of an existing YAML "
            "file, or a dict."
        ) from None
    except yaml.YAMLError as err:
        raise WorkbenchException(
            f"Error parsing YAML file {os.fspath(path)!r}: {err}. Expected plain YAML holding a "
            "mapping of configuration keys.",
            error_code=INVALID_PARAMETER_VALUE,
        ) from None


def check_model_config(model_config: Any) -> dict[str, Any] | None:
    """Check the ``model_config`` given to ``save_model`` and return it as a dict (or None).

    A path (str or ``os.PathLike``) is read as YAML; a dict must have str keys and
    JSON-serialisable values, as MLflow requires.

    Examples
    --------
    >>> check_model_config({"temperature": 0.1})
    {'temperature': 0.1}
    >>> check_model_config({1: "a"})
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Expected model_config to be a dict with str keys...
    """
    if not model_config:
        return None
    if isinstance(model_config, (str, os.PathLike)):
        path = pathlib.Path(os.path.abspath(os.fspath(model_config)))
        if not path.is_file():
            raise WorkbenchException(
                f"The model_config file '{path}' does not exist. Expected the path of a YAML "
                "file, or a dict with str keys.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        model_config = read_config_file(path)
        if model_config is None:
            return None
    if not isinstance(model_config, dict) or not all(isinstance(key, str) for key in model_config):
        raise WorkbenchException(
            "Expected model_config to be a dict with str keys or the path of a YAML file "
            f"holding one, got {type(model_config).__name__}: {model_config!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    try:
        json.dumps(model_config)
    except (TypeError, ValueError) as err:
        raise WorkbenchException(
            f"The values of model_config must be JSON-serialisable ({err}). Use str, numbers, "
            "bools, None, lists and dicts.",
            error_code=INVALID_PARAMETER_VALUE,
        ) from None
    return model_config


def overridden_config(saved: dict[str, Any] | None, given: Any) -> dict[str, Any] | None:
    """Return the configuration a model loads with: ``saved`` updated with ``given``.

    As in MLflow, only keys that the saved configuration has can be overridden; other keys
    are ignored with a warning, and a model saved without a configuration ignores them all.
    ``given`` may be a dict or a YAML file path.

    Examples
    --------
    >>> overridden_config({"k": 1, "j": 2}, {"k": 5})
    {'k': 5, 'j': 2}
    >>> overridden_config({"k": 1}, None)
    {'k': 1}
    """
    if isinstance(given, (str, os.PathLike)):
        given = read_config_file(given)
    if not given:
        return saved
    if not isinstance(given, dict):
        raise WorkbenchException(
            "Expected model_config to be a dict or the path of a YAML file, got "
            f"{type(given).__name__}: {given!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if not saved:
        _logger.warning(
            "model_config keys %s were ignored: this model was saved without a model_config, "
            "so it takes none at load time. Save it with model_config={...} to allow them.",
            ", ".join(map(str, given)),
        )
        return None
    ignored = [key for key in given if key not in saved]
    if ignored:
        _logger.warning(
            "model_config keys %s were ignored: they are not keys of the configuration the "
            "model was saved with (%s). Only those keys can be overridden at load time.",
            ", ".join(map(str, ignored)),
            ", ".join(map(str, saved)),
        )
    merged = dict(saved)
    merged.update({key: value for key, value in given.items() if key in saved})
    return merged
