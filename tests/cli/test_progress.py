"""Progress bars: drawn only where someone watches, silenced by --quiet."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from workbench.cli import _progress


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_steps_draw_each_step_name_when_enabled():
    out = io.StringIO()
    with _progress.Steps(3, enabled=True, desc="report", file=out, delay=0) as steps:
        for name in ("loading", "comparing", "writing"):
            with steps.step(name):
                pass
    text = out.getvalue()
    assert "report:" in text
    for name in ("loading", "comparing"):
        assert name in text


def test_steps_draw_nothing_before_the_delay():
    out = io.StringIO()
    with _progress.Steps(2, enabled=True, desc="evaluate", file=out, delay=60) as steps:
        with steps.step("reading data"):
            pass
    assert out.getvalue().strip() == ""


def test_a_long_step_is_shown_while_it_runs():
    """tqdm redraws only on update(); the ticker shows a step that runs past the delay."""
    import time

    out = io.StringIO()
    with _progress.Steps(2, enabled=True, desc="evaluate", file=out, delay=0.2) as steps:
        with steps.step("evaluating"):
            time.sleep(1.0)
            during = out.getvalue()
    assert "evaluate:" in during and "evaluating" in during and "0/2" in during


def test_disabled_steps_still_run_the_blocks():
    ran = []
    with _progress.Steps(1, enabled=False, desc="x") as steps:
        with steps.step("one"):
            ran.append(1)
    assert ran == [1]


def test_progress_wanted_needs_two_terminals_and_no_quiet(monkeypatch):
    monkeypatch.setattr(sys, "stdout", _Tty())
    monkeypatch.setattr(sys, "stderr", _Tty())
    assert _progress.progress_wanted(quiet=False) is True
    assert _progress.progress_wanted(quiet=True) is False
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # piped output: no bars
    assert _progress.progress_wanted(quiet=False) is False


def test_silence_library_bars_restores_the_variable(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "0")
    with _progress.silence_library_bars():
        assert os.environ["TQDM_DISABLE"] == "1"
    assert os.environ["TQDM_DISABLE"] == "0"
    monkeypatch.delenv("TQDM_DISABLE")
    with _progress.silence_library_bars():
        pass
    assert "TQDM_DISABLE" not in os.environ


def test_quiet_reaches_tqdm_in_a_real_process(tmp_path):
    """tqdm reads TQDM_DISABLE once, at import: the CLI must not import it before --quiet."""
    code = (
        "import sys\n"
        "import workbench.cli\n"
        "assert 'tqdm' not in sys.modules, 'workbench.cli imports tqdm'\n"
        "from workbench.cli import _progress\n"
        "with _progress.silence_library_bars():\n"
        "    from tqdm.auto import tqdm\n"
        "    print(tqdm(total=1).disable)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "WORKBENCH_HOME": str(tmp_path)})
    assert out.stdout.strip() == "True"
