"""Paired, stratified bootstrap of classifier and regressor metrics, fast.

:func:`bootstrap_metrics` recomputes metrics on ``n_resamples`` resamples of the rows of
one or more models evaluated on the *same* rows. Every model sees the same resamples
(paired), so the spread of a *difference* of metrics is estimated honestly. Classifier
resamples are drawn within each true class (stratified: every resample has the class
counts of the data); regressor resamples are drawn from all rows.

A resample is held as *counts*: how many times each row was drawn, an integer weight per
row (times the row's ``sample_weight`` when there is one). A metric on a resample is then
the weighted metric on all rows, which is what scikit-learn computes with
``sample_weight=counts`` and what it computes on the materialised resample ``y[idx]``
(rows of count 0 drop out, as scikit-learn drops rows of weight 0). That turns each metric
into a few matrix products over a block of resamples:

* confusion counts: ``counts @ onehot(cell)`` (a sparse one-hot of (target, prediction));
* log loss, errors: ``counts @ per-row loss``;
* ROC AUC and average precision: each class's rows are sorted by score once, and each
  row's rank among the other class found once; per resample both areas are a gather,
  cumulative sums and dot products, O(n) (ties count as scikit-learn counts them).

Resamples are processed in blocks of about :data:`BLOCK_ELEMENTS` counts, so memory does
not grow with ``n_resamples`` (about 70 MB above the rows for two binary models at 100k
rows). Two threads compute blocks while the caller's thread draws the next ones (numpy
releases the GIL in the heavy loops; each block's values keep their place, so the result
does not depend on the threads). The matrix products are thin, so BLAS runs on one thread
here (its threads only spin on them). Measured by ``benchmarks/bench_compare.py``: two
binary models, 100k rows, 1,000 resamples, all seven metrics: about 3 s of CPU, ~6 s
wall on this 2-core machine while shared (load 7), 100x+ less CPU than a scikit-learn
loop over the same resamples.

:func:`resample_indices` yields the row indices of each resample, in the order the
counts are drawn; the tests recompute every metric with scikit-learn on ``y[idx]`` and
find the same values.

Examples
--------
>>> import numpy as np
>>> from workbench.evaluation._rows import RowData
>>> rng = np.random.default_rng(0)
>>> y = rng.integers(0, 2, 200)
>>> a = RowData.for_classifier(y, y, labels=[0, 1], scores=np.where(y, 0.8, 0.3))
>>> b = RowData.for_classifier(y, 1 - y, labels=[0, 1], scores=rng.random(200))
>>> out = bootstrap_metrics([a, b], [["roc_auc"], ["roc_auc", "accuracy_score"]],
...                         n_resamples=50, seed=0)
>>> out[0]["roc_auc"].shape, float(out[0]["roc_auc"].min()), float(out[1]["accuracy_score"].max())
((50,), 1.0, 0.0)
"""

from __future__ import annotations

import collections
import os
from collections.abc import Collection, Iterator, Sequence
from typing import Any

import numpy as np

from workbench._exceptions import WorkbenchException

__all__ = ["BLOCK_ELEMENTS", "BOOTSTRAP_METRICS", "bootstrap_metrics", "percentile_interval",
           "resample_indices"]

#: Counts per block of resamples (resamples per block = this // rows, at least 1).
BLOCK_ELEMENTS = 1 << 20

#: The metrics recomputed per resample, by kind (MLflow's names, without metric_prefix).
BOOTSTRAP_METRICS = {
    "binary": ("accuracy_score", "precision_score", "recall_score", "f1_score", "roc_auc",
               "precision_recall_auc", "log_loss"),
    "multiclass": ("accuracy_score", "precision_score", "recall_score", "f1_score"),
    "regressor": ("mean_absolute_error", "mean_squared_error", "root_mean_squared_error",
                  "r2_score"),
}


_invalid = WorkbenchException.invalid_parameter_value


# --------------------------------------------------------------------------- resampling


