"""The atomic directory swap used when a saved result is replaced (``_atomic_dir``).

Saving through it (staging, fsync, rename, the two-rename fallback) is tested with
``EvaluationResult.save`` in ``test_result.py``.
"""

import sys

import pytest

from workbench.evaluation import _atomic_dir


def test_exchange_swaps_two_directories(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x").write_text("b")
    if not sys.platform.startswith("linux"):
        # no renameat2: the caller's two-rename fallback is asked for, nothing is touched
        assert _atomic_dir._exchange(tmp_path / "a", tmp_path / "b") is False
        assert (tmp_path / "a" / "x").read_text() == "a"
        return
    assert _atomic_dir._exchange(tmp_path / "a", tmp_path / "b") is True
    assert (tmp_path / "a" / "x").read_text() == "b" and (tmp_path / "b" / "x").read_text() == "a"
    with pytest.raises(FileNotFoundError):
        _atomic_dir._exchange(tmp_path / "a", tmp_path / "missing")
