"""``workbench models serve | predict | prepare-env | generate-dockerfile | build-docker |
update-pip-requirements``: MLflow's ``mlflow models`` commands, with the same option names.

Each command calls :func:`workbench.models.flavor_backend_registry.get_flavor_backend` (and
the backend's method) or :func:`workbench.models.build_docker`, as MLflow's do.
"""

from __future__ import annotations

from typing import Any

import click

from workbench.cli import _output
from workbench.cli._main import CONTEXT_SETTINGS

__all__ = ["models"]

ENV_MANAGERS = ("local", "virtualenv", "uv", "conda")

_MODEL_URI_HELP = ("The model: a directory, or a file://, runs:/ or models:/ URI. "
                   "Example: -m runs:/<run_id>/model")
_ENV_MANAGER_HELP = ("Where the model runs: local (this Python), virtualenv or uv (an environment "
                     "built from the model's python_env.yaml); conda is not supported. "
                     "Default: virtualenv, as MLflow. Example: --env-manager local")
_INSTALL_MLFLOW_HELP = "Also install mlflow (this machine's version) into the model's environment."


def _model_uri(required: bool = True) -> Any:
    help_text = _MODEL_URI_HELP if required else "[Optional] " + _MODEL_URI_HELP
    return click.option("-m", "--model-uri", "model_uri", metavar="URI", required=required,
                        help=help_text)


def _env_manager(help_text: str = _ENV_MANAGER_HELP) -> Any:
    return click.option("--env-manager", type=click.Choice(ENV_MANAGERS), default=None,
                        help=help_text)


def _install_mlflow() -> Any:
    return click.option("--install-mlflow", is_flag=True, help=_INSTALL_MLFLOW_HELP)


class _KeyValue(click.ParamType):
    """``KEY=VALUE`` (MLflow's ``--env`` type)."""

    name = "key=value"

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        if "=" not in value or value.startswith("="):
            self.fail(f"{value!r} is not a KEY=VALUE pair. Example: --env OMP_NUM_THREADS=1", param, ctx)
        key, val = value.split("=", 1)
        return key, val


def _backend(model_uri: str | None, **kwargs: Any) -> Any:
    from workbench.models.flavor_backend_registry import get_flavor_backend

    return get_flavor_backend(model_uri, **{k: v for k, v in kwargs.items() if v is not None})


@click.group(context_settings=CONTEXT_SETTINGS)
def models() -> None:
    """Predict with, serve and containerize saved models (MLflow's `mlflow models`).

    \b
    Examples:
      workbench models serve -m ./model -p 5000 --env-manager local
      workbench models predict -m ./model -i input.json -o predictions.json --env-manager local
      workbench models generate-dockerfile -m ./model -d ./docker-context
      workbench models build-docker -m runs:/<run_id>/model -n my-model
    """


@models.command("serve", context_settings=CONTEXT_SETTINGS)
@_model_uri()
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=5000, show_default=True,
              help="The port to listen on. Example: -p 8080")
@click.option("-h", "--host", default="127.0.0.1", show_default=True, metavar="HOST",
              help="The interface to bind: 127.0.0.1 for this machine only, 0.0.0.0 for every "
                   "interface. Example: -h 0.0.0.0")
@click.option("-t", "--timeout", type=click.IntRange(min=1), default=60, show_default=True,
              help="Seconds a request may take before it is answered 504. Example: -t 30")
