"""%%evaluate, %evaluate and %workbench through a real IPython InteractiveShell."""

from __future__ import annotations

import re

import pytest
from IPython.core.error import UsageError

import workbench
from workbench.evaluation import EvaluationResult
from workbench.evaluation._evaluate import without_explanations
from workbench.notebook._magics import WorkbenchMagics

FAST = "--no-explain --no-save"


def line(ip, text):
    """Run the line magic %evaluate directly (UsageError propagates)."""
    return ip.run_line_magic("evaluate", text)


def cell(ip, args, body):
    return ip.run_cell_magic("evaluate", args, body)


def usage(match):
    return pytest.raises(UsageError, match=match)


# --------------------------------------------------------------------------- %%evaluate


def test_cell_last_expression_is_the_model_and_underscore_holds_the_result(run, ip):
    outcome, out = run(
        "%%evaluate --data df --targets label --no-explain\n"
        "from sklearn.tree import DecisionTreeClassifier\n"
        "DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)\n"
    )
    assert outcome.success
    result = ip.user_ns["_"]
    assert isinstance(result, EvaluationResult)
    assert outcome.result is result
    assert result.model["class"].endswith("DecisionTreeClassifier")
    assert result.model["model_type"] == "classifier"  # inferred from the estimator
    assert result.metrics["example_count"] == 150
    assert "DecisionTreeClassifier" in ip.user_ns  # the cell ran in the user namespace
    assert "Saved to the workspace as run" in out  # saved by default


def test_cell_with_model_option_takes_the_named_model(ip):
    result = cell(ip, f"--model tree --data df --targets label {FAST}",
                  "from sklearn.tree import DecisionTreeClassifier\n"
                  "tree = DecisionTreeClassifier(max_depth=1).fit(X, y)\n")
    assert result.model["class"].endswith("DecisionTreeClassifier")
    assert ip.user_ns["tree"] is not None


def test_cell_that_gives_no_model_is_a_usage_error(ip):
    with usage(r"^%%evaluate: the cell's last line must be an expression that gives the model, "
               r"e\.g\. RandomForestClassifier\(\)\.fit\(X, y\) or clf; or name it with --model "
               r"NAME; or evaluate static predictions with --predictions COLUMN\.$"):
        cell(ip, "--data df --targets label", "m = clf\n")


def test_line_form_evaluates_an_existing_model(ip):
    result = line(ip, f"--model clf --data df --targets label {FAST}")
    assert result.model["class"].endswith("LogisticRegression")
    assert result.metrics["accuracy_score"] > 0.9


def test_line_form_needs_a_model(ip):
    with usage(r"^%evaluate: name the model with --model, e\.g\. %evaluate --model clf --data "
               r"test_df --targets label; or evaluate static predictions with --predictions "
               r"COLUMN\. To build the model in the same cell, use the cell magic %%evaluate\.$"):
        line(ip, "--data df --targets label")


def test_model_option_accepts_a_model_directory(ip, tmp_path):
    import workbench.sklearn

    path = tmp_path / "model"
    workbench.sklearn.save_model(ip.user_ns["clf"], str(path))
    result = line(ip, f"--model {path} --data df --targets label --model-type classifier {FAST}")
    assert result.metrics["example_count"] == 150
    assert result.model["uri"] is not None


def test_regressor_is_inferred_and_model_type_can_be_given(ip):
    ip.run_cell("from sklearn.linear_model import LinearRegression\n"
                "reg = LinearRegression().fit(X.iloc[:, :3], X.iloc[:, 3])\n"
                "rdf = X.copy()\n")
    inferred = line(ip, f"--model reg --data rdf --targets {repr_col(ip)} {FAST}")
    assert inferred.model["model_type"] == "regressor"
    assert "mean_squared_error" in inferred.metrics
    given = line(ip, f"--model clf --data df --targets label --model-type classifier {FAST}")
    assert given.model["model_type"] == "classifier"


def repr_col(ip):
    # The iris target column of the regression test: "petal width (cm)" has spaces.
    return "'petal width (cm)'"


def test_model_type_that_cannot_be_inferred(ip):
    ip.run_cell("predict = lambda frame: [0] * len(frame)")
    with usage(r"^%evaluate: cannot tell whether the model is a classifier or a regressor: add "
               r"--model-type classifier or --model-type regressor\.$"):
        line(ip, "--model predict --data df --targets label --no-save")


