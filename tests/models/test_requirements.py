"""Environment files (requirements.txt, python_env.yaml, conda.yaml) and update_model_requirements."""

import importlib.metadata
import logging
import sys

import pytest
import yaml

from workbench import WorkbenchException
from workbench.models._requirements import (
    PYTHON_VERSION,
    default_requirements_for,
    deduplicate_requirements,
    parse_pip_requirements,
    pinned,
    update_model_requirements,
    write_environment,
)

PY = "%d.%d.%d" % sys.version_info[:3]


def _version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _build(name):
    version = _version(name)
    return f"{name}=={version}" if version else name


PIP = _version("pip")
BUILD = "".join(f"- {_build(name)}\n" for name in ("pip", "setuptools", "wheel"))


def _read(path):
    return path.read_text(encoding="utf-8")


# ------------------------------------------------------------------ exact file contents


def test_write_environment_exact_files(tmp_path):
    write_environment(tmp_path, default_requirements=["scikit-learn==1.9.1", "skops==0.16.0"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "conda.yaml",
        "python_env.yaml",
        "requirements.txt",
    ]
    assert _read(tmp_path / "requirements.txt") == "scikit-learn==1.9.1\nskops==0.16.0"
    assert _read(tmp_path / "python_env.yaml") == (
        f"python: {PY}\nbuild_dependencies:\n{BUILD}dependencies:\n- -r requirements.txt\n"
    )
    assert _read(tmp_path / "conda.yaml") == (
        "channels:\n"
        "- conda-forge\n"
        "dependencies:\n"
        f"- python={PY}\n"
        f"- pip<={PIP}\n"
        "- pip:\n"
        "  - scikit-learn==1.9.1\n"
        "  - skops==0.16.0\n"
        "name: mlflow-env\n"
    )


def test_no_mlflow_pin_is_added_and_a_given_one_is_kept(tmp_path):
    write_environment(tmp_path, default_requirements=["cloudpickle==3.1.3"])
    assert "mlflow" not in _read(tmp_path / "requirements.txt")
    other = tmp_path / "other"
    other.mkdir()
    write_environment(other, default_requirements=[], pip_requirements=["mlflow==3.17.2", "numpy"])
    assert _read(other / "requirements.txt") == "mlflow==3.17.2\nnumpy"


def test_extra_pip_requirements_are_appended_and_deduplicated(tmp_path):
    write_environment(
        tmp_path,
        default_requirements=["scikit-learn==1.9.1", "pandas"],
        extra_pip_requirements=["pandas>=2", "requests"],
    )
    assert _read(tmp_path / "requirements.txt") == "scikit-learn==1.9.1\npandas>=2\nrequests"


def test_pip_requirements_replace_the_defaults(tmp_path):
    write_environment(tmp_path, default_requirements=["scikit-learn==1.9.1"], pip_requirements=["numpy"])
    assert _read(tmp_path / "requirements.txt") == "numpy"
    conda = yaml.safe_load(_read(tmp_path / "conda.yaml"))
    assert conda["dependencies"][-1] == {"pip": ["numpy"]}


def test_empty_requirements_write_no_pip_in_conda(tmp_path):
    write_environment(tmp_path, default_requirements=[], pip_requirements=[])
    assert _read(tmp_path / "requirements.txt") == ""
    assert yaml.safe_load(_read(tmp_path / "conda.yaml"))["dependencies"] == [
        f"python={PY}",
        {"pip": []},
    ]


def test_requirements_file_path_and_r_references(tmp_path, monkeypatch):
    reqs = tmp_path / "in"
    reqs.mkdir()
    (reqs / "base.txt").write_text("numpy==2.0.0  # pinned\n\n# comment\npandas\\\n>=2\n")
    (reqs / "main.txt").write_text("-r base.txt\n-c cons.txt\nscikit-learn\n")
    (reqs / "cons.txt").write_text("scipy<2\n")
    out = tmp_path / "model"
    out.mkdir()
    write_environment(out, default_requirements=["x"], pip_requirements=str(reqs / "main.txt"))
    assert _read(out / "requirements.txt") == (
        "numpy==2.0.0\npandas>=2\nscikit-learn\n-c constraints.txt"
    )
    assert _read(out / "constraints.txt") == "scipy<2"
    # In a list, "-r file" is read relative to the current directory (as MLflow does).
    monkeypatch.chdir(reqs)
    assert parse_pip_requirements(["-r base.txt", "requests"]) == (
        ["numpy==2.0.0", "pandas>=2", "requests"],
        [],
    )


def test_missing_requirements_file_is_a_clear_error(tmp_path):
    with pytest.raises(WorkbenchException, match="Could not read the requirements file") as err:
        write_environment(tmp_path, default_requirements=[], pip_requirements=str(tmp_path / "nope.txt"))
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_self_referencing_requirements_file_is_refused(tmp_path):
    (tmp_path / "loop.txt").write_text("-r loop.txt\n")
    with pytest.raises(WorkbenchException, match="references itself"):
        parse_pip_requirements(str(tmp_path / "loop.txt"))


def test_root_confines_references_to_the_model(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (tmp_path / "secret.txt").write_text("evil\n")
    with pytest.raises(WorkbenchException, match="Refusing path"):
        parse_pip_requirements(["-r ../secret.txt"], base_dir=str(model), root=str(model))
    with pytest.raises(WorkbenchException, match="Refusing path"):
        parse_pip_requirements([f"-r {tmp_path / 'secret.txt'}"], base_dir=str(model), root=str(model))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"pip_requirements": ["a"], "extra_pip_requirements": ["b"]},
        {"pip_requirements": ["a"], "conda_env": {"dependencies": []}},
        {"extra_pip_requirements": ["a"], "conda_env": {"dependencies": []}},
    ],
)
def test_only_one_source_of_requirements(tmp_path, kwargs):
    with pytest.raises(WorkbenchException, match="Only one of `conda_env`, `pip_requirements`") as err:
        write_environment(tmp_path, default_requirements=[], **kwargs)
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert list(tmp_path.iterdir()) == []


