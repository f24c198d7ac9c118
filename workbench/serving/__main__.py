"""``python -m workbench.serving --model-uri DIR [--host H] [--port P] ...``: run the scoring server.

``--timeout`` and ``--workers`` default to ``$MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT`` and
``$MLFLOW_MODELS_WORKERS`` when set (the variables ``mlflow models serve`` and MLflow's
images read), else 60 seconds and 1 worker.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from workbench.serving._app import DEFAULT_MAX_QUEUE
from workbench.serving._limits import DEFAULT_MAX_BODY_BYTES


def _env_default(name: str, kind: type, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SystemExit(f"${name} must be a {kind.__name__}, got {raw!r}") from None
    if value <= 0:
        raise SystemExit(f"${name} must be positive, got {raw!r}")
    return value


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workbench.serving", description="Serve a model with MLflow's scoring protocol.")
    parser.add_argument("--model-uri", "-m", required=True, help="the model directory or URI")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", "-p", type=int, default=5000)
    parser.add_argument(
        "--timeout", "-t", type=float,
        default=_env_default("MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT", float, 60),
        help="seconds per request (default 60)",
    )
    parser.add_argument(
        "--workers", "-w", type=int,
        default=_env_default("MLFLOW_MODELS_WORKERS", int, 1),
        help="model worker processes (default 1)",
    )  # fmt: skip
    parser.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES)
    parser.add_argument("--max-queue", type=int, default=DEFAULT_MAX_QUEUE)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)

    from workbench.serving._server import serve

    serve(
        args.model_uri,
        host=args.host,
        port=args.port,
        timeout=args.timeout,
        workers=args.workers,
        max_body_bytes=args.max_body_bytes,
        max_queue=args.max_queue,
        log_level=args.log_level,
    )


if __name__ == "__main__":
    main()
