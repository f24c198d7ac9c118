"""Retriever schemas declared in model code, recorded in the model's metadata at save time.

:func:`set_retriever_schema` is called from the code that defines a model (a notebook or a
models-from-code file). As in MLflow, the schemas are held in process state until a model
is saved; the flavor's ``save_model`` then moves them into
``metadata["dependencies_schemas"]["retrievers"]`` of the MLmodel file (see
:func:`add_dependencies_schemas`) and clears the state, so the next model starts empty::

    metadata:
      dependencies_schemas:
        retrievers:
        - doc_uri: doc_uri
          name: retriever
          other_columns: [title]
          primary_key: chunk_id
          text_column: chunk_text
"""

from __future__ import annotations

import contextlib
import copy
import threading
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException

if TYPE_CHECKING:
    from workbench.models._model import Model

#: Key of ``metadata`` that holds the schemas, and the key of the retriever list in it.
DEPENDENCIES_SCHEMAS_KEY = "dependencies_schemas"
RETRIEVERS_KEY = "retrievers"

_lock = threading.Lock()
_retrievers: list[dict[str, Any]] = []


def _check_str(value: Any, what: str, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise WorkbenchException(
            f"set_retriever_schema expects {what} as a str"
            f"{' or None' if optional else ''}, got {type(value).__name__}: {value!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )


def set_retriever_schema(
    *,
    primary_key: str,
    text_column: str,
    doc_uri: str | None = None,
    other_columns: list[str] | None = None,
    name: str | None = "retriever",
) -> None:
    """Declare which fields of the documents a retriever returns hold the text, URI and id.

    Call it in the code that defines the model; the schema is written into the model's
    metadata (``dependencies_schemas``) when the model is saved. Declaring the same
    ``name`` again with different fields replaces the earlier schema (with a warning).

    Parameters
    ----------
    primary_key : str
        The primary key of the retriever or vector index.
    text_column : str
        The name of the text column used for the embeddings.
    doc_uri : str, optional
        The name of the column that holds the document URI.
    other_columns : list of str, optional
        Other columns of the index that should be kept when documents are retrieved.
    name : str, default "retriever"
        The name of the retriever tool or vector index.

    Notes
    -----
    MLflow 3.3.2 and later deprecate this function (with a ``FutureWarning``) in favour
    of its default retriever span schema; workbench keeps it without a warning because
    the format it writes is unchanged.

    Examples
    --------
    >>> set_retriever_schema(primary_key="chunk_id", text_column="chunk_text",
    ...                      doc_uri="doc_uri", other_columns=["title"])
    >>> get_retriever_schemas()
    [{'primary_key': 'chunk_id', 'text_column': 'chunk_text', 'doc_uri': 'doc_uri', 'other_columns': ['title'], 'name': 'retriever'}]
    >>> clear_retriever_schemas()
    """
    _check_str(primary_key, "primary_key")
    _check_str(text_column, "text_column")
    _check_str(doc_uri, "doc_uri", optional=True)
    _check_str(name, "name", optional=True)
    if other_columns is not None and not (
        isinstance(other_columns, (list, tuple)) and all(isinstance(c, str) for c in other_columns)
    ):
        raise WorkbenchException(
            f"set_retriever_schema expects other_columns as a list of str or None, got "
            f"{other_columns!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    schema = {
        "primary_key": primary_key,
        "text_column": text_column,
        "doc_uri": doc_uri,
        "other_columns": list(other_columns or []),
        "name": name,
    }
    with _lock:
        for index, existing in enumerate(_retrievers):
            if existing["name"] == name:
                if existing != schema:
                    warnings.warn(
                        f"A retriever schema named {name!r} exists already; replacing it.",
                        UserWarning,
                        stacklevel=2,
                    )
                    _retrievers[index] = schema
                return
        _retrievers.append(schema)


def get_retriever_schemas() -> list[dict[str, Any]]:
    """Return a copy of the retriever schemas declared so far in this process."""
    with _lock:
        return copy.deepcopy(_retrievers)


def clear_retriever_schemas() -> None:
    """Forget the retriever schemas declared so far (done after each save)."""
    with _lock:
        _retrievers.clear()


def dependencies_schemas_dict() -> dict[str, Any] | None:
    """Return ``{"dependencies_schemas": {"retrievers": [...]}}``, or None when none is set."""
    schemas = get_retriever_schemas()
    if not schemas:
        return None
    return {DEPENDENCIES_SCHEMAS_KEY: {RETRIEVERS_KEY: schemas}}


@contextlib.contextmanager
def pending_dependencies_schemas() -> Iterator[dict[str, Any] | None]:
    """Yield :func:`dependencies_schemas_dict` and clear the declared schemas afterwards."""
    try:
        yield dependencies_schemas_dict()
    finally:
        clear_retriever_schemas()


def add_dependencies_schemas(model: Model) -> Model:
    """Move the declared schemas into ``model.metadata`` (a flavor's save step).

    Examples
    --------
    >>> from workbench.models._model import Model
    >>> set_retriever_schema(primary_key="id", text_column="text")
    >>> model = add_dependencies_schemas(Model(metadata={"team": "search"}))
    >>> sorted(model.metadata)
    ['dependencies_schemas', 'team']
    >>> model.metadata["dependencies_schemas"]["retrievers"][0]["primary_key"]
    'id'
    >>> get_retriever_schemas()
    []
    """
    with pending_dependencies_schemas() as schemas:
        if schemas is not None:
            metadata = dict(model.metadata or {})
            metadata.update(schemas)
            model.metadata = metadata
    return model


def retriever_schemas_from_model(model: Model) -> list[dict[str, Any]]:
    """Return the retriever schemas recorded in ``model.metadata`` (empty if none)."""
    metadata = model.metadata or {}
    recorded = metadata.get(DEPENDENCIES_SCHEMAS_KEY) or {}
    retrievers = recorded.get(RETRIEVERS_KEY) if isinstance(recorded, dict) else None
    return list(retrievers) if isinstance(retrievers, list) else []
