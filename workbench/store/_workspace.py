"""Where the workspace lives: ``set_workspace``, ``$WORKBENCH_HOME`` or ``./.workbench``.

The root is chosen in this order:

1. the path given to :func:`set_workspace` in this process;
2. the ``WORKBENCH_HOME`` environment variable, read at every call (tests and CI set it);
3. ``.workbench`` in the current directory *at first use*, remembered afterwards, so a
   notebook that later changes directory keeps writing to the same workspace.
"""

from __future__ import annotations

import os
import pathlib
import threading

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException

ENV_VAR = "WORKBENCH_HOME"
DEFAULT_DIRNAME = ".workbench"

_lock = threading.Lock()
_explicit: pathlib.Path | None = None
_default: pathlib.Path | None = None


def _absolute(path: str | os.PathLike) -> pathlib.Path:
    if not isinstance(path, (str, os.PathLike)) or os.fspath(path) == "":
        raise WorkbenchException(
            f"Expected a workspace directory as a non-empty str or path, got {path!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return pathlib.Path(os.path.abspath(os.path.expanduser(os.fspath(path))))


def set_workspace(path: str | os.PathLike | None) -> pathlib.Path | None:
    """Use ``path`` as the workspace root for this process (``None``: back to the default).

    The directory is created when the store first writes to it.

    Parameters
    ----------
    path : str, os.PathLike or None
        The workspace directory; relative paths are made absolute now.

    Returns
    -------
    pathlib.Path or None
        The absolute root, or ``None`` when the explicit choice was cleared.

    Examples
    --------
    >>> import tempfile, workbench.store as store
    >>> root = store.set_workspace(tempfile.mkdtemp())
    >>> store.get_workspace() == root
    True
    """
    global _explicit
    with _lock:
        _explicit = None if path is None else _absolute(path)
        return _explicit


def get_workspace() -> pathlib.Path:
    """Return the absolute workspace root in use (see the module docstring for the order).

    Examples
    --------
    >>> import tempfile, workbench.store as store
    >>> _ = store.set_workspace(tempfile.mkdtemp())
    >>> store.get_workspace().is_absolute()
    True
    """
    global _default
    with _lock:
        if _explicit is not None:
            return _explicit
        env = os.environ.get(ENV_VAR)
        if env:
            return _absolute(env)
        if _default is None:
            _default = _absolute(DEFAULT_DIRNAME)
        return _default
