"""Hypothesis strategies for PrettyPFA programs (text), covering every construct of the language.

The programs need not type-check: the differential test compares translations, which titus
makes without checking. Binary operators are written with spaces around them (titus reads
``x-1`` as ``x`` followed by the number ``-1``); everything else, including operators nested
without parentheses, prefix operators and open forms (``if``, ``var``, ...) as operands, is
generated freely.
"""

from __future__ import annotations

from hypothesis import strategies as st

LOCALS = ("x", "y", "z", "input", "tally", "max")  # "max" is also a library function
CELLS = ("c1", "c2")
POOLS = ("p1",)
FUNCTIONS = ("m.sqrt", "a.len", "s.concat", "u.f", "u.g")
BINARY = ("+", "-", "*", "/", "%", "%%", "idiv", "**", "==", "!=", "<", "<=", ">", ">=",
          "&&", "||", "^^", "&", "|", "^")
TYPE_NAMES = ("int", "long", "float", "double", "string", "bytes", "boolean", "null", "R", "E",
              "Alias")

_word = st.sampled_from(("a", "b", "key", "v1", "_x", "Z9"))


def _string_literal() -> st.SearchStrategy[str]:
    plain = st.text(st.characters(codec="utf-8", exclude_characters="\"\\\n\r'",
                                  exclude_categories=("Cs", "Cc")), max_size=6)
    escape = st.sampled_from(("\\n", "\\t", "\\\\", "\\\"", "\\x41", "\\u00e9", "\\'", "\\0"))
    body = st.lists(st.one_of(plain, escape), max_size=3).map("".join)
    raw = st.text(st.characters(codec="utf-8", exclude_characters="'\n\r",
                                exclude_categories=("Cs", "Cc")), max_size=6)
    return st.one_of(body.map(lambda b: f'"{b}"'), raw.map(lambda b: f"'{b}'"))


_numbers = st.one_of(
    st.integers(-10**12, 10**12).map(str),
    st.integers(0, 10**6).map(lambda n: f"{n}.{n % 97}"),
    st.sampled_from(("0.5", "1e3", "2.5E-2", "-0.0", "7.", "-3e2")),
)

types = st.deferred(lambda: st.one_of(
    st.sampled_from(TYPE_NAMES),
    types.map(lambda t: f"array({t})"),
    types.map(lambda t: f"map({t})"),
    st.lists(st.sampled_from(("null", "int", "double", "string", "R", "E", "array(int)")),
             min_size=2, max_size=3, unique=True).map(lambda ts: f"union({', '.join(ts)})"),
    st.lists(st.tuples(_word, types), min_size=0, max_size=2, unique_by=lambda p: p[0]).map(
        lambda fs: f"record({', '.join(f'{n}: {t}' for n, t in fs)})"),
    st.just("enum([P, Q, R])"),
    st.just("fixed(4)"),
))

json_values = st.deferred(lambda: st.one_of(
    _numbers, _string_literal(), st.sampled_from(("null", "true", "false", "word")),
    st.lists(json_values, max_size=3).map(lambda xs: f"[{', '.join(xs)}]"),
    st.lists(st.tuples(_word, json_values), max_size=3, unique_by=lambda p: p[0]).map(
        lambda ps: "{" + ", ".join(f"{k}: {v}" for k, v in ps) + "}"),
))


def _sep_list(xs: list[str], sep: str = "; ") -> str:
    return sep.join(xs)


def _params(min_size: int = 0) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(_word, types), min_size=min_size, max_size=2,
                    unique_by=lambda p: p[0]).map(
        lambda ps: ", ".join(f"{n}: {t}" for n, t in ps))


