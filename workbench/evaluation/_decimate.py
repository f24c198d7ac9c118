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

from collections.abc import Callable, Iterable

import numpy as np

from workbench._exceptions import WorkbenchException

__all__ = ["MAX_POINTS", "decimate_blocks", "decimate_indices", "spread_indices", "take_blocks"]

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
        base = _candidates(np.searchsorted(arc, targets), n)
        x, y = x[base], y[base]
        n = base.shape[0]
        if n <= max_points:
            return base
    keep = _largest_triangles(x, y, max_points, x_lo, y_lo, x_scale, y_scale)
    return keep if base is None else base[keep]


def _candidates(hit: np.ndarray, n: int) -> np.ndarray:
    """Both ends of the segment each arc-length target falls on, and the curve's ends."""
    # both ends of the segment each target falls on, so a jump keeps its corners
    base = np.concatenate(([0], hit, hit + 1, [n - 1]))
    base.sort()
    return base[np.concatenate(([True], base[1:] != base[:-1])) & (base < n)]


def _largest_triangles(x, y, max_points, x_lo, y_lo, x_scale, y_scale) -> np.ndarray:
    """Steps 1-4 of the module docstring on a short curve: the indices kept."""
    n = x.shape[0]
    # 1. unit square and arc length
    xs = (x - x_lo) * x_scale
    ys = (y - y_lo) * y_scale
    seg = np.hypot(np.diff(xs), np.diff(ys))
    arc = np.cumsum(seg)  # arc[i] = length from point 0 to point i + 1
    total = arc[-1]
    if not total > 0:
        return np.array([0, n - 1])

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
    return np.concatenate(([0], chosen, [n - 1])).astype(np.int64)


# --------------------------------------------------------------------------- streamed curves


def take_blocks(blocks: Callable[[], Iterable[tuple]], index: np.ndarray) -> tuple:
    """The values at ``index`` (increasing) of a curve given as consecutive blocks.

    ``blocks()`` yields tuples of equal-length 1-d arrays (one per field); the result is
    one array per field holding the entries at ``index`` of the blocks' concatenation.

    Examples
    --------
    >>> parts = lambda: iter([(np.arange(3.0),), (np.arange(3.0, 5.0),)])
    >>> take_blocks(parts, np.array([1, 3, 4]))
    (array([1., 3., 4.]),)
    """
    index = np.asarray(index, dtype=np.int64)
    picked: list[list[np.ndarray]] | None = None
    offset = 0
    for part in blocks():
        if picked is None:
            picked = [[] for _ in part]
        m = part[0].shape[0]
        lo, hi = np.searchsorted(index, [offset, offset + m])
        if hi > lo:
            local = index[lo:hi] - offset
            for out, a in zip(picked, part):
                out.append(a[local])
        offset += m
        if hi == index.shape[0]:
            break
    if picked is None:
        return ()
    return tuple(np.concatenate(p) if p else np.empty(0) for p in picked)


