"""Fixtures of the CLI tests: saved models, data files, a runner, workspaces with runs.

Every invocation passes ``--workspace`` (so the tests exercise the option and never touch
another test's workspace); ``main`` resets the process-wide choice when it returns.

``evaluated`` is one session-wide workspace (tests only read it) holding two evaluations
made through the CLI: ``lr`` (a LogisticRegression) and ``stump`` (a depth-1 tree), on the
same test file.
"""

from __future__ import annotations

import json
import pathlib
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

import workbench.sklearn
from workbench import _tracking
from workbench.cli import main
from workbench.store import _store

FEATURES = 5


class Cli:
    """``cli("runs", "list")`` runs ``workbench --workspace WS runs list`` in-process."""

    def __init__(self, workspace: pathlib.Path) -> None:
        self.workspace = workspace
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, workspace: bool = True,
                 catch: bool = False):
        argv = (["--workspace", str(self.workspace)] if workspace else []) + [str(a) for a in args]
        return self.runner.invoke(main, argv, input=input, catch_exceptions=catch)

    def json(self, *args: str):
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


def _close_stores(root: pathlib.Path) -> None:
    while _tracking.active_run() is not None:
        _tracking.end_run()
    for key in [k for k in _store._stores if k[0] == root]:
        _store._stores.pop(key).close()


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    """``{"lr": model dir, "stump": model dir, "csv": test csv, "parquet": ..., "frame": df}``."""
    root = tmp_path_factory.mktemp("cli-files")
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :FEATURES]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    workbench.sklearn.save_model(LogisticRegression(max_iter=5000).fit(X_train, y_train), root / "lr")
    workbench.sklearn.save_model(
        DecisionTreeClassifier(max_depth=1, random_state=0).fit(X_train, y_train), root / "stump"
    )
    frame = X_test.assign(label=y_test.to_numpy()).reset_index(drop=True)
    frame.to_csv(root / "test.csv", index=False)
    frame.to_parquet(root / "test.parquet")
    # static predictions: a column of predicted labels and one of scores
    lr = LogisticRegression(max_iter=5000).fit(X_train, y_train)
    scored = frame.assign(pred=lr.predict(X_test), proba=lr.predict_proba(X_test)[:, 1])
    scored.to_csv(root / "scored.csv", index=False)
    return {"root": root, "lr": root / "lr", "stump": root / "stump", "csv": root / "test.csv",
            "parquet": root / "test.parquet", "scored": root / "scored.csv", "frame": frame}


@pytest.fixture
def cli(tmp_path):
    """A runner on a fresh, empty workspace."""
    root = tmp_path / "ws"
    yield Cli(root)
    _close_stores(root)


@pytest.fixture(scope="session")
def evaluated(tmp_path_factory, files):
    """A runner on a workspace with runs ``lr`` and ``stump`` (evaluated through the CLI)."""
    root = tmp_path_factory.mktemp("cli-ws") / "ws"
    runner = Cli(root)
    run_ids = {}
    for name in ("lr", "stump"):
        out = runner.json("evaluate", files[name], files["csv"], "--targets", "label",
                          "--model-type", "classifier", "--name", name, "--no-explain")
        run_ids[name] = out["run_id"]
    runner.run_ids = run_ids
    yield runner
    _close_stores(root)


def copy_result_dir(cli: Cli, run_id: str, target: pathlib.Path) -> pathlib.Path:
    """Copy the result directory saved in ``run_id`` to ``target`` (a RUN_OR_DIR argument)."""
    shutil.copytree(cli.workspace / "runs" / run_id / "artifacts" / "evaluation", target)
    return target


def parse_table(text: str) -> list[dict[str, str]]:
    """Rows of a table printed by ``_output.table`` (columns split on two or more spaces)."""
    import re

    lines = [line for line in text.splitlines() if line.strip()]
    header = re.split(r"\s{2,}", lines[0].strip())
    return [dict(zip(header, re.split(r"\s{2,}", line.strip()))) for line in lines[1:]]


def metric_rows(output: str) -> dict[str, str]:
    """``{metric: printed value}`` from the METRIC/VALUE table at the top of ``output``."""
    block = output.split("\n\n", 1)[0]
    lines = [line for line in block.splitlines() if not line.startswith("skipped ")]
    return {row["METRIC"]: row["VALUE"] for row in parse_table("\n".join(lines))}


@pytest.fixture
def frame(files) -> pd.DataFrame:
    return files["frame"].copy()