def _block_size(n: int) -> int:
    return max(1, BLOCK_ELEMENTS // max(n, 1))


def _stratum_bounds(strata: np.ndarray | None, n: int) -> tuple[np.ndarray | None, list]:
    """The permutation that makes each stratum contiguous, and each stratum's bounds."""
    if strata is None:
        return None, [(0, n)]
    perm = np.argsort(strata, kind="stable")
    cuts = np.flatnonzero(np.diff(strata[perm])) + 1
    edges = [0, *cuts.tolist(), n]
    return perm, list(zip(edges[:-1], edges[1:]))


def _draw_blocks(n: int, n_resamples: int, bounds: list, seed: int) -> Iterator[list]:
    """Blocks of resamples: per stratum ``(lo, draws)``, ``draws`` of shape (b, hi - lo)
    holding positions in ``[0, hi - lo)`` of the stratum's rows (the stratum-sorted rows
    ``lo`` to ``hi``)."""
    rng = np.random.default_rng(seed)
    itype = np.int32 if n < 2**31 else np.int64
    size = _block_size(n)
    for start in range(0, n_resamples, size):
        b = min(size, n_resamples - start)
        yield [(lo, rng.integers(0, hi - lo, size=(b, hi - lo), dtype=itype))
               for lo, hi in bounds]


def _index_blocks(n: int, n_resamples: int, bounds: list, seed: int) -> Iterator[np.ndarray]:
    """The blocks of :func:`_draw_blocks` as row indices into the stratum-sorted rows."""
    for block in _draw_blocks(n, n_resamples, bounds, seed):
        yield np.concatenate([lo + draws.astype(np.int64) for lo, draws in block], axis=1)


def _count_blocks(n: int, n_resamples: int, bounds: list, seed: int) -> Iterator[np.ndarray]:
    """The blocks of :func:`_draw_blocks` as (b, n) float64 counts of each row."""
    for block in _draw_blocks(n, n_resamples, bounds, seed):
        counts = np.empty((block[0][1].shape[0], n))
        for lo, draws in block:
            m = draws.shape[1]
            for i, row in enumerate(draws):
                counts[i, lo:lo + m] = np.bincount(row, minlength=m)
        yield counts


def resample_indices(n: int, n_resamples: int, *, strata: Any = None,
                     seed: int = 0) -> Iterator[np.ndarray]:
    """Yield the row indices of each resample (what :func:`bootstrap_metrics` draws).

    Parameters
    ----------
    n : int
        Rows.
    n_resamples : int
        Resamples.
    strata : array-like of int, optional
        A stratum per row (the true class): each resample draws ``count(stratum)`` rows
        from each stratum, with replacement. None draws ``n`` rows from all.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Examples
    --------
    >>> [idx.tolist() for idx in resample_indices(4, 2, strata=[0, 1, 0, 1], seed=1)]
    [[0, 2, 1, 1], [2, 2, 3, 3]]
    """
    perm, bounds = _stratum_bounds(None if strata is None else np.asarray(strata), n)
    for block in _index_blocks(n, n_resamples, bounds, seed):
        yield from (block if perm is None else perm[block])


# --------------------------------------------------------------------------- metrics


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with 0 where ``den == 0`` (scikit-learn's zero_division default)."""
    return np.divide(num, den, out=np.zeros_like(num, dtype=np.float64), where=den != 0)


def _onehot(cell: np.ndarray, width: int) -> Any:
    import scipy.sparse as sp

    n = cell.shape[0]
    return sp.csc_matrix((np.ones(n), (cell.astype(np.int64), np.arange(n))), shape=(width, n))


class _Binary:
    """What one binary model's metrics need, prepared once.

    Confusion counts and log loss of a resample are its weights times a per-row table
    (one matrix product). For ROC AUC and average precision, the positive and the
    negative rows are each sorted once by score, highest first, and for every positive
    the number of negatives scored at or above it (and tied with it) is found once by
    binary search. Per resample the weights of each class in score order are summed
    cumulatively; then

    * AUC = (P * N - sum over positives of weight * (negatives at or above it
      - half the tied ones)) / (P * N): the area under scikit-learn's ROC curve
      (trapezoids; tied scores are one threshold);
    * AP = sum over positives of weight * precision at its score / P, where precision
      counts every row scored at or above it: scikit-learn's average precision.

    Without sample weights every count is an integer, so these sums are exact.
    """

    def __init__(self, rows: Any, wanted: Collection[str]) -> None:
        t = rows.y_true == rows.pos_index
        p = rows.y_pred == rows.pos_index
        self.wanted = wanted
        scores = rows.scores
        # columns: true positive, false positive, positive, row, log loss
        table = np.zeros((t.shape[0], 5))
        table[:, 0] = t & p
        table[:, 1] = ~t & p
        table[:, 2] = t
        table[:, 3] = 1.0
        self.loss = "log_loss" in wanted and scores is not None
        if self.loss:
            s = scores.astype(np.float64)
            eps = np.finfo(np.float64).eps
            table[:, 4] = -np.log(np.clip(np.where(t, s, 1.0 - s), eps, 1 - eps))
        self.table = table
        self.ranked = scores is not None and bool({"roc_auc", "precision_recall_auc"}
                                                  & set(wanted))
        if not self.ranked:
            return
        pos_rows, neg_rows = np.flatnonzero(t), np.flatnonzero(~t)
        sp, sn = scores[pos_rows], scores[neg_rows]
        op = np.argsort(sp, kind="stable")  # ascending
        on = np.argsort(sn, kind="stable")
        sp_asc, sn_asc = sp[op], sn[on]
        self.pos_rows, self.neg_rows = pos_rows[op[::-1]], neg_rows[on[::-1]]  # descending
        sp_desc, sn_desc = sp_asc[::-1], sn_asc[::-1]
        n_pos, n_neg = sp.shape[0], sn.shape[0]
        # per positive: negatives scored at or above it, and the negatives tied with it
        self.neg_at = n_neg - np.searchsorted(sn_asc, sp_desc, side="left")
        neg_above = n_neg - np.searchsorted(sn_asc, sp_desc, side="right")
        tied = np.flatnonzero(neg_above != self.neg_at)
        self.neg_ties = (tied, neg_above[tied], self.neg_at[tied])
        # per positive: positives scored at or above it (a positive tied with later
        # positives counts them all)
        pos_at = n_pos - np.searchsorted(sp_asc, sp_desc, side="left")
        moved = np.flatnonzero(pos_at != np.arange(1, n_pos + 1))
        self.pos_ties = (moved + 1, pos_at[moved])

    def block(self, w: np.ndarray) -> dict[str, np.ndarray]:
        tp, fp, positives, total, loss = (w @ self.table).T
        fn = positives - tp
        tn = total - positives - fp
        out: dict[str, np.ndarray] = {
            "accuracy_score": (tn + tp) / total,
            "precision_score": _div(tp, tp + fp),
            "recall_score": _div(tp, tp + fn),
            "f1_score": _div(2.0 * tp, 2.0 * tp + fp + fn),
        }
        if self.loss:
            out["log_loss"] = loss / total
        if self.ranked:
            out.update(self._areas(w))
        return {m: v for m, v in out.items() if m in self.wanted}

    def _areas(self, w: np.ndarray) -> dict[str, np.ndarray]:
        b = w.shape[0]
        # cumulative weights of each class in score order, after a leading 0
        cum_pos = np.empty((b, self.pos_rows.shape[0] + 1))
        cum_neg = np.empty((b, self.neg_rows.shape[0] + 1))
        cum_pos[:, 0] = cum_neg[:, 0] = 0.0
        w_pos = np.take(w, self.pos_rows, axis=1)
        np.cumsum(w_pos, axis=1, out=cum_pos[:, 1:])
        np.cumsum(np.take(w, self.neg_rows, axis=1), axis=1, out=cum_neg[:, 1:])
        n_pos, n_neg = cum_pos[:, -1].copy(), cum_neg[:, -1].copy()
        neg_at = np.take(cum_neg, self.neg_at, axis=1)  # negatives at or above each positive
        # AUC: each positive beats the negatives below it and half of those tied with it
        auc_num = n_pos * n_neg - np.einsum("ij,ij->i", w_pos, neg_at)
        tied, above, at = self.neg_ties
        if tied.shape[0]:
            gap = np.take(cum_neg, at, axis=1) - np.take(cum_neg, above, axis=1)
            auc_num += 0.5 * np.einsum("ij,ij->i", np.take(w_pos, tied, axis=1), gap)
        auc = _div(auc_num, n_pos * n_neg)
        auc[(n_pos <= 0) | (n_neg <= 0)] = np.nan
        # AP: each positive's weight times the precision at its score, over P
        moved, ends = self.pos_ties
        if moved.shape[0]:  # tied positives: each sees the positives of its whole tie group
            cum_pos[:, moved] = np.take(cum_pos, ends, axis=1)
        tps = cum_pos[:, 1:]
        predicted = neg_at
        predicted += tps
        np.maximum(predicted, np.finfo(np.float64).tiny, out=predicted)  # 0 only where tps is
        np.divide(tps, predicted, out=predicted)  # precision at each positive's score
        ap = _div(np.einsum("ij,ij->i", w_pos, predicted), n_pos)
        ap[n_pos <= 0] = np.nan
        return {"roc_auc": auc, "precision_recall_auc": ap}


class _Multiclass:
    def __init__(self, rows: Any, wanted: Collection[str]) -> None:
        self.k = k = len(rows.labels)
        self.average = rows.average
        self.wanted = wanted
        self.cells = _onehot(rows.y_true.astype(np.int64) * k + rows.y_pred, k * k)
        self.weighted = rows.sample_weight is not None

    def block(self, w: np.ndarray, counts: np.ndarray) -> dict[str, np.ndarray]:
        k = self.k
        conf = np.asarray(self.cells @ w.T).T.reshape(-1, k, k)  # (b, true, pred)
        tp = np.diagonal(conf, axis1=1, axis2=2)
        pred = conf.sum(axis=1)
        true = conf.sum(axis=2)
        out = {"accuracy_score": tp.sum(axis=1) / true.sum(axis=1)}
        if self.average == "micro":
            tp_s, pred_s, true_s = tp.sum(axis=1), pred.sum(axis=1), true.sum(axis=1)
            out["precision_score"] = _div(tp_s, pred_s)
            out["recall_score"] = _div(tp_s, true_s)
            out["f1_score"] = _div(2.0 * tp_s, true_s + pred_s)
            return {m: v for m, v in out.items() if m in self.wanted}
        precision, recall, f1 = _div(tp, pred), _div(tp, true), _div(2.0 * tp, true + pred)
        if self.average == "weighted":
            weights = true  # labels absent from the targets weigh 0
        else:  # macro: the mean over labels present in the resample's targets or predictions
            conf_n = conf if not self.weighted else np.asarray(
                self.cells @ counts.T).T.reshape(-1, k, k)
            weights = ((conf_n.sum(axis=1) + conf_n.sum(axis=2)) > 0).astype(np.float64)
        total = weights.sum(axis=1)
        for name, values in (("precision_score", precision), ("recall_score", recall),
                             ("f1_score", f1)):
            out[name] = _div((values * weights).sum(axis=1), total)
        return {m: v for m, v in out.items() if m in self.wanted}


class _Regressor:
    def __init__(self, rows: Any, wanted: Collection[str]) -> None:
        self.y = rows.y_true
        err = rows.y_true - rows.y_pred
        self.per_row = np.stack([np.abs(err), np.square(err), rows.y_true], axis=1)
        self.wanted = wanted

    def block(self, w: np.ndarray) -> dict[str, np.ndarray]:
        total = w.sum(axis=1)
        abs_sum, sq_sum, y_sum = (w @ self.per_row).T
        mse = sq_sum / total
        out = {"mean_absolute_error": abs_sum / total, "mean_squared_error": mse,
               "root_mean_squared_error": np.sqrt(mse)}
        if "r2_score" in self.wanted:
            mean = y_sum / total
            dev = self.y[None, :] - mean[:, None]
            np.square(dev, out=dev)
            den = np.einsum("ij,ij->i", w, dev)
            r2 = np.where(den != 0, 1.0 - sq_sum / np.where(den != 0, den, 1.0), 0.0)
            r2[sq_sum == 0] = 1.0  # scikit-learn's force_finite
            out["r2_score"] = r2
        return {m: v for m, v in out.items() if m in self.wanted}


# --------------------------------------------------------------------------- entry point


def bootstrap_metrics(rows: Sequence[Any], metrics: Sequence[Collection[str]], *,
                      n_resamples: int = 1000, seed: int = 0) -> list[dict[str, np.ndarray]]:
    """Each model's metrics on the same ``n_resamples`` (stratified) resamples of the rows.

    Parameters
    ----------
    rows : sequence of RowData
        One per model, with the same kind, labels, targets and weights (the caller checks:
        :meth:`RowData.same_targets`).
    metrics : sequence of collections of str
        Per model, the metric names to recompute (from :data:`BOOTSTRAP_METRICS` of the
        kind; others are ignored; ranking metrics and ``log_loss`` need scores).
    n_resamples : int
        Resamples, at least 1.
    seed : int
        Seed of the resampling (the same seed gives the same resamples).

    Returns
    -------
    list of dict[str, ndarray]
        Per model, metric name to its ``(n_resamples,)`` values.
    """
    if not rows:
        return []
    if len(metrics) != len(rows):
        raise _invalid(f"bootstrap_metrics needs one metric list per model: {len(rows)} models, "
                       f"{len(metrics)} lists.")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)) \
            or n_resamples < 1:
        raise _invalid(f"n_resamples must be a positive integer, got {n_resamples!r}.")
    first = rows[0]
    kind, n = first.kind, first.n_rows
    makers = {"binary": _Binary, "multiclass": _Multiclass, "regressor": _Regressor}
    strata = None if kind == "regressor" else first.y_true
    perm, bounds = _stratum_bounds(strata, n)
    if perm is not None:  # work in the stratum-sorted order of the rows
        rows = [_permuted(r, perm) for r in rows]
    models = []
    for r, wanted in zip(rows, metrics):
        keep = [m for m in wanted if m in BOOTSTRAP_METRICS[kind]]
        models.append(makers[kind](r, keep) if keep else None)
    out: list[dict[str, list[np.ndarray]]] = [{} for _ in rows]
    sw = rows[0].sample_weight
    with _one_blas_thread():
        _run(models, out, kind, sw, _count_blocks(n, int(n_resamples), bounds, seed),
             threads=int(n_resamples) > 2 * _block_size(n))
    return [{name: np.concatenate(parts) for name, parts in acc.items()} for acc in out]


