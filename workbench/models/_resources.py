"""Resources a model needs to be served, as plain data in MLmodel's ``resources`` field.

A resource names something the model calls at serving time (an endpoint, a vector index,
a SQL warehouse ...). In the MLmodel file the resources are grouped by target and type::

    resources:
      api_version: '1'
      databricks:
        serving_endpoint:
        - name: my-endpoint
        vector_search_index:
        - name: catalog.schema.index
          on_behalf_of_user: true

The classes mirror ``mlflow.models.resources`` of MLflow 3.17.2 (same names, arguments and
dictionary layout), so the field round-trips between the two. workbench only records the
resources; it never contacts them.
"""

from __future__ import annotations

import abc
import enum
import os
import pathlib
from typing import Any

import yaml

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException

#: The only layout version of the ``resources`` field that MLflow 3.17.2 writes and reads.
DEFAULT_API_VERSION = "1"

#: The target of every resource class MLflow 3.17.2 defines.
DATABRICKS_TARGET = "databricks"


class ResourceType(enum.Enum):
    """The kinds of resources a model can depend on (the values are MLmodel keys).

    Examples
    --------
    >>> ResourceType("serving_endpoint")
    <ResourceType.SERVING_ENDPOINT: 'serving_endpoint'>
    >>> ResourceType.VECTOR_SEARCH_INDEX.value
    'vector_search_index'
    """

    UC_CONNECTION = "uc_connection"
    VECTOR_SEARCH_INDEX = "vector_search_index"
    SERVING_ENDPOINT = "serving_endpoint"
    SQL_WAREHOUSE = "sql_warehouse"
    FUNCTION = "function"
    GENIE_SPACE = "genie_space"
    TABLE = "table"
    APP = "app"
    LAKEBASE = "lakebase"
    UC_MODEL_SERVICE = "uc_model_service"


class Resource(abc.ABC):
    """Base class of the resources needed to serve a model.

    A subclass defines :attr:`type`, :attr:`target_uri`, :meth:`to_dict` (``{type value:
    [entry]}``) and :meth:`from_dict` (one entry back to a resource). Two resources are
    equal when their dictionaries are.
    """

    @property
    @abc.abstractmethod
    def type(self) -> ResourceType:
        """The resource type."""

    @property
    @abc.abstractmethod
    def target_uri(self) -> str:
        """Where the resource is hosted, e.g. ``"databricks"``."""

    @abc.abstractmethod
    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """Return ``{type value: [entry]}`` as stored under the target in MLmodel."""

    @classmethod
    @abc.abstractmethod
    def from_dict(cls, data: dict[str, Any]) -> Resource:
        """Build a resource from one entry of the MLmodel ``resources`` field."""

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Resource):
            return False
        return self.target_uri == other.target_uri and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value