@click.option("-w", "--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Model worker processes. Example: -w 4")
@_env_manager()
@click.option("--no-conda", is_flag=True, help="Use this Python environment (--env-manager local).")
@_install_mlflow()
def serve(model_uri: str, port: int, host: str, timeout: int, workers: int,
          env_manager: str | None, no_conda: bool, install_mlflow: bool) -> None:
    """Serve a model over HTTP with MLflow's scoring protocol, until Ctrl-C.

    Endpoints: GET /ping, /health, /version; POST /invocations with a JSON body holding
    one of dataframe_split, dataframe_records, instances or inputs (or text/csv).

    \b
    Examples:
      workbench models serve -m ./model -p 5000 --env-manager local
      curl http://127.0.0.1:5000/invocations -H 'Content-Type: application/json' \\
          -d '{"dataframe_records": [{"a": 1, "b": 2}]}'

    Python twin: get_flavor_backend(uri, env_manager=..., workers=...).serve(uri, port, host, timeout).
    """
    if no_conda:
        env_manager = "local"
    backend = _backend(model_uri, env_manager=env_manager, workers=workers,
                       install_mlflow=install_mlflow or None)
    backend.serve(model_uri=model_uri, port=port, host=host, timeout=timeout)


@models.command("predict", context_settings=CONTEXT_SETTINGS)
@_model_uri()
@click.option("-i", "--input-path", metavar="PATH", default=None,
              help="The input: a scoring request body (JSON) or a CSV file; stdin when left "
                   "out. Example: -i input.json")
@click.option("-o", "--output-path", metavar="PATH", default=None,
              help="Where to write {\"predictions\": ...} as JSON; stdout when left out. "
                   "Example: -o predictions.json")
@click.option("-t", "--content-type", type=click.Choice(["json", "csv"]), default="json",
              show_default=True, help="The input's format. Example: -t csv")
@_env_manager()
@_install_mlflow()
@click.option("-r", "--pip-requirements-override", metavar="REQS", default=None,
              help="Packages to install over the model's requirements, comma separated "
                   "(not with --env-manager local). Example: -r scikit-learn==1.5.2,numpy<2")
@click.option("--env", type=_KeyValue(), multiple=True,
              help="Extra environment variables for the model. Example: --env OMP_NUM_THREADS=1")
def predict(model_uri: str, input_path: str | None, output_path: str | None, content_type: str,
            env_manager: str | None, install_mlflow: bool, pip_requirements_override: str | None,
            env: tuple[tuple[str, str], ...]) -> None:
    """Predict with a saved model on a file (or stdin); write JSON predictions.

    \b
    Examples:
      workbench models predict -m ./model -i input.json --env-manager local
      workbench models predict -m ./model -i data.csv -t csv -o predictions.json
      echo '{"inputs": [[1.0, 2.0]]}' | workbench models predict -m ./model --env-manager uv

    Python twin: workbench.models.predict(model_uri, input_path=..., content_type=...).
    """
    override = None
    if pip_requirements_override:
        override = [r.strip() for r in pip_requirements_override.split(",") if r.strip()]
    backend = _backend(model_uri, env_manager=env_manager, install_mlflow=install_mlflow or None)
    backend.predict(model_uri=model_uri, input_path=input_path, output_path=output_path,
                    content_type=content_type, pip_requirements_override=override,
                    extra_envs=dict(env) or None)


@models.command("prepare-env", context_settings=CONTEXT_SETTINGS)
@_model_uri()
@_env_manager()
@_install_mlflow()
def prepare_env(model_uri: str, env_manager: str | None, install_mlflow: bool) -> None:
    """Build (or reuse) the model's environment, so that predict and serve start fast.

    \b
    Examples:
      workbench models prepare-env -m ./model --env-manager uv
      workbench models prepare-env -m runs:/<run_id>/model

    Python twin: get_flavor_backend(uri, env_manager=...).prepare_env(uri).
    """
    backend = _backend(model_uri, env_manager=env_manager, install_mlflow=install_mlflow or None)
    python = backend.prepare_env(model_uri=model_uri)
    click.echo(f"Environment ready: {_output.clean(str(python), 300)}")


@models.command("generate-dockerfile", context_settings=CONTEXT_SETTINGS)
@_model_uri(required=False)
@click.option("-d", "--output-directory", default="mlflow-dockerfile", show_default=True,
              metavar="DIR", help="Where the Dockerfile (and the model) are written. "
                                  "Example: -d ./docker-context")
