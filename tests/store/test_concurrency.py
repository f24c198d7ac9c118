"""Eight processes writing 50 runs each: 400 distinct runs, no 'database is locked'."""

import multiprocessing
import traceback

from workbench.store import Store

PROCESSES, RUNS = 8, 50


def _worker(root: str, worker: int, errors) -> None:
    try:
        store = Store(root)
        for i in range(RUNS):
            run = store.create_run(name=f"w{worker}-r{i}")
            store.log_params(run.run_id, {"worker": worker, "i": i})
            store.log_metrics(run.run_id, [("acc", i / RUNS, 0, i), ("loss", 1 - i / RUNS, 0, i)])
            store.log_metrics(run.run_id, [("acc", i / RUNS + 0.001, 1, i)])
            store.end_run(run.run_id)
    except BaseException:
        errors.put(traceback.format_exc())


def test_eight_processes_fifty_runs_each(tmp_path):
    root = str(tmp_path / "ws")
    ctx = multiprocessing.get_context("fork")
    errors = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(root, w, errors)) for w in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert not failures, failures[0]
    assert all(p.exitcode == 0 for p in procs)
    store = Store(root)
    runs = store.search()
    assert len(runs) == PROCESSES * RUNS == len({r.run_id for r in runs})
    assert len({r.run_name for r in runs}) == 400
    assert all(r.status == "FINISHED" and r.metrics["acc"] > 0 and len(r.params) == 2 for r in runs)
