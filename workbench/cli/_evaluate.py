"""``workbench evaluate [MODEL_URI] DATA``: evaluate a model on a data file and save the run."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from typing import Any

import click

from workbench.cli import _inputs, _output, _progress
from workbench.cli._main import CONTEXT_SETTINGS, settings

__all__ = ["evaluate", "evaluation_summary"]

MODEL_TYPES = ("classifier", "regressor")
#: evaluate()'s switch for logging its result (workbench.evaluation._persist.ENV_VAR).
LOG_SWITCH = "WORKBENCH_LOG_EVALUATIONS"



@contextlib.contextmanager
def _evaluations_not_logged() -> Iterator[None]:
    """``evaluate()`` does not log inside the block (its documented switch,
    ``WORKBENCH_LOG_EVALUATIONS=0``); the command logs the result itself afterwards."""
    saved = os.environ.get(LOG_SWITCH)
    os.environ[LOG_SWITCH] = "0"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(LOG_SWITCH, None)
        else:
            os.environ[LOG_SWITCH] = saved


def _skipped_lines(skipped: dict[str, str]) -> list[str]:
    """One line per distinct reason: ``skipped a, b: reason``."""
    by_reason: dict[str, list[str]] = {}
    for name, reason in skipped.items():
        by_reason.setdefault(str(reason), []).append(str(name))
    return [
        f"skipped {_output.clean(', '.join(names), 200)}: {_output.clean(reason, 300)}"
        for reason, names in by_reason.items()
    ]


def evaluation_summary(result: Any) -> str:
    """The metric table of ``result`` and what was skipped, as printed by ``evaluate``."""
    rows = [[name, _output.number(value)] for name, value in result.metrics.items()]
    lines = [_output.table(["METRIC", "VALUE"], rows)]
    lines += _skipped_lines(dict(result.skipped))
    return "\n".join(lines)


@click.command(context_settings=CONTEXT_SETTINGS, no_args_is_help=True)
@click.argument("paths", nargs=-1, metavar="[MODEL_URI] DATA")
@click.option("--targets", metavar="COLUMN", help="The label column of DATA. Example: --targets label")
@click.option("--model-type", type=click.Choice(MODEL_TYPES), required=True,
              help="classifier or regressor. Example: --model-type classifier")
@click.option("--predictions", metavar="COLUMN",
              help="Static evaluation: the column of DATA with the model's outputs (then "
                   "MODEL_URI is left out). Example: --predictions pred")
@click.option("--name", "run_name", metavar="RUN_NAME",
              help="The name of the run the evaluation is saved as. Example: --name rf-depth7")
@click.option("--config", "config_text", metavar="JSON_OR_FILE",
              help="evaluator_config: inline JSON or a JSON/YAML file. Example: "
                   "--config '{\"pos_label\": 1}'")
@click.option("--baseline", metavar="RUN",
              help="A saved run (id, name or result directory) to compare the new result "
                   "with. Example: --baseline rf-v1")
@click.option("--no-explain", is_flag=True,
              help="Skip SHAP explanations (log_model_explainability=False).")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON object (run_id, run_name, metrics, skipped, warnings, "
                   "comparison) instead of tables.")
@click.pass_context
def evaluate(ctx: click.Context, paths: tuple[str, ...], targets: str | None, model_type: str,
             predictions: str | None, run_name: str | None, config_text: str | None,
             baseline: str | None, no_explain: bool, as_json: bool) -> None:
    """Evaluate a model on a .csv or .parquet file and save the result as a run.

    MODEL_URI is a model directory or a runs:/ or models:/ URI. The metric table and
    the run id are printed; with --baseline, also the comparison with that run.

    \b
    Examples:
      workbench evaluate ./model test.parquet --targets label --model-type classifier
      workbench evaluate runs:/<run_id>/model test.csv --targets price \\
          --model-type regressor --name gbm-v2 --baseline gbm-v1
      workbench evaluate scored.csv --targets label --predictions pred --model-type classifier

    Python twin: workbench.evaluate(model_uri, data, model_type=..., targets=...).
    """
    if len(paths) == 2:
        model_uri, data_path = paths
    elif len(paths) == 1 and predictions is not None:
        model_uri, data_path = None, paths[0]
    elif len(paths) == 1:
        raise click.UsageError(
            f"got one argument ({paths[0]!r}); expected MODEL_URI DATA, e.g. workbench evaluate "
            "./model test.csv --targets label --model-type classifier, or DATA with "
            "--predictions COLUMN for static predictions."
        )
    else:
        raise click.UsageError(
            f"got {len(paths)} arguments; expected MODEL_URI DATA (or DATA with --predictions "
            "COLUMN)."
        )
    if not os.path.isfile(data_path):
        what = "a directory" if os.path.isdir(data_path) else "no such file"
        raise click.BadParameter(
            f"{data_path!r}: {what}; expected a .csv or .parquet file.", param_hint="DATA"
        )
    config = _inputs.read_config(config_text) if config_text is not None else None
    if no_explain:
        from workbench.evaluation._evaluate import without_explanations

        config = without_explanations(config)

    import workbench
    from workbench.cli import _comparison, _resolve

    opts = settings(ctx)
    with _progress.Steps(3 + 2 * (baseline is not None), enabled=opts.progress, desc="evaluate") as steps:
        with steps.step("reading data"):
            data = _inputs.read_data(data_path)
        baseline_result = None
        if baseline is not None:
            with steps.step("loading the baseline"):
                baseline_result = _resolve.load_result(baseline)
        with steps.step("evaluating"), _evaluations_not_logged(), \
                warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = workbench.evaluate(
                model_uri, data, model_type=model_type, targets=targets,
                predictions=predictions, evaluator_config=config, dataset_path=data_path,
            )
        with steps.step("saving"):
            # Logged only once the evaluation succeeded: a bad option leaves no failed run.
            run_id = workbench.log_evaluation(result, run_name=run_name)
            run = workbench.get_run(run_id)
        comparison = None
        if baseline_result is not None:
            with steps.step("comparing"):
                new = run.info.run_name if run.info.run_name != baseline else f"{baseline} (new)"
                comparison = workbench.compare({baseline: baseline_result, new: result},
                                               baseline=baseline)

    # The result keeps the evaluation's warnings; print each once (not again as Python's).
    shown = list(result.warnings)
    shown += [str(w.message) for w in caught if str(w.message) not in shown]
    for warning in dict.fromkeys(shown):
        click.echo(f"warning: {_output.clean(warning, 400)}", err=True)
    if as_json:
        _output.echo_json({
            "run_id": run_id,
            "run_name": run.info.run_name,
            "metrics": dict(result.metrics),
            "skipped": dict(result.skipped),
            "warnings": list(result.warnings),
            "comparison": comparison.to_dict() if comparison is not None else None,
        })
        return
    click.echo(evaluation_summary(result))
    if comparison is not None:
        click.echo("")
        click.echo(_comparison.comparison_text(comparison))
    click.echo("")
    click.echo(f"Saved as run {_output.clean(run.info.run_name)} ({run_id}).")
    click.echo(f"Report: workbench report {run_id} -o report.html")
