"""The store core: runs, params, metrics, artifacts, errors, rebuild and recovery."""

import errno
import json
import os
import sqlite3

import pytest

from workbench._exceptions import WorkbenchException
from workbench.store import Store, _index, _runs


def test_create_and_get_run(store):
    run = store.create_run(name="rf-depth7", tags={"team": "a"})
    got = store.get_run(run.run_id)
    assert got.run_name == "rf-depth7" and got.status == "RUNNING" and got.end_time is None
    assert got.tags == {"team": "a", "mlflow.runName": "rf-depth7"}
    assert len(got.run_id) == 32 and got.artifact_uri.startswith("file://")
    assert (got.path / "run.json").is_file() and (got.path / "artifacts").is_dir()
    assert store.find_run_by_name("rf-depth7").run_id == run.run_id
    assert store.find_run_by_name("nope") is None


def test_generated_names_look_like_mlflows(store):
    name = store.create_run().run_name
    adjective, noun, number = name.split("-")
    assert adjective.isalpha() and noun.isalpha() and number.isdigit()


def test_unknown_run_is_resource_does_not_exist(store):
    with pytest.raises(WorkbenchException, match="Run with id=0{32} not found") as info:
        store.get_run("0" * 32)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(WorkbenchException) as info:
        store.log_metrics("f" * 32, [("a", 1.0, 0, 0)])
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_params_are_immutable_with_mlflows_message(store):
    run = store.create_run()
    store.log_params(run.run_id, {"a": 1})
    store.log_params(run.run_id, {"a": "1"})  # same value: fine
    with pytest.raises(WorkbenchException, match=r"Changing param values is not allowed. Param with key='a' was "
                       r"already logged with value='1' for run ID='\w+'. Attempted logging new value '2'."):
        store.log_params(run.run_id, {"a": 2})
    assert store.get_run(run.run_id).params == {"a": "1"}


def test_latest_metric_follows_mlflows_order(store):
    run = store.create_run()
    store.log_metrics(run.run_id, [("loss", 0.5, 2, 10), ("loss", 0.9, 1, 99), ("loss", 0.4, 2, 10),
                                   ("loss", 0.6, 2, 10)])
    assert store.get_run(run.run_id).metrics == {"loss": 0.6}
    assert store.get_metric_history(run.run_id, "loss") == [(0.5, 2, 10), (0.9, 1, 99), (0.4, 2, 10), (0.6, 2, 10)]
    store.log_metrics(run.run_id, [("nan", float("nan"), 0, 0)])
    assert store.get_run(run.run_id).metrics["nan"] != store.get_run(run.run_id).metrics["nan"]


@pytest.mark.parametrize("name", ["../x", "a/b", "a\\b", "x\x00y", "tab\there", "", " ", ".", "..", "n" * 251])
def test_hostile_run_names_are_refused(store, name):
    with pytest.raises(WorkbenchException) as info:
        store.create_run(name=name)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert not [p for p in (store.runs_root).iterdir()]


@pytest.mark.parametrize("key", ["../a", "/abs", "a//b", "a/./b", "semi;colon", "x" * 251, ""])
def test_bad_keys_are_refused(store, key):
    run = store.create_run()
    for call in (lambda: store.log_params(run.run_id, {key: 1}), lambda: store.set_tags(run.run_id, {key: 1}),
                 lambda: store.log_metrics(run.run_id, [(key, 1.0, 0, 0)])):
        with pytest.raises(WorkbenchException) as info:
            call()
        assert info.value.error_code == "INVALID_PARAMETER_VALUE"


@pytest.mark.parametrize("path", ["../escape", "/etc", "a/../../b", "%2e%2e/x", "a\\b", "C:/x"])
def test_hostile_artifact_paths_are_refused(store, tmp_path, path):
    run = store.create_run()
    src = tmp_path / "f.txt"
    src.write_text("x")
    with pytest.raises(WorkbenchException) as info:
        store.add_artifact(run.run_id, src, path)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert list(store.artifact_dir(run.run_id).iterdir()) == []


def test_artifact_symlink_leaving_the_run_is_refused(store, tmp_path):
    run = store.create_run()
    os.symlink(tmp_path, store.artifact_dir(run.run_id) / "link")
    src = tmp_path / "f.txt"
    src.write_text("x")
    with pytest.raises(WorkbenchException, match="through a symlink"):
        store.add_artifact(run.run_id, src, "link")


