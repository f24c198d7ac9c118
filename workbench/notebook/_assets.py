"""Where the front-end lives: ``./extension`` in a source checkout, ``workbench/_extension``
inside a wheel (pyproject force-includes ``extension/`` there).

The live panels (``_panel``) and the HTML report (``_report``) read the same files through
:func:`read_text`, so both hosts run one renderer (DESIGN.md section 7).

Examples
--------
>>> "export default" in read_text("panel.js")
True
>>> read_text("../pyproject.toml")
Traceback (most recent call last):
...
workbench._exceptions.WorkbenchException: Unknown front-end file '../pyproject.toml': expected one of ...
"""

from __future__ import annotations

import functools
import pathlib

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException

__all__ = ["FILES", "extension_dir", "read_text"]

#: The front-end files other modules may ask for.
FILES = ("panel.js", "panel.css", "plotly_loader.js")

_PACKAGE = pathlib.Path(__file__).resolve().parent.parent  # .../workbench


def _candidates() -> list[pathlib.Path]:
    return [_PACKAGE / "_extension", _PACKAGE.parent / "extension"]


@functools.lru_cache(maxsize=1)
def extension_dir() -> pathlib.Path:
    """The directory holding ``panel.js``: the wheel's copy first, else the checkout's.

    Raises
    ------
    WorkbenchException
        When neither exists (a broken install), saying where it looked.
    """
    for candidate in _candidates():
        if (candidate / "panel.js").is_file():
            return candidate
    looked = ", ".join(str(c) for c in _candidates())
    raise WorkbenchException(
        f"The workbench front-end (panel.js) is missing: looked in {looked}. Reinstall "
        'workbench (pip install --force-reinstall "workbench[notebook]"), or in a source '
        "checkout restore the extension/ directory.",
        error_code=INVALID_PARAMETER_VALUE,
    )


@functools.lru_cache(maxsize=None)
def read_text(name: str) -> str:
    """The text of front-end file ``name`` (one of :data:`FILES`), read once per process."""
    if name not in FILES:
        raise WorkbenchException(
            f"Unknown front-end file {name!r}: expected one of {', '.join(FILES)}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return (extension_dir() / name).read_text(encoding="utf-8")
