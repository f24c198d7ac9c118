"""The demo notebooks in notebooks/: committed clean, and each runs top to bottom with the
outputs a reader is promised.

Every notebook is executed once per session, from a temporary copy, in a fresh ``python3``
kernel with its own workspace (``WORKBENCH_HOME``), widget state kept as JupyterLab keeps it
on save; three run side by side. The tests then read the executed notebooks: no error output
anywhere, key values equal to the same computation done here, reports written with plotly.js
inlined once, and the saved notebook (widget state included) under 3 MB.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import re
import sys

import nbformat
import numpy as np
import pytest


def _helpers():
    path = pathlib.Path(__file__).resolve().parent / "_notebooks.py"
    spec = importlib.util.spec_from_file_location("workbench_test_notebooks", path)
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


nbh = _helpers()

PLOTLY_BANNER = "* plotly.js v"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """{name: executed notebook (a NotebookNode)} for every demo notebook."""
    workdir = tmp_path_factory.mktemp("notebooks")
    paths = nbh.execute_all(nbh.NAMES, workdir)
    return {name: (nbformat.read(path, as_version=4), path) for name, path in paths.items()}


def _data():
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    df = load_breast_cancer(as_frame=True).frame.rename(columns={"target": "label"})
    train_df, test_df = train_test_split(df, test_size=0.3, random_state=0, stratify=df["label"])
    return train_df.drop(columns="label"), train_df["label"], test_df


def _printed_number(text: str, key: str) -> float:
    match = re.search(rf"^{re.escape(key)}\s*=\s*([-+0-9.eE]+)", text, re.M)
    assert match, f"{key!r} is not printed in:\n{text[:2000]}"
    return float(match.group(1))


# ---------------------------------------------------------------------------- committed state


@pytest.mark.parametrize("name", nbh.NAMES)
def test_committed_notebook_is_clean(name):
    path = nbh.NOTEBOOKS / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb.metadata, "committed with widget state: clear it before committing"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} of {name} was committed with outputs"
            assert cell.execution_count is None, f"cell {i} of {name} has an execution count"
    # what JupyterLab would add on save and should not be committed either
    assert all("collapsed" not in c.metadata and "scrolled" not in c.metadata for c in nb.cells)


def test_every_notebook_is_tested_and_linked():
    on_disk = {p.stem for p in nbh.NOTEBOOKS.glob("*.ipynb")}
    assert on_disk == set(nbh.NAMES)
    quickstart = (nbh.NOTEBOOKS / "quickstart.ipynb").read_text(encoding="utf-8")
    for name in nbh.NAMES[1:]:
        assert f"{name}.ipynb" in quickstart, f"the quickstart does not point to {name}"


# ---------------------------------------------------------------------------- executed


@pytest.mark.parametrize("name", nbh.NAMES)
def test_notebook_runs_without_errors_and_stays_small(executed, name):
    nb, path = executed[name]
    assert nbh.errors(nb) == []
    assert all(c.execution_count is not None for c in nbh.code_cells(nb))
    # "Traceback" in a stream means a cell printed an exception it swallowed
    assert "Traceback (most recent call last)" not in nbh.notebook_text(nb)
    size = path.stat().st_size
    assert size < nbh.MAX_EXECUTED_BYTES, f"{name} saved with outputs is {size / 1e6:.2f} MB"


def test_quickstart_accuracy_is_a_fresh_evaluations(executed):
    import workbench
    from sklearn.ensemble import RandomForestClassifier

    nb, _ = executed["quickstart"]
    text = nbh.notebook_text(nb)
    printed = _printed_number(text, "accuracy_score")

    X_train, y_train, test_df = _data()
    model = RandomForestClassifier(n_estimators=100, max_depth=7, random_state=0).fit(X_train, y_train)
    fresh = workbench.evaluate(model, data=test_df, targets="label", model_type="classifier",
                               evaluator_config={"log_model_explainability": False})
    assert printed == pytest.approx(fresh.metrics["accuracy_score"], abs=5e-7)
    assert _printed_number(text, "roc_auc") == pytest.approx(fresh.metrics["roc_auc"], abs=5e-7)
    # the run was saved under its name and reads back as the same result
    assert "Saved to the workspace as run 'rf-depth7'" in text
    assert nbh.cell_text(nbh.cell_with(nb, 'load_evaluation("rf-depth7")')).strip() == "True"
    # the workspace listing shows the run
    assert "rf-depth7" in nbh.cell_text(nbh.cell_with(nb, "%workbench list"))


@pytest.mark.parametrize("name", ["quickstart", "magics", "comparing_models"])
def test_saved_widget_state_carries_plotly_once(executed, name):
    nb, _ = executed[name]
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    models = state.get("state", {})
    assert models, "the panels left no widget state"
    # one loader holds plotly.js (gzipped, a base64 buffer in the saved state), whatever the
    # number of panels
    loaders = [k for k, m in models.items()
               if any(b["path"] == ["source_gz"] and b["data"] for b in m.get("buffers", []))]
    assert len(loaders) == 1
    panels = [k for k, m in models.items() if "spec" in m["state"] and "loader" in m["state"]]
    assert len(panels) >= 2
    for key in panels:
        assert models[key]["state"]["loader"] == f"anywidget:{loaders[0]}"
        assert len(json.dumps(models[key])) < 300_000, "a panel's own payload should stay small"


def test_quickstart_panel_has_a_text_fallback(executed):
    nb, _ = executed["quickstart"]
    models = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    panel_cell = nbh.cell_with(nb, "panel(result)")
    views = [o for o in panel_cell.outputs
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1
    assert views[0]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] in models
    # what GitHub and nbviewer show instead of the widget
    assert views[0]["data"]["text/plain"]


def test_magics_notebook_shows_each_option(executed):
    from sklearn.ensemble import GradientBoostingClassifier

    nb, _ = executed["magics"]
    text = nbh.notebook_text(nb)
    X_train, y_train, test_df = _data()
    gbm = GradientBoostingClassifier(n_estimators=60, random_state=0).fit(X_train, y_train)
    pred, target = gbm.predict(test_df.drop(columns="label")), test_df["label"].to_numpy()
    cost = 5.0 * ((pred == 1) & (target == 0)).sum() + 1.0 * ((pred == 0) & (target == 1)).sum()
    assert _printed_number(text, "false_alarm_cost") == cost
    assert "explanation skipped: \"evaluator_config['log_model_explainability'] is False\"" in text
    diff = nbh.cell_text(nbh.cell_with(nb, "%workbench diff-signature"))
    assert diff.splitlines() == ["- inputs.worst symmetry: double", "~ inputs.mean area: double -> float"]
    assert re.search(r"Deleted run [0-9a-f]{32}\.", text)
    # the deliberate mistake: a one-line usage error with the fix, no traceback
    mistake = nbh.cell_text(nbh.cell_with(nb, "--data test_frame"))
    assert mistake.startswith("UsageError: %evaluate: --data test_frame: there is no variable")
    assert "Did you mean test_df?" in mistake


def test_comparing_models_notebook(executed):
    import workbench
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    nb, _ = executed["comparing_models"]
    text = nbh.notebook_text(nb)
    assert "paired: True, baseline: logreg" in text
    # the printed deltas are the differences of the models' own metrics
    X_train, y_train, test_df = _data()
    config = {"log_model_explainability": False}
    lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X_train, y_train)
    rf = RandomForestClassifier(n_estimators=100, max_depth=7, random_state=0).fit(X_train, y_train)
    metrics = {name: workbench.evaluate(m, data=test_df, targets="label", model_type="classifier",
                                        evaluator_config=config).metrics
               for name, m in (("logreg", lr), ("forest", rf))}
    for key in ("roc_auc", "log_loss", "f1_score"):
        match = re.search(rf"^{key}\s+forest\s+delta = (\S+)\s+95% CI \[(\S+), (\S+)\]", text, re.M)
        assert match, f"no delta printed for {key}"
        delta, lo, hi = (float(x) for x in match.groups())
        assert delta == pytest.approx(metrics["forest"][key] - metrics["logreg"][key], abs=5e-7)
        assert lo <= hi
    # gates: the forest's log_loss is over 0.2, so not every gate passes
    assert re.search(r"^forest\s+log_loss\s+FAIL\s+Metric log_loss value threshold check failed", text, re.M)
    assert "every gate passed: False" in text
    assert "boosting fails:" in text
    # the panel and the magic's comparison are widgets with a text fallback
    for fragment in ("ComparisonPanel(comparison)", "%workbench compare logreg forest boosting"):
        (view,) = [o for o in nbh.cell_with(nb, fragment).outputs
                   if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert view["data"]["text/plain"]


def test_explainability_notebook(executed):
    nb, _ = executed["explainability"]
    text = nbh.notebook_text(nb)
    assert "explainer: tree" in text and "explainer: linear" in text
    error = _printed_number(text.replace("max |base + sum(SHAP) - predict_proba| =",
                                         "reconstruction ="), "reconstruction")
    assert error < 1e-5
    assert "explainer: permutation, rows explained: 50 of 171 (sampled: True)" in text


def test_reports_notebook_writes_offline_reports(executed):
    nb, path = executed["reports"]
    out = path.parent / "reports-output"
    plotly_js = _plotly_min_js_size()
    for name in ("forest.html", "comparison.html", "from-magic.html"):
        html = (out / name).read_text(encoding="utf-8")
        assert html.count(PLOTLY_BANNER) == 1, f"{name} should inline plotly.js exactly once"
        assert len(html.encode()) < plotly_js + 500_000
    cdn = (out / "forest-cdn.html").read_text(encoding="utf-8")
    assert PLOTLY_BANNER not in cdn and re.search(r"<script[^>]+src=\"https://cdn[^\"]*plotly", cdn)
    assert (out / "forest-dir.html").stat().st_size < 1_000_000
    assert any(p.suffix == ".js" for p in out.iterdir())
    assert "Random forest, depth 7" in (out / "forest.html").read_text(encoding="utf-8")


def test_from_mlflow_notebook(executed):
    nb, _ = executed["from_mlflow"]
    text = nbh.notebook_text(nb)
    assert re.search(r"^runs:/[0-9a-f]{32}/sklearn-model$", text, re.M)
    assert "registered version 1" in text
    assert '{"predictions": [0, 0]}' in text
    assert "INVALID_PARAMETER_VALUE: Model is missing inputs ['petal width (cm)']" in text
    assert "minimum relative change check failed" in text
    serving = _first_json(nbh.cell_with(nb, "convert_input_example_to_serving_input("))
    assert serving["dataframe_split"]["data"] == [[5.1, 3.5, 1.4, 0.2], [4.9, 3.0, 1.4, 0.2]]
    assert text.rstrip().endswith("value1")


def _first_json(cell) -> dict:
    stream = next(o for o in cell.outputs if o.output_type == "stream")
    return json.JSONDecoder().raw_decode(stream.text)[0]


def _plotly_min_js_size() -> int:
    import plotly

    return (pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js").stat().st_size


def test_numbers_helper():
    assert _printed_number("a = 1\nroc_auc        = 0.5\n", "roc_auc") == 0.5
    assert np.isclose(_printed_number("x = -1e-3", "x"), -0.001)
