"""``workbench compare RUN RUN...``: metric deltas with confidence intervals, gates, a report."""

from __future__ import annotations

import click

from workbench.cli import _errors, _inputs, _output, _progress
from workbench.cli._main import CONTEXT_SETTINGS, settings

__all__ = ["compare"]


@click.command(context_settings=CONTEXT_SETTINGS, no_args_is_help=True)
@click.argument("sources", nargs=-1, required=True, metavar="RUN RUN...")
@click.option("--baseline", metavar="RUN",
              help="The run the others are compared with (default: the first); added in "
                   "front when it is not among RUN... Example: --baseline rf-v1")
@click.option("--thresholds", "thresholds_path", type=click.Path(exists=True, dir_okay=False),
              metavar="FILE",
              help="Gates (JSON or YAML, as for `workbench validate`) checked for each run "
                   "against the baseline; exit 1 when one fails. Example: --thresholds gates.yaml")
@click.option("--n-resamples", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Bootstrap resamples for the confidence intervals. Example: --n-resamples 2000")
@click.option("--confidence", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.95, show_default=True, help="Confidence level of the intervals.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON (to_dict()).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write an interactive HTML report. Example: -o compare.html")
@click.pass_context
def compare(ctx: click.Context, sources: tuple[str, ...], baseline: str | None,
            thresholds_path: str | None, n_resamples: int, confidence: float, seed: int,
            as_json: bool, output: str | None) -> None:
    """Compare saved evaluations: metric deltas with paired bootstrap confidence intervals.

    Each RUN is a run id, a run name or a result directory. When the results share
    their dataset, the intervals come from a paired bootstrap over the same rows.

    \b
    Examples:
      workbench compare rf-v1 gbm-v2
      workbench compare rf-v1 gbm-v2 gbm-v3 --baseline gbm-v2 -o compare.html
      workbench compare rf-v1 gbm-v2 --thresholds gates.yaml --json

    Python twin: workbench.compare([...], baseline=..., thresholds=...).
    """
    import workbench
    from workbench.cli import _comparison, _resolve

    names = list(sources)
    if baseline is not None and baseline not in names:
        names.insert(0, baseline)
    if len(names) < 2:
        raise click.UsageError(
            f"got one run ({names[0]!r}); compare needs two or more, e.g. workbench compare "
            "rf-v1 gbm-v2. To look at one run, use workbench runs show RUN or workbench report."
        )
    baseline = baseline if baseline is not None else names[0]
    thresholds = _inputs.read_thresholds(thresholds_path) if thresholds_path else None
    with _progress.Steps(2 + (output is not None), enabled=settings(ctx).progress,
                         desc="compare") as steps:
        with steps.step("loading"):
            results = _resolve.load_results(names)
        with steps.step("comparing"):
            comparison = workbench.compare(
                results, baseline=baseline, thresholds=thresholds,
                n_resamples=n_resamples, confidence=confidence, seed=seed,
            )
        path = None
        if output is not None:
            with steps.step("writing the report"):
                path = comparison.save_html(output)
    if as_json:
        _output.echo_json(comparison.to_dict())
    else:
        click.echo(_comparison.comparison_text(comparison))
        if path is not None:
            click.echo(f"\nWrote {_output.clean(str(path), 300)}")
    if _comparison.gates_failed(comparison):
        raise click.exceptions.Exit(_errors.GATE_FAILED)
