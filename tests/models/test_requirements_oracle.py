"""MLflow 3.17.2 as the oracle for the environment files and update_model_requirements.

workbench never imports mlflow; these tests do, to check that for the same requirements our
requirements.txt / python_env.yaml / conda.yaml have MLflow's structure and text (modulo the
``mlflow==X`` pin MLflow adds and workbench does not, see workbench.models._requirements), and
that MLflow's update_model_requirements on a copy of our model directory writes what ours does.
"""

import shutil

import pytest
import yaml

import mlflow

from mlflow.utils import environment as mlflow_env  # noqa: E402

from workbench.models._requirements import (  # noqa: E402
    dump_conda_yaml,
    dump_python_env_yaml,
    python_env_dict,
    resolve_environment,
    update_model_requirements,
    write_environment,
)

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")


@pytest.fixture(autouse=True)
def _no_network_checks(monkeypatch, tmp_path):
    # MLflow would ask pip (over the network) whether merged specifiers are compatible.
    monkeypatch.setenv("MLFLOW_SKIP_PIP_REQUIREMENTS_CHECK", "true")
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trust.sqlite"))


def _without_mlflow(requirements):
    return [req for req in requirements if not mlflow_env._is_mlflow_requirement(req)]


CASES = [
    {"default": ["scikit-learn==1.9.1", "skops==0.16.0"]},
    {"default": ["scikit-learn==1.9.1"], "extra": ["pandas>=2", "scikit-learn", "requests[socks]"]},
    {"default": ["cloudpickle==3.1.3"], "pip": ["numpy<3", "numpy>1", "./wheels/x.whl"]},
    {"default": ["cloudpickle==3.1.3"], "pip": []},
]


@pytest.mark.parametrize("case", CASES)
def test_requirements_and_conda_match_mlflow(case):
    kwargs = {"pip_requirements": case.get("pip"), "extra_pip_requirements": case.get("extra")}
    theirs_env, theirs_reqs, theirs_cons = mlflow_env._process_pip_requirements(
        list(case["default"]), **kwargs
    )
    ours_env, ours_reqs, ours_cons = resolve_environment(
        default_requirements=list(case["default"]), **kwargs
    )
    assert ours_reqs == _without_mlflow(theirs_reqs)
    assert ours_cons == theirs_cons
    # conda.yaml: same keys and layout; the pip list differs only by the mlflow pin
    theirs_pip = mlflow_env._get_pip_deps(theirs_env)
    expected = mlflow_env._overwrite_pip_deps(theirs_env, _without_mlflow(theirs_pip))
    if not ours_reqs:
        # MLflow's list always holds its pin, so it always adds "pip<=X"; ours is empty.
        expected["dependencies"] = [d for d in expected["dependencies"] if not str(d).startswith("pip<=")]
    assert ours_env == expected
    assert dump_conda_yaml(ours_env) == yaml.safe_dump(expected, default_flow_style=False)


def test_python_env_yaml_is_mlflows_text(tmp_path):
    mlflow_env._PythonEnv.current().to_yaml(tmp_path / "theirs.yaml")
    assert dump_python_env_yaml(python_env_dict()) == (tmp_path / "theirs.yaml").read_text()


def test_conda_env_input_matches_mlflow(tmp_path):
    env = {
        "name": "custom",
        "channels": ["conda-forge", "defaults"],
        "dependencies": ["python=3.11.7", "pip", {"pip": ["scikit-learn==1.9.1", "pandas"]}],
    }
    theirs_env, theirs_reqs, _ = mlflow_env._process_conda_env(env)
    ours_env, ours_reqs, _ = resolve_environment(default_requirements=[], conda_env=env)
    assert ours_reqs == _without_mlflow(theirs_reqs)
    assert ours_env == mlflow_env._overwrite_pip_deps(theirs_env, _without_mlflow(theirs_reqs))


def test_mlflow_reads_our_files(tmp_path):
    write_environment(tmp_path, default_requirements=["scikit-learn==1.9.1", "skops==0.16.0"])
    python_env = mlflow_env._PythonEnv.from_yaml(tmp_path / "python_env.yaml")
    assert python_env.dependencies == ["-r requirements.txt"]
    assert python_env.to_dict() == python_env_dict()
    deps = mlflow_env._PythonEnv.get_dependencies_from_conda_yaml(tmp_path / "conda.yaml")
    assert deps["dependencies"] == ["scikit-learn==1.9.1", "skops==0.16.0"]
    reqs = mlflow_env._get_requirements_from_file(tmp_path / "requirements.txt")
    assert [str(r) for r in reqs] == ["scikit-learn==1.9.1", "skops==0.16.0"]


@pytest.fixture
def our_model(tmp_path):
    from sklearn.linear_model import LinearRegression

    import workbench.sklearn

    path = tmp_path / "ours"
    workbench.sklearn.save_model(
        LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0]),
        path,
        pip_requirements=["scikit-learn==1.9.1", "numpy==2.0.0", "pandas>=2", "skops==0.16.0"],
    )
    # as written by hand: untouched requirements come back in canonical text in both tools
    for name in ("requirements.txt", "conda.yaml"):
        text = (path / name).read_text()
        (path / name).write_text(text.replace("pandas>=2", "pandas >= 2"))
    return path


UPDATES = [
    ("add", ["numpy==2.4.6", "requests>=2.0"]),
    ("add", ["Pandas<4"]),
    ("add", ["scikit-learn[alldeps]==1.9.1", "scikit-learn>=1.0"]),
    ("remove", ["numpy>=99", "pandas", "not-there"]),
]


@pytest.mark.parametrize(("operation", "requirements"), UPDATES)
def test_update_model_requirements_matches_mlflow(our_model, tmp_path, operation, requirements):
    theirs = tmp_path / "theirs"
    shutil.copytree(our_model, theirs)
    mlflow.models.update_model_requirements(str(theirs), operation, list(requirements))
    update_model_requirements(our_model, operation, list(requirements))
    for name in ("requirements.txt", "conda.yaml", "python_env.yaml", "MLmodel"):
        assert (our_model / name).read_text() == (theirs / name).read_text(), name
