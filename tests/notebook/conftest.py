"""Fixtures of the notebook tests: one IPython shell with the extension, a fresh workspace
and namespace per test, and small scikit-learn data."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

from workbench import _tracking
from workbench.store import _store, set_workspace


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """An empty workspace and trust store per test; no run left active."""
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trust"))
    root = tmp_path / "ws"
    set_workspace(root)
    yield root
    while _tracking.active_run() is not None:
        _tracking.end_run()
    set_workspace(None)
    for key in [k for k in getattr(_store, "_stores", {}) if k[0] == root]:
        _store._stores.pop(key).close()


@pytest.fixture(scope="session")
def shell():
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "workbench.notebook")
    return ip


@pytest.fixture(scope="session")
def iris():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True, as_frame=True)
    df = X.copy()
    df["label"] = y
    clf = LogisticRegression(max_iter=500).fit(X, y)
    return {"X": X, "y": y, "df": df, "clf": clf}


@pytest.fixture
def ip(shell, iris):
    """The shell with iris data in its namespace: X, y, df (features + label), clf.

    Names a test adds are removed afterwards (cheaper than ``reset``)."""
    before = set(shell.user_ns)
    shell.user_ns.update(iris)
    yield shell
    for name in set(shell.user_ns) - before:
        del shell.user_ns[name]


@pytest.fixture
def run(ip, capsys):
    """Run a cell; return (its ExecutionResult, what it printed)."""

    def run_cell(source: str):
        capsys.readouterr()
        outcome = ip.run_cell(source, store_history=True)
        return outcome, capsys.readouterr().out

    return run_cell
