"""A model's Python environment: ``requirements.txt``, ``python_env.yaml`` and ``conda.yaml``.

Every saved model carries three files that say how to rebuild the environment it needs,
in the formats MLflow 3.17.2 writes, so that ``mlflow models predict``, MLflow's
``env_manager="virtualenv"`` / ``"uv"`` / ``"conda"`` and our own :func:`predict
<workbench.models.predict>` all read them:

``requirements.txt``
    One pip requirement a line, joined with ``"\\n"`` and no final newline (as MLflow
    writes it); a ``-c constraints.txt`` line last when constraints were given, with the
    constraints in ``constraints.txt``.
``python_env.yaml``
    ``python`` (this interpreter's ``X.Y.Z``), ``build_dependencies`` (pip, setuptools and
    wheel, pinned to the installed versions when installed) and ``dependencies:
    ["-r requirements.txt"]``, in that key order.
``conda.yaml``
    ``name: mlflow-env``, channel ``conda-forge``, dependencies ``python=X.Y.Z``,
    ``pip<=<installed pip>`` and ``{"pip": [<the requirements>]}``; keys sorted.

The ``mlflow`` pin
------------------
MLflow inserts ``mlflow==<its version>`` first in every model's requirements. workbench
does not: workbench is not on PyPI, so it cannot pin itself, and pinning mlflow would drag
MLflow's whole dependency tree into every environment built for a workbench model while
nothing in it needs MLflow. What the model needs to load is its flavor's own libraries,
pinned to the installed versions (for example ``scikit-learn==1.9.1`` and ``skops==0.16.0``
for a skops-serialised sklearn model, ``cloudpickle==3.1.3`` for a Python model); that is
what :func:`default_requirements_for` returns and what is written. Consequences:

- the environment installs from PyPI alone;
- :func:`workbench.models.predict` installs workbench itself into the environment it builds
  (see :mod:`workbench.models._env`);
- MLflow loads the model in a process that already has MLflow (``mlflow.pyfunc.load_model``,
  ``env_manager="local"``); to have MLflow *build* an environment for it, pass
  ``install_mlflow=True`` (``mlflow models predict --install-mlflow``), which installs the
  MLflow release that runs the command.

A requirement for mlflow that the caller passes (``pip_requirements=["mlflow==3.17.2"]``)
is kept as given.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import pathlib
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from workbench._exceptions import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import atomic_write_text, safe_join

__all__ = [
    "CONDA_ENV_FILE_NAME",
    "CONSTRAINTS_FILE_NAME",
    "PYTHON_ENV_FILE_NAME",
    "PYTHON_VERSION",
    "REQUIREMENTS_FILE_NAME",
    "canonical_name",
    "conda_env_dict",
    "deduplicate_requirements",
    "default_requirements_for",
    "dump_conda_yaml",
    "dump_python_env_yaml",
    "installed_version",
    "parse_pip_requirements",
    "pinned",
    "python_env_dict",
    "resolve_environment",
    "update_model_requirements",
    "write_environment",
]

_logger = logging.getLogger("workbench.models")

REQUIREMENTS_FILE_NAME = "requirements.txt"
PYTHON_ENV_FILE_NAME = "python_env.yaml"
CONDA_ENV_FILE_NAME = "conda.yaml"
CONSTRAINTS_FILE_NAME = "constraints.txt"

#: This interpreter's version as ``X.Y.Z``, the ``python`` of ``python_env.yaml``.
PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"

#: Installed before the requirements when an environment is built (``build_dependencies``).
BUILD_PACKAGES = ("pip", "setuptools", "wheel")

#: MLflow's conda environment name and channel, kept so that tools expecting them work.
CONDA_ENV_NAME = "mlflow-env"
CONDA_CHANNEL = "conda-forge"

#: The flavors :func:`default_requirements_for` knows, with the libraries each needs:
#: (distribution, importable module) pairs.
_FLAVOR_LIBRARIES = {
    "python_function": (("cloudpickle", "cloudpickle"),),
    "sklearn": (("scikit-learn", "sklearn"),),
}
#: The sklearn serialisation formats and the library each adds.
_SKLEARN_FORMAT_LIBRARIES = {
    "skops": ("skops", "skops"),
    "cloudpickle": ("cloudpickle", "cloudpickle"),
    "pickle": None,
}

_NORMALIZE = re.compile(r"[-_.]+")


def canonical_name(name: str) -> str:
    """Return the PEP 503 normalised form of a distribution name.

    Examples
    --------
    >>> canonical_name("Scikit_Learn")
    'scikit-learn'
    """
    return _NORMALIZE.sub("-", name).lower()


# ============================================================================ versions, pins


def installed_version(package: str, module: str | None = None) -> str | None:
    """Return the installed version of distribution ``package``, or None when it is absent.

    When the distribution metadata is missing, ``module.__version__`` (``module`` defaults
    to ``package``) is tried, as MLflow does.
    """
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        return str(__import__(module or package).__version__)
    except Exception:  # noqa: BLE001 - any failure means "not installed"
        return None


def _strip_local_label(version: str) -> str:
    try:
        parsed = Version(version)
    except InvalidVersion:
        return version
    if parsed.local is None:
        return version
    _logger.warning(
        "The installed version %s has a local version label (+%s), which PyPI cannot "
        "serve; the requirement pins %s instead. Pass pip_requirements to pin it as is.",
        version,
        parsed.local,
        parsed.public,
    )
    return parsed.public


def pinned(package_name: str, module: str | None = None) -> str:
    """Return ``"<package_name>==<installed version>"``.

    Parameters
    ----------
    package_name : str
        A distribution name, optionally with extras (``"mlflow[gateway]"``).
    module : str, optional
        The module the distribution provides, tried for ``__version__`` when the
        distribution metadata is missing (``"sklearn"`` for ``"scikit-learn"``).

    Returns
    -------
    str
        The pinned requirement. A local version label (``2.1.0+cu121``) is dropped so that
        the pin installs from PyPI.

    Raises
    ------
    WorkbenchException
        ``RESOURCE_DOES_NOT_EXIST`` when the package is not installed.

    Examples
    --------
    >>> import importlib.metadata
    >>> pinned("numpy") == "numpy==" + importlib.metadata.version("numpy")
    True
    >>> pinned("no-such-package-xyz")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Cannot pin 'no-such-package-xyz': it is not installed...
    """
    try:
        req = Requirement(package_name)
    except InvalidRequirement as exc:
        raise WorkbenchException(
            f"Expected a package name such as 'scikit-learn' or 'mlflow[gateway]', got "
            f"{package_name!r} ({exc}).",
            error_code=INVALID_PARAMETER_VALUE,
        ) from None
    version = installed_version(req.name, module)
    if version is None:
        raise WorkbenchException(
            f"Cannot pin {package_name!r}: it is not installed in this environment "
            f"({sys.executable}). Install it, or pass the requirement yourself through "
            "pip_requirements.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    version = _strip_local_label(version)
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    return f"{req.name}{extras}=={version}"


def default_requirements_for(flavor: str, *, serialization_format: str | None = None) -> list[str]:
    """Return the pinned libraries a model of ``flavor`` needs to load.

    Parameters
    ----------
    flavor : {"sklearn", "python_function"}
        The flavor that saves the model.
    serialization_format : {"skops", "cloudpickle", "pickle"}, optional
        For ``"sklearn"``: the format of the model file; skops and cloudpickle add their
        own library. Ignored for other flavors.

    Returns
    -------
    list of str
        E.g. ``["scikit-learn==1.9.1", "skops==0.16.0"]``; no mlflow pin (see the module
        docstring).

    Examples
    --------
    >>> [r.split("==")[0] for r in default_requirements_for("sklearn", serialization_format="skops")]
    ['scikit-learn', 'skops']
    >>> [r.split("==")[0] for r in default_requirements_for("python_function")]
    ['cloudpickle']
    >>> default_requirements_for("tensorflow")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Unknown flavor 'tensorflow': expected one of ['python_function', 'sklearn'].
    """
    if flavor not in _FLAVOR_LIBRARIES:
        raise WorkbenchException(
            f"Unknown flavor {flavor!r}: expected one of {sorted(_FLAVOR_LIBRARIES)}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    libraries = list(_FLAVOR_LIBRARIES[flavor])
    if flavor == "sklearn" and serialization_format is not None:
        if serialization_format not in _SKLEARN_FORMAT_LIBRARIES:
            raise WorkbenchException(
                f"Unknown sklearn serialization_format {serialization_format!r}: expected one "
                f"of {sorted(_SKLEARN_FORMAT_LIBRARIES)}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        extra = _SKLEARN_FORMAT_LIBRARIES[serialization_format]
        if extra is not None:
            libraries.append(extra)
    return [pinned(package, module) for package, module in libraries]


# ============================================================================ parsing


def _strip_inline_comment(line: str) -> str:
    return line[: line.find(" #")].rstrip() if " #" in line else line


def _join_continued(lines: Iterable[str]) -> Iterator[str]:
    pending: list[str] = []
    for line in lines:
        if line.endswith("\\"):
            pending.append(line.rstrip("\\"))
            continue
        pending.append(line)
        yield "".join(pending)
        pending.clear()
    if pending:
        yield "".join(pending)


def _file_reference(line: str, options: tuple[str, ...]) -> str | None:
    for option in options:
        if line.startswith(option + " "):
            return line.split(maxsplit=1)[1]
    return None


def _read_lines(path: str | os.PathLike, what: str) -> list[str]:
    try:
        return pathlib.Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise WorkbenchException(
            f"Could not read the {what} {os.fspath(path)!r}: no such file. Expected the path "
            "of a pip requirements file (relative paths are read from the current directory, "
            "or from the directory of the file that references them).",
            error_code=RESOURCE_DOES_NOT_EXIST,
        ) from None
    except OSError as exc:
        raise WorkbenchException(
            f"Could not read the {what} {os.fspath(path)!r}: {exc}.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        ) from None


def _iter_requirements(
    lines: Iterable[str],
    base_dir: str,
    is_constraint: bool,
    seen: frozenset[str],
    root: str | None = None,
) -> Iterator[tuple[str, bool]]:
    """Yield ``(requirement, is_constraint)`` from requirement-file lines.

    Comments, blank lines and continuations are handled as pip does; ``-r file`` and
    ``-c file`` are read (relative to ``base_dir``) and expanded.
    """
    stripped = (_strip_inline_comment(line.strip()) for line in lines)
    for line in _join_continued(stripped):
        if line == "" or line.startswith("#"):
            continue
        requirement_file = _file_reference(line, ("-r", "--requirement"))
        constraint_file = _file_reference(line, ("-c", "--constraint"))
        reference = requirement_file or constraint_file
        if reference is None:
            yield line, is_constraint
            continue
        if root is not None:
            # Model-provided files: a reference must stay inside the model directory.
            relative = os.path.relpath(os.path.join(base_dir, reference), root)
            path = os.fspath(safe_join(root, pathlib.PurePath(relative).as_posix()))
        else:
            path = os.path.join(base_dir, reference)
        real = os.path.realpath(path)
        if real in seen:
            raise WorkbenchException(
                f"The requirements file {path!r} references itself (through -r/-c): expected "
                "files that do not include each other in a cycle.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        yield from _iter_requirements(
            _read_lines(path, "requirements file"),
            os.path.dirname(path),
            constraint_file is not None,
            seen | {real},
            root,
        )


def parse_pip_requirements(
    pip_requirements: Any, *, base_dir: str | None = None, root: str | None = None
) -> tuple[list[str], list[str]]:
    """Parse requirements as ``save_model(pip_requirements=...)`` accepts them.

    Parameters
    ----------
    pip_requirements : str, os.PathLike, iterable of str or None
        The path of a pip requirements file, or requirement strings, which may include
        ``-r other.txt`` and ``-c constraints.txt`` lines (relative to ``base_dir``, or to
        the file's own directory for a path).
    base_dir : str, optional
        The directory relative ``-r`` / ``-c`` references are read from when
        ``pip_requirements`` is a list; defaults to the current directory (as MLflow does).

    Returns
    -------
    (list of str, list of str)
        The requirements and the constraints, comments and blank lines removed.

    Examples
    --------
    >>> parse_pip_requirements(["scikit-learn==1.9.1  # the model", "", "pandas"])
    (['scikit-learn==1.9.1', 'pandas'], [])
    >>> parse_pip_requirements(None)
    ([], [])
    """
    if pip_requirements is None:
        return [], []
    if isinstance(pip_requirements, (str, os.PathLike)):
        path = os.fspath(pip_requirements)
        lines = _read_lines(path, "requirements file")
        base = os.path.dirname(os.path.abspath(path))
        seen = frozenset({os.path.realpath(path)})
    else:
        try:
            lines = list(pip_requirements)
        except TypeError:
            lines = None
        if lines is None or not all(isinstance(line, str) for line in lines):
            raise WorkbenchException(
                "Expected pip requirements as the path of a requirements file or a list of "
                f"requirement strings (e.g. ['scikit-learn==1.9.1', '-r extra.txt']), got "
                f"{type(pip_requirements).__name__}: {pip_requirements!r}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        base = base_dir if base_dir is not None else os.getcwd()
        seen = frozenset()
    requirements: list[str] = []
    constraints: list[str] = []
    for line, is_constraint in _iter_requirements(lines, base, False, seen, root):
        (constraints if is_constraint else requirements).append(line)
    return requirements, constraints


def _parse(text: str) -> Requirement | None:
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def deduplicate_requirements(requirements: Iterable[str]) -> list[str]:
    """Merge requirements that name the same package (and marker), keeping first positions.

    Version specifiers are combined and extras united, as MLflow does; two ``==`` pins to
    different versions are refused. Lines that are not PEP 508 requirements (URLs, paths,
    pip options) are kept once, as given.

    Examples
    --------
    >>> deduplicate_requirements(["pandas", "numpy>1", "pandas==2.2.0", "numpy<3"])
    ['pandas==2.2.0', 'numpy<3,>1']
    >>> deduplicate_requirements(["numpy==1.0", "numpy==2.0"])
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Conflicting requirements for 'numpy': 'numpy==1.0' and 'numpy==2.0'...
    """
    merged: dict[Any, Any] = {}
    for text in requirements:
        req = _parse(text)
        if req is None:
            merged.setdefault(text, text)
            continue
        key = (canonical_name(req.name), str(req.marker) if req.marker else "")
        old = merged.get(key)
        if old is None:
            merged[key] = req
            continue
        if old.specifier and req.specifier and old.specifier != req.specifier:
            _check_compatible(old, req)
            req.specifier = SpecifierSet(f"{old.specifier},{req.specifier}")
        elif old.specifier and not req.specifier:
            req.specifier = old.specifier
        if old.extras or req.extras:
            req.extras = set(old.extras) | set(req.extras)
        req.name = old.name
        merged[key] = req
    return [str(req) for req in merged.values()]


def _check_compatible(old: Requirement, new: Requirement) -> None:
    # MLflow asks pip (a network dry run); two exact pins that disagree are the common case
    # and need no network to refuse.
    pins = [
        spec.version
        for req in (old, new)
        for spec in req.specifier
        if spec.operator in ("==", "===") and "*" not in spec.version
    ]
    combined = SpecifierSet(f"{old.specifier},{new.specifier}")
    if any(not combined.contains(pin, prereleases=True) for pin in pins):
        raise WorkbenchException(
            f"Conflicting requirements for {old.name!r}: {str(old)!r} and {str(new)!r} cannot "
            "both hold. Keep one of them.",
            error_code=INVALID_PARAMETER_VALUE,
        )


# ============================================================================ the three files


def conda_env_dict(pip_requirements: list[str], conda_dependencies: list[str] | None = None) -> dict:
    """Return the conda environment MLflow writes for these pip requirements.

    ``pip<=<installed pip>`` is added when there are pip requirements (``<=`` because
    conda-forge lags behind PyPI, MLflow's reason).

    Examples
    --------
    >>> env = conda_env_dict(["scikit-learn==1.9.1"])
    >>> env["name"], env["channels"], env["dependencies"][-1]
    ('mlflow-env', ['conda-forge'], {'pip': ['scikit-learn==1.9.1']})
    """
    dependencies: list[Any] = [f"python={PYTHON_VERSION}", *(conda_dependencies or [])]
    if pip_requirements:
        pip_version = installed_version("pip")
        dependencies.append(f"pip<={pip_version}" if pip_version else "pip")
    dependencies.append({"pip": list(pip_requirements)})
    return {"name": CONDA_ENV_NAME, "channels": [CONDA_CHANNEL], "dependencies": dependencies}


def python_env_dict() -> dict:
    """Return the content of ``python_env.yaml`` for this interpreter.

    Examples
    --------
    >>> env = python_env_dict()
    >>> list(env), env["dependencies"]
    (['python', 'build_dependencies', 'dependencies'], ['-r requirements.txt'])
    """
    build = []
    for package in BUILD_PACKAGES:
        version = installed_version(package)
        build.append(f"{package}=={version}" if version else package)
    return {
        "python": PYTHON_VERSION,
        "build_dependencies": build,
        "dependencies": [f"-r {REQUIREMENTS_FILE_NAME}"],
    }


def dump_conda_yaml(conda_env: dict) -> str:
    """Return ``conda.yaml`` text: keys sorted, block style (``yaml.safe_dump``'s defaults)."""
    return yaml.safe_dump(conda_env, default_flow_style=False)


def dump_python_env_yaml(python_env: dict) -> str:
    """Return ``python_env.yaml`` text: keys in order, empty values left out."""
    data = {key: value for key, value in python_env.items() if value}
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


def _pip_dependencies(conda_env: dict) -> list[str]:
    for dep in conda_env.get("dependencies") or []:
        if isinstance(dep, dict) and "pip" in dep:
            return list(dep["pip"] or [])
    return []


def _with_pip_dependencies(conda_env: dict, pip_requirements: list[str]) -> dict:
    dependencies: list[Any] = []
    replaced = False
    for dep in conda_env.get("dependencies") or []:
        if isinstance(dep, dict) and "pip" in dep:
            dependencies.append({**dep, "pip": list(pip_requirements)})
            replaced = True
        else:
            dependencies.append(dep)
    if not replaced:
        dependencies.append({"pip": list(pip_requirements)})
    return {**conda_env, "dependencies": dependencies}


def _load_conda_env(conda_env: Any) -> dict:
    if isinstance(conda_env, (str, os.PathLike)):
        text = "\n".join(_read_lines(conda_env, "conda environment file"))
        try:
            conda_env = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise WorkbenchException(
                f"Could not parse the conda environment file {os.fspath(conda_env)!r} as "
                f"YAML: {exc}",
                error_code=INVALID_PARAMETER_VALUE,
            ) from None
        if not isinstance(conda_env, dict):
            raise WorkbenchException(
                "Expected the conda environment file to hold a mapping (name, channels, "
                f"dependencies), got {type(conda_env).__name__}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        return conda_env
    if isinstance(conda_env, dict):
        return conda_env
    raise WorkbenchException(
        "Expected conda_env as the path of a conda environment YAML file or a dict (name, "
        f"channels, dependencies), got {type(conda_env).__name__}: {conda_env!r}.",
        error_code=INVALID_PARAMETER_VALUE,
    )


def _check_one_source(conda_env: Any, pip_requirements: Any, extra_pip_requirements: Any) -> None:
    given = [
        name
        for name, value in (
            ("conda_env", conda_env),
            ("pip_requirements", pip_requirements),
            ("extra_pip_requirements", extra_pip_requirements),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise WorkbenchException(
            "Only one of `conda_env`, `pip_requirements`, and `extra_pip_requirements` can be "
            f"specified; got {', '.join(given)}. Use pip_requirements to replace the default "
            "requirements, extra_pip_requirements to add to them, or conda_env for a whole "
            "conda environment.",
            error_code=INVALID_PARAMETER_VALUE,
        )


def resolve_environment(
    *,
    default_requirements: list[str],
    pip_requirements: Any = None,
    extra_pip_requirements: Any = None,
    conda_env: Any = None,
) -> tuple[dict, list[str], list[str]]:
    """Return ``(conda_env, requirements, constraints)`` as :func:`write_environment` writes them.

    Examples
    --------
    >>> env, reqs, cons = resolve_environment(
    ...     default_requirements=["scikit-learn==1.9.1"], extra_pip_requirements=["pandas"])
    >>> reqs, cons
    (['scikit-learn==1.9.1', 'pandas'], [])
    """
    _check_one_source(conda_env, pip_requirements, extra_pip_requirements)
    if conda_env is not None:
        env = _load_conda_env(conda_env)
        requirements, constraints = parse_pip_requirements(_pip_dependencies(env))
        if constraints:
            requirements.append(f"-c {CONSTRAINTS_FILE_NAME}")
        return _with_pip_dependencies(env, requirements), requirements, constraints
    if pip_requirements is not None:
        requirements, constraints = parse_pip_requirements(pip_requirements)
    else:
        extra, constraints = parse_pip_requirements(extra_pip_requirements)
        requirements = list(default_requirements) + extra
    requirements = deduplicate_requirements(requirements)
    if constraints:
        requirements.append(f"-c {CONSTRAINTS_FILE_NAME}")
    return conda_env_dict(requirements), requirements, constraints


def write_environment(
    path: str | os.PathLike,
    *,
    default_requirements: list[str],
    pip_requirements: Any = None,
    extra_pip_requirements: Any = None,
    conda_env: Any = None,
) -> None:
    """Write ``requirements.txt``, ``python_env.yaml`` and ``conda.yaml`` into a model directory.

    Parameters
    ----------
    path : str or os.PathLike
        The model directory (it must exist).
    default_requirements : list of str
        What the flavor needs (see :func:`default_requirements_for`); used unless
        ``pip_requirements`` or ``conda_env`` replaces it.
    pip_requirements : str, os.PathLike or list of str, optional
        Replaces the defaults: requirement strings (``-r`` / ``-c`` file references allowed)
        or the path of a requirements file.
    extra_pip_requirements : str, os.PathLike or list of str, optional
        Added after the defaults; same forms as ``pip_requirements``.
    conda_env : dict or str, optional
        A whole conda environment, or the path of its YAML file; its pip dependencies
        become ``requirements.txt``.

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` when more than one of ``pip_requirements``,
        ``extra_pip_requirements`` and ``conda_env`` is given, when two requirements
        conflict, or for a value of the wrong type; ``RESOURCE_DOES_NOT_EXIST`` for a
        requirements or conda file that cannot be read.

    Notes
    -----
    No ``mlflow==X`` pin is added (see the module docstring). Constraints (``-c`` files)
    are written to ``constraints.txt`` and referenced by a last ``-c constraints.txt`` line.
    Each file is written atomically.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> model_dir = pathlib.Path(tempfile.mkdtemp())
    >>> write_environment(model_dir, default_requirements=["scikit-learn==1.9.1"],
    ...                   extra_pip_requirements=["pandas>=2"])
    >>> print((model_dir / "requirements.txt").read_text())
    scikit-learn==1.9.1
    pandas>=2
    >>> sorted(p.name for p in model_dir.iterdir())
    ['conda.yaml', 'python_env.yaml', 'requirements.txt']
    """
    env, requirements, constraints = resolve_environment(
        default_requirements=default_requirements,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        conda_env=conda_env,
    )
    root = pathlib.Path(path)
    if not root.is_dir():
        raise WorkbenchException(
            f"Expected an existing model directory to write the environment files into, got "
            f"{os.fspath(path)!r}.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    atomic_write_text(safe_join(root, CONDA_ENV_FILE_NAME), dump_conda_yaml(env))
    if constraints:
        atomic_write_text(safe_join(root, CONSTRAINTS_FILE_NAME), "\n".join(constraints))
    atomic_write_text(safe_join(root, REQUIREMENTS_FILE_NAME), "\n".join(requirements))
    atomic_write_text(safe_join(root, PYTHON_ENV_FILE_NAME), dump_python_env_yaml(python_env_dict()))


# ============================================================================ updating a model


def _model_dir_for_update(model_uri: Any, action: str) -> pathlib.Path:
    # Registered model versions are immutable (MLflow's reason for refusing models:/), by
    # URI and by the local path of their read-only copy.
    from workbench.models._set_signature import _refuse_registry_copy, is_registered_model_uri
    from workbench.models._uri import resolve_model_path

    if is_registered_model_uri(model_uri):
        raise WorkbenchException(
            f"Failed to {action} on {model_uri!r}. Model URIs with the `models:/` scheme are "
            "not supported: a registered model version is read-only. Update the source model "
            "artifacts instead and register them as a new model version.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    model_dir = resolve_model_path(model_uri)
    _refuse_registry_copy(model_dir, action)
    return model_dir


def _parse_requirement_list(requirement_list: Any) -> list[Requirement]:
    if isinstance(requirement_list, str) or not isinstance(requirement_list, (list, tuple)):
        raise WorkbenchException(
            "Expected requirement_list as a list of requirement strings, e.g. "
            f"['numpy==1.20.3', 'pandas>=1.3.3'], got {type(requirement_list).__name__}: "
            f"{requirement_list!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    parsed, invalid = [], {}
    for item in requirement_list:
        if not isinstance(item, str):
            invalid[repr(item)] = f"expected a str, got {type(item).__name__}"
            continue
        try:
            parsed.append(Requirement(item.strip().lower()))
        except InvalidRequirement as exc:
            invalid[item] = str(exc)
    if invalid:
        details = "; ".join(f"{item!r}: {why}" for item, why in invalid.items())
        raise WorkbenchException(
            f"Found invalid requirements: {details}. Expected PEP 508 requirement strings such "
            "as 'numpy==1.20.3' or 'pandas>=1.3.3' (no -r/-c options, paths or URLs).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return parsed


def _apply(operation: str, changes: list[Requirement], lines: list[str]) -> list[str]:
    """Apply ``operation`` to requirement ``lines``, keyed by canonical package name.

    Lines that are not requirements (``-c constraints.txt``, ``--extra-index-url ...``) are
    kept where they are.
    """
    entries: dict[Any, str] = {}
    for index, line in enumerate(lines):
        req = _parse(line)
        # Requirements are rewritten in their canonical text ("pandas >= 2" -> "pandas>=2"), as
        # MLflow writes them; other lines are kept as they are.
        entries[canonical_name(req.name) if req else ("line", index)] = str(req) if req else line
    if operation == "add":
        for text in deduplicate_requirements([str(req) for req in changes]):
            req = Requirement(text)
            entries[canonical_name(req.name)] = text
        return list(entries.values())
    for req in changes:
        if entries.pop(canonical_name(req.name), None) is None:
            _logger.warning('"%s" not found in requirements, ignoring', req.name)
    return list(entries.values())


def update_model_requirements(model_uri: Any, operation: str, requirement_list: list[str]) -> None:
    """Add or remove requirements in a model's ``requirements.txt`` and ``conda.yaml``.

    Parameters
    ----------
    model_uri : str or os.PathLike
        The model directory, its ``MLmodel`` file or a ``file://`` URI. ``models:/`` URIs
        are refused: a registered model version is read-only.
    operation : {"add", "remove"}
        ``"add"`` replaces the requirements for packages already listed (in place) and
        appends the others; ``"remove"`` removes the named packages whatever version
        specifiers are given, and ignores (with a warning) packages not listed.
    requirement_list : list of str
        PEP 508 requirements, e.g. ``["numpy==1.20.3", "pandas>=1.3.3"]``. They are
        lower-cased, as MLflow does.

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` for another operation, a malformed requirement or a
        ``models:/`` URI; ``RESOURCE_DOES_NOT_EXIST`` when the model has neither file.

    Notes
    -----
    Package names are compared in PEP 503 form (``PyYAML`` and ``pyyaml`` are one
    package; MLflow compares them as written). Lines that are not requirements
    (``-c constraints.txt``) are kept, where MLflow fails on them. Both files are rewritten
    atomically; ``python_env.yaml`` refers to ``requirements.txt`` and needs no change.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> model_dir = pathlib.Path(tempfile.mkdtemp())
    >>> write_environment(model_dir, default_requirements=["scikit-learn==1.9.1", "numpy==2.0.0"])
    >>> update_model_requirements(model_dir, "add", ["numpy==2.4.6", "pandas>=2"])
    >>> print((model_dir / "requirements.txt").read_text())
    scikit-learn==1.9.1
    numpy==2.4.6
    pandas>=2
    >>> update_model_requirements(model_dir, "remove", ["numpy>=99"])
    >>> print((model_dir / "requirements.txt").read_text())
    scikit-learn==1.9.1
    pandas>=2
    """
    if operation not in ("add", "remove"):
        raise WorkbenchException(
            f"Expected operation 'add' or 'remove', got {operation!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    model_dir = _model_dir_for_update(model_uri, "set requirements")
    changes = _parse_requirement_list(requirement_list)
    requirements_path = safe_join(model_dir, REQUIREMENTS_FILE_NAME)
    conda_path = safe_join(model_dir, CONDA_ENV_FILE_NAME)
    if not requirements_path.is_file() and not conda_path.is_file():
        raise WorkbenchException(
            f"Cannot update the requirements of the model at {str(model_dir)!r}: it has neither "
            f"{REQUIREMENTS_FILE_NAME} nor {CONDA_ENV_FILE_NAME}. Expected a model directory "
            "written by save_model.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    # Compute both results before writing either, so a bad file leaves both untouched.
    writes: list[tuple[pathlib.Path, str]] = []
    if conda_path.is_file():
        conda_env = _load_conda_env(conda_path)
        updated = _apply(operation, changes, _pip_dependencies(conda_env))
        writes.append((conda_path, dump_conda_yaml(_with_pip_dependencies(conda_env, updated))))
    if requirements_path.is_file():
        old = requirements_path.read_text(encoding="utf-8").splitlines()
        updated = _apply(operation, changes, [line for line in old if line.strip()])
        writes.append((requirements_path, "\n".join(updated)))
    for target, text in writes:
        atomic_write_text(target, text)
    _logger.info("Updated the requirements of %s (%s %s).", model_dir, operation, requirement_list)