class _Arc:
    """The L1 arc length of :func:`_l1_arc_length`, fed a block at a time (the same sums)."""

    def __init__(self, x_scale: float, y_scale: float) -> None:
        self.x_scale, self.y_scale = x_scale, y_scale
        self.carry = 0.0
        self.px = self.py = None

    def feed(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The arc length at each point of the block but the curve's first (which has none)."""
        m = x.shape[0]
        first = self.px is None
        step = np.empty(m - first)
        dy = np.empty(m - first)
        np.subtract(x[1:], x[:-1], out=step[1 - first :])  # np.diff, with the carried point
        np.subtract(y[1:], y[:-1], out=dy[1 - first :])
        if not first:
            step[0] = x[0] - self.px
            dy[0] = y[0] - self.py
        self.px, self.py = x[-1], y[-1]
        if step.shape[0] == 0:
            return step
        np.abs(step, out=step)
        step *= self.x_scale
        np.abs(dy, out=dy)
        dy *= self.y_scale
        step += dy
        step[0] += self.carry  # a sequential running sum: the same additions as one cumsum
        np.cumsum(step, out=step)
        self.carry = step[-1]
        return step


def _scales(x_lo, x_hi, y_lo, y_hi) -> tuple[float, float]:
    return (1.0 / (x_hi - x_lo) if x_hi > x_lo else 0.0,
            1.0 / (y_hi - y_lo) if y_hi > y_lo else 0.0)


def decimate_blocks(
    blocks: Callable[[], Iterable[tuple]], max_points: int = MAX_POINTS,
    observe: Callable[[tuple], None] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> tuple:
    """:func:`decimate_indices` on a curve that is never held whole: the kept points.

    ``blocks()`` yields consecutive pieces of the curve as tuples ``(x, y, *more)`` of
    equal-length arrays; it is called two or three times (one pass each), so it must give
    the same pieces every time. Only a block and a few thousand candidates exist at once.
    The points kept are those :func:`decimate_indices` keeps on the concatenated curve
    (the same arithmetic, to the last bit); the result holds every field at those points.
    ``observe``, when given, sees every block of the first pass (for exact areas and
    other sums over all points). ``bounds``, when the caller knows them, are the curve's
    ``(x_min, x_max, y_min, y_max)`` (a ROC curve's are 0 and 1): the arc length is then
    summed in the first pass, which saves one (they are checked, and a pass is added if
    they were wrong).

    Examples
    --------
    >>> x = np.linspace(0, 1, 100_001)
    >>> parts = lambda: ((x[i:i + 7000], np.sqrt(x[i:i + 7000]), x[i:i + 7000] * 2)
    ...                  for i in range(0, x.shape[0], 7000))
    >>> kx, ky, kz = decimate_blocks(parts, 1000)
    >>> keep = decimate_indices(x, np.sqrt(x), 1000)
    >>> bool(np.array_equal(kx, x[keep]) and np.array_equal(kz, 2 * x[keep]))
    True
    """
    max_points = _check_max_points(max_points)
    cap = _CANDIDATES_PER_POINT * max_points
    n = 0
    lows: list[float] = []
    highs: list[float] = []
    small: list[tuple] | None = []
    arc = None if bounds is None else _Arc(*_scales(*bounds))
    total = 0.0
    for part in blocks():
        if observe is not None:
            observe(part)
        m = part[0].shape[0]
        if m == 0:
            continue
        n += m
        x, y = part[0], part[1]
        lows += [x.min(), y.min()]
        highs += [x.max(), y.max()]
        if small is not None:
            if n <= cap:
                small.append(tuple(np.array(a) for a in part))
            else:
                small = None
        if arc is not None:
            a = arc.feed(x, y)
            if a.shape[0]:
                total = a[-1]
    if small is not None:  # short: the whole curve at once
        if not small:
            return ()
        arrays = tuple(np.concatenate(f) for f in zip(*small))
        keep = decimate_indices(arrays[0], arrays[1], max_points)
        return tuple(a[keep] for a in arrays)
    if max_points == 2:
        return take_blocks(blocks, np.array([0, n - 1], dtype=np.int64))
    x_lo, y_lo = np.min(lows[0::2]), np.min(lows[1::2])
    x_hi, y_hi = np.max(highs[0::2]), np.max(highs[1::2])
    if not np.isfinite([x_lo, x_hi, y_lo, y_hi]).all():
        return take_blocks(blocks, spread_indices(n, max_points))
    x_scale, y_scale = _scales(x_lo, x_hi, y_lo, y_hi)
    if bounds is None or tuple(bounds) != (x_lo, x_hi, y_lo, y_hi):
        arc = _Arc(x_scale, y_scale)
        for part in blocks():
            if part[0].shape[0]:
                a = arc.feed(part[0], part[1])
                if a.shape[0]:
                    total = a[-1]
    if not total > 0:
        return take_blocks(blocks, np.array([0, n - 1], dtype=np.int64))
    base, arrays = _candidate_points(blocks, n, np.linspace(0.0, total, cap), x_scale, y_scale)
    if base.shape[0] <= max_points:
        return arrays
    keep = _largest_triangles(arrays[0], arrays[1], max_points, x_lo, y_lo, x_scale, y_scale)
    return tuple(a[keep] for a in arrays)


def _candidate_points(blocks, n: int, targets: np.ndarray, x_scale: float, y_scale: float):
    """One pass: :func:`_candidates` of the arc-length ``targets`` and every field there.

    ``np.searchsorted(arc, target)`` names the segment a target falls on; both its points
    are gathered from the block at hand (or the previous block's last point).
    """
    arc = _Arc(x_scale, y_scale)
    indices: list[np.ndarray] = []
    fields: list[tuple] = []
    prev = None
    done = offset = 0
    for part in blocks():
        m = part[0].shape[0]
        if m == 0:
            continue
        a = arc.feed(part[0], part[1])
        first = m - a.shape[0]  # 1 in the curve's first block (its point 0 has no arc)
        if offset == 0:
            indices.append(np.zeros(1, dtype=np.int64))
            fields.append(tuple(f[:1] for f in part))
        if done < targets.shape[0] and a.shape[0]:
            upto = done + int(np.searchsorted(targets[done:], a[-1], side="right"))
            if upto > done:
                ends = np.searchsorted(a, targets[done:upto]) + first  # the segments' ends
                local = np.unique(np.concatenate((ends - 1, ends)))
                if local[0] < 0:  # a segment starting at the previous block's last point
                    indices.append(np.array([offset - 1]))
                    fields.append(prev)
                    local = local[1:]
                indices.append(local + offset)
                fields.append(tuple(f[local] for f in part))
                done = upto
        prev = tuple(f[-1:] for f in part)
        offset += m
    # targets past the last arc length fall on the last point (as searchsorted says)
    indices.append(np.array([n - 1]))
    fields.append(prev)
    base, first_seen = np.unique(np.concatenate(indices), return_index=True)
    return base, tuple(np.concatenate(f)[first_seen] for f in zip(*fields))
