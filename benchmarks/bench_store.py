"""Workspace store speed: listing/searching N runs x M metrics and logging one metric.

Ours (workbench.store, the fluent workbench._tracking API) against MLflow's sqlite-backed
tracking store (``sqlite:///…`` through ``MlflowClient`` and ``mlflow.search_runs``), on the
same data, in the same process. Prints medians (ms) and the ratio MLflow / ours.

    python benchmarks/bench_store.py            # 10,000 runs x 20 metrics (MLflow setup takes minutes)
    python benchmarks/bench_store.py --quick    # 1,000 runs x 20 metrics

Our runs are written as run directories (the on-disk format) and indexed by opening the
store (a rebuild, timed too); MLflow's are written with create_run + log_batch.

Cold: the first listing in a new process (a restarted kernel, a CLI call) is measured in a
fresh ``python`` per repeat, for each side: the time from the first import to the answer
(imports, opening the store, the query), and the whole process's wall time. Median of
``--cold-repeats`` (default 5).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from workbench import _tracking as wb  # noqa: E402
from workbench.store import Store, _runs, _store  # noqa: E402

FILTER = "metrics.m3 > 0.5 AND params.model = 'rf'"
ORDER = ["metrics.m1 DESC"]


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def dataset(n_runs: int, n_metrics: int):
    for i in range(n_runs):
        params = {"model": ("rf", "gbm", "lr")[i % 3], "depth": str(i % 10)}
        metrics = {f"m{k}": ((i * 7 + k * 13) % 1000) / 1000 for k in range(n_metrics)}
        yield f"run-{i}", 1_700_000_000_000 + i, params, {"team": "a"}, metrics


def populate_ours(root: str, n_runs: int, n_metrics: int) -> float:
    runs_root = os.path.join(root, "runs")
    os.makedirs(runs_root)
    for name, start, params, tags, metrics in dataset(n_runs, n_metrics):
        run_id = uuid.uuid4().hex
        run_dir = os.path.join(runs_root, run_id)
        os.makedirs(os.path.join(run_dir, "artifacts"))
        doc = {"format_version": 1, "run_id": run_id, "run_name": name, "experiment_id": "0", "status": "FINISHED",
               "lifecycle_stage": "active", "start_time": start, "end_time": start + 1, "params": params,
               "tags": {**tags, "mlflow.runName": name}}
        with open(os.path.join(run_dir, "run.json"), "w") as fh:
            json.dump(doc, fh)
        with open(os.path.join(run_dir, "metrics.jsonl"), "wb") as fh:
            fh.write(b"".join(_runs.encode_metric(k, v, 0, start) for k, v in metrics.items()))
    start = time.perf_counter()
    Store(root).close()  # no index yet: opening rebuilds it from the directories
    return (time.perf_counter() - start) * 1000


def populate_mlflow(client, n_runs: int, n_metrics: int) -> None:
    from mlflow.entities import Metric, Param

    for name, start, params, tags, metrics in dataset(n_runs, n_metrics):
        run = client.create_run("0", start_time=start, tags=tags, run_name=name)
        client.log_batch(
            run.info.run_id,
            metrics=[Metric(k, v, start, 0) for k, v in metrics.items()],
            params=[Param(k, v) for k, v in params.items()],
        )
        client.set_terminated(run.info.run_id, end_time=start + 1)


# Each cold child prints {"import_ms", "answer_ms", "cpu_ms", "n"}: the time to import the
# package, the time from its first import to the answer (so answer_ms includes import_ms), and
# the CPU time of that span (on a machine shared with other work, the least disturbed figure).
COLD_OURS = {
    "list all runs (records)": "from workbench.store import get_store; out = get_store().search()",
    "search filter+order (records)": f"from workbench.store import get_store; out = get_store().search({FILTER!r}, {ORDER!r})",
    "search_runs list (Run objects)": "import workbench; out = workbench.search_runs(output_format='list')",
    "search_runs all (DataFrame)": "import workbench; out = workbench.search_runs()",
}
COLD_MLFLOW = {
    "list all runs (records)": "from mlflow.tracking import MlflowClient; out = MlflowClient(URI).search_runs(['0'], max_results=50_000)",
    "search filter+order (records)": (
        "from mlflow.tracking import MlflowClient; "
        f"out = MlflowClient(URI).search_runs(['0'], {FILTER!r}, order_by={ORDER!r}, max_results=50_000)"),
    "search_runs list (Run objects)": (
        "import mlflow; mlflow.set_tracking_uri(URI); out = mlflow.search_runs(['0'], output_format='list')"),
    "search_runs all (DataFrame)": "import mlflow; mlflow.set_tracking_uri(URI); out = mlflow.search_runs(['0'])",
}
_CHILD = """
import json, time
t0, c0 = time.perf_counter(), time.process_time()
{imports}
t1 = time.perf_counter()
URI = {uri!r}
{code}
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({{"import_ms": (t1 - t0) * 1000, "answer_ms": (t2 - t0) * 1000, "cpu_ms": (c2 - c0) * 1000,
                  "n": len(out)}}))
