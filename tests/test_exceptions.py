import json

import pytest

from workbench import WorkbenchException
from workbench._exceptions import ERROR_CODES, HTTP_STATUS


def test_default_code_is_internal_error():
    err = WorkbenchException("oops")
    assert err.error_code == "INTERNAL_ERROR"
    assert err.get_http_status_code() == 500
    assert str(err) == "oops"


@pytest.mark.parametrize(
    "code, status",
    [("INVALID_PARAMETER_VALUE", 400), ("BAD_REQUEST", 400), ("RESOURCE_DOES_NOT_EXIST", 404),
     ("RESOURCE_ALREADY_EXISTS", 400), ("PERMISSION_DENIED", 403), ("DEADLINE_EXCEEDED", 504),
     ("TEMPORARILY_UNAVAILABLE", 503), ("REQUEST_LIMIT_EXCEEDED", 429)],
)
def test_http_status_follows_mlflow(code, status):
    assert WorkbenchException("m", error_code=code).get_http_status_code() == status


def test_serialize_as_json_includes_extra_fields():
    err = WorkbenchException("bad", error_code="BAD_REQUEST", stack_trace=None)
    assert json.loads(err.serialize_as_json()) == {
        "error_code": "BAD_REQUEST", "message": "bad", "stack_trace": None,
    }


def test_invalid_parameter_value_factory():
    err = WorkbenchException.invalid_parameter_value("nope")
    assert (err.error_code, err.message) == ("INVALID_PARAMETER_VALUE", "nope")


def test_unknown_code_is_refused():
    with pytest.raises(ValueError, match="error_code must be one of .* got 'NOPE'"):
        WorkbenchException("m", error_code="NOPE")


def test_codes_match_mlflow():
    from mlflow.exceptions import MlflowException
    from mlflow.protos import databricks_pb2

    for code in ERROR_CODES:
        assert code in databricks_pb2.ErrorCode.keys(), code
        ours = HTTP_STATUS[code]
        theirs = MlflowException("m", error_code=getattr(databricks_pb2, code)).get_http_status_code()
        assert ours == theirs, (code, ours, theirs)
