"""Live panels in Python: trait contents, payload bounds, the shared loader, the run picker."""

from __future__ import annotations

import gzip
import pathlib

import numpy as np
import pandas as pd
import plotly
import pytest

import workbench
from workbench._exceptions import WorkbenchException
from workbench.evaluation import EvaluationResult
from workbench.evaluation._persist import logging_disabled
from workbench.notebook import _assets, _panel
from workbench.notebook._view import comparison_view, evaluation_view

PANEL_LIMIT = 300_000  # bytes of spec + data per panel, whatever the row count


def _binary_frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, n)
    proba = np.clip(label * 0.3 + rng.random(n) * 0.7, 0, 1)
    return pd.DataFrame({"label": label, "pred": (proba >= 0.5).astype(int), "proba": proba})


def _static(df: pd.DataFrame) -> EvaluationResult:
    with logging_disabled():
        return workbench.evaluate(data=df, targets="label", predictions="pred", model_type="classifier",
                                  evaluator_config={"probability_columns": "proba"})


def _payload_size(widget) -> int:
    import json

    return len(json.dumps(widget.spec)) + len(widget.data)


@pytest.fixture(scope="module")
def small():
    return _static(_binary_frame(2_000))


# --------------------------------------------------------------------------- the loader


def test_loader_carries_gzipped_plotly_js_of_the_installed_plotly():
    loader = _panel.plotly_loader()
    source = (pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    assert gzip.decompress(loader.source_gz) == source
    assert len(loader.source_gz) < len(source) / 2.5  # ~1.5 MB instead of 4.8 MB
    assert loader._esm == _assets.read_text("plotly_loader.js")
    assert isinstance(loader._esm, str)  # not a FileContents watcher (PLOTLY-ONCE pitfall 8)
    assert _panel.plotly_js_gzip() is _panel.plotly_js_gzip()  # compressed once per kernel


def test_loader_is_one_per_kernel_and_shared_by_panels(small):
    first, second = _panel.EvaluationPanel(small), _panel.EvaluationPanel(small)
    assert first.loader is second.loader is _panel.plotly_loader()
    # on the wire the panel holds a reference, not the bytes
    state = first.get_state()
    assert state["loader"] == f"anywidget:{_panel.plotly_loader().model_id}"
    assert "source_gz" not in state


def test_a_closed_loader_is_replaced():
    loader = _panel.plotly_loader()
    loader.close()
    fresh = _panel.plotly_loader()
    assert fresh is not loader and fresh.comm is not None
    assert fresh.source_gz == loader.source_gz


# --------------------------------------------------------------------------- evaluation panel


def test_evaluation_panel_state_is_the_view_of_the_result(small):
    panel = _panel.EvaluationPanel(small)
    spec, data = evaluation_view(small)
    assert panel.spec == spec and panel.data == data and panel.result is small
    assert spec["type"] == "evaluation"
    values = {m["name"]: m["value"] for m in spec["metrics"]}
    assert values["roc_auc"] == pytest.approx(small.metrics["roc_auc"])
    assert values["accuracy_score"] == pytest.approx(small.metrics["accuracy_score"])
    assert panel._esm == _assets.read_text("panel.js") and panel._css == _assets.read_text("panel.css")
    assert repr(panel) == f"EvaluationPanel(spec={len(spec)} keys, data={len(data)} bytes)"


def test_panel_payload_stays_small_for_a_million_rows():
    big = _static(_binary_frame(1_000_000, seed=1))
    panel = _panel.EvaluationPanel(big)
    size = _payload_size(panel)
    assert 1_000 < size < PANEL_LIMIT, size
    assert {m["name"]: m["value"] for m in panel.spec["metrics"]}["example_count"] == 1_000_000


def test_evaluation_panel_refuses_what_is_not_a_result():
    with pytest.raises(WorkbenchException, match=r"^EvaluationPanel\(result\) expects an EvaluationResult "
                       r"\(from workbench\.evaluate or workbench\.load_evaluation\), got dict\."):
        _panel.EvaluationPanel({"roc_auc": 0.9})


def test_panel_picks_the_class(small):
    assert isinstance(_panel.panel(small), _panel.EvaluationPanel)
    workbench.log_evaluation(small, run_name="picked")
    shown = _panel.panel("picked")
    assert isinstance(shown, _panel.EvaluationPanel) and shown.result.metrics == small.metrics
    with pytest.raises(WorkbenchException, match=r"^panel\(obj\) expects an EvaluationResult, a "
                       r"ComparisonResult or a run id or name, got int\."):
        _panel.panel(3)


def test_public_names_are_lazy():
    import workbench.notebook as nb

    assert nb.EvaluationPanel is _panel.EvaluationPanel
    assert nb.ComparisonPanel is _panel.ComparisonPanel and nb.panel is _panel.panel
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        nb.Nope  # noqa: B018


# --------------------------------------------------------------------------- comparison panel


@pytest.fixture
def two_runs():
    df = _binary_frame(3_000, seed=2)
    good = _static(df)
    noise = np.random.default_rng(3).random(len(df))
    worse = df.assign(proba=df["proba"] * 0.5 + noise * 0.5)
    worse["pred"] = (worse["proba"] >= 0.5).astype(int)
    bad = _static(worse)
    ids = [workbench.log_evaluation(good, run_name="good"), workbench.log_evaluation(bad, run_name="bad")]
    return ids, good, bad


def test_workspace_runs_lists_evaluation_runs_newest_first(two_runs):
    (good_id, bad_id), _, _ = two_runs
    with workbench.start_run(run_name="no-evaluation"):
        workbench.log_metric("m", 1.0)
    runs = _panel.workspace_runs()
    assert [r["id"] for r in runs] == [bad_id, good_id]
    assert [r["name"] for r in runs] == ["bad", "good"]
    assert {r["model_type"] for r in runs} == {"classifier"}
    assert all(r["created"].endswith(" UTC") for r in runs)


def test_comparison_panel_shows_a_comparison_and_the_runs(two_runs):
    ids, good, bad = two_runs
    comparison = workbench.compare(ids)
    panel = _panel.ComparisonPanel(comparison)
    spec, data = comparison_view(comparison)
    assert panel.spec == spec and panel.data == data and panel.comparison is comparison
    assert [r["id"] for r in panel.runs] == ids[::-1]
    assert panel.error == "" and panel.loader is _panel.plotly_loader()
    assert isinstance(_panel.panel(comparison), _panel.ComparisonPanel)


def test_selecting_runs_recomputes_the_comparison(two_runs):
    (good_id, bad_id), good, bad = two_runs
    panel = _panel.ComparisonPanel()
    assert panel.spec == {} and panel.data == b"" and panel.comparison is None
    panel.selected = [good_id]  # one run: nothing to compare yet
    assert panel.spec == {} and panel.error == ""
    panel.selected = [bad_id, good_id]  # what the page sends: baseline first
    assert panel.error == ""
    assert panel.comparison.baseline == panel.comparison.names[0]
    expected_spec, expected_data = comparison_view(workbench.compare({"bad": bad_id, "good": good_id}))
    assert panel.spec == expected_spec and panel.data == expected_data
    row = next(r for r in panel.comparison.to_dict()["metrics"] if r["metric"] == "roc_auc")
    delta = good.metrics["roc_auc"] - bad.metrics["roc_auc"]
    assert delta > 0 and any(v == pytest.approx(delta) for v in _numbers(row))


def _numbers(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _numbers(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _numbers(v)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        yield obj


def test_a_failed_comparison_is_shown_in_the_panel_not_raised(two_runs):
    (good_id, _), _, _ = two_runs
    panel = _panel.ComparisonPanel()
    panel.selected = [good_id, "ghost-run"]
    assert "ghost-run" in panel.error and panel.spec == {} and panel.comparison is None
    panel.selected = [good_id, two_runs[0][1]]  # a good selection clears the error
    assert panel.error == "" and panel.spec["type"] == "comparison"


def test_comparison_panel_runs_argument(two_runs):
    (good_id, bad_id), _, _ = two_runs
    panel = _panel.ComparisonPanel(runs=["good", bad_id])
    assert [r["id"] for r in panel.runs] == [good_id, bad_id]
    with pytest.raises(WorkbenchException, match=r"no run with a saved evaluation has the id or name "
                       r"'ghost'\. List them with workbench\.search_runs\(\) or %workbench list\.$"):
        _panel.ComparisonPanel(runs=["ghost"])
    with pytest.raises(WorkbenchException, match=r"expects a list of run ids or names .*got str"):
        _panel.ComparisonPanel(runs="good")
    with pytest.raises(WorkbenchException, match=r"^ComparisonPanel\(comparison\) expects a "
                       r"ComparisonResult \(from workbench\.compare\), got EvaluationResult\."):
        _panel.ComparisonPanel(two_runs[1])