def _one_blas_thread() -> Any:
    """The matrix products here are thin (b x n by n x 5): BLAS threads only spin on
    them, which costs more CPU (and, on a busy machine, more time) than they save."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - installed with scikit-learn
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _block_values(models: list, kind: str, sw: np.ndarray | None,
                  counts: np.ndarray) -> list[dict[str, np.ndarray] | None]:
    w = counts if sw is None else counts * sw
    values: list[dict[str, np.ndarray] | None] = []
    for model in models:
        if model is None:
            values.append(None)
        elif kind == "multiclass":
            values.append(model.block(w, counts))
        else:
            values.append(model.block(w))
    return values


def _run(models: list, out: list, kind: str, sw: np.ndarray | None, blocks: Iterator,
         threads: bool = True) -> None:
    """Compute every block, in order. On a machine with several cores the blocks are
    computed by two threads (numpy releases the GIL in the heavy loops) while this thread
    draws the next resamples; at most a few blocks are in memory at once, and the results
    are the same as one thread's (each block's values go to its own place)."""

    def collect(values: list) -> None:
        for model_values, acc in zip(values, out):
            for name, v in (model_values or {}).items():
                acc.setdefault(name, []).append(np.asarray(v, dtype=np.float64))

    workers = min(2, os.cpu_count() or 1) if threads else 1
    if workers == 1:
        for counts in blocks:
            collect(_block_values(models, kind, sw, counts))
        return
    from concurrent.futures import ThreadPoolExecutor

    pending: collections.deque = collections.deque()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for counts in blocks:
            pending.append(pool.submit(_block_values, models, kind, sw, counts))
            del counts
            while len(pending) > workers:
                collect(pending.popleft().result())
        while pending:
            collect(pending.popleft().result())


def _permuted(rows: Any, perm: np.ndarray) -> Any:
    import dataclasses

    arrays = {name: None if getattr(rows, name) is None else getattr(rows, name)[perm]
              for name in ("y_true", "y_pred", "scores", "sample_weight")}
    return dataclasses.replace(rows, **arrays)


def percentile_interval(values: np.ndarray, confidence: float) -> tuple[float, float] | None:
    """The percentile interval holding ``confidence`` of the finite ``values`` (None if none).

    Examples
    --------
    >>> percentile_interval(np.arange(101.0), 0.8)
    (10.0, 90.0)
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    tail = round((1.0 - confidence) * 50.0, 10)  # 0.95 -> 2.5 exactly
    lo, hi = np.percentile(finite, [tail, 100.0 - tail])
    return float(lo), float(hi)
