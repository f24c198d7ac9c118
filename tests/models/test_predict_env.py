"""predict() end to end in an isolated environment built with uv from PyPI (no skip: runs in CI).

One environment is built for the whole module (the fixture below); its build time shows in
``pytest --durations`` as the setup of the first test (about 15 s here with a warm uv cache).
"""

import json
import os
import subprocess
import time
from types import SimpleNamespace

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import workbench.sklearn
from workbench import WorkbenchException
from workbench.models._env import MANIFEST_NAME, prepare_env
from workbench.models._predict import predict

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})
Y = [0, 0, 1, 1]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        base = tmp_path_factory.mktemp("predict-env")
        mp.setenv("WORKBENCH_ENV_ROOT", str(base / "envs"))
        mp.setenv("WORKBENCH_TRUST_STORE", str(base / "trust.sqlite"))
        mp.delenv("WORKBENCH_TRUSTED_LOCATIONS", raising=False)
        model = base / "model"
        workbench.sklearn.save_model(LogisticRegression().fit(X, Y), model, input_example=X.head(2))
        start = time.perf_counter()
        python = prepare_env(model, "uv")
        seconds = time.perf_counter() - start
        yield SimpleNamespace(base=base, model=model, python=python, seconds=seconds)


def test_env_is_built_from_the_model_files(built):
    manifest = json.loads((built.python.parent.parent / MANIFEST_NAME).read_text())
    expected = (built.model / "requirements.txt").read_text().splitlines()
    assert manifest["spec"]["requirements"] == expected
    assert manifest["spec"]["env_manager"] == "uv"
    out = subprocess.run(
        [str(built.python), "-c", "import sys, sklearn, workbench; print(sys.prefix, sklearn.__version__)"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    assert out[0] == str(built.python.parent.parent)
    assert f"scikit-learn=={out[1]}" in expected
    # isolated: nothing of the calling environment (mlflow is installed here, not there)
    assert subprocess.run([str(built.python), "-c", "import mlflow"], capture_output=True).returncode != 0


def test_predict_in_uv_env_to_file_matches_local(built, tmp_path):
    ours, local = tmp_path / "uv.json", tmp_path / "local.json"
    predict(built.model, input_data=X, output_path=ours, env_manager="uv")
    predict(built.model, input_data=X, output_path=local, env_manager="local")
    assert ours.read_text() == local.read_text() == '{"predictions": [0, 0, 1, 1]}'


def test_predict_in_uv_env_to_stdout_with_csv_file(built, tmp_path, capsys):
    path = tmp_path / "input.csv"
    X.to_csv(path, index=False)
    predict(str(built.model), input_path=str(path), content_type="csv", env_manager="uv")
    assert capsys.readouterr().out == '{"predictions": [0, 0, 1, 1]}'


def test_env_is_reused(built):
    start = time.perf_counter()
    assert prepare_env(built.model, "uv") == built.python
    assert time.perf_counter() - start < built.seconds
    root = built.base / "envs"
    assert [p.name for p in root.iterdir() if not p.name.endswith(".lock")] == [built.python.parent.parent.name]


def test_errors_in_the_env_come_back_with_their_code(built):
    bad = pd.DataFrame({"a": [1.0]})
    with pytest.raises(WorkbenchException) as local:
        predict(built.model, input_data=bad, env_manager="local")
    with pytest.raises(WorkbenchException) as isolated:
        predict(built.model, input_data=bad, env_manager="uv")
    assert isolated.value.error_code == local.value.error_code
    assert isolated.value.message == local.value.message


def test_extra_envs_reach_the_prediction_process(built, tmp_path):
    # A sitecustomize on the PYTHONPATH given through extra_envs runs in the child and leaves
    # a mark; PYTHONPATH from this process is never passed on unless extra_envs sets it.
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    mark = tmp_path / "mark.txt"
    (hooks / "sitecustomize.py").write_text(
        f"import os\nopen({str(mark)!r}, 'w').write(os.environ.get('GREETING', ''))\n"
    )
    out = tmp_path / "o.json"
    predict(
        built.model,
        input_data=X,
        output_path=out,
        env_manager="uv",
        extra_envs={"PYTHONPATH": str(hooks), "GREETING": "hello"},
    )
    assert mark.read_text() == "hello"
    assert json.loads(out.read_text()) == {"predictions": Y}


def test_pythonpath_of_the_caller_does_not_leak(built, tmp_path, monkeypatch):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    mark = tmp_path / "mark.txt"
    (hooks / "sitecustomize.py").write_text(f"open({str(mark)!r}, 'w').write('leaked')\n")
    monkeypatch.setenv("PYTHONPATH", str(hooks))
    predict(built.model, input_data=X, output_path=tmp_path / "o.json", env_manager="uv")
    assert not mark.exists()
    assert os.environ["PYTHONPATH"] == str(hooks)
