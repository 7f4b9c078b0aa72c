"""Spark's text stages: Tokenizer, RegexTokenizer, StopWordsRemover, NGram,
CountVectorizer, HashingTF and IDF."""

from __future__ import annotations

from typing import Any

import regex

from pfa.exporters.registry import converter
from pfa.exporters.spark import javaregex
from pfa.exporters.spark.converters.features import in_out
from pfa.exporters.spark.exprs import doubles_cell, fcn, if_, let_in, zipmap
from pfa.exporters.spark.flow import STRING, STRINGS, VECTOR, Column, Flow
from pfa.exporters.spark.murmur import murmur3_fcn
from pfa.exporters.spark.saved import SavedStage, to_dense_vector

FEATURE = "org.apache.spark.ml.feature"
#: locales whose lower-casing rules differ from the root locale's
_SPECIAL_LOCALES = ("tr", "az", "lt")


def _text(stage: SavedStage, flow: Flow) -> Any:
    name = stage.param("inputCol")
    return flow.non_null(flow.column(name, STRING), name)


def java_split(text: Any, pattern: str) -> Any:
    """Java's ``String.split(pattern)``: no match gives the whole string; a match at the
    start with width gives a leading empty piece; trailing empty pieces are dropped. (PFA's
    ``re.split`` drops one empty piece at each end.)"""
    empty = fcn({"w": STRING}, "boolean", {"==": [{"s.len": "w"}, 0]})
    first = {"re.index": ["jt", {"string": pattern}]}
    pieces = {"re.split": ["jt", {"string": pattern}]}
    lead = if_({"&&": [{"==": [{"attr": "jm", "path": [0]}, 0]},
                        {">": [{"attr": "jm", "path": [1]}, 0]}]},
               {"a.concat": [{"new": [{"string": ""}], "type": STRINGS}, pieces]}, pieces)
    trimmed = {"a.reverse": {"a.dropWhile": [{"a.reverse": lead}, empty]}}
    return let_in({"jt": text, "jm": first},
                  if_({"==": [{"a.len": "jm"}, 0]}, {"new": ["jt"], "type": STRINGS}, trimmed))


@converter("spark", FEATURE, "Tokenizer", "transformer")
def tokenizer(stage: SavedStage, flow: Flow) -> None:
    expr = java_split({"s.lower": _text(stage, flow)}, javaregex.translate("\\s"))
    flow.set_column(stage.param("outputCol"), Column(expr, STRINGS))


@converter("spark", FEATURE, "RegexTokenizer", "transformer",
           "gaps, minTokenLength, toLowercase; Java patterns whose meaning PFA shares")
def regex_tokenizer(stage: SavedStage, flow: Flow) -> None:
    java = stage.param("pattern", "\\s+")
    try:
        pattern = javaregex.translate(java)
    except javaregex.UnsupportedPattern as err:
        flow.refuse(f"pattern {java!r}: {err}")
    text = _text(stage, flow)
    if stage.param("toLowercase", True):
        text = {"s.lower": text}
    if regex.fullmatch(pattern, ""):
        flow.refuse(f"pattern {java!r} matches the empty string (Java and PFA treat empty "
                    "matches differently)")
    if stage.param("gaps", True):
        tokens = java_split(text, pattern)
    else:
        tokens = {"re.findall": [text, {"string": pattern}]}
    min_len = int(stage.param("minTokenLength", 1))
    if min_len > 0:
        length = {"//": [{"bytes.len": {"bytes.encodeUtf16le": "tk"}}, 2]}  # Java's length
        tokens = {"a.filter": [tokens, fcn({"tk": STRING}, "boolean",
                                           {">=": [length, min_len]})]}
    flow.set_column(stage.param("outputCol"), Column(tokens, STRINGS))


@converter("spark", FEATURE, "StopWordsRemover", "transformer",
           "caseSensitive, one or many columns")
def stop_words_remover(stage: SavedStage, flow: Flow) -> None:
    sensitive = bool(stage.param("caseSensitive", False))
    locale = str(stage.param("locale", "en"))
    if not sensitive and locale.split("_")[0].lower() in _SPECIAL_LOCALES:
        flow.refuse(f"locale {locale!r} lower-cases differently")
    words = [w for w in stage.param("stopWords") or []]
    if not sensitive:
        words = [w.lower() for w in words]
    for src, dst in in_out(stage, flow):
        terms = flow.non_null(flow.column(src, STRINGS), src)
        table = flow.builder.cell(f"{dst}_stop", {"type": "map", "values": "boolean"},
                                  {w: True for w in words})
        key = "sw" if sensitive else {"s.lower": "sw"}
        keep = fcn({"sw": STRING}, "boolean", {"!": {"map.containsKey": [table, key]}})
        flow.set_column(dst, Column({"a.filter": [terms, keep]}, STRINGS))


