"""Guards the public surface: sorted ``__all__``, every name importable, light imports."""

import importlib
import subprocess
import sys

import pytest

PUBLIC = {
    "workbench": ["WorkbenchException", "__version__"],
    "workbench.models": [
        "Model",
        "ModelInfo",
        "ModelSignature",
        "Resource",
        "ResourceType",
        "SignatureDiff",
        "convert_input_example_to_serving_input",
        "diff_signatures",
        "get_model_info",
        "infer_signature",
        "set_retriever_schema",
        "validate_schema",
    ],
    "workbench.models.signature": ["ModelSignature", "infer_signature"],
    "workbench.types.schema": [
        "AnyType", "Array", "ColSpec", "DataType", "Map", "Object", "ParamSchema",
        "ParamSpec", "Property", "Schema", "TensorSpec", "convert_dataclass_to_schema",
    ],
    "workbench.types": [
        "AnyType", "Array", "ColSpec", "DataType", "Map", "Object", "ParamSchema",
        "ParamSpec", "Property", "Schema", "TensorSpec",
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
        if not name.startswith("_"):
            assert getattr(module, name).__module__.startswith("workbench"), name


def test_submodules_are_reachable_from_the_top():
    import workbench

    assert workbench.models.ModelSignature.__name__ == "ModelSignature"
    assert workbench.types.DataType.long.name == "long"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        workbench.nope  # noqa: B018


def test_import_is_light():
    code = (
        "import sys, workbench, workbench.models, workbench.types; "
        "from workbench.models import ModelSignature, infer_signature, validate_schema; "
        "heavy = {'IPython', 'ipywidgets', 'plotly', 'mlflow', 'sklearn', 'click', 'fastapi'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
