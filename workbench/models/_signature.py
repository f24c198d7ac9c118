"""Model signatures: :class:`ModelSignature` and :func:`infer_signature`.

The twin of ``mlflow.models.signature``. A signature holds the schema of a model's inputs,
of its outputs and of its inference parameters; in an ``MLmodel`` file it is stored as
``{"inputs": <json>, "outputs": <json>, "params": <json>}`` with each part a JSON string
(or null), byte for byte as MLflow writes it, so that signatures move both ways.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException
from workbench.types import AnyType, ColSpec, ParamSchema, Schema
from workbench.types._errors import SpecTypeError
from workbench.types._infer import (
    InvalidDataForSignatureInferenceError,
    _infer_param_schema,
    _infer_schema,
    convert_dataclass_to_schema,
)

__all__ = ["ModelSignature", "infer_signature"]

_logger = logging.getLogger(__name__)


class SignatureValueError(WorkbenchException, ValueError):
    """A signature was given no schema at all (a ``ValueError`` too, as MLflow raises)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_code=INVALID_PARAMETER_VALUE)


def _check_schema(value: Any, what: str) -> Schema | None:
    """Return ``value`` as a Schema (converting a dataclass), or None."""
    if value is None or isinstance(value, Schema):
        return value
    if dataclasses.is_dataclass(value):
        return convert_dataclass_to_schema(value)
    raise SpecTypeError(
        f"ModelSignature {what} must be None, a workbench.types.Schema or a dataclass, got "
        f"{type(value).__name__}. Build a Schema (Schema([ColSpec('double', 'x')])) or use "
        "infer_signature(data) to infer one."
    )


class ModelSignature:
    """The schema of a model's inputs, outputs and inference parameters.

    Build one by hand from :class:`~workbench.types.Schema` objects and a
    :class:`~workbench.types.ParamSchema`, or infer one from data with
    :func:`infer_signature`.

    Parameters
    ----------
    inputs : Schema or dataclass, optional
        What the model accepts. A dataclass (the class or an instance) is turned into a
        Schema with one column per field.
    outputs : Schema or dataclass, optional
        What the model returns.
    params : ParamSchema, optional
        The parameters ``predict`` accepts, with their defaults.

    At least one of the three must be given.

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE``, also a ``TypeError`` when an argument has the wrong
        type and a ``ValueError`` when all three are None.

    Notes
    -----
    MLflow tests its arguments for truth, so it accepts falsy values such as ``[]`` or ``0``
    (and then stores them). Here anything but None, a Schema or a dataclass is refused for
    ``inputs`` and ``outputs``, and anything but None or a ParamSchema for ``params``. An
    empty ParamSchema is kept but, as in MLflow, serialises as ``None``.

    Examples
    --------
    >>> from workbench.types import ColSpec, Schema
    >>> sig = ModelSignature(
    ...     inputs=Schema([ColSpec("double", "x")]), outputs=Schema([ColSpec("long")])
    ... )
    >>> sig.to_dict()
    {'inputs': '[{"type": "double", "name": "x", "required": true}]',
     'outputs': '[{"type": "long", "required": true}]',
     'params': None}
    >>> ModelSignature.from_dict(sig.to_dict()) == sig
    True
    """

    def __init__(
        self,
        inputs: Schema | Any = None,
        outputs: Schema | Any = None,
        params: ParamSchema | None = None,
    ) -> None:
        inputs = _check_schema(inputs, "inputs")
        outputs = _check_schema(outputs, "outputs")
        if params is not None and not isinstance(params, ParamSchema):
            raise SpecTypeError(
                "ModelSignature params must be None or a workbench.types.ParamSchema, got "
                f"{type(params).__name__}. Use infer_signature(params={{...}}) to build one "
                "from a dict of default values."
            )
        if inputs is None and outputs is None and params is None:
            raise SignatureValueError(
                "ModelSignature needs at least one of inputs, outputs or params; all three "
                "were None."
            )
        self.inputs = inputs
        self.outputs = outputs
        self.params = params
        # Set by the pyfunc layer when the signature comes from predict's type hints.
        self._is_signature_from_type_hint = False
        self._is_type_hint_from_example = False

    def to_dict(self) -> dict[str, str | None]:
        """Serialise to ``{"inputs", "outputs", "params"}``, each a JSON string or None.

        The JSON strings keep the ``MLmodel`` YAML compact; all three keys are always
        present.

        Examples
        --------
        >>> from workbench.types import ColSpec, Schema
        >>> ModelSignature(outputs=Schema([ColSpec("string")])).to_dict()
        {'inputs': None, 'outputs': '[{"type": "string", "required": true}]', 'params': None}
        """
        return {
            "inputs": self.inputs.to_json() if self.inputs else None,
            "outputs": self.outputs.to_json() if self.outputs else None,
            "params": self.params.to_json() if self.params else None,
        }

    @classmethod
    def from_dict(cls, signature_dict: dict[str, Any]) -> ModelSignature:
        """Read a signature from the dict :meth:`to_dict` writes (or MLflow writes).

        Missing keys and empty values count as None.

        Parameters
        ----------
        signature_dict : dict
            ``{"inputs": <json str>, "outputs": <json str>, "params": <json str>}``.

        Examples
        --------
        >>> sig = ModelSignature.from_dict({"inputs": '[{"type": "tensor", '
        ...     '"tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]'})
        >>> sig.inputs.is_tensor_spec(), sig.outputs, sig.params
        (True, None, None)
        """
        if not isinstance(signature_dict, dict):
            raise WorkbenchException(
                "ModelSignature.from_dict expects a dict with 'inputs', 'outputs' and "
                f"'params' JSON strings, got {type(signature_dict).__name__}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        inputs = signature_dict.get("inputs")
        outputs = signature_dict.get("outputs")
        params = signature_dict.get("params")
        return cls(
            Schema.from_json(inputs) if inputs else None,
            Schema.from_json(outputs) if outputs else None,
            ParamSchema.from_json(params) if params else None,
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ModelSignature)
            and self.inputs == other.inputs
            and self.outputs == other.outputs
            and self.params == other.params
        )

    __hash__ = None  # mutable, compared by value

    def __repr__(self) -> str:
        return (
            f"inputs:\n  {self.inputs!r}\n"
            f"outputs:\n  {self.outputs!r}\n"
            f"params:\n  {self.params!r}\n"
        )

    def diff(self, other: ModelSignature) -> Any:
        """Compare with another signature: ``workbench.models.diff_signatures(self, other)``.

        Returns
        -------
        SignatureDiff
        """
        from workbench.models._signature_diff import diff_signatures

        return diff_signatures(self, other)


