"""Predict with a saved model from data or a file, in this or an isolated environment: :func:`predict`.

The twin of ``mlflow.models.predict``. The input always takes the scoring server's road:
``input_data`` is first written as a request body (JSON through
:func:`~workbench.models.convert_input_example_to_serving_input`, CSV through
``DataFrame.to_csv``), then read back with :func:`~workbench.models._serving_input.parse_serving_input`
/ ``parse_csv_input`` against the model's signature, so a prediction here behaves as the
same request to ``workbench models serve`` (and to MLflow's server) would.

The output is MLflow's: ``{"predictions": ...}`` (a DataFrame as a list of records, a Series
as records of its one column, an ndarray as nested lists, numpy scalars as numbers), or the
bare predictions for an unwrapped chat / completions / embeddings body; written atomically
to ``output_path`` or to ``sys.stdout`` (without a final newline, as MLflow writes it).

With ``env_manager="uv"`` or ``"virtualenv"`` the prediction runs in a subprocess of the
model's own environment (:mod:`workbench.models._env`), started as
``<env>/bin/python -c "... workbench.models._predict.main()" --model-uri ... --input-path ...``;
its errors come back as the same :class:`~workbench.WorkbenchException` (code and message).
"""

from __future__ import annotations

import argparse
import base64
import datetime as _dt
import io
import json
import os
import pathlib
import subprocess
import sys
import tempfile
from typing import IO, Any

from workbench._exceptions import (
    ERROR_CODES,
    INTERNAL_ERROR,
    INVALID_PARAMETER_VALUE,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)

__all__ = ["predict", "predictions_to_json", "run_prediction"]

CONTENT_TYPE_JSON = "json"
CONTENT_TYPE_CSV = "csv"
_CONTENT_TYPES = (CONTENT_TYPE_JSON, CONTENT_TYPE_CSV)

# The line the child writes to stderr before a WorkbenchException as JSON.
_ERROR_MARKER = "WORKBENCH-PREDICT-ERROR "


# =========================================================================== output


def _jsonable(data: Any) -> Any:
    import numpy as np
    import pandas as pd

    if isinstance(data, np.ndarray):
        return data.tolist()
    if isinstance(data, pd.DataFrame):
        return data.to_dict(orient="records")
    if isinstance(data, pd.Series):
        return pd.DataFrame(data).to_dict(orient="records")
    return data


class _PredictionEncoder(json.JSONEncoder):
    """Encode numpy, pandas, bytes and date values the way MLflow's scoring server does."""

    def default(self, o: Any) -> Any:
        import numpy as np
        import pandas as pd

        if isinstance(o, np.ndarray):
            if o.dtype == object:
                return [self.default(x) if not isinstance(x, (str, int, float, bool, type(None)))
                        else x for x in o.tolist()]
            if o.dtype.kind == "S":
                return [base64.encodebytes(x).decode("ascii") for x in o.tolist()]
            return o.tolist()
        if isinstance(o, np.datetime64):
            return np.datetime_as_string(o)
        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, (bytes, bytearray)):
            return base64.encodebytes(bytes(o)).decode("ascii")
        if isinstance(o, (pd.Timestamp, _dt.date, _dt.datetime, _dt.time)):
            return o.isoformat()
        if hasattr(o, "model_dump") and callable(o.model_dump):  # pydantic models
            return o.model_dump()
        return super().default(o)


def predictions_to_json(predictions: Any, output: IO[str] | None = None, *, unwrap: bool = False) -> str:
    """Return (and write to ``output``) the JSON MLflow's scoring server answers with.

    Parameters
    ----------
    predictions : DataFrame, Series, ndarray, list, dict or scalar
        What the model's ``predict`` returned.
    output : file-like, optional
        Where to write the text as well.
    unwrap : bool, default False
        True for an unwrapped chat / completions / embeddings request: the predictions
        are written bare, without the ``{"predictions": ...}`` wrapper.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> predictions_to_json(np.array([1, 0]))
    '{"predictions": [1, 0]}'
    >>> predictions_to_json(pd.DataFrame({"y": [0.5], "label": ["a"]}))
    '{"predictions": [{"y": 0.5, "label": "a"}]}'
    >>> predictions_to_json({"choices": []}, unwrap=True)
    '{"choices": []}'
    """
    payload = _jsonable(predictions)
    text = json.dumps(payload if unwrap else {"predictions": payload}, cls=_PredictionEncoder)
    if output is not None:
        output.write(text)
    return text


