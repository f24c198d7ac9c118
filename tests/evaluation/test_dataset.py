"""EvaluationDataset: construction from frames, arrays and lists; digests; errors."""

import numpy as np
import pandas as pd
import pytest

from workbench import WorkbenchException
from workbench.evaluation import EvaluationDataset


def frame():
    return pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4, 5, 6], "y": [0, 1, 1], "p": [0, 1, 0]})


def test_frame_with_targets_and_predictions():
    ds = EvaluationDataset(frame(), targets="y", predictions="p", name="toy", path="s3://b/k")
    assert ds.feature_names == ["a", "b"]
    assert ds.labels_data.tolist() == [0, 1, 1]
    assert ds.predictions_data.tolist() == [0, 1, 0]
    assert (ds.name, ds.path, ds.n_rows, ds.n_features) == ("toy", "s3://b/k", 3, 2)
    assert ds.targets_name == "y" and ds.predictions_name == "p"
    assert ds.has_targets and ds.has_predictions


def test_features_are_not_copied():
    df = frame()
    ds = EvaluationDataset(df, targets="y")
    assert np.shares_memory(ds.features_data["a"].to_numpy(), df["a"].to_numpy())
    arr = np.arange(12.0).reshape(4, 3)
    ds = EvaluationDataset(arr, targets=[0, 1, 0, 1])
    assert ds.features_data is arr
    assert np.shares_memory(ds.features_frame().to_numpy(), arr)


def test_feature_names_select_columns():
    ds = EvaluationDataset(frame(), targets="y", feature_names=["b"])
    assert ds.feature_names == ["b"] and list(ds.features_data.columns) == ["b"]


def test_default_name_is_mlflow3s():
    assert EvaluationDataset(frame(), targets="y").name == "dataset"


def test_numpy_and_list_data_get_mlflows_feature_names():
    ds = EvaluationDataset(np.zeros((2, 10)), targets=[0, 1])
    assert ds.feature_names[0] == "feature_01" and ds.feature_names[-1] == "feature_10"
    ds = EvaluationDataset([1.0, 2.0, 3.0], targets=[0, 1, 1])  # a flat list: one feature
    assert ds.features_data.shape == (3, 1) and ds.feature_names == ["feature_1"]
    ds = EvaluationDataset([[1, 2], [3, 4]], targets=np.array([0, 1]), feature_names=["u", "v"])
    assert list(ds.features_frame().columns) == ["u", "v"]


def test_probability_columns_are_not_features():
    df = frame().assign(p0=[0.9, 0.2, 0.6], p1=[0.1, 0.8, 0.4])
    ds = EvaluationDataset(df, targets="y", predictions="p", probability_columns=["p0", "p1"])
    assert ds.feature_names == ["a", "b"]
    assert ds.probabilities_data.shape == (3, 2)
    ds = EvaluationDataset(df, targets="y", predictions="p", probability_columns="p1")
    assert ds.probabilities_data.tolist() == [0.1, 0.8, 0.4]


def test_digest_covers_every_row():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(100, 3)), columns=list("abc")).assign(y=rng.integers(0, 2, 100))
    d1 = EvaluationDataset(df, targets="y").digest
    changed = df.copy()
    changed.loc[50, "b"] += 1.0  # a middle row: MLflow's head/tail hash would not see it
    d2 = EvaluationDataset(changed, targets="y").digest
    assert len(d1) == 8 and d1 != d2
    assert EvaluationDataset(df, targets="y").digest == d1  # deterministic
    relabelled = df.assign(y=1 - df["y"])
    assert EvaluationDataset(relabelled, targets="y").digest != d1
    assert EvaluationDataset(df, targets="y").hash == d1


def test_digest_of_unhashable_cells():
    df = pd.DataFrame({"x": [[1, 2], [3]], "y": [0, 1]})
    assert len(EvaluationDataset(df, targets="y").digest) == 8


def test_to_dict():
    d = EvaluationDataset(frame(), targets="y", predictions="p", name="toy").to_dict()
    assert d["name"] == "toy" and d["n_rows"] == 3 and d["feature_names"] == ["a", "b"]
    assert d["targets"] == "y" and d["predictions"] == "p" and d["sampled"] is False


@pytest.mark.parametrize("kwargs, message", [
    ({"targets": "label"}, "The targets column 'label' is not in the data. The data's columns are "
                           "['a', 'b', 'y', 'p']. Pass targets= the name of the column that holds the labels."),
    ({"targets": "y", "predictions": "pred"}, "The predictions column 'pred' is not in the data. "
                                              "The data's columns are ['a', 'b', 'y', 'p']. Pass predictions= the name of the column "
                                              "that holds the model's outputs."),
    ({"targets": ["y"]}, "When data is a DataFrame, targets must be the name of the column"),
    ({"targets": "y", "feature_names": ["a", "a"]}, "feature_names must hold unique names; ['a'] appear more than once."),
    ({"targets": "y", "feature_names": ["zz"]}, "feature_names ['zz'] are not columns of the data."),
    ({"targets": "y", "name": 'a"b'}, 'Dataset name must be a string without double quotes'),
])
def test_frame_errors(kwargs, message):
    with pytest.raises(WorkbenchException) as info:
        EvaluationDataset(frame(), **kwargs)
    assert message in str(info.value)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_close_column_names_are_suggested():
    with pytest.raises(WorkbenchException, match="Did you mean 'label'"):
        EvaluationDataset(pd.DataFrame({"x": [1], "label": [0]}), targets="labels")


@pytest.mark.parametrize("data, kwargs, message", [
    (np.zeros((3, 2)), {"targets": [0, 1]},
     "The data has 3 rows but targets has 2 values; give one label per row."),
    (np.zeros(3), {}, "When data is a numpy array it must be 2-dimensional"),
    (np.zeros((3, 2)), {"targets": "y"}, "targets must be the labels themselves"),
    (np.zeros((3, 2)), {"predictions": "p"}, "A predictions column needs a DataFrame"),
    (np.zeros((3, 2)), {"feature_names": ["a"]}, "feature_names has 1 names but the data has 2 columns"),
    ({"a": [1]}, {}, "The data argument must be a pandas DataFrame, a 2-D numpy array, a list of rows "
                     "or a workbench EvaluationDataset; got builtins.dict. Build a frame with pandas.DataFrame(data)."),
    (pd.Series([1, 2]), {}, "Turn it into a one-column frame with series.to_frame()."),
])
def test_array_and_kind_errors(data, kwargs, message):
    with pytest.raises(WorkbenchException) as info:
        EvaluationDataset(data, **kwargs)
    assert message in str(info.value)
