"""Static PNG images of a result's curves for the ``text/html`` fallback, rendered by kaleido.

:func:`images_html` returns an HTML block of at most two ``<img>`` elements with the PNG
inlined as a ``data:`` URI (figures from :mod:`workbench.notebook._figures`), or ``""``:

* when the images are off: ``WORKBENCH_STATIC_IMAGES=0``, kaleido or plotly is not
  installed, or no Chrome / Chromium is found (``BROWSER_PATH`` or the usual names on
  ``PATH``); one DEBUG log line says why, once per process;
* when anything fails while rendering (the browser does not start, a render times out, a
  PNG is larger than :data:`MAX_PNG_BYTES`): a display never breaks over an image.

Kaleido drives a headless browser. The first image starts it (about 3 s) in a daemon thread
running its own event loop, so a notebook's loop is never touched; later images take about
0.2-0.4 s each. The browser is closed at exit. The block built for one object is cached by
``id`` for as long as the object lives (a :func:`weakref.finalize` drops it), so showing a
result again costs nothing.

This module imports only the standard library at import time; kaleido and plotly are
imported on the first image.

Examples
--------
>>> from workbench.evaluation import EvaluationResult
>>> images_html(EvaluationResult({"accuracy_score": 0.5}, {}))  # no curves, no images
''
"""

from __future__ import annotations

import atexit
import base64
import functools
import html
import importlib.util
import logging
import os
import struct
import threading
import weakref
from collections.abc import Callable
from typing import Any

__all__ = ["ENV_VAR", "HEIGHT", "MAX_PNG_BYTES", "WIDTH", "browser_path", "enabled",
           "images_html", "png_size", "render_png"]

_log = logging.getLogger(__name__)

#: Set to ``"0"`` to turn the static images off.
ENV_VAR = "WORKBENCH_STATIC_IMAGES"
#: Image size in pixels (scale 1).
WIDTH, HEIGHT = 480, 360
#: An image larger than this is left out.
MAX_PNG_BYTES = 80_000
#: Seconds to wait for the browser to start / for one image.
START_TIMEOUT = 45.0
RENDER_TIMEOUT = 20.0

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def browser_path() -> str | None:
    """The Chrome / Chromium kaleido would use (``BROWSER_PATH`` first), or None."""
    path = os.environ.get("BROWSER_PATH")
    if path:
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    try:
        from choreographer.browsers.chromium import Chromium

        return Chromium.find_browser(skip_local=False)
    except Exception:  # an older or newer choreographer: no browser we know of
        return None


