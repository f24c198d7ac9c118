"""The trust store and the unpickling gate (DESIGN.md section 8)."""

import multiprocessing
import os
import sqlite3
import stat

import pytest

from workbench import WorkbenchException
from workbench.models import _trust
from workbench.models._trust import (
    TrustStore,
    check_can_unpickle,
    default_store_path,
    file_sha256,
    is_in_trusted_location,
    read_trusted_bytes,
    record_trusted_file,
    trusted_locations,
)


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    path = tmp_path / "state" / "trusted.sqlite"
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(path))
    monkeypatch.delenv("WORKBENCH_TRUSTED_LOCATIONS", raising=False)
    return path


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "models" / "model.pkl"
    path.parent.mkdir()
    path.write_bytes(b"\x80\x04K\x01.")  # pickle of 1
    return path


def test_store_path_comes_from_the_environment(store, monkeypatch, tmp_path):
    assert default_store_path() == store
    monkeypatch.delenv("WORKBENCH_TRUST_STORE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_store_path() == tmp_path / "home" / ".local" / "share" / "workbench" / "trusted.sqlite"


def test_store_is_created_on_first_record_only(store, model_file):
    check_can_unpickle(model_file, trusted=True, what="a model")
    with pytest.raises(WorkbenchException):
        check_can_unpickle(model_file, trusted=None, what="a model")
    assert not store.exists()  # checking never creates it
    digest = record_trusted_file(model_file)
    assert store.is_file()
    assert digest == file_sha256(model_file)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT sha256, size_bytes FROM trusted_files").fetchall() == [(digest, 5)]


def test_recorded_file_may_be_unpickled(model_file):
    record_trusted_file(model_file)
    check_can_unpickle(model_file, trusted=None, what="a model")
    assert read_trusted_bytes(model_file, trusted=None, what="a model") == b"\x80\x04K\x01."


def test_recording_twice_is_idempotent(store, model_file):
    assert record_trusted_file(model_file) == record_trusted_file(model_file)
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT COUNT(*) FROM trusted_files").fetchone()[0] == 1


def test_trust_follows_the_bytes_not_the_path(model_file, tmp_path):
    record_trusted_file(model_file)
    moved = tmp_path / "elsewhere.pkl"
    os.rename(model_file, moved)
    check_can_unpickle(moved, trusted=None, what="a model")  # a renamed staging dir still loads


def test_tampered_file_is_no_longer_recorded(model_file):
    record_trusted_file(model_file)
    model_file.write_bytes(model_file.read_bytes().replace(b"K\x01", b"K\x02"))
    with pytest.raises(WorkbenchException) as info:
        check_can_unpickle(model_file, trusted=None, what="a model")
    assert info.value.error_code == "PERMISSION_DENIED"


def test_refusal_message_is_pinned(model_file, store):
    with pytest.raises(WorkbenchException) as info:
        check_can_unpickle(model_file, trusted=None, what="a scikit-learn model (pickle)")
    assert info.value.error_code == "PERMISSION_DENIED"
    assert info.value.message == (
        f"Refusing to load a scikit-learn model (pickle) from {str(model_file)!r}: it is a pickle "
        "file, and unpickling runs whatever code the file contains. workbench unpickles a file only "
        f"when this machine wrote it (its sha256 is recorded in {str(store)!r}), when it lies under "
        "a directory listed in $WORKBENCH_TRUSTED_LOCATIONS, or when the caller opts in. If you trust "
        "the source of this file, pass trusted=True, or add its directory to "
        f"$WORKBENCH_TRUSTED_LOCATIONS (directories separated by {os.pathsep!r})."
    )


def test_trusted_false_ignores_the_records(model_file):
    record_trusted_file(model_file)
    with pytest.raises(WorkbenchException, match=r"trusted=False was passed"):
        check_can_unpickle(model_file, trusted=False, what="a model")


def test_trusted_must_be_a_bool_or_none(model_file):
    with pytest.raises(WorkbenchException, match=r"trusted must be True, False or None, got str: 'yes'"):
        check_can_unpickle(model_file, trusted="yes", what="a model")


def test_missing_file_says_so(tmp_path):
    with pytest.raises(WorkbenchException, match=r"Expected a model at .*no such file") as info:
        check_can_unpickle(tmp_path / "nope.pkl", trusted=True, what="a model")
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_trusted_locations_env_var(model_file, tmp_path, monkeypatch):
    other = tmp_path / "other"
    monkeypatch.setenv("WORKBENCH_TRUSTED_LOCATIONS", os.pathsep.join(["", str(other), str(model_file.parent)]))
    assert trusted_locations() == [other.resolve(), model_file.parent.resolve()]
    assert is_in_trusted_location(model_file)
    check_can_unpickle(model_file, trusted=None, what="a model")


def test_trusted_location_is_a_directory_boundary(tmp_path, monkeypatch):
    inside = tmp_path / "models" / "m.pkl"
    sibling = tmp_path / "models-evil" / "m.pkl"
    for path in (inside, sibling):
        path.parent.mkdir()
        path.write_bytes(b"x")
    monkeypatch.setenv("WORKBENCH_TRUSTED_LOCATIONS", str(tmp_path / "models"))
    assert is_in_trusted_location(inside)
    assert not is_in_trusted_location(sibling)


def test_symlink_into_a_trusted_location_is_judged_by_its_target(tmp_path, monkeypatch):
    trusted_dir, outside = tmp_path / "trusted", tmp_path / "outside"
    trusted_dir.mkdir()
    outside.mkdir()
    (outside / "m.pkl").write_bytes(b"x")
    (trusted_dir / "m.pkl").symlink_to(outside / "m.pkl")
    monkeypatch.setenv("WORKBENCH_TRUSTED_LOCATIONS", str(trusted_dir))
    assert not is_in_trusted_location(trusted_dir / "m.pkl")


def test_unwritable_store_warns_and_still_returns_the_digest(model_file, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(blocker / "trusted.sqlite"))
    with pytest.warns(UserWarning, match="could not record"):
        assert record_trusted_file(model_file) == file_sha256(model_file)


def test_corrupt_store_grants_nothing(store, model_file):
    store.parent.mkdir(parents=True)
    store.write_bytes(b"not a database" * 100)
    with pytest.warns(UserWarning, match="could not read its trust store"):
        with pytest.raises(WorkbenchException):
            check_can_unpickle(model_file, trusted=None, what="a model")


def test_explicit_store_object(tmp_path, model_file):
    store = TrustStore(tmp_path / "own.sqlite")
    digest = store.record(model_file)
    assert store.is_recorded(digest)
    assert not TrustStore().is_recorded(digest)  # the default store is another file
    assert repr(store) == f"TrustStore({str(tmp_path / 'own.sqlite')!r})"


def _record_many(args):
    store_path, folder, start = args
    os.environ["WORKBENCH_TRUST_STORE"] = store_path
    digests = []
    for i in range(start, start + 20):
        path = os.path.join(folder, f"m{i}.bin")
        with open(path, "wb") as fh:
            fh.write(str(i).encode())
        digests.append(_trust.record_trusted_file(path))
    return digests


def test_concurrent_writers_lose_nothing(store, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.map(_record_many, [(str(store), str(folder), 20 * k) for k in range(4)])
    digests = {d for batch in results for d in batch}
    assert len(digests) == 80
    assert all(TrustStore(store).is_recorded(d) for d in digests)
