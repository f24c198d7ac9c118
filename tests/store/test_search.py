"""Filters and order_by: MLflow's sqlite-backed store is the oracle on the same runs."""

import math

import pytest

from workbench._exceptions import WorkbenchException
from workbench.store import ALL, DELETED_ONLY, Store

RUNS = [
    # name, start_time, params, tags, metrics {key: [(value, step, timestamp)]}
    ("rf-a", 1000, {"model": "rf", "depth": "7"}, {"stage": "dev"}, {"acc": [(0.91, 0, 1)], "f1": [(0.8, 0, 1)]}),
    ("rf-b", 2000, {"model": "rf", "depth": "3"}, {"stage": "prod"}, {"acc": [(0.85, 0, 1), (0.95, 1, 2)]}),
    ("gbm-a", 3000, {"model": "gbm"}, {"stage": "Prod"}, {"acc": [(0.93, 0, 1)], "f1": [(0.9, 0, 1)]}),
    ("gbm-b", 3500, {"model": "gbm", "depth": "10"}, {}, {"acc": [(float("nan"), 0, 1)], "f1": [(0.7, 0, 1)]}),
    ("lr", 4000, {"model": "lr"}, {"stage": "dev", "note": "x y"}, {"loss": [(0.3, 0, 1)]}),
    ("lr-2", 5000, {}, {}, {}),
]

FILTERS = [
    "",
    "metrics.acc > 0.9",
    "metrics.acc >= 0.93",
    "metrics.acc < 0.92",
    "metrics.acc != 0.93",
    "metrics.f1 = 0.9",
    "params.model = 'rf'",
    "params.model != 'rf'",
    "params.depth = '7' AND metrics.acc > 0.5",
    "tags.stage = 'prod'",
    "tags.stage != 'dev'",
    "tags.stage LIKE 'pr%'",
    "tags.stage ILIKE 'pr%'",
    "tags.note = 'x y'",
    "attributes.run_name = 'lr'",
    "attributes.run_name LIKE 'rf-%'",
    "attributes.start_time >= 3000",
    "attributes.start_time > 1000 AND params.model = 'gbm'",
    "attributes.run_name != 'lr'",
    "metrics.acc > 0.9 AND tags.stage ILIKE 'P%'",
    "metrics.`acc` > 0.9",
    'params."model" = "gbm"',
    "attributes.status = 'RUNNING'",
]

ORDERS = [
    None,
    ["metrics.acc DESC"],
    ["metrics.acc"],
    ["metrics.acc ASC", "params.model DESC"],
    ["params.depth"],
    ["tags.stage DESC"],
    ["attributes.start_time ASC"],
    ["attributes.run_name"],
    ["metrics.f1 DESC", "attributes.start_time"],
]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The same runs in our store and in MLflow's sqlite tracking store."""
    import mlflow
    from mlflow.tracking import MlflowClient

    tmp = tmp_path_factory.mktemp("oracle")
    ours = Store(tmp / "ws")
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp}/mlflow.db")
    ids = {}
    for name, start, params, tags, metrics in RUNS:
        ours_run = ours.create_run(name=name, tags=tags, start_time=start)
        theirs = client.create_run("0", start_time=start, tags=tags, run_name=name)
        for key, value in params.items():
            ours.log_params(ours_run.run_id, {key: value})
            client.log_param(theirs.info.run_id, key, value)
        for key, points in metrics.items():
            for value, step, ts in points:
                ours.log_metrics(ours_run.run_id, [(key, value, step, ts)])
                client.log_metric(theirs.info.run_id, key, value, timestamp=ts, step=step)
        ids[name] = (ours_run.run_id, theirs.info.run_id)
    yield ours, client, ids, mlflow
    ours.close()


def _names(runs):
    return [r.run_name for r in runs]


CASES = (
    [(f, None) for f in FILTERS]
    + [("", o) for o in ORDERS[1:]]
    + [(f, o) for f in ("metrics.acc > 0.8", "params.model != 'lr'") for o in ORDERS[1:5]]
)


@pytest.mark.parametrize("filter_string, order_by", CASES, ids=str)
def test_search_matches_mlflow(both, filter_string, order_by):
    ours, client, _ids, _mlflow = both
    expected = [r.info.run_name for r in client.search_runs(["0"], filter_string, order_by=order_by, max_results=1000)]
    assert _names(ours.search(filter_string, order_by)) == expected


def test_latest_metrics_match_mlflow(both):
    ours, client, ids, _mlflow = both
    for name, (our_id, their_id) in ids.items():
        theirs = client.get_run(their_id).data.metrics
        mine = dict(ours.get_run(our_id).metrics)
        assert set(mine) == set(theirs), name
        for key in mine:
            assert (math.isnan(mine[key]) and math.isnan(theirs[key])) or mine[key] == theirs[key]


def test_max_results_and_view_type(both, tmp_path):
    ours, _client, _ids, _mlflow = both
    assert _names(ours.search(max_results=2)) == ["lr-2", "lr"]
    store = Store(tmp_path / "ws")
    keep, gone = store.create_run(name="keep"), store.create_run(name="gone")
    store.delete_run(gone.run_id)
    assert _names(store.search()) == ["keep"]
    assert _names(store.search(run_view_type=DELETED_ONLY)) == ["gone"]
    assert sorted(_names(store.search(run_view_type=ALL))) == ["gone", "keep"]
    store.restore_run(gone.run_id)
    assert sorted(_names(store.search())) == ["gone", "keep"]
    assert store.get_run(keep.run_id).lifecycle_stage == "active"


@pytest.mark.parametrize(
    "bad, match",
    [
        ("metrics.acc ~ 1", "cannot parse"),
        ("acc > 1", "cannot parse"),
        ("foo.acc > 1", "Invalid identifier"),
        ("metrics.acc > 'x'", "Expected a numeric value"),
        ("params.model > 'a'", "Invalid comparator"),
        ("metrics.acc > 1 OR metrics.acc < 0", "cannot parse"),
        ("attributes.colour = 'red'", "Invalid attribute key"),
        ("params.model = 'rf' AND", "expected"),
    ],
)
def test_bad_filters_are_invalid_parameter_value(both, bad, match):
    ours = both[0]
    with pytest.raises(WorkbenchException, match=match) as info:
        ours.search(bad)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_in_lists_work_on_run_ids(both):
    ours, _client, ids, _mlflow = both
    wanted = [ids["lr"][0], ids["rf-a"][0]]
    assert sorted(_names(ours.search(f"attributes.run_id IN ('{wanted[0]}', '{wanted[1]}')"))) == ["lr", "rf-a"]
    assert len(ours.search("params.model NOT IN ('rf', 'gbm')")) == 1  # an extension: MLflow refuses IN on params


def test_duplicate_order_by_is_refused(both):
    with pytest.raises(WorkbenchException, match="duplicate fields"):
        both[0].search(order_by=["metrics.acc", "metrics.acc DESC"])