def test_model_type_must_be_a_known_choice(ip):
    with usage(r"^%evaluate: argument --model-type: invalid choice: 'clf' .*Run %evaluate\? for "
               r"every option with an example\.$"):
        line(ip, "--model clf --data df --targets label --model-type clf")


def test_static_predictions(ip):
    ip.run_cell("sdf = df.assign(pred=clf.predict(X))")
    result = line(ip, f"--data sdf --targets label --predictions pred --model-type classifier {FAST}")
    assert result.model["kind"] == "static"
    assert result.metrics["accuracy_score"] == pytest.approx(ip.user_ns["clf"].score(X_(ip), y_(ip)))
    # the cell form may give no model at all with --predictions
    result = cell(ip, f"--data sdf --targets label --predictions pred --model-type classifier {FAST}",
                  "threshold = 0.5\n")
    assert result.model["kind"] == "static"


def X_(ip):
    return ip.user_ns["X"]


def y_(ip):
    return ip.user_ns["y"]


def test_predictions_column_must_exist(ip):
    with usage(r"^%evaluate: --predictions pred: df has no column 'pred'\. Its columns: sepal "
               r"length \(cm\), .*label\.$"):
        line(ip, "--data df --targets label --predictions pred --model-type classifier")


def test_config_as_inline_json_and_as_a_namespace_dict(ip):
    result = line(ip, f"--model clf --data df --targets label --config '{{\"metric_prefix\": \"val_\"}}' {FAST}")
    assert "val_accuracy_score" in result.metrics
    ip.user_ns["cfg"] = {"metric_prefix": "test_"}
    result = line(ip, f"--model clf --data df --targets label --config cfg {FAST}")
    assert "test_accuracy_score" in result.metrics
    assert ip.user_ns["cfg"] == {"metric_prefix": "test_"}  # not modified by --no-explain


def test_config_errors(ip):
    with usage(r"^%evaluate: --config is not valid JSON \(Expecting property name enclosed in "
               r"double quotes: .*\)\. Write JSON with double quotes inside single quotes, e\.g\. "
               r"--config '\{\"pos_label\": 1\}', or pass the name of a dict: --config my_config\.$"):
        line(ip, "--model clf --data df --targets label --config \"{'pos_label': 1}\"")
    ip.user_ns["cfg"] = [1, 2]
    with usage(r"^%evaluate: --config cfg: expected a dict of evaluator settings, got list\. "
               r"Example: --config '\{\"pos_label\": 1\}'\.$"):
        line(ip, "--model clf --data df --targets label --config cfg")
    with usage(r"^%evaluate: --config nothere: there is no variable 'nothere' in the notebook\. "
               r"Define it in an earlier cell, then pass its name: --config my_config\.$"):
        line(ip, "--model clf --data df --targets label --config nothere")


def test_extra_metrics_from_the_namespace(ip):
    ip.run_cell(
        "from workbench.models import make_metric\n"
        "def n_rows(eval_df, _builtin_metrics):\n"
        "    return float(len(eval_df))\n"
        "def ones(eval_df, _builtin_metrics):\n"
        "    return 1.0\n"
        "m1 = make_metric(eval_fn=n_rows, greater_is_better=True)\n"
        "m2 = make_metric(eval_fn=ones, greater_is_better=True)\n"
    )
    result = line(ip, f"--model clf --data df --targets label --extra-metrics m1 m2 {FAST}")
    assert result.metrics["n_rows"] == 150.0 and result.metrics["ones"] == 1.0
    result = line(ip, f"--model clf --data df --targets label --extra-metrics m1,m2 {FAST}")
    assert result.metrics["ones"] == 1.0
    with usage(r"^%evaluate: --extra-metrics zzz: there is no variable 'zzz' in the notebook\. "
               r"Define it in an earlier cell, then pass its name: my_metric = "
               r"workbench\.models\.make_metric\(\.\.\.\), then --extra-metrics my_metric\.$"):
        line(ip, "--model clf --data df --targets label --extra-metrics m1 zzz")


