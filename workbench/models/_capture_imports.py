"""Infer a model's pip requirements by loading it in a subprocess: :func:`infer_pip_requirements`.

Two halves of one idea:

- the parent (:func:`infer_pip_requirements`) starts a fresh interpreter, waits for it
  (bounded by ``timeout``), maps the top-level modules it reports to the installed
  distributions that provide them, drops what is not a requirement and pins the rest;
- the child (:func:`main`, run as ``python -c ... workbench.models._capture_imports``)
  wraps ``builtins.__import__`` and ``importlib.import_module`` while the flavor's
  ``_load_pyfunc`` runs (and while the model predicts on its saved input example), so that
  imports of modules already loaded count too, and writes the top-level names it saw.

The child loads the model through :func:`workbench.pyfunc.load_model` with the caller's
trust rules unchanged: a pickle loads there only when this machine's trust store records
it or it lies under ``$WORKBENCH_TRUSTED_LOCATIONS`` (both reach the child through its
environment). Inference never widens trust.

What is dropped: standard-library modules, modules no installed distribution provides,
``workbench`` itself and ``setuptools`` (almost always present, and imported by some
libraries only to read metadata), ``mlflow`` (never a model requirement here), and
distributions that another captured distribution requires (``numpy`` when
``scikit-learn`` is there) -- except workbench's own direct requirements (numpy, pandas,
scikit-learn, pyyaml), which stay pinned because the environment gets workbench without
pins (MLflow keeps its own direct requirements for the same reason).
"""

from __future__ import annotations

import argparse
import builtins
import functools
import importlib
import importlib.metadata
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import Version

from workbench._exceptions import (
    DEADLINE_EXCEEDED,
    INTERNAL_ERROR,
    INVALID_PARAMETER_VALUE,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)

__all__ = ["infer_pip_requirements"]

_logger = logging.getLogger("workbench.models")

#: Seconds the subprocess may run when no ``timeout`` is given (MLflow's default, 120).
TIMEOUT_ENV = "WORKBENCH_REQUIREMENTS_INFERENCE_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 120
#: When "true", errors are raised even when a ``fallback`` is given (MLflow's twin variable).
RAISE_ERRORS_ENV = "WORKBENCH_REQUIREMENTS_INFERENCE_RAISE_ERRORS"

# The line the child writes to stderr before a WorkbenchException as JSON.
_ERROR_MARKER = "WORKBENCH-CAPTURE-ERROR "

# Distributions never reported as requirements.
_EXCLUDED = frozenset({"workbench", "setuptools", "mlflow", "mlflow-skinny", "mlflow-tracing"})


def _canonical(name: str) -> str:
    from workbench.models._requirements import canonical_name

    return canonical_name(name)


# =========================================================================== the child


