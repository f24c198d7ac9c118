"""Python function models: the twin of ``mlflow.pyfunc``.

Save any Python model -- a :class:`PythonModel` subclass, a plain function, or a model file
that calls :func:`workbench.models.set_model` ("models from code") -- in MLflow's format,
and load any model with a ``python_function`` flavor as a :class:`PyFuncModel`::

    import workbench.pyfunc

    class Upper(workbench.pyfunc.PythonModel):
        def predict(self, context, model_input: list[str], params=None) -> list[str]:
            return [text.upper() for text in model_input]

    workbench.pyfunc.save_model("upper", python_model=Upper(), input_example=["a"])
    workbench.pyfunc.load_model("upper").predict(["a", "b"])    # ['A', 'B']

The directories load in MLflow too, and MLflow's load here. Loading a pickled Python model
or a model from code runs code, so it needs trust: files this machine wrote load as they
are; others need ``load_model(..., trusted=True)`` (see ``workbench.models._trust``).
"""

from __future__ import annotations

import os
from typing import Any

from workbench.models._pyfunc import PyFuncModel
from workbench.models._python_model import PythonModel, PythonModelContext

__all__ = sorted(
    [
        "PyFuncModel",
        "PythonModel",
        "PythonModelContext",
        "add_to_model",
        "load_model",
        "log_model",
        "save_model",
    ]
)

#: The flavor name every pyfunc-loadable model carries in MLmodel.
FLAVOR_NAME = "python_function"


def save_model(
    path: str | os.PathLike,
    loader_module: str | None = None,
    data_path: str | os.PathLike | None = None,
    code_paths: list[str] | None = None,
    infer_code_paths: bool = False,
    conda_env: Any = None,
    mlflow_model: Any = None,
    python_model: Any = None,
    artifacts: dict[str, str] | None = None,
    signature: Any = None,
    input_example: Any = None,
    pip_requirements: Any = None,
    extra_pip_requirements: Any = None,
    metadata: dict[str, Any] | None = None,
    model_config: Any = None,
    streamable: bool | None = None,
    resources: Any = None,
    auth_policy: Any = None,
    uv_project_path: Any = None,
    uv_groups: Any = None,
    uv_extras: Any = None,
    **kwargs: Any,
) -> None:
    """Save a pyfunc model with custom inference logic to a new local directory.

    Give either ``python_model`` (with optional ``artifacts``) or ``loader_module`` (with
    optional ``data_path``), not both.

    Parameters
    ----------
    path : str or os.PathLike
        The directory to create. It must not exist or be empty; the model is written
        beside it and renamed into place, so a failed save leaves nothing behind.
    loader_module : str, optional
        A module with ``_load_pyfunc(data_path)`` that loads the model from ``data_path``.
        workbench loads it when registered with
        ``workbench.models._loaders.register_loader`` or with ``load_model(trusted=True)``.
    data_path : str, optional
        A file or directory copied into ``data/`` for ``loader_module``.
    code_paths : list of str, optional
        Python files or directories copied into ``code/``; put first on ``sys.path`` when
        the model loads.
    infer_code_paths : bool, default False
        Not supported (True raises); list the files in ``code_paths``.
    conda_env : dict or str, optional
        A conda environment (or its YAML file) replacing the default environment.
    mlflow_model : Model, optional
        The :class:`~workbench.models.Model` to add the flavor to.
    python_model : PythonModel, callable, str or os.PathLike
        - a :class:`PythonModel` instance, cloudpickled to ``python_model.pkl``;
        - a function of one argument (the model input), wrapped and pickled likewise;
        - the path of a Python file that builds the model and calls
          ``workbench.models.set_model(model)`` (models from code): the file is copied into
          the model and run when the model loads; nothing is pickled. Recommended.
    artifacts : dict, optional
        Name -> local path (or ``file://`` URI) of files the model needs; copied into
        ``artifacts/`` and available as ``context.artifacts[name]`` (absolute paths).
    signature : ModelSignature, optional
        The model's signature. Without one it is inferred from ``input_example`` (or from
        a ``list[str]`` type hint on ``predict``).
    input_example : optional
        An example input (DataFrame, ndarray, list, dict, ...; or ``(data, params)``).
    pip_requirements, extra_pip_requirements : list of str or str, optional
        Replace, or add to, the default requirements (``cloudpickle`` pinned).
    metadata : dict, optional
        Custom metadata written to MLmodel.
    model_config : dict or str, optional
        A configuration (dict with str keys, or a YAML file that is read now) stored in
        MLmodel and given to the model as ``context.model_config`` and to
        :class:`~workbench.models.ModelConfig` in a model file.
    streamable : bool, optional
        Recorded as ``streamable``; by default whether the model defines ``predict_stream``.
    resources : list of Resource or str, optional
        Resources the model needs to be served.
    auth_policy : dict, optional
        MLflow 3's auth policy, recorded as data.
    uv_project_path, uv_groups, uv_extras
        Not supported (raise); pass ``pip_requirements`` instead.

    Raises
    ------
    WorkbenchException
        ``RESOURCE_ALREADY_EXISTS`` when ``path`` exists and is not empty;
        ``INVALID_PARAMETER_VALUE`` for invalid arguments, an input example that does not
        match the signature, or a model that cannot be pickled.

    Examples
    --------
    >>> import os, tempfile
    >>> import workbench.pyfunc
    >>> class Upper(workbench.pyfunc.PythonModel):
    ...     def predict(self, context, model_input: list[str], params=None) -> list[str]:
    ...         return [text.upper() for text in model_input]
    >>> path = os.path.join(tempfile.mkdtemp(), "upper")
    >>> workbench.pyfunc.save_model(path, python_model=Upper(), input_example=["a"])
    >>> workbench.pyfunc.load_model(path).predict(["a", "b", "c"])
    ['A', 'B', 'C']
    """
    from workbench.models._pyfunc import save_model as _save_model

    _save_model(
        path,
        loader_module=loader_module,
        data_path=data_path,
        code_paths=code_paths,
        infer_code_paths=infer_code_paths,
        conda_env=conda_env,
        mlflow_model=mlflow_model,
        python_model=python_model,
        artifacts=artifacts,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
        model_config=model_config,
        streamable=streamable,
        resources=resources,
        auth_policy=auth_policy,
        uv_project_path=uv_project_path,
        uv_groups=uv_groups,
        uv_extras=uv_extras,
        **kwargs,
    )