"""


def cold(code: str, env: dict[str, str], uri: str, repeats: int) -> tuple[float, float, float, float, int]:
    """Median (import ms, answer ms, answer CPU ms, process wall ms) and the row count of ``code`` in fresh processes."""
    imports = code.split(";")[0]
    script = _CHILD.format(imports=imports, uri=uri, code=code)
    rows = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
        wall = (time.perf_counter() - start) * 1000
        if out.returncode:
            raise RuntimeError(f"cold child failed:\n{script}\n{out.stderr}")
        got = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append((got["import_ms"], got["answer_ms"], got["cpu_ms"], wall, got["n"]))
    return (*(statistics.median(r[i] for r in rows) for i in range(4)), rows[0][4])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 runs instead of 10,000")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--metrics", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--cold-repeats", type=int, default=5, help="fresh processes per cold measurement")
    parser.add_argument("--no-mlflow", action="store_true", help="measure only workbench")
    args = parser.parse_args()
    n_runs = args.runs or (1000 if args.quick else 10_000)
    tmp = tempfile.mkdtemp(prefix="bench-store-")
    print(f"# bench_store: {n_runs} runs x {args.metrics} metrics, median of {args.repeats}; "
          f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {os.getloadavg()[0]:.1f}")

    root = os.path.join(tmp, "ws")
    rebuild_ms = populate_ours(root, n_runs, args.metrics)
    wb.set_workspace(root)
    store = _store.get_store()
    start = time.perf_counter()
    store.search()
    cold_ms = (time.perf_counter() - start) * 1000
    run_id = store.search(max_results=1)[0].run_id
    ours = {
        "list all runs (records)": median_ms(lambda: store.search(), args.repeats),
        "search filter+order (records)": median_ms(lambda: store.search(FILTER, ORDER), args.repeats),
        "search_runs all (DataFrame)": median_ms(lambda: wb.search_runs(), args.repeats),
        "search_runs filter+order (DataFrame)": median_ms(lambda: wb.search_runs(filter_string=FILTER, order_by=ORDER), args.repeats),
    }
    step = iter(range(10**9))
    ours["log one metric (store)"] = median_ms(lambda: store.log_metrics(run_id, [("x", 0.5, next(step), 0)]), 200)
    ours["log one metric (client call)"] = ours["log one metric (store)"]
    wb.start_run(run_id=run_id)
    ours["log_metric (fluent)"] = median_ms(lambda: wb.log_metric("y", 0.5, step=next(step)), 200)
    wb.end_run()
    print(f"ours: index rebuild from {n_runs} run directories {rebuild_ms:.0f} ms; first listing in a fresh "
          f"process (cold cache) {cold_ms:.0f} ms")

    theirs = {}
    if not args.no_mlflow:
        import mlflow
        from mlflow.tracking import MlflowClient

        uri = f"sqlite:///{tmp}/mlflow.db"
        mlflow.set_tracking_uri(uri)
        client = MlflowClient(uri)
        start = time.perf_counter()
        populate_mlflow(client, n_runs, args.metrics)
        print(f"mlflow: populated in {time.perf_counter() - start:.0f} s")
        first = client.search_runs(["0"], max_results=1)[0].info.run_id
        theirs = {
            "list all runs (records)": median_ms(lambda: client.search_runs(["0"], max_results=50_000), args.repeats),
            "search filter+order (records)": median_ms(
                lambda: client.search_runs(["0"], FILTER, order_by=ORDER, max_results=50_000), args.repeats),
            "search_runs all (DataFrame)": median_ms(lambda: mlflow.search_runs(["0"]), args.repeats),
            "search_runs filter+order (DataFrame)": median_ms(
                lambda: mlflow.search_runs(["0"], filter_string=FILTER, order_by=ORDER), args.repeats),
        }
        theirs["log one metric (store)"] = float("nan")
        theirs["log one metric (client call)"] = median_ms(lambda: client.log_metric(first, "x", 0.5, step=next(step)), 50)
        with mlflow.start_run(run_id=first):
            theirs["log_metric (fluent)"] = median_ms(lambda: mlflow.log_metric("y", 0.5, step=next(step)), 50)

    print(f"{'operation (warm, in process)':40} {'workbench ms':>13} {'mlflow ms':>11} {'mlflow/ours':>12}")
    for name, ms in ours.items():
        other = theirs.get(name, float("nan"))
        ratio = other / ms if ms and other == other else float("nan")
        print(f"{name:40} {ms:13.2f} {other:11.2f} {ratio:12.1f}")

    env = {**os.environ, "WORKBENCH_HOME": root, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}
    uri = f"sqlite:///{tmp}/mlflow.db"
    print(f"\ncold: a fresh process per repeat, median of {args.cold_repeats}; 'answer' = first import to result, "
          "'wall' = the whole process (interpreter start included)")
    print(f"{'operation (cold, new process)':40} {'ours: import':>12} {'answer':>7} {'cpu':>6} {'wall':>6} "
          f"{'mlflow: answer':>14} {'cpu':>6} {'wall':>6} {'ratio answer':>12} {'ratio cpu':>9}")
    for name, code in COLD_OURS.items():
        imp, answer, cpu, wall, n = cold(code, env, uri, args.cold_repeats)
        assert "filter" in name or n == n_runs, (name, n)
        m_answer = m_cpu = m_wall = float("nan")
        if not args.no_mlflow:
            _imp, m_answer, m_cpu, m_wall, m_n = cold(COLD_MLFLOW[name], env, uri, args.cold_repeats)
            assert m_n == n, (name, n, m_n)
        print(f"{name:40} {imp:12.0f} {answer:7.0f} {cpu:6.0f} {wall:6.0f} {m_answer:14.0f} {m_cpu:6.0f} {m_wall:6.0f} "
              f"{m_answer / answer:12.1f} {m_cpu / cpu:9.1f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
