"""Predictions in worker processes that can be stopped: :class:`WorkerPool`.

A prediction is arbitrary model code: it may loop forever, exhaust memory or crash the
interpreter. So the server never predicts in its own process. Each worker is a fresh
interpreter (``python -c`` with :func:`_worker_entry`; no inherited locks or threads, and,
unlike multiprocessing's ``spawn``, no re-run of the parent's ``__main__``) that loads the
model once and then serves one request at a time over a socket pair, in the frames of
:class:`multiprocessing.connection.Connection` (a 4-byte big-endian length, then the bytes):

- the server sends one frame, ``kind byte + request body`` (kind: JSON, CSV or Parquet);
- the worker parses the body against the model's signature, predicts, encodes the answer
  (:class:`workbench.models._validate_serving_input.RequestScorer`, which
  ``validate_serving_input`` uses too) and sends back ``2-byte HTTP status + response body``
  (MLflow's JSON either way).

Parsing happens in the worker too: a hostile body (JSON nested 100,000 deep, numbers of a
million digits) costs a worker's CPU, never the event loop's, and falls under the timeout.

In the server, :meth:`WorkerPool.submit` takes an idle worker, or waits for one (``timeout``
seconds, longer while a replacement is starting); a prediction running past ``timeout`` has
its worker killed (SIGKILL) and replaced, and the request gets 504. A worker that dies
mid-request gives that request 503 and is replaced; until a worker is ready again,
``/health`` answers 503. At most ``workers + max_queue`` requests are admitted at once; the rest get 503 at once.
The event loop does the socket I/O of requests itself (asyncio streams): a request costs no
thread hand-off and no contention for the GIL between an I/O thread and the loop.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
import subprocess
import sys
import time
from typing import Any

from workbench.models._validate_serving_input import (
    KIND_CSV,
    KIND_JSON,
    KIND_PARQUET,
    MAX_MESSAGE,
    RequestScorer,
    error_body,
)

_logger = logging.getLogger(__name__)

_READY = b"ready"
# A worker is a fresh interpreter started with this command (not multiprocessing's spawn,
# which re-runs the parent's __main__ module: a script that calls serve() without an
# ``if __name__ == "__main__"`` guard would start a server in every worker).
_WORKER_COMMAND = "from workbench.serving._predict_worker import _worker_entry; _worker_entry()"
_STATUS = struct.Struct("!H")


class PoolUnavailable(Exception):
    """No worker can take the request: 503, with a Retry-After when the pool is just full."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PoolTimeout(Exception):
    """The request's deadline passed: 504."""


# =========================================================================== worker side


def _load(model_source: Any) -> Any:
    if isinstance(model_source, bytes):
        import cloudpickle

        return cloudpickle.loads(model_source)  # the parent's own in-memory model
    from workbench.models._pyfunc import load_model

    return load_model(model_source)


def _worker_entry() -> None:
    """``python -c ...`` entry of a worker: argv[1] is the inherited socket's descriptor."""
    from multiprocessing.connection import Connection

    worker_main(Connection(int(sys.argv[1])))


def worker_main(conn: Any) -> None:
    """The worker process: read the model source, load it, say ready, answer frames until EOF.

    The first frame is ``b"u" + model URI`` or ``b"m" + cloudpickled model``.
    """
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s worker %(process)d %(message)s")
    try:
        first = conn.recv_bytes()
        model_source: Any = first[1:] if first[:1] == b"m" else first[1:].decode("utf-8")
        handler = RequestScorer(_load(model_source))
    except BaseException as err:  # noqa: BLE001 - reported to the parent, which gives up
        message = f"The model could not be loaded: {type(err).__name__}: {err}"
        conn.send_bytes(b"error" + message[:MAX_MESSAGE].encode("utf-8", "replace"))
        return
    conn.send_bytes(_READY)
    while True:
        try:
            frame = conn.recv_bytes()
        except (EOFError, OSError):
            return
        status, response = handler(frame[:1], frame[1:])
        try:
            conn.send_bytes(_STATUS.pack(status) + response)
        except (BrokenPipeError, OSError):
            return


# =========================================================================== server side


_SIZE = struct.Struct("!i")
_LONG_SIZE = struct.Struct("!Q")


def _header(size: int) -> bytes:
    """The length prefix of :class:`multiprocessing.connection.Connection`'s frames."""
    if size > 0x7FFFFFFF:
        return _SIZE.pack(-1) + _LONG_SIZE.pack(size)
    return _SIZE.pack(size)


def _send_frame_blocking(sock: socket.socket, data: bytes) -> None:
    sock.sendall(_header(len(data)) + data)


