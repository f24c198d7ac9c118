"""Importing workbench stays light; %load_ext workbench works in a fresh IPython."""

from __future__ import annotations

import subprocess
import sys
import textwrap

HEAVY = ("IPython", "ipywidgets", "plotly", "ipykernel", "anywidget")


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_workbench_and_evaluation_loads_no_ipython_widgets_or_plotly():
    out = run(f"""
        import sys
        import workbench, workbench.evaluation
        from workbench.evaluation import EvaluationResult
        from workbench.models import SignatureDiff
        import workbench.notebook, workbench.notebook._display
        print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))
    """)
    assert out == "[]"


def test_rendering_a_result_loads_no_ipython():
    out = run(f"""
        import sys
        from workbench.evaluation import EvaluationResult
        from workbench.notebook._display import result_mimebundle
        bundle = result_mimebundle(EvaluationResult({{"roc_auc": 0.5}}, {{}}))
        print(sorted(bundle), sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))
    """)
    assert out == "['text/html', 'text/plain'] []"


def test_load_ext_workbench_in_a_fresh_ipython():
    """Needs the lazy hook ``load_ipython_extension`` in workbench/__init__.py."""
    out = run("""
        from IPython.testing.globalipapp import start_ipython
        ip = start_ipython()
        status = ip.extension_manager.load_extension("workbench")
        print(status, "workbench" in ip.extension_manager.loaded,
              ip.find_cell_magic("evaluate") is not None, ip.find_line_magic("workbench") is not None)
    """)
    assert out == "None True True True"


def test_load_ext_workbench_notebook_in_a_fresh_ipython():
    out = run("""
        from IPython.testing.globalipapp import start_ipython
        ip = start_ipython()
        status = ip.extension_manager.load_extension("workbench.notebook")
        print(status, ip.find_cell_magic("evaluate") is not None)
        ip.extension_manager.unload_extension("workbench.notebook")
        from workbench.evaluation import EvaluationResult
        data, _ = ip.display_formatter.format(EvaluationResult({}, {}))
        print(sorted(data))
    """)
    assert out.splitlines()[0] == "None True"