@_env_manager()
@click.option("--mlflow-home", type=click.Path(exists=True), default=None, metavar="PATH",
              help="The workbench project directory or wheel to install in the image "
                   "(MLflow's option name). Example: --mlflow-home ./dist/workbench-0.1.0.whl")
@click.option("--install-java", type=click.BOOL, default=None,
              help="Install a Java runtime in the image. Example: --install-java true")
@_install_mlflow()
def generate_dockerfile(model_uri: str | None, output_directory: str, env_manager: str | None,
                        mlflow_home: str | None, install_java: bool | None,
                        install_mlflow: bool) -> None:
    """Write a Docker build context whose image serves the model on port 8080.

    Works without a Docker engine; build it with `docker build -t NAME DIR`. Without
    --model-uri, the image serves a model mounted at /opt/ml/model.

    \b
    Examples:
      workbench models generate-dockerfile -m ./model -d ./docker-context
      docker build -t my-model ./docker-context && docker run -p 5001:8080 my-model

    Python twin: get_flavor_backend(uri).generate_dockerfile(uri, output_dir).
    """
    backend = _backend(model_uri, docker_build=True, env_manager=env_manager)
    if not backend.can_build_image():
        from workbench._exceptions import NOT_IMPLEMENTED, WorkbenchException

        raise WorkbenchException(
            f"Cannot build a docker image for the backend {type(backend).__name__}.",
            error_code=NOT_IMPLEMENTED,
        )
    dockerfile = backend.generate_dockerfile(
        model_uri, output_directory, mlflow_home=mlflow_home, install_java=bool(install_java),
        install_mlflow=install_mlflow,
    )
    click.echo(f"Wrote {_output.clean(str(dockerfile), 300)}")


@models.command("build-docker", context_settings=CONTEXT_SETTINGS)
@_model_uri(required=False)
@click.option("-n", "--name", default="mlflow-pyfunc-servable", show_default=True,
              help="The image name (and :tag). Example: -n my-model:1")
@_env_manager()
@click.option("--mlflow-home", type=click.Path(exists=True), default=None, metavar="PATH",
              help="The workbench project directory or wheel to install in the image "
                   "(MLflow's option name).")
@click.option("--install-java", type=click.BOOL, default=None,
              help="Install a Java runtime in the image. Example: --install-java true")
@_install_mlflow()
def build_docker(model_uri: str | None, name: str, env_manager: str | None,
                 mlflow_home: str | None, install_java: bool | None, install_mlflow: bool) -> None:
    """Build a Docker image that serves the model on port 8080 (needs a Docker engine).

    \b
    Examples:
      workbench models build-docker -m runs:/<run_id>/model -n my-model
      docker run -p 5001:8080 my-model

    Python twin: workbench.models.build_docker(model_uri, name, env_manager=...).
    """
    from workbench.models import build_docker as build

    kwargs: dict[str, Any] = {"mlflow_home": mlflow_home, "install_java": bool(install_java),
                              "install_mlflow": install_mlflow}
    if env_manager is not None:
        kwargs["env_manager"] = env_manager
    build(model_uri, name, **kwargs)
    click.echo(f"Built image {_output.clean(name)}")


@models.command("update-pip-requirements", context_settings=CONTEXT_SETTINGS)
@_model_uri()
@click.argument("operation", type=click.Choice(["add", "remove"]))
@click.argument("requirement_strings", nargs=-1, required=True, metavar="REQUIREMENT...")
def update_pip_requirements(model_uri: str, operation: str, requirement_strings: tuple[str, ...]) -> None:
    """Add or remove requirements in a model's requirements.txt and conda.yaml.

    \b
    Examples:
      workbench models update-pip-requirements -m ./model add "pandas==2.2.3" scikit-learn
      workbench models update-pip-requirements -m ./model remove torchvision

    Python twin: workbench.models.update_model_requirements(uri, operation, requirements).
    """
    from workbench.models import update_model_requirements

    update_model_requirements(model_uri, operation, list(requirement_strings))
    click.echo(f"Updated the requirements of {_output.clean(model_uri, 300)}.")
