"""Which backend deploys a model: :func:`get_flavor_backend` (MLflow's module of the same name).

A backend predicts with, serves and containerizes a model locally. workbench has one, for
the ``python_function`` flavor (:class:`~workbench.models._flavor_backend.PyFuncBackend`);
a model without that flavor has no backend.
"""

from __future__ import annotations

from typing import Any

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException

__all__ = ["get_flavor_backend"]


def get_flavor_backend(model_uri: Any, **kwargs: Any) -> Any:
    """Return the backend that can predict with, serve and containerize ``model_uri``.

    Parameters
    ----------
    model_uri : str, os.PathLike or None
        The model (a directory, ``file://``, ``runs:/`` or ``models:/`` URI). None gives
        the pyfunc backend with an empty configuration (for an image whose model is
        mounted later).
    **kwargs
        For the backend: ``env_manager``, ``workers``, ``install_mlflow``,
        ``env_root_dir``. ``docker_build`` / ``build_docker`` (MLflow's selection hints)
        are accepted and ignored: the pyfunc backend can both score and build.

    Returns
    -------
    PyFuncBackend

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` when the model has no ``python_function`` flavor
        (the message lists the flavors it has); the loader's errors for a missing model.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sklearn.linear_model import LinearRegression
    >>> import workbench.sklearn
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m"
    >>> workbench.sklearn.save_model(LinearRegression().fit([[1.0], [2.0]], [1.0, 2.0]), path)
    >>> backend = get_flavor_backend(path, env_manager="local")
    >>> type(backend).__name__, backend.env_manager
    ('PyFuncBackend', 'local')
    """
    from workbench.models._flavor_backend import PyFuncBackend
    from workbench.models._model import Model
    from workbench.models._pyfunc import FLAVOR_NAME
    from workbench.models._uri import resolve_model_path

    kwargs.pop("docker_build", None)
    kwargs.pop("build_docker", None)
    if model_uri is None:
        return PyFuncBackend({}, **kwargs)
    model = Model.load(resolve_model_path(model_uri))
    config = model.flavors.get(FLAVOR_NAME)
    if config is None:
        raise WorkbenchException(
            f"No suitable flavor backend was found for the model {str(model_uri)!r}: it has no "
            f"'{FLAVOR_NAME}' flavor (its flavors: {sorted(model.flavors) or 'none'}). Save it "
            "with workbench.pyfunc.save_model or a flavor that adds python_function "
            "(workbench.sklearn.save_model does).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return PyFuncBackend(config, **kwargs)
