"""Local deployment of a model: :class:`FlavorBackend` and its pyfunc implementation.

The twin of ``mlflow.models.FlavorBackend`` / ``mlflow.pyfunc.backend.PyFuncBackend``:
predict from a file (or stdin), serve over HTTP, prepare the model's environment, and
write or build a Docker image. :class:`PyFuncBackend` is a thin layer over the real
implementations:

- ``predict`` -> :func:`workbench.models.predict` (this process, or the model's own
  environment with ``env_manager="uv"`` / ``"virtualenv"``);
- ``serve`` -> ``python -m workbench.serving`` in that environment (the scoring server,
  which needs the ``serve`` extra there: the backend installs it into isolated environments);
- ``prepare_env`` -> :func:`workbench.models._env.prepare_env`;
- ``generate_dockerfile`` / ``build_image`` -> :mod:`workbench.models._docker`.

Nothing here imports the web framework: the server always runs in a child process.
"""

from __future__ import annotations

import abc
import contextlib
import os
import pathlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from typing import IO, Any

from workbench._exceptions import (
    INTERNAL_ERROR,
    INVALID_PARAMETER_VALUE,
    NOT_IMPLEMENTED,
    WorkbenchException,
)

__all__ = ["FlavorBackend", "PyFuncBackend", "SERVE_REQUIREMENTS", "serve_command"]

#: What the scoring server needs besides workbench (the ``serve`` extra), pinned to the
#: versions installed here when they are, so that an isolated environment serves alike.
SERVE_REQUIREMENTS = ("fastapi", "uvicorn", "pyarrow")

# `-c` with the first sys.path entry ('' = the current directory) removed, so that a directory
# named like a package in the caller's cwd cannot shadow the environment's packages.
_SERVE_BOOTSTRAP = (
    "import sys; sys.path[:1] = [] if sys.path[:1] == [''] else sys.path[:1]; "
    "from workbench.serving.__main__ import main; main()"
)


def _mlserver_refused() -> WorkbenchException:
    return WorkbenchException(
        "enable_mlserver=True is not supported: workbench serves models with its own scoring "
        "server (MLflow's protocol), not Seldon MLServer. Call again with enable_mlserver=False.",
        error_code=NOT_IMPLEMENTED,
    )


class FlavorBackend(abc.ABC):
    """Abstract local deployment of one model flavor (MLflow's ``FlavorBackend``).

    Parameters
    ----------
    config : dict
        The flavor's configuration from the model's MLmodel file.
    **kwargs
        Ignored here; subclasses take what they need (``env_manager``, ``workers``, ...).
    """

    def __init__(self, config: Mapping[str, Any] | None, **kwargs: Any) -> None:
        self._config = dict(config or {})

    @abc.abstractmethod
    def predict(self, model_uri: Any, input_path: Any, output_path: Any, content_type: str) -> None:
        """Predict with the model at ``model_uri`` on a file (stdin when None) to a file (stdout)."""

    @abc.abstractmethod
    def serve(
        self,
        model_uri: Any,
        port: int,
        host: str,
        timeout: float,
        enable_mlserver: bool = False,
        synchronous: bool = True,
        stdout: Any = None,
        stderr: Any = None,
    ) -> int | subprocess.Popen:
        """Serve the model on ``host:port``: block (return 0) or return the server's Popen."""

    def prepare_env(self, model_uri: Any, capture_output: bool = False) -> Any:
        """Prepare whatever predict or serve needs, so that they start fast afterwards."""

    @abc.abstractmethod
    def can_score_model(self) -> bool:
        """Return True when this backend can run the model in the current environment."""

    def can_build_image(self) -> bool:
        """Return True when this backend defines ``build_image``."""
        return callable(getattr(self.__class__, "build_image", None))

    @abc.abstractmethod
    def generate_dockerfile(
        self,
        model_uri: Any,
        output_dir: Any,
        install_java: bool = False,
        install_mlflow: bool = False,
        mlflow_home: Any = None,
        enable_mlserver: bool = False,
        base_image: str | None = None,
    ) -> pathlib.Path:
        """Write a Docker build context that serves the model on port 8080."""

    @abc.abstractmethod
    def build_image(
        self,
        model_uri: Any,
        image_name: str,
        install_java: bool = False,
        install_mlflow: bool = False,
        mlflow_home: Any = None,
        enable_mlserver: bool = False,
        base_image: str | None = None,
    ) -> None:
        """Build a Docker image that serves the model on port 8080."""


def serve_command(
    python: Any, model_dir: Any, port: int, host: str, timeout: float, workers: int = 1
) -> list[str]:
    """The command line that runs the scoring server with interpreter ``python``.

    Examples
    --------
    >>> serve_command("/env/bin/python", "/m", 5000, "127.0.0.1", 60)[3:]
    ['--model-uri', '/m', '--host', '127.0.0.1', '--port', '5000', '--timeout', '60', '--workers', '1']
    """
    return [
        os.fspath(python), "-c", _SERVE_BOOTSTRAP,
        "--model-uri", os.fspath(model_dir),
        "--host", str(host),
        "--port", str(int(port)),
        "--timeout", f"{float(timeout):g}",
        "--workers", str(int(workers)),
    ]  # fmt: skip


