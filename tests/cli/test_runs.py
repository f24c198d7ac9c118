"""``workbench runs list | show | delete | rebuild-index``."""

from __future__ import annotations

import pytest

from .conftest import parse_table


@pytest.fixture
def two_runs(cli, files):
    ids = {}
    for name in ("first", "second"):
        ids[name] = cli.json("evaluate", files["lr"], files["csv"], "--targets", "label",
                             "--model-type", "classifier", "--name", name, "--no-explain")["run_id"]
    return ids


def test_list_shows_runs_newest_first(cli, two_runs):
    result = cli("runs", "list")
    assert result.exit_code == 0
    rows = parse_table(result.stdout)
    assert [(r["RUN ID"], r["NAME"], r["STATUS"]) for r in rows] == [
        (two_runs["second"], "second", "FINISHED"), (two_runs["first"], "first", "FINISHED"),
    ]
    assert rows[0]["METRICS"].startswith("roc_auc=0.9") and "(+" in rows[0]["METRICS"]


def test_list_json_max_and_filter(cli, two_runs):
    listed = cli.json("runs", "list")
    assert [r["run_name"] for r in listed] == ["second", "first"]
    assert listed[0]["tags"]["workbench.evaluation"] == "1"
    assert listed[0]["metrics"]["example_count"] == 143.0
    assert [r["run_name"] for r in cli.json("runs", "list", "--max", "1")] == ["second"]
    only = cli.json("runs", "list", "--filter", "attributes.run_name = 'first'")
    assert [r["run_id"] for r in only] == [two_runs["first"]]
    none = cli("runs", "list", "--filter", "metrics.roc_auc > 2")
    assert none.output == f"No runs matching 'metrics.roc_auc > 2' in the workspace {cli.workspace}.\n"


def test_list_bad_filter_and_bad_max(cli):
    bad = cli("runs", "list", "--filter", "metrics.roc_auc >>> 1")
    assert bad.exit_code == 3 and bad.stderr.startswith("Error: ") and "Traceback" not in bad.output
    zero = cli("runs", "list", "--max", "0")
    assert zero.exit_code == 2 and "0 is not in the range x>=1" in zero.stderr


def test_show_by_name_and_id(cli, two_runs):
    by_name = cli("runs", "show", "first")
    assert by_name.exit_code == 0
    lines = by_name.stdout.splitlines()
    assert lines[0] == f"Run first ({two_runs['first']})"
    assert lines[1] == "  status      FINISHED"
    assert f"Holds an evaluation: workbench report {two_runs['first']} -o report.html" in by_name.stdout
    assert cli("runs", "show", two_runs["first"]).stdout == by_name.stdout
    shown = cli.json("runs", "show", "first")
    assert shown["run_id"] == two_runs["first"] and shown["lifecycle_stage"] == "active"
    metric_table = by_name.stdout.split("\n\n")[1]
    printed = {r["METRIC"]: r["VALUE"] for r in parse_table(metric_table)}
    from workbench.cli._output import number

    assert printed == {k: number(v) for k, v in shown["metrics"].items()}


def test_delete_then_gone_from_list_and_names(cli, two_runs):
    result = cli("runs", "delete", "second")
    assert result.exit_code == 0
    assert result.output == f"Deleted run second ({two_runs['second']}).\n"
    assert [r["run_name"] for r in cli.json("runs", "list")] == ["first"]
    gone = cli("runs", "show", "second")
    assert gone.exit_code == 3 and "No run with id or name 'second'" in gone.stderr
    by_id = cli("runs", "show", two_runs["second"])  # an id still finds a deleted run
    assert by_id.exit_code == 0 and "(deleted)" in by_id.stdout.splitlines()[1]
    again = cli("runs", "delete", "second")
    assert again.exit_code == 3


def test_rebuild_index_reports_runs_and_skips_corrupt_ones(cli, two_runs):
    cli("runs", "delete", "first")
    corrupt = cli.workspace / "runs" / ("ab" * 16)
    corrupt.mkdir()
    (corrupt / "run.json").write_text("{not json")
    out = cli.json("runs", "rebuild-index")
    assert out["workspace"] == str(cli.workspace)
    assert (out["runs"], out["active"], out["deleted"]) == (2, 1, 1)
    assert len(out["skipped"]) == 1 and str(corrupt) in out["skipped"][0]
    text = cli("runs", "rebuild-index")
    assert text.exit_code == 0
    assert text.stdout.splitlines()[0] == (
        f"Rebuilt the index of {cli.workspace}: 2 run(s) indexed (1 active, 1 deleted), 1 skipped."
    )
    assert [r["run_name"] for r in cli.json("runs", "list")] == ["second"]

