"""Resolve a model location to a local model directory.

One function, :func:`resolve_model_path`, turns what a user passes as ``model_uri`` or
``path`` (a directory, a path to an ``MLmodel`` file, a ``file://`` URI) into the local
directory that holds the model. ``runs:/<run_id>/<path>`` and ``models:/<name>/<version>``
(``/latest``, ``@<alias>``) URIs are resolved through the workspace store
(:mod:`workbench.store._uris`): a run's artifact directory, or the read-only copy of a
registered model version.

The location itself is the caller's choice and is trusted as a root; every path *inside*
the model (from the MLmodel file) is joined under it with :func:`workbench._io.safe_join`.
"""

from __future__ import annotations

import os
import pathlib
import urllib.parse

from workbench._exceptions import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)

#: Name of the file that describes a model (the constant MLflow calls ``MLMODEL_FILE_NAME``).
MLMODEL_FILE_NAME = "MLmodel"

# Schemes that name a model through the workspace store.
_STORE_SCHEMES = ("runs", "models")


def _local_path_from_uri(text: str) -> str:
    """Return the local path named by ``text``: a plain path or a ``file:`` URI."""
    parsed = urllib.parse.urlparse(text)
    scheme = parsed.scheme.lower()
    # "C:\\models\\m" parses with scheme "c": a one-letter scheme is a Windows drive.
    if scheme == "" or len(scheme) == 1:
        return text
    if scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise WorkbenchException(
                f"Cannot read the model at {text!r}: file URIs on another host "
                f"({parsed.netloc!r}) are not supported. Expected 'file:///absolute/path' "
                "or a local path.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        return urllib.parse.unquote(parsed.path)
    if scheme in _STORE_SCHEMES:
        from workbench.store._uris import resolve_uri

        return os.fspath(resolve_uri(text))
    raise WorkbenchException(
        f"Cannot resolve {text!r}: the URI scheme {scheme!r} is not supported. Expected a "
        "local directory, a path to an MLmodel file, or a 'file://' URI.",
        error_code=INVALID_PARAMETER_VALUE,
    )


def resolve_model_path(model_uri: str | os.PathLike) -> pathlib.Path:
    """Return the local directory of the model that ``model_uri`` names.

    Parameters
    ----------
    model_uri : str or os.PathLike
        A model directory, a path to its ``MLmodel`` file, a ``file://`` URI of either,
        ``runs:/<run_id>/<artifact_path>``, ``models:/<name>/<version>``,
        ``models:/<name>/latest`` or ``models:/<name>@<alias>``. ``~`` is expanded.

    Returns
    -------
    pathlib.Path
        The model directory (absolute). Whether it holds an ``MLmodel`` file is not
        checked here; :meth:`Model.load <workbench.models.Model.load>` does that.

    Raises
    ------
    WorkbenchException
        ``RESOURCE_DOES_NOT_EXIST`` when the path, run, artifact, registered model,
        version or alias does not exist; ``INVALID_PARAMETER_VALUE`` for a malformed or
        hostile ``runs:/`` / ``models:/`` URI, other URI schemes, or a file that is not
        named ``MLmodel``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> model_dir = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (model_dir / "MLmodel").write_text("flavors: {}\\n")
    >>> resolve_model_path(model_dir) == model_dir.resolve()
    True
    >>> resolve_model_path(model_dir / "MLmodel") == model_dir.resolve()
    True
    >>> resolve_model_path(model_dir.as_uri()) == model_dir.resolve()
    True
    >>> resolve_model_path("runs:/0a1b2c/model")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Invalid run id '0a1b2c': expected 32 lowercase hexadecimal characters.
    """
    if isinstance(model_uri, os.PathLike):
        text = os.fspath(model_uri)
    elif isinstance(model_uri, str):
        text = model_uri
    else:
        raise WorkbenchException(
            f"Expected the model location as a str or path, got "
            f"{type(model_uri).__name__}: {model_uri!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if isinstance(text, bytes) or text.strip() == "":
        raise WorkbenchException(
            f"Expected a model location (a directory, an MLmodel file or a file:// URI), "
            f"got {model_uri!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    path = pathlib.Path(os.path.expanduser(_local_path_from_uri(text))).absolute()
    if not path.exists():
        raise WorkbenchException(
            f"Could not find a model at {text!r}: {str(path)!r} does not exist. Expected a "
            f"directory that holds an {MLMODEL_FILE_NAME} file, or the path of that file.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    if path.is_dir():
        return path.resolve()
    if path.name == MLMODEL_FILE_NAME:
        return path.parent.resolve()
    raise WorkbenchException(
        f"Expected a model directory or a file named {MLMODEL_FILE_NAME!r}, got the file "
        f"{str(path)!r}. Pass the directory that holds the {MLMODEL_FILE_NAME} file.",
        error_code=INVALID_PARAMETER_VALUE,
    )