def test_add_artifact_file_and_directory(store, tmp_path):
    run = store.create_run()
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "a.txt").write_text("a")
    (tmp_path / "d" / "sub" / "b.txt").write_text("b")
    store.add_artifact(run.run_id, tmp_path / "d" / "a.txt")
    store.add_artifact(run.run_id, tmp_path / "d", "dir")
    art = store.artifact_dir(run.run_id)
    assert (art / "a.txt").read_text() == "a"
    assert (art / "dir" / "sub" / "b.txt").read_text() == "b"


def test_rebuild_after_deleting_the_index(workspace):
    store = Store(workspace)
    run = store.create_run(name="keep")
    store.log_params(run.run_id, {"p": "v"})
    store.log_metrics(run.run_id, [("m", 1.5, 0, 5)])
    store.end_run(run.run_id)
    before = store.get_run(run.run_id)
    store.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{workspace}/index.sqlite{suffix}"):
            os.unlink(f"{workspace}/index.sqlite{suffix}")
    again = Store(workspace)
    assert again.get_run(run.run_id) == before
    again.rebuild_index()
    assert again.get_run(run.run_id) == before


def test_corrupt_index_is_moved_aside_and_rebuilt(workspace):
    store = Store(workspace)
    run = store.create_run(name="x")
    store.close()
    for suffix in ("-wal", "-shm"):
        if os.path.exists(f"{workspace}/index.sqlite{suffix}"):
            os.unlink(f"{workspace}/index.sqlite{suffix}")
    (workspace / "index.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.warns(RuntimeWarning, match="index.sqlite.*is corrupt"):
        again = Store(workspace)
    assert again.get_run(run.run_id).run_name == "x"
    assert list(workspace.glob("index.sqlite.corrupt-*"))


def test_older_schema_is_rebuilt(workspace):
    store = Store(workspace)
    run = store.create_run(name="x")
    with store._index.write() as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
        conn.execute("DELETE FROM runs")
    store.close()
    assert Store(workspace).get_run(run.run_id).run_name == "x"


def test_corrupt_run_dir_is_skipped_with_a_warning_naming_it(workspace):
    store = Store(workspace)
    good = store.create_run(name="good")
    bad = store.create_run(name="bad")
    (bad.path / "run.json").write_text("{ torn")
    with pytest.warns(RuntimeWarning, match=f"Skipping corrupt run directory .*{bad.run_id}"):
        store.rebuild_index()
    assert [r.run_name for r in store.search()] == ["good"]
    assert store.get_run(good.run_id).run_name == "good"


def test_torn_metric_line_is_ignored_and_not_spread(store):
    run = store.create_run()
    store.log_metrics(run.run_id, [("m", 1.0, 0, 1)])
    with open(run.path / "metrics.jsonl", "ab") as fh:
        fh.write(b'{"key": "m", "value": 9')  # a writer killed mid-line
    store.log_metrics(run.run_id, [("m", 2.0, 1, 2)])
    assert store.get_metric_history(run.run_id, "m") == [(1.0, 0, 1), (2.0, 1, 2)]
    lines = (run.path / "metrics.jsonl").read_bytes().split(b"\n")
    assert lines[1] == b'{"key": "m", "value": 9'  # kept apart on its own line
    # A line whose checksum does not match is ignored too.
    line = json.loads(lines[0])
    line["value"] = 5.0
    with open(run.path / "metrics.jsonl", "a") as fh:
        fh.write(json.dumps(line) + "\n")
    assert [v for v, _, _ in store.get_metric_history(run.run_id, "m")] == [1.0, 2.0]


def _change_behind_the_index(run):
    _runs.append_metrics(run.path, [_runs.encode_metric("late", 3.0, 0, 1)])
    doc = _runs.read_run_doc(run.path)
    doc["params"]["p"] = "v"
    _runs.write_run_doc(run.path, doc)


def test_changes_made_behind_the_index_are_reconciled_on_open(workspace):
    store = Store(workspace)
    run = store.create_run(name="x")
    # As a writer killed after writing the files and before committing the index leaves it:
    # the files changed and the marker it created before touching them is still there.
    (workspace / "index.pending" / f"{run.run_id}.999999.0").touch()
    _change_behind_the_index(run)
    store.close()
    got = Store(workspace).get_run(run.run_id)
    assert got.metrics == {"late": 3.0} and got.params == {"p": "v"}
    assert list((workspace / "index.pending").iterdir()) == []


def test_a_reboot_reconciles_every_run(workspace):
    store = Store(workspace)
    run = store.create_run(name="x")
    _change_behind_the_index(run)  # no marker: as a power cut that lost the index's last commit
    store.close()
    assert Store(workspace).get_run(run.run_id).metrics == {}  # same boot: not looked for
    raw = sqlite3.connect(workspace / "index.sqlite")
    raw.execute("UPDATE meta SET value = 'another-boot' WHERE key = 'boot_id'")
    raw.commit()
    raw.close()
    reopened = Store(workspace)
    got = reopened.get_run(run.run_id)
    assert got.metrics == {"late": 3.0} and got.params == {"p": "v"}
    assert _index._boot_id() and reopened._index._meta("boot_id") == _index._boot_id()


def test_run_directories_added_or_removed_behind_the_index_are_seen_on_open(workspace, tmp_path):
    store = Store(workspace)
    kept, moved = store.create_run(name="kept"), store.create_run(name="moved")
    store.log_metrics(moved.run_id, [("acc", 0.5, 0, 1)])
    store.close()
    os.rename(moved.path, tmp_path / "aside")
    assert [r.run_name for r in Store(workspace).search()] == ["kept"]
    os.rename(tmp_path / "aside", moved.path)  # restored from a backup
    again = Store(workspace)
    assert sorted(r.run_name for r in again.search()) == ["kept", "moved"]
    assert again.get_run(moved.run_id).metrics == {"acc": 0.5} and kept.run_id


def test_a_failed_write_settles_its_run_at_once(store, workspace, monkeypatch):
    run = store.create_run(name="x")
    with pytest.raises(WorkbenchException):
        store.delete_tag(run.run_id, "missing")  # nothing changed: nothing to re-index
    assert list((workspace / "index.pending").iterdir()) == []
    real, calls = _index.insert_run, []

    def fail_after_the_file_write(conn, doc, *args):
        real(conn, doc, *args)
        calls.append(doc["run_id"])
        if len(calls) == 1:  # the files changed, the index rolls back; the settling then succeeds
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(_index, "insert_run", fail_after_the_file_write)
    with pytest.raises(OSError):
        store.log_params(run.run_id, {"p": "v"})
    monkeypatch.undo()
    assert calls == [run.run_id, run.run_id]
    assert store.get_run(run.run_id).params == {"p": "v"}  # re-indexed from the files at once
    assert list((workspace / "index.pending").iterdir()) == []


def test_a_marker_the_settling_could_not_remove_is_settled_on_open(store, workspace, monkeypatch):
    run = store.create_run(name="x")
    monkeypatch.setattr(_index.Index, "settle", lambda self, run_id: (_ for _ in ()).throw(OSError("disk gone")))
    with pytest.raises(WorkbenchException):
        store.delete_tag(run.run_id, "missing")
    monkeypatch.undo()
    assert [p.name.split(".")[0] for p in (workspace / "index.pending").iterdir()] == [run.run_id]
    store.log_metrics(run.run_id, [("acc", 0.5, 0, 1)])  # a successful write leaves none of its own
    assert len(list((workspace / "index.pending").iterdir())) == 1
    assert Store(workspace).get_run(run.run_id).metrics == {"acc": 0.5}
    assert list((workspace / "index.pending").iterdir()) == []


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("target", ["fsync", "replace"])
def test_enospc_leaves_the_old_state_and_surfaces(store, monkeypatch, target):
    run = store.create_run(name="before")
    store.log_params(run.run_id, {"a": "1"})
    run_json = (run.path / "run.json").read_bytes()
    index_rows = store._index.query("SELECT * FROM runs")
    monkeypatch.setattr(os, target, _enospc)
    for call in (lambda: store.log_params(run.run_id, {"b": "2"}), lambda: store.set_tags(run.run_id, {"t": "x"}),
                 lambda: store.end_run(run.run_id), lambda: store.create_run(name="new")):
        with pytest.raises(OSError) as info:
            call()
        assert info.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert (run.path / "run.json").read_bytes() == run_json
    assert store._index.query("SELECT * FROM runs") == index_rows
    assert [r.run_name for r in store.search()] == ["before"]
    assert not [p for p in run.path.iterdir() if p.name.startswith(".")]
    assert [p.name for p in store.runs_root.iterdir()] == [run.run_id]


def test_busy_index_is_retried_not_raised(store, monkeypatch):
    run = store.create_run()
    monkeypatch.setattr(_index, "BUSY_TIMEOUT_MS", 10)
    other = sqlite3.connect(store.root / "index.sqlite", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    import threading

    threading.Timer(0.3, lambda: other.execute("COMMIT")).start()
    store._index._conn.execute("PRAGMA busy_timeout = 10")
    store.log_metrics(run.run_id, [("m", 1.0, 0, 0)])  # waits for the other writer, then succeeds
    assert store.get_run(run.run_id).metrics == {"m": 1.0}


def test_stale_staged_run_dirs_are_removed_on_open(workspace):
    Store(workspace).close()
    old = workspace / "runs" / ".tmp-old"
    fresh = workspace / "runs" / ".tmp-fresh"
    old.mkdir()
    fresh.mkdir()
    os.utime(old, (0, 0))
    Store(workspace).close()
    assert not old.exists() and fresh.exists()


# -- listing cost: one row per run, records built lazily --------------------------------


def test_the_run_row_keeps_latest_metrics_params_and_tags_as_json(workspace):
    store = Store(workspace)
    run = store.create_run(name="x", tags={"team": "a"})
    store.log_params(run.run_id, {"depth": 7, "alpha": "0.1"})
    store.log_metrics(run.run_id, [("loss", 0.5, 2, 10), ("loss", 0.9, 1, 99), ("acc", float("inf"), 0, 0),
                                   ("gap", float("nan"), 0, 0), ("tiny", 0.1 + 0.2, 0, 0)])
    expected = {"acc": float("inf"), "loss": 0.5, "tiny": 0.30000000000000004}
    (metrics, params, tags), = store._index.query(
        "SELECT metrics_json, params_json, tags_json FROM runs WHERE run_id = ?", (run.run_id,))
    decoded = json.loads(metrics)
    assert list(decoded) == ["acc", "gap", "loss", "tiny"] and decoded["gap"] != decoded["gap"]
    assert {k: v for k, v in decoded.items() if k != "gap"} == expected  # exact floats, MLflow's latest rule
    assert json.loads(params) == {"alpha": "0.1", "depth": "7"}
    assert json.loads(tags) == {"mlflow.runName": "x", "team": "a"}
    store.set_tags(run.run_id, {"team": "b"})  # rewriting the run row keeps its metrics
    store.close()
    for opened in (Store(workspace), Store(workspace)):  # a cold process, and after a rebuild
        got = opened.get_run(run.run_id)
        assert {k: v for k, v in got.metrics.items() if k != "gap"} == expected and got.tags["team"] == "b"
        assert got.params == {"alpha": "0.1", "depth": "7"}
        opened.rebuild_index()
        opened.close()


def test_a_cold_listing_reads_one_row_per_run(workspace):
    store = Store(workspace)
    for i in range(3):
        run = store.create_run(name=f"r{i}")
        store.log_metrics(run.run_id, [("acc", i / 10, 0, 0), ("loss", 1 - i / 10, 0, 0)])
    store.close()
    cold = Store(workspace)
    statements = []
    cold._index._conn.set_trace_callback(statements.append)
    records = cold.search()
    assert [r.run_name for r in records] == ["r2", "r1", "r0"]
    assert not any("latest_metrics" in s or "params" in s.split("FROM")[-1] for s in statements), statements
    assert records[0].metrics == {"acc": 0.2, "loss": 0.8}


def test_records_built_from_the_index_equal_records_built_by_hand(store):
    import dataclasses
    import pathlib

    from workbench.store import RunRecord

    run = store.create_run(name="x")
    got = store.get_run(run.run_id)
    assert isinstance(got.path, pathlib.Path) and got.path == store.runs_root / run.run_id
    assert got.artifact_uri == (store.runs_root / run.run_id / "artifacts").as_uri()
    by_hand = RunRecord(got.run_id, got.run_name, got.status, got.start_time, got.end_time, dict(got.params),
                        dict(got.metrics), dict(got.tags), got.artifact_uri, got.path)
    assert by_hand == got and got == by_hand
    assert got.to_dict() == {**by_hand.to_dict()} and got.to_dict()["path"] == str(got.path)
    assert "_path" not in got.to_dict() and [f.name for f in dataclasses.fields(got)][-1] == "_path"
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.run_name = "y"


def test_json_mapping_is_read_only_and_decodes_once():
    from workbench.store._records import JsonMapping

    m = JsonMapping('{"b": 1, "a": 2}')
    assert m._data is None and "a" in m and m._data == {"b": 1, "a": 2}
    assert list(m) == ["b", "a"] and dict(m) == {"b": 1, "a": 2} and m.get("z", 0) == 0
    with pytest.raises(TypeError):
        m["c"] = 3  # type: ignore[index]


def test_importing_the_store_imports_no_numpy():
    import subprocess
    import sys

    code = "import sys, workbench._tracking; print(sorted({'numpy', 'pandas'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
