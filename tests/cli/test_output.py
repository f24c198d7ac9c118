"""Terminal and JSON output: escaping, numbers, tables, strict JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from workbench.cli import _output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain name", "plain name"),
        ("red\x1b[31m!", "red\\x1b!"),
        ("two\nlines\r", "two\\nlines\\r"),
        ("bell\x07 and c1\x9b", "bell\\x07 and c1\\x9b"),
        ("</script><img src=x onerror=alert(1)>", "</script><img src=x onerror=alert(1)>"),
    ],
)
def test_clean_escapes_control_characters(text, expected):
    assert _output.clean(text) == expected


def test_clean_shortens():
    assert _output.clean("a" * 200, limit=10) == "a" * 9 + "…"
    assert _output.clean(None) == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [(3, "3"), (np.int64(143), "143"), (0.1234567891, "0.123457"), (1e-9, "1e-09"),
     (float("nan"), "nan"), (float("inf"), "inf"), (True, "True"), (None, ""), ("x", "x")],
)
def test_number(value, text):
    assert _output.number(value) == text


def test_table_aligns_and_cleans():
    text = _output.table(["NAME", "VALUE"], [["a\x1b[2Jb", "1"], ["long-name", "22"]])
    assert text.splitlines() == ["NAME       VALUE", "a\\x1bb     1", "long-name  22"]


def test_echo_json_is_strict(capsys):
    _output.echo_json({"nan": float("nan"), "arr": np.array([1.5, np.inf]), "n": np.int32(2)})
    out = capsys.readouterr().out
    assert json.loads(out) == {"nan": None, "arr": [1.5, None], "n": 2}
    assert "NaN" not in out and "Infinity" not in out
