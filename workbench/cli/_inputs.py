"""Files and values given on the command line: data tables, evaluator configs, thresholds.

Problems with what the user wrote are click usage errors (exit code 2) that name the
option, say what was expected and what arrived, and show an example.
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Mapping
from typing import Any

import click

__all__ = ["DATA_SUFFIXES", "THRESHOLD_KEYS", "read_config", "read_data", "read_mapping_file",
           "read_thresholds"]

DATA_SUFFIXES = (".csv", ".parquet", ".pq")
THRESHOLD_KEYS = ("threshold", "min_absolute_change", "min_relative_change", "greater_is_better")


def read_data(path: str) -> Any:
    """Read a ``.csv`` or ``.parquet`` file into a pandas DataFrame.

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "d.csv")
    >>> _ = open(p, "w").write("x,label\\n0.5,1\\n0.1,0\\n")
    >>> read_data(p).shape
    (2, 2)
    >>> read_data(p[:-4] + ".txt")
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: expected a .csv or .parquet file, got '...d.txt'. Example: workbench evaluate ./model test.parquet --targets label
    """
    suffix = pathlib.Path(path).suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise click.BadParameter(
            f"expected a .csv or .parquet file, got {path!r}. Example: workbench evaluate "
            "./model test.parquet --targets label",
            param_hint="DATA",
        )
    import pandas as pd

    try:
        if suffix == ".csv":
            return pd.read_csv(path)
        return pd.read_parquet(path)
    except ImportError as err:
        raise click.BadParameter(
            f"reading {path!r} needs a Parquet engine ({err}). Install one with "
            "`pip install pyarrow`, or pass the data as .csv.",
            param_hint="DATA",
        ) from None
    except (ValueError, OSError, pd.errors.ParserError) as err:
        kind = "CSV" if suffix == ".csv" else "Parquet"
        raise click.BadParameter(
            f"cannot read {path!r} as {kind}: {err}", param_hint="DATA"
        ) from None


def read_mapping_file(path: str, option: str) -> dict[str, Any]:
    """A JSON (``.json``) or YAML (``.yaml``/``.yml``, or anything else) file holding a mapping."""
    try:
        text = pathlib.Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise click.BadParameter(f"cannot read {path!r}: {err}", param_hint=option) from None
    if pathlib.Path(path).suffix.lower() == ".json":
        try:
            value = json.loads(text)
        except ValueError as err:
            raise click.BadParameter(f"{path!r} is not valid JSON: {err}", param_hint=option) from None
    else:
        import yaml

        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise click.BadParameter(
                f"{path!r} is not valid YAML (or JSON): {err}", param_hint=option
            ) from None
    if not isinstance(value, Mapping):
        raise click.BadParameter(
            f"{path!r} must hold a mapping (a JSON object), got {type(value).__name__}.",
            param_hint=option,
        )
    return dict(value)


def read_config(text: str) -> dict[str, Any]:
    """``--config``: inline JSON (starts with ``{``) or the path of a JSON / YAML file.

    Examples
    --------
    >>> read_config('{"pos_label": 1}')
    {'pos_label': 1}
    >>> read_config("[1]")
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: expected inline JSON of an object or the path of a JSON/YAML file, got '[1]'. Example: --config '{"pos_label": 1}' or --config config.yaml
    """
    example = "Example: --config '{\"pos_label\": 1}' or --config config.yaml"
    if text.lstrip().startswith("{"):
        try:
            value = json.loads(text)
        except ValueError as err:
            raise click.BadParameter(
                f"not valid JSON ({err}). {example}", param_hint="--config"
            ) from None
        if not isinstance(value, dict):  # pragma: no cover - '{' always parses to a dict
            raise click.BadParameter(f"expected a JSON object. {example}", param_hint="--config")
        return value
    if os.path.isfile(text):
        return read_mapping_file(text, "--config")
    raise click.BadParameter(
        f"expected inline JSON of an object or the path of a JSON/YAML file, got {text!r}. {example}",
        param_hint="--config",
    )


def read_thresholds(path: str) -> dict[str, Any]:
    """``--thresholds FILE``: ``{metric: {threshold, min_absolute_change, min_relative_change,
    greater_is_better}}`` (JSON or YAML) as ``{metric: MetricThreshold}``.

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "gates.yaml")
    >>> _ = open(p, "w").write("roc_auc:\\n  threshold: 0.8\\n  greater_is_better: true\\n")
    >>> read_thresholds(p)
    {'roc_auc': MetricThreshold(threshold=0.8, greater_is_better=True)}
    """
    from workbench._exceptions import WorkbenchException
    from workbench.evaluation import MetricThreshold

    spec = read_mapping_file(path, "--thresholds")
    example = ("Example (YAML): roc_auc: {threshold: 0.8, greater_is_better: true}, or (JSON) "
               '{"log_loss": {"min_absolute_change": 0.01, "greater_is_better": false}}')
    if not spec:
        raise click.BadParameter(f"{path!r} names no metric. {example}", param_hint="--thresholds")
    thresholds = {}
    for metric, gate in spec.items():
        if not isinstance(gate, Mapping):
            raise click.BadParameter(
                f"{path!r}: metric {metric!r} must map to an object of "
                f"{', '.join(THRESHOLD_KEYS)}; got {type(gate).__name__}. {example}",
                param_hint="--thresholds",
            )
        unknown = sorted(str(k) for k in gate if k not in THRESHOLD_KEYS)
        if unknown:
            raise click.BadParameter(
                f"{path!r}: metric {metric!r} has unknown key(s) {', '.join(unknown)}; expected "
                f"some of {', '.join(THRESHOLD_KEYS)}. {example}",
                param_hint="--thresholds",
            )
        kwargs = dict(gate)
        # A file cannot tell 0 from 0.0 the way Python does; MetricThreshold wants a float.
        if isinstance(kwargs.get("min_relative_change"), int) and not isinstance(
            kwargs.get("min_relative_change"), bool
        ):
            kwargs["min_relative_change"] = float(kwargs["min_relative_change"])
        try:
            thresholds[str(metric)] = MetricThreshold(**kwargs)
        except WorkbenchException as err:
            raise click.BadParameter(
                f"{path!r}: metric {metric!r}: {err.message} {example}", param_hint="--thresholds"
            ) from None
    return thresholds
