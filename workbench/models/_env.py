"""Isolated Python environments for a model, built from its ``python_env.yaml``: :func:`prepare_env`.

``predict(..., env_manager="uv" | "virtualenv")`` and (later) ``models serve`` run a model in
an environment of its own, restored from the files the model was saved with:

1. **What to install.** ``python_env.yaml`` (or, for models from MLflow before 1.26, the
   ``python`` and pip dependencies of ``conda.yaml``): the Python version, the build
   dependencies (pip, setuptools, wheel) and the dependencies, whose ``-r requirements.txt``
   and ``-c constraints.txt`` references are read from the model directory (and may not
   leave it). Then workbench itself (see below), ``mlflow`` when ``install_mlflow=True``,
   and last the ``pip_requirements_override``.
2. **Where.** ``$WORKBENCH_ENV_ROOT`` (default ``~/.cache/workbench/envs``)
   ``/<sha256 of all of the above>``: models with the same requirements share one
   environment, and changing any requirement gives a new one.
3. **How, safely under concurrency.** The environment is built in a temporary directory
   beside its final name and renamed into place only when every install succeeded; a lock
   file keeps a second process from building the same environment at the same time, and a
   process that loses a race simply uses the winner's. A directory under the final name is
   therefore always complete. (``uv venv --relocatable`` makes the uv environment's scripts
   survive the rename; workbench itself only ever runs ``<env>/bin/python``, which does.)
4. **With what.** ``"uv"``: ``uv venv --python X.Y.Z`` (uv finds or downloads that Python)
   and ``uv pip install``. ``"virtualenv"``: ``python -m venv`` with an interpreter of
   exactly that version -- this one when it matches, else ``pythonX.Y`` on ``PATH``, else
   pyenv (as MLflow does) -- and ``python -m pip install``. ``"conda"`` is not supported.

Installing workbench into the environment
-----------------------------------------
workbench is not on PyPI (and a same-named package there would be someone else's), so it
is never installed by name. :func:`workbench_install_args` finds the source of the running
workbench from its installed distribution's ``direct_url.json`` (PEP 610):

- an editable install (a development checkout, ``pip install -e .``) is installed editable
  from the same directory, so the environment runs the checkout's current code (MLflow does
  the same with ``$MLFLOW_HOME``);
- an install from a local directory or a local wheel/sdist is installed from that path
  (a directory's package files are hashed into the environment key, so edits rebuild it);
- an install from a VCS or URL is installed from that URL;
- otherwise (installed from a package index) set ``$WORKBENCH_INSTALL_SOURCE`` to what pip
  should install -- a wheel path, a project directory, or ``"workbench @ <url>"``. The
  variable also overrides the detection above.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import yaml

from workbench._exceptions import (
    INTERNAL_ERROR,
    INVALID_PARAMETER_VALUE,
    NOT_IMPLEMENTED,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import atomic_write_text, safe_join

__all__ = [
    "ENV_MANAGERS",
    "EnvSpec",
    "check_env_manager",
    "env_root",
    "env_spec",
    "find_uv",
    "prepare_env",
    "workbench_install_args",
]

_logger = logging.getLogger("workbench.models")

LOCAL, VIRTUALENV, UV, CONDA = "local", "virtualenv", "uv", "conda"
#: The values ``env_manager`` accepts (MLflow's); ``"conda"`` is refused with a reason.
ENV_MANAGERS = (LOCAL, VIRTUALENV, UV, CONDA)

ENV_ROOT_ENV = "WORKBENCH_ENV_ROOT"
INSTALL_SOURCE_ENV = "WORKBENCH_INSTALL_SOURCE"
#: The file inside a built environment that records what it was built from.
MANIFEST_NAME = "workbench-env.json"
#: Bump when the layout of built environments changes: every environment is rebuilt.
ENV_FORMAT_VERSION = 1

UV_INSTALLATION_INSTRUCTIONS = (
    "Run `pip install uv` to install uv. See "
    "https://docs.astral.sh/uv/getting-started/installation for other installation methods."
)

# Variables that would let the calling environment's packages leak into the isolated one.
# The conda dependencies a pip environment can honour (MLflow reads the same four).
_CONDA_DEPENDENCY = re.compile(
    r"^(?P<package>python|pip|setuptools|wheel)(?P<operator><=|>=|==|!=|<|>|=)?(?P<version>[\d.]+)?$"
)

_LEAKY_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "CONDA_PREFIX")


# =========================================================================== arguments


def check_env_manager(env_manager: Any) -> str:
    """Return ``env_manager`` when workbench can use it; refuse anything else clearly.

    Examples
    --------
    >>> check_env_manager("uv")
    'uv'
    >>> check_env_manager("conda")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: env_manager='conda' is not supported by workbench...
    """
    if env_manager == CONDA:
        raise WorkbenchException(
            "env_manager='conda' is not supported by workbench: it restores model "
            "environments from python_env.yaml with uv or virtualenv. Use env_manager='uv' "
            "(fastest), 'virtualenv', or 'local' (this Python environment). A model whose "
            "conda.yaml holds conda-only packages needs conda itself (MLflow's predict).",
            error_code=NOT_IMPLEMENTED,
        )
    if env_manager not in ENV_MANAGERS:
        raise WorkbenchException(
            f"Invalid value for `env_manager`: {env_manager!r}. Must be one of "
            f"{', '.join(repr(m) for m in ENV_MANAGERS if m != CONDA)}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return env_manager


def find_uv() -> str:
    """Return the path of the ``uv`` executable: on ``PATH``, or next to this Python.

    Raises
    ------
    WorkbenchException
        ``RESOURCE_DOES_NOT_EXIST`` with the installation hint when uv is not found.
    """
    found = shutil.which("uv")
    if found:
        return found
    sibling = pathlib.Path(sys.executable).parent / ("uv.exe" if os.name == "nt" else "uv")
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return str(sibling)
    raise WorkbenchException(
        "Found 'uv' as env_manager, but the 'uv' command is not found in the PATH (nor next "
        f"to {sys.executable}). {UV_INSTALLATION_INSTRUCTIONS} Alternatively, use "
        "env_manager='virtualenv' (slower) or 'local'.",
        error_code=RESOURCE_DOES_NOT_EXIST,
    )


def env_root() -> pathlib.Path:
    """Return the directory environments are built in: ``$WORKBENCH_ENV_ROOT`` or the cache.

    Examples
    --------
    >>> import os
    >>> saved = os.environ.pop("WORKBENCH_ENV_ROOT", None)
    >>> env_root().parts[-3:]
    ('.cache', 'workbench', 'envs')
    >>> os.environ["WORKBENCH_ENV_ROOT"] = "/srv/envs"
    >>> str(env_root())
    '/srv/envs'
    >>> _ = os.environ.pop("WORKBENCH_ENV_ROOT")
    >>> if saved is not None:
    ...     os.environ["WORKBENCH_ENV_ROOT"] = saved
    """
    configured = os.environ.get(ENV_ROOT_ENV)
    if configured:
        return pathlib.Path(os.path.expanduser(configured)).absolute()
    return pathlib.Path.home() / ".cache" / "workbench" / "envs"


# =========================================================================== what to install


@dataclass(frozen=True)
class EnvSpec:
    """Everything an environment is built from; its :meth:`key` names the environment."""

    env_manager: str
    python: str
    build_dependencies: tuple[str, ...]
    requirements: tuple[str, ...]
    constraints: tuple[str, ...]
    workbench: tuple[str, ...]
    extras: tuple[str, ...] = ()
    override: tuple[str, ...] = ()
    source_digest: str = ""
    format_version: int = field(default=ENV_FORMAT_VERSION)

    def key(self) -> str:
        """Return the sha256 (hex) of the spec: the environment's directory name."""
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_yaml_mapping(path: pathlib.Path, what: str) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise WorkbenchException(
            f"Could not parse the model's {what} {str(path)!r} as YAML: {exc}",
            error_code=INVALID_PARAMETER_VALUE,
        ) from None
    if not isinstance(data, dict):
        raise WorkbenchException(
            f"Expected the model's {what} {str(path)!r} to hold a mapping, got "
            f"{type(data).__name__}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return data


def _python_env_file(model_dir: pathlib.Path) -> pathlib.Path:
    """The python_env file the MLmodel names (``python_function.env.virtualenv``), or the default."""
    from workbench.models._model import Model
    from workbench.models._requirements import PYTHON_ENV_FILE_NAME

    conf = Model.load(model_dir).flavors.get("python_function") or {}
    env = conf.get("env")
    name = env.get("virtualenv") if isinstance(env, dict) else None
    return safe_join(model_dir, name if isinstance(name, str) and name else PYTHON_ENV_FILE_NAME)


def _from_conda_yaml(model_dir: pathlib.Path) -> dict:
    """python, build deps and dependencies from conda.yaml (models from MLflow < 1.26)."""
    from workbench.models._requirements import (
        CONDA_ENV_FILE_NAME,
        PYTHON_VERSION,
        REQUIREMENTS_FILE_NAME,
    )

    conda_path = safe_join(model_dir, CONDA_ENV_FILE_NAME)
    if not conda_path.is_file():
        raise WorkbenchException(
            f"The model at {str(model_dir)!r} has neither python_env.yaml nor conda.yaml, so "
            "its environment cannot be restored. Use env_manager='local', or add the files "
            "(workbench.models._requirements.write_environment).",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    conda = _read_yaml_mapping(conda_path, "conda environment")
    python, build, pip_deps = None, [], []
    for dep in conda.get("dependencies") or []:
        if isinstance(dep, dict) and "pip" in dep:
            pip_deps = list(dep["pip"] or [])
            continue
        match = _CONDA_DEPENDENCY.match(dep) if isinstance(dep, str) else None
        if match is None:
            _logger.warning("The conda dependency %r cannot be installed with pip; skipped.", dep)
            continue
        package, operator, version = match.group("package", "operator", "version")
        if package == "python":
            if python is None:
                if operator not in ("=", "==", "<=", ">=") or not version:
                    raise WorkbenchException(
                        f"Invalid dependency for python in {str(conda_path)!r}: {dep!r}. It must "
                        "be pinned (e.g. python=3.11.7).",
                        error_code=INVALID_PARAMETER_VALUE,
                    )
                python = version
            continue
        operator = "==" if operator == "=" else operator
        build.append(package + (operator or "") + (version or ""))
    if safe_join(model_dir, REQUIREMENTS_FILE_NAME).is_file():
        pip_deps = [f"-r {REQUIREMENTS_FILE_NAME}"]
    if python is None:
        _logger.warning("%s names no python version; using %s.", conda_path, PYTHON_VERSION)
    return {"python": python or PYTHON_VERSION, "build_dependencies": build, "dependencies": pip_deps}


def read_python_env(model_dir: pathlib.Path) -> dict:
    """Return the model's python env: ``{"python", "build_dependencies", "dependencies"}``."""
    path = _python_env_file(model_dir)
    if not path.is_file():
        _logger.info("%s is missing (a model from MLflow < 1.26); reading conda.yaml.", path.name)
        return _from_conda_yaml(model_dir)
    env = _read_yaml_mapping(path, "python environment file")
    python = env.get("python")
    if not isinstance(python, str) or not python.strip():
        raise WorkbenchException(
            f"Expected {str(path)!r} to name the Python version (python: 3.11.7), got "
            f"{python!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    for key in ("build_dependencies", "dependencies"):
        value = env.get(key) or []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise WorkbenchException(
                f"Expected {key} in {str(path)!r} to be a list of requirement strings, got "
                f"{value!r}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
    return {
        "python": python.strip(),
        "build_dependencies": list(env.get("build_dependencies") or []),
        "dependencies": list(env.get("dependencies") or []),
    }


def _confined_requirements(lines: list[str], model_dir: pathlib.Path) -> tuple[list[str], list[str]]:
    """Expand ``-r`` / ``-c`` references in model-provided lines, refusing paths leaving the model."""
    from workbench.models._requirements import parse_pip_requirements

    return parse_pip_requirements(lines, base_dir=str(model_dir), root=str(model_dir))


def _distribution_direct_url() -> dict | None:
    try:
        text = importlib.metadata.distribution("workbench").read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        return None
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _source_digest(directory: pathlib.Path) -> str:
    """sha256 over the paths and bytes of the workbench package files under ``directory``."""
    digest = hashlib.sha256()
    package = directory / "workbench"
    for path in sorted(package.rglob("*")) if package.is_dir() else []:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(directory).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes())
    for name in ("pyproject.toml", "setup.cfg", "setup.py"):
        if (directory / name).is_file():
            digest.update(name.encode("utf-8") + b"\0" + (directory / name).read_bytes())
    return digest.hexdigest()


def workbench_install_args() -> tuple[tuple[str, ...], str]:
    """Return the pip arguments that install the running workbench, and a digest of its source.

    Returns
    -------
    (tuple of str, str)
        E.g. ``(("-e", "/src/workbench"), "")`` for an editable install, or
        ``(("/dist/workbench-0.2.0-py3-none-any.whl",), "")``; the digest is set for a
        non-editable local directory, whose edits must rebuild the environment.

    Raises
    ------
    WorkbenchException
        ``RESOURCE_DOES_NOT_EXIST`` when the source cannot be found (workbench installed
        from an index): set ``$WORKBENCH_INSTALL_SOURCE``.
    """
    override = os.environ.get(INSTALL_SOURCE_ENV, "").strip()
    if override:
        local = pathlib.Path(os.path.expanduser(override))
        if local.is_dir():
            return (str(local.absolute()),), _source_digest(local.absolute())
        if local.exists():
            return (str(local.absolute()),), ""
        return (override,), ""
    info = _distribution_direct_url()
    if info and isinstance(info.get("url"), str):
        url = info["url"]
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme == "file":
            path = pathlib.Path(urllib.parse.unquote(parsed.path))
            if (info.get("dir_info") or {}).get("editable") and path.is_dir():
                return ("-e", str(path)), ""
            if path.is_dir():
                return (str(path),), _source_digest(path)
            if path.is_file():
                return (str(path),), ""
        elif "vcs_info" in info:
            vcs = info["vcs_info"]
            ref = vcs.get("commit_id") or vcs.get("requested_revision")
            return (f"workbench @ {vcs.get('vcs', 'git')}+{url}{'@' + ref if ref else ''}",), ""
        elif parsed.scheme in ("http", "https"):
            return (f"workbench @ {url}",), ""
    raise WorkbenchException(
        "Cannot find where the running workbench was installed from, so it cannot be "
        "installed into the model's environment (workbench is not on PyPI and is never "
        "installed by name). Set the environment variable "
        f"{INSTALL_SOURCE_ENV} to a workbench wheel, a workbench project directory, or a "
        "requirement such as 'workbench @ https://host/workbench-0.1.0-py3-none-any.whl'.",
        error_code=RESOURCE_DOES_NOT_EXIST,
    )


def env_spec(
    model_dir: pathlib.Path,
    env_manager: str,
    *,
    pip_requirements_override: list[str] | None = None,
    install_mlflow: bool = False,
) -> EnvSpec:
    """Return what the environment for the model at ``model_dir`` is built from."""
    if pip_requirements_override is not None and (
        isinstance(pip_requirements_override, str)
        or not all(isinstance(item, str) for item in pip_requirements_override)
    ):
        raise WorkbenchException(
            "Expected pip_requirements_override as a list of requirement strings, e.g. "
            f"['scikit-learn==1.5.2'], got {pip_requirements_override!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    python_env = read_python_env(model_dir)
    requirements, constraints = _confined_requirements(python_env["dependencies"], model_dir)
    workbench, digest = workbench_install_args()
    extras: tuple[str, ...] = ()
    if install_mlflow:
        from workbench.models._requirements import installed_version

        version = installed_version("mlflow")
        extras = (f"mlflow=={version}" if version else "mlflow",)
    return EnvSpec(
        env_manager=env_manager,
        python=python_env["python"],
        build_dependencies=tuple(python_env["build_dependencies"]),
        requirements=tuple(requirements),
        constraints=tuple(constraints),
        workbench=workbench,
        extras=extras,
        override=tuple(pip_requirements_override or ()),
        source_digest=digest,
    )


# =========================================================================== building


def env_python(env_dir: pathlib.Path) -> pathlib.Path:
    """Return the interpreter of the environment at ``env_dir``."""
    if os.name == "nt":
        return env_dir / "Scripts" / "python.exe"
    return env_dir / "bin" / "python"


def _tail(text: str, limit: int = 6000) -> str:
    return text if len(text) <= limit else "...\n" + text[-limit:]


def _run(command: list[str], what: str, env: Mapping[str, str], cwd: str | None = None) -> str:
    _logger.info("Running %s", " ".join(command))
    try:
        proc = subprocess.run(
            command, capture_output=True, text=True, env=dict(env), cwd=cwd, check=False
        )
    except OSError as exc:
        raise WorkbenchException(
            f"Could not {what}: running {command[0]!r} failed ({exc}).",
            error_code=INTERNAL_ERROR,
        ) from None
    output = (proc.stdout or "") + (proc.stderr or "")
    _logger.debug("%s", output)
    if proc.returncode != 0:
        raise WorkbenchException(
            f"Could not {what}: {' '.join(command)} exited with status {proc.returncode}.\n"
            f"{_tail(output)}\nCheck the model's requirements (requirements.txt, "
            "python_env.yaml); pip_requirements_override can replace a requirement that does "
            "not install.",
            error_code=INTERNAL_ERROR,
        )
    return output


def _python_version_of(executable: str) -> str | None:
    try:
        out = subprocess.run(
            [executable, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
            capture_output=True, text=True, timeout=30, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _find_python(version: str, env: Mapping[str, str]) -> str:
    """Return an interpreter of exactly ``version`` (X.Y.Z, or X.Y for any micro)."""
    wanted = version.split(".")
    current = [str(part) for part in sys.version_info[:3]]
    if current[: len(wanted)] == wanted:
        return sys.executable
    candidate = shutil.which(f"python{wanted[0]}.{wanted[1]}") if len(wanted) >= 2 else None
    if candidate:
        found = _python_version_of(candidate)
        if found and found.split(".")[: len(wanted)] == wanted:
            return candidate
    pyenv = shutil.which("pyenv")
    if pyenv and len(wanted) == 3:
        _run([pyenv, "install", "--skip-existing", version], f"install Python {version}", env)
        root = _run([pyenv, "root"], "find the pyenv root", env).strip().splitlines()[-1]
        executable = pathlib.Path(root) / "versions" / version / "bin" / "python"
        if executable.is_file():
            return str(executable)
    raise WorkbenchException(
        f"The model needs Python {version}, and env_manager='virtualenv' found no such "
        f"interpreter (this one is {'.'.join(current)}; no matching python{'.'.join(wanted[:2])} "
        "on PATH; pyenv not found or it failed). Install that Python (e.g. with pyenv), or use "
        "env_manager='uv', which downloads it.",
        error_code=RESOURCE_DOES_NOT_EXIST,
    )


def _build(spec: EnvSpec, target: pathlib.Path, model_dir: pathlib.Path, env: Mapping[str, str]) -> None:
    """Create the environment of ``spec`` at ``target`` (a fresh path) and install everything."""
    if spec.env_manager == UV:
        uv = find_uv()
        _run(
            [uv, "venv", str(target), f"--python={spec.python}", "--relocatable", "--no-project",
             "--quiet"],
            f"create a uv environment with Python {spec.python}",
            env,
        )
        # Compile .pyc files once now (pip does so by default): an environment is built once
        # and started for every prediction, and with PYTHONDONTWRITEBYTECODE set nothing
        # would ever be cached, making each start import from source.
        install = [uv, "pip", "install", "--compile-bytecode", "--python", str(env_python(target))]
    else:
        python = _find_python(spec.python, env)
        _run([python, "-m", "venv", str(target)], f"create a virtualenv with {python}", env)
        install = [str(env_python(target)), "-m", "pip", "install", "--disable-pip-version-check"]
    if spec.build_dependencies:
        _run([*install, *spec.build_dependencies], "install the build dependencies", env)
    with tempfile.TemporaryDirectory(prefix="workbench-reqs-") as tmp:
        args: list[str] = []
        if spec.requirements:
            req_file = pathlib.Path(tmp, "requirements.txt")
            req_file.write_text("\n".join(spec.requirements), encoding="utf-8")
            args += ["-r", str(req_file)]
        if spec.constraints:
            con_file = pathlib.Path(tmp, "constraints.txt")
            con_file.write_text("\n".join(spec.constraints), encoding="utf-8")
            args += ["-c", str(con_file)]
        # One resolver call for the model's requirements and workbench's, so that both hold.
        # cwd is the model directory: relative paths in requirements.txt are the model's.
        _run([*install, *args, *spec.workbench, *spec.extras],
             "install the model's requirements and workbench", env, cwd=str(model_dir))
    if spec.override:
        _run([*install, *spec.override], "install pip_requirements_override", env)
    manifest = {"spec": asdict(spec), "model": str(model_dir), "key": spec.key()}
    atomic_write_text(target / MANIFEST_NAME, json.dumps(manifest, indent=2))


@contextlib.contextmanager
def _lock(path: pathlib.Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (POSIX ``flock``); a no-op where it is unavailable."""
    try:
        import fcntl
    except ImportError:  # Windows: the rename below still keeps the result consistent
        yield
        return
    with open(path, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def build_env(spec: EnvSpec, model_dir: pathlib.Path, extra_envs: Mapping[str, str] | None = None) -> pathlib.Path:
    """Return the environment directory of ``spec``, building it first when it does not exist."""
    root = env_root()
    root.mkdir(parents=True, exist_ok=True)
    final = root / spec.key()
    if env_python(final).exists():
        return final
    env = {**os.environ, "PIP_NO_INPUT": "1", **dict(extra_envs or {})}
    for name in _LEAKY_VARIABLES:
        if name not in (extra_envs or {}):
            env.pop(name, None)
    with _lock(root / f".{spec.key()}.lock"):
        if env_python(final).exists():  # built by another process while we waited
            return final
        staging = root / f".{spec.key()}.{uuid.uuid4().hex[:8]}.tmp"
        _logger.info(
            "Building the %s environment %s for the model at %s (this may take a while).",
            spec.env_manager, final, model_dir,
        )
        try:
            _build(spec, staging, model_dir, env)
            try:
                os.rename(staging, final)
            except OSError:
                if not env_python(final).exists():
                    raise
                shutil.rmtree(staging, ignore_errors=True)  # lost a race: use the winner's
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return final


def child_environment(extra_envs: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment variables for a process in a built environment.

    This process's variables, without the ones that would make the calling environment's
    packages visible (``PYTHONPATH``, ``PYTHONHOME``, ``VIRTUAL_ENV``, ...) unless
    ``extra_envs`` sets them, plus ``extra_envs``.
    """
    env = dict(os.environ)
    for name in _LEAKY_VARIABLES:
        env.pop(name, None)
    env.update({str(k): str(v) for k, v in (extra_envs or {}).items()})
    return env


def prepare_env(
    model_uri: Any,
    env_manager: str = VIRTUALENV,
    *,
    pip_requirements_override: list[str] | None = None,
    install_mlflow: bool = False,
    extra_envs: Mapping[str, str] | None = None,
) -> pathlib.Path:
    """Return the Python interpreter to run the model at ``model_uri`` with.

    Parameters
    ----------
    model_uri : str or os.PathLike
        The model directory, its MLmodel file or a ``file://`` URI.
    env_manager : {"virtualenv", "uv", "local"}
        ``"local"`` returns this interpreter; the others build (or reuse) an isolated
        environment as the module docstring describes.
    pip_requirements_override : list of str, optional
        Installed last, over the model's requirements.
    install_mlflow : bool, default False
        Also install mlflow (the version installed here, if any) into the environment.
    extra_envs : mapping, optional
        Environment variables for the installer processes.

    Returns
    -------
    pathlib.Path
        The interpreter, e.g. ``~/.cache/workbench/envs/<sha256>/bin/python``.

    Examples
    --------
    >>> import sys, tempfile
    >>> from workbench.models import Model
    >>> model_dir = tempfile.mkdtemp()
    >>> Model(flavors={}).save(model_dir)
    >>> str(prepare_env(model_dir, "local")) == sys.executable
    True
    """
    from workbench.models._uri import resolve_model_path

    check_env_manager(env_manager)
    model_dir = resolve_model_path(model_uri)
    if env_manager == LOCAL:
        return pathlib.Path(sys.executable)
    if env_manager == UV:
        find_uv()
    spec = env_spec(
        model_dir,
        env_manager,
        pip_requirements_override=pip_requirements_override,
        install_mlflow=install_mlflow,
    )
    return env_python(build_env(spec, model_dir, extra_envs))