def test_no_explain_turns_shap_off(ip):
    import shap  # noqa: F401 - the explain extra is part of the test extras
    with_shap = line(ip, "--model clf --data df --targets label --no-save")
    assert with_shap.explanation is not None
    without = line(ip, "--model clf --data df --targets label --no-save --no-explain")
    assert without.explanation is None
    assert without.config["log_model_explainability"] is False
    assert "log_model_explainability" in without.skipped["explanation"]


def test_no_explain_sets_the_flag_flat_or_per_evaluator():
    assert without_explanations({}) == {"log_model_explainability": False}
    nested = {"default": {"pos_label": 1}}
    assert without_explanations(nested) == {"default": {"pos_label": 1, "log_model_explainability": False}}
    assert nested == {"default": {"pos_label": 1}}


def test_out_binds_a_name_and_must_be_an_identifier(ip):
    result = line(ip, f"--model clf --data df --targets label {FAST} --out res")
    assert ip.user_ns["res"] is result
    with usage(r"^%evaluate: --out '1res' is not a valid Python name\. Example: --out res$"):
        line(ip, "--model clf --data df --targets label --out 1res")


def test_quiet_shows_nothing_but_underscore_holds_the_result(run, ip):
    outcome, out = run("%evaluate --model clf --data df --targets label --no-explain --quiet --out q")
    assert outcome.success and out == ""
    assert ip.user_ns["_"] is ip.user_ns["q"]
    assert isinstance(ip.user_ns["q"], EvaluationResult)


def test_name_saves_a_run_and_workbench_list_show_delete(run, ip):
    outcome, out = run("%evaluate --model clf --data df --targets label --no-explain --name lr-1")
    result = ip.user_ns["_"]
    assert re.search(r"Saved to the workspace as run 'lr-1' \([0-9a-f]{32}\)\.", out)
    assert result.run_id and out.count(result.run_id) >= 1
    runs = ip.run_line_magic("workbench", "list")
    assert list(runs["tags.mlflow.runName"]) == ["lr-1"]
    assert runs["metrics.accuracy_score"].iloc[0] == pytest.approx(result.metrics["accuracy_score"])
    shown = ip.run_line_magic("workbench", "show lr-1")
    assert isinstance(shown, EvaluationResult) and shown.run_id == result.run_id
    assert shown.metrics == result.metrics
    assert ip.run_line_magic("workbench", f"show {result.run_id}").run_id == result.run_id
    ip.run_line_magic("workbench", "delete lr-1")
    assert len(ip.run_line_magic("workbench", "list")) == 0


def test_no_save_writes_nothing(ip):
    line(ip, f"--model clf --data df --targets label {FAST}")
    assert len(ip.run_line_magic("workbench", "list")) == 0


def test_name_and_no_save_conflict(ip):
    with usage(r"^%evaluate: --name x saves the result, --no-save does not: use one of them\.$"):
        line(ip, "--model clf --data df --targets label --name x --no-save")


def test_baseline_compares_with_the_saved_run_at_once(run, ip):
    line(ip, "--model clf --data df --targets label --no-explain --name base --out b --quiet")
    outcome, out = run("%evaluate --model clf --data df --targets label --no-explain --no-save "
                       "--baseline base --out new")
    assert outcome.success and outcome.result is None  # both shown by display(), result first
    new, saved = ip.user_ns["new"], ip.user_ns["b"]
    assert ip.user_ns["_"] is new and new.run_id is None and saved.run_id is not None
    assert out.index("EvaluationResult: ") < out.index("ComparisonResult: new vs base")


def test_baseline_comparison_names_and_values(ip, monkeypatch):
    seen = []
    real = workbench.compare
    monkeypatch.setattr(workbench, "compare", lambda *a, **k: seen.append((a, k)) or real(*a, **k))
    line(ip, "--model clf --data df --targets label --no-explain --name base --quiet")
    line(ip, "--model clf --data df --targets label --no-explain --name cand --baseline base "
             "--quiet --out new")
    new = ip.user_ns["new"]
    ((results,), kwargs), = seen
    assert list(results) == ["cand", "base"] and kwargs == {"baseline": "base"}
    assert results["cand"] is new and results["base"].metrics == new.metrics
    comparison = real(results, **kwargs)
    assert comparison.names == ["cand", "base"] and comparison.baseline == "base"
    row = next(r for r in comparison.metrics if _field(r, "metric") == "accuracy_score")
    assert _field(row, "deltas")["cand"] == pytest.approx(0.0)


