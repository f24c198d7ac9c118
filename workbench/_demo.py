"""The main job end to end, run headless by ``make demo``.

On data that scikit-learn ships (breast cancer), it trains two versions of a classifier,
saves both as MLflow-format model directories, diffs their signatures, shows schema
enforcement refusing bad batches, evaluates both models through their saved directories,
persists both evaluations as runs of a workspace of its own, compares them (metric deltas
with paired bootstrap confidence intervals, threshold gates), writes ONE offline HTML report
of the comparison, and prints the summary table and the report's absolute path.

Run it with ``python -m workbench._demo [OUTPUT_DIR]`` (default ``demo-output``); each run
writes a new time-stamped folder inside it::

    demo-output/<timestamp>/
        models/v1, models/v2          MLflow model directories
        workspace/                    the runs "v1" and "v2" with their evaluations
        comparison/                   the comparison as data (ComparisonResult.load)
        report.html                   the comparison, one self-contained file
        signature_diff.txt            what v2 changes in v1's signature
        serving_input_example.json    a scoring-server payload for v1

The demo's workspace lives inside its folder, so a demo never writes to ``./.workbench``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import pathlib
import sys
import textwrap
import warnings
from collections.abc import Iterator
from typing import Any

from workbench._exceptions import WorkbenchException
from workbench._io import atomic_write_text

# Metrics shown in the summary table, with MLflow's names.
SUMMARY_METRICS = (
    "accuracy_score", "precision_score", "recall_score", "f1_score", "log_loss", "roc_auc",
    "precision_recall_auc", "ks_statistic",
)
#: SHAP through the column-selecting pipelines is model-agnostic (permutation): explain a
#: sample of rows (the panel and the report say so) to keep the demo quick.
EVALUATOR_CONFIG = {"explainability_nsamples": 50}
#: Bootstrap resamples behind the confidence intervals (fixed seed: the same table every run).
N_RESAMPLES = 1000
SEED = 0


def _first_line(err: Exception, width: int = 200) -> str:
    return textwrap.shorten(str(err).splitlines()[0], width)


@contextlib.contextmanager
def _workspace(root: pathlib.Path) -> Iterator[None]:
    """Use ``root`` as the workspace for the block, then the one in use before."""
    from workbench.store import _workspace as ws

    previous = ws._explicit  # the explicit choice, if any (None: the default rules)
    ws.set_workspace(root)
    try:
        yield
    finally:
        ws.set_workspace(previous)


def _interval(ci: Any) -> str:
    if ci is None:
        return "-"
    lo, hi = ci
    return f"[{lo:+.4f}, {hi:+.4f}]"


def summary_rows(comparison: Any, names: tuple[str, str]) -> list[tuple[str, float, float, float, Any]]:
    """(metric, value of the baseline, value of the candidate, delta, CI or None) per metric
    of :data:`SUMMARY_METRICS` that both results have, read from the comparison."""
    base, other = names
    rows = []
    for key in SUMMARY_METRICS:
        row = comparison.metric(key)
        if row is None:
            continue
        a, b = row["values"].get(base), row["values"].get(other)
        if a is None or b is None:
            continue
        rows.append((key, a, b, row["deltas"][other], row["delta_ci"].get(other)))
    return rows


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    base = pathlib.Path(args[0] if args else "demo-output")
    out = (base / _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")).resolve()
    out.mkdir(parents=True)
    with _workspace(out / "workspace"):
        return _run(out)


def _run(out: pathlib.Path) -> int:
    from sklearn.compose import ColumnTransformer
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import workbench
    import workbench.pyfunc
    import workbench.sklearn
    from workbench.models import (
        MetricThreshold,
        convert_input_example_to_serving_input,
        diff_signatures,
        get_model_info,
        validate_schema,
    )

    data = load_breast_cancer(as_frame=True)
    frame = data.frame.rename(columns={"target": "label"})
    train, test = train_test_split(frame, test_size=0.25, random_state=0, stratify=frame["label"])
    X_train, y_train = train.drop(columns="label"), train["label"]

    # v2: two features dropped, one engineered feature added, one column stored as float32:
    # the kind of "small" change that breaks a client without anybody noticing.
    dropped = ["mean fractal dimension", "worst symmetry"]

    def v2_features(df):
        df = df.drop(columns=dropped).assign(**{"area ratio": df["worst area"] / df["mean area"]})
        return df.astype({"mean area": "float32"})

    print(f"== breast_cancer: {len(train)} training rows, {len(test)} test rows, "
          f"{X_train.shape[1]} features")
    models = {}
    for name, features, C in (("v1", lambda df: df, 1.0), ("v2", v2_features, 0.05)):
        X = features(X_train)
        # The first step keeps the model's own columns (by name), so one scoring frame can
        # carry the columns of both versions.
        keep = ColumnTransformer([("inputs", "passthrough", list(X.columns))])
        estimator = make_pipeline(keep, StandardScaler(), LogisticRegression(C=C, max_iter=2000))
        estimator.fit(X, y_train)
        path = out / "models" / name
        with warnings.catch_warnings():  # integer-output note of signature inference
            warnings.simplefilter("ignore")
            workbench.sklearn.save_model(estimator, path, input_example=X.head(3))
        models[name] = (path, features)
        info = get_model_info(str(path))
        print(f"saved {name} to {path} (flavors: {', '.join(info.flavors)}; "
              f"{len(info.signature.inputs.inputs)} inputs)")

    sig_v1 = get_model_info(str(models["v1"][0])).signature
    sig_v2 = get_model_info(str(models["v2"][0])).signature
    diff = diff_signatures(sig_v1, sig_v2)
    print("\n== signature diff v1 -> v2")
    print(diff)

    print("\n== schema enforcement")
    X_test = test.drop(columns="label")
    validate_schema(X_test, sig_v1.inputs)
    print(f"v1 accepts the test batch ({len(X_test)} rows, {X_test.shape[1]} columns)")
    refusals = [
        ("a batch without 'mean radius'", X_test.drop(columns=["mean radius"]), sig_v1),
        ("a batch with 'mean area' as text",
         X_test.assign(**{"mean area": X_test["mean area"].astype(str)}), sig_v1),
        ("v1's batch sent to v2", X_test, sig_v2),
        ("a v2 batch with float64 'mean area'",
         v2_features(X_test).astype({"mean area": "float64"}), sig_v2),
    ]
    for what, batch, signature in refusals:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                validate_schema(batch, signature.inputs)
        except WorkbenchException as err:
            print(f"refused {what}: {_first_line(err)}")
        else:
            print(f"accepted {what}")

    # One evaluation frame for both versions: the test rows with every column either
    # version reads ("mean area" as v2 stores it; v1 reads it as double, a safe upcast).
    # Each model keeps its own columns, so both are scored on the same data, which is what
    # lets compare() pair the rows for confidence intervals.
    eval_frame = v2_features(X_test).join(X_test[dropped]).assign(label=test["label"].to_numpy())
    print(f"\n== evaluation of the saved models on the test set ({len(eval_frame)} rows, "
          f"{eval_frame.shape[1] - 1} columns), saved to the workspace")
    results = {}
    for name, (path, _features) in models.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with workbench.start_run(run_name=name) as run:
                result = workbench.evaluate(
                    str(path), data=eval_frame, targets="label", model_type="classifier",
                    evaluator_config=EVALUATOR_CONFIG,
                )
        results[name] = result
        exp = result.explanation
        explained = ("no SHAP" if exp is None
                     else f"SHAP: {exp.explainer} on {exp.n_sample} of {exp.n_rows_total} rows")
        print(f"{name}: {len(result.metrics)} metrics, {len(result.curves)} curves, {explained}; "
              f"run {name!r} ({run.info.run_id})")

    gates = {
        "roc_auc": MetricThreshold(threshold=0.99, greater_is_better=True),
        "log_loss": MetricThreshold(threshold=0.1, greater_is_better=False),
        "f1_score": MetricThreshold(min_absolute_change=0.001, greater_is_better=True),
    }
    print(f"\n== comparison of the runs 'v1' (baseline) and 'v2': paired bootstrap, "
          f"{N_RESAMPLES} resamples, 95% intervals")
    comparison = workbench.compare(["v1", "v2"], baseline="v1", thresholds=gates,
                                   n_resamples=N_RESAMPLES, seed=SEED)
    header = f"{'metric':<22}{'v1':>10}{'v2':>10}{'delta':>10}  {'95% CI of the delta':<22}"
    print(header)
    print("-" * len(header))
    for key, a, b, delta, ci in summary_rows(comparison, ("v1", "v2")):
        print(f"{key:<22}{a:>10.4f}{b:>10.4f}{delta:>+10.4f}  {_interval(ci):<22}")
    if not comparison.paired:
        print("(not paired: the two evaluations do not share their rows; plain deltas)")

    print("\n== gate for v2: roc_auc >= 0.99, log_loss <= 0.1, f1_score at least v1's + 0.001")
    try:
        workbench.validate_evaluation_results(gates, results["v2"], results["v1"])
    except WorkbenchException as err:
        print(f"v2 FAILS the gate:\n{textwrap.indent(str(err), '  ')}")
    else:
        print("v2 passes the gate")

    print("\n== serving payload")
    model_v1 = workbench.pyfunc.load_model(str(models["v1"][0]))
    payload = convert_input_example_to_serving_input(X_test.head(2))
    predictions = model_v1.predict(X_test.head(2))
    print(f"{len(payload)} bytes of {next(iter(json.loads(payload)))!r}; "
          f"v1 predicts {[int(p) for p in predictions]} for it")

    comparison.save(out / "comparison")
    atomic_write_text(out / "signature_diff.txt", str(diff) + "\n")
    atomic_write_text(out / "serving_input_example.json", payload)
    report = pathlib.Path(comparison.save_html(out / "report.html", title="workbench demo: v1 vs v2"))
    size = report.stat().st_size / 1e6
    print(f"\nDemo output written to {out}/ "
          ""
          "(models/, workspace/, comparison/, signature_diff.txt, serving_input_example.json)")
    print(f"Report ({size:.1f} MB, opens offline in any browser):\n{report.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
