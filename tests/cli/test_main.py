"""The ``workbench`` group: help everywhere, version, exit codes, --debug, --workspace, --quiet."""

from __future__ import annotations

import os

import click
import pytest
from click.testing import CliRunner

import workbench
from workbench.cli import _resolve, main


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


ALL_COMMANDS = [path for path, _ in _commands(main)]


def test_every_command_is_there():
    assert set(ALL_COMMANDS) >= {
        ("evaluate",), ("runs",), ("runs", "list"), ("runs", "show"), ("runs", "delete"),
        ("runs", "rebuild-index"), ("compare",), ("report",), ("validate",), ("models",),
        ("models", "serve"), ("models", "predict"), ("models", "prepare-env"),
        ("models", "generate-dockerfile"), ("models", "build-docker"),
    }


def test_top_level_help_lists_commands_and_exit_codes():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("evaluate", "runs", "compare", "report", "validate", "models"):
        assert f"  {name} " in result.output
    for line in ("0    success", "1    a validation or comparison gate failed",
                 "2    usage error", "3    workbench error", "4    unexpected error", "130  interrupted"):
        assert line in result.output
    for option in ("--debug", "--workspace", "--quiet", "--version"):
        assert option in result.output


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: workbench {' '.join(path)} ")
    assert "Example" in result.output


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"workbench {workbench.__version__}"


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(main, ["evaluat"])
    assert result.exit_code == 2
    assert "No such command 'evaluat'" in result.output
    assert "Did you mean one of: 'evaluate', 'validate'?" in result.output
    assert result.output.startswith("Usage: workbench [OPTIONS] COMMAND [ARGS]...")


def test_workbench_error_exits_3_with_the_message_only(cli):
    result = cli("runs", "show", "no-such-run")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: No run with id or name 'no-such-run' in the workspace {cli.workspace}. "
        "List the runs with `workbench runs list`.\n"
    )
    assert "Traceback" not in result.output


def test_debug_prints_the_traceback_first(cli):
    result = cli("--debug", "runs", "show", "no-such-run", workspace=False)
    assert result.exit_code == 3
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "workbench._exceptions.WorkbenchException: No run with id or name 'no-such-run'" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("Error: No run with id or name")


def test_unexpected_error_exits_4_and_asks_for_debug(cli, monkeypatch):
    def broken(text):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(_resolve, "find_run", broken)
    result = cli("runs", "show", "x")
    assert result.exit_code == 4
    assert result.stderr == (
        "Error: unexpected ZeroDivisionError: division by zero (rerun with --debug for the "
        "traceback; if it points into workbench, please report it).\n"
    )
    debug = cli("--debug", "runs", "show", "x")
    assert debug.exit_code == 4
    assert debug.stderr.startswith("Traceback (most recent call last)")
    assert 'raise ZeroDivisionError("division by zero")' in debug.stderr
    assert debug.stderr.rstrip().endswith(
        "(the traceback above shows where it came from; if it points into workbench, please report it)."
    )


def test_ctrl_c_exits_130(cli, monkeypatch):
    def interrupted(text):
        raise KeyboardInterrupt

    monkeypatch.setattr(_resolve, "find_run", interrupted)
    result = cli("runs", "show", "x")
    assert result.exit_code == 130
    assert result.stderr == "Interrupted.\n"


def test_workspace_option_is_used_then_reset(cli, tmp_path):
    before = workbench.get_workspace()
    result = cli("runs", "list")
    assert result.exit_code == 0
    assert result.output == f"No runs in the workspace {cli.workspace}.\n"
    assert workbench.get_workspace() == before


def test_quiet_silences_library_bars_for_the_command_only(cli, monkeypatch):
    seen = {}

    def spy(text):
        seen["TQDM_DISABLE"] = os.environ.get("TQDM_DISABLE")
        return _real(text)

    _real = _resolve.find_run
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.setattr(_resolve, "find_run", spy)
    cli("--quiet", "runs", "show", "x")
    assert seen["TQDM_DISABLE"] == "1"
    assert "TQDM_DISABLE" not in os.environ
    cli("runs", "show", "x")
    assert seen["TQDM_DISABLE"] is None


def test_help_is_quick_to_import():
    """`workbench --help` imports click and workbench's front door, not the numeric stack."""
    import subprocess
    import sys

    code = (
        "import sys, workbench.cli; "
        "heavy = {'numpy', 'pandas', 'sklearn', 'tqdm', 'IPython', 'plotly', 'fastapi', 'mlflow'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
