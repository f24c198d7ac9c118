import json
import os
import pathlib
import stat

import numpy as np
import pytest

from workbench import WorkbenchException
from workbench._io import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    atomic_writer,
    check_relative_path,
    dumps_json,
    safe_join,
)


@pytest.mark.parametrize(
    "part, why",
    [
        ("../etc/passwd", "'..' component"),
        ("a/../../b", "'..' component"),
        ("..", "'..' component"),
        ("%2e%2e/secret", "'..' component"),
        ("%2E%2E%2Fsecret", "'..' component"),
        ("%252e%252e/secret", "'..' component"),
        ("a/%2e%2e", "'..' component"),
        ("/etc/passwd", "absolute"),
        ("%2Fetc%2Fpasswd", "absolute"),
        ("~/x", "absolute"),
        ("C:/Windows", "absolute"),
        ("a\\..\\b", "backslash"),
        ("a%5c..%5cb", "backslash"),
        ("a\x00b", "control character"),
        ("a%00b", "control character"),
        ("", "empty"),
        ("./", "names no file"),
    ],
)
def test_hostile_paths_are_refused(tmp_path, part, why):
    with pytest.raises(WorkbenchException, match=why) as err:
        safe_join(tmp_path, part)
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert str(tmp_path) in str(err.value)


def test_plain_paths_are_normalised(tmp_path):
    assert safe_join(tmp_path, "a/./b//c.json") == tmp_path / "a" / "b" / "c.json"
    assert safe_join(tmp_path, "a", "b.txt") == tmp_path / "a" / "b.txt"
    assert safe_join(tmp_path, "..data/x..y") == tmp_path / "..data" / "x..y"
    assert check_relative_path("model.pkl") == "model.pkl"


def test_non_string_part_is_refused(tmp_path):
    with pytest.raises(WorkbenchException, match="Expected a path as a str, got int"):
        safe_join(tmp_path, 3)


def test_symlink_leaving_root_is_refused(tmp_path):
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("s")
    (root / "link").symlink_to(outside)
    with pytest.raises(WorkbenchException, match="through a symlink"):
        safe_join(root, "link/secret.txt")
    # also for a file that does not exist yet
    with pytest.raises(WorkbenchException, match="through a symlink"):
        safe_join(root, "link/new.txt")


def test_symlink_inside_root_is_allowed(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    assert safe_join(tmp_path, "alias/x") == tmp_path / "alias" / "x"


def test_atomic_write_replaces_content(tmp_path):
    target = tmp_path / "f.bin"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    atomic_write_text(tmp_path / "t.txt", "héllo")
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "héllo"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.bin", "t.txt"]


def test_atomic_write_failure_leaves_old_content_and_no_temp(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_writer(target, "w", encoding="utf-8") as fh:
            fh.write("partial new content")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_atomic_write_failure_in_replace_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "f.txt"
    target.write_text("old")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_atomic_writer_rejects_append_mode(tmp_path):
    with pytest.raises(ValueError, match="'w' or 'wb'"):
        with atomic_writer(tmp_path / "x", "a"):
            pass


def test_dumps_json_handles_numpy_and_dates(tmp_path):
    import datetime

    payload = {
        "i": np.int32(7),
        "f": np.float32(0.5),
        "b": np.bool_(False),
        "a": np.arange(3),
        "d": datetime.date(2024, 1, 2),
        "p": pathlib.Path("x/y"),
    }
    assert json.loads(dumps_json(payload)) == {
        "i": 7, "f": 0.5, "b": False, "a": [0, 1, 2], "d": "2024-01-02", "p": "x/y",
    }
    atomic_write_json(tmp_path / "m.json", payload, sort_keys=True)
    assert json.loads((tmp_path / "m.json").read_text())["a"] == [0, 1, 2]
    with pytest.raises(TypeError, match="object is not JSON serializable|type object"):
        dumps_json({"x": object()})


def test_atomic_writes_get_the_mode_open_would_give(tmp_path):
    # mkstemp makes 0600 files; a report or model file must be readable like any other file.
    old = os.umask(0o022)
    try:
        target = tmp_path / "report.html"
        atomic_write_text(target, "<p>hi</p>")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
