"""workbench.sklearn: MLflow's names, a sorted ``__all__`` and a light import."""

import inspect
import subprocess
import sys

import pytest

import workbench.sklearn

PUBLIC = [
    "FLAVOR_NAME",
    "SERIALIZATION_FORMAT_CLOUDPICKLE",
    "SERIALIZATION_FORMAT_PICKLE",
    "SERIALIZATION_FORMAT_SKOPS",
    "SUPPORTED_SERIALIZATION_FORMATS",
    "get_default_conda_env",
    "get_default_pip_requirements",
    "load_model",
    "log_model",
    "save_model",
]


def test_all_is_sorted_and_exact():
    assert workbench.sklearn.__all__ == sorted(workbench.sklearn.__all__) == PUBLIC


def test_every_name_resolves_and_is_ours():
    for name in PUBLIC:
        value = getattr(workbench.sklearn, name)
        if callable(value):
            assert value.__module__.startswith("workbench"), name
    assert set(PUBLIC) <= set(dir(workbench.sklearn))
    with pytest.raises(AttributeError, match="has no attribute 'autolog'"):
        workbench.sklearn.autolog  # noqa: B018


def test_constants_are_mlflows():
    assert workbench.sklearn.FLAVOR_NAME == "sklearn"
    assert (
        workbench.sklearn.SERIALIZATION_FORMAT_SKOPS,
        workbench.sklearn.SERIALIZATION_FORMAT_PICKLE,
        workbench.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
    ) == ("skops", "pickle", "cloudpickle")
    assert workbench.sklearn.SUPPORTED_SERIALIZATION_FORMATS == ["skops", "pickle", "cloudpickle"]


def _parameters(func):
    return [(p.name, p.default, p.kind) for p in inspect.signature(func).parameters.values()]


@pytest.mark.parametrize("name", ["save_model", "log_model", "get_default_pip_requirements", "get_default_conda_env"])
def test_signatures_match_mlflow(name):
    import mlflow.sklearn as mlflow_sklearn
    ours = _parameters(getattr(workbench.sklearn, name))
    theirs = _parameters(getattr(mlflow_sklearn, name))
    assert [p[0] for p in ours] == [p[0] for p in theirs]
    assert [p[2] for p in ours] == [p[2] for p in theirs]
    # defaults equal too (serialization_format=None means skops, as in MLflow outside Databricks)
    assert [p[1] for p in ours] == [p[1] for p in theirs]


def test_load_model_adds_only_keyword_only_trust_arguments():
    import mlflow.sklearn

    ours = _parameters(workbench.sklearn.load_model)
    theirs = _parameters(mlflow.sklearn.load_model)
    assert ours[: len(theirs)] == theirs
    assert [(p[0], p[1], p[2].name) for p in ours[len(theirs):]] == [
        ("trusted", None, "KEYWORD_ONLY"),
        ("skops_trusted_types", None, "KEYWORD_ONLY"),
    ]


def test_import_is_light():
    code = (
        "import sys, workbench.sklearn; "
        "workbench.sklearn.FLAVOR_NAME; workbench.sklearn.save_model; "
        "heavy = {'skops', 'cloudpickle', 'sklearn', 'mlflow'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
