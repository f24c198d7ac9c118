"""Scoring server load test: ``python -m workbench.serving`` against ``mlflow models serve``.

One scikit-learn model (a LogisticRegression on 8 float columns) is saved once, in MLflow's
format with cloudpickle, and both servers load that same directory (workbench through
``$WORKBENCH_TRUSTED_LOCATIONS``, since it is a pickle). Both run on loopback with their
defaults (one model worker each: MLflow's one uvicorn process predicting in a thread;
workbench's one uvicorn process and one prediction process), unless ``--workers`` is given.

For each payload (1, 100 and 10,000 rows as ``dataframe_split`` JSON) and each concurrency
(1, 16, 64 connections), a small asyncio HTTP/1.1 keep-alive client (pre-encoded requests,
so that the client spends little CPU) sends requests for ``--seconds`` per cell; the two
servers are measured alternately cell by cell, ``--rounds`` times, and the medians over
rounds are reported: requests/s, p50 and p99 latency (ms), error rate (non-200 answers and
broken connections), CPU milliseconds per request of each server's process tree (user +
system; the figure that stays meaningful when other work loads the machine), and the peak
RSS of each server's process tree (sampled every 50 ms over the whole run). Ratios are
workbench / MLflow (throughput: higher is better; p99 and CPU: lower is better).

    python benchmarks/bench_serving.py             # about 6 minutes on 2 CPUs
    python benchmarks/bench_serving.py --quick     # about 2 minutes
    python benchmarks/bench_serving.py --workers 2 --out results.json

Everything is bounded: each cell sends for ``--seconds``; requests still in flight get a
grace of as long again (at least 5 s), then are dropped (counted neither as answers nor as
errors); servers are killed at the end whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import pandas as pd
import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PAYLOAD_ROWS = (1, 100, 10_000)
CONCURRENCY = (1, 16, 64)
N_FEATURES = 8
GRACE_SECONDS = 5.0
METRICS = ("rps", "p50_ms", "p99_ms", "error_rate", "cpu_ms_per_request")


# --------------------------------------------------------------------------- model


def save_model(path: str) -> None:
    import mlflow.sklearn
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(2000, N_FEATURES)), columns=[f"f{i}" for i in range(N_FEATURES)])
    y = (X.sum(axis=1) > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    mlflow.sklearn.save_model(model, path, serialization_format="cloudpickle", input_example=X.head(2))


def payload(rows: int) -> bytes:
    rng = np.random.default_rng(rows)
    frame = pd.DataFrame(rng.normal(size=(rows, N_FEATURES)), columns=[f"f{i}" for i in range(N_FEATURES)])
    return json.dumps({"dataframe_split": frame.to_dict(orient="split", index=False)}).encode()


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int) -> None:
        self.name, self.port = name, port
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.peak_rss = 0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        try:
            root = psutil.Process(self.process.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            total = 0
            try:
                for proc in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
            except psutil.Error:
                return
            self.peak_rss = max(self.peak_rss, total)
            self._stop.wait(0.05)

    def cpu_seconds(self) -> float:
        """User + system CPU seconds used so far by the server's process tree (live processes)."""
        total = 0.0
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(self.process.pid)
            for proc in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    times = proc.cpu_times()
                    total += times.user + times.system
        return total

    def wait_ready(self, timeout: float = 180) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"{self.name} exited:\n{self.log.read().decode(errors='replace')[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if sock.recv(64).startswith(b"HTTP/1.1 200"):
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} did not become ready in {timeout} s")

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_servers(model_dir: str, workers: int | None) -> list[Server]:
    env = dict(os.environ)
    env["WORKBENCH_TRUSTED_LOCATIONS"] = model_dir
    env.setdefault("PYTHONPATH", ROOT)
    # MLflow starts `uvicorn` by name: this interpreter's scripts must be on PATH.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    ours_port, theirs_port = free_port(), free_port()
    ours = [sys.executable, "-m", "workbench.serving", "--model-uri", model_dir, "--port", str(ours_port),
            "--log-level", "warning"]  # fmt: skip
    theirs = [sys.executable, "-m", "mlflow", "models", "serve", "-m", model_dir, "--env-manager", "local",
              "-p", str(theirs_port), "-h", "127.0.0.1"]  # fmt: skip
    if workers:
        ours += ["--workers", str(workers)]
        theirs += ["--workers", str(workers)]
    servers = [Server("workbench", ours, env, ours_port), Server("mlflow", theirs, env, theirs_port)]
    return servers


# --------------------------------------------------------------------------- client


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _connection(port: int, request: bytes, deadline: float, latencies: list, counts: dict) -> None:
    reader = writer = None
    while time.monotonic() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            started = time.perf_counter()
            writer.write(request)
            status = await asyncio.wait_for(_read_response(reader), 60)
            latencies.append(time.perf_counter() - started)
            if status == 200:
                counts["ok"] += 1
            else:
                counts["error"] += 1
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
            counts["error"] += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


