"""Building model environments: what is installed, where, how, and under concurrency (no network)."""

import importlib.metadata
import json
import os
import pathlib
import sys
import threading
import time

import pytest
import yaml

import workbench.models._env as env_module
from workbench import WorkbenchException
from workbench.models import Model
from workbench.models._env import (
    EnvSpec,
    build_env,
    check_env_manager,
    child_environment,
    env_python,
    env_root,
    env_spec,
    prepare_env,
    read_python_env,
    workbench_install_args,
)
from workbench.models._requirements import write_environment

PY = "%d.%d.%d" % sys.version_info[:3]


@pytest.fixture(autouse=True)
def isolated_root(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_ENV_ROOT", str(tmp_path / "envs"))
    monkeypatch.delenv("WORKBENCH_INSTALL_SOURCE", raising=False)
    return tmp_path / "envs"


@pytest.fixture
def model_dir(tmp_path):
    path = tmp_path / "model"
    path.mkdir()
    Model(flavors={"python_function": {"loader_module": "mlflow.sklearn"}}).save(path)
    write_environment(path, default_requirements=["scikit-learn==1.9.1", "skops==0.16.0"])
    return path


# ------------------------------------------------------------------ arguments


def test_check_env_manager():
    for name in ("local", "virtualenv", "uv"):
        assert check_env_manager(name) == name
    with pytest.raises(WorkbenchException, match="not supported by workbench") as err:
        check_env_manager("conda")
    assert err.value.error_code == "NOT_IMPLEMENTED"
    with pytest.raises(WorkbenchException, match="Must be one of 'local', 'virtualenv', 'uv'"):
        check_env_manager("pipenv")


def test_env_root(monkeypatch, tmp_path):
    assert env_root() == tmp_path / "envs"
    monkeypatch.setenv("WORKBENCH_ENV_ROOT", "~/somewhere")
    assert env_root() == pathlib.Path.home() / "somewhere"
    monkeypatch.delenv("WORKBENCH_ENV_ROOT")
    assert env_root() == pathlib.Path.home() / ".cache" / "workbench" / "envs"


def test_local_is_this_interpreter(model_dir, isolated_root):
    assert prepare_env(model_dir, "local") == pathlib.Path(sys.executable)
    assert not isolated_root.exists()


# ------------------------------------------------------------------ what to install


def test_read_python_env(model_dir):
    env = read_python_env(model_dir)
    assert env["python"] == PY
    assert env["dependencies"] == ["-r requirements.txt"]
    assert [dep.split("==")[0] for dep in env["build_dependencies"]] == ["pip", "setuptools", "wheel"]


def test_python_env_file_named_in_mlmodel(model_dir):
    (model_dir / "python_env.yaml").rename(model_dir / "env" )
    Model(flavors={"python_function": {"loader_module": "x", "env": {"virtualenv": "env"}}}).save(model_dir)
    assert read_python_env(model_dir)["python"] == PY


def test_python_env_file_outside_the_model_is_refused(model_dir):
    Model(flavors={"python_function": {"env": {"virtualenv": "../python_env.yaml"}}}).save(model_dir)
    with pytest.raises(WorkbenchException, match="Refusing path '../python_env.yaml'"):
        read_python_env(model_dir)


def test_old_models_fall_back_to_conda_yaml(model_dir):
    (model_dir / "python_env.yaml").unlink()
    conda = {"dependencies": ["python=3.10.4", "pip<=23.0", "numpy=1.26", {"pip": ["pandas"]}]}
    (model_dir / "conda.yaml").write_text(yaml.safe_dump(conda))
    assert read_python_env(model_dir) == {
        "python": "3.10.4",
        "build_dependencies": ["pip<=23.0"],
        "dependencies": ["-r requirements.txt"],
    }
    (model_dir / "requirements.txt").unlink()
    assert read_python_env(model_dir)["dependencies"] == ["pandas"]
    (model_dir / "conda.yaml").write_text(yaml.safe_dump({"dependencies": ["python"]}))
    with pytest.raises(WorkbenchException, match="It must be pinned"):
        read_python_env(model_dir)
    (model_dir / "conda.yaml").unlink()
    with pytest.raises(WorkbenchException, match="neither python_env.yaml nor conda.yaml"):
        read_python_env(model_dir)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("python: [3]\n", "to name the Python version"),
        ("python: '3.11'\ndependencies: -r requirements.txt\n", "to be a list of requirement strings"),
        ("- a list\n", "to hold a mapping"),
        ("python: : :\n", "Could not parse"),
    ],
)
def test_bad_python_env(model_dir, content, message):
    (model_dir / "python_env.yaml").write_text(content)
    with pytest.raises(WorkbenchException, match=message):
        read_python_env(model_dir)


