"""Running an explainer over fixed chunks of rows (or trees), with a progress bar when slow.

:func:`_run_chunked` calls a step on about ``_N_CHUNKS`` slices whose bounds depend only on the
count, so results never depend on timing; after the first chunk it projects the total time and
shows a tqdm bar when that exceeds ``_PROGRESS_AFTER_SECONDS`` (or when forced). :func:`_stack`
joins the per-chunk SHAP values along rows.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable

import numpy as np

# A progress bar is shown when the projected time exceeds this many seconds.
_PROGRESS_AFTER_SECONDS = 1.0
_N_CHUNKS = 20


def _chunks(n: int) -> list[slice]:
    size = max(1, math.ceil(n / _N_CHUNKS))
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _run_chunked(
    step: Callable[[slice], Any], n: int, desc: str, progress: bool | None, unit: str = "row"
) -> list:
    """Run ``step`` on fixed chunks of ``n`` rows (or trees, ``unit="tree"``; the chunking
    depends on ``n`` only, so results do not depend on timing); show a tqdm bar when the
    projected time exceeds 1 s."""
    parts = []
    chunks = _chunks(n)
    bar = None
    try:
        for i, sl in enumerate(chunks):
            start = time.perf_counter()
            parts.append(step(sl))
            if i == 0 and len(chunks) > 1:
                projected = (time.perf_counter() - start) * (len(chunks) - 1)
                show = progress if progress is not None else projected > _PROGRESS_AFTER_SECONDS
                if show:
                    from tqdm import tqdm

                    bar = tqdm(total=n, initial=sl.stop, desc=desc, unit=unit, leave=False)
            elif bar is not None:
                bar.update(sl.stop - sl.start)
    finally:
        if bar is not None:
            bar.close()
    return parts



def _stack(parts: list) -> np.ndarray:
    """Concatenate per-chunk values along rows (a list of per-output arrays becomes (n, p, k))."""
    fixed = [
        np.stack([np.asarray(x) for x in part], axis=-1) if isinstance(part, list) else part
        for part in parts
    ]
    return np.concatenate(fixed, axis=0)
