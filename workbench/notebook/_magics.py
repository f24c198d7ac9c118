"""IPython magics: ``%%evaluate`` / ``%evaluate`` and ``%workbench``.

Each magic is a thin parser over the public Python API (DESIGN.md section 9): it looks names
up in the user namespace, builds the arguments, and makes one call that a script could make
too (each magic's docstring shows the Python twin). A wrong option, a name that is not in
the namespace or an error in what was given raises IPython's ``UsageError``, whose message
says what to write instead; IPython prints it without a traceback.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import shlex
from collections.abc import Mapping
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from workbench.notebook import _workspace

__all__ = ["WorkbenchMagics"]

MODEL_TYPES = ("classifier", "regressor")


def _split(line: str, magic: str) -> list[str]:
    """Split an argument line like a POSIX shell (quotes group, and are removed)."""
    try:
        return shlex.split(line, posix=True)
    except ValueError as err:
        raise UsageError(
            f"{magic}: cannot read the options ({err}). Close every quote, e.g. "
            f"--config '{{\"pos_label\": 1}}'."
        ) from None


def _parse(func: Any, line: str, magic: str) -> argparse.Namespace:
    """Parse ``line`` with ``func``'s magic_arguments parser; usage errors get a hint."""
    parser = func.parser
    argv = _split(line, magic)
    try:
        args, unknown = parser.parse_known_args(argv)
    except UsageError as err:
        raise UsageError(f"{magic}: {err}. Run {magic}? for every option with an example.") from None
    if unknown:
        options = sorted(o for a in parser._actions for o in a.option_strings)
        hints = []
        for bad in unknown:
            close = difflib.get_close_matches(bad.split("=", 1)[0], options, n=1)
            hints.append(f"{bad!r} (did you mean {close[0]}?)" if close else repr(bad))
        raise UsageError(
            f"{magic}: unknown option or extra argument {', '.join(hints)}. "
            f"Run {magic}? for every option with an example."
        )
    return args


def _closest(name: str, names: Any) -> str:
    close = difflib.get_close_matches(name, [n for n in names if not str(n).startswith("_")], n=3)
    return f" Did you mean {' or '.join(close)}?" if close else ""


def _is_model_location(text: str) -> bool:
    """A model URI (``runs:/``, ``models:/``, ``file:``) or a path that exists."""
    return "://" in text or ":/" in text or os.path.exists(text)


def _is_classifier(model: Any) -> bool | None:
    """True / False for an sklearn-style classifier / regressor; None when unknown."""
    try:
        from sklearn.base import is_classifier, is_regressor

        if is_classifier(model):
            return True
        if is_regressor(model):
            return False
    except Exception:  # not an sklearn estimator, or tags that cannot be read
        pass
    estimator_type = getattr(model, "_estimator_type", None)
    if estimator_type in ("classifier", "regressor"):
        return estimator_type == "classifier"
    return None



