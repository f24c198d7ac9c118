"""Fixtures of the browser tests: Debian's Chromium through Playwright, and a JupyterLab server.

Recipe and pitfalls: /work/shared/TESTING.md. In short: never ``playwright install`` (it cannot
download here; the system Chromium is used), run JupyterLab with ``--allow-root`` (CI is root),
on a free port with ``port_retries=0``, over a *copy* of the fixture notebooks (autosave must
never write into the repository), with a settings directory that turns the news toast off and
keeps every cell in the DOM, and a workspace of its own.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parent / "notebooks"
#: Screenshots and logs that CI keeps (gitignored).
ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def artifacts_dir() -> pathlib.Path:
    """``test-artifacts/`` at the repository root (created)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def chromium():
    """A headless Chromium per test module (Playwright's sync API).

    Module scope, not session: two sync Playwright instances cannot run at once in one
    thread, and other modules here (the report tests) start their own.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(cmd: list[str], ready_url: str, log_path: pathlib.Path, env: dict[str, str],
           timeout: float = 90) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - kept open for the server's lifetime
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(ready_url, timeout=2)
            return proc
        except urllib.error.HTTPError:  # any HTTP answer: the server is up
            return proc
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(
                    f"JupyterLab did not start: {log_path.read_text()[-3000:]}"
                ) from None
            time.sleep(0.25)


def _stop(proc: subprocess.Popen) -> None:
    # JupyterLab shuts its kernels down first: wait for the process, so that no later
    # server races the dying one for a port (TESTING.md pitfall 6).
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server over a copy of ``tests/browser/notebooks``.

    Yields ``{"url", "token", "root", "workspace", "log"}``; ``root`` is the served copy and
    ``workspace`` the kernel's ``WORKBENCH_HOME``.
    """
    root = tmp_path_factory.mktemp("lab")
    served = root / "notebooks"
    shutil.copytree(NOTEBOOKS, served)
    settings = root / "settings"
    lab = settings / "@jupyterlab"
    (lab / "apputils-extension").mkdir(parents=True)
    (lab / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))  # no "Jupyter news?" toast
    (lab / "notebook-extension").mkdir(parents=True)
    (lab / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))  # every cell stays in the DOM
    workspace = root / "workspace"
    port, token = _free_port(), "workbench-test"
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
        "WORKBENCH_HOME": str(workspace),
        "WORKBENCH_TRUST_STORE": str(root / "trust.sqlite"),
        "PYTHONPATH": os.pathsep.join(
            [str(pathlib.Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")]
        ).rstrip(os.pathsep),
    }
    log = root / "lab.log"
    proc = _serve(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}"],
        f"http://127.0.0.1:{port}/api/status?token={token}", log, env,
    )
    try:
        yield {"url": f"http://127.0.0.1:{port}", "token": token, "root": served,
               "workspace": workspace, "log": log}
    finally:
        _stop(proc)
