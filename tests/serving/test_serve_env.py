"""FlavorBackend.serve in an isolated uv environment built from the model's files (no skip: runs in CI).

One environment is built for the module (about 25 s here with a warm uv cache): the model's
requirements, workbench itself and the scoring server's requirements pinned to this
environment's versions. The server then runs on that environment's interpreter.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time

import httpx
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import workbench.sklearn
from workbench.models._env import MANIFEST_NAME
from workbench.models.flavor_backend_registry import get_flavor_backend

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.5]})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        base = tmp_path_factory.mktemp("serve-env")
        mp.setenv("WORKBENCH_TRUST_STORE", str(base / "trust.sqlite"))
        mp.delenv("WORKBENCH_TRUSTED_LOCATIONS", raising=False)
        fitted = LogisticRegression().fit(X, [0, 0, 1, 1])
        workbench.sklearn.save_model(fitted, base / "model", input_example=X.head(2))
        backend = get_flavor_backend(base / "model", env_manager="uv", env_root_dir=base / "envs")
        python = backend.prepare_env(base / "model", for_serving=True)
        yield backend, base / "model", python, fitted


def test_the_environment_holds_the_server(built):
    import fastapi
    import uvicorn

    backend, model, python, _ = built
    manifest = json.loads((python.parent.parent / MANIFEST_NAME).read_text())
    assert f"fastapi=={fastapi.__version__}" in manifest["spec"]["override"]
    assert f"uvicorn=={uvicorn.__version__}" in manifest["spec"]["override"]
    probe = "import fastapi, uvicorn, workbench.serving._app; print('ok')"
    assert subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True).stdout == "ok\n"
    assert subprocess.run([str(python), "-c", "import mlflow"], capture_output=True).returncode != 0  # isolated


def test_serve_in_the_environment(built):
    import psutil

    backend, model, python, fitted = built
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = backend.serve(model, port, "127.0.0.1", 30, synchronous=False,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, "the server exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become healthy"
            time.sleep(0.2)
        assert psutil.Process(process.pid).cmdline()[0] == str(python)
        answer = httpx.post(f"http://127.0.0.1:{port}/invocations", json={"dataframe_records": X.to_dict(orient="records")})
        assert answer.json() == {"predictions": fitted.predict(X).tolist()}
    finally:
        process.terminate()
        process.wait(timeout=30)
