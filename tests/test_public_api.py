"""Guards the public surface: sorted ``__all__``, every name importable, light imports."""

import importlib
import subprocess
import sys

import pytest

PUBLIC = {
    "workbench": [
        "ActiveRun",
        "ComparisonResult",
        "MetricThreshold",
        "Run",
        "RunData",
        "RunInfo",
        "WorkbenchException",
        "__version__",
        "active_run",
        "compare",
        "delete_run",
        "end_run",
        "evaluate",
        "get_run",
        "get_workspace",
        "last_active_run",
        "load_evaluation",
        "log_artifact",
        "log_artifacts",
        "log_dict",
        "log_evaluation",
        "log_metric",
        "log_metrics",
        "log_param",
        "log_params",
        "log_text",
        "search_runs",
        "set_tag",
        "set_tags",
        "set_workspace",
        "start_run",
        "validate_evaluation_results",
    ],
    "workbench.serving": ["create_app", "serve"],
    "workbench.evaluation": [
        "CalibrationCurve", "ComparisonResult", "ConfusionMatrix", "CsvEvaluationArtifact",
        "DetCurve", "EvaluationArtifact", "EvaluationDataset", "EvaluationMetric",
        "EvaluationResult", "Explanation", "GainsCurve", "ImageEvaluationArtifact",
        "JsonEvaluationArtifact", "LiftCurve", "MetricThreshold", "MetricValue", "ModelEvaluator",
        "ModelValidationFailedException", "NumpyEvaluationArtifact", "ParquetEvaluationArtifact",
        "PerClassMetrics", "PrecisionRecallCurve", "ResidualSummary", "RocCurve",
        "TextEvaluationArtifact", "ThresholdTable", "compare", "evaluate", "list_evaluators",
        "load_evaluation", "log_evaluation", "make_metric", "validate_evaluation_results",
    ],
    "workbench.metrics": [
        "EvaluationMetric", "MetricValue", "exact_match", "f1_score", "mae", "make_metric", "mape",
        "max_error", "mse", "ndcg_at_k", "precision_at_k", "precision_score", "r2_score",
        "recall_at_k", "recall_score", "rmse",
    ],
    "workbench.models": [
        "EvaluationArtifact", "EvaluationMetric", "EvaluationResult", "FlavorBackend",
        "MetricThreshold", "Model", "ModelConfig", "ModelInfo", "ModelSignature", "Resource",
        "ResourceType", "SignatureDiff", "build_docker", "convert_input_example_to_serving_input",
        "diff_signatures", "evaluate", "get_model_info", "infer_pip_requirements",
        "infer_signature", "list_evaluators", "make_metric", "predict", "set_model",
        "set_retriever_schema", "set_signature", "update_model_requirements", "validate_schema",
        "validate_serving_input",
    ],
    "workbench.models.signature": ["ModelSignature", "infer_signature"],
    "workbench.pyfunc": [
        "PyFuncModel", "PythonModel", "PythonModelContext", "add_to_model", "load_model",
        "log_model", "save_model",
    ],
    "workbench.sklearn": [
        "FLAVOR_NAME", "SERIALIZATION_FORMAT_CLOUDPICKLE", "SERIALIZATION_FORMAT_PICKLE",
        "SERIALIZATION_FORMAT_SKOPS", "SUPPORTED_SERIALIZATION_FORMATS", "get_default_conda_env",
        "get_default_pip_requirements", "load_model", "log_model", "save_model",
    ],
    "workbench.types": [
        "AnyType", "Array", "ColSpec", "DataType", "Map", "Object", "ParamSchema",
        "ParamSpec", "Property", "Schema", "TensorSpec",
    ],
    "workbench.types.schema": [
        "AnyType", "Array", "ColSpec", "DataType", "Map", "Object", "ParamSchema",
        "ParamSpec", "Property", "Schema", "TensorSpec", "convert_dataclass_to_schema",
    ],
}


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_all_is_sorted_and_exact(module_name):
    module = importlib.import_module(module_name)
    assert module.__all__ == sorted(module.__all__)
    assert module.__all__ == PUBLIC[module_name]


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_every_public_name_resolves(module_name):
    module = importlib.import_module(module_name)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
        value = getattr(module, name)
        if callable(value) and not name.startswith("_"):
            assert value.__module__.startswith("workbench"), name


def test_submodules_are_reachable_from_the_top():
    import workbench

    assert workbench.models.ModelSignature.__name__ == "ModelSignature"
    assert workbench.types.DataType.long.name == "long"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        workbench.nope  # noqa: B018


def test_import_is_light():
    code = (
        "import sys, workbench, workbench.models, workbench.types, workbench.evaluation, "
        "workbench.pyfunc, workbench.sklearn; "
        "from workbench.models import ModelSignature, infer_signature, validate_schema; "
        "heavy = {'IPython', 'ipywidgets', 'plotly', 'mlflow', 'sklearn', 'click', 'fastapi'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
