"""Writing a result directory atomically: stage beside the target, fsync, rename into place.

The directory is built under a hidden, uniquely named sibling of the target
(:func:`_make_sibling`), every file and directory in it is fsynced (:func:`_fsync_tree`),
and it is renamed onto the target (:func:`_move_into_place`), so a crash never leaves a
half-written result under the final name. A target must be missing or an empty directory,
or, with ``overwrite=True``, a directory holding a saved result (:func:`_check_target`);
that one is replaced in one atomic swap on Linux (:func:`_exchange`,
``renameat2(RENAME_EXCHANGE)``), elsewhere by two renames.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import pathlib
import secrets
import shutil
import sys

from workbench._exceptions import RESOURCE_ALREADY_EXISTS, WorkbenchException
from workbench._io import _fsync_dir
from workbench.evaluation import _manifest as mf


def _make_sibling(target: pathlib.Path, tag: str) -> pathlib.Path:
    """Create a hidden, uniquely named directory beside ``target`` (mode from the umask)."""
    for _ in range(100):
        candidate = target.with_name(f".{target.name}.{secrets.token_hex(6)}.{tag}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise WorkbenchException(f"Cannot create a temporary directory beside {str(target)!r}.")


def _is_result_dir(path: pathlib.Path) -> bool:
    return (path / mf.METRICS_NAME).is_file() and (path / mf.ARTIFACTS_METADATA_NAME).is_file()


def _check_target(target: pathlib.Path, overwrite: bool) -> bool:
    """Refuse a target we must not replace; return True when an existing result is replaced."""
    if target.is_symlink():
        raise WorkbenchException(
            f"Cannot save the evaluation result to {str(target)!r}: it is a symbolic link. "
            "Pass the real directory path.",
            error_code=RESOURCE_ALREADY_EXISTS,
        )
    if not target.exists():
        return False
    if not target.is_dir():
        raise WorkbenchException(
            f"Cannot save the evaluation result to {str(target)!r}: a file of that name "
            "exists. Choose another path.",
            error_code=RESOURCE_ALREADY_EXISTS,
        )
    if not any(target.iterdir()):
        return False
    if not overwrite:
        raise WorkbenchException(
            f"Cannot save the evaluation result to {str(target)!r}: the directory exists "
            "and is not empty. Pass overwrite=True to replace a saved result, or choose "
            "another path.",
            error_code=RESOURCE_ALREADY_EXISTS,
        )
    if not _is_result_dir(target):
        raise WorkbenchException(
            f"Cannot save the evaluation result to {str(target)!r}: the directory is not "
            f"empty and holds no saved result (no {mf.METRICS_NAME} and "
            f"{mf.ARTIFACTS_METADATA_NAME}), so overwrite=True does not replace it. Choose "
            "another path.",
            error_code=RESOURCE_ALREADY_EXISTS,
        )
    return True


def _fsync_tree(root: pathlib.Path) -> None:
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(dirpath)


def _move_into_place(staging: pathlib.Path, target: pathlib.Path, replace: bool) -> None:
    if not replace:
        # rename(2) onto a missing name or an empty directory is atomic.
        try:
            os.rename(staging, target)
        except OSError as err:
            raise WorkbenchException(
                f"Cannot save the evaluation result to {str(target)!r}: {err.strerror} "
                "(was it created meanwhile?). Choose another path or pass overwrite=True.",
                error_code=RESOURCE_ALREADY_EXISTS,
            ) from None
        return
    # On Linux, renameat2(RENAME_EXCHANGE) swaps the two directories in one atomic step;
    # the old result is then under the staging name and is removed.
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)
        return
    # Elsewhere, two renames: the old result is moved aside, the new one takes its name.
    # Between them the name is briefly absent, never half written; if the second rename
    # fails, the old result is put back.
    old = _make_sibling(target, "old")
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        raise
    with contextlib.suppress(OSError):
        shutil.rmtree(old)


def _exchange(a: pathlib.Path, b: pathlib.Path) -> bool:
    """Atomically swap two paths with Linux's renameat2(RENAME_EXCHANGE).

    Returns False when the platform, the C library or the file system cannot do it (the
    caller falls back to two renames); raises OSError for any other failure.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # no glibc 2.28+
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), os.fspath(a))
