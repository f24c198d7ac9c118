"""Binder: the environment binder/ describes builds, and the demo notebooks run in it.

mybinder.org builds the image with repo2docker, whose Python build pack (runtime.txt says
``python-3.11``) runs ``pip install --no-cache-dir -r "binder/requirements.txt"`` from the
repository root, after copying the whole repository when the file has a local reference
(a line starting with ``.``; repo2docker's ``is_local_pip_requirement``). That is what
this test does, in a fresh venv in a temporary directory: ``python -m venv``, then the same
``pip install -r binder/requirements.txt`` from the repository root (with pip's cache and
``--no-compile`` to be quicker; the requirements are the same). It then runs every demo
notebook Binder opens (the quickstart: magics, SHAP, the panel, the workspace) and the reports
notebook (comparison, plotly.js inlined in HTML) with that venv's own kernel and nbclient, so
the demo cannot rot: a dependency the notebooks need but the extras do not install, or a
file the wheel leaves out (the front-end in ``extension/`` ships as
``workbench/_extension``), fails here. (tests/notebooks runs every notebook in the
development environment.)

It takes a few minutes (most of it pip), so it is one test.
"""

from __future__ import annotations

import importlib.util
import pathlib
import subprocess
import sys

import nbformat


def _helpers():
    path = pathlib.Path(__file__).resolve().parent / "notebooks" / "_notebooks.py"
    spec = importlib.util.spec_from_file_location("workbench_test_notebooks", path)
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


nbh = _helpers()
#: The notebooks run in the Binder environment.
IN_BINDER = ("quickstart", "reports")
REPO = nbh.REPO
BINDER = REPO / "binder"


def test_binder_files_say_what_repo2docker_needs():
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime == "python-3.11"
    lines = [line.split("#", 1)[0].strip()
             for line in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    requirements = [line for line in lines if line]
    # the repository itself with the extras the notebooks need; a local reference, so
    # repo2docker installs it after copying the repository, from the repository root
    assert requirements == [".[notebook,explain]"]
    assert not (BINDER / "postBuild").exists() or (BINDER / "postBuild").stat().st_mode & 0o111


def test_binder_environment_builds_and_runs_the_quickstart(tmp_path):
    venv = tmp_path / "binder-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-compile", "--disable-pip-version-check",
         "-r", "binder/requirements.txt"],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    log = "\n".join(line for line in (install.stdout + install.stderr).splitlines()
                    if not line.startswith("WARNING: Location"))
    assert install.returncode == 0, f"pip install -r binder/requirements.txt failed:\n{log[-4000:]}"

    # the venv has its own workbench (not this checkout's) with the front-end files
    where = subprocess.run(
        [python, "-c", "import workbench, workbench.notebook._assets as a; print(workbench.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert where.startswith(str(venv)), where
    assert (pathlib.Path(where).parent / "_extension" / "panel.js").is_file()

    executed = nbh.execute_all(IN_BINDER, tmp_path / "run", python=python, parallel=2)
    failures = {}
    for name, path in executed.items():
        nb = nbformat.read(path, as_version=4)
        problems = nbh.errors(nb)
        if path.stat().st_size >= nbh.MAX_EXECUTED_BYTES:
            problems.append(f"executed notebook is {path.stat().st_size / 1e6:.2f} MB")
        if problems:
            failures[name] = problems
    assert failures == {}
    quickstart = nbformat.read(executed["quickstart"], as_version=4)
    assert "Saved to the workspace as run 'rf-depth7'" in nbh.notebook_text(quickstart)
