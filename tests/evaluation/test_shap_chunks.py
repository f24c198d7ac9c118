"""Fixed chunking of explained rows, the progress bar, and stacking of per-chunk values."""

from __future__ import annotations

import numpy as np

from workbench.evaluation._shap_chunks import _N_CHUNKS, _chunks, _run_chunked, _stack


def test_chunks_cover_every_row_once_in_order():
    for n in (1, 7, 19, 20, 21, 1000, 1001):
        chunks = _chunks(n)
        covered = np.concatenate([np.arange(n)[sl] for sl in chunks])
        np.testing.assert_array_equal(covered, np.arange(n))
        assert len(chunks) <= _N_CHUNKS


def test_run_chunked_returns_parts_in_order_and_bar_only_when_asked(capsys):
    seen = []
    parts = _run_chunked(lambda sl: seen.append(sl) or sl.stop - sl.start, 45, "SHAP (x)", False)
    assert sum(parts) == 45 and [s.start for s in seen] == [s.start for s in _chunks(45)]
    assert "SHAP (x)" not in capsys.readouterr().err
    _run_chunked(lambda sl: None, 45, "SHAP (x)", True, unit="tree")
    err = capsys.readouterr().err
    assert "SHAP (x)" in err and "3/45" in err and "tree/s" in err  # starts after chunk 1


def test_stack_joins_rows_and_turns_per_output_lists_into_a_last_axis():
    a, b = np.ones((2, 3)), np.zeros((1, 3))
    np.testing.assert_array_equal(_stack([a, b]), np.vstack([a, b]))
    per_output = [[np.full((2, 3), 1.0), np.full((2, 3), 2.0)], [np.full((1, 3), 3.0), np.full((1, 3), 4.0)]]
    out = _stack(per_output)
    assert out.shape == (3, 3, 2)
    np.testing.assert_array_equal(out[:, 0, :], [[1, 2], [1, 2], [3, 4]])