@functools.lru_cache(maxsize=1)
def _missing() -> str | None:
    """Why images cannot be rendered in this process (None when they can)."""
    for module in ("kaleido", "plotly"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed"
    if browser_path() is None:
        return "no Chrome or Chromium found (set BROWSER_PATH)"
    return None


_logged = False


def enabled() -> bool:
    """True when static images are on and can be rendered (see the module docstring)."""
    global _logged
    if os.environ.get(ENV_VAR, "").strip() == "0":
        return False
    why = _missing()
    if why is not None and not _logged:
        _logged = True
        _log.debug("workbench: no static curve images in the HTML view: %s", why)
    return why is None


class _Renderer:
    """One kaleido browser in a daemon thread with its own event loop, started lazily."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: Any = None
        self._kaleido: Any = None
        self._failed: str | None = None

    def _start(self) -> None:
        import asyncio

        import kaleido

        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="workbench-kaleido", daemon=True).start()

        async def open_browser() -> Any:
            k = kaleido.Kaleido(n=1, timeout=RENDER_TIMEOUT, mathjax=False)
            await k.open()
            return k

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(
                START_TIMEOUT)
        except BaseException as err:
            loop.call_soon_threadsafe(loop.stop)
            self._failed = f"{type(err).__name__}: {err}"
            raise
        self._loop = loop
        atexit.register(self.close)

    def png(self, figure: Any, width: int, height: int) -> bytes:
        import asyncio

        with self._lock:
            if self._failed is not None:
                raise RuntimeError(f"kaleido did not start earlier ({self._failed})")
            if self._kaleido is None:
                self._start()
            opts = {"format": "png", "width": width, "height": height, "scale": 1}
            future = asyncio.run_coroutine_threadsafe(
                self._kaleido.calc_fig(figure, opts=opts), self._loop)
            try:
                return future.result(RENDER_TIMEOUT)
            except BaseException:
                future.cancel()
                raise

    def close(self) -> None:
        import asyncio

        with self._lock:
            if self._kaleido is None:
                return
            try:
                asyncio.run_coroutine_threadsafe(self._kaleido.close(), self._loop).result(10)
            except Exception:  # at exit: nothing left to do about it
                pass
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._kaleido = self._loop = None


_renderer = _Renderer()


def png_size(data: bytes) -> tuple[int, int]:
    """``(width, height)`` of a PNG from its IHDR chunk.

    Examples
    --------
    >>> png_size(b"\\x89PNG\\r\\n\\x1a\\n" + b"\\x00\\x00\\x00\\x0dIHDR" + (480).to_bytes(4, "big")
    ...          + (360).to_bytes(4, "big"))
    (480, 360)
    """
    if len(data) < 24 or not data.startswith(_PNG_MAGIC) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG: the signature or the IHDR chunk is missing")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def render_png(figure: Any, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The PNG bytes of a plotly figure (raises when kaleido fails or the PNG is too large)."""
    data = _renderer.png(figure, width, height)
    png_size(data)
    if len(data) > MAX_PNG_BYTES:
        raise ValueError(f"the PNG is {len(data)} bytes, more than the {MAX_PNG_BYTES} allowed")
    return data


def _img(alt: str, data: bytes) -> str:
    src = base64.b64encode(data).decode("ascii")
    return (f'<img alt="{html.escape(alt, quote=True)}" width="{WIDTH}" height="{HEIGHT}" '
            f'style="margin:0 8px 8px 0" src="data:image/png;base64,{src}">')


def _build(obj: Any, figures: Callable[[Any], list[tuple[str, Any]]]) -> str:
    try:
        chosen = figures(obj)
        images = [_img(alt, render_png(fig)) for alt, fig in chosen]
    except Exception as err:  # never break a display over an image
        _log.debug("workbench: static curve images left out (%s: %s)", type(err).__name__, err)
        return ""
    if not images:
        return ""
    return f'<h4>Curves</h4><div class="wb-images">{"".join(images)}</div>'


def _has_residuals(obj: Any) -> bool:
    tables = getattr(obj, "tables", None)
    return isinstance(tables, dict) and any(
        getattr(t, "kind", None) == "residuals" for t in tables.values())


_cache: dict[int, str] = {}


def images_html(obj: Any, kind: str = "result") -> str:
    """The ``<h4>Curves</h4>`` block of static images for a result (``kind="result"``) or a
    comparison (``kind="comparison"``), or ``""`` (see the module docstring)."""
    if kind not in ("result", "comparison"):
        raise ValueError(f"kind should be 'result' or 'comparison', got {kind!r}")
    if not getattr(obj, "curves", None) and not _has_residuals(obj):
        return ""  # nothing to draw: do not start a browser
    if not enabled():
        return ""
    key = id(obj)
    cached = _cache.get(key)
    if cached is not None:
        return cached

    def figures(o: Any) -> list[tuple[str, Any]]:
        from workbench.notebook import _figures

        return (_figures.result_figures if kind == "result" else _figures.comparison_figures)(o)

    block = _build(obj, figures)
    try:
        weakref.finalize(obj, _cache.pop, key, None)
    except TypeError:  # not weak-referenceable: no cache (an id could be reused)
        return block
    _cache[key] = block
    return block