class CaptureImports:
    """Record the top-level names of modules imported while the context is active.

    Private (``_x``) top-level names are ignored, as MLflow does.

    Examples
    --------
    >>> with CaptureImports() as capture:
    ...     import json.decoder
    ...     _ = importlib.import_module("email.message")
    >>> sorted(capture.modules & {"json", "email"})
    ['email', 'json']
    """

    def __init__(self) -> None:
        self.modules: set[str] = set()
        self._saved: tuple[Any, Any] | None = None

    def _record(self, name: str) -> None:
        if isinstance(name, str) and name and not name.startswith("_"):
            self.modules.add(name.split(".")[0])

    def __enter__(self) -> CaptureImports:
        original_import, original_import_module = builtins.__import__, importlib.import_module

        @functools.wraps(original_import)
        def wrapped_import(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002
            if level == 0:
                self._record(name)
            return original_import(name, globals, locals, fromlist, level)

        @functools.wraps(original_import_module)
        def wrapped_import_module(name, *args, **kwargs):
            if not name.startswith("."):
                self._record(name)
            return original_import_module(name, *args, **kwargs)

        self._saved = (original_import, original_import_module)
        builtins.__import__ = wrapped_import
        importlib.import_module = wrapped_import_module
        return self

    def __exit__(self, *exc_info: Any) -> None:
        assert self._saved is not None
        builtins.__import__, importlib.import_module = self._saved
        self._saved = None


def _capture_model_dir(model_path: str, capture: CaptureImports) -> str | None:
    """Load a model directory with workbench.pyfunc.load_model; return a predict error, if any."""
    from workbench.models._loaders import get_loader
    from workbench.models._model import Model
    from workbench.models._pyfunc import load_model

    model = Model.load(model_path)
    conf = model.flavors.get("python_function")
    if not conf or "loader_module" not in conf:
        raise WorkbenchException(
            f"The model at {model_path!r} has no python_function flavor with a loader_module; "
            "pass the flavor's data path to infer its requirements.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    example = model.load_input_example(model_path)
    params = model.load_input_example_params(model_path)
    loader = get_loader(conf["loader_module"])
    original = loader._load_pyfunc
    predict_error: list[str] = []

    @functools.wraps(original)
    def capturing_load(*args: Any, **kwargs: Any) -> Any:
        with capture:
            impl = original(*args, **kwargs)
            if example is not None:
                try:
                    impl.predict(example, params=params) if params else impl.predict(example)
                except Exception as exc:  # noqa: BLE001 - reported, not fatal
                    predict_error.append(
                        "Failed to run predict on the input example; modules imported by "
                        f"predict are not captured. {type(exc).__name__}: {exc}"
                    )
            return impl

    loader._load_pyfunc = capturing_load
    try:
        load_model(model_path)
    finally:
        loader._load_pyfunc = original
    return predict_error[0] if predict_error else None


def _capture_data_path(model_path: str, flavor: str, capture: CaptureImports) -> None:
    from workbench.models._loaders import get_loader

    loader = get_loader(f"mlflow.{flavor}")
    with capture:
        loader._load_pyfunc(model_path)


def main(argv: list[str] | None = None) -> int:
    """Child entry point: load the model, write the captured top-level module names."""
    from workbench._io import atomic_write_text

    parser = argparse.ArgumentParser(prog="workbench.models._capture_imports")
    parser.add_argument("--model-path", required=True)
    parser.add_argument("--flavor", required=True)
    parser.add_argument("--output-file", required=True)
    parser.add_argument("--error-file", required=True)
    args = parser.parse_args(argv)
    capture = CaptureImports()
    warning = None
    try:
        if os.path.isdir(args.model_path) and os.path.isfile(os.path.join(args.model_path, "MLmodel")):
            warning = _capture_model_dir(args.model_path, capture)
        else:
            _capture_data_path(args.model_path, args.flavor, capture)
    except WorkbenchException as exc:
        # Handed back to the parent with its code (e.g. PERMISSION_DENIED from the trust check).
        sys.stderr.write(_ERROR_MARKER + exc.serialize_as_json() + "\n")
        return 2
    if warning:
        atomic_write_text(args.error_file, warning)
    atomic_write_text(args.output_file, "\n".join(sorted(capture.modules)))
    return 0


# =========================================================================== the parent


def _local_model_path(model_uri: Any) -> str:
    """Return the local path ``model_uri`` names: a model directory or a flavor's data file."""
    import urllib.parse

    from workbench.models._uri import resolve_model_path

    if isinstance(model_uri, os.PathLike):
        model_uri = os.fspath(model_uri)
    if not isinstance(model_uri, str) or not model_uri.strip():
        raise WorkbenchException(
            "Expected model_uri as a local path or file:// URI of a model directory or a "
            f"flavor's model file, got {type(model_uri).__name__}: {model_uri!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    parsed = urllib.parse.urlparse(model_uri)
    if parsed.scheme and len(parsed.scheme) > 1 and parsed.scheme.lower() != "file":
        return str(resolve_model_path(model_uri))  # raises with the reason
    local = urllib.parse.unquote(parsed.path) if parsed.scheme.lower() == "file" else model_uri
    path = os.path.abspath(os.path.expanduser(local))
    if not os.path.exists(path):
        raise WorkbenchException(
            f"Could not find a model at {model_uri!r}: {path!r} does not exist.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    return path


def _child_command(model_path: str, flavor: str, output_file: str, error_file: str) -> list[str]:
    # `-c` rather than running this file: the child gets the parent's sys.path exactly
    # (so a workbench importable from a checkout or a test path is importable there too),
    # and no directory of ours shadows the standard library.
    bootstrap = (
        "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
        "from workbench.models._capture_imports import main; sys.exit(main(sys.argv[2:]))"
    )
    return [
        sys.executable,
        "-c",
        bootstrap,
        json.dumps(sys.path),
        "--model-path",
        model_path,
        "--flavor",
        flavor,
        "--output-file",
        output_file,
        "--error-file",
        error_file,
    ]


def _tail(text: str, limit: int = 4000) -> str:
    return text if len(text) <= limit else "..." + text[-limit:]


def _captured_modules(
    model_path: str, flavor: str, timeout: float, extra_env_vars: dict[str, str] | None
) -> list[str]:
    env = {**os.environ, **{str(k): str(v) for k, v in (extra_env_vars or {}).items()}}
    with tempfile.TemporaryDirectory(prefix="workbench-capture-") as tmp:
        output_file = os.path.join(tmp, "imported_modules.txt")
        error_file = os.path.join(tmp, "error.txt")
        command = _child_command(model_path, flavor, output_file, error_file)
        try:
            proc = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            raise WorkbenchException(
                f"Inferring the pip requirements of {model_path!r} timed out after {timeout} "
                "seconds while loading the model in a subprocess. Pass a larger timeout (or set "
                f"${TIMEOUT_ENV}), or pass pip_requirements to save_model yourself.",
                error_code=DEADLINE_EXCEEDED,
            ) from None
        if proc.returncode != 0:
            error = _child_error(proc.stderr)
            if error is not None:
                raise WorkbenchException(
                    f"Loading the model at {model_path!r} (flavor {flavor!r}) to infer its pip "
                    f"requirements failed: {error.message}",
                    error_code=error.error_code,
                )
            raise WorkbenchException(
                f"Loading the model at {model_path!r} (flavor {flavor!r}) in a subprocess to "
                f"infer its pip requirements failed with exit status {proc.returncode}.\n"
                f"stderr: {_tail(proc.stderr)}",
                error_code=INTERNAL_ERROR,
            )
        if os.path.exists(error_file):
            with open(error_file, encoding="utf-8") as fh:
                problem = fh.read()
            if problem:
                if _raise_errors():
                    raise WorkbenchException(
                        f"Encountered an error while capturing imported modules: {problem}",
                        error_code=INTERNAL_ERROR,
                    )
                _logger.warning(problem)
        with open(output_file, encoding="utf-8") as fh:
            return [line for line in fh.read().splitlines() if line]


def _child_error(stderr: str) -> WorkbenchException | None:
    """The WorkbenchException the child reported on its last marked stderr line, if any."""
    from workbench._exceptions import ERROR_CODES

    for line in reversed((stderr or "").splitlines()):
        if line.startswith(_ERROR_MARKER):
            try:
                payload = json.loads(line[len(_ERROR_MARKER):])
            except ValueError:
                return None
            if payload.get("error_code") in ERROR_CODES and isinstance(payload.get("message"), str):
                return WorkbenchException(payload["message"], error_code=payload["error_code"])
            return None
    return None


def _raise_errors() -> bool:
    return os.environ.get(RAISE_ERRORS_ENV, "").strip().lower() in ("true", "1")


def _requires(distribution: str) -> Iterator[str]:
    """Yield the canonical names ``distribution`` requires in this environment (no extras)."""
    try:
        requirements = importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return
    for text in requirements:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is not None:
            try:
                if not req.marker.evaluate({"extra": ""}):
                    continue
            except Exception:  # noqa: BLE001 - an unusual marker is not a requirement
                continue
        yield _canonical(req.name)


def _requires_recursive(distribution: str) -> set[str]:
    seen: set[str] = set()
    stack = [distribution]
    while stack:
        for name in _requires(stack.pop()):
            if name not in seen and name != _canonical(distribution):
                seen.add(name)
                stack.append(name)
    return seen


def _prune(packages: set[str]) -> set[str]:
    required = set().union(*(_requires_recursive(name) for name in packages)) if packages else set()
    keep = set(_requires("workbench"))
    return packages - (required - keep)


def packages_for_modules(modules: Iterable[str]) -> list[str]:
    """Return the pinned requirements for the top-level ``modules`` a model imported.

    Examples
    --------
    >>> reqs = packages_for_modules(["sklearn", "numpy", "json", "workbench", "no_such_mod"])
    >>> [r.split("==")[0] for r in reqs]
    ['numpy', 'scikit-learn']
    """
    from workbench.models._requirements import pinned

    mapping = importlib.metadata.packages_distributions()
    stdlib = getattr(sys, "stdlib_module_names", frozenset())
    packages: set[str] = set()
    for module in modules:
        if module in stdlib or module in sys.builtin_module_names:
            continue
        for distribution in mapping.get(module, []):
            packages.add(_canonical(distribution))
    packages = _prune(packages) - _EXCLUDED
    # pandas < 2.1.2 does not cap numpy, and breaks with numpy 2: pin numpy too (as MLflow does).
    if "pandas" in packages:
        version = importlib.metadata.version("pandas")
        if Version(version) < Version("2.1.2"):
            packages.add("numpy")
    return sorted(pinned(name) for name in packages)


def infer_pip_requirements(
    model_uri: Any,
    flavor: str,
    fallback: list[str] | None = None,
    timeout: float | None = None,
    extra_env_vars: dict[str, str] | None = None,
) -> list[str] | None:
    """Infer a model's pip requirements by loading it in a subprocess and watching its imports.

    Parameters
    ----------
    model_uri : str or os.PathLike
        A model directory (loaded with :func:`workbench.pyfunc.load_model`, which also
        predicts on its saved input example), or the data path of a flavor's model file
        (loaded with that flavor's ``_load_pyfunc``), as a local path or ``file://`` URI.
    flavor : str
        The flavor name, e.g. ``"sklearn"``; picks the loader for a data path.
    fallback : list of str, optional
        Returned (with a warning) when inference fails; without it the error is raised.
        Set ``$WORKBENCH_REQUIREMENTS_INFERENCE_RAISE_ERRORS=true`` to always raise.
    timeout : float, optional
        Seconds the subprocess may take; default ``$WORKBENCH_REQUIREMENTS_INFERENCE_TIMEOUT``
        or 120.
    extra_env_vars : dict, optional
        Environment variables added to the subprocess's (which inherits this process's).

    Returns
    -------
    list of str
        Sorted pinned requirements, e.g. ``["numpy==2.4.6", "scikit-learn==1.9.1"]``.

    Raises
    ------
    WorkbenchException
        ``DEADLINE_EXCEEDED`` on timeout, ``INTERNAL_ERROR`` when loading fails (for
        instance ``PERMISSION_DENIED`` trust refusals in the child), and the errors of
        :func:`workbench.models._uri.resolve_model_path` for the location -- unless
        ``fallback`` is given.

    Examples
    --------
    >>> infer_pip_requirements("/no/such/model", "sklearn", fallback=["scikit-learn"])
    ['scikit-learn']
    """
    try:
        model_path = _local_model_path(model_uri)
        if timeout is None:
            timeout = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_SECONDS))
        modules = _captured_modules(model_path, flavor, timeout, extra_env_vars)
        return packages_for_modules(modules)
    except Exception as exc:
        if fallback is None or _raise_errors():
            raise
        if isinstance(exc, WorkbenchException) and exc.error_code == DEADLINE_EXCEEDED:
            _logger.warning(
                "Inferring the pip requirements of the model timed out after %s seconds. "
                "Falling back to %s. Pass a larger timeout (or set $%s).",
                timeout,
                fallback,
                TIMEOUT_ENV,
            )
        else:
            _logger.warning(
                "Encountered an unexpected error while inferring pip requirements (model URI: "
                "%s, flavor: %s). Falling back to %s. %s",
                model_uri,
                flavor,
                fallback,
                exc,
            )
        return fallback
