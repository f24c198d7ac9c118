"""The public face of workbench.pyfunc: names, laziness, log_model."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import workbench.pyfunc
from workbench import WorkbenchException

EXPECTED = [
    "PyFuncModel",
    "PythonModel",
    "PythonModelContext",
    "add_to_model",
    "load_model",
    "log_model",
    "save_model",
]


def test_all_is_sorted_and_complete():
    assert workbench.pyfunc.__all__ == EXPECTED
    for name in EXPECTED:
        assert getattr(workbench.pyfunc, name) is not None


def test_public_names_are_documented():
    for name in EXPECTED:
        assert inspect.getdoc(getattr(workbench.pyfunc, name)), name


def test_save_model_has_mlflows_parameters_in_order():
    names = list(inspect.signature(workbench.pyfunc.save_model).parameters)
    assert names[:17] == [
        "path", "loader_module", "data_path", "code_paths", "infer_code_paths", "conda_env",
        "mlflow_model", "python_model", "artifacts", "signature", "input_example",
        "pip_requirements", "extra_pip_requirements", "metadata", "model_config", "streamable",
        "resources",
    ]


def test_load_model_signature():
    parameters = inspect.signature(workbench.pyfunc.load_model).parameters
    assert list(parameters) == ["model_uri", "suppress_warnings", "dst_path", "model_config", "trusted"]
    assert parameters["trusted"].kind is inspect.Parameter.KEYWORD_ONLY


def test_log_model_refuses_both_names():
    with pytest.raises(WorkbenchException, match="Please only specify `name`") as info:
        workbench.pyfunc.log_model(artifact_path="model", name="model", python_model="agent.py")
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_importing_pyfunc_is_light():
    code = (
        "import sys, workbench.pyfunc\n"
        "heavy = [m for m in ('sklearn', 'IPython', 'plotly', 'mlflow', 'cloudpickle', 'scipy') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
