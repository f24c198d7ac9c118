"""Files given on the command line: data tables, --config, --thresholds."""

from __future__ import annotations

import json

import click
import pandas as pd
import pytest

from workbench.cli import _inputs
from workbench.evaluation import MetricThreshold


def test_read_data_csv_and_parquet_give_the_same_frame(files):
    csv = _inputs.read_data(str(files["csv"]))
    parquet = _inputs.read_data(str(files["parquet"]))
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)
    assert list(csv.columns)[-1] == "label" and len(csv) == len(files["frame"])


@pytest.mark.parametrize("name", ["data.txt", "data.xlsx", "data"])
def test_read_data_refuses_other_suffixes(tmp_path, name):
    path = tmp_path / name
    path.write_text("a,b\n1,2\n")
    with pytest.raises(click.BadParameter, match=r"expected a \.csv or \.parquet file, got"):
        _inputs.read_data(str(path))


def test_read_data_says_what_is_wrong_with_a_file(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(click.BadParameter, match=r"cannot read '.*bad\.parquet' as Parquet"):
        _inputs.read_data(str(bad))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(click.BadParameter, match=r"cannot read '.*empty\.csv' as CSV"):
        _inputs.read_data(str(empty))


def test_read_config_inline_and_files(tmp_path):
    assert _inputs.read_config('{"pos_label": 1, "average": "macro"}') == {"pos_label": 1, "average": "macro"}
    (tmp_path / "c.json").write_text(json.dumps({"pos_label": 0}))
    (tmp_path / "c.yaml").write_text("pos_label: 0\nlog_model_explainability: false\n")
    assert _inputs.read_config(str(tmp_path / "c.json")) == {"pos_label": 0}
    assert _inputs.read_config(str(tmp_path / "c.yaml")) == {"pos_label": 0, "log_model_explainability": False}


@pytest.mark.parametrize(
    ("text", "message"),
    [("{pos_label: 1}", "not valid JSON"), ("no-such-file.yaml", "expected inline JSON of an object or the path")],
)
def test_read_config_errors(text, message):
    with pytest.raises(click.BadParameter, match=message) as info:
        _inputs.read_config(text)
    assert "--config" in info.value.format_message() or info.value.param_hint == "--config"


def test_read_config_refuses_a_file_without_a_mapping(tmp_path):
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(click.BadParameter, match="must hold a mapping .* got list"):
        _inputs.read_config(str(tmp_path / "list.yaml"))


def test_read_thresholds_json_and_yaml_agree(tmp_path):
    spec = {"roc_auc": {"threshold": 0.8, "greater_is_better": True},
            "log_loss": {"min_absolute_change": 0.01, "min_relative_change": 0, "greater_is_better": False}}
    (tmp_path / "g.json").write_text(json.dumps(spec))
    (tmp_path / "g.yml").write_text(
        "roc_auc: {threshold: 0.8, greater_is_better: true}\n"
        "log_loss:\n  min_absolute_change: 0.01\n  min_relative_change: 0\n  greater_is_better: false\n"
    )
    expected = {
        "roc_auc": MetricThreshold(threshold=0.8, greater_is_better=True),
        "log_loss": MetricThreshold(min_absolute_change=0.01, min_relative_change=0.0, greater_is_better=False),
    }
    assert _inputs.read_thresholds(str(tmp_path / "g.json")) == expected
    assert _inputs.read_thresholds(str(tmp_path / "g.yml")) == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{}", "names no metric"),
        ('{"roc_auc": 0.8}', "metric 'roc_auc' must map to an object of threshold, min_absolute_change"),
        ('{"roc_auc": {"threshold": 0.8, "higher": true}}', "unknown key\\(s\\) higher"),
        ('{"roc_auc": {"threshold": 0.8}}', "metric 'roc_auc': Could not instantiate MetricThreshold class: "
                                            "`greater_is_better` parameter must be defined."),
        ('{"roc_auc": {"threshold": "high", "greater_is_better": true}}', "`threshold` parameter must be a number"),
        ('{"roc_auc": {"threshold": 0.8, "greater_is_better": true', "is not valid JSON"),
        ("[1, 2]", "must hold a mapping"),
    ],
)
def test_read_thresholds_errors(tmp_path, content, message):
    path = tmp_path / "gates.json"
    path.write_text(content)
    with pytest.raises(click.BadParameter, match=message):
        _inputs.read_thresholds(str(path))
