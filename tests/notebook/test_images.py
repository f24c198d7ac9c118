"""Static curve images in the text/html view: real PNGs through kaleido and the system Chromium.

CI installs chromium (``make test``) and the test extra installs kaleido, so these tests run
everywhere; :func:`test_images_can_be_rendered_here` fails loudly (not a skip) when either is
missing.
"""

from __future__ import annotations

import base64
import html.parser
import re

import numpy as np
import pytest

from workbench.evaluation import ComparisonResult, EvaluationResult
from workbench.evaluation._curves import PrecisionRecallCurve, RocCurve
from workbench.evaluation._tables import PerClassMetrics, residual_summary
from workbench.notebook import _display, _images

HOSTILE = "</script><img src=x onerror=alert(1)>"
HOSTILE_2 = "\"'><svg onload=alert(2)>&amp;"
IMG = re.compile(r'<img alt="([^"]*)" width="480" height="360" style="[^"]*" '
                 r'src="data:image/png;base64,([A-Za-z0-9+/=]+)">')


@pytest.fixture(autouse=True)
def _images_on(monkeypatch):
    monkeypatch.delenv(_images.ENV_VAR, raising=False)


def classifier(labels=("no", "yes")) -> EvaluationResult:
    rng = np.random.default_rng(0)
    curves = []
    for label in labels:
        fpr = np.sort(np.r_[0.0, rng.random(40), 1.0])
        tpr = np.sort(np.clip(np.sqrt(fpr) + rng.normal(0, 0.02, fpr.size), 0, 1))
        curves.append(RocCurve(fpr, tpr, np.linspace(1, 0, fpr.size), 0.8, label=label))
        recall = np.linspace(1, 0, 30)
        curves.append(PrecisionRecallCurve(1 - recall / 2, recall, np.linspace(0, 1, 29), 0.75,
                                           label=label))
    per_class = PerClassMetrics(columns=["positive_class", "recall_score"],
                                rows=[{"positive_class": x, "recall_score": 0.5} for x in labels])
    return EvaluationResult({"roc_auc": 0.8}, {}, curves=curves,
                            tables={"per_class_metrics": per_class},
                            model={"model_type": "classifier", "labels": list(labels)})


def images(markup: str) -> list[tuple[str, bytes]]:
    return [(alt, base64.b64decode(data)) for alt, data in IMG.findall(markup)]


def assert_pngs(markup: str, alts: list[str]) -> None:
    found = images(markup)
    assert markup.count("<img") == len(alts) == len(found)
    assert [alt for alt, _ in found] == alts
    for _alt, png in found:
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert _images.png_size(png) == (480, 360)
        assert 2_000 < len(png) < _images.MAX_PNG_BYTES


def test_images_can_be_rendered_here():
    assert _images.browser_path() is not None, "install chromium (make test does) or set BROWSER_PATH"
    assert _images._missing() is None and _images.enabled()


def test_a_classifier_shows_roc_and_pr_images_once_rendered():
    result = classifier()
    markup = _display.result_html(result)
    assert_pngs(markup, ["ROC curve", "Precision-recall curve"])
    assert "<h4>Curves</h4>" in markup
    # the static part around the images is the same as without them
    assert markup.replace(_images.images_html(result), "") == _display.result_html(result, images=False)


def test_repeated_displays_use_the_cache(monkeypatch):
    result = classifier()
    first = _display.result_html(result)
    monkeypatch.setattr(_images, "render_png", lambda *a, **k: pytest.fail("rendered again"))
    assert _display.result_html(result) == first
    assert id(result) in _images._cache
    key = id(result)
    del result
    assert key not in _images._cache


def test_a_regressor_shows_predicted_vs_actual_and_residuals():
    y = np.linspace(0, 100, 300)
    summary = residual_summary(y, y + np.sin(y) * 5)
    result = EvaluationResult({"r2_score": 0.9}, {}, tables={"residuals": summary})
    assert_pngs(_display.result_html(result), ["Predicted vs actual", "Residual histogram"])


def test_a_comparison_shows_overlaid_curves():
    a, b = classifier(["yes"]), classifier(["yes"])
    comparison = ComparisonResult(
        names=[HOSTILE, HOSTILE_2], baseline=HOSTILE, paired=False, metrics=[],
        curves={"roc": {HOSTILE: a.curve("roc"), HOSTILE_2: b.curve("roc")},
                "precision_recall": {HOSTILE: a.curve("precision_recall")}})
    markup = _display.comparison_html(comparison)
    assert_pngs(markup, ["ROC curve", "Precision-recall curve"])
    assert HOSTILE not in markup and HOSTILE_2 not in markup


def test_turned_off_by_the_environment(monkeypatch):
    monkeypatch.setenv(_images.ENV_VAR, "0")
    result = classifier()
    assert _display.result_html(result) == _display.result_html(result, images=False)
    assert "<img" not in _display.result_html(result)


def test_no_browser_means_no_images_and_no_error(monkeypatch, caplog):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    monkeypatch.setattr(_images, "_logged", False)
    _images._missing.cache_clear()
    try:
        with caplog.at_level("DEBUG", logger=_images.__name__):
            result = classifier()
            assert "<img" not in _display.result_html(result)
            _display.result_html(classifier())
        assert [r.getMessage() for r in caplog.records] == [
            "workbench: no static curve images in the HTML view: no Chrome or Chromium found "
            "(set BROWSER_PATH)"]
    finally:
        _images._missing.cache_clear()


def test_a_rendering_failure_leaves_the_html_without_images(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("kaleido crashed")

    monkeypatch.setattr(_images, "render_png", broken)
    result = classifier()
    markup = _display.result_html(result)
    assert "<img" not in markup and "Curves" not in markup
    assert markup == _display.result_html(result, images=False)
    # even a failure inside the images module itself never reaches the display
    monkeypatch.setattr(_images, "images_html", broken)
    assert _display.result_html(classifier()) == markup


def test_an_oversized_png_is_left_out(monkeypatch):
    monkeypatch.setattr(_images, "MAX_PNG_BYTES", 1_000)
    assert "<img" not in _display.result_html(classifier())


class Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_hostile_class_names_produce_no_markup():
    result = classifier([HOSTILE, HOSTILE_2])
    markup = _display.result_html(result)
    assert_pngs(markup, ["ROC curve", "Precision-recall curve"])
    doc = Collector()
    doc.feed(markup)
    doc.close()
    imgs = [attrs for tag, attrs in doc.tags if tag == "img"]
    assert len(imgs) == 2
    assert all(set(a) == {"alt", "width", "height", "style", "src"} for a in imgs)
    assert not {tag for tag, _ in doc.tags} & {"script", "svg", "a", "iframe"}
    assert HOSTILE not in markup and HOSTILE_2 not in markup
    assert HOSTILE in " ".join(doc.text)  # shown as text in the per-class table
