"""``workbench report RUN_OR_DIR... -o FILE``: one offline HTML report of one or more results."""

from __future__ import annotations

import click

from workbench.cli import _output, _progress
from workbench.cli._main import CONTEXT_SETTINGS, settings

__all__ = ["PLOTLYJS_MODES", "report"]

PLOTLYJS_MODES = ("inline", "cdn", "directory")


@click.command(context_settings=CONTEXT_SETTINGS, no_args_is_help=True)
@click.argument("sources", nargs=-1, required=True, metavar="RUN_OR_DIR...")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              metavar="FILE", help="The HTML file to write. Example: -o report.html")
@click.option("--plotlyjs", type=click.Choice(PLOTLYJS_MODES), default="inline", show_default=True,
              help="inline: plotly.js inside the file (offline); cdn: a <script> from the CDN; "
                   "directory: plotly.min.js beside the file.")
@click.option("--title", metavar="TEXT", help="The report's title. Example: --title 'Churn model, Q3'")
@click.pass_context
def report(ctx: click.Context, sources: tuple[str, ...], output: str, plotlyjs: str,
           title: str | None) -> None:
    """Write an interactive HTML report of one result, or a comparison of several.

    Each RUN_OR_DIR is a run id, a run name or a directory written by
    EvaluationResult.save. With one, the report shows that evaluation; with several, it
    compares them (the first is the baseline).

    \b
    Examples:
      workbench report rf-depth7 -o report.html
      workbench report ./eval_dir -o report.html --title "Nightly evaluation"
      workbench report rf-depth7 gbm-v2 -o compare.html --plotlyjs cdn

    Python twins: result.save_html(path), workbench.compare([...]).save_html(path).
    """
    import workbench
    from workbench.cli import _resolve

    names = list(sources)
    with _progress.Steps(2 + (len(names) > 1), enabled=settings(ctx).progress, desc="report") as steps:
        with steps.step("loading"):
            results = _resolve.load_results(names)
        if len(results) == 1:
            target = results[names[0]]
        else:
            with steps.step("comparing"):
                target = workbench.compare(results, baseline=names[0])
        with steps.step("writing"):
            path = target.save_html(output, plotlyjs=plotlyjs, title=title)
    click.echo(f"Wrote {_output.clean(str(path), 300)}")