# =========================================================================== input


def _serialize_input(input_data: Any, content_type: str) -> str:
    """Write ``input_data`` as the request body MLflow's predict would send."""
    import pandas as pd

    if content_type == CONTENT_TYPE_CSV:
        if isinstance(input_data, str):
            try:
                pd.read_csv(io.StringIO(input_data))
            except Exception as exc:
                raise WorkbenchException(
                    "Failed to deserialize input string data to Pandas DataFrame: with "
                    f"content_type='csv' a str must hold CSV text ({type(exc).__name__}: {exc}).",
                    error_code=INVALID_PARAMETER_VALUE,
                ) from None
            return input_data
        if not isinstance(input_data, (list, dict, pd.DataFrame)):
            raise WorkbenchException(
                "Input data must be one of (str, list, dict, pandas.DataFrame) when content type "
                f"is 'csv', but got {type(input_data).__name__}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        try:
            return pd.DataFrame(input_data).to_csv(index=False)
        except Exception as exc:
            raise WorkbenchException(
                f"Failed to serialize input data to CSV format ({type(exc).__name__}: {exc}).",
                error_code=INVALID_PARAMETER_VALUE,
            ) from None
    from workbench.models._serving_input import convert_input_example_to_serving_input

    try:
        return convert_input_example_to_serving_input(input_data)  # type: ignore[return-value]
    except WorkbenchException as exc:
        raise WorkbenchException(
            "Invalid input data, please make sure the data is acceptable by the loaded pyfunc "
            f"model: {exc.message} Use workbench.models.convert_input_example_to_serving_input "
            "to validate your input data.",
            error_code=INVALID_PARAMETER_VALUE,
        ) from None


def _parse_input(text: str, content_type: str, model: Any) -> tuple[Any, dict | None, bool]:
    """Return ``(data, params, unwrap)`` for a request body, cast to the model's signature."""
    from workbench.models import _serving_input as serving

    meta = model.metadata
    schema = meta.get_input_schema() if meta is not None else None
    if content_type == CONTENT_TYPE_CSV:
        return serving.parse_csv_input(text, schema), None, False
    body = serving._decode_json_object(text)
    unwrap = serving._is_llm_input(body)
    data, params = serving.parse_serving_input(
        body,
        schema,
        params_schema=meta.get_params_schema() if meta is not None else None,
        from_type_hint=bool(meta is not None and meta._is_signature_from_type_hint()),
    )
    return data, params, unwrap


def run_prediction(model_uri: Any, input_text: str, content_type: str = CONTENT_TYPE_JSON) -> str:
    """Load the model in this process, predict on a request body, return the output JSON.

    Examples
    --------
    See :func:`predict` (``env_manager="local"``), which calls this.
    """
    from workbench.models._pyfunc import load_model

    model = load_model(model_uri)
    data, params, unwrap = _parse_input(input_text, content_type, model)
    predictions = model.predict(data, params=params) if params else model.predict(data)
    return predictions_to_json(predictions, unwrap=unwrap)


# =========================================================================== arguments


def _check_arguments(
    input_data: Any, input_path: Any, content_type: Any, env_manager: Any, extra_envs: Any
) -> None:
    from workbench.models._env import LOCAL, check_env_manager

    if content_type not in _CONTENT_TYPES:
        raise WorkbenchException(
            f"Content type must be one of {CONTENT_TYPE_JSON} or {CONTENT_TYPE_CSV}; got "
            f"{content_type!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    check_env_manager(env_manager)
    if extra_envs and env_manager == LOCAL:
        raise WorkbenchException(
            "Extra environment variables are only supported when env_manager is set to "
            "'virtualenv', 'conda' or 'uv'; with 'local' the model runs in this process. Set "
            "the variables in os.environ instead, or use env_manager='uv'.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if extra_envs is not None and not (
        isinstance(extra_envs, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in extra_envs.items())
    ):
        raise WorkbenchException(
            f"Expected extra_envs as a dict of str to str, got {extra_envs!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if input_data is not None and input_path is not None:
        raise WorkbenchException(
            "Both input_data and input_path are provided. Only one of them should be specified.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if input_data is None and input_path is None:
        raise WorkbenchException(
            "Neither input_data nor input_path is provided. Pass the data itself (input_data="
            "a DataFrame, dict, list, ...) or the path of a JSON or CSV file (input_path=...).",
            error_code=INVALID_PARAMETER_VALUE,
        )


def _read_input_file(input_path: Any) -> str:
    if not isinstance(input_path, (str, os.PathLike)):
        raise WorkbenchException(
            f"Expected input_path as a str or path, got {type(input_path).__name__}: "
            f"{input_path!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    path = pathlib.Path(os.path.expanduser(os.fspath(input_path)))
    if not path.is_file():
        raise WorkbenchException(
            f"Could not read the input file {os.fspath(input_path)!r}: no such file. Expected "
            "the path of a JSON or CSV file with the input data.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise WorkbenchException(
            f"Could not read the input file {str(path)!r}: it is not UTF-8 text. Expected a "
            "JSON or CSV file.",
            error_code=INVALID_PARAMETER_VALUE,
        ) from None


def _output_file(output_path: Any) -> pathlib.Path | None:
    if output_path is None:
        return None
    if not isinstance(output_path, (str, os.PathLike)):
        raise WorkbenchException(
            f"Expected output_path as a str or path, got {type(output_path).__name__}: "
            f"{output_path!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    path = pathlib.Path(os.path.expanduser(os.fspath(output_path))).absolute()
    if path.is_dir():
        raise WorkbenchException(
            f"Expected output_path to name a file, got the directory {str(path)!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if not path.parent.is_dir():
        raise WorkbenchException(
            f"Cannot write the predictions to {str(path)!r}: the directory "
            f"{str(path.parent)!r} does not exist.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    return path


def _emit(text: str, output: pathlib.Path | None) -> None:
    from workbench._io import atomic_write_text

    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        atomic_write_text(output, text)


# =========================================================================== the public function


def predict(
    model_uri: Any,
    input_data: Any = None,
    input_path: Any = None,
    content_type: str = CONTENT_TYPE_JSON,
    output_path: Any = None,
    env_manager: str = "virtualenv",
    install_mlflow: bool = False,
    pip_requirements_override: list[str] | None = None,
    extra_envs: dict[str, str] | None = None,
) -> None:
    """Generate predictions in JSON with a saved model, in its own environment or this one.

    Parameters
    ----------
    model_uri : str or os.PathLike
        The model directory, its MLmodel file or a ``file://`` URI.
    input_data : DataFrame, ndarray, dict, list, str, ..., optional
        The input (what a pyfunc model's ``predict`` accepts; a ``(data, params)`` tuple
        passes params). Exactly one of ``input_data`` and ``input_path`` must be given.
    input_path : str or os.PathLike, optional
        A file holding the request body: serving JSON (``{"dataframe_split": ...}``,
        ``{"inputs": ...}``, ...) or CSV.
    content_type : {"json", "csv"}, default "json"
        The format of the input.
    output_path : str or os.PathLike, optional
        The file to write ``{"predictions": ...}`` to (atomically); stdout when None.
    env_manager : {"virtualenv", "uv", "local"}, default "virtualenv"
        ``"local"`` predicts in this process; ``"uv"`` and ``"virtualenv"`` in an
        environment built from the model's ``python_env.yaml`` (cached; see
        :func:`workbench.models._env.prepare_env`). ``"conda"`` is not supported.
    install_mlflow : bool, default False
        Also install mlflow into the environment (for model code that imports it).
        workbench itself is always installed.
    pip_requirements_override : list of str, optional
        Installed into the environment over the model's own requirements.
    extra_envs : dict of str to str, optional
        Environment variables for the environment's processes (not with ``"local"``).

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` for bad arguments or input; ``NOT_IMPLEMENTED`` for
        ``"conda"``; ``RESOURCE_DOES_NOT_EXIST`` for a missing model, input file or
        ``uv``; the model's own errors (``BAD_REQUEST`` for input that does not fit the
        signature), with the same code when raised in the environment's subprocess.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> import workbench.sklearn
    >>> X = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    >>> model_dir = pathlib.Path(tempfile.mkdtemp()) / "model"
    >>> workbench.sklearn.save_model(LinearRegression().fit(X, [2.0, 4.0, 6.0]), model_dir)
    >>> out = model_dir.parent / "predictions.json"
    >>> predict(model_dir, input_data=pd.DataFrame({"x": [4.0]}), output_path=out,
    ...         env_manager="local")
    >>> round(json.loads(out.read_text())["predictions"][0], 6)
    8.0
    >>> predict(model_dir, input_data="x\\n5.0\\n", content_type="csv", env_manager="local")
    {"predictions": [10.0...]}
    """
    _check_arguments(input_data, input_path, content_type, env_manager, extra_envs)
    output = _output_file(output_path)
    if input_data is not None:
        text = _serialize_input(input_data, content_type)
    else:
        text = _read_input_file(input_path)
    if env_manager == "local":
        _emit(run_prediction(model_uri, text, content_type), output)
        return
    from workbench.models._env import child_environment, prepare_env
    from workbench.models._uri import resolve_model_path

    model_dir = resolve_model_path(model_uri)
    python = prepare_env(
        model_dir,
        env_manager,
        pip_requirements_override=pip_requirements_override,
        install_mlflow=install_mlflow,
        extra_envs=extra_envs,
    )
    with tempfile.TemporaryDirectory(prefix="workbench-predict-") as tmp:
        body = pathlib.Path(tmp) / f"input.{content_type}"
        body.write_text(text, encoding="utf-8")
        _run_in_env(python, model_dir, body, content_type, output, child_environment(extra_envs))


# =========================================================================== the subprocess


def _run_in_env(
    python: pathlib.Path,
    model_dir: pathlib.Path,
    input_file: pathlib.Path,
    content_type: str,
    output: pathlib.Path | None,
    env: dict[str, str],
) -> None:
    # `-c` with the first sys.path entry ('' = the current directory) removed, so that a
    # directory named like a package in the caller's cwd cannot shadow the environment's.
    bootstrap = (
        "import sys; sys.path[:1] = [] if sys.path[:1] == [''] else sys.path[:1]; "
        "from workbench.models._predict import main; sys.exit(main(sys.argv[1:]))"
    )
    command = [
        str(python), "-c", bootstrap,
        "--model-uri", str(model_dir),
        "--input-path", str(input_file),
        "--content-type", content_type,
    ]
    if output is not None:
        command += ["--output-path", str(output)]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    errors = []
    for line in (proc.stderr or "").splitlines(keepends=True):
        if line.startswith(_ERROR_MARKER):
            errors.append(line[len(_ERROR_MARKER):])
        else:
            sys.stderr.write(line)
    if proc.returncode != 0:
        if errors:
            try:
                payload = json.loads(errors[-1])
            except ValueError:
                payload = {}
            code = payload.get("error_code")
            if code in ERROR_CODES and isinstance(payload.get("message"), str):
                raise WorkbenchException(payload["message"], error_code=code)
        raise WorkbenchException(
            f"Predicting in the model's environment ({python}) failed with exit status "
            f"{proc.returncode}. Its output is above (stderr).",
            error_code=INTERNAL_ERROR,
        )
    if output is None and proc.stdout:
        sys.stdout.write(proc.stdout)
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the subprocess: predict and write the output; errors as marked JSON."""
    parser = argparse.ArgumentParser(prog="workbench.models._predict")
    parser.add_argument("--model-uri", required=True)
    parser.add_argument("--input-path", required=True)
    parser.add_argument("--content-type", required=True, choices=_CONTENT_TYPES)
    parser.add_argument("--output-path")
    args = parser.parse_args(argv)
    try:
        output = _output_file(args.output_path)
        text = _read_input_file(args.input_path)
        _emit(run_prediction(args.model_uri, text, args.content_type), output)
    except WorkbenchException as exc:
        sys.stderr.write(_ERROR_MARKER + exc.serialize_as_json() + "\n")
        return 2
    return 0
