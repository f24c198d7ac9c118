"""Choose at most ``max_points`` points of a curve that keep its shape.

A curve computed on a million rows has up to a million points; a stored curve has at most
:data:`MAX_POINTS`, so a result's size does not grow with the data. The points are chosen
by a vectorised largest-triangle rule over arc-length buckets:

1. the curve is scaled to the unit square and its cumulative arc length computed;
2. the interior points are split into ``max_points - 2`` buckets of equal arc length
   (so a long jump, such as the first steps of a precision-recall curve, spreads over
   several buckets and keeps its corners, where equal-count buckets would squash it);
3. in each non-empty bucket the point kept is the one forming the largest triangle with
   the centroids of the neighbouring non-empty buckets (the "largest triangle three
   buckets" rule, with centroids on both sides so that every bucket is decided at once);
4. the first and the last point are always kept.

Areas under the curve are never computed from the decimated points: callers compute them
on every row first.

Examples
--------
>>> import numpy as np
>>> x = np.linspace(0, 1, 100_001)
>>> keep = decimate_indices(x, np.sqrt(x), 1000)
>>> len(keep) <= 1000, int(keep[0]), int(keep[-1])
(True, 0, 100000)
>>> bool(np.all(np.diff(keep) > 0))
True
"""

from __future__ import annotations

import numpy as np

from workbench._exceptions import WorkbenchException

__all__ = ["MAX_POINTS", "decimate_indices", "spread_indices"]

#: Points kept per stored curve and rows per threshold table.
MAX_POINTS = 1000

# Curves longer than this many times max_points are thinned to that many candidates first.
_CANDIDATES_PER_POINT = 4
# Points per block of the arc-length pass (bounds its temporaries on long curves).
_BLOCK = 1 << 16


def _check_max_points(max_points: int) -> int:
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) \
            or max_points < 2:
        raise WorkbenchException.invalid_parameter_value(
            f"max_points must be an integer of at least 2 (both endpoints are kept), "
            f"got {max_points!r}."
        )
    return int(max_points)


def spread_indices(n: int, max_points: int = MAX_POINTS) -> np.ndarray:
    """``max_points`` indices of ``range(n)`` evenly spread, both ends included.

    Examples
    --------
    >>> spread_indices(10, 4)
    array([0, 3, 6, 9])
    >>> spread_indices(3, 10)
    array([0, 1, 2])
    """
    max_points = _check_max_points(max_points)
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, max_points)).astype(np.int64))


def _l1_arc_length(x: np.ndarray, y: np.ndarray, x_scale: float, y_scale: float) -> np.ndarray:
    """``cumsum(|diff(x)| * x_scale + |diff(y)| * y_scale)``, one block at a time.

    The only array the length of the curve is the result: the steps are made per block and
    the running sum is carried from block to block, adding in the same order as one
    ``np.cumsum`` (so the values are the same to the last bit).
    """
    m = x.shape[0] - 1
    arc = np.empty(m)
    carry = 0.0
    for i in range(0, m, _BLOCK):
        j = min(i + _BLOCK, m)
        step = np.diff(x[i : j + 1])
        np.abs(step, out=step)
        step *= x_scale
        dy = np.diff(y[i : j + 1])
        np.abs(dy, out=dy)
        dy *= y_scale
        step += dy
        if i:
            step[0] += carry
        np.cumsum(step, out=arc[i:j])
        carry = arc[j - 1]
    return arc


