"""``workbench models ...``: MLflow's option names over FlavorBackend and build_docker."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

import workbench.models
import workbench.pyfunc
from workbench.cli import main

WORKBENCH = pathlib.Path(sys.executable).with_name("workbench")


@pytest.fixture(scope="module")
def features(files, tmp_path_factory):
    """The test features (no label) as a scoring JSON body and as CSV, and the expected labels."""
    root = tmp_path_factory.mktemp("cli-predict")
    X = files["frame"].drop(columns="label").head(20)
    body = root / "input.json"
    body.write_text(json.dumps({"dataframe_split": X.to_dict(orient="split")}))
    csv = root / "input.csv"
    X.to_csv(csv, index=False)
    expected = workbench.pyfunc.load_model(str(files["lr"])).predict(X)
    return {"json": body, "csv": csv, "X": X, "expected": [int(v) for v in expected]}


def test_models_help_mirrors_mlflow_option_names():
    from click.testing import CliRunner

    runner = CliRunner()
    expected = {
        "serve": ["-m, --model-uri", "-p, --port", "-h, --host", "-t, --timeout", "-w, --workers",
                  "--env-manager", "--no-conda", "--install-mlflow"],
        "predict": ["-m, --model-uri", "-i, --input-path", "-o, --output-path", "-t, --content-type",
                    "--env-manager", "--install-mlflow", "-r, --pip-requirements-override", "--env"],
        "prepare-env": ["-m, --model-uri", "--env-manager", "--install-mlflow"],
        "generate-dockerfile": ["-m, --model-uri", "-d, --output-directory", "--env-manager",
                                "--mlflow-home", "--install-java", "--install-mlflow"],
        "build-docker": ["-m, --model-uri", "-n, --name", "--env-manager", "--mlflow-home",
                         "--install-java", "--install-mlflow"],
    }
    for command, options in expected.items():
        out = runner.invoke(main, ["models", command, "--help"]).output
        for option in options:
            assert option in out, (command, option)


def test_predict_json_to_stdout(cli, files, features):
    result = cli("models", "predict", "-m", files["lr"], "-i", features["json"], "--env-manager", "local")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"predictions": features["expected"]}


def test_predict_csv_to_a_file(cli, files, features, tmp_path):
    out = tmp_path / "predictions.json"
    result = cli("models", "predict", "-m", files["lr"], "-i", features["csv"], "-t", "csv",
                 "-o", out, "--env-manager", "local")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(out.read_text()) == {"predictions": features["expected"]}


def test_predict_from_stdin(cli, files, features):
    result = cli("models", "predict", "-m", files["lr"], "--env-manager", "local",
                 input=features["json"].read_text())
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"predictions": features["expected"]}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--env", "NOEQUALS"], 2, "'NOEQUALS' is not a KEY=VALUE pair"),
        (["-t", "xml"], 2, "'xml' is not one of 'json', 'csv'"),
        (["--env-manager", "pip"], 2, "'pip' is not one of 'local', 'virtualenv', 'uv', 'conda'"),
        (["-r", "numpy<3"], 3, "pip_requirements_override is not supported with env_manager='local'"),
    ],
)
def test_predict_errors(cli, files, features, args, code, message):
    base = ["models", "predict", "-m", files["lr"], "-i", features["json"]]
    if "--env-manager" not in args:
        base += ["--env-manager", "local"]
    result = cli(*base, *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_predict_unknown_model_exits_3(cli, features, tmp_path):
    result = cli("models", "predict", "-m", tmp_path / "nowhere", "-i", features["json"],
                 "--env-manager", "local")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: ") and "nowhere" in result.stderr


def test_prepare_env_local(cli, files):
    result = cli("models", "prepare-env", "-m", files["lr"], "--env-manager", "local")
    assert result.exit_code == 0, result.output
    python = pathlib.Path(result.stdout.strip().removeprefix("Environment ready: "))
    assert python.resolve() == pathlib.Path(sys.executable).resolve()


def test_generate_dockerfile(cli, files, tmp_path):
    target = tmp_path / "context"
    result = cli("models", "generate-dockerfile", "-m", files["lr"], "-d", target, "--env-manager", "local")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {target / 'Dockerfile'}\n"
    dockerfile = (target / "Dockerfile").read_text()
    assert "8080" in dockerfile and "workbench.serving" in dockerfile
    assert (target / "model_dir" / "MLmodel").is_file()


def test_build_docker_passes_mlflows_arguments(cli, files, monkeypatch):
    calls = []
    monkeypatch.setattr(workbench.models, "build_docker", lambda *a, **k: calls.append((a, k)))
    result = cli("models", "build-docker", "-m", files["lr"], "-n", "my-model:1", "--env-manager", "uv",
                 "--install-java", "false", "--install-mlflow")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Built image my-model:1\n"
    assert calls == [((str(files["lr"]), "my-model:1"),
                      {"mlflow_home": None, "install_java": False, "install_mlflow": True, "env_manager": "uv"})]


def test_build_docker_without_an_engine_says_so(cli, files, monkeypatch):
    from workbench._exceptions import RESOURCE_DOES_NOT_EXIST, WorkbenchException
    from workbench.models import _docker

    def no_engine():
        raise WorkbenchException("no Docker engine is running", error_code=RESOURCE_DOES_NOT_EXIST)

    monkeypatch.setattr(_docker, "require_docker_engine", no_engine)
    result = cli("models", "build-docker", "-m", files["lr"], "-n", "my-model")
    assert result.exit_code == 3
    assert result.stderr == "Error: no Docker engine is running\n"


def test_update_pip_requirements(cli, files, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(files["lr"], model)
    result = cli("models", "update-pip-requirements", "-m", model, "add", "pandas==2.2.3")
    assert result.exit_code == 0, result.output
    assert "pandas==2.2.3" in (model / "requirements.txt").read_text().splitlines()
    removed = cli("models", "update-pip-requirements", "-m", model, "remove", "pandas")
    assert removed.exit_code == 0
    assert not any(line.startswith("pandas") for line in (model / "requirements.txt").read_text().splitlines())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_mlflows_protocol_until_ctrl_c(files, features, tmp_path):
    """A real `workbench models serve` process: /ping, /invocations, then SIGINT stops it."""
    port = _free_port()
    env = {**os.environ, "WORKBENCH_HOME": str(tmp_path / "ws")}
    process = subprocess.Popen(
        [str(WORKBENCH), "models", "serve", "-m", str(files["lr"]), "-p", str(port),
         "--env-manager", "local", "-t", "30"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "the server did not answer /ping within 60 s"
            time.sleep(0.2)
        body = json.loads(features["json"].read_text())
        answer = httpx.post(f"{url}/invocations", json=body, timeout=30)
        assert answer.status_code == 200
        assert answer.json() == {"predictions": features["expected"]}
        bad = httpx.post(f"{url}/invocations", content=b"{", headers={"Content-Type": "application/json"})
        assert bad.status_code == 400 and "error_code" in bad.json()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
