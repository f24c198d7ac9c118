"""The ``workbench`` command: evaluate, compare, validate, report and serve from the shell.

``main`` is the click group behind the ``workbench`` console script
(``[project.scripts] workbench = "workbench.cli:main"``). Each command parses its options
and calls the public Python API; ``workbench --help`` lists the commands and the exit
codes.

Examples
--------
>>> from click.testing import CliRunner
>>> from workbench.cli import main
>>> result = CliRunner().invoke(main, ["--version"])
>>> result.exit_code, result.output.startswith("workbench ")
(0, True)
"""

from workbench.cli._main import main

__all__ = ["main"]