def _recv_exactly_blocking(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the worker closed its end")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _recv_frame_blocking(sock: socket.socket) -> bytes:
    (size,) = _SIZE.unpack(_recv_exactly_blocking(sock, 4))
    if size == -1:
        (size,) = _LONG_SIZE.unpack(_recv_exactly_blocking(sock, 8))
    return _recv_exactly_blocking(sock, size)


class _Worker:
    """One worker process and the server's end of its socket.

    The model source and the worker's hello travel with blocking I/O (in an executor);
    then the socket joins the event loop as a stream pair, so that a request costs no
    thread hand-off: the loop writes the frame and reads the answer itself.
    """

    def __init__(self, process: Any, sock: socket.socket) -> None:
        self.process = process
        self.sock = sock
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid

    async def connect(self) -> None:
        self.sock.setblocking(False)
        self.reader, self.writer = await asyncio.open_connection(sock=self.sock)

    async def call(self, frame: bytes) -> bytes:
        """Send one frame and read the answer (raises EOFError / OSError if the worker dies)."""
        assert self.reader is not None and self.writer is not None
        self.writer.write(_header(len(frame)))
        self.writer.write(frame)
        await self.writer.drain()
        (size,) = _SIZE.unpack(await self.reader.readexactly(4))
        if size == -1:
            (size,) = _LONG_SIZE.unpack(await self.reader.readexactly(8))
        return await self.reader.readexactly(size)

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Kill the process and close the socket (in the loop): a pending read ends with EOF."""
        try:
            self.process.kill()
        except Exception:  # noqa: BLE001 - already gone
            pass
        if self.writer is not None:
            self.writer.close()
        else:
            try:
                self.sock.close()
            except OSError:
                pass

    def reap(self) -> None:
        """Wait for the killed process to go (blocking; runs in an executor)."""
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


class WorkerPool:
    """A fixed number of model worker processes, replaced when they die or overrun.

    Parameters
    ----------
    model_source : str or bytes
        A model URI or directory the workers load, or a cloudpickled model object.
    workers : int
        How many worker processes (predictions running at once).
    timeout : float
        Seconds a prediction may run on a worker (parsing and encoding included), and
        seconds a request may wait for a busy worker.
    startup_timeout : float
        Seconds a request may wait while the only workers it could get are starting.
    max_queue : int
        How many admitted requests may wait for a worker; more get 503 with Retry-After.
    """

    def __init__(
        self,
        model_source: Any,
        *,
        workers: int = 1,
        timeout: float = 60.0,
        max_queue: int = 64,
        startup_timeout: float = 120.0,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.model_source = model_source
        self.workers = workers
        self.timeout = float(timeout)
        self.max_queue = max_queue
        self.load_error: str | None = None
        self._idle: asyncio.Queue[_Worker] | None = None
        self._ready = 0  # live workers that have loaded the model
        self._starting = 0  # workers being started
        self.startup_timeout = startup_timeout
        self._admitted = 0
        self._closed = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._all: set[_Worker] = set()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the workers (returns at once; :attr:`ready` tells when one is up)."""
        self._idle = asyncio.Queue()
        for _ in range(self.workers):
            self._spawn_soon()

    async def wait_ready(self, timeout: float = 120.0) -> bool:
        deadline = time.monotonic() + timeout
        while self._ready == 0 and self.load_error is None and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return self._ready > 0

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for worker in list(self._all):
            worker.kill()
        for worker in list(self._all):
            await asyncio.get_running_loop().run_in_executor(None, worker.reap)
        self._all.clear()

    @property
    def ready(self) -> bool:
        """True when at least one worker has loaded the model and is alive.

        Idle workers that died since their last request (killed from outside, say) are
        found here and replaced.
        """
        self._replace_dead_idle()
        return self._ready > 0

    def _replace_dead_idle(self) -> None:
        if self._idle is None or self._closed:
            return
        alive = []
        while not self._idle.empty():
            worker = self._idle.get_nowait()
            if worker.is_alive():
                alive.append(worker)
            else:
                _logger.error("Idle worker %s died; replacing it", worker.pid)
                self._replace(worker)
        for worker in alive:
            self._idle.put_nowait(worker)

    def pids(self) -> list[int]:
        return sorted(w.pid for w in self._all if w.pid is not None)

    def _spawn_soon(self) -> None:
        if self._closed:
            return
        self._starting += 1  # counted at once, so that waiting requests know to wait on
        task = asyncio.get_running_loop().create_task(self._spawn())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _spawn(self) -> None:
        try:
            await self._start_one()
        finally:
            self._starting -= 1

    async def _start_one(self) -> None:
        loop = asyncio.get_running_loop()
        process, sock = await loop.run_in_executor(None, self._launch)
        worker = _Worker(process, sock)
        self._all.add(worker)
        try:
            hello = await loop.run_in_executor(None, _recv_frame_blocking, sock)
        except (EOFError, OSError):
            hello = b"error" + b"The worker process exited while loading the model."
        except asyncio.CancelledError:
            worker.kill()
            raise
        if hello != _READY:
            self.load_error = hello[len(b"error") :].decode("utf-8", "replace")
            _logger.error("%s", self.load_error)
            worker.kill()
            self._all.discard(worker)
            await loop.run_in_executor(None, worker.reap)
            return  # a model that does not load will not load next time either
        if self._closed:
            worker.kill()
            await loop.run_in_executor(None, worker.reap)
            return
        await worker.connect()
        self._ready += 1
        assert self._idle is not None
        self._idle.put_nowait(worker)

    def _launch(self) -> tuple[subprocess.Popen, socket.socket]:
        """Start one worker process, connected by a socket pair, and send it the model source."""
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_COMMAND, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                close_fds=True,
            )
        finally:
            theirs.close()
        source = self.model_source
        _send_frame_blocking(ours, b"m" + source if isinstance(source, bytes) else b"u" + source.encode("utf-8"))
        return process, ours

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` (ready and not idle) and start another in its place."""
        self._ready -= 1
        worker.kill()
        self._all.discard(worker)
        loop = asyncio.get_running_loop()
        loop.run_in_executor(None, worker.reap)
        self._spawn_soon()

    # ------------------------------------------------------------------ requests

    async def submit(self, kind: bytes, body: bytes) -> tuple[int, bytes]:
        """Run one request on a worker; return ``(status, JSON body)``.

        Raises
        ------
        PoolUnavailable
            The pool is full (``retry_after`` set), no worker could load the model, or the
            worker died during the request.
        PoolTimeout
            The request's deadline passed while it waited or ran.
        """
        if self.load_error is not None and self._ready == 0:
            raise PoolUnavailable(self.load_error)
        if self._admitted >= self.workers + self.max_queue:
            raise PoolUnavailable(
                f"The server is busy: {self._admitted} requests are in progress or waiting "
                f"(at most {self.workers + self.max_queue}). Retry later.",
                retry_after=1,
            )
        assert self._idle is not None, "WorkerPool.start() was not called"
        self._admitted += 1
        try:
            worker = await self._take_worker()
            return await self._run(worker, kind + body, time.monotonic() + self.timeout)
        finally:
            self._admitted -= 1

    async def _take_worker(self) -> _Worker:
        """An idle worker, waited for at most ``timeout`` seconds of normal running.

        While a worker is being started (after a kill or a crash) and none is idle, the wait
        goes on up to ``startup_timeout``: a request must not get 504 because the worker
        that would have served it is being replaced.
        """
        assert self._idle is not None
        started = time.monotonic()
        while True:
            try:
                worker = await asyncio.wait_for(self._idle.get(), self.timeout)
            except (asyncio.TimeoutError, TimeoutError):
                waited = time.monotonic() - started
                if self._starting == 0 or waited >= self.startup_timeout or self._closed:
                    raise PoolTimeout("no worker became free") from None
                continue
            if worker.is_alive():
                return worker
            _logger.error("Idle worker %s died; replacing it", worker.pid)
            self._replace(worker)  # and wait for another

    async def _run(self, worker: _Worker, frame: bytes, deadline: float) -> tuple[int, bytes]:
        future = asyncio.ensure_future(worker.call(frame))
        # After a kill the call ends with EOFError, which nobody awaits any more.
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        try:
            answer = await asyncio.wait_for(asyncio.shield(future), max(deadline - time.monotonic(), 0.001))
        except (asyncio.TimeoutError, TimeoutError):
            _logger.warning("A prediction overran the timeout; killing worker %s", worker.pid)
            self._replace(worker)
            raise PoolTimeout("the prediction overran") from None
        except asyncio.CancelledError:
            # The request was cancelled (server shutdown): the worker finishes the prediction
            # and goes back to the pool, or is replaced if it died meanwhile.
            future.add_done_callback(lambda done: self._after_cancel(worker, done))
            raise
        except (EOFError, OSError) as err:
            _logger.error("Worker %s died during a request (%s); replacing it", worker.pid, err)
            self._replace(worker)
            raise PoolUnavailable(
                "The worker process running this prediction died (the model may have crashed "
                "or run out of memory). It is being replaced; retry the request."
            ) from None
        assert self._idle is not None
        self._idle.put_nowait(worker)
        return _STATUS.unpack_from(answer)[0], answer[_STATUS.size :]


    def _after_cancel(self, worker: _Worker, done: Any) -> None:
        if self._closed:
            return
        if done.cancelled() or done.exception() is not None:
            self._replace(worker)
        elif self._idle is not None:
            self._idle.put_nowait(worker)


def pickled_model(model: Any) -> bytes:
    """Cloudpickle an in-memory model for the workers."""
    import cloudpickle

    return cloudpickle.dumps(model)


__all__ = [
    "KIND_CSV",
    "KIND_JSON",
    "KIND_PARQUET",
    "PoolTimeout",
    "PoolUnavailable",
    "WorkerPool",
    "error_body",
    "pickled_model",
]