def test_env_spec_expands_model_files(model_dir):
    (model_dir / "constraints.txt").write_text("scipy<2")
    (model_dir / "requirements.txt").write_text("scikit-learn==1.9.1\n-c constraints.txt")
    spec = env_spec(model_dir, "uv")
    assert spec.python == PY
    assert spec.requirements == ("scikit-learn==1.9.1",)
    assert spec.constraints == ("scipy<2",)
    assert spec.workbench == workbench_install_args()[0]
    assert spec.extras == () and spec.override == ()


def test_env_spec_refuses_references_leaving_the_model(model_dir, tmp_path):
    (tmp_path / "elsewhere.txt").write_text("evil")
    (model_dir / "requirements.txt").write_text("-r ../elsewhere.txt")
    with pytest.raises(WorkbenchException, match="Refusing path"):
        env_spec(model_dir, "uv")


def test_key_changes_with_what_is_installed(model_dir):
    base = env_spec(model_dir, "uv")
    assert base.key() == env_spec(model_dir, "uv").key()
    assert len(base.key()) == 64
    others = [
        env_spec(model_dir, "virtualenv"),
        env_spec(model_dir, "uv", pip_requirements_override=["scikit-learn==1.5.2"]),
        env_spec(model_dir, "uv", install_mlflow=True),
    ]
    assert len({base.key(), *(spec.key() for spec in others)}) == 4
    mlflow_version = importlib.metadata.version("mlflow")
    assert others[2].extras == (f"mlflow=={mlflow_version}",)


def test_pip_requirements_override_must_be_a_list(model_dir):
    with pytest.raises(WorkbenchException, match="Expected pip_requirements_override as a list"):
        env_spec(model_dir, "uv", pip_requirements_override="numpy")


# ------------------------------------------------------------------ installing workbench


def test_running_workbench_is_found():
    args, digest = workbench_install_args()
    info = json.loads(importlib.metadata.distribution("workbench").read_text("direct_url.json"))
    if info.get("dir_info", {}).get("editable"):
        assert args[0] == "-e" and pathlib.Path(args[1], "workbench", "__init__.py").is_file()
        assert digest == ""
    else:
        assert args


def test_install_source_variable(monkeypatch, tmp_path):
    wheel = tmp_path / "workbench-9.9-py3-none-any.whl"
    wheel.write_bytes(b"")
    monkeypatch.setenv("WORKBENCH_INSTALL_SOURCE", str(wheel))
    assert workbench_install_args() == ((str(wheel),), "")
    monkeypatch.setenv("WORKBENCH_INSTALL_SOURCE", "workbench @ https://example.org/w.whl")
    assert workbench_install_args() == (("workbench @ https://example.org/w.whl",), "")
    project = tmp_path / "src"
    (project / "workbench").mkdir(parents=True)
    (project / "workbench" / "__init__.py").write_text("x = 1\n")
    monkeypatch.setenv("WORKBENCH_INSTALL_SOURCE", str(project))
    args, first = workbench_install_args()
    assert args == (str(project),) and len(first) == 64
    (project / "workbench" / "__init__.py").write_text("x = 2\n")
    assert workbench_install_args()[1] != first


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        ({"url": "https://host/w-1.0.whl", "archive_info": {}}, ("workbench @ https://host/w-1.0.whl",)),
        (
            {"url": "https://github.com/o/workbench", "vcs_info": {"vcs": "git", "commit_id": "abc"}},
            ("workbench @ git+https://github.com/o/workbench@abc",),
        ),
    ],
)
def test_direct_url_forms(monkeypatch, direct_url, expected):
    monkeypatch.setattr(env_module, "_distribution_direct_url", lambda: direct_url)
    assert workbench_install_args() == (expected, "")


def test_installed_from_an_index_needs_the_variable(monkeypatch):
    monkeypatch.setattr(env_module, "_distribution_direct_url", lambda: None)
    with pytest.raises(WorkbenchException, match="WORKBENCH_INSTALL_SOURCE") as err:
        workbench_install_args()
    assert "never installed by name" in err.value.message


# ------------------------------------------------------------------ building (installers faked)


@pytest.fixture
def commands(monkeypatch):
    """Record installer commands instead of running them; create a fake interpreter."""
    seen = []

    def fake_run(command, what, env, cwd=None):
        seen.append((list(map(str, command)), cwd))
        if "venv" in command:
            target = pathlib.Path(command[command.index("venv") + 1])
            env_python(target).parent.mkdir(parents=True)
            env_python(target).write_text("")
        return ""

    monkeypatch.setattr(env_module, "_run", fake_run)
    monkeypatch.setattr(env_module, "find_uv", lambda: "/bin/uv")
    return seen


