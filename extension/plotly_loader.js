// plotly_loader.js: evaluates plotly.js at most once per page and shares it through a promise.
//
// The Python side (workbench/notebook/_panel.py, PlotlyLoader) is one hidden widget per kernel whose
// `source_gz` trait holds gzip(plotly.min.js) from the installed plotly package (~1.5 MB instead of
// 4.8 MB on the comm). Panels reach plotly through this widget's exports
// (`(await host.getWidget(loaderRef)).exports.plotly`) or, without anywidget >= 0.11 and in the HTML
// report, through `globalThis.__wbPlotly.promise`.
//
// Why it looks like this (measured in /work/shared/PLOTLY-ONCE.md):
// - `initialize` never awaits: anywidget rejects a model whose initialize takes > 2 s and holds incoming
//   messages until it returns. We start the load and return the promise at once.
// - The first copy in a page wins. A kernel restart or a second notebook sends another copy, which is
//   ignored when this page already has (or is loading) plotly.js.
// - plotly.min.js writes the globals `Plotly` and `moduleName` through its UMD wrapper, and overwrites a
//   `Plotly` that jupyterlab-plotly or a FigureWidget set. We keep our own reference and put back what
//   was there before.
// - A Bytes trait arrives as a DataView whose byteOffset may be unaligned: read it through its buffer
//   range, never through the whole buffer.

const KEY = "__wbPlotly";

function newSlot() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection nobody awaits yet must not become an "Uncaught (in promise)" console error:
  // panels that await it later still see the error.
  promise.catch(() => {});
  return { promise, resolve, reject, loading: false, loaded: false };
}

function slot() {
  if (!globalThis[KEY]) globalThis[KEY] = newSlot();
  return globalThis[KEY];
}

function bytesOf(value) {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value && ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  throw new TypeError(
    `plotly loader: expected the gzipped plotly.js as bytes, got ${Object.prototype.toString.call(value)}`,
  );
}

async function gunzipText(bytes) {
  if (typeof DecompressionStream !== "function") {
    throw new Error(
      "this browser has no DecompressionStream (needed to unpack plotly.js); use a current Chromium, " +
        "Firefox or Safari, or open the HTML report instead",
    );
  }
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

async function evaluate(source) {
  const had = { Plotly: "Plotly" in globalThis, moduleName: "moduleName" in globalThis };
  const before = { Plotly: globalThis.Plotly, moduleName: globalThis.moduleName };
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  let Plotly;
  try {
    await import(/* webpackIgnore: true */ url);
    Plotly = globalThis.Plotly;
  } finally {
    URL.revokeObjectURL(url);
    for (const name of ["Plotly", "moduleName"]) {
      if (had[name]) globalThis[name] = before[name];
      else delete globalThis[name];
    }
  }
  if (!Plotly || typeof Plotly.react !== "function") {
    throw new Error("plotly.js was evaluated but defined no Plotly object");
  }
  return Plotly;
}

async function load(bytes) {
  return evaluate(await gunzipText(bytes));
}

export default {
  initialize({ model }) {
    const s = slot();
    if (!s.loading && !s.loaded) {
      s.loading = true;
      let bytes;
      try {
        bytes = bytesOf(model.get("source_gz"));
      } catch (err) {
        s.loading = false;
        console.error("[workbench] plotly.js could not be loaded:", err);
        return { plotly: s.promise };
      }
      load(bytes).then(
        (Plotly) => {
          s.loading = false;
          s.loaded = true;
          s.resolve(Plotly);
        },
        (err) => {
          // Panels waiting now get the error (and show it); a later loader (kernel restart,
          // another notebook) gets a fresh slot and tries again.
          console.error("[workbench] plotly.js could not be loaded:", err);
          if (globalThis[KEY] === s) delete globalThis[KEY];
          s.reject(err);
        },
      );
    }
    return { plotly: s.promise };
  },
};
