"""Rankings: whole (``rank_scores``) and in blocks (``SortedCells``, ``CountRanking``) agree.

Blocks as small as one distinct score put the edges inside runs of tied scores; the
blocks must still never split a run, and give exactly the whole ranking's arrays.
"""

import numpy as np
import pytest

import workbench.evaluation._ranking as ranking
from workbench.evaluation._ranking import (
    CountRanking,
    SortedCells,
    rank_one_vs_rest,
    rank_scores,
    sorted_cells,
    sorted_scores,
)


def _data(n, seed=0, decimals=None):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    s = np.clip(0.25 * y + rng.normal(0.4, 0.2, n), 0, 1)
    if decimals is not None:
        s = np.round(s, decimals)
    return y, s


@pytest.mark.parametrize("block", [1, 3, 7, 64])
@pytest.mark.parametrize("decimals", [None, 2, 1])
def test_sorted_scores_blocks_are_the_ranking(monkeypatch, block, decimals):
    monkeypatch.setattr(ranking, "_BLOCK", block)
    y, s = _data(400, seed=block, decimals=decimals)
    expected = rank_scores(y, s)
    src = sorted_scores(y, s)
    assert isinstance(src, SortedCells) and src.size == expected.size
    assert (src.n_pos, src.n_neg, src.n_total) == (expected.n_pos, expected.n_neg, 400)
    assert src.materialize() == expected
    counts = src.compact()
    assert isinstance(counts, CountRanking) and counts.tps.dtype == np.int32
    for descending in (True, False):
        got = [np.concatenate(f) for f in zip(*counts.blocks(descending))]
        want = [np.concatenate(f) for f in zip(*expected.blocks(descending))]
        for a, b in zip(got, want):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(want[0], expected.thresholds[:: 1 if descending else -1])


@pytest.mark.parametrize("block", [2, 5, 1 << 14])
def test_sorted_cells_is_the_one_vs_rest_ranking(monkeypatch, block):
    monkeypatch.setattr(ranking, "_BLOCK", block)
    rng = np.random.default_rng(1)
    scores = np.round(rng.dirichlet(np.ones(4), size=300), 2)
    codes = rng.integers(0, 4, 300)
    assert sorted_cells(scores, codes).materialize() == rank_one_vs_rest(scores, codes)
