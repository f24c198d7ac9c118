"""The main job as far as it exists today, run headless by ``make demo``.

Trains two versions of a classifier on data that scikit-learn ships, infers their
signatures, enforces the schema on good and bad batches, diffs the two signatures and
writes a serving payload, then prints a summary and where the files are.

Run it with ``python -m workbench._demo [OUTPUT_DIR]`` (default ``demo-output``).
"""

from __future__ import annotations

import json
import pathlib
import sys
import textwrap
import warnings

from workbench._exceptions import WorkbenchException
from workbench._io import atomic_write_text


def main(argv: list[str] | None = None) -> int:
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from workbench.models import (
        ModelSignature,
        convert_input_example_to_serving_input,
        diff_signatures,
        infer_signature,
        validate_schema,
    )
    from workbench.models._serving_input import parse_serving_input

    args = sys.argv[1:] if argv is None else argv
    out = pathlib.Path(args[0] if args else "demo-output")
    out.mkdir(parents=True, exist_ok=True)

    data = load_breast_cancer(as_frame=True)
    X, y = data.data, data.target
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

    v1 = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X_train, y_train)
    sig_v1 = infer_signature(X_train, v1.predict(X_train))
    print(f"== model v1: {type(v1[-1]).__name__} on breast_cancer "
          f"({len(X_train)} train / {len(X_test)} test rows), accuracy {v1.score(X_test, y_test):.3f}")
    print(sig_v1)

    # v2: two features dropped, one engineered feature added, one column stored as float32:
    # the kind of "small" change that breaks a client without anybody noticing.
    dropped = ["mean fractal dimension", "worst symmetry"]

    def v2_features(frame):
        frame = frame.drop(columns=dropped).assign(**{"area ratio": frame["worst area"] / frame["mean area"]})
        return frame.astype({"mean area": "float32"})

    X_train2 = v2_features(X_train)
    v2 = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X_train2, y_train)
    sig_v2 = infer_signature(X_train2, v2.predict(X_train2))

    print("\n== signature diff v1 -> v2")
    diff = diff_signatures(sig_v1, sig_v2)
    print(diff)

    print("\n== schema enforcement on the test batch")
    validate_schema(X_test, sig_v1.inputs)
    print(f"v1 accepts the test batch ({len(X_test)} rows, {X_test.shape[1]} columns)")
    refusals = {
        "a batch without 'mean radius'": X_test.drop(columns=["mean radius"]),
        "a batch with 'mean area' as text": X_test.assign(**{"mean area": X_test["mean area"].astype(str)}),
        "v1's batch sent to v2": X_test,
        "a v2 batch with float64 'mean area'": v2_features(X_test).astype({"mean area": "float64"}),
    }
    schemas = [sig_v1.inputs, sig_v1.inputs, sig_v2.inputs, sig_v2.inputs]
    for (what, batch), schema in zip(refusals.items(), schemas):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                validate_schema(batch, schema)
        except WorkbenchException as err:
            first_line = str(err).splitlines()[0]
            print(f"refused {what}: {textwrap.shorten(first_line, 200)}")
        else:
            print(f"accepted {what}")

    print("\n== serving payload")
    payload = convert_input_example_to_serving_input(X_test.head(2))
    data_back, params = parse_serving_input(payload, sig_v1.inputs)
    prediction = v1.predict(data_back)
    print(f"{len(payload)} bytes of {list(json.loads(payload))[0]!r}; parsed back to "
          f"{data_back.shape[0]} rows; v1 predicts {prediction.tolist()}")

    atomic_write_text(out / "signature_v1.json", json.dumps(sig_v1.to_dict(), indent=2))
    atomic_write_text(out / "signature_v2.json", json.dumps(sig_v2.to_dict(), indent=2))
    atomic_write_text(out / "signature_diff.txt", str(diff) + "\n")
    atomic_write_text(out / "serving_input_example.json", payload)
    assert ModelSignature.from_dict(sig_v1.to_dict()) == sig_v1

    print(f"\nDemo output written to {out.resolve()}/ "
          "(signature_v1.json, signature_v2.json, signature_diff.txt, serving_input_example.json)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