@magics_class
class WorkbenchMagics(Magics):
    """``%%evaluate``, ``%evaluate`` and ``%workbench``; loaded by ``%load_ext workbench``."""

    # ------------------------------------------------------------------ namespace

    def _lookup(self, name: str, option: str, magic: str, example: str) -> Any:
        """The value of ``name`` (a variable or dotted attribute path) in the user namespace."""
        ns = self.shell.user_ns
        head, *rest = name.split(".")
        what = f"{option} {name}" if option else name
        if not head.isidentifier() or head not in ns:
            raise UsageError(
                f"{magic}: {what}: there is no variable {head!r} in the notebook."
                f"{_closest(head, ns)} Define it in an earlier cell, then pass its name: "
                f"{example}."
            )
        value = ns[head]
        for i, attr in enumerate(rest):
            if not hasattr(value, attr):
                where = ".".join([head, *rest[:i]])
                raise UsageError(
                    f"{magic}: {what}: {where} ({type(value).__name__}) has no "
                    f"attribute {attr!r}.{_closest(attr, dir(value))}"
                )
            value = getattr(value, attr)
        return value

    def _config(self, text: str, magic: str) -> dict[str, Any]:
        if text.lstrip().startswith("{"):
            try:
                config = json.loads(text)
            except ValueError as err:
                raise UsageError(
                    f"{magic}: --config is not valid JSON ({err}). Write JSON with double "
                    "quotes inside single quotes, e.g. --config '{\"pos_label\": 1}', or pass "
                    "the name of a dict: --config my_config."
                ) from None
        else:
            config = self._lookup(text, "--config", magic, "--config my_config")
        if not isinstance(config, dict):
            raise UsageError(
                f"{magic}: --config {text}: expected a dict of evaluator settings, got "
                f"{type(config).__name__}. Example: --config '{{\"pos_label\": 1}}'."
            )
        return config

    def _extra_metrics(self, names: list[str], magic: str) -> list[Any]:
        metrics = []
        for name in (n for item in names for n in item.split(",") if n):
            metric = self._lookup(
                name, "--extra-metrics", magic,
                "my_metric = workbench.models.make_metric(...), then --extra-metrics my_metric",
            )
            metrics.append(metric)
        return metrics

    def _model_from_name(self, name: str, magic: str) -> Any:
        head = name.split(".", 1)[0]
        if head not in self.shell.user_ns and _is_model_location(name):
            return name  # a model URI or directory; evaluate() loads it
        return self._lookup(name, "--model", magic, "--model clf (or a model URI or directory)")

    def _run_cell(self, cell: str) -> tuple[bool, Any]:
        """Run ``cell`` in the user namespace; return (has a last expression, its value)."""
        source = self.shell.transform_cell(cell)
        tree = ast.parse(source)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        glob, loc = self.shell.user_global_ns, self.shell.user_ns
        if tree.body:
            exec(compile(tree, "<%%evaluate cell>", "exec"), glob, loc)  # noqa: S102 - the user's cell
        if last is None:
            return False, None
        return True, eval(compile(last, "<%%evaluate cell>", "eval"), glob, loc)  # noqa: S307

    # ------------------------------------------------------------------ %%evaluate

    @magic_arguments()
    @argument("--data", metavar="NAME",
              help="The evaluation data: a DataFrame (or array, list, EvaluationDataset) in the "
                   "namespace. Required. Example: --data test_df")
    @argument("--targets", metavar="COLUMN",
              help="The label column of --data (or, for array data, the name of the labels). "
                   "Example: --targets label")
    @argument("--model", metavar="NAME",
              help="The model: a name in the namespace, a model URI or a model directory, "
                   "instead of the cell's last expression. Example: --model clf, "
                   "--model runs:/<run_id>/model, --model ./model_dir")
    @argument("--model-type", choices=MODEL_TYPES, metavar="TYPE",
              help="classifier or regressor; inferred for scikit-learn estimators "
                   "(sklearn.base.is_classifier / is_regressor). Example: --model-type regressor")
    @argument("--predictions", metavar="COLUMN",
              help="Static evaluation: the column of --data with the model's outputs (no model "
                   "needed). Example: --predictions pred --model-type classifier")
    @argument("--name", metavar="RUN",
              help="Save the evaluation to the workspace as run RUN (without it the run gets a "
                   "generated name). Example: --name rf-depth7")
    @argument("--config", metavar="DICT_OR_JSON",
              help="evaluator_config: a dict in the namespace or inline JSON. Example: "
                   "--config '{\"pos_label\": 1, \"average\": \"macro\"}' or --config cfg")
    @argument("--extra-metrics", nargs="+", metavar="NAME", default=[],
              help="EvaluationMetric objects (from make_metric) in the namespace, space or comma "
                   "separated. Example: --extra-metrics cost_metric lift_at_10")
    @argument("--baseline", metavar="RUN",
              help="A saved run (id or name) to compare the new result with at once; the "
                   "comparison is shown under the result. Example: --baseline gbm-v2")
    @argument("--no-explain", action="store_true",
              help="Skip SHAP explanations (evaluator_config log_model_explainability=False). "
                   "Example: --no-explain")
    @argument("--no-save", action="store_true",
              help="Do not save the result to the workspace (by default every evaluation is "
                   "logged as a run, as workbench.evaluate does). Example: --no-save")
    @argument("--out", metavar="NAME",
              help="Also bind the result to NAME in the namespace. Example: --out res")
    @argument("--quiet", action="store_true",
              help="Show nothing; the result is still returned into _ (and --out). "
                   "Example: --quiet --out res")
    @line_cell_magic
    def evaluate(self, line: str, cell: str | None = None) -> Any:
        """Evaluate a model on data and show the result; ``_`` holds the EvaluationResult.

        Cell form: the cell runs in the notebook's namespace and its last expression is the
        model (or name it with --model)::

            %%evaluate --data test_df --targets label --name rf-depth7
            RandomForestClassifier(max_depth=7).fit(X_train, y_train)

        Line form, for a model that already exists::

            %evaluate --model clf --data test_df --targets label --no-save --out res

        Static predictions (no model)::

            %evaluate --data scored_df --targets label --predictions pred --model-type classifier

        Python twin (what the magic calls)::

            result = workbench.evaluate(clf, data=test_df, targets="label",
                                        model_type="classifier",
                                        evaluator_config={...}, extra_metrics=[...])

        With --name (or by default, unless --no-save) the result is also saved to the
        workspace as a run; --baseline RUN compares it with a saved run at once and shows
        the comparison under the result
        (``workbench.compare({"new": result, "RUN": workbench.load_evaluation("RUN")},
        baseline="RUN")``)::

            %%evaluate --data test_df --targets label --name gbm-v3 --baseline gbm-v2
            GradientBoostingClassifier().fit(X_train, y_train)
        """
        magic = "%%evaluate" if cell is not None else "%evaluate"
        args = _parse(self.evaluate, line, magic)

        # -- every check that needs no computation, before the cell runs
        if args.data is None:
            raise UsageError(
                f"{magic}: --data is required: the name of the evaluation DataFrame, e.g. "
                f"{magic} --data test_df --targets label"
            )
        if cell is None and args.model is None and args.predictions is None:
            raise UsageError(
                "%evaluate: name the model with --model, e.g. %evaluate --model clf --data "
                "test_df --targets label; or evaluate static predictions with --predictions "
                "COLUMN. To build the model in the same cell, use the cell magic %%evaluate."
            )
        if args.out is not None and not args.out.isidentifier():
            raise UsageError(f"{magic}: --out {args.out!r} is not a valid Python name. Example: --out res")
        if args.name is not None and args.no_save:
            raise UsageError(
                f"{magic}: --name {args.name} saves the result, --no-save does not: use one of them."
            )
        if args.baseline is not None:
            self._compare_function(magic, "--baseline")
        data = self._lookup(args.data, "--data", magic, f"{magic} --data test_df --targets label")
        config = self._config(args.config, magic) if args.config is not None else None
        extra_metrics = self._extra_metrics(args.extra_metrics, magic) or None
        if args.no_explain:
            from workbench.evaluation._evaluate import without_explanations

            config = without_explanations(config)
        targets = self._targets(args.targets, data, magic)
        columns = getattr(data, "columns", None)
        if args.predictions is not None and columns is not None and args.predictions not in list(columns):
            raise UsageError(
                f"{magic}: --predictions {args.predictions}: {args.data} has no column "
                f"{args.predictions!r}.{_closest(args.predictions, map(str, columns))} Its columns: "
                f"{', '.join(map(str, list(columns)[:20]))}."
            )
        baseline = None
        if args.baseline is not None:
            baseline = self._load_run(args.baseline, magic, "--baseline")

        # -- the model: the cell's last expression, --model, or none (static predictions)
        model = None
        if cell is not None:
            has_value, value = self._run_cell(cell)
            if args.model is None:
                if not has_value or value is None:
                    if args.predictions is None:
                        raise UsageError(
                            "%%evaluate: the cell's last line must be an expression that gives "
                            "the model, e.g. RandomForestClassifier().fit(X, y) or clf; or name it "
                            "with --model NAME; or evaluate static predictions with --predictions "
                            "COLUMN."
                        )
                else:
                    model = value
        if args.model is not None:
            model = self._model_from_name(args.model, magic)

        model_type = args.model_type
        if model_type is None:
            kind = _is_classifier(model) if model is not None else None
            if kind is None:
                raise UsageError(
                    f"{magic}: cannot tell whether the model is a classifier or a regressor: add "
                    "--model-type classifier or --model-type regressor."
                )
            model_type = "classifier" if kind else "regressor"

        result = self._call_evaluate(
            model, data, magic, model_type=model_type, targets=targets,
            predictions=args.predictions, evaluator_config=config, extra_metrics=extra_metrics,
        )

        if args.out is not None:  # bound first: a failed save never loses the result
            self.shell.user_ns[args.out] = result
        notes = []
        if not args.no_save:
            notes.append(self._save(result, args.name, magic))
        comparison = None
        if baseline is not None:
            comparison = self._compare_with_baseline(result, baseline, args, magic)
        if args.quiet:
            self.shell.displayhook.update_user_ns(result)  # `_` holds it, nothing is shown
            return None
        for note in notes:
            if note:
                print(note)
        if comparison is not None:  # the result first (it is the cell's value), then the comparison
            self._display(result)
            self._display(comparison)
            self.shell.displayhook.update_user_ns(result)
            return None
        return result

    def _compare_with_baseline(self, result: Any, baseline: Any, args: argparse.Namespace,
                               magic: str) -> Any:
        """``workbench.compare({new: result, RUN: baseline}, baseline=RUN)``."""
        name = args.name or "new"
        if name == args.baseline:
            name = f"{name} (new)"
        return self._compare({name: result, args.baseline: baseline}, magic, baseline=args.baseline)

    def _targets(self, targets: str | None, data: Any, magic: str) -> Any:
        if targets is None:
            return None
        columns = getattr(data, "columns", None)
        if columns is not None:
            if targets not in list(columns):
                raise UsageError(
                    f"{magic}: --targets {targets}: the data has no column {targets!r}."
                    f"{_closest(targets, map(str, columns))} Its columns: "
                    f"{', '.join(map(str, list(columns)[:20]))}."
                )
            return targets
        # array or list data: the labels are a variable of their own
        return self._lookup(targets, "--targets", magic, "--targets y_test")

    def _call_evaluate(self, model: Any, data: Any, magic: str, **kwargs: Any) -> Any:
        import workbench
        from workbench._exceptions import WorkbenchException

        from workbench.evaluation._persist import logging_disabled

        # The magic logs the result itself (see _save), after evaluate() returns: so --no-save
        # logs nothing, --name names the run, and a failed save never loses the result.
        try:
            with logging_disabled():
                return workbench.evaluate(model, data, **kwargs)
        except WorkbenchException as err:  # our argument checks: say it without a traceback
            raise UsageError(f"{magic}: {err.message}") from None

    def _save(self, result: Any, name: str | None, magic: str) -> str:
        """Log ``result`` to the workspace (``workbench.log_evaluation``); a note to print."""
        import workbench

        try:
            run_id = workbench.log_evaluation(result, run_name=name)
        except Exception as err:  # a full disk or a refused name: never lose the result
            message = getattr(err, "message", None) or f"{type(err).__name__}: {err}"
            if name is not None:
                raise UsageError(
                    f"{magic}: could not save run {name!r}: {message} The result is not lost: "
                    "it is in _ (and in --out NAME)."
                ) from None
            return f"Not saved to the workspace: {message} Pass --no-save to silence this note."
        label = f"{name!r} ({run_id})" if name else run_id
        return f"Saved to the workspace as run {label}."

    def _display(self, obj: Any) -> None:
        from IPython.display import display

        display(obj)

    def _compare_function(self, magic: str, option: str) -> Any:
        import workbench

        return workbench.compare

    def _load_run(self, run: str, magic: str, option: str) -> Any:
        """``workbench.load_evaluation(run)``; an unknown run is a UsageError."""
        import workbench
        from workbench._exceptions import WorkbenchException

        try:
            return workbench.load_evaluation(run)
        except WorkbenchException as err:
            raise UsageError(f"{magic}: {option} {run}: {err.message}") from None

    # ------------------------------------------------------------------ %workbench

    @line_magic
    def workbench(self, line: str) -> Any:
        """Work with the workspace and with models.

        Subcommands::

            %workbench list                          runs in the workspace, newest first
            %workbench show RUN                      a saved run (id or name) and its result
            %workbench compare RUN RUN [...] [--baseline RUN] [--thresholds NAME]
                                                     side by side with bootstrap confidence
                                                     intervals; the first run (or --baseline)
                                                     is the baseline; NAME is a dict of
                                                     metric -> MetricThreshold gates
            %workbench report RUN [...] -o FILE      one offline HTML file (one run: its
                                                     evaluation; more: their comparison)
            %workbench diff-signature A B            what B's signature changes relative to A
            %workbench delete RUN                    delete a run

        A and B of diff-signature are model URIs or directories (``runs:/<id>/model``,
        ``./model_dir``) or names in the namespace of a ModelSignature, a ModelInfo, a
        loaded model or a model with a ``signature``. Examples::

            %workbench diff-signature ./model_v1 ./model_v2
            %workbench diff-signature old_signature new_signature
            %workbench compare rf-depth7 gbm-v2
            %workbench compare rf-depth7 gbm-v2 --baseline gbm-v2 --thresholds gates
            %workbench report rf-depth7 gbm-v2 -o cmp.html

        ``compare`` returns the ComparisonResult (``_`` holds it) and ``report`` the path
        it wrote.

        Python twins: ``workbench.models.diff_signatures(a, b)``,
        ``workbench.search_runs()``, ``workbench.load_evaluation(run)``,
        ``workbench.compare([...], baseline=..., thresholds=...)``,
        ``result_or_comparison.save_html(path)``, ``workbench.delete_run(id)``.
        """
        argv = _split(line, "%workbench")
        if not argv:
            raise UsageError(
                "%workbench: give a subcommand: list, show RUN, compare RUN RUN, report RUN -o "
                "FILE, diff-signature A B or delete RUN. Run %workbench? for examples."
            )
        command, rest = argv[0], argv[1:]
        handlers = {
            "list": self._wb_list, "show": self._wb_show, "compare": self._wb_compare,
            "report": self._wb_report, "diff-signature": self._wb_diff_signature,
            "delete": self._wb_delete,
        }
        handler = handlers.get(command)
        if handler is None:
            close = difflib.get_close_matches(command, list(handlers), n=1)
            hint = f" Did you mean %workbench {close[0]}?" if close else ""
            raise UsageError(
                f"%workbench: unknown subcommand {command!r}.{hint} Subcommands: "
                f"{', '.join(handlers)}. Run %workbench? for examples."
            )
        return handler(rest)

    @staticmethod
    def _positional(rest: list[str], n: int | None, usage: str, min_n: int = 1) -> list[str]:
        options = [a for a in rest if a.startswith("-")]
        if options:
            raise UsageError(f"%workbench: unknown option {options[0]!r}. Usage: {usage}")
        if (n is not None and len(rest) != n) or len(rest) < min_n:
            raise UsageError(f"%workbench: expected {usage}")
        return rest

    def _require(self, *names: str, what: str) -> None:
        why = _workspace.available(*names)
        if why:
            raise UsageError(f"%workbench {what}: {why}.")

    def _wb_list(self, rest: list[str]) -> Any:
        self._positional(rest, 0, "%workbench list (no arguments)", min_n=0)
        self._require("search_runs", what="list")
        return _workspace.list_runs()

    def _wb_show(self, rest: list[str]) -> Any:
        (run,) = self._positional(rest, 1, "%workbench show RUN, e.g. %workbench show rf-depth7")
        self._require("get_run", "search_runs", what="show")
        import workbench
        from workbench._exceptions import WorkbenchException

        try:
            return workbench.load_evaluation(run)
        except WorkbenchException:
            pass
        try:
            return _workspace.find_run(run)  # a run without a saved evaluation
        except KeyError:
            raise UsageError(
                f"%workbench show: no run with id or name {run!r}. List the runs with "
                "%workbench list."
            ) from None

    def _options(self, rest: list[str], usage: str, what: str,
                 options: dict[str, tuple[str, ...]]) -> tuple[list[str], dict[str, str]]:
        """Split ``rest`` into positional words and ``{option: value}`` (each option once)."""
        words: list[str] = []
        values: dict[str, str] = {}
        aliases = {alias: name for name, names in options.items() for alias in names}
        items = iter(rest)
        for item in items:
            flag, eq, inline = item.partition("=")
            if item.startswith("-") and flag in aliases:
                name = aliases[flag]
                value = inline if eq else next(items, None)
                if value is None or (not eq and value.startswith("-")):
                    raise UsageError(f"%workbench {what}: {flag} needs a value. Usage: {usage}")
                if name in values:
                    raise UsageError(f"%workbench {what}: {flag} given twice. Usage: {usage}")
                values[name] = value
            elif item.startswith("-"):
                every = sorted(a for a in aliases)
                close = difflib.get_close_matches(flag, every, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise UsageError(f"%workbench {what}: unknown option {item!r}{hint}. Usage: {usage}")
            else:
                words.append(item)
        return words, values

    def _thresholds(self, name: str, magic: str) -> Any:
        thresholds = self._lookup(
            name, "--thresholds", magic,
            "gates = {'roc_auc': workbench.MetricThreshold(threshold=0.9)}, then --thresholds gates",
        )
        if not isinstance(thresholds, Mapping):
            raise UsageError(
                f"{magic}: --thresholds {name}: expected a dict of metric name -> "
                f"MetricThreshold, got {type(thresholds).__name__}. Example: gates = "
                "{'roc_auc': workbench.MetricThreshold(threshold=0.9, greater_is_better=True)}."
            )
        return thresholds

    def _compare(self, results: Any, magic: str, **kwargs: Any) -> Any:
        """``workbench.compare(results, **kwargs)``; its argument errors become UsageErrors."""
        from workbench._exceptions import WorkbenchException

        compare = self._compare_function(magic, "compare")
        try:
            return compare(results, **kwargs)
        except WorkbenchException as err:
            hint = ""
            if err.error_code == "RESOURCE_DOES_NOT_EXIST" and "%workbench list" not in err.message:
                hint = " List the runs with %workbench list."
            raise UsageError(f"{magic}: {err.message}{hint}") from None

    def _wb_compare(self, rest: list[str]) -> Any:
        magic = "%workbench compare"
        usage = ("%workbench compare RUN RUN [...] [--baseline RUN] [--thresholds NAME], e.g. "
                 "%workbench compare rf-depth7 gbm-v2 --baseline gbm-v2")
        runs, options = self._options(rest, usage, "compare", {
            "baseline": ("--baseline", "-b"), "thresholds": ("--thresholds", "-t"),
        })
        baseline = options.get("baseline")
        if baseline is not None and baseline not in runs:
            runs = [baseline, *runs]  # the baseline takes part in the comparison
        if len(runs) < 2:
            raise UsageError(f"{magic}: give at least two runs (ids or names). Usage: {usage}")
        if len(set(runs)) != len(runs):
            twice = sorted({r for r in runs if runs.count(r) > 1})
            raise UsageError(f"{magic}: run {twice[0]!r} is given twice; name each run once.")
        thresholds = None
        if "thresholds" in options:
            thresholds = self._thresholds(options["thresholds"], magic)
        self._require("get_run", "search_runs", what="compare")
        return self._compare(runs, magic, baseline=runs.index(baseline) if baseline else None,
                             thresholds=thresholds)

    def _wb_report(self, rest: list[str]) -> Any:
        magic = "%workbench report"
        usage = ("%workbench report RUN [RUN ...] -o FILE, e.g. %workbench report rf-depth7 "
                 "gbm-v2 -o cmp.html")
        runs, options = self._options(rest, usage, "report", {"output": ("-o", "--output")})
        out = options.get("output")
        if not runs or not out:
            raise UsageError(f"{magic}: expected {usage}")
        if not out.lower().endswith((".html", ".htm")):
            raise UsageError(f"{magic}: -o {out}: the report is one HTML file; end its name in "
                             ".html, e.g. -o report.html")
        self._require("get_run", "search_runs", what="report")
        if len(runs) == 1:
            obj = self._load_run(runs[0], magic, "run")
        else:
            if len(set(runs)) != len(runs):
                raise UsageError(f"{magic}: name each run once.")
            obj = self._compare(runs, magic)
        from workbench._exceptions import WorkbenchException

        try:
            path = obj.save_html(out)
        except WorkbenchException as err:
            raise UsageError(f"{magic}: {err.message}") from None
        print(f"Wrote {path}.")
        return path

    def _wb_delete(self, rest: list[str]) -> Any:
        (run,) = self._positional(rest, 1, "%workbench delete RUN, e.g. %workbench delete rf-depth7")
        self._require("delete_run", "get_run", "search_runs", what="delete")
        try:
            run_id = _workspace.delete_run(run)
        except KeyError:
            raise UsageError(
                f"%workbench delete: no run with id or name {run!r}. List the runs with "
                "%workbench list."
            ) from None
        print(f"Deleted run {run_id}.")
        return None

    def _wb_diff_signature(self, rest: list[str]) -> Any:
        a, b = self._positional(
            rest, 2, "%workbench diff-signature A B, where A and B are model URIs or "
            "directories, or names of signatures or models in the namespace, e.g. "
            "%workbench diff-signature ./model_v1 ./model_v2"
        )
        from workbench.models import diff_signatures

        return diff_signatures(self._signature(a), self._signature(b))

    def _signature(self, name: str) -> Any:
        magic = "%workbench diff-signature"
        ns = self.shell.user_ns
        head = name.split(".", 1)[0]
        if head.isidentifier() and head in ns:
            value = self._lookup(name, "", magic, "%workbench diff-signature old_sig new_sig")
            if isinstance(value, str):
                return self._signature_at(value, name)
            return self._signature_of(value, name)
        if _is_model_location(name):
            return self._signature_at(name, name)
        raise UsageError(
            f"{magic}: {name!r} is neither a variable in the notebook nor a model URI or "
            f"directory.{_closest(head, ns)} Pass a model directory (./model_dir), a URI "
            "(runs:/<run_id>/model, models:/name/1) or the name of a ModelSignature or model."
        )

    def _signature_at(self, uri: str, name: str) -> Any:
        from workbench._exceptions import WorkbenchException
        from workbench.models import get_model_info

        try:
            return get_model_info(uri).signature
        except WorkbenchException as err:
            raise UsageError(f"%workbench diff-signature: {name}: {err.message}") from None
        except OSError as err:
            raise UsageError(f"%workbench diff-signature: {name}: cannot read a model there ({err}).") from None

    @staticmethod
    def _signature_of(value: Any, name: str) -> Any:
        if value is None:
            return None
        if all(hasattr(value, part) for part in ("inputs", "outputs", "params")):
            return value  # a ModelSignature
        for holder in (value, getattr(value, "metadata", None)):  # ModelInfo, Model / PyFuncModel
            if holder is not None and hasattr(holder, "signature"):
                return holder.signature
        raise UsageError(
            f"%workbench diff-signature: {name} is a {type(value).__name__}, which has no "
            "signature. Pass a ModelSignature (workbench.models.infer_signature(X, y)), a "
            "loaded model, or a saved model's directory or URI."
        )