def _field(row, key):
    return row[key] if isinstance(row, dict) else getattr(row, key)


def test_baseline_that_is_not_saved_is_a_usage_error_before_the_cell_runs(ip):
    ip.user_ns.pop("ran", None)
    with usage(r"^%%evaluate: --baseline nope: .*List the runs with"):
        cell(ip, "--data df --targets label --baseline nope", "ran = True\nclf")
    assert "ran" not in ip.user_ns


def test_a_failed_save_is_a_note_and_the_result_is_kept(ip, monkeypatch, capsys):
    def broken(result, *, run_id=None, run_name=None):
        raise OSError("No space left on device")

    monkeypatch.setattr(workbench, "log_evaluation", broken)
    capsys.readouterr()
    result = line(ip, "--model clf --data df --targets label --no-explain")
    assert isinstance(result, EvaluationResult) and result.run_id is None
    assert capsys.readouterr().out == (
        "Not saved to the workspace: OSError: No space left on device Pass --no-save to silence "
        "this note.\n"
    )


def test_without_no_save_exactly_one_run_is_logged(ip):
    line(ip, "--model clf --data df --targets label --no-explain --quiet --out r")
    result = ip.user_ns["r"]
    runs = ip.run_line_magic("workbench", "list")
    assert list(runs["run_id"]) == [result.run_id]


# --------------------------------------------------------------------------- usage errors


def test_usage_error_is_shown_without_a_traceback(ip, capsys):
    capsys.readouterr()
    outcome = ip.run_cell("%evaluate --model clf --data df --targets lable")
    assert not outcome.success and isinstance(outcome.error_in_exec, UsageError)
    out, err = capsys.readouterr()
    # IPython prints a UsageError as one line, without a traceback.
    assert err.strip() == (
        "UsageError: %evaluate: --targets lable: the data has no column 'lable'. Did you mean "
        "label? Its columns: sepal length (cm), sepal width (cm), petal length (cm), petal "
        "width (cm), label."
    )
    assert "Traceback" not in out + err


def test_unknown_option_suggests_the_right_one(ip):
    with usage(r"^%evaluate: unknown option or extra argument '--taget' \(did you mean "
               r"--targets\?\), 'label'\. Run %evaluate\? for every option with an example\.$"):
        line(ip, "--model clf --data df --taget label")
    with usage(r"^%evaluate: unknown option or extra argument 'extra'\. Run %evaluate\?"):
        line(ip, "--model clf --data df --targets label extra")


def test_data_is_required(ip):
    with usage(r"^%evaluate: --data is required: the name of the evaluation DataFrame, e\.g\. "
               r"%evaluate --data test_df --targets label$"):
        line(ip, "--model clf --targets label")
    with usage(r"^%%evaluate: --data is required"):
        cell(ip, "--targets label", "clf\n")


def test_name_not_in_namespace_suggests_close_names(ip):
    with usage(r"^%evaluate: --data dff: there is no variable 'dff' in the notebook\. Did you mean "
               r"df\? Define it in an earlier cell, then pass its name: %evaluate --data test_df "
               r"--targets label\.$"):
        line(ip, "--model clf --data dff --targets label")
    with usage(r"^%evaluate: --model clff: there is no variable 'clff' in the notebook\. Did you "
               r"mean clf\? Define it in an earlier cell, then pass its name: --model clf \(or a "
               r"model URI or directory\)\.$"):
        line(ip, "--model clff --data df --targets label")


def test_dotted_names_resolve_attributes(ip):
    ip.run_cell("import types\nsplits = types.SimpleNamespace(test=df)")
    assert line(ip, f"--model clf --data splits.test --targets label {FAST}").metrics["example_count"] == 150
    with usage(r"^%evaluate: --data splits\.tst: splits \(SimpleNamespace\) has no attribute "
               r"'tst'\. Did you mean test\?$"):
        line(ip, "--model clf --data splits.tst --targets label")