def infer_signature(
    model_input: Any = None,
    model_output: Any = None,
    params: dict[str, Any] | None = None,
) -> ModelSignature:
    """Infer a model signature from example inputs, outputs and inference parameters.

    Parameters
    ----------
    model_input : optional
        An example of what the model accepts, for instance a slice of the training data: a
        pandas DataFrame or Series, a numpy array, a scipy CSR / CSC matrix, a dict of
        name -> numpy array, a dict or a list of dicts of JSON values, a list of scalars, a
        scalar (bool, int, float, str, bytes, datetime) or a dataclass.
    model_output : optional
        An example of what the model returns (for instance its predictions on
        ``model_input``), of the same kinds.
    params : dict, optional
        Inference parameters and their default values: scalars, one-dimensional lists or
        dicts of JSON values. Lists get shape ``(-1,)``.

    Returns
    -------
    ModelSignature

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` when a parameter's type cannot be inferred, or when the
        input or output holds pydantic objects.

    Notes
    -----
    As in MLflow, when the type of ``model_input`` or ``model_output`` cannot be inferred
    (mixed types in a column, an unsupported dtype such as timedelta or uint64, a
    ``pandas.Timestamp`` inside a list, ...) this logs a warning on the
    ``workbench.models._signature`` logger and uses ``Schema([ColSpec(AnyType())])`` for that
    part instead of raising; the reason is logged at DEBUG level. Parameters are never
    guessed: a bad parameter raises. A schema with integer columns also gives a
    ``UserWarning`` (integers cannot hold missing values).

    Departures from MLflow: scipy's sparse *arrays* (``csr_array``, ``csc_array``) are
    read like sparse matrices (MLflow falls back to AnyType), and dataclass fields may be
    annotated ``datetime.datetime`` or with string (postponed) annotations.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> sig = infer_signature(pd.DataFrame({"x": [1.5, None]}), np.array([0, 1]))
    >>> sig.to_dict()["inputs"], sig.to_dict()["outputs"]
    ('[{"type": "double", "name": "x", "required": false}]',
     '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]')
    >>> infer_signature(["hi"], params={"top_k": 3}).to_dict()["params"]
    '[{"name": "top_k", "default": 3, "shape": null, "type": "long"}]'
    """
    schemas: dict[str, Schema | None] = {"inputs": None, "outputs": None}
    for key, data in (("inputs", model_input), ("outputs", model_output)):
        if data is None:
            continue
        try:
            if dataclasses.is_dataclass(data):
                schemas[key] = convert_dataclass_to_schema(data)
            else:
                schemas[key] = _infer_schema(data)
        except InvalidDataForSignatureInferenceError:
            raise
        except Exception as err:
            _logger.warning(
                "Could not infer a schema for the model %s (%s); using "
                "Schema([ColSpec(AnyType())]), which accepts any value%s. Pass data of a "
                "supported kind, or build the Schema by hand, to get a checked signature. "
                "Set this logger to DEBUG for the traceback.",
                key,
                err.message if isinstance(err, WorkbenchException) else repr(err),
                " without type checks at inference" if key == "inputs" else "",
                exc_info=_logger.isEnabledFor(logging.DEBUG),
            )
            schemas[key] = Schema([ColSpec(AnyType())])
    param_schema = _infer_param_schema(params) if params else None
    return ModelSignature(schemas["inputs"], schemas["outputs"], param_schema)