def test_conda_env_as_dict_and_as_path(tmp_path):
    env = {
        "name": "mine",
        "channels": ["defaults"],
        "dependencies": ["python=3.11", "numpy", {"pip": ["scikit-learn==1.9.1"]}],
    }
    model = tmp_path / "model"
    model.mkdir()
    write_environment(model, default_requirements=["ignored"], conda_env=env)
    assert yaml.safe_load(_read(model / "conda.yaml")) == env
    assert _read(model / "requirements.txt") == "scikit-learn==1.9.1"
    path = tmp_path / "env.yaml"
    path.write_text(yaml.safe_dump({**env, "dependencies": ["python=3.11"]}))
    again = tmp_path / "again"
    again.mkdir()
    write_environment(again, default_requirements=["ignored"], conda_env=str(path))
    # a conda env without pip dependencies gets an empty pip section, as MLflow writes it
    assert yaml.safe_load(_read(again / "conda.yaml")) == {
        "name": "mine",
        "channels": ["defaults"],
        "dependencies": ["python=3.11", {"pip": []}],
    }
    assert _read(again / "requirements.txt") == ""


def test_conda_env_constraints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.txt").write_text("scipy<2")
    model = tmp_path / "model"
    model.mkdir()
    env = {"dependencies": [{"pip": ["scikit-learn==1.9.1", "-c c.txt"]}]}
    write_environment(model, default_requirements=[], conda_env=env)
    assert yaml.safe_load(_read(model / "conda.yaml")) == {
        "dependencies": [{"pip": ["scikit-learn==1.9.1", "-c constraints.txt"]}]
    }
    assert _read(model / "constraints.txt") == "scipy<2"


@pytest.mark.parametrize("bad", [42, ["ok", 3]])
def test_wrong_types_are_refused(tmp_path, bad):
    with pytest.raises(WorkbenchException, match="Expected pip requirements as the path"):
        write_environment(tmp_path, default_requirements=[], pip_requirements=bad)
    with pytest.raises(WorkbenchException, match="Expected conda_env as the path"):
        write_environment(tmp_path, default_requirements=[], conda_env=42)


def test_write_into_missing_directory(tmp_path):
    with pytest.raises(WorkbenchException, match="Expected an existing model directory"):
        write_environment(tmp_path / "nope", default_requirements=[])


def test_deduplicate_merges_and_refuses_conflicts():
    assert deduplicate_requirements(["a[x]>1", "A[y]<3", "b", "./local.whl", "./local.whl"]) == [
        "a[x,y]<3,>1",
        "b",
        "./local.whl",
    ]
    with pytest.raises(WorkbenchException, match="Conflicting requirements for 'numpy'"):
        deduplicate_requirements(["numpy==1.0", "numpy>=2"])


# ------------------------------------------------------------------ pins


def test_pinned_and_defaults():
    sk = importlib.metadata.version("scikit-learn")
    assert pinned("scikit-learn", module="sklearn") == f"scikit-learn=={sk}"
    assert pinned("pandas[performance]").startswith("pandas[performance]==")
    assert default_requirements_for("sklearn") == [f"scikit-learn=={sk}"]
    assert default_requirements_for("sklearn", serialization_format="pickle") == [f"scikit-learn=={sk}"]
    cp = importlib.metadata.version("cloudpickle")
    assert default_requirements_for("sklearn", serialization_format="cloudpickle") == [
        f"scikit-learn=={sk}",
        f"cloudpickle=={cp}",
    ]
    assert default_requirements_for("python_function") == [f"cloudpickle=={cp}"]
    with pytest.raises(WorkbenchException, match="Unknown sklearn serialization_format 'joblib'"):
        default_requirements_for("sklearn", serialization_format="joblib")


