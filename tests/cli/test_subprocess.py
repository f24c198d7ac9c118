"""The installed ``workbench`` console script, run as a real process."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

WORKBENCH = pathlib.Path(sys.executable).with_name("workbench")


@pytest.fixture
def run(tmp_path):
    env = {**os.environ, "WORKBENCH_HOME": str(tmp_path / "ws")}
    env.pop("TQDM_DISABLE", None)

    def run(*args, check_code=None):
        proc = subprocess.run([str(WORKBENCH), *map(str, args)], capture_output=True, text=True,
                              env=env, timeout=300)
        if check_code is not None:
            assert proc.returncode == check_code, proc.stderr
        return proc

    return run


def test_console_script_is_installed():
    assert WORKBENCH.is_file(), f"run `{sys.executable} -m pip install -e .` to install the script"


def test_help_and_version(run):
    import workbench

    assert "Exit codes:" in run("--help", check_code=0).stdout
    assert run("--version", check_code=0).stdout == f"workbench {workbench.__version__}\n"


def test_evaluate_then_list_then_show(run, files, tmp_path):
    proc = run("evaluate", files["lr"], files["csv"], "--targets", "label", "--model-type", "classifier",
               "--name", "lr-sub", "--no-explain", "--json", check_code=0)
    out = json.loads(proc.stdout)
    assert out["run_name"] == "lr-sub" and out["metrics"]["example_count"] == len(files["frame"])
    # piped output: no progress bar is drawn
    assert "step/s" not in proc.stderr and "%|" not in proc.stderr
    listed = json.loads(run("runs", "list", "--json", check_code=0).stdout)
    assert [r["run_id"] for r in listed] == [out["run_id"]]
    shown = json.loads(run("runs", "show", "lr-sub", "--json", check_code=0).stdout)
    assert shown["metrics"]["roc_auc"] == pytest.approx(out["metrics"]["roc_auc"])


def test_workspace_option(run, tmp_path):
    other = tmp_path / "other"
    proc = run("--workspace", other, "runs", "list", check_code=0)
    assert proc.stdout == f"No runs in the workspace {other}.\n"


def test_errors_have_no_traceback_unless_debug(run):
    proc = run("runs", "show", "missing", check_code=3)
    assert proc.stderr.startswith("Error: No run with id or name 'missing'")
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    debug = run("--debug", "runs", "show", "missing", check_code=3)
    assert debug.stderr.startswith("Traceback (most recent call last):")
    assert debug.stderr.rstrip().splitlines()[-1].startswith("Error: No run with id or name 'missing'")
    usage = run("runs", "show", check_code=2)
    assert "Missing argument 'RUN'" in usage.stderr
