"""Decimation: bounded size, both endpoints, shape kept, vectorised."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import WorkbenchException
from workbench.evaluation._decimate import MAX_POINTS, decimate_indices, spread_indices


def _max_gap(x, y, keep):
    """Largest vertical distance between the curve and the kept polyline (x increasing)."""
    return float(np.max(np.abs(np.interp(x, x[keep], y[keep]) - y)))


def test_short_curves_are_kept_whole():
    x = np.linspace(0, 1, MAX_POINTS)
    np.testing.assert_array_equal(decimate_indices(x, x), np.arange(MAX_POINTS))


@pytest.mark.parametrize("n", [MAX_POINTS + 1, 5_000, 200_000])
def test_long_curves_keep_at_most_max_points_and_both_ends(n):
    x = np.linspace(0, 1, n)
    y = np.sqrt(x)
    keep = decimate_indices(x, y)
    assert len(keep) <= MAX_POINTS
    assert keep[0] == 0 and keep[-1] == n - 1
    assert np.all(np.diff(keep) > 0)
    assert _max_gap(x, y, keep) < 2e-3


def test_a_jump_keeps_its_corners():
    # a step: flat, a vertical jump at x = 0.5, flat; many points on each flat part
    x = np.concatenate((np.linspace(0, 0.5, 50_000), np.linspace(0.5, 1, 50_000)))
    y = np.concatenate((np.zeros(50_000), np.ones(50_000)))
    keep = decimate_indices(x, y, 100)
    assert 49_999 in keep and 50_000 in keep


def test_a_noisy_start_like_a_precision_recall_curve_keeps_its_spikes():
    rng = np.random.default_rng(0)
    recall = np.linspace(0, 1, 300_000)
    precision = 0.6 + 0.1 * np.exp(-recall * 5)
    precision[:20] = rng.choice([1.0, 0.5, 0.67], 20)  # the first thresholds jump about
    keep = decimate_indices(recall, precision)
    kept_start = precision[keep[keep < 20]]
    assert set(np.round(kept_start, 2)) >= {0.5, 1.0}


def test_non_finite_points_fall_back_to_even_spacing():
    x = np.linspace(0, 1, 5000)
    y = x.copy()
    y[10] = np.inf
    keep = decimate_indices(x, y, 100)
    assert len(keep) <= 100 and keep[0] == 0 and keep[-1] == 4999


def test_spread_indices_and_bad_max_points():
    np.testing.assert_array_equal(spread_indices(10, 4), [0, 3, 6, 9])
    with pytest.raises(WorkbenchException, match="max_points must be an integer of at least 2"):
        decimate_indices(np.arange(5.0), np.arange(5.0), 1)


def test_a_million_point_curve_goes_through_the_candidate_thinning():
    # (speed is measured by the benchmarks, never asserted here)
    x = np.linspace(0, 1, 1_000_000)
    y = x**0.3
    keep = decimate_indices(x, y)
    assert len(keep) <= MAX_POINTS and keep[0] == 0 and keep[-1] == 999_999
    assert _max_gap(x, y, keep) < 5e-3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=3000),
       st.integers(2, 50))
def test_any_curve_is_bounded_sorted_and_keeps_its_ends(ys, max_points):
    y = np.array(ys)
    x = np.arange(len(y), dtype=float)
    keep = decimate_indices(x, y, max_points)
    assert len(keep) <= max(max_points, 0) or len(y) <= max_points
    assert keep[0] == 0 and keep[-1] == len(y) - 1
    assert np.all(np.diff(keep) > 0)


def test_arc_length_blocks_do_not_change_the_points(monkeypatch):
    # the arc-length pass runs in blocks with a carried sum: the same additions in the same
    # order as one cumsum, so the chosen points do not depend on the block size
    import workbench.evaluation._decimate as dec

    rng = np.random.default_rng(5)
    x = np.sort(rng.random(20_000))
    y = rng.random(20_000)
    whole = dec.decimate_indices(x, y, 300)
    step = np.abs(np.diff(x)) * (1 / (x.max() - x.min())) + np.abs(np.diff(y)) * (1 / (y.max() - y.min()))
    monkeypatch.setattr(dec, "_BLOCK", 333)
    np.testing.assert_array_equal(dec._l1_arc_length(x, y, 1 / (x.max() - x.min()), 1 / (y.max() - y.min())),
                                  np.cumsum(step))
    np.testing.assert_array_equal(dec.decimate_indices(x, y, 300), whole)
