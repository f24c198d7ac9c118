"""HTML reports: one offline, interactive file for an evaluation or a comparison.

The report runs the same front-end as the live panels (DESIGN.md section 7): the file holds

* ``extension/panel.js`` as ``<script type="text/plain">``, imported from a ``blob:`` URL
  and called with a small model object that serves the view's ``spec`` and ``data``;
* ``extension/panel.css`` inlined;
* the view payload (:mod:`workbench.notebook._view`) as ``<script type="application/json">``,
  with ``<``, ``>`` and ``&`` written as ``\\u003c``, ``\\u003e``, ``\\u0026`` so that no
  string in it can close the script element, and the float32 arrays as base64;
* plotly.js from the installed ``plotly`` package, inlined once (``plotlyjs="inline"``, the
  default: the file makes no network request), or referenced from plotly's CDN for the
  installed version (``"cdn"``: a small file that needs the network), or from a
  ``plotly.min.js`` written beside the file (``"directory"``: several reports share it);
* a static summary (the same escaped HTML as the notebook's ``text/html`` fallback), shown
  until the panel has rendered, and all that remains where JavaScript does not run.

Every string from the data reaches the page as text: through jinja2's autoescape in the
template, through the escaped JSON payload, and in the panel through ``textContent``.

Examples
--------
>>> from workbench.evaluation import EvaluationResult
>>> page = to_html(EvaluationResult({"roc_auc": 0.9}, {}), plotlyjs="cdn")
>>> page.startswith("<!DOCTYPE html>"), "cdn.plot.ly/plotly-" in page, page.count('id="wb-payload"')
(True, True, 1)
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import json
import os
import pathlib
from typing import Any

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException
from workbench._io import atomic_write_bytes, atomic_write_text
from workbench.notebook import _assets

__all__ = ["PLOTLYJS_MODES", "save_html", "script_json", "to_html"]

PLOTLYJS_MODES = ("inline", "cdn", "directory")
PLOTLY_FILE = "plotly.min.js"

# Runs as a module script, after the classic plotly.js script: builds the model object the
# panel reads, imports panel.js from a blob URL and renders. Any failure leaves the static
# summary in place and says why.
_BOOTSTRAP = r"""
const root = document.getElementById("wb-root");
const fallback = document.getElementById("wb-static");
function fail(err) {
  console.error("[workbench] the interactive report could not start:", err);
  const p = document.createElement("p");
  p.className = "wb-error";
  p.textContent = "The interactive report could not start: " + (err && err.message ? err.message : err);
  fallback.prepend(p);
  document.body.dataset.wbReady = "error";
}
try {
  const payload = JSON.parse(document.getElementById("wb-payload").textContent);
  const raw = atob(payload.data);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  // plotly.js: a <script src> (cdn, directory) has run already; the inline copy is
  // evaluated after the first tab is painted (it takes a second or more), and the panel's
  // plots wait for the promise.
  let resolvePlotly, rejectPlotly;
  const plotlyReady = new Promise((res, rej) => { resolvePlotly = res; rejectPlotly = rej; });
  plotlyReady.catch(() => {});
  globalThis.__wbPlotly = { promise: plotlyReady, loading: true, loaded: false };
  let plotlyTried = false;
  const loadPlotly = () => {
    if (plotlyTried) return;
    plotlyTried = true;
    const holder = document.getElementById("wb-plotly-js");
    if (!globalThis.Plotly && holder) {
      const script = document.createElement("script");
      script.textContent = holder.textContent;
      document.head.appendChild(script);
    }
    if (globalThis.Plotly) {
      globalThis.__wbPlotly.loaded = true;
      resolvePlotly(globalThis.Plotly);
    } else {
      rejectPlotly(new Error("plotly.js did not load (a CDN or directory copy that is unreachable?)"));
    }
    globalThis.__wbPlotly.loading = false;
  };
  // Printing draws every tab's plots: the panel asks for plotly.js at once then.
  globalThis.__wbPlotly.loadNow = loadPlotly;
  const source = document.getElementById("wb-panel-module").textContent;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  let panel;
  try {
    panel = await import(url);
  } finally {
    URL.revokeObjectURL(url);
  }
  const state = { spec: payload.spec, data: bytes, runs: [], selected: [], error: "" };
  const model = {
    get: (key) => (key in state ? state[key] : null),
    set: (key, value) => { state[key] = value; },
    save_changes: () => {},
    on: () => {},
    off: () => {},
  };
  panel.default.render({ model, el: root });
  root.hidden = false;
  fallback.hidden = true;
  document.body.dataset.wbReady = "1";
  document.body.dataset.wbReadyMs = String(Math.round(performance.now()));
  requestAnimationFrame(() => setTimeout(loadPlotly, 0));
} catch (err) {
  fail(err);
}
"""


_invalid = WorkbenchException.invalid_parameter_value


def script_json(value: Any) -> str:
    """JSON that is safe inside ``<script>``: ``<``, ``>`` and ``&`` as ``\\u`` escapes.

    Examples
    --------
    >>> script_json({"name": "</script><b>&"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _script_text(text: str, what: str) -> str:
    """``text`` for a raw ``<script>`` element, refusing what could end the element early."""
    lowered = text.lower()
    if "</script" in lowered or "</style" in lowered or "<!--" in lowered:
        raise _invalid(
            f"Cannot inline {what} into the report: it contains '</script', '</style' or "
            "'<!--', which would end its element early. Reinstall workbench and plotly."
        )
    return text


def _plotly() -> Any:
    try:
        import plotly
    except ImportError:
        raise WorkbenchException(
            "HTML reports need plotly.js from the plotly package, which is not installed. "
            'Install the notebook extra: pip install "workbench[notebook]".',
            error_code=INVALID_PARAMETER_VALUE,
        ) from None
    return plotly


@functools.lru_cache(maxsize=1)
def _plotly_js() -> str:
    plotly = _plotly()
    path = pathlib.Path(plotly.__file__).parent / "package_data" / PLOTLY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise WorkbenchException(
            f"HTML reports need plotly.js, expected at {path} in plotly {plotly.__version__}, "
            f"but it cannot be read ({err}). Reinstall plotly: pip install --force-reinstall plotly.",
            error_code=INVALID_PARAMETER_VALUE,
        ) from None
    return _script_text(text, "plotly.js")


def _plotly_cdn_url() -> str:
    _plotly()
    from plotly.offline import get_plotlyjs_version

    return f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"


def _check_mode(plotlyjs: Any) -> str:
    if plotlyjs not in PLOTLYJS_MODES:
        raise _invalid(
            f"plotlyjs must be one of {', '.join(repr(m) for m in PLOTLYJS_MODES)}, got "
            f"{plotlyjs!r}. 'inline' (the default) makes one offline file; 'cdn' loads "
            "plotly.js from cdn.plot.ly; 'directory' writes plotly.min.js beside the report."
        )
    return plotlyjs


def _view(obj: Any) -> tuple[str, dict[str, Any], bytes, str]:
    """(kind, spec, data, static html) of an EvaluationResult or a ComparisonResult."""
    from workbench.evaluation import EvaluationResult

    if isinstance(obj, EvaluationResult):
        from workbench.notebook._display import result_html
        from workbench.notebook._view import evaluation_view

        spec, data = evaluation_view(obj)
        return "evaluation", spec, data, result_html(obj, images=False)
    from workbench.evaluation._compare import ComparisonResult

    if isinstance(obj, ComparisonResult):
        from workbench.notebook._display import comparison_html
        from workbench.notebook._view import comparison_view

        spec, data = comparison_view(obj)
        return "comparison", spec, data, comparison_html(obj, images=False)
    raise _invalid(
        f"An HTML report is made from an EvaluationResult (workbench.evaluate) or a "
        f"ComparisonResult (workbench.compare), got {type(obj).__name__}."
    )


@functools.lru_cache(maxsize=1)
def _template() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(pathlib.Path(__file__).parent / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )
    return env.get_template("report.html.j2")


def _render(obj: Any, title: Any, plotly_src: str | None) -> str:
    """The page; ``plotly_src`` is the URL of plotly.js, or None to inline it."""
    from workbench import __version__

    if title is not None and not isinstance(title, str):
        raise _invalid(f"title must be a str or None, got {type(title).__name__}.")
    kind, spec, data, static_html = _view(obj)
    payload = script_json({"spec": spec, "data": base64.b64encode(data).decode("ascii")})
    return _template().render(
        version=__version__,
        title=title if title is not None else spec.get("title") or f"workbench {kind}",
        created=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        kind=kind,
        spec=spec,
        static_html=static_html,
        payload=payload,
        panel_js=_script_text(_assets.read_text("panel.js"), "panel.js"),
        panel_css=_script_text(_assets.read_text("panel.css"), "panel.css"),
        plotly_src=plotly_src,
        plotly_js=_plotly_js() if plotly_src is None else "",
        bootstrap_js=_script_text(_BOOTSTRAP, "the report's start-up script"),
    )


def to_html(obj: Any, *, plotlyjs: str = "inline", title: str | None = None) -> str:
    """The report of ``obj`` as one HTML page.

    Parameters
    ----------
    obj : EvaluationResult or ComparisonResult
    plotlyjs : {"inline", "cdn", "directory"}, default "inline"
        Where the page gets plotly.js: inlined from the installed plotly package (an
        offline file of about 5 MB), plotly's CDN for that version, or ``plotly.min.js``
        in the same directory as the page (:func:`save_html` writes it there).
    title : str, optional
        The page title; by default the view's title (model, data, run).

    Returns
    -------
    str

    Raises
    ------
    WorkbenchException
        For another kind of object, an unknown ``plotlyjs``, or when plotly is not
        installed (``pip install "workbench[notebook]"``).
    """
    mode = _check_mode(plotlyjs)
    if mode == "cdn":
        src: str | None = _plotly_cdn_url()
    else:
        _plotly()  # a clear error first when plotly is missing
        src = PLOTLY_FILE if mode == "directory" else None
    return _render(obj, title, src)


def _check_path(path: Any) -> pathlib.Path:
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise _invalid(
            f"save_html(path) expects a file path (str or os.PathLike), got {type(path).__name__}."
        )
    text = os.fspath(path)
    if not text or text.endswith(("/", os.sep)):
        raise _invalid(f"save_html(path) expects a file path such as 'report.html', got {text!r}.")
    target = pathlib.Path(text)
    if target.is_dir():
        raise _invalid(
            f"Cannot write the report to {text!r}: it is a directory. Pass a file path such as "
            f"{os.path.join(text, 'report.html')!r}."
        )
    if target.is_symlink():
        raise _invalid(f"Cannot write the report to {text!r}: it is a symbolic link. Pass the real path.")
    if target.parent.exists() and not target.parent.is_dir():
        raise _invalid(f"Cannot write the report to {text!r}: {str(target.parent)!r} is not a directory.")
    return target


def save_html(obj: Any, path: str | os.PathLike, *, plotlyjs: str = "inline",
              title: str | None = None) -> pathlib.Path:
    """Write the report of ``obj`` to ``path`` atomically and return the path.

    With ``plotlyjs="directory"``, ``plotly.min.js`` is written beside the file (once:
    an identical copy already there is kept). Parent directories are created.

    Parameters
    ----------
    obj : EvaluationResult or ComparisonResult
    path : str or os.PathLike
        The HTML file to write (replaced if it exists).
    plotlyjs : {"inline", "cdn", "directory"}, default "inline"
    title : str, optional

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, os
    >>> from workbench.evaluation import EvaluationResult
    >>> out = save_html(EvaluationResult({"roc_auc": 0.9}, {}),
    ...                 os.path.join(tempfile.mkdtemp(), "r.html"), plotlyjs="directory")
    >>> sorted(os.listdir(out.parent))
    ['plotly.min.js', 'r.html']
    """
    target = _check_path(path)
    page = to_html(obj, plotlyjs=plotlyjs, title=title)
    target.parent.mkdir(parents=True, exist_ok=True)
    if plotlyjs == "directory":
        beside = target.parent / PLOTLY_FILE
        source = _plotly_js().encode("utf-8")
        if not (beside.is_file() and not beside.is_symlink()
                and beside.stat().st_size == len(source) and beside.read_bytes() == source):
            atomic_write_bytes(beside, source)
    atomic_write_text(target, page)
    return target
