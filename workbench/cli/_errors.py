"""Exit codes of the ``workbench`` command, and how an exception becomes one.

=====  ==================================================================================
code   meaning
=====  ==================================================================================
0      success
1      a validation or comparison gate failed (``validate``, ``compare --thresholds``)
2      usage error: a wrong option, argument or file given on the command line (click)
3      workbench error: a :class:`~workbench.WorkbenchException` (its message, no traceback)
4      unexpected error: from a model, a library or a bug (the message; the traceback
       with ``--debug``)
130    interrupted (Ctrl-C)
=====  ==================================================================================

Errors go to stderr as ``Error: <message>``; ``--debug`` adds the traceback before it.
"""

from __future__ import annotations

import sys
import traceback

import click

from workbench._exceptions import WorkbenchException

__all__ = ["EXIT_CODES_HELP", "GATE_FAILED", "INTERRUPTED", "OK", "UNEXPECTED", "USAGE",
           "WORKBENCH_ERROR", "exit_for"]

OK = 0
GATE_FAILED = 1
USAGE = 2
WORKBENCH_ERROR = 3
UNEXPECTED = 4
INTERRUPTED = 130

#: The epilog of ``workbench --help`` (click keeps the lines as they are after ``\b``).
EXIT_CODES_HELP = (
    "\b\nExit codes:\n"
    "  0    success\n"
    "  1    a validation or comparison gate failed (validate, compare --thresholds)\n"
    "  2    usage error: a wrong option, argument or file (see the command's --help)\n"
    "  3    workbench error: the message says what was expected and what to do\n"
    "  4    unexpected error (from a model, a library or a bug): rerun with --debug\n"
    "  130  interrupted (Ctrl-C)"
)


def _echo_error(message: str) -> None:
    click.echo(f"Error: {message}", err=True)


def exit_for(err: BaseException, debug: bool) -> int:
    """Print ``err`` to stderr the way the CLI reports it and return its exit code.

    Parameters
    ----------
    err : BaseException
        The exception a command raised (not one of click's own, which click reports).
    debug : bool
        Print the traceback too.

    Returns
    -------
    int
        :data:`WORKBENCH_ERROR`, :data:`UNEXPECTED` or :data:`INTERRUPTED`.

    Examples
    --------
    >>> from workbench import WorkbenchException
    >>> exit_for(WorkbenchException("no such run", error_code="RESOURCE_DOES_NOT_EXIST"), False)
    3
    >>> exit_for(ZeroDivisionError("division by zero"), False)
    4
    """
    if isinstance(err, KeyboardInterrupt):
        click.echo("Interrupted.", err=True)
        return INTERRUPTED
    if debug:
        traceback.print_exception(type(err), err, err.__traceback__, file=sys.stderr)
    if isinstance(err, WorkbenchException):
        _echo_error(err.message)
        return WORKBENCH_ERROR
    # Not necessarily our bug: a model's own predict() or a library can raise anything.
    where = "the traceback above shows where it came from" if debug else (
        "rerun with --debug for the traceback")
    _echo_error(
        f"unexpected {type(err).__name__}: {err} ({where}; if it points into workbench, "
        "please report it)."
    )
    return UNEXPECTED
