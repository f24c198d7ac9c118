"""Benchmark ``workbench.evaluate`` against ``mlflow.evaluate`` and against the "floor".

Every case runs three sides on the SAME data and the SAME fitted model:

* ``ours``   -- ``workbench.evaluation.evaluate(estimator, df, ...)``
* ``mlflow`` -- ``mlflow.evaluate(pyfunc_model, df, ...)`` with the model saved by
  ``mlflow.sklearn.save_model(serialization_format="cloudpickle", pip_requirements=[...])``
  (explicit requirements skip MLflow's inference) and loaded with ``mlflow.pyfunc.load_model``
  before the clock starts; the tracking store is SQLite in a temporary directory and the run is
  started before the clock starts, so store migrations are not timed.
* ``floor``  -- one ``predict_proba`` (or ``predict``) pass plus the same headline metrics in one
  numpy pass (one sort for the ranking metrics); no SHAP, no figures, no logging.

Each run of each side is a FRESH subprocess (``python bench_evaluate.py --child ...``), so the
peak RSS of that side is measured alone: ``peak_rss_mb`` is the child's own
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` at its end (whole process: interpreter, imports, data load and the evaluation);
``eval_extra_mb`` is the rise of the peak during the timed call alone (the child resets its
high-water mark through ``/proc/self/clear_refs`` just before the call and reads ``VmHWM`` after it,
minus the RSS just before the call) and is compared with the size of the input DataFrame. Times
are wall-clock seconds of the evaluation call only (imports, data loading and model loading are
outside the clock). The table reports medians over ``--repeat`` runs and the ratios ours/MLflow and
ours/floor.

Data: ``make_classification`` / ``make_regression`` with 20 features and ``random_state=0``;
models are fitted (``random_state=0`` where relevant) on the first 100,000 rows.

Run it (from the repository root, in the project's venv, which has MLflow 3.17 and shap)::

    make bench                                   # = python benchmarks/bench_evaluate.py
    .venv/bin/python benchmarks/bench_evaluate.py                 # full set, 3 runs per side
    .venv/bin/python benchmarks/bench_evaluate.py --quick         # smoke run, under a minute
    .venv/bin/python benchmarks/bench_evaluate.py --cases binary_1m,regression_1m --repeat 5
    .venv/bin/python benchmarks/bench_evaluate.py --mlflow-repeat 1 --out results.json
    .venv/bin/python benchmarks/bench_evaluate.py --list

``--mlflow-repeat N`` runs MLflow N times instead of ``--repeat`` times on the SHAP cases, where
MLflow is slow (its HistGradientBoosting regressor case takes 290-550 s because it falls back to
a permutation explainer); ``--mlflow-repeat-all N`` does so on every case (on a busy machine
MLflow's 1M-row cases take minutes each). The table says when a median is over fewer runs.
``--sides`` restricts the sides (e.g. ``ours,floor`` while tuning). The full set takes about 20-30
minutes on a quiet machine, most of it MLflow's SHAP cases.

Memory columns: peak RSS of each side and the ratios ours/MLflow and floor/MLflow, and
predict-only/MLflow: the floor's peak up to the end of its prediction call, the lowest ratio any
in-process evaluation that predicts once on the whole frame can reach (the interpreter with numpy,
pandas and scikit-learn is about 190 MB before the input is loaded); the rise of the peak during the call
over the input's size for ours and MLflow. The rise includes modules imported during the call:
``(shap imported)`` marks the cases where workbench imported shap (tree models), which alone
adds about 140 MB (numba, llvmlite, matplotlib); the linear and permutation explainers are numpy
and never import it. workbench logs the evaluation to a run of a temporary workspace
(``WORKBENCH_HOME`` in the case directory), as MLflow logs to its temporary SQLite store.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_FEATURES = 20
FIT_ROWS = 100_000
COLUMNS = [f"f{i}" for i in range(N_FEATURES)]

# name: (task, model, n_rows, shap, goal ours/mlflow, goal ours/floor)
CASES: dict[str, dict] = {
    "binary_100k": dict(task="binary", model="logreg", n=100_000, shap=False, goal_mlflow=None, goal_floor=None),
    "binary_1m": dict(task="binary", model="logreg", n=1_000_000, shap=False, goal_mlflow=1 / 20, goal_floor=4.0),
    "static_1m": dict(task="binary", model="static", n=1_000_000, shap=False, goal_mlflow=1 / 40, goal_floor=None),
    "multiclass_100k": dict(task="multiclass", model="logreg", n=100_000, shap=False, goal_mlflow=1 / 10, goal_floor=None),
    "regression_1m": dict(task="regression", model="ridge", n=1_000_000, shap=False, goal_mlflow=1 / 50, goal_floor=None),
    "shap_hgb_binary_100k": dict(task="binary", model="hgb", n=100_000, shap=True, goal_mlflow=1 / 5, goal_floor=None),
    "shap_ridge_100k": dict(task="regression", model="ridge", n=100_000, shap=True, goal_mlflow=1 / 20, goal_floor=None),
    "shap_hgb_regressor_100k": dict(task="regression", model="hgb", n=100_000, shap=True, goal_mlflow=1 / 20, goal_floor=None),
}
QUICK_CASES = {
    "quick_binary_20k": dict(task="binary", model="logreg", n=20_000, shap=False, goal_mlflow=None, goal_floor=None),
    "quick_regression_20k": dict(task="regression", model="ridge", n=20_000, shap=False, goal_mlflow=None, goal_floor=None),
}
ALL_CASES = {**CASES, **QUICK_CASES}


# --------------------------------------------------------------------------------------------
# data and models (parent, once per case)


def _make_data(spec: dict):
    import numpy as np
    from sklearn.datasets import make_classification, make_regression

    n = spec["n"]
    if spec["task"] == "regression":
        X, y = make_regression(n_samples=n, n_features=N_FEATURES, n_informative=10, noise=10.0, random_state=0)
    elif spec["task"] == "multiclass":
        X, y = make_classification(
            n_samples=n, n_features=N_FEATURES, n_informative=12, n_classes=10, random_state=0
        )
    else:
        X, y = make_classification(n_samples=n, n_features=N_FEATURES, n_informative=8, random_state=0)
    return np.ascontiguousarray(X, dtype=np.float64), y


def _fit_model(spec: dict, X, y):
    import pandas as pd

    Xf = pd.DataFrame(X[:FIT_ROWS], columns=COLUMNS)
    yf = y[:FIT_ROWS]
    if spec["model"] == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=300).fit(Xf, yf)
    if spec["model"] == "ridge":
        from sklearn.linear_model import Ridge

        return Ridge().fit(Xf, yf)
    if spec["model"] == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        cls = HistGradientBoostingRegressor if spec["task"] == "regression" else HistGradientBoostingClassifier
        return cls(max_iter=100, random_state=0).fit(Xf, yf)
    raise ValueError(spec["model"])


def prepare_case(name: str, spec: dict, root: Path) -> Path:
    """Write X.npy, y.npy (and pred.npy for static), model.pkl and an MLflow model dir."""
    import pickle

    import numpy as np

    d = root / name
    d.mkdir(parents=True, exist_ok=True)
    X, y = _make_data(spec)
    np.save(d / "Xt.npy", np.ascontiguousarray(X.T))  # column-major: the frame wraps it, no copy
    np.save(d / "y.npy", y)
    if spec["model"] == "static":
        from sklearn.linear_model import LogisticRegression

        import pandas as pd

        m = LogisticRegression(max_iter=300).fit(pd.DataFrame(X[:FIT_ROWS], columns=COLUMNS), y[:FIT_ROWS])
        np.save(d / "pred.npy", m.predict(pd.DataFrame(X, columns=COLUMNS)))
        return d
    model = _fit_model(spec, X, y)
    with open(d / "model.pkl", "wb") as fh:
        pickle.dump(model, fh)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.sklearn
        import sklearn

        mlflow.sklearn.save_model(
            model,
            str(d / "mlflow_model"),
            serialization_format="cloudpickle",
            pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
        )
    return d


# --------------------------------------------------------------------------------------------
# child: one side, one run


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _hwm_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _floor_binary(y, p1, y_pred):
    import numpy as np

    y = np.asarray(y)
    pos = y == 1
    tp = int(np.count_nonzero(pos & (y_pred == 1)))
    fp = int(np.count_nonzero(~pos & (y_pred == 1)))
    fn = int(np.count_nonzero(pos & (y_pred != 1)))
    tn = len(y) - tp - fp - fn
    out = dict(tp=tp, fp=fp, fn=fn, tn=tn, accuracy=(tp + tn) / len(y))
    out["precision"] = tp / max(tp + fp, 1)
    out["recall"] = tp / max(tp + fn, 1)
    out["f1"] = 2 * tp / max(2 * tp + fp + fn, 1)
    if p1 is not None:
        order = np.argsort(-p1, kind="stable")
        s = p1[order]
        t = pos[order]
        distinct = np.flatnonzero(np.diff(s)) if len(s) > 1 else np.array([], dtype=np.intp)
        idx = np.r_[distinct, len(s) - 1]
        ctp = np.cumsum(t)[idx]
        cfp = idx + 1 - ctp
        tpr = np.r_[0, ctp] / max(ctp[-1], 1)
        fpr = np.r_[0, cfp] / max(cfp[-1], 1)
        out["roc_auc"] = float(np.trapezoid(tpr, fpr))
        prec = ctp / (ctp + cfp)
        rec = ctp / max(ctp[-1], 1)
        out["pr_auc"] = float(np.sum(np.diff(np.r_[0, rec]) * prec))
        eps = np.finfo(float).eps
        pc = np.clip(p1, eps, 1 - eps)
        out["log_loss"] = float(-np.mean(np.where(pos, np.log(pc), np.log1p(-pc))))
    return out


def _floor_multiclass(y, proba, classes):
    import numpy as np

    k = len(classes)
    yi = np.searchsorted(classes, y)
    pi = np.argmax(proba, axis=1)
    cm = np.bincount(yi * k + pi, minlength=k * k).reshape(k, k)
    tp = np.diag(cm)
    support = cm.sum(1)
    pred_n = cm.sum(0)
    prec = tp / np.maximum(pred_n, 1)
    rec = tp / np.maximum(support, 1)
    f1 = 2 * prec * rec / np.maximum(prec + rec, 1e-300)
    w = support / support.sum()
    eps = np.finfo(float).eps
    ll = -np.mean(np.log(np.clip(proba[np.arange(len(yi)), yi], eps, 1)))
    aucs = []
    for c in range(k):
        aucs.append(_floor_binary((yi == c).astype(int), proba[:, c], (pi == c).astype(int))["roc_auc"])
    return dict(accuracy=tp.sum() / len(yi), precision=float(w @ prec), recall=float(w @ rec),
                f1=float(w @ f1), log_loss=float(ll), roc_auc=float(w @ np.array(aucs)))


def _floor_regression(y, p):
    import numpy as np

    e = p - y
    ae = np.abs(e)
    mse = float(e @ e / len(y))
    ss_tot = float(((y - y.mean()) ** 2).sum())
    return dict(example_count=len(y), mean_absolute_error=float(ae.mean()), mean_squared_error=mse,
                root_mean_squared_error=mse**0.5, sum_on_target=float(y.sum()), mean_on_target=float(y.mean()),
                r2_score=1 - float(e @ e) / ss_tot, max_error=float(ae.max()),
                mean_absolute_percentage_error=float(np.mean(ae / np.maximum(np.abs(y), np.finfo(float).eps))))


def run_child(side: str, case: str, case_dir: str) -> dict:
    import gc
    import pickle
    import warnings

    warnings.simplefilter("ignore")
    import numpy as np
    import pandas as pd

    spec = ALL_CASES[case]
    d = Path(case_dir)
    static = spec["model"] == "static"
    model_type = "regressor" if spec["task"] == "regression" else "classifier"
    config = {"log_model_explainability": bool(spec["shap"])}

    df = pd.DataFrame(np.load(d / "Xt.npy").T, columns=COLUMNS, copy=False)
    df["label"] = np.load(d / "y.npy")
    if static:
        df["pred"] = np.load(d / "pred.npy")
    model = None
    if side == "ours":
        import workbench.evaluation as wbe

        evaluate = wbe.evaluate
        # import the modules evaluate() imports lazily, so the clock sees the work, not imports
        # (this checkout runs with PYTHONDONTWRITEBYTECODE=1, so each would be compiled from
        # source on every run; MLflow's modules are byte-compiled in site-packages)
        import importlib

        for mod in ("_evaluate", "evaluators._default", "_classification", "_curves", "_regression",
                    "_tables", "_decimate", "_predictor", "_dataset", "_result", "_artifacts",
                    "_explain", "_rows", "_persist", "_custom_metrics"):
            try:
                importlib.import_module(f"workbench.evaluation.{mod}")
            except ImportError:
                pass
        # evaluate() logs to a run, as mlflow.evaluate does: the workspace is a temporary
        # directory of this run (as MLflow's SQLite store is), its modules imported up front
        os.environ["WORKBENCH_HOME"] = str(d / ("workbench-%d" % os.getpid()))
        for mod in ("workbench.store", "workbench._tracking", "sqlite3"):
            try:
                importlib.import_module(mod)
            except ImportError:
                pass

        if not static:
            with open(d / "model.pkl", "rb") as fh:
                model = pickle.load(fh)
    elif side == "mlflow":
        os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{d / ('mlflow-%d.db' % os.getpid())}"
        import mlflow

        mlflow.set_experiment("bench")
        evaluate = mlflow.evaluate
        if not static:
            model = mlflow.pyfunc.load_model(str(d / "mlflow_model"))
        run = mlflow.start_run()
    else:
        if not static:
            with open(d / "model.pkl", "rb") as fh:
                model = pickle.load(fh)
    if model is not None:
        # warm the model's lazy imports on two rows, the same for every side
        head = df[COLUMNS].iloc[:2]
        (model.predict if side == "mlflow" else getattr(model, "predict_proba", model.predict))(head)
    input_mb = df.memory_usage(index=True, deep=True).sum() / 2**20
    gc.collect()
    rss_before = _rss_mb()
    load_peak = _hwm_mb()
    reset_ok = _reset_peak()

    predict_hwm = float("nan")
    start = time.perf_counter()
    if side == "floor":
        y = df["label"].to_numpy()
        Xv = df[COLUMNS]
        if static:
            predict_hwm = rss_before
            metrics = _floor_binary(y, None, df["pred"].to_numpy())
        elif spec["task"] == "regression":
            pred = model.predict(Xv)
            predict_hwm = _hwm_mb()
            metrics = _floor_regression(y, pred)
        else:
            proba = model.predict_proba(Xv)
            predict_hwm = _hwm_mb()
            classes = model.classes_
            if spec["task"] == "binary":
                metrics = _floor_binary(y, proba[:, 1], classes[np.argmax(proba, axis=1)])
            else:
                metrics = _floor_multiclass(y, proba, classes)
        n_metrics = len(metrics)
    else:
        kwargs = dict(targets="label", model_type=model_type, evaluator_config=config)
        if static:
            kwargs["predictions"] = "pred"
        if side == "mlflow":
            kwargs["evaluators"] = "default"
        result = evaluate(model, df, **kwargs)
        n_metrics = len(result.metrics)
    seconds = time.perf_counter() - start
    hwm = _hwm_mb()
    if side == "mlflow":
        mlflow.end_run()
    import sys as _sys

    return dict(side=side, case=case, seconds=seconds, input_mb=input_mb, rss_before_mb=rss_before,
                load_peak_mb=load_peak,
                # the floor's peak up to the end of its one prediction call: a process that only
                # loads the libraries and the input and predicts once on the whole frame
                predict_only_peak_mb=(max(load_peak, predict_hwm) if reset_ok and predict_hwm == predict_hwm
                                      else float("nan")),
                eval_peak_mb=hwm if reset_ok else float("nan"),
                eval_extra_mb=(hwm - rss_before) if reset_ok else float("nan"), n_metrics=n_metrics,
                # importing shap (numba, llvmlite, matplotlib) alone adds about 140 MB of RSS
                imported_shap="shap" in _sys.modules)


# --------------------------------------------------------------------------------------------
# parent


def spawn(side: str, case: str, case_dir: Path, timeout: float) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", side, case, str(case_dir)]
    env = dict(os.environ)
    env.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    env["PYTHONWARNINGS"] = "ignore"
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=str(Path(__file__).resolve().parent.parent))
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return dict(side=side, case=case, error=f"timeout after {timeout} s")
    if proc.returncode != 0:
        return dict(side=side, case=case, error=err.decode(errors="replace")[-2000:])
    lines = [ln for ln in out.decode().splitlines() if ln.startswith("BENCH_RESULT ")]
    if not lines:
        return dict(side=side, case=case, error="no result line; stderr: " + err.decode(errors="replace")[-2000:])
    res = json.loads(lines[-1][len("BENCH_RESULT "):])
    res["peak_rss_mb"] = res.pop("_child_maxrss_mb")
    return res


def _median(values):
    values = [v for v in values if v is not None and v == v]
    return statistics.median(values) if values else float("nan")


def summarise(case: str, runs: dict[str, list[dict]]) -> dict:
    row = dict(case=case)
    for side, rs in runs.items():
        ok = [r for r in rs if "error" not in r]
        row[side] = dict(
            runs=len(ok),
            seconds=_median([r["seconds"] for r in ok]),
            peak_rss_mb=_median([r["peak_rss_mb"] for r in ok]),
            eval_extra_mb=_median([r["eval_extra_mb"] for r in ok]),
            input_mb=_median([r["input_mb"] for r in ok]),
            predict_only_peak_mb=_median([r.get("predict_only_peak_mb") for r in ok]),
            imported_shap=any(r.get("imported_shap") for r in ok),
            errors=[r["error"] for r in rs if "error" in r],
        )
    return row


def _fmt(x, nd=3):
    if x is None or x != x:
        return "-"
    if isinstance(x, float) and abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.{nd}g}" if isinstance(x, float) else str(x)


def _ratio(a, b):
    if a is None or b is None or a != a or b != b or b == 0:
        return float("nan")
    return a / b


def markdown(rows: list[dict], specs: dict) -> str:
    """The results as a Markdown table: times, peak RSS of each side, rise over the input."""
    head = ("| case | ours s | MLflow s (runs) | floor s | ours/MLflow (goal) | ours/floor (goal) "
            "| peak RSS MB ours / MLflow / floor | peak RSS ours/MLflow (goal 0.40) | floor/MLflow "
            "| predict-only/MLflow "
            "| rise during call MB ours / MLflow (input MB) | rise / input ours / MLflow (goal 2) |")
    lines = [head, "|" + "|".join(["---"] * 12) + "|"]
    for row in rows:
        spec = specs[row["case"]]
        o, m, f = row.get("ours", {}), row.get("mlflow", {}), row.get("floor", {})
        r_m = _ratio(o.get("seconds"), m.get("seconds"))
        r_f = _ratio(o.get("seconds"), f.get("seconds"))
        r_rss = _ratio(o.get("peak_rss_mb"), m.get("peak_rss_mb"))
        r_rss_floor = _ratio(f.get("peak_rss_mb"), m.get("peak_rss_mb"))
        r_rss_predict = _ratio(f.get("predict_only_peak_mb"), m.get("peak_rss_mb"))
        input_mb = o.get("input_mb", m.get("input_mb"))
        extra = _ratio(o.get("eval_extra_mb"), input_mb)
        extra_m = _ratio(m.get("eval_extra_mb"), input_mb)
        gm = spec.get("goal_mlflow")
        gf = spec.get("goal_floor")
        gm_s = f"1/{round(1 / gm)} {'ok' if r_m <= gm else 'MISSED'}" if gm and r_m == r_m else "-"
        gf_s = f"{gf:g} {'ok' if r_f <= gf else 'MISSED'}" if gf and r_f == r_f else "-"
        rss_s = f"{_fmt(r_rss, 2)} {'ok' if r_rss <= 0.40 else 'MISSED'}" if r_rss == r_rss else "-"
        extra_s = f"{_fmt(extra, 2)}x {'ok' if extra <= 2 else 'MISSED'}" if extra == extra else "-"
        shap_s = " (shap imported)" if o.get("imported_shap") else ""
        inv = 1 / r_m if r_m == r_m and r_m else float("nan")
        lines.append(
            f"| {row['case']} | {_fmt(o.get('seconds'))} | {_fmt(m.get('seconds'))} ({m.get('runs', 0)}) "
            f"| {_fmt(f.get('seconds'))} | 1/{_fmt(inv)} ({gm_s}) | {_fmt(r_f)} ({gf_s}) "
            f"| {_fmt(o.get('peak_rss_mb'))} / {_fmt(m.get('peak_rss_mb'))} / {_fmt(f.get('peak_rss_mb'))} "
            f"| {rss_s} | {_fmt(r_rss_floor, 2)} | {_fmt(r_rss_predict, 2)} "
            f"| {_fmt(o.get('eval_extra_mb'))} / {_fmt(m.get('eval_extra_mb'))} ({_fmt(input_mb)}) "
            f"| {extra_s}{shap_s} / {_fmt(extra_m, 2)}x |"
        )
    return "\n".join(lines)


def machine() -> dict:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return dict(nproc=os.cpu_count(), cpu=cpu, python=platform.python_version(),
                date=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small smoke run (two 20k-row cases, 1 run each)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per side (default 3); medians are reported")
    ap.add_argument("--mlflow-repeat", type=int, default=None,
                    help="runs of MLflow on the SHAP cases (default: --repeat); e.g. 1, MLflow takes minutes there")
    ap.add_argument("--mlflow-repeat-all", type=int, default=None,
                    help="runs of MLflow on every case (overrides --repeat and --mlflow-repeat for MLflow); "
                         "e.g. 1 on a busy machine, where MLflow's 1M-row cases take minutes")
    ap.add_argument("--cases", default=None, help="comma-separated case names (see --list)")
    ap.add_argument("--sides", default="ours,mlflow,floor", help="comma-separated subset of ours,mlflow,floor")
    ap.add_argument("--out", default=None, help="write all runs and the summary as JSON here")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per child run")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--prepare", nargs=2, metavar=("CASE", "DIR"), help=argparse.SUPPRESS)
    ap.add_argument("--child", nargs=3, metavar=("SIDE", "CASE", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        res = run_child(*args.child)
        import resource

        # ru_maxrss may carry the parent's RSS over the fork; the parent stays small (cases are
        # prepared in their own subprocess) and the larger of it and VmHWM is reported
        res["_child_maxrss_mb"] = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                                      res["load_peak_mb"], res["eval_peak_mb"])
        print("BENCH_RESULT " + json.dumps(res), flush=True)
        return 0
    if args.prepare:
        prepare_case(args.prepare[0], ALL_CASES[args.prepare[0]], Path(args.prepare[1]).parent)
        return 0
    if args.list:
        for name, spec in ALL_CASES.items():
            print(name, spec)
        return 0

    if args.quick:
        names = list(QUICK_CASES)
        repeat = 1 if args.repeat == 3 else args.repeat
    else:
        names = list(CASES)
        repeat = args.repeat
    if args.cases:
        names = [c.strip() for c in args.cases.split(",") if c.strip()]
        unknown = [c for c in names if c not in ALL_CASES]
        if unknown:
            ap.error(f"unknown cases {unknown}; known: {sorted(ALL_CASES)}")
    sides = [s.strip() for s in args.sides.split(",")]
    info = machine()
    print(f"# bench_evaluate: {info['date']}, {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}")
    print(f"# cases {names}, sides {sides}, repeat {repeat}, MLflow runs: "
          + (f"{args.mlflow_repeat_all} on every case" if args.mlflow_repeat_all else
             f"{args.mlflow_repeat if args.mlflow_repeat else repeat} on the SHAP cases"), flush=True)

    rows, all_runs = [], []
    with tempfile.TemporaryDirectory(prefix="bench_evaluate_") as tmp:
        for name in names:
            spec = ALL_CASES[name]
            t0 = time.perf_counter()
            case_dir = Path(tmp) / name
            subprocess.run([sys.executable, os.path.abspath(__file__), "--prepare", name, str(case_dir)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print(f"## {name}: data and model ready in {time.perf_counter() - t0:.1f} s", flush=True)
            runs: dict[str, list[dict]] = {s: [] for s in sides}
            for side in sides:
                n = repeat
                if side == "mlflow" and spec["shap"] and args.mlflow_repeat:
                    n = args.mlflow_repeat
                if side == "mlflow" and args.mlflow_repeat_all:
                    n = args.mlflow_repeat_all
                for i in range(n):
                    r = spawn(side, name, case_dir, args.timeout)
                    runs[side].append(r)
                    all_runs.append(r)
                    if "error" in r:
                        print(f"   {side} run {i + 1}: ERROR {r['error'][-500:]}", flush=True)
                    else:
                        print(f"   {side} run {i + 1}: {r['seconds']:.3f} s, peak RSS {r['peak_rss_mb']:.0f} MB, "
                              f"extra during call {r['eval_extra_mb']:.0f} MB (input {r['input_mb']:.0f} MB)",
                              flush=True)
            rows.append(summarise(name, runs))
            # the table so far (a long run can be stopped and still leave its results)
            print(markdown(rows, ALL_CASES), flush=True)
            if args.out:
                Path(args.out).write_text(json.dumps(dict(machine=info, repeat=repeat, mlflow_repeat=args.mlflow_repeat, mlflow_repeat_all=args.mlflow_repeat_all,
                                                          summary=rows, runs=all_runs, partial=True), indent=2))
    table = markdown(rows, ALL_CASES)
    print()
    print(table)
    print()
    print("Times: median wall seconds of the evaluate call (runs in parentheses for MLflow). Peak RSS: whole "
          "child process (ru_maxrss: interpreter, numpy/pandas/scikit-learn, the input and the call). "
          "floor/MLflow: the floor's peak RSS over MLflow's (its metrics are plain numpy, not "
          "memory-tuned). predict-only/MLflow: the floor's peak up to the end of its one prediction "
          "call over MLflow's peak, the lowest ratio any evaluation that loads these libraries and this "
          "input and predicts once on the whole frame can reach. Rise: the peak RSS during the call "
          "over the RSS before it (it includes modules imported during the call, such as shap).")
    if args.mlflow_repeat_all:
        print(f"MLflow ran {args.mlflow_repeat_all} time(s) on every case (--mlflow-repeat-all).")
    elif args.mlflow_repeat:
        print(f"MLflow ran {args.mlflow_repeat} time(s) on the SHAP cases (--mlflow-repeat).")
    if args.out:
        Path(args.out).write_text(json.dumps(dict(machine=info, repeat=repeat, mlflow_repeat=args.mlflow_repeat, mlflow_repeat_all=args.mlflow_repeat_all,
                                                  summary=rows, runs=all_runs), indent=2))
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