def test_targets_column_must_exist(ip):
    with usage(r"^%evaluate: --targets lable: the data has no column 'lable'\. Did you mean "
               r"label\? Its columns: sepal length \(cm\), sepal width \(cm\), petal length \(cm\), "
               r"petal width \(cm\), label\.$"):
        line(ip, "--model clf --data df --targets lable")


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_array_data_takes_targets_from_the_namespace(ip):
    ip.run_cell("Xa = X.to_numpy(); ya = y.to_numpy()")
    result = line(ip, f"--model clf --data Xa --targets ya {FAST}")
    assert result.metrics["example_count"] == 150
    with usage(r"^%evaluate: --targets yb: there is no variable 'yb' in the notebook\. Did you "
               r"mean y\? Define it in an earlier cell, then pass its name: --targets y_test\.$"):
        line(ip, "--model clf --data Xa --targets yb")


def test_evaluate_errors_become_usage_errors(ip):
    ip.run_cell("one = df[df.label == 0]")
    with usage(r"^%evaluate: Evaluation dataset for classification must contain at least two "
               r"unique labels, but only 1 unique labels were found \(\[0\]\)\. Please provide a "
               r"'label_list' parameter in 'evaluator_config' with all possible classes"):
        line(ip, f"--model clf --data one --targets label {FAST}")


def test_unbalanced_quotes(ip):
    with usage(r"^%evaluate: cannot read the options \(No closing quotation\)\. Close every "
               r"quote, e\.g\. --config '\{\"pos_label\": 1\}'\.$"):
        line(ip, "--model clf --data df --config '{\"a\": 1}")


def test_magic_help_documents_every_option_with_an_example(ip):
    doc = ip.find_line_magic("evaluate").__doc__
    assert doc == ip.find_cell_magic("evaluate").__doc__
    parser = WorkbenchMagics.evaluate.parser
    options = [a for a in parser._actions if a.option_strings and a.dest != "help"]
    assert {o.option_strings[0] for o in options} == {
        "--data", "--targets", "--model", "--model-type", "--predictions", "--name", "--config",
        "--extra-metrics", "--baseline", "--no-explain", "--no-save", "--out", "--quiet",
    }
    for action in options:
        assert action.option_strings[0] in doc
        assert "Example: " + action.option_strings[0] in action.help, action.option_strings
    assert "%%evaluate --data test_df --targets label --name rf-depth7" in doc
    assert "workbench.evaluate(" in doc


def test_question_mark_shows_the_doc(run):
    outcome, out = run("%evaluate?")
    assert outcome.success
    assert "--extra-metrics" in out and "Example: --no-explain" in out


# --------------------------------------------------------------------------- %workbench


def test_workbench_subcommand_errors(ip):
    with usage(r"^%workbench: give a subcommand: list, show RUN, compare RUN RUN, report RUN -o "
               r"FILE, diff-signature A B or delete RUN\. Run %workbench\? for examples\.$"):
        ip.run_line_magic("workbench", "")
    with usage(r"^%workbench: unknown subcommand 'lsit'\. Did you mean %workbench list\? "
               r"Subcommands: list, show, compare, report, diff-signature, delete\. Run "
               r"%workbench\? for examples\.$"):
        ip.run_line_magic("workbench", "lsit")
    with usage(r"^%workbench: expected %workbench show RUN, e\.g\. %workbench show rf-depth7$"):
        ip.run_line_magic("workbench", "show")
    with usage(r"^%workbench: unknown option '--all'\. Usage: %workbench list \(no arguments\)$"):
        ip.run_line_magic("workbench", "list --all")
    with usage(r"^%workbench show: no run with id or name 'ghost'\. List the runs with "
               r"%workbench list\.$"):
        ip.run_line_magic("workbench", "show ghost")
    with usage(r"^%workbench delete: no run with id or name 'ghost'\."):
        ip.run_line_magic("workbench", "delete ghost")
    with usage(r"^%workbench compare: give at least two runs \(ids or names\)\. Usage: "
               r"%workbench compare RUN RUN \[\.\.\.\] \[--baseline RUN\] \[--thresholds NAME\]"):
        ip.run_line_magic("workbench", "compare one")
    with usage(r"^%workbench report: expected %workbench report RUN \[RUN \.\.\.\] -o FILE"):
        ip.run_line_magic("workbench", "report one")


