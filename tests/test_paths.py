"""JSON paths in error messages (pfa.paths.join_path): one form, used by every layer."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.data import validate
from pfa.avro.types import parse_type
from pfa.check.checker import check
from pfa.document.reader import read
from pfa.engine.inputs import coerce_input
from pfa.errors import AvroDataError, PfaInputError, PfaSemanticErrors, PfaSyntaxError
from pfa.names import NAME_RE
from pfa.paths import join_path


def test_the_chosen_form() -> None:
    assert join_path("$", 3) == "$[3]"
    assert join_path("$", "a_1") == "$.a_1"
    assert join_path("$", "é") == '$["é"]'
    assert join_path("$", "a.b") == '$["a.b"]'
    assert join_path("$", "x\n") == '$["x\\n"]'
    assert join_path("$", "") == '$[""]'


@given(st.text(max_size=8))
def test_a_member_path_names_the_member_exactly(key: str) -> None:
    path = join_path("$", key)
    if NAME_RE.fullmatch(key):
        assert path == f"$.{key}"
    else:
        assert json.loads(path[2:-1]) == key
        assert all(c in path for c in key if c.isprintable())


@given(st.text(min_size=1, max_size=6))
def test_data_validation_and_the_input_contract_name_a_map_key_alike(key: str) -> None:
    t = parse_type({"type": "map", "values": "int"})
    expected = join_path("$", key)
    with pytest.raises(AvroDataError) as data_error:
        validate(t, {key: "not an int"})
    assert data_error.value.path == expected
    with pytest.raises(PfaInputError) as input_error:
        coerce_input(t, {key: "not an int"})
    assert input_error.value.path == expected


def test_the_reader_uses_the_same_form() -> None:
    with pytest.raises(PfaSyntaxError) as err:
        read({"input": "int", "output": "int", "action": [1],
              "cells": {"é": {"type": "int", "init": 0}}})
    assert err.value.path == '$.cells["é"]'


def test_the_checker_uses_the_same_form() -> None:
    doc = read({"input": "int", "output": "int", "action": [1],
                "cells": {"c": {"type": {"type": "map", "values": "int"}, "init": {"é": "x"}}}})
    with pytest.raises(PfaSemanticErrors) as err:
        check(doc)
    assert [e.path for e in err.value.errors] == ['$.cells.c.init["é"]']
