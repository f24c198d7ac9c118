"""The main job as far as it exists today, run headless by ``make demo``.

On data that scikit-learn ships (breast cancer), it trains two versions of a classifier,
saves both as MLflow-format model directories, diffs their signatures, shows schema
enforcement refusing bad batches, evaluates both models through their saved directories,
saves the two evaluation results, checks the second against the first with metric
thresholds, and prints a summary and where everything is.

Run it with ``python -m workbench._demo [OUTPUT_DIR]`` (default ``demo-output``); each run
writes a new time-stamped folder inside it.
"""

from __future__ import annotations

import datetime as _dt
import json
import pathlib
import sys
import textwrap
import warnings

from workbench._exceptions import WorkbenchException
from workbench._io import atomic_write_text

# Metrics shown in the summary table, with MLflow's names.
_SUMMARY_METRICS = (
    "accuracy_score", "precision_score", "recall_score", "f1_score", "log_loss", "roc_auc",
    "precision_recall_auc", "ks_statistic",
)


def _first_line(err: Exception, width: int = 200) -> str:
    return textwrap.shorten(str(err).splitlines()[0], width)


def main(argv: list[str] | None = None) -> int:
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

    args = sys.argv[1:] if argv is None else argv
    base = pathlib.Path(args[0] if args else "demo-output")
    out = base / _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    out.mkdir(parents=True)

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
        estimator = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))
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

    print("\n== evaluation of the saved models on the test set")
    results = {}
    for name, (path, features) in models.items():
        test_frame = features(X_test).assign(label=test["label"].to_numpy())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = workbench.evaluate(
                str(path), data=test_frame, targets="label", model_type="classifier",
            )
        result.save(out / "evaluations" / name)
        results[name] = result
        explained = "no SHAP" if result.explanation is None else f"SHAP: {result.explanation.explainer}"
        print(f"{name}: {len(result.metrics)} metrics, {len(result.curves)} curves, {explained}; "
              f"saved to {out / 'evaluations' / name}")

    print()
    header = f"{'metric':<22}{'v1':>10}{'v2':>10}{'delta':>10}"
    print(header)
    print("-" * len(header))
    for key in _SUMMARY_METRICS:
        a, b = results["v1"].metrics.get(key), results["v2"].metrics.get(key)
        if a is None or b is None:
            continue
        print(f"{key:<22}{a:>10.4f}{b:>10.4f}{b - a:>+10.4f}")

    print("\n== gate for v2: roc_auc >= 0.99, log_loss <= 0.1, f1_score at least v1's + 0.001")
    thresholds = {
        "roc_auc": MetricThreshold(threshold=0.99, greater_is_better=True),
        "log_loss": MetricThreshold(threshold=0.1, greater_is_better=False),
        "f1_score": MetricThreshold(min_absolute_change=0.001, greater_is_better=True),
    }
    try:
        workbench.validate_evaluation_results(thresholds, results["v2"], results["v1"])
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

    atomic_write_text(out / "signature_diff.txt", str(diff) + "\n")
    atomic_write_text(out / "serving_input_example.json", payload)
    print(f"\nDemo output written to {out.resolve()}/ "
          "(models/, evaluations/, signature_diff.txt, serving_input_example.json)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
