"""``workbench validate CANDIDATE --thresholds FILE [--baseline RUN]``: gates for CI."""

from __future__ import annotations

from typing import Any

import click

from workbench.cli import _errors, _inputs, _output
from workbench.cli._main import CONTEXT_SETTINGS

__all__ = ["validate", "validation_report"]


def validation_report(thresholds: dict[str, Any], candidate: Any, baseline: Any = None) -> dict[str, Any]:
    """Check each gate with ``workbench.validate_evaluation_results`` and collect the outcome.

    Each metric is validated on its own (one call per metric), so the report says which
    gates passed as well as which failed; ``message`` is the message of the call with all
    the gates together (MLflow's wording, one line per failed metric), or None.

    Examples
    --------
    >>> from workbench.evaluation import EvaluationResult, MetricThreshold
    >>> cand = EvaluationResult({"accuracy_score": 0.91, "log_loss": 0.4}, {})
    >>> gates = {"accuracy_score": MetricThreshold(threshold=0.8, greater_is_better=True),
    ...          "log_loss": MetricThreshold(threshold=0.3, greater_is_better=False)}
    >>> report = validation_report(gates, cand)
    >>> report["passed"], [m["passed"] for m in report["metrics"]]
    (False, [True, False])
    """
    import workbench
    from workbench.evaluation import ModelValidationFailedException

    def check(gates: dict[str, Any]) -> str | None:
        try:
            workbench.validate_evaluation_results(gates, candidate, baseline)
        except ModelValidationFailedException as err:
            return err.message
        return None

    rows = []
    for metric, gate in thresholds.items():
        message = check({metric: gate})
        rows.append({
            "metric": metric,
            "candidate": candidate.metrics.get(metric),
            "baseline": None if baseline is None else baseline.metrics.get(metric),
            "threshold": gate.to_dict(),
            "passed": message is None,
            "message": message,
        })
    message = check(thresholds)
    return {"passed": message is None, "metrics": rows, "message": message}


def _gate_text(gate: dict[str, Any]) -> str:
    parts = []
    if gate["threshold"] is not None:
        parts.append(f"{'>=' if gate['greater_is_better'] else '<='} {_output.number(gate['threshold'])}")
    if gate["min_absolute_change"] is not None:
        sign = "+" if gate["greater_is_better"] else "-"
        parts.append(f"baseline {sign} {_output.number(gate['min_absolute_change'])}")
    if gate["min_relative_change"] is not None:
        sign = "+" if gate["greater_is_better"] else "-"
        parts.append(f"baseline {sign} {_output.number(gate['min_relative_change'] * 100)}%")
    return ", ".join(parts)


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("candidate", metavar="CANDIDATE")
@click.option("--thresholds", "thresholds_path", required=True,
              type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="JSON or YAML: {metric: {threshold, min_absolute_change, min_relative_change, "
                   "greater_is_better}}. Example: --thresholds gates.yaml")
@click.option("--baseline", metavar="RUN",
              help="The run (id, name or result directory) that min_absolute_change and "
                   "min_relative_change compare with. Example: --baseline rf-v1")
@click.option("--json", "as_json", is_flag=True,
              help="Print {passed, candidate, baseline, metrics: [...], message} as JSON.")
def validate(candidate: str, thresholds_path: str, baseline: str | None, as_json: bool) -> None:
    """Check a saved evaluation against metric thresholds; exit 1 when a gate fails.

    CANDIDATE is a run id, a run name or a result directory. The thresholds file maps
    each metric to MetricThreshold's arguments, e.g. in YAML:

    \b
      roc_auc:
        threshold: 0.85
        greater_is_better: true
      log_loss:
        min_absolute_change: 0.01
        greater_is_better: false

    \b
    Examples:
      workbench validate gbm-v2 --thresholds gates.yaml
      workbench validate gbm-v2 --baseline rf-v1 --thresholds gates.json --json

    Python twin: workbench.validate_evaluation_results(thresholds, candidate, baseline).
    """
    from workbench.cli import _resolve

    thresholds = _inputs.read_thresholds(thresholds_path)
    candidate_result = _resolve.load_result(candidate)
    baseline_result = _resolve.load_result(baseline) if baseline is not None else None
    report = validation_report(thresholds, candidate_result, baseline_result)
    report = {"candidate": candidate, "baseline": baseline, **report}
    if as_json:
        _output.echo_json(report)
    else:
        def value(v: Any) -> str:
            return "missing" if v is None else _output.number(v)

        header = ["METRIC", "CANDIDATE"] + (["BASELINE"] if baseline is not None else [])
        header += ["GATE", "RESULT"]
        rows = []
        for row in report["metrics"]:
            cells = [row["metric"], value(row["candidate"])]
            if baseline is not None:
                cells.append(value(row["baseline"]))
            cells += [_gate_text(row["threshold"]), "pass" if row["passed"] else "FAIL"]
            rows.append(cells)
        click.echo(_output.table(header, rows))
        click.echo("")
        if report["passed"]:
            click.echo(f"Validation passed: {len(rows)} gate(s).")
        else:
            failed = sum(1 for r in report["metrics"] if not r["passed"])
            click.echo(f"Validation failed: {failed} of {len(rows)} gate(s).")
            for line in report["message"].splitlines():
                click.echo(f"  {_output.clean(line, 400)}")
    if not report["passed"]:
        raise click.exceptions.Exit(_errors.GATE_FAILED)
