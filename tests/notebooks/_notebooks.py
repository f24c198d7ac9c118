"""Shared by the notebook and Binder tests: where the demo notebooks are, how to run them side
by side, and how to read what an executed notebook shows."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping

REPO = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
RUNNER = pathlib.Path(__file__).resolve().parent / "_run_notebook.py"

#: Every demo notebook, in the order a reader meets them.
NAMES = ("quickstart", "magics", "comparing_models", "explainability", "reports", "from_mlflow")

#: An executed notebook, outputs and widget state included, stays under this size.
MAX_EXECUTED_BYTES = 3_000_000


def execute_all(names: Iterable[str], workdir: pathlib.Path, *, python: str = sys.executable,
                parallel: int = 3, timeout: int = 300) -> dict[str, pathlib.Path]:
    """Run the notebooks ``names`` from a copy in ``workdir``, ``parallel`` at a time.

    Each notebook runs in its own directory (its files land there) with its own workspace
    (``WORKBENCH_HOME``) and trust store; its kernel is ``python``'s. Returns the executed
    notebooks by name; a runner that failed outright raises with its output.
    """
    pending = list(names)
    running: dict[str, tuple[subprocess.Popen, pathlib.Path]] = {}
    done: dict[str, pathlib.Path] = {}
    failures = []
    while pending or running:
        while pending and len(running) < parallel:
            name = pending.pop(0)
            home = workdir / name
            home.mkdir(parents=True)
            source = home / f"{name}.ipynb"
            shutil.copyfile(NOTEBOOKS / f"{name}.ipynb", source)
            env = {
                **os.environ,
                "WORKBENCH_HOME": str(home / ".workspace"),
                "WORKBENCH_TRUST_STORE": str(home / "trust.sqlite"),
                "PYTHONWARNINGS": "ignore",
            }
            out = home / f"{name}.executed.ipynb"
            proc = subprocess.Popen(
                [python, str(RUNNER), str(source), str(out), str(timeout)], cwd=home, env=env,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
            running[name] = (proc, out)
        name = next(iter(running))
        proc, out = running.pop(name)
        log, _ = proc.communicate(timeout=timeout + 120)
        if proc.returncode != 0 or not out.is_file():
            failures.append(f"{name}: runner exited {proc.returncode}:\n{log[-3000:]}")
        else:
            done[name] = out
    if failures:
        raise AssertionError("\n\n".join(failures))
    return done


def code_cells(nb: Mapping) -> list:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def output_text(output: Mapping) -> str:
    """The text a reader sees for one output: stream text, or text/plain of a result."""
    if output["output_type"] == "stream":
        return output["text"]
    if output["output_type"] == "error":
        return f"{output['ename']}: {output['evalue']}"
    return str(output.get("data", {}).get("text/plain", ""))


def cell_text(cell: Mapping) -> str:
    return "".join(output_text(o) for o in cell.get("outputs", []))


def notebook_text(nb: Mapping) -> str:
    return "\n".join(cell_text(c) for c in code_cells(nb))


def errors(nb: Mapping) -> list[str]:
    """One line per error output: the cell's first source line and the exception."""
    found = []
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                first = cell["source"].splitlines()[0] if cell["source"] else ""
                found.append(f"cell {i} ({first!r}): {out['ename']}: {out['evalue'][:500]}")
    return found


def cell_with(nb: Mapping, source_fragment: str) -> Mapping:
    """The one code cell whose source contains ``source_fragment``."""
    (cell,) = [c for c in code_cells(nb) if source_fragment in c["source"]]
    return cell