async def _load(port: int, body: bytes, concurrency: int, seconds: float) -> dict:
    request = (
        b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    latencies: list[float] = []
    counts = {"ok": 0, "error": 0}
    started = time.monotonic()
    deadline = started + seconds
    tasks = [asyncio.ensure_future(_connection(port, request, deadline, latencies, counts)) for _ in range(concurrency)]
    # Requests in flight at the deadline may finish within the grace; the rest are dropped
    # (counted neither as answers nor as errors), which bounds every cell's time.
    _, pending = await asyncio.wait(tasks, timeout=seconds + max(GRACE_SECONDS, seconds))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    elapsed = time.monotonic() - started
    total = counts["ok"] + counts["error"]
    ordered = sorted(latencies) or [float("nan")]
    return {
        "rps": counts["ok"] / elapsed,
        "p50_ms": ordered[len(ordered) // 2] * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "error_rate": counts["error"] / total if total else 1.0,
        "requests": total,
    }


def load(port: int, body: bytes, concurrency: int, seconds: float) -> dict:
    return asyncio.run(_load(port, body, concurrency, seconds))


def check_answers(servers: list[Server], body: bytes) -> None:
    """Both servers must give the same predictions for the same request."""
    import httpx

    answers = [
        httpx.post(f"http://127.0.0.1:{s.port}/invocations", content=body,
                   headers={"content-type": "application/json"}, timeout=60).json()
        for s in servers
    ]  # fmt: skip
    if answers[0] != answers[1]:
        raise AssertionError(f"the servers disagree: {str(answers[0])[:200]} vs {str(answers[1])[:200]}")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 s per cell, 1 round (about 2 minutes)")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per cell (default 5; quick 2)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of all cells (default 2; quick 1)")
    parser.add_argument("--workers", type=int, default=None, help="model workers for both servers")
    parser.add_argument("--rows", default=",".join(map(str, PAYLOAD_ROWS)))
    parser.add_argument("--concurrency", default=",".join(map(str, CONCURRENCY)))
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args(argv)
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    rounds = args.rounds or (1 if args.quick else 2)
    rows_list = [int(x) for x in args.rows.split(",")]
    conc_list = [int(x) for x in args.concurrency.split(",")]

    tmp = tempfile.mkdtemp(prefix="bench-serving-")
    model_dir = os.path.join(tmp, "model")
    save_model(model_dir)
    bodies = {rows: payload(rows) for rows in rows_list}
    servers = start_servers(model_dir, args.workers)
    results: dict = {}
    try:
        startup = {s.name: s.wait_ready() for s in servers}
        check_answers(servers, bodies[rows_list[0]])
        check_answers(servers, bodies[100] if 100 in bodies else bodies[rows_list[-1]])
        for server in servers:  # warm up: first requests import and allocate
            load(server.port, bodies[rows_list[0]], 4, 1.0)
        for _ in range(rounds):
            for rows in rows_list:
                for conc in conc_list:
                    for server in servers:
                        cell = results.setdefault(f"{rows}x{conc}", {}).setdefault(server.name, [])
                        cpu = server.cpu_seconds()
                        sample = load(server.port, bodies[rows], conc, seconds)
                        sample["cpu_ms_per_request"] = (
                            (server.cpu_seconds() - cpu) * 1000 / sample["requests"] if sample["requests"] else float("nan")
                        )
                        cell.append(sample)
        peak = {s.name: s.peak_rss for s in servers}
    finally:
        for server in servers:
            server.stop()

    def med(samples: list[dict], key: str) -> float:
        return statistics.median(sample[key] for sample in samples)

    print(f"# bench_serving: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"# {seconds:g} s per cell, {rounds} round(s), medians; workers={args.workers or 'default (1)'}; "
          f"startup to first 200 on /ping: " + ", ".join(f"{k} {v:.1f} s" for k, v in startup.items()))
    header = (f"{'rows':>6} {'conc':>4} | {'wb req/s':>9} {'p50':>7} {'p99':>7} {'err':>5} {'cpu':>6} | "
              f"{'mlf req/s':>9} {'p50':>7} {'p99':>7} {'err':>5} {'cpu':>6} | {'x rps':>6} {'p99 ratio':>9} {'cpu ratio':>9}")  # fmt: skip
    print(header)
    print("-" * len(header))
    table = []
    for key, by_server in results.items():
        rows, conc = (int(x) for x in key.split("x"))
        ours, theirs = by_server["workbench"], by_server["mlflow"]
        row = {
            "rows": rows, "concurrency": conc,
            **{f"workbench_{k}": med(ours, k) for k in METRICS},
            **{f"mlflow_{k}": med(theirs, k) for k in METRICS},
        }  # fmt: skip
        row["rps_ratio"] = row["workbench_rps"] / row["mlflow_rps"] if row["mlflow_rps"] else float("inf")
        row["p99_ratio"] = row["workbench_p99_ms"] / row["mlflow_p99_ms"] if row["mlflow_p99_ms"] else float("nan")
        table.append(row)
        row["cpu_ratio"] = row["workbench_cpu_ms_per_request"] / row["mlflow_cpu_ms_per_request"]
        print(f"{rows:>6} {conc:>4} | {row['workbench_rps']:>9.1f} {row['workbench_p50_ms']:>7.1f} "
              f"{row['workbench_p99_ms']:>7.1f} {row['workbench_error_rate']:>5.1%} {row['workbench_cpu_ms_per_request']:>6.2f} | "
              f"{row['mlflow_rps']:>9.1f} {row['mlflow_p50_ms']:>7.1f} {row['mlflow_p99_ms']:>7.1f} "
              f"{row['mlflow_error_rate']:>5.1%} {row['mlflow_cpu_ms_per_request']:>6.2f} | "
              f"{row['rps_ratio']:>5.2f}x {row['p99_ratio']:>9.2f} {row['cpu_ratio']:>9.2f}")  # fmt: skip
    print(f"peak RSS of the server process tree: workbench {peak['workbench'] / 2**20:.0f} MiB, "
          f"mlflow {peak['mlflow'] / 2**20:.0f} MiB")
    if args.out:
        with open(args.out, "w") as handle:
            json.dump({"seconds": seconds, "rounds": rounds, "workers": args.workers, "startup_s": startup,
                       "peak_rss_bytes": peak, "cells": table}, handle, indent=2)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
