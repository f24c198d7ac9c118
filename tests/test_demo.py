"""`make demo` runs workbench._demo: check that it does what it prints."""

import json

from workbench._demo import main
from workbench.models import ModelSignature


def test_demo_writes_its_outputs(tmp_path, capsys):
    assert main([str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    out = tmp_path / "out"
    sig_v1 = ModelSignature.from_dict(json.loads((out / "signature_v1.json").read_text()))
    sig_v2 = ModelSignature.from_dict(json.loads((out / "signature_v2.json").read_text()))
    assert len(sig_v1.inputs.inputs) == 30
    assert len(sig_v2.inputs.inputs) == 29
    diff = (out / "signature_diff.txt").read_text()
    assert diff.splitlines() == [
        "+ inputs.area ratio: double (required)",
        "- inputs.mean fractal dimension: double",
        "- inputs.worst symmetry: double",
        "~ inputs.mean area: double -> float",
    ]
    assert "v1 accepts the test batch" in printed
    assert printed.count("refused ") == 4
    assert "Model is missing inputs" in printed
    payload = json.loads((out / "serving_input_example.json").read_text())
    assert list(payload) == ["dataframe_split"]
    assert len(payload["dataframe_split"]["data"]) == 2
    assert str(out.resolve()) in printed
