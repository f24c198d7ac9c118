"""``workbench runs list | show | delete | rebuild-index``: the runs of the workspace."""

from __future__ import annotations

import datetime as _dt
import warnings
from typing import Any

import click

from workbench.cli import _output
from workbench.cli._main import CONTEXT_SETTINGS

__all__ = ["runs"]

#: Metrics shown per run by ``runs list`` (all of them with --json).
LIST_METRICS = 3
#: Tags that MLflow and workbench set themselves; ``runs show`` lists them apart.
SYSTEM_TAG_PREFIXES = ("mlflow.", "workbench.")


def _time(ms: int | None) -> str:
    if ms is None:
        return ""
    return _dt.datetime.fromtimestamp(ms / 1000, tz=_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _run_dict(run: Any) -> dict[str, Any]:
    info = run.info
    return {
        "run_id": info.run_id,
        "run_name": info.run_name,
        "status": info.status,
        "lifecycle_stage": info.lifecycle_stage,
        "start_time": info.start_time,
        "end_time": info.end_time,
        "artifact_uri": info.artifact_uri,
        "metrics": dict(run.data.metrics),
        "params": dict(run.data.params),
        "tags": dict(run.data.tags),
    }


#: Metrics ``runs list`` shows first, when a run has them (the headline of each model type).
HEADLINE_METRICS = ("roc_auc", "accuracy_score", "f1_score", "log_loss", "r2_score",
                    "root_mean_squared_error", "mean_absolute_error")


def _metrics_cell(metrics: dict[str, float]) -> str:
    order = [k for k in HEADLINE_METRICS if k in metrics] + sorted(
        k for k in metrics if k not in HEADLINE_METRICS
    )
    shown = [(k, metrics[k]) for k in order[:LIST_METRICS]]
    more = len(metrics) - len(shown)
    cell = " ".join(f"{k}={_output.number(v)}" for k, v in shown)
    return cell + (f" (+{more})" if more > 0 else "")


@click.group(context_settings=CONTEXT_SETTINGS)
def runs() -> None:
    """List, show and delete the runs of the workspace, or rebuild its index.

    \b
    Examples:
      workbench runs list --max 20
      workbench runs list --filter "metrics.roc_auc > 0.9"
      workbench runs show rf-depth7
      workbench runs delete rf-depth7
      workbench runs rebuild-index
    """


@runs.command("list", context_settings=CONTEXT_SETTINGS)
@click.option("--max", "max_results", type=click.IntRange(min=1), default=100, show_default=True,
              help="How many runs to list, newest first. Example: --max 20")
@click.option("--filter", "filter_string", default="", metavar="EXPR",
              help="MLflow's search filter. Example: --filter \"metrics.accuracy_score > 0.8 and "
                   "tags.workbench.evaluation = '1'\"")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of runs.")
def list_runs(max_results: int, filter_string: str, as_json: bool) -> None:
    """List the runs of the workspace, newest first.

    \b
    Examples:
      workbench runs list
      workbench runs list --max 5 --filter "attributes.run_name LIKE 'rf-%'" --json

    Python twin: workbench.search_runs(filter_string=..., max_results=...).
    """
    import workbench

    found = workbench.search_runs(
        filter_string=filter_string, max_results=max_results,
        order_by=["attributes.start_time DESC"], output_format="list",
    )
    if as_json:
        _output.echo_json([_run_dict(r) for r in found])
        return
    if not found:
        where = f" matching {filter_string!r}" if filter_string else ""
        click.echo(f"No runs{where} in the workspace {workbench.get_workspace()}.")
        return
    rows = [
        [r.info.run_id, r.info.run_name, r.info.status, _time(r.info.start_time),
         _metrics_cell(r.data.metrics)]
        for r in found
    ]
    click.echo(_output.table(["RUN ID", "NAME", "STATUS", "STARTED (UTC)", "METRICS"], rows))


@runs.command("show", context_settings=CONTEXT_SETTINGS)
@click.argument("run")
@click.option("--json", "as_json", is_flag=True, help="Print the run as a JSON object.")
def show_run(run: str, as_json: bool) -> None:
    """Show a run (id or name): status, metrics, params and tags.

    \b
    Examples:
      workbench runs show rf-depth7
      workbench runs show 3f9a1c0e5b7d4a2c9e8f6b1d0a3c5e7f --json

    Python twin: workbench.get_run(run_id).
    """
    from workbench.cli import _resolve

    found = _resolve.find_run(run)
    data = _run_dict(found)
    if as_json:
        _output.echo_json(data)
        return
    info = found.info
    lines = [
        f"Run {_output.clean(info.run_name)} ({info.run_id})",
        f"  status      {info.status}" + ("  (deleted)" if info.lifecycle_stage != "active" else ""),
        f"  started     {_time(info.start_time)} UTC",
        f"  ended       {_time(info.end_time) + ' UTC' if info.end_time else '-'}",
        f"  artifacts   {_output.clean(info.artifact_uri, 300)}",
    ]
    click.echo("\n".join(lines))
    for title, values in (
        ("METRIC", data["metrics"]),
        ("PARAM", data["params"]),
        ("TAG", {k: v for k, v in data["tags"].items() if not k.startswith(SYSTEM_TAG_PREFIXES)}),
    ):
        if values:
            click.echo("")
            rows = [[k, _output.number(v) if title == "METRIC" else v] for k, v in values.items()]
            click.echo(_output.table([title, "VALUE"], rows))
    if data["tags"].get("workbench.evaluation") == "1":
        click.echo("")
        click.echo(f"Holds an evaluation: workbench report {info.run_id} -o report.html")


@runs.command("delete", context_settings=CONTEXT_SETTINGS)
@click.argument("run")
def delete_run(run: str) -> None:
    """Delete a run (id or name; by name, the newest run of that name).

    The run is marked deleted, as MLflow does: it disappears from `runs list` and from
    run-name look-ups, and its files stay in the workspace.

    \b
    Example:
      workbench runs delete rf-depth7

    Python twin: workbench.delete_run(run_id).
    """
    import workbench
    from workbench.cli import _resolve

    found = _resolve.find_run(run)
    workbench.delete_run(found.info.run_id)
    click.echo(f"Deleted run {_output.clean(found.info.run_name)} ({found.info.run_id}).")


@runs.command("rebuild-index", context_settings=CONTEXT_SETTINGS)
@click.option("--json", "as_json", is_flag=True,
              help="Print {workspace, runs, active, deleted, skipped} as JSON.")
def rebuild_index(as_json: bool) -> None:
    """Rebuild the workspace's index (a cache) from its run directories.

    Corrupt run directories are skipped and named; their files are left alone.

    \b
    Example:
      workbench runs rebuild-index

    Python twin: workbench.store.rebuild_index().
    """
    import workbench
    from workbench.store import ALL, rebuild_index as rebuild

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        rebuild()
    skipped = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    for w in caught:  # anything else is not ours to swallow
        if not issubclass(w.category, RuntimeWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    indexed = workbench.search_runs(run_view_type=ALL, output_format="list")
    deleted = sum(1 for r in indexed if r.info.lifecycle_stage != "active")
    summary = {
        "workspace": str(workbench.get_workspace()),
        "runs": len(indexed),
        "active": len(indexed) - deleted,
        "deleted": deleted,
        "skipped": skipped,
    }
    if as_json:
        _output.echo_json(summary)
        return
    click.echo(
        f"Rebuilt the index of {_output.clean(summary['workspace'], 300)}: {summary['runs']} "
        f"run(s) indexed ({summary['active']} active, {summary['deleted']} deleted), "
        f"{len(skipped)} skipped."
    )
    for message in skipped:
        click.echo(f"  {_output.clean(message, 300)}")