def test_pinned_drops_a_local_version_label(monkeypatch, caplog):
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "2.1.0+cu121")
    with caplog.at_level(logging.WARNING, logger="workbench.models"):
        assert pinned("torch") == "torch==2.1.0"
    assert "local version label (+cu121)" in caplog.text


def test_pinned_refuses_a_bad_name():
    with pytest.raises(WorkbenchException, match="Expected a package name"):
        pinned("not a name!")


def test_python_version_constant():
    assert PYTHON_VERSION == PY


# ------------------------------------------------------------------ update_model_requirements


@pytest.fixture
def model_dir(tmp_path):
    write_environment(
        tmp_path,
        default_requirements=["scikit-learn==1.9.1", "numpy==2.0.0", "pandas>=2"],
    )
    return tmp_path


def _pip_of_conda(model_dir):
    return yaml.safe_load(_read(model_dir / "conda.yaml"))["dependencies"][-1]["pip"]


def test_add_overwrites_overlapping_and_appends_others(model_dir):
    update_model_requirements(str(model_dir), "add", ["NumPy==2.4.6", "requests>=2"])
    expected = ["scikit-learn==1.9.1", "numpy==2.4.6", "pandas>=2", "requests>=2"]
    assert _read(model_dir / "requirements.txt") == "\n".join(expected)
    assert _pip_of_conda(model_dir) == expected


def test_add_compares_normalised_names(model_dir):
    update_model_requirements(model_dir, "add", ["Scikit_Learn==1.9.2"])
    assert _read(model_dir / "requirements.txt").splitlines()[0] == "scikit_learn==1.9.2"


def test_remove_ignores_specifiers_and_missing_packages(model_dir, caplog):
    with caplog.at_level(logging.WARNING, logger="workbench.models"):
        update_model_requirements(model_dir, "remove", ["numpy>=99", "not-there"])
    assert _read(model_dir / "requirements.txt") == "scikit-learn==1.9.1\npandas>=2"
    assert _pip_of_conda(model_dir) == ["scikit-learn==1.9.1", "pandas>=2"]
    assert '"not-there" not found in requirements, ignoring' in caplog.text


def test_update_keeps_other_conda_content_and_non_requirement_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.txt").write_text("scipy<2")
    model = tmp_path / "m"
    model.mkdir()
    write_environment(model, default_requirements=[], pip_requirements=["numpy", "-c c.txt"])
    update_model_requirements(model, "add", ["pandas"])
    assert _read(model / "requirements.txt") == "numpy\n-c constraints.txt\npandas"
    conda = yaml.safe_load(_read(model / "conda.yaml"))
    assert conda["name"] == "mlflow-env" and conda["dependencies"][0] == f"python={PY}"


@pytest.mark.parametrize("operation", ["update", "ADD", None])
def test_invalid_operation(model_dir, operation):
    with pytest.raises(WorkbenchException, match="Expected operation 'add' or 'remove'"):
        update_model_requirements(model_dir, operation, ["numpy"])


@pytest.mark.parametrize("bad", [["numpy==="], ["-r other.txt"], ["ok", 3]])
def test_malformed_requirement(model_dir, bad):
    before = _read(model_dir / "requirements.txt")
    with pytest.raises(WorkbenchException, match="Found invalid requirements") as err:
        update_model_requirements(model_dir, "add", bad)
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert _read(model_dir / "requirements.txt") == before


def test_requirement_list_must_be_a_list(model_dir):
    with pytest.raises(WorkbenchException, match="Expected requirement_list as a list"):
        update_model_requirements(model_dir, "add", "numpy==2")


@pytest.mark.parametrize("uri", ["models:/churn/3", "models:/churn@champion", "models:/churn/Production"])
def test_registered_model_uris_are_refused(uri):
    with pytest.raises(WorkbenchException, match="registered model version is read-only") as err:
        update_model_requirements(uri, "add", ["numpy"])
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"


def test_runs_uris_are_checked():
    with pytest.raises(WorkbenchException, match="Invalid run id 'abc'"):
        update_model_requirements("runs:/abc/model", "add", ["numpy"])


def test_model_without_files(tmp_path):
    with pytest.raises(WorkbenchException, match="neither requirements.txt nor conda.yaml") as err:
        update_model_requirements(tmp_path, "add", ["numpy"])
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"
