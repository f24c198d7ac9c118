"""Progress bars (tqdm) for the steps of a command, shown only when they take a while.

A bar appears when a command has run for more than a second (tqdm's ``delay``), and only
where someone watches: stdout and stderr are terminals and ``--quiet`` was not given.

The library draws bars of its own (``workbench.evaluate``'s step bar, the explainer's row
bar). ``--quiet`` silences those with ``TQDM_DISABLE=1``, which tqdm reads once, when it is
first imported: ``import workbench.cli`` does not import tqdm, so in the ``workbench``
process the variable is set before it is. (Called in-process after tqdm was imported,
``--quiet`` still silences the CLI's own bars.)
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import IO, Any

__all__ = ["Steps", "progress_wanted", "silence_library_bars"]

#: Seconds a command runs before its bar appears.
DELAY = 1.0
#: Seconds between redraws of a visible bar while a step runs.
TICK = 0.5


def progress_wanted(quiet: bool) -> bool:
    """True when bars should be drawn: not ``--quiet`` and both stdout and stderr are TTYs.

    Examples
    --------
    >>> progress_wanted(quiet=True)
    False
    """
    if quiet:
        return False
    for stream in (sys.stdout, sys.stderr):
        isatty = getattr(stream, "isatty", None)
        try:
            if isatty is None or not isatty():
                return False
        except (ValueError, OSError):  # a closed or odd stream
            return False
    return True


@contextlib.contextmanager
def silence_library_bars() -> Iterator[None]:
    """Set ``TQDM_DISABLE=1`` inside the block (effective when tqdm is first imported in it;
    see the module docstring); the variable is restored afterwards.

    Examples
    --------
    >>> with silence_library_bars():
    ...     os.environ["TQDM_DISABLE"]
    '1'
    """
    saved = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = saved


class Steps:
    """A bar over named steps: ``with steps.step("reading data"): ...``.

    Parameters
    ----------
    total : int
        How many steps the command has.
    enabled : bool
        Draw the bar (see :func:`progress_wanted`); False: only run the steps.
    desc : str
        The bar's label.
    file : file-like, optional
        Where the bar is drawn (default stderr).
    delay : float
        Seconds before the bar appears.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> with Steps(2, enabled=True, desc="evaluate", file=out, delay=0) as steps:
    ...     with steps.step("reading data"):
    ...         pass
    ...     with steps.step("evaluating"):
    ...         pass
    >>> "reading data" in out.getvalue() and "evaluating" in out.getvalue()
    True
    """

    def __init__(self, total: int, *, enabled: bool, desc: str, file: IO[str] | None = None,
                 delay: float = DELAY) -> None:
        self._bar: Any = None
        self._delay = delay
        self._start = time.monotonic()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit="step", delay=delay, leave=False,
                             file=file if file is not None else sys.stderr,
                             disable=False, dynamic_ncols=True)
            # tqdm redraws only on update(): a step that runs for minutes would show nothing.
            # A ticker redraws (elapsed time, current step) while a step runs.
            self._ticker = threading.Thread(target=self._tick, name="workbench-cli-progress",
                                            daemon=True)
            self._ticker.start()

    def _due(self) -> bool:
        return time.monotonic() - self._start >= self._delay

    def _tick(self) -> None:
        while not self._stop.wait(TICK):
            bar = self._bar
            if bar is not None and self._due():
                bar.refresh()

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Run the block as step ``name``; the bar shows the name, then counts the step."""
        if self._bar is not None:
            self._bar.set_postfix_str(name, refresh=self._due())
        yield
        if self._bar is not None:
            self._bar.update(1)
            if self._due():
                self._bar.refresh()

    def close(self) -> None:
        """Stop the ticker and remove the bar."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Steps:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
