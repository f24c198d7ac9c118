"""RUN and RUN_OR_DIR arguments: ids, names, result directories, and what wins."""

from __future__ import annotations

import os

import pytest

from .conftest import copy_result_dir


def test_run_by_id_and_by_name_are_the_same(evaluated):
    by_name = evaluated.json("runs", "show", "lr")
    by_id = evaluated.json("runs", "show", evaluated.run_ids["lr"])
    assert by_name == by_id


def test_a_result_directory_wins_over_a_run_of_the_same_name(evaluated, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    copy_result_dir(evaluated, evaluated.run_ids["stump"], tmp_path / "lr")  # ./lr holds stump's result
    out = evaluated.json("compare", "lr", "stump")
    assert out["models"]["lr"]["model_class"].endswith("DecisionTreeClassifier")


def test_a_model_directory_does_not_hide_a_run(evaluated, files, tmp_path, monkeypatch):
    monkeypatch.chdir(files["root"])  # ./lr and ./stump are model directories here
    assert os.path.isdir("lr")
    out = evaluated.json("compare", "lr", "stump")
    assert out["models"]["lr"]["model_class"].endswith("LogisticRegression")


def test_a_directory_that_is_not_a_result_says_so(evaluated, tmp_path):
    empty = tmp_path / "not-a-result"
    empty.mkdir()
    result = evaluated("report", empty, "-o", tmp_path / "r.html")
    assert result.exit_code == 3
    assert f"'{empty}' is a directory, but not a saved evaluation result (it has no metrics.json)" in result.stderr


@pytest.mark.parametrize("command", [["runs", "show"], ["runs", "delete"]])
def test_unknown_runs_name_the_workspace_and_how_to_list(cli, command):
    result = cli(*command, "ghost")
    assert result.exit_code == 3
    assert result.stderr == (f"Error: No run with id or name 'ghost' in the workspace {cli.workspace}. "
                             "List the runs with `workbench runs list`.\n")
