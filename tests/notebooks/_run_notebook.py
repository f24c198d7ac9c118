"""Execute one notebook with nbclient and write the executed copy (a script, run as a subprocess).

``python _run_notebook.py SOURCE OUTPUT [TIMEOUT]`` runs SOURCE top to bottom in its own
directory with a fresh ``python3`` kernel of the interpreter that runs this script, keeps the
widget state (``store_widget_state=True``, as JupyterLab does when it saves a notebook) and
writes the executed notebook to OUTPUT. Errors in cells are recorded in the outputs, not
raised (``allow_errors=True``), so the tests can say which cell failed and why. It exits 0
once OUTPUT is written, whatever the cells did.

The tests start one process per notebook so the notebooks run side by side, and the Binder
test runs this same script with the Binder environment's interpreter, whose kernel is then the
one under test. The kernel inherits this process's environment (``WORKBENCH_HOME`` and
``WORKBENCH_TRUST_STORE`` point into the test's temporary directory).
"""

from __future__ import annotations

import pathlib
import sys
import time


def main(argv: list[str]) -> int:
    import nbformat
    from nbclient import NotebookClient

    source, output = pathlib.Path(argv[0]), pathlib.Path(argv[1])
    timeout = int(argv[2]) if len(argv) > 2 else 300
    nb = nbformat.read(source, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        store_widget_state=True,
        resources={"metadata": {"path": str(source.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    nb.metadata["workbench_test"] = {"seconds": round(time.perf_counter() - start, 2)}
    nbformat.write(nb, output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
