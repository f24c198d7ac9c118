"""The README's quickstart runs as written."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_quickstart_runs(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has no python block"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert "Model is missing inputs ['mean radius']" in capsys.readouterr().out
    assert 0.9 < namespace["result"].metrics["roc_auc"] <= 1.0
    assert (tmp_path / "rf_model" / "MLmodel").is_file()
    assert (tmp_path / "rf_eval" / "metrics.json").is_file()
