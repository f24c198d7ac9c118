"""FlavorBackend / PyFuncBackend and get_flavor_backend: predict, serve, prepare_env, checks."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time

import httpx
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import workbench.sklearn
from workbench import WorkbenchException
from workbench.models import FlavorBackend, Model
from workbench.models._flavor_backend import PyFuncBackend, serve_command
from workbench.models.flavor_backend_registry import get_flavor_backend

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.5]})
Y = [0, 0, 1, 1]


@pytest.fixture(scope="module")
def fitted():
    return LogisticRegression().fit(X, Y)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory, fitted):
    path = tmp_path_factory.mktemp("backend") / "model"
    workbench.sklearn.save_model(fitted, path, input_example=X.head(2))
    return path


@pytest.fixture()
def local(model_path):
    return get_flavor_backend(model_path, env_manager="local")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- the interface


def test_flavor_backend_is_abstract():
    with pytest.raises(TypeError):
        FlavorBackend({})

    class Minimal(FlavorBackend):
        def predict(self, model_uri, input_path, output_path, content_type):
            return None

        def serve(self, model_uri, port, host, timeout, enable_mlserver=False, synchronous=True, stdout=None, stderr=None):
            return 0

        def can_score_model(self):
            return False

        def generate_dockerfile(self, model_uri, output_dir, install_java=False, install_mlflow=False,
                                mlflow_home=None, enable_mlserver=False, base_image=None):  # fmt: skip
            return None

        def build_image(self, model_uri, image_name, install_java=False, install_mlflow=False,
                        mlflow_home=None, enable_mlserver=False, base_image=None):  # fmt: skip
            return None

    backend = Minimal({"k": 1})
    assert backend._config == {"k": 1}
    assert backend.can_build_image() is True
    assert backend.prepare_env("anything") is None


def test_signatures_follow_mlflow():
    import inspect

    import mlflow.pyfunc.backend

    ours, theirs = PyFuncBackend, mlflow.pyfunc.backend.PyFuncBackend
    for name in ("predict", "prepare_env", "can_score_model", "can_build_image"):
        assert list(inspect.signature(getattr(ours, name)).parameters)[: len(inspect.signature(getattr(theirs, name)).parameters)] == list(
            inspect.signature(getattr(theirs, name)).parameters
        ), name
    # the seed's serve: (model_uri, port, host, timeout, enable_mlserver, synchronous, stdout, stderr)
    assert list(inspect.signature(ours.serve).parameters)[:9] == [
        "self", "model_uri", "port", "host", "timeout", "enable_mlserver", "synchronous", "stdout", "stderr",
    ]  # fmt: skip
    for name in ("generate_dockerfile", "build_image"):
        params = inspect.signature(getattr(ours, name)).parameters
        assert set(inspect.signature(getattr(theirs, name)).parameters) <= set(params)
        assert "enable_mlserver" in params


# --------------------------------------------------------------------------- the registry


def test_get_flavor_backend(model_path):
    backend = get_flavor_backend(model_path, env_manager="uv", workers=3, docker_build=True)
    assert isinstance(backend, PyFuncBackend)
    assert backend.env_manager == "uv" and backend._nworkers == 3
    assert backend._config == Model.load(model_path).flavors["python_function"]
    assert get_flavor_backend(None, env_manager="local")._config == {}


def test_model_without_pyfunc_flavor_has_no_backend(tmp_path):
    (tmp_path / "m").mkdir()
    Model(flavors={"other": {"x": 1}}).save(tmp_path / "m" / "MLmodel")
    with pytest.raises(WorkbenchException, match=r"No suitable flavor backend.*its flavors: \['other'\]") as info:
        get_flavor_backend(tmp_path / "m")
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_missing_model(tmp_path):
    with pytest.raises(WorkbenchException) as info:
        get_flavor_backend(tmp_path / "missing")
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"env_manager": "pip"}, "env_manager"),
        ({"env_manager": "local", "workers": 0}, "workers as a positive int"),
        ({"env_manager": "local", "workers": True}, "workers as a positive int"),
    ],
)
def test_bad_backend_arguments(kwargs, match):
    with pytest.raises(WorkbenchException, match=match):
        PyFuncBackend({}, **kwargs)


def test_can_score_model():
    assert PyFuncBackend({}, env_manager="local").can_score_model() is True
    assert PyFuncBackend({}, env_manager="virtualenv").can_score_model() is True
    from workbench.models._env import find_uv

    try:
        find_uv()
        has_uv = True
    except WorkbenchException:
        has_uv = False
    assert PyFuncBackend({}, env_manager="uv").can_score_model() is has_uv
    assert PyFuncBackend({}, env_manager="local").can_build_image() is True


# --------------------------------------------------------------------------- predict


def test_predict_json_file_to_file(local, model_path, fitted, tmp_path):
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"dataframe_split": X.to_dict(orient="split", index=False)}))
    out = tmp_path / "out.json"
    local.predict(model_path, source, out, "json")
    assert json.loads(out.read_text()) == {"predictions": fitted.predict(X).tolist()}


def test_predict_csv_stdin_to_stdout(local, model_path, fitted, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(X.to_csv(index=False)))
    local.predict(model_path, None, None, "csv")
    assert json.loads(capsys.readouterr().out) == {"predictions": fitted.predict(X).tolist()}


def test_predict_bad_input_is_the_servers_error(local, model_path, tmp_path):
    source = tmp_path / "bad.json"
    source.write_text("[1, 2]")
    with pytest.raises(WorkbenchException, match="Received a list") as info:
        local.predict(model_path, source, tmp_path / "out.json", "json")
    assert info.value.error_code == "BAD_REQUEST"
    assert not (tmp_path / "out.json").exists()


def test_predict_refuses_override_with_local(local, model_path, tmp_path):
    with pytest.raises(WorkbenchException, match="not supported with env_manager='local'"):
        local.predict(model_path, tmp_path / "in.json", None, "json", pip_requirements_override=["x"])


def test_prepare_env_local_is_this_interpreter(local, model_path):
    from pathlib import Path

    assert local.prepare_env(model_path) == Path(sys.executable)
    assert local.prepare_env(model_path, capture_output=True, for_serving=True) == Path(sys.executable)


def test_prepare_env_for_serving_adds_the_server_requirements(model_path, monkeypatch, tmp_path):
    seen = {}

    def fake_prepare_env(model_uri, env_manager, *, pip_requirements_override, install_mlflow, extra_envs):
        import os

        seen.update(override=pip_requirements_override, env_manager=env_manager, root=os.environ.get("WORKBENCH_ENV_ROOT"))
        return tmp_path / "bin" / "python"

    monkeypatch.setattr("workbench.models._env.prepare_env", fake_prepare_env)
    backend = PyFuncBackend({}, env_manager="uv", env_root_dir=tmp_path / "envs", create_env_root_dir=True)
    assert backend.prepare_env(model_path, for_serving=True, pip_requirements_override=["extra==1"]) == tmp_path / "bin" / "python"
    import fastapi
    import uvicorn

    assert seen["override"][:2] == [f"fastapi=={fastapi.__version__}", f"uvicorn=={uvicorn.__version__}"]
    assert seen["override"][-1] == "extra==1" and seen["override"][2].startswith("pyarrow==")
    assert seen["env_manager"] == "uv" and seen["root"] == str(tmp_path / "envs")
    assert (tmp_path / "envs").is_dir()


# --------------------------------------------------------------------------- serve


def test_serve_command():
    command = serve_command("/env/bin/python", "/m", 8080, "0.0.0.0", 2.5, workers=3)
    assert command[0] == "/env/bin/python" and command[1] == "-c"
    assert "workbench.serving.__main__" in command[2]
    assert command[3:] == ["--model-uri", "/m", "--host", "0.0.0.0", "--port", "8080", "--timeout", "2.5", "--workers", "3"]


def test_serve_asynchronously_answers_mlflow_clients(local, model_path, fitted):
    port = free_port()
    process = local.serve(model_path, port, "127.0.0.1", 30, synchronous=False,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    assert isinstance(process, subprocess.Popen)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, "the server exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become healthy"
            time.sleep(0.2)
        body = {"dataframe_records": X.to_dict(orient="records")}
        answer = httpx.post(f"http://127.0.0.1:{port}/invocations", json=body, timeout=30)
        assert answer.status_code == 200
        assert answer.json() == {"predictions": fitted.predict(X).tolist()}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_synchronously_raises_when_the_server_fails(local, model_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(WorkbenchException, match="exited with status") as info:
            local.serve(model_path, port, "127.0.0.1", 30, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert info.value.error_code == "INTERNAL_ERROR"


@pytest.mark.parametrize(
    "kwargs, code, match",
    [
        ({"enable_mlserver": True}, "NOT_IMPLEMENTED", "MLServer"),
        ({"port": -1}, "INVALID_PARAMETER_VALUE", "port as an int"),
        ({"port": "5000"}, "INVALID_PARAMETER_VALUE", "port as an int"),
        ({"timeout": 0}, "INVALID_PARAMETER_VALUE", "timeout as a positive number"),
        ({"model_config": {"k": 1}}, "NOT_IMPLEMENTED", "model_config"),
    ],
)
def test_serve_refuses_bad_arguments(local, model_path, kwargs, code, match):
    arguments = {"port": 5000, "host": "127.0.0.1", "timeout": 60} | kwargs
    with pytest.raises(WorkbenchException, match=match) as info:
        local.serve(model_path, **arguments)
    assert info.value.error_code == code


def test_mlserver_is_refused_for_images(local, model_path, tmp_path):
    for method, name in ((local.generate_dockerfile, tmp_path / "ctx"), (local.build_image, "img")):
        with pytest.raises(WorkbenchException, match="MLServer") as info:
            method(model_path, name, enable_mlserver=True)
        assert info.value.error_code == "NOT_IMPLEMENTED"


def test_predictions_equal_pyfunc(local, model_path, fitted, tmp_path):
    source = tmp_path / "in.csv"
    rows = pd.DataFrame({"a": np.linspace(-2, 5, 50), "b": np.linspace(1, 0, 50)})
    source.write_text(rows.to_csv(index=False))
    local.predict(model_path, source, tmp_path / "out.json", "csv")
    assert json.loads((tmp_path / "out.json").read_text())["predictions"] == fitted.predict(rows).tolist()
