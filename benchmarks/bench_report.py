"""HTML report size and open-to-rendered time for a 1M-row binary evaluation.

Ours (``EvaluationResult.save_html`` through ``workbench.notebook._report``: the whole
interactive panel, six curves, the threshold table and a SHAP sample) against the named
reference, plotly's own ``Figure.write_html(include_plotlyjs=True)`` of one ROC curve
figure, on the same machine and browser (Debian's headless Chromium through Playwright).

Measured, median of ``--repeat`` (3) fresh page loads each:

* file size, and the size beyond plotly.js (the target: at most 500 KB);
* write time (``save_html``);
* open-to-rendered, measured by the page itself (``performance.now()`` from navigation
  start): ours, until the first tab (metrics, facts) is drawn, which the report does before
  it evaluates plotly.js; the reference, until its ``load`` event (its plot is drawn by then);
* open-to-plots (wall clock from ``page.goto``): ours, until plotly.js is evaluated and the
  Curves tab's six plots are drawn after a click; the reference, until its ``.main-svg``
  exists.

    .venv/bin/python benchmarks/bench_report.py               # 1,000,000 rows
    .venv/bin/python benchmarks/bench_report.py --rows 100000 --repeat 5
    .venv/bin/python benchmarks/bench_report.py --runs 10   # + a 10-run comparison report

Timings are wall clock and sensitive to other load on the machine (check ``uptime``);
most of the open time on either side is the browser evaluating plotly.js (about 4.8 MB).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def build_result(rows: int, seed: int = 0):
    import numpy as np
    import pandas as pd

    import workbench as wb

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, rows)
    proba = np.clip(0.3 * y + 0.7 * rng.random(rows), 0, 1)
    df = pd.DataFrame({"label": y, "pred": (proba >= 0.5).astype(int), "proba": proba})
    return wb.evaluate(data=df, targets="label", predictions="pred", model_type="classifier",
                       evaluator_config={"probability_columns": "proba"})


def reference_html(result, path: pathlib.Path) -> None:
    import plotly.graph_objects as go

    roc = result.curve("roc")
    fig = go.Figure(go.Scatter(x=roc.fpr, y=roc.tpr, mode="lines", name=f"AUC {roc.auc:.4f}"))
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)


def time_open(browser, path: pathlib.Path, ours: bool, repeat: int):
    """Medians of (in-page rendered ms, wall seconds until the plots are drawn)."""
    rendered, plots = [], []
    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors, foreign = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: foreign.append(r.url)
                if not r.url.startswith(("file://", "blob:")) else None)
        start = time.perf_counter()
        page.goto(path.as_uri())
        if ours:
            page.wait_for_selector('body[data-wb-ready="1"]', state="attached", timeout=60_000)
            rendered.append(float(page.get_attribute("body", "data-wb-ready-ms")))
            page.click('.wb-tab[data-tab="curves"]')
            page.wait_for_function(
                "document.querySelectorAll("
                "'.wb-tabpanel[data-tab=\"curves\"] .js-plotly-plot .main-svg').length >= 6",
                timeout=60_000)
        else:
            page.wait_for_selector(".js-plotly-plot .main-svg", state="attached", timeout=60_000)
            rendered.append(page.evaluate(
                "performance.getEntriesByType('navigation')[0].loadEventEnd"))
        plots.append(time.perf_counter() - start)
        if errors or foreign:
            raise SystemExit(f"{path.name}: console errors {errors}, network requests {foreign}")
        page.close()
    return statistics.median(rendered), statistics.median(plots)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", type=int, default=0,
                        help="also time a comparison report of this many runs (100k rows each)")
    args = parser.parse_args(argv)

    import plotly
    from playwright.sync_api import sync_playwright

    from workbench.notebook._report import save_html

    plotly_js = (pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js").stat().st_size
    print(f"machine: {platform.platform()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}")
    start = time.perf_counter()
    result = build_result(args.rows)
    print(f"evaluate {args.rows:,} rows: {time.perf_counter() - start:.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        ours = pathlib.Path(tmp) / "report.html"
        writes = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            save_html(result, ours)
            writes.append(time.perf_counter() - start)
        ref = pathlib.Path(tmp) / "reference.html"
        reference_html(result, ref)
        size, ref_size = ours.stat().st_size, ref.stat().st_size

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                        args=CHROMIUM_ARGS)
            try:
                ours_open, ours_plots = time_open(browser, ours, True, args.repeat)
                ref_open, ref_plots = time_open(browser, ref, False, args.repeat)
            finally:
                browser.close()

    print(f"plotly.min.js: {plotly_js / 1e6:.2f} MB")
    print(f"ours:      {size / 1e6:.2f} MB file, {(size - plotly_js) / 1e3:.0f} KB beyond plotly.js "
          f"(target <= 500 KB), write {statistics.median(writes) * 1000:.0f} ms, "
          f"open-to-rendered {ours_open / 1000:.2f} s, open-to-plots (Curves tab, 6 plots) "
          f"{ours_plots:.2f} s")
    print(f"reference: {ref_size / 1e6:.2f} MB file, {(ref_size - plotly_js) / 1e3:.0f} KB beyond plotly.js, "
          f"open-to-rendered {ref_open / 1000:.2f} s, open-to-plots {ref_plots:.2f} s "
          "(plotly write_html, one ROC figure)")
    print(f"ratios ours / reference: rendered {ours_open / ref_open:.2f}, "
          f"plots {ours_plots / ref_plots:.2f}")
    if args.runs:
        compare_report(args.runs, args.repeat, plotly_js)
    return 0


def compare_report(runs: int, repeat: int, plotly_js: int) -> None:
    import workbench as wb
    from workbench.notebook._report import save_html

    results = {f"run-{i}": build_result(100_000, seed=i) for i in range(runs)}
    start = time.perf_counter()
    comparison = wb.compare(results, n_resamples=200)
    print(f"compare {runs} runs x 100,000 rows (200 resamples): {time.perf_counter() - start:.2f} s")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        path = save_html(comparison, pathlib.Path(tmp) / "comparison.html")
        size = path.stat().st_size
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                        args=CHROMIUM_ARGS)
            try:
                rendered, plots = time_open(browser, path, True, repeat)
            finally:
                browser.close()
    print(f"comparison: {size / 1e6:.2f} MB file, {(size - plotly_js) / 1e3:.0f} KB beyond plotly.js, "
          f"open-to-rendered {rendered / 1000:.2f} s, open-to-plots {plots:.2f} s")


if __name__ == "__main__":
    raise SystemExit(main())
