"""Models and servers for the scoring server tests.

Two models, saved once per session into a temporary directory: ``sklearn_model`` (a
LogisticRegression on columns a, b) and ``tricky_model`` (a PythonModel that doubles ``x``,
and sleeps ``sleep`` seconds or kills its own process when ``die`` > 0, for the timeout and
dead-worker cases). Servers run as ``python -m workbench.serving`` on a free loopback port,
with this session's ``$WORKBENCH_TRUST_STORE`` in their environment.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import workbench.pyfunc
import workbench.sklearn
from workbench.serving._server import start_server

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.5]})
Y = [0, 0, 1, 1]
PIDFILE_ENV = "WORKBENCH_SERVING_TEST_PIDFILE"


class TrickyModel(workbench.pyfunc.PythonModel):
    """Doubles ``x``; sleeps ``sleep`` seconds (writing its pid first); dies when ``die`` > 0."""

    def predict(self, context, model_input, params=None):
        import os as _os
        import signal as _signal
        import time as _time

        if float(model_input["die"].max()) > 0:
            _os.kill(_os.getpid(), _signal.SIGKILL)
        pause = float(model_input["sleep"].max())
        if pause > 0:
            pidfile = _os.environ.get(PIDFILE_ENV)
            if pidfile:
                with open(pidfile, "w") as handle:
                    handle.write(str(_os.getpid()))
            _time.sleep(pause)
        return model_input[["x"]] * 2


def tricky_row(x=1.0, sleep=0.0, die=0.0):
    return {"dataframe_records": [{"x": x, "sleep": sleep, "die": die}]}


@pytest.fixture(scope="session")
def sklearn_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "sklearn"
    workbench.sklearn.save_model(LogisticRegression().fit(X, Y), path, input_example=X.head(2))
    return path


@pytest.fixture(scope="session")
def tricky_model(tmp_path_factory):
    import cloudpickle

    # The class lives in this test module, which the workers cannot import: pickle it by value.
    cloudpickle.register_pickle_by_value(sys.modules[TrickyModel.__module__])
    path = tmp_path_factory.mktemp("models") / "tricky"
    example = pd.DataFrame({"x": [1.0], "sleep": [0.0], "die": [0.0]})
    workbench.pyfunc.save_model(path, python_model=TrickyModel(), input_example=example)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"
        self.client = httpx.Client(base_url=self.url, timeout=30)

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                if self.client.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError("the server did not become healthy")

    def stop(self) -> None:
        self.client.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def start(tmp_path_factory):
    """Start servers as subprocesses; all are stopped at the end of the session."""
    servers: list[Server] = []

    def _start(model_path, **kwargs) -> Server:
        port = free_port()
        env = dict(os.environ)
        env.setdefault(PIDFILE_ENV, str(tmp_path_factory.mktemp("pid") / "pid"))
        env.update(kwargs.pop("env", {}))
        process = start_server(model_path, port=port, log_level="warning", env=env, **kwargs)
        server = Server(process, port)
        server.pidfile = env[PIDFILE_ENV]
        servers.append(server)
        server.wait_healthy()
        return server

    yield _start
    for server in servers:
        server.stop()


class AsgiClient:
    """A synchronous face on ``httpx.AsyncClient(transport=httpx.ASGITransport(app))``.

    An event loop in a background thread runs the app's lifespan (which starts the worker
    processes) and every request, so tests stay plain functions.
    """

    def __init__(self, app) -> None:
        import asyncio
        import threading

        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._lifespan = app.router.lifespan_context(app)
        self._run(self._lifespan.__aenter__())
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=60)

    def _run(self, coroutine):
        import asyncio

        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def request(self, method, url, **kwargs) -> httpx.Response:
        return self._run(self.client.request(method, url, **kwargs))

    def get(self, url, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self._run(self.client.aclose())
        self._run(self._lifespan.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def wait_ready(client, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get("/health").status_code == 200:
            return
        time.sleep(0.05)
    raise TimeoutError("no worker became ready")


#: The body cap of the in-process app, small so that oversize bodies are cheap to send.
SMALL_CAP = 256 * 1024


@pytest.fixture(scope="session")
def client(sklearn_model):
    """The in-process app for the sklearn model, its lifespan running."""
    from workbench.serving import create_app

    app = create_app(sklearn_model, timeout=30, max_body_bytes=SMALL_CAP, max_queue=4)
    test_client = AsgiClient(app)
    try:
        test_client.first_health = test_client.get("/health")
        wait_ready(test_client)
        yield test_client
    finally:
        test_client.close()
