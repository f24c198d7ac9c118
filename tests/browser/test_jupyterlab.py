"""A real JupyterLab in headless Chromium: the quickstart notebook end to end.

Runs ``notebooks/quickstart.ipynb`` (a copy) with *Run All*: ``%load_ext workbench``, two
``%%evaluate`` cells on scikit-learn's breast cancer data, ``%workbench compare`` and a
``ComparisonPanel()`` with its run picker. Then, in the page: the evaluation panel draws
plotly charts, the threshold slider changes the confusion matrix (in the browser, no kernel),
tabs switch, ticking two runs in the picker brings a comparison table from the kernel;
plotly.js crosses the kernel websocket once for all panels; the console stays clean.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re

import pytest

from workbench.notebook._panel import plotly_js_gzip

#: Console messages that are not errors of ours, each with why it is harmless here.
BENIGN = (
    # JupyterLab asks the server for its list of kernel/terminal/session updates and for
    # the JupyterLab "news" feed; the machine is offline and the settings turn news off,
    # but a failed optional fetch can still be logged. Nothing of the notebook depends on it.
    re.compile(r"net::ERR_NAME_NOT_RESOLVED|net::ERR_INTERNET_DISCONNECTED"),
)

NOTEBOOK = "quickstart.ipynb"
RUN_ALL_TIMEOUT = 90_000


def _benign(text: str) -> bool:
    return any(p.search(text) for p in BENIGN)


class Websocket:
    """Bytes the page received on the kernel websocket, and how often plotly.js was in them."""

    def __init__(self, page, marker: bytes) -> None:
        self.marker = marker
        self.frames = 0
        self.bytes = 0
        self.plotly_copies = 0
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        if "/api/kernels/" in ws.url:
            ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode("utf-8", "replace")
        self.frames += 1
        self.bytes += len(data)
        self.plotly_copies += data.count(self.marker)


@pytest.fixture
def lab_page(chromium, jupyterlab):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    wire = Websocket(page, plotly_js_gzip()[:64])
    yield page, errors, wire
    context.close()


def test_quickstart_runs_and_panels_work(lab_page, jupyterlab, artifacts_dir):
    from playwright.sync_api import expect

    page, errors, wire = lab_page
    page.goto(f"{jupyterlab['url']}/lab/tree/{NOTEBOOK}?token={jupyterlab['token']}")
    # The toolbar's execution indicator says "idle" before a kernel is attached (TESTING.md
    # pitfall 2); the status bar names the kernel only once it is connected.
    expect(page.locator("#jp-main-statusbar")).to_contain_text(
        re.compile(r"\(ipykernel\) \| Idle"), timeout=60_000)
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    cells = page.locator(".jp-Notebook .jp-Cell")
    code = page.locator(".jp-Notebook .jp-CodeCell")
    # the last cell prints "done": every cell before it has run
    expect(code.last.locator(".jp-OutputArea-output")).to_contain_text("done", timeout=RUN_ALL_TIMEOUT)
    for i in range(code.count()):  # no cell raised
        expect(code.nth(i).locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
               .filter(has_text="Traceback")).to_have_count(0)

    # -- the first evaluation panel (logistic regression): charts drawn
    first = code.nth(1)
    panel = first.locator(".wb-panel").first
    expect(panel).to_be_visible(timeout=30_000)
    expect(first.locator("text=Saved to the workspace as run 'logreg'")).to_have_count(1)
    panel.locator(".wb-tab[data-tab=curves]").click()
    expect(panel.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=30_000)
    first.screenshot(path=artifacts_dir / "jupyterlab-evaluation-curves.png")

    # -- threshold tab: the slider changes the confusion matrix, in the browser
    panel.locator(".wb-tab[data-tab=threshold]").click()
    slider = panel.locator(".wb-threshold input[type=range]")
    expect(slider).to_be_visible()
    def matrix():
        return {c: int(panel.locator(f".wb-cm td[data-cell={c}]").text_content())
                for c in ("tp", "fp", "fn", "tn")}

    before = matrix()
    slider.focus()
    page.keyboard.press("Home")  # the lowest threshold: every row is predicted positive
    low = matrix()
    page.keyboard.press("End")   # the highest: (almost) none is
    high = matrix()
    positives, negatives = before["tp"] + before["fn"], before["fp"] + before["tn"]
    assert positives + negatives == 171  # the test split of the notebook
    assert low == {"tp": positives, "fp": negatives, "fn": 0, "tn": 0}, low
    for state in (before, high):  # the counts move, the totals stay
        assert state["tp"] + state["fn"] == positives and state["fp"] + state["tn"] == negatives
    assert high["tp"] < before["tp"] < low["tp"] and high["fp"] <= before["fp"] < low["fp"]
    first.screenshot(path=artifacts_dir / "jupyterlab-evaluation-threshold.png")

    # -- other tabs switch
    for tab in ("per-class", "signature", "data", "summary"):
        button = panel.locator(f".wb-tab[data-tab={tab}]")
        if button.count():
            button.click()
            expect(button).to_have_attribute("aria-selected", "true")

    # -- %workbench compare shows a comparison with a row per metric
    compared = code.nth(3)
    expect(compared.locator(".wb-panel .wb-compare-metrics").first).to_contain_text("roc_auc")
    compared.screenshot(path=artifacts_dir / "jupyterlab-compare-magic.png")

    # -- the run picker: tick both runs, the kernel compares them, the table appears
    picker = code.nth(4)
    boxes = picker.locator(".wb-picker input[type=checkbox]")
    expect(boxes).to_have_count(2)
    boxes.nth(0).check()
    boxes.nth(1).check()
    table = picker.locator(".wb-panel .wb-compare-metrics").first
    expect(table).to_contain_text("accuracy_score", timeout=30_000)
    expect(table).to_contain_text("forest")
    expect(table).to_contain_text("logreg")
    expect(picker.locator(".wb-picker .wb-error")).to_be_hidden()
    picker.screenshot(path=artifacts_dir / "jupyterlab-comparison-picker.png")

    # -- plotly.js crossed the websocket once, for every panel on the page
    panels = page.locator(".jp-OutputArea .wb-panel").count()
    assert panels >= 3, panels
    assert wire.plotly_copies == 1, (wire.plotly_copies, wire.frames, wire.bytes)
    print(f"\nkernel websocket: {wire.frames} frames, {wire.bytes / 1e6:.2f} MB, "
          f"{panels} panels, plotly.js sent {wire.plotly_copies}x")
    cells.first.screenshot(path=artifacts_dir / "jupyterlab-first-cell.png")

    real = [e for e in errors if not _benign(e)]
    assert real == [], real
