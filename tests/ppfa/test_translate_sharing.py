"""Named types of ``types:`` aliases: written in full at their first use and by name after.
The translator walks only the top-level expressions that used an alias (and nothing when
fewer than two uses were handed out); over generated programs, and a program with aliases
here and there, the result is the one a walk of the whole document gives."""

from __future__ import annotations

import importlib
import json

from hypothesis import HealthCheck, given, settings
from ppfa_programs import programs

from pfa.document.pretty import PrettyPfaError, library_function_names
from pfa.document.pretty.syntax import parse

translation = importlib.import_module("pfa.document.pretty.translate")  # the module, not
# the function the package exports under the same name


def _shortcut_and_full_walk(text: str) -> tuple[dict, dict] | None:
    names = library_function_names()
    try:
        shortcut = translation.translate(parse(text), names)
    except PrettyPfaError:
        return None
    whole = translation._Translator(names.__contains__).document(parse(text))
    return shortcut, translation.share_named_types(whole)


SCATTERED = """types:
  P = record(P, x: double, y: double);
  Ps = array(P)
input: double
output: P
cells:
  c(Ps) = []
begin:
  1;
  new(P, x: 0.0, y: 0.0)
action:
  var a = 1.0;
  var p = new(P, x: input, y: a);
  a + 1;
  var q = new(Ps, p, new(P, x: 1.0, y: 2.0));
  p
end:
  c to fcn(old: Ps -> Ps) a.append(old, new(P, x: 2.0, y: 3.0))
"""


def test_scattered_uses_define_the_type_once() -> None:
    result = _shortcut_and_full_walk(SCATTERED)
    assert result is not None
    shortcut, whole = result
    assert shortcut == whole
    assert shortcut["output"]["fields"][0] == {"name": "x", "type": "double"}
    assert json.dumps(shortcut).count('"name": "P"') == 1  # the other uses say "P"


@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.filter_too_much])
@given(programs())
def test_generated_programs_share_types_as_a_whole_walk_does(text: str) -> None:
    result = _shortcut_and_full_walk(text)
    if result is not None:
        assert result[0] == result[1]