def _build(expr: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    body = st.one_of(expr, st.lists(expr, min_size=1, max_size=3).map(
        lambda es: "{ " + _sep_list(es) + " }"))
    name = st.sampled_from(LOCALS)
    assign = st.tuples(st.sampled_from(("x", "y", "z", "w")), expr).map(lambda p: f"{p[0]} = {p[1]}")
    assigns = st.lists(assign, min_size=1, max_size=2, unique_by=lambda a: a.split(" ")[0]).map(
        ", ".join)
    path_args = st.lists(st.one_of(expr, _string_literal()), min_size=1, max_size=2).map(
        ", ".join)
    fcndef = st.tuples(_params(), types, body).map(lambda p: f"fcn({p[0]} -> {p[1]}) {p[2]}"
                                                   if p[0] else f"fcn(-> {p[1]}) {p[2]}")
    fcn_value = st.one_of(st.sampled_from(FUNCTIONS), fcndef)
    argument = st.one_of(expr, fcndef, st.sampled_from(FUNCTIONS))
    call = st.tuples(st.sampled_from(("m.sqrt", "a.len", "s.concat", "u.f", "max", "+",
                                      "a.map", "map.get")),
                     st.lists(argument, max_size=3)).map(
        lambda p: f"{p[0]}({', '.join(p[1])})" if p[0] != "+" else f"u.g({', '.join(p[1])})")
    fill = st.tuples(st.sampled_from(("m.round", "a.map")),
                     st.lists(st.tuples(_word, argument), min_size=1, max_size=2,
                              unique_by=lambda p: p[0])).map(
        lambda p: f"{p[0]}({', '.join(f'{k}: {v}' for k, v in p[1])})")
    special = st.one_of(
        st.tuples(types, json_values).map(lambda p: f"json({p[0]}, {p[1]})"),
        _numbers.map(lambda n: f"int({n.split('.')[0].split('e')[0].split('E')[0]})"),
        _numbers.map(lambda n: f"double({n})"),
        _string_literal().map(lambda s: f"string({s})"),
        st.just('bytes("aGVsbG8=")'),
        st.tuples(st.lists(st.tuples(_word, expr), min_size=1, max_size=2,
                           unique_by=lambda p: p[0])).map(
            lambda p: f"new(R, {', '.join(f'{k}: {v}' for k, v in p[0])})"),
        st.lists(expr, min_size=1, max_size=3).map(lambda es: f"new(array(int), {', '.join(es)})"),
        st.tuples(types, expr).map(lambda p: f"upcast({p[0]}, {p[1]})"),
        st.tuples(expr, _word, expr).map(lambda p: f"update({p[0]}, {p[1]}: {p[2]})"),
        st.lists(st.tuples(st.sampled_from(('"int"', '"little double"', "pad", '"raw 2"')), expr),
                 min_size=1, max_size=2, unique_by=lambda p: p[0]).map(
            lambda ps: f"pack({', '.join(f'{k}: {v}' for k, v in ps)})"),
        _string_literal().map(lambda s: f"doc({s})"),
        st.tuples(_string_literal(), st.none() | st.integers(-9, -1)).map(
            lambda p: f"error({p[0]}{'' if p[1] is None else f', code: {p[1]}'})"),
        st.tuples(st.lists(expr, max_size=2), st.none() | _word).map(
            lambda p: f"log({', '.join(p[0] + ([f'namespace: {p[1]}'] if p[1] else []))})"),
        st.tuples(st.sampled_from(("x", "y")), st.lists(argument, max_size=2)).map(
            lambda p: f"apply({', '.join([p[0], *p[1]])})"),
    )
    atoms = st.one_of(
        _numbers, _string_literal(), name, st.sampled_from(("null", "true", "false")),
        st.sampled_from(CELLS + POOLS),
        st.tuples(st.sampled_from(LOCALS + CELLS + POOLS), st.lists(_word, min_size=1,
                                                                    max_size=2)).map(
            lambda p: ".".join([p[0], *p[1]])),
        st.tuples(st.sampled_from(LOCALS + CELLS + POOLS), path_args).map(
            lambda p: f"{p[0]}[{p[1]}]"),
        st.sampled_from(("E@P", "E@Q")),
        call, fill, special,
        expr.map(lambda e: f"({e})"),
        st.lists(expr, min_size=1, max_size=3).map(lambda es: "{" + _sep_list(es) + "}"),
        st.tuples(body, expr).map(lambda p: f"do {p[0]} until ({p[1]})"),
        st.tuples(expr, st.sampled_from(("", ", partial: true", ", partial: false")),
                  st.lists(st.tuples(types, body), min_size=1, max_size=3)).map(
            lambda p: f"cast ({p[0]}{p[1]}) {{ " +
                      " ".join(f"as(v: {t}) {b}" for t, b in p[2]) + " }"),
    )
    operand = st.one_of(atoms, st.tuples(atoms, path_args).map(lambda p: f"({p[0]})[{p[1]}]"))
    binary = st.tuples(expr, st.sampled_from(BINARY), expr).map(lambda p: f"{p[0]} {p[1]} {p[2]}")
    unary = st.tuples(st.sampled_from(("-", "- ", "!", "~")), expr).map(lambda p: p[0] + p[1])
    else_part = st.none() | body
    opens = st.one_of(
        st.tuples(expr, body, st.lists(st.tuples(expr, body), max_size=2), else_part).map(
            lambda p: f"if ({p[0]}) {p[1]}" + "".join(f" else if ({c}) {b}" for c, b in p[2]) +
            ("" if p[3] is None else f" else {p[3]}")),
        st.tuples(expr, body).map(lambda p: f"while ({p[0]}) {p[1]}"),
        st.tuples(assigns, expr, assigns, body).map(
            lambda p: f"for ({p[0]}; {p[1]}; {p[2]}) {p[3]}"),
        st.tuples(_word, expr, st.sampled_from(("", ", seq: true", ", seq: false")), body).map(
            lambda p: f"foreach ({p[0]}: {p[1]}{p[2]}) {p[3]}"),
        st.tuples(st.one_of(_word, st.just('"k"')), _word, expr, body).map(
            lambda p: f"foreach ({p[0]}, {p[1]}: {p[2]}) {p[3]}"),
        st.tuples(st.lists(st.tuples(_word, expr), min_size=1, max_size=2,
                           unique_by=lambda p: p[0]), body, else_part).map(
            lambda p: f"ifnotnull ({', '.join(f'{k}: {v}' for k, v in p[0])}) {p[1]}" +
                      ("" if p[2] is None else f" else {p[2]}")),
        st.tuples(expr, st.lists(st.tuples(_word, st.sampled_from(
            ('"int"', "double", '"little unsigned short"', '"raw 3"'))), min_size=1, max_size=2,
            unique_by=lambda p: p[0]), body, else_part).map(
            lambda p: f"unpack ({p[0]}, {', '.join(f'{k}: {v}' for k, v in p[1])}) {p[2]}" +
                      ("" if p[3] is None else f" else {p[3]}")),
        st.tuples(st.none() | st.lists(st.one_of(_word, _string_literal(),
                                                 st.integers(-5, 5).map(str)), max_size=3),
                  body).map(lambda p: f"try {p[1]}" if p[0] is None
                            else f"try ({', '.join(p[0])}) {p[1]}"),
        assigns.map(lambda a: f"var {a}"),
        assigns,
        st.tuples(st.sampled_from(CELLS + ("x",)), fcn_value).map(lambda p: f"{p[0]} to {p[1]}"),
        st.tuples(st.sampled_from(CELLS + ("x",)), path_args, fcn_value).map(
            lambda p: f"{p[0]}[{p[1]}] to {p[2]}"),
        st.tuples(path_args, fcn_value, expr).map(lambda p: f"p1[{p[0]}] to {p[1]} init {p[2]}"),
        st.tuples(st.sampled_from(LOCALS + CELLS + POOLS), path_args, expr).map(
            lambda p: f"{p[0]}[{p[1]}] = {p[2]}"),
        st.tuples(st.sampled_from(("x.a", "c1.a.b", "p1.k", "c2")), expr).map(
            lambda p: f"{p[0]} = {p[1]}"),
        st.tuples(atoms, path_args, expr).map(lambda p: f"({p[0]})[{p[1]}] = {p[2]}"),
    )
    return st.one_of(operand, binary, unary, opens)


def _levels(depth: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(_numbers, st.sampled_from(LOCALS + CELLS + ("null", "true")))
    level = leaves
    for _ in range(depth):
        lower = level
        # deferred: keeps the strategy's repr short (hypothesis prints it on failures)
        level = st.deferred(lambda lower=lower: st.one_of(leaves, _build(lower)))
    return level


expressions = _levels(3)
"""Expressions nested up to three constructs deep."""


# No .filter(lambda ...) in this module: on a retried draw hypothesis describes the lambda by
# reading its source, which fails (tokenize.TokenError) for a lambda on a continuation line.


@st.composite
def programs(draw: st.DrawFn) -> str:
    """A whole PrettyPFA document using every kind of section."""
    lines = []
    if draw(st.booleans()):
        lines.append(f"name: {draw(st.sampled_from(('Doc', 'my_engine')))}")
    method = draw(st.sampled_from(("map", "emit", "fold", None)))
    if method:
        lines.append(f"method: {method}")
    alias = draw(types)  # an alias may not name itself (no filter: see above)
    alias = "int" if "Alias" in alias else alias
    lines.append("types:\n  R = record(R, a: int, b: string);\n  E = enum([P, Q, R], E);\n"
                 f"  Alias = {alias}")
    lines.append(f"input: {draw(types)}")
    lines.append(f"output: {draw(types)}")
    if draw(st.booleans()):
        lines.append("cells:\n  c1(" + draw(types) + ") = " + draw(json_values) +
                     ";\n  c2(type: int, shared: true, rollback: false) = 0")
    else:
        lines.append("cells:\n  c1(int) = 0;\n  c2(R, rollback: true) = {a: 1, b: \"\"}")
    lines.append("pools:\n  p1(" + draw(types) + ", shared: " +
                 draw(st.sampled_from(("true", "false"))) + ") = {k: 1}")
    lines.append("fcns:\n  f = fcn(" + draw(_params()) + " -> " + draw(types) + ") " +
                 draw(expressions) + ";\n  g = fcn(a: int, b: int -> int) {" +
                 draw(expressions) + "}")
    for section in ("begin", "action", "end"):
        if section == "action" or draw(st.booleans()):
            body = draw(st.lists(expressions, min_size=1, max_size=3))
            lines.append(f"{section}:\n  " + ";\n  ".join(body))
    if method == "fold":
        lines.append(f"zero: {draw(json_values)}")
        lines.append(f"merge: {draw(expressions)}")
    if draw(st.booleans()):
        lines.append(f"metadata: {{a: {draw(_string_literal())}}}\noptions: {{timeout: 5}}\n"
                     f"randseed: {draw(st.integers(-100, 100))}\nversion: 2\n"
                     f"doc: {draw(_string_literal())}")
    return "\n".join(lines) + "\n"
