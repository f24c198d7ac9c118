"""``workbench.json``: the versioned manifest of a saved :class:`EvaluationResult`.

A saved result directory holds MLflow's layout (``metrics.json``,
``artifacts_metadata.json``, ``artifacts/``), which MLflow's ``EvaluationResult.load`` reads,
plus files only workbench reads: this manifest and the result's data (``curves.json``,
``tables.json``, ``explanation.json``). The manifest says which format wrote the
directory, with which package versions, about which run, model, dataset and evaluator
config, what was skipped and why, and the size and sha256 of every file, so that a
truncated or edited file is detected before anything is parsed.

Versioning follows skops.io: one integer :data:`FORMAT_VERSION`. A reader accepts every
version from 1 to :data:`FORMAT_VERSION` (older ones are upgraded in memory by the
functions in :data:`_UPGRADES`, one step at a time), and refuses a newer one with a
message that says to upgrade workbench, rather than misreading it.

Schema of format version 1 (keys in this order)::

    {
      "format": "workbench.evaluation_result",
      "format_version": 1,
      "created": "2026-11-27T21:00:00.000000+00:00",     # UTC, ISO 8601
      "versions": {"workbench": ..., "python": ..., "numpy": ..., "pandas": ...,
                   "scikit-learn": ...},                    # None when not installed
      "run": {"run_id": str | None},
      "model": {...}, "dataset": {...}, "config": {...},     # JSON objects, maybe empty
      "skipped": {name: reason}, "warnings": [str], "timings": {step: seconds},
      "data": {"curves": "curves.json", "tables": "tables.json",
               "explanation": "explanation.json" | None},
      "files": {relative path: {"size": int, "sha256": hex}}  # every other file written
    }
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import importlib.metadata
import json
import platform
from collections.abc import Callable
from typing import Any

from workbench._exceptions import (
    DATA_LOSS,
    INVALID_PARAMETER_VALUE,
    WorkbenchException,
)

#: The format version that :func:`build_manifest` writes.
#:
#: Bump it when a reader of the current version would misread a directory written by the
#: new code: a file or key is renamed or removed, the meaning or unit of a value changes,
#: or a data object's dict layout changes incompatibly. Then add the step from the old
#: version to :data:`_UPGRADES` and keep a directory of the old version in the tests.
#: Adding an optional key that old readers can ignore does not need a bump.
FORMAT_VERSION = 1

#: The value of the manifest's "format" key.
FORMAT_NAME = "workbench.evaluation_result"
MANIFEST_NAME = "workbench.json"
METRICS_NAME = "metrics.json"
ARTIFACTS_METADATA_NAME = "artifacts_metadata.json"
ARTIFACTS_DIR = "artifacts"
CURVES_NAME = "curves.json"
TABLES_NAME = "tables.json"
EXPLANATION_NAME = "explanation.json"

#: The packages whose versions are recorded (distribution names).
RECORDED_PACKAGES = ("workbench", "numpy", "pandas", "scikit-learn", "shap")

#: ``{old version: function(manifest dict) -> manifest dict of old version + 1}``.
#: Empty while version 1 is the only one.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

_SECTIONS_OBJECT = ("model", "dataset", "config", "skipped", "timings")


def package_versions() -> dict[str, str | None]:
    """The versions of Python and of :data:`RECORDED_PACKAGES` (None when absent).

    Looked up once per process (reading package metadata takes tens of milliseconds).

    Examples
    --------
    >>> versions = package_versions()
    >>> sorted(versions)
    ['numpy', 'pandas', 'python', 'scikit-learn', 'shap', 'workbench']
    """
    return dict(_package_versions())


@functools.lru_cache(maxsize=1)
def _package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    if versions.get("workbench") is None:  # running from a source tree
        import workbench

        versions["workbench"] = workbench.__version__
    return dict(sorted(versions.items()))


def file_record(data: bytes) -> dict[str, Any]:
    """The manifest's record of one file: its size and sha256.

    Examples
    --------
    >>> file_record(b"{}")
    {'size': 2, 'sha256': '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'}
    """
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def build_manifest(
    *,
    run_id: str | None,
    model: dict[str, Any],
    dataset: dict[str, Any],
    config: dict[str, Any],
    skipped: dict[str, str],
    warnings: list[str],
    timings: dict[str, float],
    has_explanation: bool,
    files: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Build the manifest dict of the current :data:`FORMAT_VERSION`.

    Examples
    --------
    >>> m = build_manifest(run_id=None, model={}, dataset={}, config={}, skipped={},
    ...                    warnings=[], timings={}, has_explanation=False, files={})
    >>> m["format"], m["format_version"], m["data"]["explanation"]
    ('workbench.evaluation_result', 1, None)
    """
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(),
        "versions": package_versions(),
        "run": {"run_id": run_id},
        "model": model,
        "dataset": dataset,
        "config": config,
        "skipped": skipped,
        "warnings": warnings,
        "timings": timings,
        "data": {
            "curves": CURVES_NAME,
            "tables": TABLES_NAME,
            "explanation": EXPLANATION_NAME if has_explanation else None,
        },
        "files": dict(sorted(files.items())),
    }