def _serve_requirements() -> list[str]:
    from workbench.models._requirements import installed_version

    pinned = []
    for name in SERVE_REQUIREMENTS:
        version = installed_version(name)
        pinned.append(f"{name}=={version}" if version else name)
    return pinned


def _check_port(port: Any) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise WorkbenchException(
            f"Expected port as an int from 0 to 65535, got {port!r}.", error_code=INVALID_PARAMETER_VALUE
        )
    return port


def _check_timeout(timeout: Any) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise WorkbenchException(
            f"Expected timeout as a positive number of seconds, got {timeout!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return float(timeout)


class PyFuncBackend(FlavorBackend):
    """Predict, serve and containerize a ``python_function`` model (MLflow's ``PyFuncBackend``).

    Parameters
    ----------
    config : dict
        The model's ``python_function`` flavor configuration.
    env_manager : {"virtualenv", "uv", "local"}, default "virtualenv"
        Where the model runs: this interpreter (``"local"``), or an environment built from
        the model's ``python_env.yaml``. ``"conda"`` is refused with a reason.
    workers : int, default 1
        Model worker processes of the scoring server.
    install_mlflow : bool, default False
        Also install mlflow into the model's environment or image.
    env_root_dir : str or os.PathLike, optional
        Where isolated environments are kept (default ``$WORKBENCH_ENV_ROOT``).

    Examples
    --------
    >>> backend = PyFuncBackend({}, env_manager="local")
    >>> backend.can_score_model(), backend.can_build_image()
    (True, True)
    """

    def __init__(
        self,
        config: Mapping[str, Any] | None,
        env_manager: str | None = "virtualenv",
        workers: int = 1,
        install_mlflow: bool = False,
        create_env_root_dir: bool = False,
        env_root_dir: Any = None,
        **kwargs: Any,
    ) -> None:
        from workbench.models._env import VIRTUALENV, check_env_manager

        super().__init__(config, **kwargs)
        self._env_manager = check_env_manager(env_manager if env_manager is not None else VIRTUALENV)
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise WorkbenchException(
                f"Expected workers as a positive int, got {workers!r}.", error_code=INVALID_PARAMETER_VALUE
            )
        self._nworkers = workers
        self._install_mlflow = bool(install_mlflow)
        self._env_root_dir = None if env_root_dir is None else pathlib.Path(os.fspath(env_root_dir))
        if self._env_root_dir is not None and create_env_root_dir:
            self._env_root_dir.mkdir(parents=True, exist_ok=True)

    @property
    def env_manager(self) -> str:
        """The environment manager: ``"local"``, ``"virtualenv"`` or ``"uv"``."""
        return self._env_manager

    @contextlib.contextmanager
    def _env_root(self) -> Iterator[None]:
        """Point ``$WORKBENCH_ENV_ROOT`` at ``env_root_dir`` (when given) for the duration."""
        if self._env_root_dir is None:
            yield
            return
        from workbench.models._env import ENV_ROOT_ENV

        previous = os.environ.get(ENV_ROOT_ENV)
        os.environ[ENV_ROOT_ENV] = str(self._env_root_dir)
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(ENV_ROOT_ENV, None)
            else:
                os.environ[ENV_ROOT_ENV] = previous

    def prepare_env(
        self,
        model_uri: Any,
        capture_output: bool = False,
        pip_requirements_override: list[str] | None = None,
        extra_envs: Mapping[str, str] | None = None,
        *,
        for_serving: bool = False,
    ) -> pathlib.Path:
        """Build (or reuse) the model's environment; return its Python interpreter.

        Installer output is always captured (and shown when an install fails), so
        ``capture_output`` is accepted for MLflow's signature only. ``for_serving`` also
        installs the scoring server's requirements (:data:`SERVE_REQUIREMENTS`).
        """
        from workbench.models._env import LOCAL, prepare_env

        override = list(pip_requirements_override or [])
        if for_serving and self._env_manager != LOCAL:
            override = _serve_requirements() + override
        with self._env_root():
            return prepare_env(
                model_uri,
                self._env_manager,
                pip_requirements_override=override or None,
                install_mlflow=self._install_mlflow,
                extra_envs=extra_envs,
            )

    def predict(
        self,
        model_uri: Any,
        input_path: Any,
        output_path: Any,
        content_type: str,
        pip_requirements_override: list[str] | None = None,
        extra_envs: Mapping[str, str] | None = None,
    ) -> None:
        """Predict on the file at ``input_path`` (stdin when None) to ``output_path`` (stdout).

        The input is a scoring request body (``content_type`` ``"json"`` or ``"csv"``); the
        output ``{"predictions": ...}``, as :func:`workbench.models.predict` writes it.
        """
        from workbench.models._env import LOCAL
        from workbench.models._predict import predict

        if pip_requirements_override and self._env_manager == LOCAL:
            raise WorkbenchException(
                "pip_requirements_override is not supported with env_manager='local' (the model "
                "runs in this interpreter). Use env_manager='uv' or 'virtualenv'.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        kwargs = dict(
            content_type=content_type,
            output_path=output_path,
            env_manager=self._env_manager,
            install_mlflow=self._install_mlflow,
            pip_requirements_override=pip_requirements_override,
            extra_envs=dict(extra_envs) if extra_envs else None,
        )
        with self._env_root():
            if input_path is not None:
                predict(model_uri, input_path=input_path, **kwargs)
                return
            with tempfile.TemporaryDirectory(prefix="workbench-stdin-") as tmp:
                body = pathlib.Path(tmp) / "input"
                body.write_text(sys.stdin.read(), encoding="utf-8")
                predict(model_uri, input_path=body, **kwargs)

    def serve(
        self,
        model_uri: Any,
        port: int,
        host: str = "127.0.0.1",
        timeout: float = 60,
        enable_mlserver: bool = False,
        synchronous: bool = True,
        stdout: IO[Any] | int | None = None,
        stderr: IO[Any] | int | None = None,
        model_config: Any = None,
    ) -> int | subprocess.Popen:
        """Serve the model with the scoring server (MLflow's protocol) on ``host:port``.

        Parameters
        ----------
        model_uri : str or os.PathLike
            The model.
        port : int
            TCP port (0 lets the system pick one; the server logs it).
        host : str, default "127.0.0.1"
            Interface to listen on.
        timeout : float, default 60
            Seconds per request before it is answered 504.
        enable_mlserver : bool, default False
            Must be False (MLServer is not supported).
        synchronous : bool, default True
            Wait for the server to exit and return 0 (raise if it failed), or return its
            :class:`subprocess.Popen` at once (the caller then polls ``/health`` and stops it).
        stdout, stderr : file, int or None
            Where the server's output goes (inherited when None).
        model_config : dict, optional
            Not supported yet: must be None.

        Returns
        -------
        int or subprocess.Popen
        """
        if enable_mlserver:
            raise _mlserver_refused()
        if model_config:
            raise WorkbenchException(
                "model_config is not supported by workbench's scoring server; pass None.",
                error_code=NOT_IMPLEMENTED,
            )
        from workbench.models._env import child_environment
        from workbench.models._uri import resolve_model_path

        _check_port(port)
        timeout = _check_timeout(timeout)
        model_dir = resolve_model_path(model_uri)
        python = self.prepare_env(model_dir, for_serving=True)
        command = serve_command(python, model_dir, port, host, timeout, self._nworkers)
        env = dict(os.environ) if python == pathlib.Path(sys.executable) else child_environment()
        process = subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
        if not synchronous:
            return process
        try:
            code = process.wait()
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            return 0
        if code != 0:
            raise WorkbenchException(
                f"The scoring server exited with status {code}; its output is above. Command: "
                f"{' '.join(command)}",
                error_code=INTERNAL_ERROR,
            )
        return 0

    def can_score_model(self) -> bool:
        """True when the environment manager can run here (``uv`` found, ``venv`` importable)."""
        from workbench.models._env import LOCAL, UV, VIRTUALENV

        if self._env_manager == LOCAL:
            return True
        if self._env_manager == UV:
            from workbench.models._env import find_uv

            try:
                find_uv()
            except WorkbenchException:
                return False
            return True
        if self._env_manager == VIRTUALENV:
            import importlib.util

            return importlib.util.find_spec("venv") is not None
        return False

    def generate_dockerfile(
        self,
        model_uri: Any,
        output_dir: Any,
        install_java: bool = False,
        install_mlflow: bool = False,
        mlflow_home: Any = None,
        enable_mlserver: bool = False,
        base_image: str | None = None,
    ) -> pathlib.Path:
        """Write a Docker build context that serves the model on port 8080; return the Dockerfile.

        See :func:`workbench.models._docker.generate_dockerfile`.
        """
        if enable_mlserver:
            raise _mlserver_refused()
        from workbench.models._docker import generate_dockerfile

        return generate_dockerfile(
            model_uri,
            output_dir,
            env_manager=self._env_manager,
            install_java=install_java,
            install_mlflow=install_mlflow or self._install_mlflow,
            workbench_home=mlflow_home,
            base_image=base_image,
        )

    def build_image(
        self,
        model_uri: Any,
        image_name: str,
        install_java: bool = False,
        install_mlflow: bool = False,
        mlflow_home: Any = None,
        enable_mlserver: bool = False,
        base_image: str | None = None,
    ) -> None:
        """Build the image ``image_name`` with ``docker build`` (needs a running Docker engine).

        The engine is checked first: without one this raises at once, saying so (and that
        :meth:`generate_dockerfile` works without it).
        """
        if enable_mlserver:
            raise _mlserver_refused()
        from workbench.models._docker import check_image_name, docker_build, require_docker_engine

        check_image_name(image_name)
        require_docker_engine()
        with tempfile.TemporaryDirectory(prefix="workbench-docker-") as tmp:
            context = pathlib.Path(tmp) / "context"
            self.generate_dockerfile(
                model_uri,
                context,
                install_java=install_java,
                install_mlflow=install_mlflow,
                mlflow_home=mlflow_home,
                base_image=base_image,
            )
            docker_build(context, image_name)