def _two_runs(ip):
    line(ip, "--model clf --data df --targets label --no-explain --name a --quiet")
    ip.user_ns["clf2"] = __import__("sklearn.linear_model").linear_model.LogisticRegression(
        max_iter=50, C=0.01).fit(ip.user_ns["X"], ip.user_ns["y"])
    line(ip, "--model clf2 --data df --targets label --no-explain --name b --quiet")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_workbench_compare_returns_the_comparison(run, ip):
    _two_runs(ip)
    outcome, _ = run("%workbench compare a b")
    comparison = ip.user_ns["_"]
    assert outcome.success and type(comparison).__name__ == "ComparisonResult"
    assert comparison.names == ["a", "b"] and comparison.baseline == "a" and comparison.paired
    a, b = (ip.run_line_magic("workbench", f"show {n}") for n in "ab")
    row = next(r for r in comparison.metrics if _field(r, "metric") == "accuracy_score")
    delta = b.metrics["accuracy_score"] - a.metrics["accuracy_score"]
    assert _field(row, "deltas")["b"] == pytest.approx(delta)
    lo, hi = _field(row, "delta_ci")["b"]
    assert lo <= delta <= hi


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_workbench_compare_baseline_and_thresholds(ip):
    _two_runs(ip)
    ip.user_ns["gates"] = {"accuracy_score": workbench.MetricThreshold(threshold=0.99,
                                                                     greater_is_better=True)}
    comparison = ip.run_line_magic("workbench", "compare a --baseline b --thresholds gates")
    assert comparison.names == ["b", "a"] and comparison.baseline == "b"
    assert comparison.gates  # a gate per compared result
    with usage(r"^%workbench compare: --thresholds nogates: there is no variable 'nogates'"):
        ip.run_line_magic("workbench", "compare a b --thresholds nogates")
    ip.user_ns["notdict"] = [1]
    with usage(r"^%workbench compare: --thresholds notdict: expected a dict of metric name -> "
               r"MetricThreshold, got list\."):
        ip.run_line_magic("workbench", "compare a b --thresholds notdict")
    with usage(r"^%workbench compare: unknown option '--basline' \(did you mean --baseline\?\)"):
        ip.run_line_magic("workbench", "compare a b --basline a")
    with usage(r"^%workbench compare: --baseline needs a value"):
        ip.run_line_magic("workbench", "compare a b --baseline")
    with usage(r"^%workbench compare: run 'a' is given twice; name each run once\.$"):
        ip.run_line_magic("workbench", "compare a a")
    with usage(r"^%workbench compare: .*ghost.*List the runs with"):
        ip.run_line_magic("workbench", "compare a ghost")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_workbench_report_writes_one_html_file(ip, tmp_path, capsys):
    _two_runs(ip)
    one, two = tmp_path / "one.html", tmp_path / "two.html"
    capsys.readouterr()
    assert str(ip.run_line_magic("workbench", f"report a -o {one}")) == str(one)
    assert str(ip.run_line_magic("workbench", f"report a b --output={two}")) == str(two)
    assert capsys.readouterr().out == f"Wrote {one}.\nWrote {two}.\n"
    for path in (one, two):
        text = path.read_text(encoding="utf-8")
        assert text.lstrip().lower().startswith("<!doctype html") and "accuracy_score" in text
    with usage(r"^%workbench report: -o out\.txt: the report is one HTML file; end its name in "
               r"\.html, e\.g\. -o report\.html$"):
        ip.run_line_magic("workbench", "report a -o out.txt")
    with usage(r"^%workbench report: unknown option '-x'"):
        ip.run_line_magic("workbench", "report a -x r.html")
    with usage(r"^%workbench report: run ghost: .*List the runs with"):
        ip.run_line_magic("workbench", "report ghost -o r.html")


# --------------------------------------------------------------------------- diff-signature


def test_diff_signature_of_namespace_signatures(ip):
    ip.run_cell(
        "from workbench.models import ModelSignature\n"
        "from workbench.types import ColSpec, Schema\n"
        "old = ModelSignature(Schema([ColSpec('long', 'x'), ColSpec('double', 'income')]))\n"
        "new = ModelSignature(Schema([ColSpec('double', 'x'), ColSpec('long', 'age')]))\n"
    )
    diff = ip.run_line_magic("workbench", "diff-signature old new")
    assert str(diff) == ("+ inputs.age: long (required)\n- inputs.income: double\n"
                         "~ inputs.x: long -> double")
    assert not ip.run_line_magic("workbench", "diff-signature old old")