def test_uv_build_commands(model_dir, commands, isolated_root):
    python = prepare_env(model_dir, "uv", pip_requirements_override=["skops==0.15.0"])
    assert python == env_python(isolated_root / env_spec(
        model_dir, "uv", pip_requirements_override=["skops==0.15.0"]).key())
    (venv, _), (build, _), (main, cwd), (override, _) = commands
    assert venv[:2] == ["/bin/uv", "venv"] and f"--python={PY}" in venv and "--relocatable" in venv
    assert build[:4] == ["/bin/uv", "pip", "install", "--compile-bytecode"]
    assert [dep.split("==")[0] for dep in build[6:]] == ["pip", "setuptools", "wheel"]
    assert main[6] == "-r" and main[8:] == list(workbench_install_args()[0])
    assert cwd == str(model_dir)
    assert override[-1] == "skops==0.15.0"
    manifest = json.loads((python.parent.parent / "workbench-env.json").read_text())
    assert manifest["spec"]["override"] == ["skops==0.15.0"]
    assert [p.name for p in isolated_root.iterdir() if not p.name.endswith(".lock")] == [python.parent.parent.name]


def test_virtualenv_build_commands(model_dir, commands):
    prepare_env(model_dir, "virtualenv", install_mlflow=True)
    (venv, _), (build, _), (main, _) = commands
    assert venv == [sys.executable, "-m", "venv", venv[3]]
    assert build[1:5] == ["-m", "pip", "install", "--disable-pip-version-check"]
    assert main[-1].startswith("mlflow==")


def test_virtualenv_needs_the_exact_python(model_dir, monkeypatch, commands):
    (model_dir / "python_env.yaml").write_text("python: 2.1.0\ndependencies: []\n")
    monkeypatch.setattr(env_module.shutil, "which", lambda name: None)
    with pytest.raises(WorkbenchException, match="needs Python 2.1.0") as err:
        prepare_env(model_dir, "virtualenv")
    assert "env_manager='uv'" in err.value.message


def test_a_failed_build_leaves_nothing(model_dir, monkeypatch, isolated_root):
    def failing(command, what, env, cwd=None):
        if "venv" in command:
            pathlib.Path(command[command.index("venv") + 1]).mkdir(parents=True)
            return ""
        raise WorkbenchException(f"Could not {what}", error_code="INTERNAL_ERROR")

    monkeypatch.setattr(env_module, "_run", failing)
    monkeypatch.setattr(env_module, "find_uv", lambda: "/bin/uv")
    with pytest.raises(WorkbenchException, match="Could not install the build dependencies"):
        prepare_env(model_dir, "uv")
    assert [p.name for p in isolated_root.iterdir() if not p.name.endswith(".lock")] == []


def _slow_fake_build(calls):
    def fake_build(spec, target, model_dir, env):
        calls.append(target)
        time.sleep(0.3)
        env_python(target).parent.mkdir(parents=True)
        env_python(target).write_text(str(target))

    return fake_build


def test_concurrent_builders_build_once(model_dir, monkeypatch, isolated_root):
    calls = []
    monkeypatch.setattr(env_module, "_build", _slow_fake_build(calls))
    spec = env_spec(model_dir, "uv")
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(build_env(spec, model_dir))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(set(results)) == 1 and results[0] == isolated_root / spec.key()
    assert sorted(p.name for p in isolated_root.iterdir()) == sorted([spec.key(), f".{spec.key()}.lock"])


def test_a_lost_race_uses_the_winners_env(model_dir, monkeypatch, isolated_root):
    # Without the lock (as on a platform without flock) both build; the second rename loses.
    calls = []
    monkeypatch.setattr(env_module, "_build", _slow_fake_build(calls))
    monkeypatch.setattr(env_module, "_lock", lambda path: _nolock())
    spec = env_spec(model_dir, "uv")
    results = []
    threads = [threading.Thread(target=lambda: results.append(build_env(spec, model_dir))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 3 and len(set(results)) == 1
    assert [p.name for p in isolated_root.iterdir()] == [spec.key()]
    winner = env_python(results[0]).read_text()
    assert winner in {str(target) for target in calls}


class _nolock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_child_environment(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/leak")
    monkeypatch.setenv("VIRTUAL_ENV", "/venv")
    monkeypatch.setenv("KEEP_ME", "1")
    env = child_environment({"TOKEN": "t"})
    assert "PYTHONPATH" not in env and "VIRTUAL_ENV" not in env
    assert env["KEEP_ME"] == "1" and env["TOKEN"] == "t"
    assert child_environment({"PYTHONPATH": "/mine"})["PYTHONPATH"] == "/mine"


def test_env_spec_is_plain_data():
    spec = EnvSpec("uv", "3.11.7", ("pip",), ("numpy",), (), ("-e", "/src"))
    assert spec.key() == EnvSpec("uv", "3.11.7", ("pip",), ("numpy",), (), ("-e", "/src")).key()
    assert os.path.basename(str(env_python(pathlib.Path("/e")))) in ("python", "python.exe")