def _bad(path: str, why: str) -> WorkbenchException:
    return WorkbenchException(
        f"Cannot read the evaluation result manifest {path!r}: {why}. It should be the "
        f"{MANIFEST_NAME} that EvaluationResult.save() wrote; save the result again or "
        f"remove {MANIFEST_NAME} to load only MLflow's metrics and artifacts.",
        error_code=INVALID_PARAMETER_VALUE,
    )


def parse_manifest(text: str | bytes, path: str = MANIFEST_NAME) -> dict[str, Any]:
    """Parse and check a manifest, upgrading an older format version to the current one.

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` when the manifest is not ours or is malformed, and when
        its ``format_version`` is newer than this workbench reads (upgrade workbench).

    Examples
    --------
    >>> parse_manifest('{"format": "workbench.evaluation_result", "format_version": 99}')
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Cannot read the evaluation result in 'workbench.json': it was written with format_version 99 by a newer workbench, and this workbench (...) reads format versions 1 to 1. Upgrade workbench (pip install -U workbench) to load it.
    """
    try:
        manifest = json.loads(text)
    except (ValueError, UnicodeDecodeError) as err:
        raise _bad(path, f"it is not valid JSON ({err})") from None
    if not isinstance(manifest, dict):
        raise _bad(path, f"expected a JSON object, got {type(manifest).__name__}")
    if manifest.get("format") != FORMAT_NAME:
        raise _bad(path, f"expected \"format\": {FORMAT_NAME!r}, got {manifest.get('format')!r}")
    version = manifest.get("format_version")
    if type(version) is not int or version < 1:
        raise _bad(path, f"expected a positive integer format_version, got {version!r}")
    if version > FORMAT_VERSION:
        import workbench

        raise WorkbenchException(
            f"Cannot read the evaluation result in {path!r}: it was written with "
            f"format_version {version} by a newer workbench, and this workbench "
            f"({workbench.__version__}) reads format versions 1 to {FORMAT_VERSION}. "
            "Upgrade workbench (pip install -U workbench) to load it.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    while manifest["format_version"] < FORMAT_VERSION:
        manifest = _UPGRADES[manifest["format_version"]](manifest)
    _check_v1(manifest, path)
    return manifest


def _check_v1(manifest: dict[str, Any], path: str) -> None:
    for key in _SECTIONS_OBJECT:
        if not isinstance(manifest.get(key, {}), dict):
            raise _bad(path, f"{key!r} must be a JSON object, got {type(manifest[key]).__name__}")
    if not isinstance(manifest.get("warnings", []), list):
        raise _bad(path, "'warnings' must be a JSON array")
    run = manifest.get("run", {})
    if not isinstance(run, dict) or not isinstance(run.get("run_id"), (str, type(None))):
        raise _bad(path, "'run' must be an object with a string or null 'run_id'")
    data = manifest.get("data", {})
    if not isinstance(data, dict):
        raise _bad(path, "'data' must be a JSON object")
    files = manifest.get("files", {})
    if not isinstance(files, dict) or not all(
        isinstance(rec, dict)
        and type(rec.get("size")) is int
        and isinstance(rec.get("sha256"), str)
        for rec in files.values()
    ):
        raise _bad(path, "'files' must map paths to {\"size\": int, \"sha256\": str}")


def verify_file(relpath: str, data: bytes, manifest: dict[str, Any]) -> None:
    """Check ``data`` against the manifest's record of ``relpath`` (when there is one).

    Raises
    ------
    WorkbenchException
        ``DATA_LOSS`` when the size or sha256 differ: the file was truncated or changed
        after the result was saved.
    """
    record = manifest.get("files", {}).get(relpath)
    if record is None:
        return
    actual = file_record(data)
    if actual != {"size": record["size"], "sha256": record["sha256"]}:
        raise WorkbenchException(
            f"The file {relpath!r} of this evaluation result changed after it was saved: "
            f"{MANIFEST_NAME} records {record['size']} bytes with sha256 "
            f"{record['sha256'][:12]}..., "
            f"found {actual['size']} bytes with sha256 {actual['sha256'][:12]}.... "
            "Save the result again, or restore the file.",
            error_code=DATA_LOSS,
        )
