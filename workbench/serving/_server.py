"""Run the scoring server with uvicorn: :func:`serve` (blocking) and :func:`start_server` (a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from workbench.serving._app import DEFAULT_MAX_QUEUE
from workbench.serving._limits import DEFAULT_MAX_BODY_BYTES


def serve(
    model_uri: Any,
    host: str = "127.0.0.1",
    port: int = 5000,
    timeout: float = 60,
    workers: int = 1,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_queue: int = DEFAULT_MAX_QUEUE,
    log_level: str = "info",
) -> None:
    """Serve ``model_uri`` on ``host:port`` until interrupted (MLflow's scoring protocol).

    ``workers`` is the number of model worker processes (one uvicorn process serves them
    all); ``timeout`` the seconds a request may take before it is answered 504.
    """
    import uvicorn

    from workbench.serving._app import create_app

    app = create_app(
        model_uri, timeout=timeout, max_body_bytes=max_body_bytes, max_queue=max_queue, workers=workers
    )
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, timeout_graceful_shutdown=5)


def server_command(
    model_uri: Any,
    host: str = "127.0.0.1",
    port: int = 5000,
    timeout: float = 60,
    workers: int = 1,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_queue: int = DEFAULT_MAX_QUEUE,
    log_level: str = "info",
) -> list[str]:
    """The command line that runs :func:`serve` in a new Python process."""
    return [
        sys.executable, "-m", "workbench.serving",
        "--model-uri", os.fspath(model_uri),
        "--host", host,
        "--port", str(port),
        "--timeout", f"{timeout:g}",
        "--workers", str(workers),
        "--max-body-bytes", str(max_body_bytes),
        "--max-queue", str(max_queue),
        "--log-level", log_level,
    ]  # fmt: skip


def start_server(
    model_uri: Any,
    host: str = "127.0.0.1",
    port: int = 5000,
    timeout: float = 60,
    workers: int = 1,
    *,
    env: dict[str, str] | None = None,
    **kwargs: Any,
) -> subprocess.Popen:
    """Start :func:`serve` as ``python -m workbench.serving ...`` and return the Popen at once.

    The caller owns the process: poll ``GET /health`` until it answers 200, and terminate
    it when done. ``env`` replaces the environment (default: this process's).
    """
    command = server_command(model_uri, host, port, timeout, workers, **kwargs)
    return subprocess.Popen(command, env=env)
