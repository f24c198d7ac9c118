"""Property tests: tie handling and counts equal scikit-learn's on arbitrary inputs."""

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from workbench.evaluation._classification import evaluate_classifier
from workbench.evaluation._curves import det_points, pr_points, rank_scores, roc_points

# few distinct score values, so ties are the rule
scores = st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5000000000000001, 0.75, 1.0]),
                  min_size=2, max_size=60)


@st.composite
def binary_problem(draw):
    s = draw(scores)
    n = len(s)
    y = draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(
        lambda v: 0 < sum(v) < len(v)))
    weighted = draw(st.booleans())
    w = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.25]), min_size=n, max_size=n)) \
        if weighted else None
    return np.array(y), np.array(s), None if w is None else np.array(w)


@settings(max_examples=60, deadline=None)
@given(binary_problem())
def test_curves_with_ties_equal_sklearn(problem):
    y, s, w = problem
    if w is not None and (w[y].sum() == 0 or w[~y].sum() == 0):
        return
    r = rank_scores(y, s, w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = [skm.roc_curve(y, s, sample_weight=w),
                    skm.precision_recall_curve(y, s, sample_weight=w),
                    skm.det_curve(y, s, sample_weight=w)]
    for ours, theirs in zip((roc_points(r), pr_points(r), det_points(r)), expected):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    out = evaluate_classifier(y.astype(int), (s >= 0.5).astype(int), s, labels=[0, 1],
                              sample_weight=w)
    assert abs(out.metrics["roc_auc"] - skm.roc_auc_score(y, s, sample_weight=w)) < 1e-12
    assert abs(out.metrics["precision_recall_auc"]
               - skm.average_precision_score(y, s, sample_weight=w)) < 1e-12


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 6), st.sampled_from(["weighted", "macro",
                                                                       "micro"]))
def test_multiclass_averages_equal_sklearn(seed, k, average):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(k, 40))
    y = rng.integers(0, k, n)
    yp = rng.integers(0, k, n)
    labels = sorted(set(y.tolist()) | set(yp.tolist()))
    if len(labels) < 3:
        return
    w = rng.random(n) if seed % 2 else None
    out = evaluate_classifier(y, yp, labels=labels, average=average, sample_weight=w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, fn in (("recall_score", skm.recall_score),
                         ("precision_score", skm.precision_score), ("f1_score", skm.f1_score)):
            assert abs(out.metrics[name] - fn(y, yp, average=average, sample_weight=w)) < 1e-12
