"""The ``workbench`` click group: global options and the mapping of errors to exit codes.

The CLI only parses and calls the public Python API (DESIGN.md section 9); each command
module (``_evaluate``, ``_runs``, ``_compare``, ``_report``, ``_validate``, ``_models``)
imports the heavy parts of workbench inside its command, so ``workbench --help`` is quick.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import click

from workbench import __version__
from workbench.cli import _errors, _progress

__all__ = ["CONTEXT_SETTINGS", "Settings", "WorkbenchGroup", "main", "settings"]

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["--help"], "max_content_width": 100}


@dataclasses.dataclass
class Settings:
    """The global options, kept in ``ctx.obj`` for the commands."""

    debug: bool = False
    quiet: bool = False

    @property
    def progress(self) -> bool:
        """Whether the commands draw progress bars (see ``_progress.progress_wanted``)."""
        return _progress.progress_wanted(self.quiet)


def settings(ctx: click.Context) -> Settings:
    """The :class:`Settings` of this invocation (defaults when a command runs on its own)."""
    obj = ctx.find_object(Settings)
    return obj if obj is not None else Settings()


class WorkbenchGroup(click.Group):
    """A click group that turns exceptions into the documented exit codes (``_errors``).

    click's own errors keep click's handling (usage errors exit 2); a
    :class:`~workbench.WorkbenchException` exits 3 with its message only, anything else
    exits 4; ``--debug`` prints the traceback first.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except (SystemExit, GeneratorExit):
            raise
        except BaseException as err:  # KeyboardInterrupt included: it exits 130
            debug = bool(ctx.params.get("debug")) or settings(ctx).debug
            code = _errors.exit_for(err, debug)
            raise click.exceptions.Exit(code) from None


@click.group(
    "workbench",
    cls=WorkbenchGroup,
    context_settings=CONTEXT_SETTINGS,
    epilog=_errors.EXIT_CODES_HELP,
)
@click.option("--debug", is_flag=True, help="Print the traceback of an error (for bug reports).")
@click.option("--workspace", type=click.Path(file_okay=False), metavar="PATH",
              help="The workspace directory to use (default: $WORKBENCH_HOME, else ./.workbench). "
                   "Example: --workspace ~/experiments/.workbench")
@click.option("--quiet", "-q", is_flag=True,
              help="No progress bars (they are also off when the output is not a terminal).")
@click.version_option(__version__, "--version", prog_name="workbench", message="%(prog)s %(version)s")
@click.pass_context
def main(ctx: click.Context, debug: bool, workspace: str | None, quiet: bool) -> None:
    """Evaluate, compare, validate, report on and serve models from the shell.

    The same engine as `import workbench` and the %workbench magics in Jupyter:
    results are saved as runs in the workspace, and every command takes run ids or
    run names.

    \b
    Examples:
      workbench evaluate ./model data.csv --targets label --model-type classifier --name rf-v1
      workbench runs list
      workbench compare rf-v1 gbm-v2 -o compare.html
      workbench validate gbm-v2 --baseline rf-v1 --thresholds gates.yaml
      workbench report rf-v1 -o report.html
      workbench models serve -m ./model -p 5000

    Run `workbench COMMAND --help` for the options of each command, with examples.
    """
    ctx.obj = Settings(debug=debug, quiet=quiet)
    if quiet:
        ctx.with_resource(_progress.silence_library_bars())
    if workspace is not None:
        import workbench

        workbench.set_workspace(workspace)
        # set_workspace is process-wide: undo it when a caller runs main() in-process.
        ctx.call_on_close(lambda: workbench.set_workspace(None))


def _register() -> None:
    from workbench.cli import _compare, _evaluate, _models, _report, _runs, _validate

    main.add_command(_evaluate.evaluate)
    main.add_command(_runs.runs)
    main.add_command(_compare.compare)
    main.add_command(_report.report)
    main.add_command(_validate.validate)
    main.add_command(_models.models)


_register()