def test_diff_signature_of_model_directories_and_loaded_models(ip, tmp_path):
    import workbench.pyfunc
    import workbench.sklearn
    from workbench.models import infer_signature

    X = ip.user_ns["X"]
    clf = ip.user_ns["clf"]
    a, b = tmp_path / "a", tmp_path / "b"
    workbench.sklearn.save_model(clf, str(a), signature=infer_signature(X, clf.predict(X)))
    X2 = X.drop(columns=["sepal width (cm)"])
    from sklearn.linear_model import LogisticRegression

    clf2 = LogisticRegression(max_iter=500).fit(X2, ip.user_ns["y"])
    workbench.sklearn.save_model(clf2, str(b), signature=infer_signature(X2, clf2.predict(X2)))
    diff = ip.run_line_magic("workbench", f"diff-signature {a} {b}")
    assert str(diff) == "- inputs.sepal width (cm): double"
    ip.user_ns["loaded"] = workbench.pyfunc.load_model(str(a))
    ip.user_ns["path_b"] = str(b)
    assert str(ip.run_line_magic("workbench", "diff-signature loaded path_b")) == str(diff)


def test_diff_signature_errors(ip, tmp_path):
    with usage(r"^%workbench diff-signature: 'nothing' is neither a variable in the notebook nor "
               r"a model URI or directory\. Pass a model directory \(\./model_dir\), a URI "
               r"\(runs:/<run_id>/model, models:/name/1\) or the name of a ModelSignature or model\.$"):
        ip.run_line_magic("workbench", "diff-signature nothing clf")
    with usage(r"^%workbench diff-signature: clf is a LogisticRegression, which has no signature\. "
               r"Pass a ModelSignature \(workbench\.models\.infer_signature\(X, y\)\), a loaded "
               r"model, or a saved model's directory or URI\.$"):
        ip.run_line_magic("workbench", "diff-signature clf clf")
    with usage(r"^%workbench: expected %workbench diff-signature A B"):
        ip.run_line_magic("workbench", "diff-signature one")
    empty = tmp_path / "empty"
    empty.mkdir()
    with usage(r"^%workbench diff-signature: .*empty: "):
        ip.run_line_magic("workbench", f"diff-signature {empty} {empty}")


# --------------------------------------------------------------------------- %load_ext


def test_load_ext_workbench(shell):
    """``%load_ext workbench`` needs the lazy hook in workbench/__init__.py."""
    shell.run_line_magic("load_ext", "workbench")
    assert shell.find_cell_magic("evaluate") is not None
    assert shell.find_line_magic("workbench") is not None


def test_load_ext_registers_the_magics_and_the_display(shell):
    assert shell.find_line_magic("evaluate") is not None
    assert shell.find_cell_magic("evaluate") is not None
    data, _ = shell.display_formatter.format(EvaluationResult({"roc_auc": 0.9}, {}))
    assert set(data) >= {"text/plain", "text/html"}
    assert "higher is better" in data["text/html"]


# --------------------------------------------------------------------------- more cases


def test_cell_may_use_ipython_syntax(ip):
    result = cell(ip, f"--data df --targets label {FAST}", "here = %pwd\nclf\n")
    assert isinstance(result, EvaluationResult)
    assert isinstance(ip.user_ns["here"], str)


def test_user_errors_inside_the_cell_propagate_as_they_are(ip):
    with pytest.raises(ZeroDivisionError):
        cell(ip, f"--data df --targets label {FAST}", "1 / 0\nclf\n")


def test_failed_named_save_keeps_the_result_in_out(ip, monkeypatch):
    def broken(result, *, run_id=None, run_name=None):
        raise OSError("disk full")

    monkeypatch.setattr(workbench, "log_evaluation", broken)
    with usage(r"^%evaluate: could not save run 'x': OSError: disk full The result is not lost: "
               r"it is in _ \(and in --out NAME\)\.$"):
        line(ip, "--model clf --data df --targets label --no-explain --name x --out kept")
    assert isinstance(ip.user_ns["kept"], EvaluationResult)


def test_show_a_run_without_an_evaluation_gives_the_run(ip):
    from workbench import _tracking

    with _tracking.start_run(run_name="plain"):
        _tracking.log_metric("m", 1.0)
    run = ip.run_line_magic("workbench", "show plain")
    assert run.info.run_name == "plain" and run.data.metrics == {"m": 1.0}
