"""A writer SIGKILLed at random points never leaves an index that disagrees with the files."""

import hashlib
import multiprocessing
import os
import random
import signal
import sqlite3
import time

from workbench.store import Store, _runs

ROUNDS = 100


def _writer(root: str, seed: int) -> None:
    """Do random store operations until killed."""
    rng = random.Random(seed)
    store = Store(root)
    runs = [r.run_id for r in store.search()] or [store.create_run().run_id]
    while True:
        op = rng.random()
        run_id = rng.choice(runs)
        if op < 0.2:
            runs.append(store.create_run(tags={"seed": seed}).run_id)
        elif op < 0.55:
            store.log_metrics(run_id, [(f"m{rng.randrange(3)}", rng.random(), rng.randrange(5), rng.randrange(10**6))])
        elif op < 0.7:
            store.log_params(run_id, {f"p{rng.randrange(10**6)}": rng.random()})
        elif op < 0.8:
            store.set_tags(run_id, {"t": rng.random()})
        elif op < 0.9:
            payload = os.urandom(rng.randrange(1, 200_000)).hex()
            digest = hashlib.sha256(payload.encode()).hexdigest()
            src = os.path.join(root, f"src-{os.getpid()}.txt")
            with open(src, "w") as fh:
                fh.write(payload + digest)
            store.add_artifact(run_id, src, "blobs")
        else:
            store.end_run(run_id, rng.choice(["FINISHED", "FAILED", "RUNNING"]))


def _check(root) -> int:
    """Assert the index opens and every row matches the files; return the number of runs."""
    raw = sqlite3.connect(os.path.join(root, "index.sqlite"))
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()
    store = Store(root)
    try:
        rows = store._index.query("SELECT run_id, run_name, status, end_time, lifecycle_stage FROM runs")
        for run_id, name, status, end_time, stage in rows:
            run_dir = store.runs_root / run_id
            doc = _runs.read_run_doc(run_dir)  # complete JSON under the final name
            assert (doc["run_name"], doc["status"], doc["end_time"], doc["lifecycle_stage"]) == (name, status, end_time, stage)
            assert dict(store._index.query("SELECT key, value FROM params WHERE run_id = ?", (run_id,))) == doc["params"]
            assert dict(store._index.query("SELECT key, value FROM tags WHERE run_id = ?", (run_id,))) == doc["tags"]
            latest = _runs.latest_metrics(_runs.iter_metrics(run_dir))
            indexed = store._index.query("SELECT key, value, step, timestamp FROM latest_metrics WHERE run_id = ?", (run_id,))
            assert {k: (v, s, t) for k, v, s, t in indexed} == latest
            for path in (run_dir / "artifacts").rglob("*"):
                if path.is_file():
                    if path.name.startswith(".") and path.name.endswith(".tmp"):
                        continue  # a killed atomic write: a temporary name, never a final one
                    text = path.read_text()
                    assert hashlib.sha256(text[:-64].encode()).hexdigest() == text[-64:], f"partial file {path}"
        dirs = {p.name for p in store.runs_root.iterdir() if not p.name.startswith(".")}
        assert dirs == {r[0] for r in rows}
        return len(rows)
    finally:
        store.close()


def test_sigkill_at_random_points_leaves_a_consistent_workspace(tmp_path):
    ctx = multiprocessing.get_context("fork")
    root = str(tmp_path / "ws")
    Store(root).close()
    rng = random.Random(1234)
    started = time.monotonic()
    for round_ in range(ROUNDS):
        proc = ctx.Process(target=_writer, args=(root, round_), daemon=True)
        proc.start()
        time.sleep(rng.uniform(0.0, 0.06))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        assert proc.exitcode == -signal.SIGKILL
        _check(root)
    assert _check(root) > 1
    assert time.monotonic() - started < 120