class DatabricksResource(Resource):
    """A resource hosted on Databricks: a name and an optional ``on_behalf_of_user`` flag.

    Parameters
    ----------
    name : str
        The resource's name (or id, for warehouses and Genie spaces).
    on_behalf_of_user : bool, optional
        True when the serving endpoint reaches the resource with the caller's permissions;
        written only when set.
    """

    #: Set by each concrete subclass.
    _type: ResourceType

    def __init__(self, name: str, on_behalf_of_user: bool | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise WorkbenchException(
                f"{type(self).__name__} expects a non-empty name as a str, got "
                f"{type(name).__name__}: {name!r}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        if on_behalf_of_user is not None and not isinstance(on_behalf_of_user, bool):
            raise WorkbenchException(
                f"{type(self).__name__} expects on_behalf_of_user to be True, False or None, "
                f"got {on_behalf_of_user!r}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        self.name = name
        self.on_behalf_of_user = on_behalf_of_user

    @property
    def type(self) -> ResourceType:
        return self._type

    @property
    def target_uri(self) -> str:
        return DATABRICKS_TARGET

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """Return ``{type value: [{"name": ..., ["on_behalf_of_user": ...]}]}``.

        Examples
        --------
        >>> DatabricksServingEndpoint("chat").to_dict()
        {'serving_endpoint': [{'name': 'chat'}]}
        >>> DatabricksTable("cat.sch.t", on_behalf_of_user=True).to_dict()
        {'table': [{'name': 'cat.sch.t', 'on_behalf_of_user': True}]}
        """
        entry: dict[str, Any] = {"name": self.name}
        if self.on_behalf_of_user is not None:
            entry["on_behalf_of_user"] = self.on_behalf_of_user
        return {self.type.value: [entry]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DatabricksResource:
        """Build the resource from one entry, ``{"name": ..., "on_behalf_of_user": ...}``.

        Examples
        --------
        >>> DatabricksFunction.from_dict({"name": "cat.sch.fn"})
        DatabricksFunction('cat.sch.fn')
        """
        if not isinstance(data, dict) or "name" not in data:
            raise WorkbenchException(
                f"Expected a {cls.__name__} entry as a mapping with a 'name' key, got {data!r}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        return cls(data["name"], data.get("on_behalf_of_user"))

    def __repr__(self) -> str:
        obo = self.on_behalf_of_user
        extra = "" if obo is None else f", on_behalf_of_user={obo}"
        return f"{type(self).__name__}({self.name!r}{extra})"


class DatabricksUCConnection(DatabricksResource):
    """A Unity Catalog connection used by the model's tools."""

    _type = ResourceType.UC_CONNECTION

    def __init__(self, connection_name: str, on_behalf_of_user: bool | None = None) -> None:
        super().__init__(connection_name, on_behalf_of_user)


class DatabricksServingEndpoint(DatabricksResource):
    """A serving endpoint (e.g. an LLM) that the model calls."""

    _type = ResourceType.SERVING_ENDPOINT

    def __init__(self, endpoint_name: str, on_behalf_of_user: bool | None = None) -> None:
        super().__init__(endpoint_name, on_behalf_of_user)


class DatabricksVectorSearchIndex(DatabricksResource):
    """A vector search index that the model queries."""

    _type = ResourceType.VECTOR_SEARCH_INDEX

    def __init__(self, index_name: str, on_behalf_of_user: bool | None = None) -> None:
        super().__init__(index_name, on_behalf_of_user)


class DatabricksSQLWarehouse(DatabricksResource):
    """A SQL warehouse, named by its id."""

    _type = ResourceType.SQL_WAREHOUSE

    def __init__(self, warehouse_id: str, on_behalf_of_user: bool | None = None) -> None:
        super().__init__(warehouse_id, on_behalf_of_user)


class DatabricksFunction(DatabricksResource):
    """A Unity Catalog function."""

    _type = ResourceType.FUNCTION

    def __init__(self, function_name: str, on_behalf_of_user: bool | None = None) -> None:
        super().__init__(function_name, on_behalf_of_user)


class DatabricksGenieSpace(DatabricksResource):
    """A Genie space, named by its id."""

    _type = ResourceType.GENIE_SPACE

    def __init__(self, genie_space_id: str, on_behalf_of_user: bool | None = None) -> None:
        super().__init__(genie_space_id, on_behalf_of_user)


class DatabricksTable(DatabricksResource):
    """A Unity Catalog table the model queries (through Genie or a function)."""

    _type = ResourceType.TABLE

    def __init__(self, table_name: str, on_behalf_of_user: bool | None = None) -> None:
        super().__init__(table_name, on_behalf_of_user)


class DatabricksApp(DatabricksResource):
    """A Databricks app."""

    _type = ResourceType.APP

    def __init__(self, app_name: str, on_behalf_of_user: bool | None = None) -> None:
        super().__init__(app_name, on_behalf_of_user)


class DatabricksLakebase(DatabricksResource):
    """A Lakebase database instance."""

    _type = ResourceType.LAKEBASE

    def __init__(self, database_instance_name: str, on_behalf_of_user: bool | None = None) -> None:
        super().__init__(database_instance_name, on_behalf_of_user)


class DatabricksUCModelService(DatabricksResource):
    """A Unity Catalog model service."""

    _type = ResourceType.UC_MODEL_SERVICE

    def __init__(self, model_service_name: str, on_behalf_of_user: bool | None = None) -> None:
        super().__init__(model_service_name, on_behalf_of_user)


#: target -> type value -> class: what the ``resources`` field may hold (API version 1).
_RESOURCE_CLASSES: dict[str, dict[str, type[DatabricksResource]]] = {
    DATABRICKS_TARGET: {
        cls._type.value: cls
        for cls in (
            DatabricksUCConnection,
            DatabricksServingEndpoint,
            DatabricksVectorSearchIndex,
            DatabricksSQLWarehouse,
            DatabricksFunction,
            DatabricksGenieSpace,
            DatabricksTable,
            DatabricksApp,
            DatabricksLakebase,
            DatabricksUCModelService,
        )
    }
}


_invalid = WorkbenchException.invalid_parameter_value


def resources_to_dict(
    resources: list[Resource], api_version: str = DEFAULT_API_VERSION
) -> dict[str, Any]:
    """Group ``resources`` into MLmodel's ``resources`` field.

    Examples
    --------
    >>> resources_to_dict([DatabricksServingEndpoint("chat"), DatabricksServingEndpoint("embed"),
    ...                    DatabricksVectorSearchIndex("cat.sch.idx")])
    {'databricks': {'serving_endpoint': [{'name': 'chat'}, {'name': 'embed'}], 'vector_search_index': [{'name': 'cat.sch.idx'}]}, 'api_version': '1'}
    """
    if not isinstance(resources, (list, tuple)):
        raise _invalid(
            f"Expected resources as a list of Resource objects, got {type(resources).__name__}."
        )
    grouped: dict[str, Any] = {}
    for resource in resources:
        if not isinstance(resource, Resource):
            raise _invalid(
                f"Expected each resource to be a Resource (e.g. DatabricksServingEndpoint), "
                f"got {type(resource).__name__}: {resource!r}."
            )
        by_type = grouped.setdefault(resource.target_uri, {})
        for type_value, entries in resource.to_dict().items():
            by_type.setdefault(type_value, []).extend(entries)
    grouped["api_version"] = api_version
    return grouped


def resources_from_dict(data: dict[str, Any]) -> list[Resource]:
    """Turn MLmodel's ``resources`` field back into resource objects (``data`` is not changed).

    Examples
    --------
    >>> resources_from_dict({"api_version": "1", "databricks": {"table": [{"name": "t"}]}})
    [DatabricksTable('t')]
    """
    if not isinstance(data, dict):
        raise _invalid(f"Expected the resources field as a mapping, got {type(data).__name__}.")
    api_version = data.get("api_version")
    if api_version != DEFAULT_API_VERSION:
        raise _invalid(
            f"Unsupported resources api_version {api_version!r}: expected "
            f"{DEFAULT_API_VERSION!r}, the only version MLflow 3.17.2 defines."
        )
    resources: list[Resource] = []
    for target, by_type in data.items():
        if target == "api_version":
            continue
        classes = _RESOURCE_CLASSES.get(target)
        if classes is None:
            raise _invalid(
                f"Unsupported resource target {target!r}: expected one of "
                f"{sorted(_RESOURCE_CLASSES)}."
            )
        if not isinstance(by_type, dict):
            raise _invalid(
                f"Expected the {target!r} resources as a mapping of type to entries, "
                f"got {by_type!r}."
            )
        for type_value, entries in by_type.items():
            cls = classes.get(type_value)
            if cls is None:
                raise _invalid(
                    f"Unsupported resource type {type_value!r} for target {target!r}: expected "
                    f"one of {sorted(classes)}."
                )
            if not isinstance(entries, list):
                raise _invalid(f"Expected a list of {type_value!r} entries, got {entries!r}.")
            resources.extend(cls.from_dict(entry) for entry in entries)
    return resources


def normalize_resources_dict(data: dict[str, Any]) -> dict[str, Any]:
    """Check a ``resources`` mapping and return it rebuilt in the canonical layout.

    Examples
    --------
    >>> normalize_resources_dict({"databricks": {"app": [{"name": "a"}]}, "api_version": "1"})
    {'databricks': {'app': [{'name': 'a'}]}, 'api_version': '1'}
    """
    return resources_to_dict(resources_from_dict(data), api_version=data["api_version"])


def resources_from_yaml_file(path: str | os.PathLike) -> dict[str, Any]:
    """Read a YAML (or JSON) resources file and return the checked ``resources`` mapping.

    The file has the layout of the MLmodel field (``api_version`` plus targets). It is
    parsed with ``yaml.safe_load``: no tags that build Python objects.
    """
    file = pathlib.Path(path)
    if not file.is_file():
        raise WorkbenchException(
            f"Expected a YAML or JSON resources file, but {os.fspath(path)!r} is not a file.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _invalid(
            f"Could not parse the resources file {os.fspath(path)!r} as plain YAML/JSON: {exc}"
        ) from None
    return normalize_resources_dict(data)


def resources_field(value: Any) -> dict[str, Any] | None:
    """Return the MLmodel ``resources`` field for what ``Model(resources=...)`` accepts.

    A list of :class:`Resource` is grouped, a path (str or ``os.PathLike``) is read as a
    YAML/JSON file, a mapping is kept as it is (so that entries workbench does not know
    survive a round trip) and ``None`` stays ``None``.
    """
    if value is None or isinstance(value, dict):
        return value
    if isinstance(value, (str, os.PathLike)):
        return resources_from_yaml_file(value)
    if isinstance(value, (list, tuple)):
        return resources_to_dict(list(value))
    raise _invalid(
        "Expected resources as a list of Resource objects, a path to a YAML/JSON file or a "
        f"mapping in the MLmodel layout, got {type(value).__name__}: {value!r}."
    )