@converter("spark", FEATURE, "NGram", "transformer")
def ngram(stage: SavedStage, flow: Flow) -> None:
    src = stage.param("inputCol")
    terms = flow.non_null(flow.column(src, STRINGS), src)
    n = int(stage.param("n", 2))
    windows = {"a.slidingWindow": [terms, n, 1]}
    join = fcn({"gw": STRINGS}, STRING, {"s.join": ["gw", {"string": " "}]})
    flow.set_column(stage.param("outputCol"), Column({"a.map": [windows, join]}, STRINGS))


@converter("spark", FEATURE, "CountVectorizerModel", "transformer", "minTF, binary")
def count_vectorizer(stage: SavedStage, flow: Flow) -> None:
    vocab = list(stage.data_row()["vocabulary"])
    src = stage.param("inputCol")
    terms = flow.non_null(flow.column(src, STRINGS), src)
    min_tf = float(stage.param("minTF", 1.0))
    binary = bool(stage.param("binary", False))
    cell = flow.builder.cell(f"{stage.param('outputCol')}_vocabulary",
                             {"type": "array", "items": "string"}, vocab)
    count = {"cast.double": {"a.count": ["ct", "vw"]}}
    threshold: Any = min_tf if min_tf >= 1.0 else \
        {"*": [{"cast.double": {"a.len": "ct"}}, min_tf]}
    value = if_({">=": ["vc", threshold]}, 1.0 if binary else "vc", 0.0)
    per_word = fcn({"vw": STRING}, "double", let_in({"vc": count}, value))
    expr = let_in({"ct": terms}, {"a.map": [cell, per_word]})
    flow.set_column(stage.param("outputCol"), Column(expr, VECTOR, len(vocab)))


@converter("spark", FEATURE, "HashingTF", "transformer",
           "MurmurHash3 (x86, 32 bit, seed 42) of UTF-8 bytes as Spark ≥ 3.0; binary")
def hashing_tf(stage: SavedStage, flow: Flow) -> None:
    major = int((stage.spark_version or "3").split(".")[0])
    if major < 3:
        flow.refuse("models saved by Spark < 3.0 hash with the older MurmurHash variant")
    n = int(stage.param("numFeatures", 1 << 18))
    src = stage.param("inputCol")
    terms = flow.non_null(flow.column(src, STRINGS), src)
    hash_fn = murmur3_fcn(flow.builder)
    index = fcn({"ht": STRING}, "int", {"%": [{hash_fn: ["ht"]}, n]})
    indices = {"a.map": ["hx", index]}
    if n > 1 << 20:
        flow.refuse(f"numFeatures={n} makes a dense vector too large to write out")
    count = fcn({"hi": "int", "hz": "double"}, "double",
                let_in({"hc": {"cast.double": {"a.count": ["hs", "hi"]}}},
                       if_({">": ["hc", 0.0]}, 1.0, 0.0) if stage.param("binary", False)
                       else "hc"))
    expr = let_in({"hx": terms, "hs": indices},
                  {"a.mapWithIndex": [_zeros(flow, stage, n), count]})
    flow.set_column(stage.param("outputCol"), Column(expr, VECTOR, n))


def _zeros(flow: Flow, stage: SavedStage, n: int) -> Any:
    return doubles_cell(flow, f"{stage.param('outputCol')}_zeros", [0.0] * n)


@converter("spark", FEATURE, "IDFModel", "transformer")
def idf(stage: SavedStage, flow: Flow) -> None:
    weights = to_dense_vector(stage.data_row()["idf"])
    src = stage.param("inputCol")
    col = flow.column(src, VECTOR)
    if col.size is not None and col.size != len(weights):
        flow.refuse(f"column {src!r} has {col.size} elements, the model expects {len(weights)}")
    expr = zipmap(flow, "idf", flow.non_null(col, src), {"w": weights}, {"*": ["x", "w"]})
    flow.set_column(stage.param("outputCol"), Column(expr, VECTOR, len(weights)))
