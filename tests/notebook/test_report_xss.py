"""Hostile names in a report stay text: no injected element, handler or javascript: URL.

The names are used everywhere a user string can reach the page: feature names, class labels,
metric names, artifact names, the model's and the dataset's names, skipped reasons,
warnings and the run id. The page is parsed with html.parser, which (like a browser) treats
a script's content as text up to the first ``</script``: a string that closed the script
early would show up here as an element.
"""

from __future__ import annotations

import html.parser
import json
import re

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.notebook._report import to_html

CORPUS = (
    "</script><img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
)

#: Every element and script the report itself writes; anything else was injected.
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "h1", "h4", "p", "div",
                "table", "thead", "tbody", "tr", "th", "td", "script", "span", "ul", "li", "b",
                "code"}
SCRIPT_TYPES = ["application/json", "text/plain", None, "module"]


def hostile_result():
    """A real multiclass evaluation whose features and classes carry the corpus."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    n = 300
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=list(CORPUS))
    y = np.array(CORPUS, dtype=object)[X.to_numpy().argmax(axis=1)]
    model = LogisticRegression(max_iter=500).fit(X, y)
    result = wb.evaluate(model, data=X.assign(label=y), targets="label", model_type="classifier")
    for text in CORPUS:
        result.metrics[text] = 0.5
        result.skipped[text] = text
        result.warnings.append(text)
    result.artifacts[CORPUS[0]] = next(iter(result.artifacts.values()))
    result.model["class"] = CORPUS[1]
    result.model["uri"] = CORPUS[2]
    result.dataset["name"] = CORPUS[0]
    result.run_id = CORPUS[1]
    return result


@pytest.fixture(scope="module")
def result():
    return hostile_result()


@pytest.fixture(scope="module")
def page(result):
    return to_html(result, plotlyjs="cdn")


@pytest.fixture(scope="module")
def comparison_page(result):
    """Two runs named with the corpus, compared with a gate on a hostile metric name."""
    comparison = wb.compare({CORPUS[0]: result, CORPUS[1]: result}, n_resamples=20,
                            thresholds={CORPUS[2]: wb.MetricThreshold(threshold=0.1,
                                                                      greater_is_better=True)})
    return to_html(comparison, plotlyjs="cdn")


class Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_script = tag in ("script", "style")

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            self.text.append(data)


@pytest.mark.parametrize("which", ["page", "comparison_page"])
def test_no_injected_element_attribute_or_url(which, request):
    page = request.getfixturevalue(which)
    parser = Collector()
    parser.feed(page)
    parser.close()
    tags = {tag for tag, _ in parser.tags}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    assert "img" not in tags and "svg" not in tags
    for tag, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name, value)
    scripts = [dict(attrs).get("type") for tag, attrs in parser.tags if tag == "script"]
    assert scripts == ["application/json", "text/plain", None, "module"]


def test_hostile_strings_are_text_in_the_static_summary(page):
    parser = Collector()
    parser.feed(page)
    text = "".join(parser.text)
    for s in CORPUS:
        assert s in text  # shown as the literal string
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&#34;&gt;&lt;svg onload=alert(1)&gt;" in page or "&quot;&gt;&lt;svg" in page


def test_hostile_strings_reach_the_panel_as_data(page):
    payload = re.search(r'id="wb-payload">(.*?)</script>', page, re.S).group(1)
    assert "<" not in payload and ">" not in payload
    spec = json.loads(payload)["spec"]
    assert set(CORPUS) <= {m["name"] for m in spec["metrics"]}
    assert spec["dataset"]["features"] == list(CORPUS)
    assert set(spec["confusion"]["labels"]) == set(CORPUS)
    assert set(spec["explain"]["importance"]["features"]) == set(CORPUS)
    assert CORPUS[0] in {a[0] for a in spec["artifacts"]}
    assert spec["run_id"] == CORPUS[1]


def test_hostile_run_and_metric_names_in_a_comparison(comparison_page):
    payload = re.search(r'id="wb-payload">(.*?)</script>', comparison_page, re.S).group(1)
    assert "<" not in payload and ">" not in payload
    spec = json.loads(payload)["spec"]
    assert spec["names"] == [CORPUS[0], CORPUS[1]]
    assert {g["metric"] for g in spec["gates"]} == {CORPUS[2]}
    assert set(CORPUS) <= {m["metric"] for m in spec["metrics"]}
    parser = Collector()
    parser.feed(comparison_page)
    text = "".join(parser.text)
    assert CORPUS[0] in text and CORPUS[1] in text
