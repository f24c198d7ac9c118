"""Reading a saved result's files from an untrusted directory.

Every path is checked with :func:`workbench._io.safe_join` before it is opened, only
regular files are read (a FIFO or device would block), each file listed in the manifest is
verified against its recorded size and sha256, and JSON files must hold the expected type.
Also the manifest's ``data.rows`` (the per-row ``.npy`` files under ``rows/``) and
``data.metric_directions``.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any

from workbench._exceptions import (
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import check_relative_path, safe_join
from workbench.evaluation import _manifest as mf

#: The directory of the per-row data files inside a saved result.
ROWS_DIR = "rows"


_invalid = WorkbenchException.invalid_parameter_value


def _directions(value: Any) -> dict[str, bool] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, bool) for v in value.values()):
        raise _invalid(
            f"Cannot load the evaluation result: data.metric_directions in {mf.MANIFEST_NAME} "
            f"should map metric names to true/false, got {value!r:.80}."
        )
    return value


def _load_rows(root: pathlib.Path, spec: Any, manifest: dict[str, Any]) -> Any:
    """The RowData described by the manifest's ``data.rows``, or None (older results)."""
    if spec is None:
        return None
    from workbench.evaluation._rows import RowData

    files = spec.get("files") if isinstance(spec, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise _invalid(
            f"Cannot load the evaluation result: data.rows in {mf.MANIFEST_NAME} should be an "
            f"object with a list of \"files\", got {spec!r:.120}."
        )
    contents = {}
    for relpath in files:
        if not relpath.startswith(f"{ROWS_DIR}/") or relpath not in manifest.get("files", {}):
            raise _invalid(
                f"Cannot load the evaluation result: row data file {relpath!r} is not a "
                f"{ROWS_DIR}/ file recorded in {mf.MANIFEST_NAME}."
            )
        contents[relpath[len(ROWS_DIR) + 1:]] = _read(root, relpath, manifest)
    return RowData.from_files(spec, contents)

def _exists(root: pathlib.Path, name: str) -> bool:
    return os.path.lexists(root / name)


def _read(root: pathlib.Path, relpath: str, manifest: dict[str, Any] | None) -> bytes:
    """Read ``root/relpath`` after checking the path; verify it against the manifest."""
    file_path = safe_join(root, relpath)
    if not file_path.is_file():  # a FIFO or device would block or never end
        raise WorkbenchException(
            f"Cannot load the evaluation result: {relpath} is missing or not a regular file.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    data = file_path.read_bytes()
    if manifest is not None:
        mf.verify_file(check_relative_path(relpath), data, manifest)
    return data


def _read_json(
    root: pathlib.Path,
    relpath: str,
    manifest: dict[str, Any] | None,
    expected: type,
    optional: bool = False,
) -> Any:
    if optional and not _exists(root, check_relative_path(relpath)):
        return None
    data = _read(root, relpath, manifest)
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as err:
        raise _invalid(
            f"Cannot load the evaluation result: {relpath} is not valid JSON ({err})."
        ) from None
    if not isinstance(value, expected):
        raise _invalid(
            f"Cannot load the evaluation result: {relpath} should hold a JSON "
            f"{'object' if expected is dict else 'array'}, got {type(value).__name__}."
        )
    return value