def load_model(
    model_uri: str | os.PathLike,
    suppress_warnings: bool = False,
    dst_path: str | os.PathLike | None = None,
    model_config: str | os.PathLike | dict[str, Any] | None = None,
    *,
    trusted: bool | None = None,
) -> PyFuncModel:
    """Load a model stored in Python function format; see :func:`workbench.models._pyfunc.load_model`.

    Examples
    --------
    >>> import os, tempfile
    >>> import workbench.pyfunc
    >>> def shout(model_input: list[str]) -> list[str]:
    ...     return [text.upper() + "!" for text in model_input]
    >>> path = os.path.join(tempfile.mkdtemp(), "shout")
    >>> workbench.pyfunc.save_model(path, python_model=shout, input_example=["hi"])
    >>> workbench.pyfunc.load_model(path).predict(["hey", "you"])
    ['HEY!', 'YOU!']
    """
    from workbench.models._pyfunc import load_model as _load_model

    return _load_model(
        model_uri,
        suppress_warnings=suppress_warnings,
        dst_path=dst_path,
        model_config=model_config,
        trusted=trusted,
    )


def log_model(
    artifact_path: str | None = None,
    loader_module: str | None = None,
    data_path: str | os.PathLike | None = None,
    code_paths: list[str] | None = None,
    infer_code_paths: bool = False,
    conda_env: Any = None,
    python_model: Any = None,
    artifacts: dict[str, str] | None = None,
    registered_model_name: str | None = None,
    signature: Any = None,
    input_example: Any = None,
    await_registration_for: int = 300,
    pip_requirements: Any = None,
    extra_pip_requirements: Any = None,
    metadata: dict[str, Any] | None = None,
    model_config: Any = None,
    streamable: bool | None = None,
    resources: Any = None,
    auth_policy: Any = None,
    uv_project_path: Any = None,
    uv_groups: Any = None,
    uv_extras: Any = None,
    prompts: list[str] | None = None,
    name: str | None = None,
    params: dict[str, Any] | None = None,
    tags: dict[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
) -> Any:
    """Log a pyfunc model to a run of the workspace, and register it if asked.

    Takes :func:`save_model`'s arguments (without ``path`` and ``mlflow_model``) plus
    MLflow's logging ones; see :meth:`workbench.models.Model.log` for ``name`` /
    ``artifact_path``, the run used and what is recorded.

    Returns
    -------
    ModelInfo
        ``model_uri`` ``runs:/<run_id>/<name>``; ``registered_model_version`` when
        ``registered_model_name`` was given.

    Examples
    --------
    >>> import tempfile, workbench, workbench.pyfunc
    >>> _ = workbench.store.set_workspace(tempfile.mkdtemp())  # doctest: +SKIP
    >>> info = workbench.pyfunc.log_model(name="upper", python_model=lambda xs: [x.upper() for x in xs],
    ...                                   input_example=["a"], registered_model_name="upper")  # doctest: +SKIP
    >>> workbench.pyfunc.load_model("models:/upper/1").predict(["b"])  # doctest: +SKIP
    ['B']
    """
    import sys

    from workbench.models._model import Model

    return Model.log(
        artifact_path=artifact_path,
        name=name,
        flavor=sys.modules[__name__],
        loader_module=loader_module,
        data_path=data_path,
        code_paths=code_paths,
        python_model=python_model,
        artifacts=artifacts,
        conda_env=conda_env,
        registered_model_name=registered_model_name,
        signature=signature,
        input_example=input_example,
        await_registration_for=await_registration_for,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
        prompts=prompts,
        model_config=model_config,
        streamable=streamable,
        resources=resources,
        infer_code_paths=infer_code_paths,
        auth_policy=auth_policy,
        uv_project_path=uv_project_path,
        uv_groups=uv_groups,
        uv_extras=uv_extras,
        params=params,
        tags=tags,
        model_type=model_type,
        step=step,
        model_id=model_id,
    )


def add_to_model(
    model: Any,
    loader_module: str,
    data: str | None = None,
    code: str | None = None,
    conda_env: str | None = None,
    python_env: str | None = None,
    model_config: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Add a ``python_function`` flavor to ``model``; see :func:`workbench.models._pyfunc.add_to_model`.

    Examples
    --------
    >>> from workbench.models import Model
    >>> import workbench.pyfunc
    >>> workbench.pyfunc.add_to_model(Model(), "mlflow.sklearn", data="model.pkl").flavors[
    ...     "python_function"]["data"]
    'model.pkl'
    """
    from workbench.models._pyfunc import add_to_model as _add_to_model

    return _add_to_model(
        model,
        loader_module,
        data=data,
        code=code,
        conda_env=conda_env,
        python_env=python_env,
        model_config=model_config,
        **kwargs,
    )
