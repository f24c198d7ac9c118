"""ModelConfig and the model_config of pyfunc models (the seed's examples, MLflow's rules)."""

from __future__ import annotations

import pytest

from workbench import WorkbenchException
from workbench.models._config import (
    ModelConfig,
    ModelConfigNotFoundError,
    check_model_config,
    config_context,
    overridden_config,
    read_config_file,
)


def test_from_a_dict():
    config = ModelConfig(development_config={"key1": "value1"})
    assert config.get("key1") == "value1"
    assert config.to_dict() == {"key1": "value1"}


def test_from_a_yaml_file(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("key1: value1\nanother_key:\n    - value2\n    - value3\n")
    config = ModelConfig(development_config=str(path))
    assert config.get("key1") == "value1"
    assert config.get("another_key") == ["value2", "value3"]
    assert ModelConfig(development_config=path).to_dict()["key1"] == "value1"


def test_the_file_is_read_at_each_get(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("k: 1\n")
    config = ModelConfig(development_config=str(path))
    path.write_text("k: 2\n")
    assert config.get("k") == 2


def test_missing_key_is_a_key_error():
    with pytest.raises(KeyError, match="Key 'nope' not found in configuration: {'a': 1}."):
        ModelConfig(development_config={"a": 1}).get("nope")


@pytest.mark.parametrize("development_config", [None, {}, ""])
def test_no_configuration_is_a_file_not_found_error(development_config):
    with pytest.raises(FileNotFoundError, match="No configuration was given to ModelConfig") as info:
        ModelConfig(development_config=development_config)
    assert isinstance(info.value, WorkbenchException)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_missing_file(tmp_path):
    with pytest.raises(ModelConfigNotFoundError, match=r"Config file '.*nope.yaml' not found"):
        ModelConfig(development_config=str(tmp_path / "nope.yaml"))


def test_invalid_yaml(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1, 2\n")
    config = ModelConfig(development_config=str(path))
    with pytest.raises(WorkbenchException, match="Error parsing YAML file") as info:
        config.get("a")
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_yaml_tags_are_not_executed(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("a: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(WorkbenchException, match="Error parsing YAML file"):
        read_config_file(path)


def test_the_saved_configuration_overrides_the_development_one():
    with config_context({"key1": "value2"}):
        assert ModelConfig(development_config={"key1": "value1"}).get("key1") == "value2"
        assert ModelConfig().get("key1") == "value2"
    assert ModelConfig(development_config={"key1": "value1"}).get("key1") == "value1"


def test_a_model_saved_without_configuration_raises_when_it_reads_one():
    with config_context(None):
        with pytest.raises(FileNotFoundError, match="saved\\) without a model_config"):
            ModelConfig(development_config={"key1": "value1"})


def test_the_context_is_restored_after_an_error():
    with pytest.raises(RuntimeError):
        with config_context({"a": 1}):
            raise RuntimeError
    assert ModelConfig(development_config={"a": 2}).get("a") == 2


def test_check_model_config(tmp_path):
    assert check_model_config(None) is None
    assert check_model_config({}) is None
    assert check_model_config({"a": [1, {"b": None}]}) == {"a": [1, {"b": None}]}
    path = tmp_path / "c.yaml"
    path.write_text("a: 1\n")
    assert check_model_config(str(path)) == {"a": 1}
    assert check_model_config(path) == {"a": 1}
    with pytest.raises(WorkbenchException, match="does not exist"):
        check_model_config(str(tmp_path / "missing.yaml"))
    with pytest.raises(WorkbenchException, match="JSON-serialisable"):
        check_model_config({"a": object()})
    with pytest.raises(WorkbenchException, match="dict with str keys"):
        check_model_config([1, 2])


def test_overridden_config_only_takes_known_keys(caplog, tmp_path):
    assert overridden_config({"a": 1, "b": 2}, {"a": 5, "c": 9}) == {"a": 5, "b": 2}
    assert "c" in caplog.text
    assert overridden_config(None, {"a": 1}) is None
    assert "saved without a model_config" in caplog.text
    path = tmp_path / "o.yaml"
    path.write_text("b: 3\n")
    assert overridden_config({"a": 1, "b": 2}, str(path)) == {"a": 1, "b": 3}
    assert overridden_config({"a": 1}, {}) == {"a": 1}
