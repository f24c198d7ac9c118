"""workbench.compare speed: 1,000 paired stratified bootstrap resamples at 100k rows.

Two binary classifiers evaluated on the same 100,000 rows (probability scores rounded to
float32, as results keep them), compared with every bootstrapped binary metric:
accuracy, precision, recall, F1, ROC AUC, average precision (MLflow's
``precision_recall_auc``) and log loss, for each model and each delta. Prints the median
of ``--repeats`` runs (wall and CPU seconds) for:

* ``bootstrap``: the engine alone (``_bootstrap.bootstrap_metrics``);
* ``compare``: ``workbench.compare`` end to end on two in-memory results;
* ``reference``: a scikit-learn loop over the same resamples (``roc_auc_score``,
  ``average_precision_score``, ... on ``y[idx]``), timed on ``--reference-resamples``
  resamples and scaled to 1,000; the ratio reference / bootstrap is the speed-up.

Also the peak extra memory of one ``compare`` (tracemalloc: numpy allocations).

    python benchmarks/bench_compare.py                 # 100k rows, 1,000 resamples, 3 repeats
    python benchmarks/bench_compare.py --rows 1000000 --repeats 1

The machine may be shared: the CPU seconds are the steadier figure then.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from workbench.evaluation._bootstrap import (  # noqa: E402
    BOOTSTRAP_METRICS,
    bootstrap_metrics,
    resample_indices,
)
from workbench.evaluation._compare import compare  # noqa: E402
from workbench.evaluation._result import EvaluationResult  # noqa: E402
from workbench.evaluation._rows import RowData  # noqa: E402


def make_results(n: int, seed: int = 0) -> list[EvaluationResult]:
    from workbench.evaluation._classification import evaluate_classifier

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    results = []
    for strength in (0.3, 0.4):
        score = np.clip(strength * y + (1 - strength) * rng.random(n), 0, 1).astype(np.float32)
        pred = (score > 0.5).astype(np.int64)
        outcome = evaluate_classifier(y, pred, score.astype(np.float64), labels=[0, 1])
        rows = RowData.for_classifier(y, pred, labels=[0, 1], scores=score, digest="bench")
        results.append(EvaluationResult(outcome.metrics, {}, curves=outcome.curves,
                                        tables=outcome.tables, rows=rows,
                                        dataset={"digest": "bench", "n_rows": n},
                                        model={"model_type": "classifier"}))
    return results


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def reference_loop(results: list[EvaluationResult], n_resamples: int) -> None:
    from sklearn import metrics as skm

    y = results[0].rows.y_true
    for idx in resample_indices(len(y), n_resamples, strata=y, seed=0):
        for r in results:
            s = r.rows.scores.astype(np.float64)[idx]
            p = r.rows.y_pred[idx]
            yt = y[idx]
            skm.accuracy_score(yt, p)
            skm.precision_score(yt, p)
            skm.recall_score(yt, p)
            skm.f1_score(yt, p)
            skm.roc_auc_score(yt, s)
            skm.average_precision_score(yt, s)
            skm.log_loss(yt, s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reference-resamples", type=int, default=20)
    args = parser.parse_args()

    results = make_results(args.rows)
    names = BOOTSTRAP_METRICS["binary"]
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{args.rows:,} rows, 2 binary models, {args.resamples:,} resamples, "
          f"metrics: {', '.join(names)}")

    figures = {}
    for label, fn in (
        ("bootstrap", lambda: bootstrap_metrics([r.rows for r in results], [names, names],
                                                n_resamples=args.resamples, seed=0)),
        ("compare", lambda: compare({"a": results[0], "b": results[1]},
                                    n_resamples=args.resamples, seed=0)),
    ):
        runs = [timed(fn) for _ in range(args.repeats)]
        figures[label] = (statistics.median(w for w, _ in runs),
                          statistics.median(c for _, c in runs))
        print(f"{label:>10}: {figures[label][0]:7.2f} s wall  {figures[label][1]:7.2f} s CPU  "
              f"(median of {args.repeats})")

    wall, cpu = timed(lambda: reference_loop(results, args.reference_resamples))
    scale = args.resamples / args.reference_resamples
    print(f"{'reference':>10}: {wall * scale:7.2f} s wall  {cpu * scale:7.2f} s CPU  "
          f"(scikit-learn loop, {args.reference_resamples} resamples x {scale:g})")
    print(f"speed-up of the bootstrap over the loop: {cpu * scale / figures['bootstrap'][1]:.0f}x "
          "(CPU)")

    tracemalloc.start()
    compare({"a": results[0], "b": results[1]}, n_resamples=args.resamples, seed=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak extra memory of compare: {peak / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
