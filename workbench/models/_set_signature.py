"""Set the signature of a saved model: :func:`set_signature`.

The MLmodel file is read, its signature replaced and the file written back atomically;
nothing else in the model directory changes. Registered model versions
(``models:/<name>/<version>``, ``models:/<name>/<stage>``, ``models:/<name>@<alias>``) are
refused, as MLflow refuses them: a registered version is read-only, so the way to give it
a signature is to set one on the source model and register that as a new version.
"""

from __future__ import annotations

import os
import urllib.parse
from typing import Any

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException

__all__ = ["is_registered_model_uri", "set_signature"]


def is_registered_model_uri(model_uri: Any) -> bool:
    """Return True for a ``models:/`` URI that names a registered model version.

    ``models:/<name>/<version|stage|latest>`` and ``models:/<name>@<alias>`` name registry
    entries; ``models:/<model_id>`` names a logged model (not a registry entry).

    Examples
    --------
    >>> is_registered_model_uri("models:/churn/3"), is_registered_model_uri("models:/churn@prod")
    (True, True)
    >>> is_registered_model_uri("models:/m-0a1b2c"), is_registered_model_uri("/tmp/model")
    (False, False)
    """
    if not isinstance(model_uri, str):
        return False
    parsed = urllib.parse.urlparse(model_uri, allow_fragments=False)
    if parsed.scheme.lower() != "models":
        return False
    parts = parsed.path.strip("/").split("/")
    return len(parts) > 1 or "@" in parts[0]


def _refuse_registry_copy(model_dir: Any, action: str) -> None:
    # The local path of a registered version (ModelVersion.storage_location) is refused like
    # its models:/ URI: chmod does not stop root, so the check is explicit.
    from workbench.store._registry import refuse_registry_write
    from workbench.store._workspace import get_workspace

    refuse_registry_write(model_dir, get_workspace(), action)


def set_signature(model_uri: str | os.PathLike, signature: Any) -> None:
    """Set the signature of the model at ``model_uri``, rewriting its MLmodel file.

    Parameters
    ----------
    model_uri : str or os.PathLike
        The model directory, its ``MLmodel`` file, or a ``file://`` URI of either.
        ``models:/<name>/<version>`` URIs are not supported: registered versions are
        read-only.
    signature : ModelSignature
        The signature to set (replaces any signature the model had).

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` when ``signature`` is not a :class:`ModelSignature` or
        ``model_uri`` names a registered model version; ``RESOURCE_DOES_NOT_EXIST`` when
        there is no MLmodel file at ``model_uri``.

    Examples
    --------
    The seed's example with ``mlflow`` replaced by ``workbench``, on a local path
    (``runs:/<run_id>/<path>`` works the same); ``tests/models/test_set_signature.py``
    runs it on a saved scikit-learn model.

    >>> import tempfile
    >>> import pandas as pd
    >>> from workbench.models import Model, infer_signature
    >>> from workbench.models._set_signature import set_signature
    >>> model_uri = tempfile.mkdtemp()
    >>> Model(flavors={"python_function": {"loader_module": "my_loader"}}).save(model_uri)
    >>> test_df = pd.DataFrame({"x": [1.0, 2.0]})
    >>> predictions = pd.Series([0.5, 1.5], name="y")
    >>> signature = infer_signature(test_df, predictions)
    >>> set_signature(model_uri, signature)
    >>> Model.load(model_uri).signature == signature
    True
    """
    from workbench.models._model import Model
    from workbench.models._signature import ModelSignature
    from workbench.models._uri import MLMODEL_FILE_NAME, resolve_model_path

    if not isinstance(signature, ModelSignature):
        raise WorkbenchException(
            "The signature argument must be a ModelSignature object; got "
            f"{type(signature).__name__}. Build one with workbench.models.infer_signature("
            "input, output) or ModelSignature(inputs=Schema([...])).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if is_registered_model_uri(model_uri):
        raise WorkbenchException(
            f"Failed to set signature on {model_uri!r}. Model URIs with the "
            "`models:/<name>/<version>` scheme are not supported: registered model versions "
            "are read-only. Set the signature on the source model artifacts, then register "
            "them as a new model version.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    model_dir = resolve_model_path(model_uri)
    _refuse_registry_copy(model_dir, "set signature")
    model = Model.load(model_dir)
    model.signature = signature
    model.save(model_dir / MLMODEL_FILE_NAME)
