"""One named regression test per example of issue #10, each run in a bounded worker process
(memory limit, wall-clock limit, audit hook: see :mod:`tests.hostile.runner`) or, for the
command line, as a bounded subprocess (:mod:`tests.hostile.cli_cases`).

A case passes when it keeps every promise the harness checks (only PFA errors, bounded time
and memory, no host access, batch equal to action) and its own expectation (``expect``:
refused with a PFA error, or accepted; ``outputs``: the values the spec gives).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hostile import batches, cli_cases, escapes, runner

REPO = Path(__file__).resolve().parent.parent.parent
ESCAPES = {c["id"]: c for c in escapes.cases()}
BATCHES = {c["id"]: c for c in batches.cases()}
CLI = {c.id: c for c in cli_cases.cases()}


@pytest.fixture(scope="module")
def worker() -> Iterator[runner.Worker]:
    w = runner.Worker()
    yield w
    w.close()


def _check(worker: runner.Worker, case: dict[str, Any]) -> None:
    result = worker.run(case)
    assert not result["bad"], runner.describe(case, result)


def _escape(worker: runner.Worker, case_id: str) -> None:
    _check(worker, ESCAPES[f"escape-{case_id}"])


def _batch(worker: runner.Worker, builder: str, doc: str) -> None:
    _check(worker, BATCHES[f"batch-{builder}-{doc}"])


def _cli(case_id: str) -> None:
    case = CLI[f"cli-{case_id}"]
    result = cli_cases.run(case)
    assert not result["bad"], runner.describe(cli_cases.as_json(case), result)


def _doc_case(name: str, doc: Any, **kw: Any) -> dict[str, Any]:
    return {"id": f"issue10-{name}", "category": "issue10", "doc": doc, **kw}


# -- host file access --------------------------------------------------------------------------

def test_cell_json_init_cannot_read_a_host_json_file(worker):
    _escape(worker, "cell-json-host-file")


def test_cell_json_init_cannot_read_etc_passwd(worker):
    _escape(worker, "cell-json-etc-passwd")


def test_cell_json_init_does_not_leak_whether_a_file_exists(worker):
    _escape(worker, "cell-json-missing-file")


def test_cell_json_init_dev_zero_is_refused_without_reading(worker):
    _escape(worker, "cell-json-dev-zero")


def test_cell_avro_init_cannot_read_a_host_file(worker):
    _escape(worker, "cell-avro-host-file")


def test_pool_json_init_cannot_read_a_host_file(worker):
    _escape(worker, "pool-json-host-file")


def test_relative_path_traversal_is_refused(worker):
    _escape(worker, "cell-json-relative-traversal")


def test_allow_list_lets_a_document_read_inside_it(worker):
    _escape(worker, "cell-json-allow-list-reads")


def test_allow_list_cannot_be_left_with_dot_dot(worker):
    _escape(worker, "cell-json-allow-list-traversal")


def test_allow_list_cannot_be_left_with_a_symlink(worker):
    _escape(worker, "cell-json-allow-list-symlink-out")


# -- one library call must not run past the timeout --------------------------------------------

def test_timeout_stops_a_combinations_on_a_long_array(worker):
    _escape(worker, "a-combinations-long-array")


def test_timeout_stops_a_permutations_of_ten_elements(worker):
    _escape(worker, "a-permutations-ten")


@pytest.mark.parametrize("fn", ["re-index", "re-contains", "re-count", "re-rindex",
                                "re-findall", "re-split", "re-replaceall"])
def test_catastrophic_regex_is_bounded(worker, fn):
    _escape(worker, f"re-catastrophic-{fn}")


def test_m_special_nchoosek_max_int_is_bounded(worker):
    _escape(worker, "m-special-nchoosek-max-int")


def test_rand_string_max_int_length_is_bounded(worker):
    _escape(worker, "rand-string-max-int")


def test_rand_bytes_max_int_length_is_bounded(worker):
    _escape(worker, "rand-bytes-max-int")


def test_prob_dist_poisson_qf_search_is_bounded(worker):
    _escape(worker, "prob-dist-poisson-qf")


def test_prob_dist_negative_binomial_qf_search_is_bounded(worker):
    _escape(worker, "prob-dist-negative-binomial-qf")


def test_prob_dist_geometric_qf_search_is_bounded(worker):
    _escape(worker, "prob-dist-geometric-qf")


def test_cast_fanout_int_over_the_whole_int_range_is_bounded(worker):
    _escape(worker, "cast-fanout-int-whole-range")


def test_s_repeat_max_int_is_bounded(worker):
    _escape(worker, "s-repeat-max-int")


def test_s_int_huge_width_is_bounded(worker):
    _escape(worker, "s-int-huge-width")


def test_s_hex_huge_width_is_bounded(worker):
    _escape(worker, "s-hex-huge-width")


# -- YAML alias bombs ----------------------------------------------------------------------------

def test_yaml_alias_bomb_is_refused_by_check(worker):
    _escape(worker, "yaml-alias-bomb-check")


def test_yaml_alias_bomb_in_a_cell_init_is_refused(worker):
    _escape(worker, "yaml-alias-bomb-cell")


def test_cli_check_refuses_a_yaml_alias_bomb():
    _cli("check-yaml-alias-bomb")


def test_cli_run_refuses_a_yaml_alias_bomb_in_a_cell():
    _cli("run-yaml-alias-bomb-cell")


# -- action_batch must equal action --------------------------------------------------------------

def test_batch_dict_of_columns_with_different_lengths_is_refused(worker):
    _batch(worker, "ragged_lists", "rec")


def test_batch_dict_of_numpy_columns_with_different_lengths_is_refused(worker):
    _batch(worker, "ragged_arrays", "rec")


def test_batch_masked_array_mask_is_not_ignored(worker):
    _batch(worker, "masked_column", "rec")


def test_batch_bool_array_into_double_matches_action(worker):
    _batch(worker, "bool_array", "dbl")


def test_batch_string_array_into_double_matches_action(worker):
    _batch(worker, "string_array", "dbl")


def test_batch_three_d_array_for_array_of_double_matches_action(worker):
    _batch(worker, "three_d", "arr")


# -- Python exceptions instead of PFA errors -----------------------------------------------------

def _corpus(name: str) -> dict[str, Any]:
    return json.loads((REPO / "tests" / "corpus" / "valid" / f"{name}.json").read_text())


def test_batch_of_corpus_if_with_error_branch_raises_a_pfa_error(worker):
    _check(worker, _doc_case("error-branch-batch", _corpus("error_with_code"),
                             inputs=[1.0, -1.0, 2.0], batch=True))


@pytest.mark.parametrize("name", ["nested_attr_path", "dotted_array_map_path"])
def test_batch_of_corpus_path_into_an_empty_array_raises_error_2000(worker, name):
    doc = _corpus(name)
    case = _doc_case(f"empty-array-{name}", doc, batch=True, inputs=[])
    from tests.hostile import mutate

    case["inputs"] = [_empty_arrays(doc["input"], {})]
    assert case["inputs"][0] is not None, mutate.__name__
    _check(worker, case)


def _empty_arrays(t: Any, names: dict[str, Any]) -> Any:
    """A datum of type ``t`` whose arrays are all empty (records filled in)."""
    if isinstance(t, str):
        return {"double": 1.0, "float": 1.0, "int": 1, "long": 1, "string": "a",
                "boolean": True}.get(t, _empty_arrays(names.get(t), names) if t in names
                                      else None)
    if isinstance(t, list):
        return None
    if isinstance(t, dict):
        kind = t.get("type")
        if kind == "array":
            return []
        if kind == "map":
            return {}
        if kind == "record":
            names[t["name"]] = t
            return {f["name"]: _empty_arrays(f["type"], names) for f in t["fields"]}
    return None


def test_integer_literal_over_4300_digits_is_a_syntax_error(worker):
    _escape(worker, "int-literal-5000-digits")


def test_pack_raw_with_5000_digit_size_is_a_pfa_error(worker):
    _escape(worker, "pack-raw-5000-digits")


def test_action_json_input_nested_100000_levels_is_an_input_error(worker):
    _escape(worker, "action-json-nested-100000")


def test_batch_duplicate_dataframe_columns_raise_a_pfa_error(worker):
    _batch(worker, "duplicate_columns", "rec")


def test_batch_sparse_dataframe_column_matches_action(worker):
    _batch(worker, "sparse_column", "rec")


def test_batch_scalar_in_a_dict_of_columns_raises_a_pfa_error(worker):
    _batch(worker, "scalar_in_columns", "rec")


# -- CLI -----------------------------------------------------------------------------------------

def test_cli_run_on_a_file_that_is_not_utf8():
    _cli("run-not-utf8-document")


def test_cli_run_on_records_that_are_not_utf8():
    _cli("run-not-utf8-records")


def test_cli_export_into_a_missing_directory():
    _cli("export-missing-output-dir")


def test_cli_export_onto_an_existing_directory():
    _cli("export-onto-directory")


def test_cli_export_with_an_over_long_name():
    _cli("export-overlong-name")


def test_cli_check_of_a_document_named_by_a_lone_surrogate():
    _cli("check-lone-surrogate-name")


def test_cli_check_dev_zero():
    _cli("check-dev-zero")


def test_cli_check_escapes_terminal_sequences_in_the_name():
    _cli("check-escape-in-name")


# -- exec, internal errors, options --------------------------------------------------------------

def test_no_exec_or_eval_in_pfa_source():
    """The acceptance check ``grep -rn "exec(\\|eval(" pfa/`` finds nothing."""
    hits = [f"{p.relative_to(REPO)}:{i}: {line.strip()}"
            for p in sorted((REPO / "pfa").rglob("*.py"))
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(r"exec\(|eval\(", line)]
    assert not hits, "\n".join(hits)


def test_record_decoder_compiles_no_source_text(worker):
    """The audit hook sees every ``compile`` of source text; none may come from pfa."""
    _escape(worker, "record-decoder-no-exec")


def test_randseed_engine_option_is_honoured():
    code = (
        "from pfa.engine.engine import Engine\n"
        "doc = {'input': 'null', 'output': {'type': 'array', 'items': 'int'},\n"
        "       'action': {'a.map': [{'type': {'type': 'array', 'items': 'int'},\n"
        "                             'value': [0, 0, 0, 0, 0]},\n"
        "                            {'params': [{'x': 'int'}], 'ret': 'int',\n"
        "                             'do': {'rand.int': []}}]}}\n"
        "a = Engine.from_json(doc, options={'randseed': 7}).action(None)\n"
        "b = Engine.from_json(doc, options={'randseed': 7}).action(None)\n"
        "c = Engine.from_json(doc, options={'randseed': 8}).action(None)\n"
        "assert a == b, (a, b)\n"
        "assert a != c, (a, c)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=runner.child_env(), cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-1500:]


# -- spec conformance (checked here through the harness; the spec helper has detailed tests) --

def test_spec_prefixed_pack_format_round_trips(worker):
    """Spec 'pack'/'unpack': ``length prefixed`` (and ``prefixed``) formats."""
    doc = {"input": "bytes", "output": "bytes", "action": {
        "unpack": {"pack": [{"prefixed": "input"}]}, "format": [{"x": "prefixed"}],
        "then": "x", "else": {"type": "bytes", "value": ""}}}
    _check(worker, _doc_case("prefixed", doc, inputs=["abc"], outputs=["abc"], expect="ok"))


def test_spec_fcn_reference_fill_to_a_three_parameter_user_function(worker):
    doc = {"input": {"type": "array", "items": "int"},
           "output": {"type": "array", "items": "int"},
           "action": {"a.map": ["input", {"fcn": "u.f", "fill": {"y": 10, "z": 100}}]},
           "fcns": {"f": {"params": [{"x": "int"}, {"y": "int"}, {"z": "int"}], "ret": "int",
                          "do": {"+": [{"+": ["x", "y"]}, "z"]}}}}
    _check(worker, _doc_case("fill3", doc, inputs=[[1, 2]], outputs=[[111, 112]],
                             expect="ok"))


def test_spec_bottom_type_assigned_to_a_variable_is_null(worker):
    """Spec "User-defined exceptions: the error special form": where the flow does not branch,
    the bottom type is converted into null (the spec helper's reading, see
    tests/check/test_forms.py): ``let x = error`` declares a null symbol, and setting a double
    variable to an error is refused."""
    as_null = {"input": "int", "output": "null",
               "action": [{"let": {"x": {"error": "no"}}}, "x"]}
    _check(worker, {**_doc_case("bottom-let", as_null), "api": "check", "expect": "ok"})
    into_double = {"input": "int", "output": "double",
                   "action": [{"let": {"x": 1.5}}, {"set": {"x": {"error": "no"}}}, "x"]}
    _check(worker, {**_doc_case("bottom-set", into_double), "api": "check",
                    "expect": "error"})


def test_spec_inline_fcn_parameter_may_not_shadow_the_enclosing_parameter(worker):
    """Spec "Symbols, scope, and data structures": a symbol must not be shadowed, and an
    inline function's scope is nested in the enclosing one (it closes over its symbols); the
    checker refuses it with a clear message (issue #10 reported a confusing one)."""
    doc = {"input": "int", "output": "int", "action": {"u.f": ["input"]},
           "cells": {"c": {"type": "int", "init": 0}},
           "fcns": {"f": {"params": [{"x": "int"}], "ret": "int", "do": [
               {"cell": "c", "to": {"params": [{"x": "int"}], "ret": "int",
                                    "do": {"+": ["x", 1]}}}, "x"]}}}
    _check(worker, {**_doc_case("shadow", doc), "api": "check", "expect": "error"})


def test_spec_binomial_qf_at_p_one_is_the_top_of_the_support(worker):
    doc = {"input": "null", "output": "double",
           "action": {"prob.dist.binomialQF": [1.0, 4, 0.0]}}
    _check(worker, _doc_case("binomialqf", doc, inputs=[None], outputs=[4.0], expect="ok"))


def test_spec_pow_of_minus_infinity_to_one_half_is_infinity(worker):
    case = {"id": "issue10-pow", "category": "issue10",
            "doc_json": '{"input": "null", "output": "double", '
                        '"action": {"**": [{"double": -Infinity}, 0.5]}}',
            "inputs": [None], "outputs": ["Infinity"], "expect": "ok"}
    _check(worker, case)


def test_cli_run_refuses_every_document_that_check_refuses(tmp_path):
    """Issue #10: "pfa run skips checks that pfa check applies". For every invalid corpus
    document both commands fail (non-zero exit status; one bounded subprocess for all)."""
    code = (
        "import contextlib, io, json, sys\n"
        "from pathlib import Path\n"
        "from pfa.cli import main\n"
        "tmp = Path(sys.argv[1]); empty = tmp / 'in.jsonl'; empty.write_text('')\n"
        "bad = []\n"
        "for p in sorted(Path('tests/corpus/invalid').glob('*.json')):\n"
        "    doc = tmp / (p.stem + '.pfa')\n"
        "    doc.write_text(json.dumps(json.loads(p.read_text())['document']))\n"
        "    codes = []\n"
        "    for argv in (['check', str(doc)], ['run', str(doc), str(empty)]):\n"
        "        with contextlib.redirect_stdout(io.StringIO()), "
        "contextlib.redirect_stderr(io.StringIO()):\n"
        "            try:\n"
        "                codes.append(main(argv))\n"
        "            except SystemExit as e:\n"
        "                codes.append(e.code)\n"
        "    if 0 in codes or None in codes:\n"
        "        bad.append(f'{p.name}: check {codes[0]}, run {codes[1]}')\n"
        "print('\\n'.join(bad))\n"
        "sys.exit(1 if bad else 0)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                          text=True, timeout=300, env=runner.child_env(), cwd=REPO)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-2500:]