def decimate_indices(x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices (increasing) of at most ``max_points`` points of the curve ``(x, y)``.

    Parameters
    ----------
    x, y : ndarray, shape (n,)
        The curve's points in drawing order.
    max_points : int, default 1000
        The most points to keep; at least 2.

    Returns
    -------
    ndarray of int64
        All of ``range(n)`` when ``n <= max_points``; otherwise the first index, the last
        index and one index per non-empty arc-length bucket in between.
    """
    max_points = _check_max_points(max_points)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = x.shape[0]
    if n <= max_points:
        return np.arange(n)
    if max_points == 2:
        return np.array([0, n - 1], dtype=np.int64)
    x_lo, x_hi, y_lo, y_hi = x.min(), x.max(), y.min(), y.max()
    if not np.isfinite([x_lo, x_hi, y_lo, y_hi]).all():
        return spread_indices(n, max_points)
    x_scale = 1.0 / (x_hi - x_lo) if x_hi > x_lo else 0.0
    y_scale = 1.0 / (y_hi - y_lo) if y_hi > y_lo else 0.0

    base = None
    if n > _CANDIDATES_PER_POINT * max_points:
        # 0. a long curve is first thinned to candidates evenly spaced in (L1) arc length,
        # so the steps below run on a few thousand points instead of a million
        arc = _l1_arc_length(x, y, x_scale, y_scale)
        if not arc[-1] > 0:
            return np.array([0, n - 1], dtype=np.int64)
        targets = np.linspace(0.0, arc[-1], _CANDIDATES_PER_POINT * max_points)
        hit = np.searchsorted(arc, targets)
        # both ends of the segment each target falls on, so a jump keeps its corners
        base = np.concatenate(([0], hit, hit + 1, [n - 1]))
        base.sort()
        base = base[np.concatenate(([True], base[1:] != base[:-1])) & (base < n)]
        x, y = x[base], y[base]
        n = base.shape[0]
        if n <= max_points:
            return base

    # 1. unit square and arc length
    xs = (x - x_lo) * x_scale
    ys = (y - y_lo) * y_scale
    seg = np.hypot(np.diff(xs), np.diff(ys))
    arc = np.cumsum(seg)  # arc[i] = length from point 0 to point i + 1
    total = arc[-1]
    if not total > 0:
        keep = np.array([0, n - 1])
        return keep if base is None else base[keep]

    # 2. buckets of equal arc length over the interior points 1 .. n-2
    n_buckets = max_points - 2
    bucket = (arc[:-1] * (n_buckets / total)).astype(np.int64)
    np.clip(bucket, 0, n_buckets - 1, out=bucket)
    ix, iy = xs[1:-1], ys[1:-1]
    counts = np.bincount(bucket, minlength=n_buckets)
    filled = np.flatnonzero(counts)
    cx = np.bincount(bucket, weights=ix, minlength=n_buckets)[filled] / counts[filled]
    cy = np.bincount(bucket, weights=iy, minlength=n_buckets)[filled] / counts[filled]

    # 3. neighbours: centroid of the previous / next non-empty bucket, or the endpoints
    prev_x = np.concatenate(([xs[0]], cx[:-1]))
    prev_y = np.concatenate(([ys[0]], cy[:-1]))
    next_x = np.concatenate((cx[1:], [xs[-1]]))
    next_y = np.concatenate((cy[1:], [ys[-1]]))
    slot = np.empty(n_buckets, dtype=np.int64)
    slot[filled] = np.arange(filled.shape[0])
    j = slot[bucket]
    ax, ay = prev_x[j], prev_y[j]
    area = np.abs((ix - ax) * (next_y[j] - ay) - (next_x[j] - ax) * (iy - ay))

    # the first index of each bucket's largest area (buckets are contiguous runs)
    starts = np.concatenate(([0], np.flatnonzero(bucket[1:] != bucket[:-1]) + 1))
    best = np.maximum.reduceat(area, starts)
    lengths = np.diff(np.append(starts, bucket.shape[0]))
    hits = np.flatnonzero(area == np.repeat(best, lengths))
    first = np.concatenate(([True], bucket[hits[1:]] != bucket[hits[:-1]]))
    chosen = hits[first] + 1

    # 4. endpoints
    keep = np.concatenate(([0], chosen, [n - 1])).astype(np.int64)
    return keep if base is None else base[keep]
