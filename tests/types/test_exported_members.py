"""The public surface of workbench.types: exactly these names, sorted, and light to import."""

import subprocess
import sys

import workbench.types

EXPECTED = [
    "AnyType", "Array", "ColSpec", "DataType", "Map", "Object", "ParamSchema", "ParamSpec",
    "Property", "Schema", "TensorSpec",
]


def test_all_is_sorted_and_exact():
    assert workbench.types.__all__ == sorted(EXPECTED)
    for name in EXPECTED:
        assert getattr(workbench.types, name).__module__.startswith("workbench.types._")


def test_import_needs_neither_mlflow_nor_scipy():
    code = (
        "import sys, workbench.types; "
        "bad = [m for m in ('mlflow', 'scipy', 'sklearn', 'pyspark') if m in sys.modules]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
