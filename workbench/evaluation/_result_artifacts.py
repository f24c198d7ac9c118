"""How a result maps its artifacts to the artifact classes of ``_artifacts`` (E3).

The class names written to ``artifacts_metadata.json`` (MLflow's, so MLflow loads the
directory), the classes looked up from those names on load (never an import of a module
named in a file), and the built-in artifacts rebuilt as views of the loaded curves, tables
and explanation. ``_artifacts`` is imported only when a result has artifacts.
"""

from __future__ import annotations

from typing import Any

from workbench._exceptions import WorkbenchException
from workbench.evaluation import _manifest as mf


_invalid = WorkbenchException.invalid_parameter_value


def _artifact_class_name(artifact: Any, name: str) -> str:
    """MLflow's class_name for one of our artifacts (E3's mapping), so MLflow loads it."""
    from workbench.evaluation._artifacts import artifact_class_name

    try:
        return artifact_class_name(artifact)
    except WorkbenchException as err:
        raise _invalid(f"Cannot save artifact {name!r}: {err.message}") from None


def _is_builtin(artifact: Any) -> bool:
    from workbench.evaluation._artifacts import is_builtin_artifact

    return is_builtin_artifact(artifact)


def _builtin_view(name: str, spec: Any, entry: dict[str, Any], curves: list[Any],
                  tables: dict[str, Any], explanation: Any) -> Any:
    """Rebuild a built-in artifact from the loaded data, as it was before saving."""
    from workbench.evaluation._artifacts import artifact_class_name, builtin_artifact

    where = f"built-in artifact {name!r}"
    if not isinstance(spec, dict) or spec.get("uri") != entry["uri"]:
        raise _invalid(
            f"Cannot load {where}: its description in {mf.MANIFEST_NAME} ({spec!r:.200}) does "
            f"not match its entry in {mf.ARTIFACTS_METADATA_NAME} ({entry!r:.200})."
        )
    try:
        artifact = builtin_artifact(name, spec, curves=curves, tables=tables,
                                    explanation=explanation)
    except WorkbenchException as err:
        raise _invalid(f"Cannot load {where}: {err.message}") from None
    if artifact is None:
        raise _invalid(
            f"Cannot load {where}: the result's data holds nothing for it ({spec!r:.200})."
        )
    if artifact_class_name(artifact) != _artifact_class_name_of(entry["class_name"]):
        raise _invalid(
            f"Cannot load {where}: {mf.ARTIFACTS_METADATA_NAME} names class "
            f"{entry['class_name']!r}, but its description makes a {type(artifact).__name__}."
        )
    return artifact


def _artifact_class_name_of(class_name: str) -> str:
    from workbench.evaluation._artifacts import artifact_class_name

    return artifact_class_name(_artifact_class(class_name, class_name))


def _artifact_class(class_name: str, artifact_name: str) -> type:
    from workbench.evaluation._artifacts import artifact_class_from_name

    try:
        return artifact_class_from_name(class_name)
    except WorkbenchException as err:
        raise _invalid(f"Cannot load artifact {artifact_name!r}: {err.message}") from None

