"""The numeric fast road of RequestScorer answers exactly as the general road does."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

import workbench.pyfunc
import workbench.sklearn
from workbench.models._validate_serving_input import KIND_JSON, RequestScorer

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.5]})
MIXED = pd.DataFrame(
    {"d": [0.5, 1.5, 2.5], "f": np.array([1.0, 2.0, 3.0], dtype=np.float32), "n": np.array([1, 2, 3], dtype=np.int64)}
)


@pytest.fixture(scope="module")
def scorers(tmp_path_factory):
    base = tmp_path_factory.mktemp("fast")
    workbench.sklearn.save_model(LogisticRegression().fit(X, [0, 0, 1, 1]), base / "clf", input_example=X.head(2))
    workbench.sklearn.save_model(
        LinearRegression().fit(MIXED, [1.0, 2.0, 3.0]), base / "mixed", input_example=MIXED.head(2)
    )
    out = {}
    for name in ("clf", "mixed"):
        model = workbench.pyfunc.load_model(base / name)
        out[name] = (RequestScorer(model), RequestScorer(model, fast_path=False))
    return out


def split(frame: pd.DataFrame) -> dict:
    return {"dataframe_split": json.loads(frame.to_json(orient="split", index=False))}


FAST_BODIES = {
    "clf": [
        split(X),
        split(X.head(1)),
        {"dataframe_records": X.to_dict(orient="records")},
        {"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2], [3, 4]]}},  # ints into doubles
        {"dataframe_split": {"columns": ["a", "b"], "data": [[True, 2.5]]}},  # booleans as 1/0
        {"dataframe_records": [{"b": 1.0, "a": 2.0}]},  # key order does not matter in records
    ],
    "mixed": [
        split(MIXED),
        {"dataframe_records": [{"d": 1, "f": 2, "n": 3}]},
        {"dataframe_split": {"columns": ["d", "f", "n"], "data": [[1.0, 2.0, 3.0]]}},  # whole floats into long
    ],
}

SLOW_BODIES = {
    "clf": [
        {"dataframe_split": {"columns": ["b", "a"], "data": [[1.0, 2.0]]}},  # reordered columns
        {"dataframe_split": {"data": [[1.0, 2.0]]}},  # no column names
        {"dataframe_split": {"columns": ["a", "b"], "data": [[1.0, 2.0]], "index": [7]}},
        {"dataframe_split": {"columns": ["a", "b"], "data": [[None, 2.0]]}},
        {"dataframe_split": {"columns": ["a", "b"], "data": [["1.5", 2.0]]}},
        {"dataframe_split": {"columns": ["a", "b"], "data": [[1.0, 2.0], [3.0]]}},  # ragged
        {"dataframe_split": {"columns": ["a", "b"], "data": [[True, False]]}},  # booleans only
        {"dataframe_split": {"columns": ["a", "b"], "data": [[10**30, 1.0]]}},
        {"dataframe_split": {"columns": ["a", "b"], "data": []}},
        {"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1.0, 2.0, 3.0]]}},
        {"dataframe_records": [{"a": 1.0}]},
        {"dataframe_records": [{"a": 1.0, "b": 2.0, "c": 3.0}]},
        {"dataframe_records": [[1.0, 2.0]]},
        {"dataframe_records": {"a": 1.0}},
        {"dataframe_records": []},
        {"dataframe_split": {"columns": ["a", "b"], "data": [[1.0, 2.0]]}, "params": {}},
        {"instances": [{"a": 1.0, "b": 2.0}]},
        {"inputs": {"a": [1.0], "b": [2.0]}},
        {"dataframe_split": {"columns": ["a", "b"], "data": [[1.0, 2.0]]}, "instances": []},
    ],
    "mixed": [
        {"dataframe_split": {"columns": ["d", "f", "n"], "data": [[1.0, 2.0, 3.5]]}},  # float into long
        {"dataframe_split": {"columns": ["d", "f", "n"], "data": [[1.0, 2.0, 1e300]]}},  # overflow
        {"dataframe_split": {"columns": ["d", "f", "n"], "data": [[1.0, float("nan"), 1]]}},
    ],
}


def answers(pair, body):
    fast, slow = pair
    text = json.dumps(body).encode()
    return fast(KIND_JSON, text), slow(KIND_JSON, text)


@pytest.mark.parametrize("name, index", [(n, i) for n, bodies in FAST_BODIES.items() for i in range(len(bodies))])
def test_fast_road_is_taken_and_agrees(scorers, name, index):
    body = FAST_BODIES[name][index]
    fast, _ = scorers[name]
    assert fast._numeric is not None and fast._numeric.frame(body) is not None
    got, expected = answers(scorers[name], body)
    assert got[0] == expected[0] == 200
    assert json.loads(got[1]) == json.loads(expected[1])


@pytest.mark.parametrize("name, index", [(n, i) for n, bodies in SLOW_BODIES.items() for i in range(len(bodies))])
def test_other_bodies_take_the_general_road(scorers, name, index):
    body = SLOW_BODIES[name][index]
    fast, _ = scorers[name]
    assert fast._numeric.frame(body) is None
    got, expected = answers(scorers[name], body)
    assert got == expected


def test_fast_frame_is_what_enforcement_returns(scorers):
    fast, slow = scorers["mixed"]
    body = split(MIXED)
    frame = fast._numeric.frame(body)
    data, params, _ = slow.parse(KIND_JSON, json.dumps(body))
    enforced = slow.model._prepare(data, params)[0]
    pd.testing.assert_frame_equal(frame, enforced)
    assert [str(t) for t in frame.dtypes] == ["float64", "float32", "int64"]


def test_fast_road_needs_a_plain_numeric_signature(tmp_path):
    text = pd.DataFrame({"a": [1.0], "s": ["x"]})

    class Echo(workbench.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input

    workbench.pyfunc.save_model(tmp_path / "text", python_model=Echo(), input_example=text)
    assert RequestScorer(workbench.pyfunc.load_model(tmp_path / "text"))._numeric is None
    workbench.pyfunc.save_model(tmp_path / "params", python_model=Echo(), input_example=(X.head(1), {"k": 1}))
    assert RequestScorer(workbench.pyfunc.load_model(tmp_path / "params"))._numeric is None
    workbench.pyfunc.save_model(tmp_path / "plain", python_model=Echo(), input_example=X.head(1))
    assert RequestScorer(workbench.pyfunc.load_model(tmp_path / "plain"))._numeric.names == ["a", "b"]
