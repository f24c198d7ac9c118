"""Rankings: the true and false positives at each distinct score, whole or in blocks.

Every curve of a binary classifier (:mod:`._curves`) comes from one ranking of its scores.
:func:`rank_scores` sorts the scores once and accumulates the (weighted) true and false
positives at each distinct score, ties handled exactly as scikit-learn's
``confusion_matrix_at_thresholds`` does (zero-weight rows dropped, tied scores one
threshold); :func:`rank_one_vs_rest` is the same over every cell of a score matrix (the
micro average), without a one-hot matrix. Both return a :class:`Ranking`: four arrays the
length of the distinct scores.

A ranking need not be held whole. Without weights, :func:`sorted_scores` and
:func:`sorted_cells` keep the scores sorted once and where each positive falls
(:class:`SortedCells`, about 10 bytes a score), and :meth:`SortedCells.compact` keeps the
counts as int32 (:class:`CountRanking`, 16 bytes a distinct score). Every ranking has
``blocks()``: its thresholds, true and false positives and rows at or above, ``_BLOCK``
distinct scores at a time (a run of tied scores is never split), highest score first or
last; the curves read nothing else.

Examples
--------
>>> import numpy as np
>>> r = rank_scores(np.array([True, False, True, False]), np.array([0.9, 0.8, 0.8, 0.1]))
>>> r.thresholds, r.tps, r.fps
(array([0.9, 0.8, 0.1]), array([1., 2., 2.]), array([0., 1., 2.]))
>>> [t.tolist() for t, _, _, _ in sorted_scores(np.array([True, False, True, False]),
...                                             np.array([0.9, 0.8, 0.8, 0.1])).blocks()]
[[0.9, 0.8, 0.1]]
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = [
    "CountRanking",
    "Ranking",
    "SortedCells",
    "rank_one_vs_rest",
    "rank_scores",
    "sorted_cells",
    "sorted_scores",
]

# Distinct scores per block of a ranking (a block's temporaries are a few of its length).
_BLOCK = 1 << 14


@dataclasses.dataclass(frozen=True)
class Ranking:
    """Weighted positives and negatives at each distinct score, highest score first.

    ``tps[i]`` / ``fps[i]`` are the (weighted) positives / negatives whose score is
    ``>= thresholds[i]``; ``n_rows[i]`` the number of rows (unweighted) at or above it.
    ``n_total`` counts the rows kept (rows of weight 0 are dropped, as scikit-learn does).
    """

    thresholds: np.ndarray
    tps: np.ndarray
    fps: np.ndarray
    n_rows: np.ndarray
    n_total: int

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ranking):
            return NotImplemented
        return self.n_total == other.n_total and all(
            a.dtype == b.dtype and np.array_equal(a, b)
            for a, b in ((self.thresholds, other.thresholds), (self.tps, other.tps),
                         (self.fps, other.fps), (self.n_rows, other.n_rows)))

    __hash__ = None  # type: ignore[assignment]

    @property
    def n_pos(self) -> float:
        return float(self.tps[-1]) if self.tps.size else 0.0

    @property
    def n_neg(self) -> float:
        return float(self.fps[-1]) if self.fps.size else 0.0

    @property
    def size(self) -> int:
        """The number of distinct scores (points of the ranking)."""
        return int(self.thresholds.shape[0])

    def blocks(self, descending: bool = True):
        """``(thresholds, tps, fps, n_rows)`` a block at a time, highest score first (or last).

        The interface every curve below reads (:class:`SortedCells` has it too).
        """
        m = self.size
        starts = range(0, m, _BLOCK)
        if descending:
            for i in starts:
                j = min(i + _BLOCK, m)
                yield self.thresholds[i:j], self.tps[i:j], self.fps[i:j], self.n_rows[i:j]
        else:
            for i in reversed(starts):
                j = min(i + _BLOCK, m)
                yield (self.thresholds[i:j][::-1], self.tps[i:j][::-1], self.fps[i:j][::-1],
                       self.n_rows[i:j][::-1])


class SortedCells:
    """The unweighted :class:`Ranking` of scores without its per-threshold arrays.

    A ranking of ``n`` distinct scores holds four arrays of ``n`` numbers; this holds the
    scores sorted once (ascending) and, for each positive, the index of the first sorted
    score equal to it (int32 when there are fewer than 2**31 scores). :meth:`blocks` makes
    the ranking's thresholds, counts and rows a block at a time (block edges fall between
    distinct scores, so ties are never split), so a curve is computed and decimated in
    passes over blocks and never held whole. Build one with :func:`sorted_scores` (a binary
    classifier) or :func:`sorted_cells` (every cell of a score matrix, the micro average).

    Examples
    --------
    >>> r = sorted_scores(np.array([True, False, True, False]), np.array([0.9, 0.8, 0.8, 0.1]))
    >>> r.size, r.n_pos, r.n_neg, r.n_total
    (3, 2.0, 2.0, 4)
    >>> r.materialize() == rank_scores(np.array([True, False, True, False]),
    ...                                np.array([0.9, 0.8, 0.8, 0.1]))
    True
    """

    def __init__(self, cells: np.ndarray, positions: np.ndarray) -> None:
        self.cells = cells
        self.positions = positions
        self.n_total = int(cells.shape[0])
        self._ranges: list[tuple[int, int]] | None = None
        self._size: int | None = None

    @property
    def n_pos(self) -> float:
        return float(self.positions.shape[0])

    @property
    def n_neg(self) -> float:
        return float(self.n_total - self.positions.shape[0])

    def _cell_ranges(self) -> list[tuple[int, int]]:
        """Ascending ``[a, b)`` ranges of about ``_BLOCK`` cells, cut between distinct scores."""
        if self._ranges is None:
            cells, n = self.cells, self.n_total
            ranges, a = [], 0
            while a < n:
                b = a + _BLOCK
                if b >= n:
                    b = n
                else:
                    b = int(np.searchsorted(cells, cells[b], side="left"))  # its run's start
                    if b <= a:  # one run longer than a block: the block is the run
                        b = int(np.searchsorted(cells, cells[a], side="right"))
                ranges.append((a, b))
                a = b
            self._ranges = ranges
        return self._ranges

    def _block(self, a: int, b: int):
        """Thresholds, tps, fps and n_rows of the distinct scores in cells ``[a, b)``, ascending."""
        c = self.cells[a:b]
        positions = self.positions
        key = positions.dtype.type
        lo, hi = np.searchsorted(positions, (key(a), key(b)))  # the positives in [a, b)
        # each positive sits at its run's first cell: positives per cell, read at run starts
        run_pos = np.bincount(positions[lo:hi] - key(a), minlength=b - a)
        tied = c[1:] == c[:-1]
        if tied.any():
            starts = np.flatnonzero(~tied)
            starts += 1
            starts = np.concatenate(([0], starts))
            thr = c[starts]
            run_pos = run_pos[starts]
        else:  # no ties in the block (the rule with continuous scores): every cell a run
            starts = np.arange(b - a)
            thr = c
        below = np.cumsum(run_pos)
        below -= run_pos
        below += lo  # positives with a score below each threshold
        tps = np.subtract(positions.shape[0], below, dtype=np.float64)
        starts += a
        n_rows = np.subtract(self.n_total, starts, out=starts)
        fps = n_rows - tps
        return thr, tps, fps, n_rows

    def blocks(self, descending: bool = True):
        """``(thresholds, tps, fps, n_rows)`` a block at a time, as :meth:`Ranking.blocks`."""
        ranges = self._cell_ranges()
        if descending:
            for a, b in reversed(ranges):
                yield tuple(v[::-1] for v in self._block(a, b))
        else:
            for a, b in ranges:
                yield self._block(a, b)

    @property
    def size(self) -> int:
        """The number of distinct scores."""
        if self._size is None:
            self._size = sum(
                int(np.count_nonzero(self.cells[a + 1 : b] != self.cells[a : b - 1])) + 1
                for a, b in self._cell_ranges())
        return self._size

    def compact(self) -> CountRanking:
        """The ranking's arrays, with counts in int32 when they fit (one pass).

        Faster to read than :class:`SortedCells` (a block is a few slices), at 16 bytes
        per distinct score instead of about 10 per score.
        """
        m = self.size
        dtype = np.int32 if self.n_total < 2**31 else np.int64
        thr = np.empty(m)
        tps = np.empty(m, dtype=dtype)
        n_rows = np.empty(m, dtype=dtype)
        i = 0
        for t, p, _, r in self.blocks():
            j = i + t.shape[0]
            thr[i:j], tps[i:j], n_rows[i:j] = t, p, r
            i = j
        return CountRanking(thr, tps, n_rows, self.n_total)

    def materialize(self) -> Ranking:
        """The whole :class:`Ranking` (for tests and small data)."""
        parts = list(zip(*self.blocks()))
        if not parts:
            empty = np.empty(0)
            return Ranking(empty, empty, empty, np.empty(0, dtype=np.int64), 0)
        thr, tps, fps, n_rows = (np.concatenate(p) for p in parts)
        return Ranking(thr, tps, fps, n_rows, self.n_total)


class CountRanking:
    """An unweighted :class:`Ranking` with integer counts (see :meth:`SortedCells.compact`)."""

    def __init__(self, thresholds: np.ndarray, tps: np.ndarray, n_rows: np.ndarray,
                 n_total: int) -> None:
        self.thresholds, self.tps, self.n_rows = thresholds, tps, n_rows
        self.n_total = int(n_total)

    @property
    def size(self) -> int:
        return int(self.thresholds.shape[0])

    @property
    def n_pos(self) -> float:
        return float(self.tps[-1]) if self.size else 0.0

    @property
    def n_neg(self) -> float:
        return float(self.n_rows[-1] - self.tps[-1]) if self.size else 0.0

    def blocks(self, descending: bool = True):
        """``(thresholds, tps, fps, n_rows)`` a block at a time, as :meth:`Ranking.blocks`."""
        m = self.size
        starts = range(0, m, _BLOCK) if descending else reversed(range(0, m, _BLOCK))
        for i in starts:
            j = min(i + _BLOCK, m)
            sl = slice(i, j) if descending else slice(j - 1, i - 1 if i else None, -1)
            tps = self.tps[sl].astype(np.float64)
            n_rows = self.n_rows[sl].astype(np.int64)
            yield self.thresholds[sl], tps, n_rows - tps, n_rows


def _positions(cells: np.ndarray, positives: np.ndarray) -> np.ndarray:
    """Index of the first cell equal to each (sorted) positive score, in a compact dtype."""
    dtype = np.int32 if cells.shape[0] < 2**31 else np.int64
    out = np.empty(positives.shape[0], dtype=dtype)
    for i in range(0, positives.shape[0], _BLOCK):
        out[i : i + _BLOCK] = np.searchsorted(cells, positives[i : i + _BLOCK], side="left")
    return out


def sorted_scores(y_pos: np.ndarray, score: np.ndarray) -> SortedCells:
    """The unweighted ranking of ``score`` as :class:`SortedCells` (see :func:`rank_scores`)."""
    score = np.asarray(score, dtype=np.float64)
    y_pos = np.asarray(y_pos, dtype=bool)
    cells = np.sort(score)
    positives = score[y_pos]
    positives.sort()
    return SortedCells(cells, _positions(cells, positives))


def sorted_cells(scores: np.ndarray, codes: np.ndarray) -> SortedCells:
    """The micro-average ranking (:func:`rank_one_vs_rest`, unweighted) as :class:`SortedCells`.

    Examples
    --------
    >>> s = np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
    >>> sorted_cells(s, np.array([0, 2])).materialize() == rank_one_vs_rest(s, np.array([0, 2]))
    True
    """
    scores = np.asarray(scores, dtype=np.float64)
    n = scores.shape[0]
    cells = np.sort(scores, axis=None)
    positives = scores[np.arange(n), np.asarray(codes)]
    positives.sort()
    return SortedCells(cells, _positions(cells, positives))


def rank_scores(
    y_pos: np.ndarray, score: np.ndarray, sample_weight: np.ndarray | None = None
) -> Ranking:
    """Sort ``score`` once and accumulate positives and negatives at each distinct score.

    Parameters
    ----------
    y_pos : ndarray of bool, shape (n,)
        True where the row belongs to the positive class.
    score : ndarray of float, shape (n,)
        Finite scores; higher means more likely positive.
    sample_weight : ndarray of float, shape (n,), optional
        Row weights; rows of weight 0 are dropped first (as scikit-learn does).

    Returns
    -------
    Ranking
    """
    score = np.asarray(score, dtype=np.float64)
    y_pos = np.asarray(y_pos, dtype=bool)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        keep = sample_weight != 0
        if not keep.all():
            y_pos, score, sample_weight = y_pos[keep], score[keep], sample_weight[keep]
    n = score.shape[0]
    if n == 0:
        empty = np.empty(0)
        return Ranking(empty, empty, empty, np.empty(0, dtype=np.int64), 0)
    if sample_weight is None:
        # Counts do not depend on the order of tied rows. Sorting values (SIMD) is several
        # times faster than argsort, so the positives and negatives are sorted apart and
        # merged by a stable argsort, which sees two sorted runs and merges them in one pass.
        # Temporaries are released as soon as they are used (at a million rows each is
        # 8 MB, and fresh pages cost page faults): sorts in place, per-run counts with
        # reduceat instead of a cumulative sum over every row.
        pos = score[y_pos]
        pos.sort()
        n_pos = pos.shape[0]
        neg = score[~y_pos]
        neg.sort()
        both = np.concatenate((pos, neg))
        del pos, neg
        merge = np.argsort(both, kind="stable")
        s_asc = both[merge]
        del both
        is_pos = merge < n_pos
        del merge
        # first row of each run of equal scores (ascending)
        change = s_asc[1:] != s_asc[:-1]
        starts = np.flatnonzero(change)
        del change
        starts += 1
        starts = np.concatenate(([0], starts))
        thresholds = s_asc[starts[::-1]]  # highest score first
        del s_asc
        run_pos = np.add.reduceat(is_pos, starts, dtype=np.int64)[::-1]
        del is_pos
        # highest score first: rows and positives at or above each distinct score
        n_rows = n - starts[::-1]
        tps = np.cumsum(run_pos, dtype=np.int64).astype(np.float64)
        fps = n_rows - tps
        return Ranking(thresholds=thresholds, tps=tps, fps=fps, n_rows=n_rows,
                       n_total=int(n))
    # Weighted sums: accumulate from the highest score down, as scikit-learn does (the
    # order of tied rows only changes the last bits of the sums).
    order = np.argsort(score)[::-1]
    s = score[order]
    idx = np.append(np.flatnonzero(s[1:] != s[:-1]), n - 1)
    w = sample_weight[order]
    yw = np.where(y_pos[order], w, 0.0)
    tps = np.cumsum(yw)[idx]
    yw -= w  # -w on negative rows, 0 on positive rows
    fps = -np.cumsum(yw)[idx]
    return Ranking(thresholds=s[idx], tps=tps, fps=fps, n_rows=idx + 1, n_total=int(n))


def rank_one_vs_rest(
    scores: np.ndarray, codes: np.ndarray, sample_weight: np.ndarray | None = None
) -> Ranking:
    """The micro-average ranking: every cell of ``scores`` one row, positive in the true class.

    The same :class:`Ranking` as ``rank_scores(onehot.ravel(), scores.ravel(),
    np.repeat(sample_weight, k))``, where ``onehot[i, codes[i]]`` is the only True of row
    ``i``, without the one-hot matrix: with ``n * k`` cells the one-hot matrix, the merge
    permutation and the per-cell positives would cost several times the scores' size. Here
    the cells are sorted once (one copy of the scores), the ``n`` positive scores apart, and
    the positives at or above each distinct score are counted by binary search.

    Parameters
    ----------
    scores : ndarray of float, shape (n, k)
        One column per class.
    codes : ndarray of int, shape (n,)
        Each row's true class, a column of ``scores``.
    sample_weight : ndarray of float, shape (n,), optional
        Row weights (each cell of a row carries its row's weight).

    Examples
    --------
    >>> s = np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
    >>> r = rank_one_vs_rest(s, np.array([0, 2]))
    >>> r.thresholds, r.tps, r.fps, r.n_rows
    (array([0.7, 0.4, 0.3, 0.2, 0.1]), array([1., 2., 2., 2., 2.]), array([0., 0., 2., 3., 4.]), array([1, 2, 4, 5, 6]))
    """
    scores = np.asarray(scores, dtype=np.float64)
    codes = np.asarray(codes)
    n, k = scores.shape
    if sample_weight is not None:
        onehot = np.zeros((n, k), dtype=bool)
        onehot[np.arange(n), codes] = True
        return rank_scores(onehot.ravel(), scores.ravel(), np.repeat(sample_weight, k))
    total = n * k
    if total == 0:
        empty = np.empty(0)
        return Ranking(empty, empty, empty, np.empty(0, dtype=np.int64), 0)
    cells = np.sort(scores, axis=None)  # ascending, one copy
    pos = scores[np.arange(n), codes]
    pos.sort()
    change = cells[1:] != cells[:-1]
    n_runs = int(np.count_nonzero(change)) + 1
    starts = np.empty(n_runs, dtype=np.int64)  # first cell of each run of equal scores
    starts[0] = 0
    np.add(np.flatnonzero(change), 1, out=starts[1:])
    del change
    thresholds_asc = cells[starts]
    del cells
    n_rows = np.subtract(total, starts[::-1])  # rows at or above each distinct score
    del starts
    # positives at or above each distinct score
    below = np.searchsorted(pos, thresholds_asc, side="left")
    tps = np.subtract(n, below[::-1], dtype=np.float64)
    del below
    fps = np.subtract(n_rows, tps)
    # highest score first (a reversed view: no copy)
    return Ranking(thresholds=thresholds_asc[::-1], tps=tps, fps=fps, n_rows=n_rows,
                   n_total=int(total))
