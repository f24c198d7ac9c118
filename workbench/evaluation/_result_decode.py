"""Decoding the data files of a saved result into curve, table and explanation objects.

Each decoder imports the module that defines its class when a file is read, so a result
without curves, tables or an explanation never imports them. :func:`_decode` checks that
the JSON is an object with a ``"kind"`` and turns any failure of the data class into a
``WorkbenchException`` that names the file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench._exceptions import WorkbenchException


_invalid = WorkbenchException.invalid_parameter_value


# Decoders of the data files, looked up when a file is read so that the modules that
# define curves, tables and explanations are imported only when a result has them.


def _decode_curve(data: dict[str, Any]) -> Any:
    from workbench.evaluation._curves import curve_from_dict

    return curve_from_dict(data)


def _decode_table(data: dict[str, Any]) -> Any:
    from workbench.evaluation._tables import table_from_dict

    return table_from_dict(data)


def _decode_explanation(data: dict[str, Any]) -> Any:
    from workbench.evaluation._explain import Explanation

    return Explanation.from_dict(data)


def _decode(decoder: Callable[[dict[str, Any]], Any], data: Any, where: str) -> Any:
    if not isinstance(data, dict) or not isinstance(data.get("kind", ""), str):
        raise _invalid(
            f"Cannot read {where}: expected a JSON object with a \"kind\", got {data!r:.80}."
        )
    try:
        return decoder(data)
    except WorkbenchException as err:
        raise WorkbenchException(
            f"Cannot read {where}: {err.message}", error_code=err.error_code
        ) from None
    except Exception as err:  # a dict that the data class does not accept
        raise _invalid(
            f"Cannot read {where} (kind {data.get('kind')!r}): {type(err).__name__}: {err}. "
            "The file may come from a different workbench version or have been edited."
        ) from err
