"""Cases for the map library."""

from __future__ import annotations

from conformance.generate._helper import EVEN, LT, Err, Module, arr, fcndef, mp

IN, S, B = "int", "string", "boolean"
MI, AS, AI = mp("int"), arr("string"), arr("int")
MAPS = [({"a": 1, "b": 2},), ({},), ({"x": -5},), ({"é": 0, "": 3},), ({"k1": 7, "k2": 7, "k3": 1},)]


def _nonempty(code, f):
    def ref(m, *rest):
        if not m:
            raise Err(code)
        return f(m, *rest)
    return ref


def _top(m, n, rev, code):
    if not m:
        raise Err(code)
    if n < 0:
        raise Err(code + 1)
    keys = sorted(m, key=lambda k: (-m[k] if rev else m[k], k))
    return keys[:n]


def build() -> Module:
    g = Module("map")
    g.fn("map.len", [MI], IN, len, MAPS)
    g.fn("map.keys", [MI], AS, lambda m: list(m), MAPS, compare="unordered")
    g.fn("map.values", [MI], AI, lambda m: list(m.values()), MAPS, compare="unordered")
    krows = [({"a": 1}, "a"), ({"a": 1}, "b"), ({}, ""), ({"": 0}, ""), ({"é": 1}, "é")]
    g.fn("map.containsKey", [MI, S], B, lambda m, k: k in m, krows)
    g.fn("map.containsKey", [MI], B, lambda m: any(k.startswith("a") for k in m),
         [({"ab": 1},), ({"b": 1},)],
         args=[0, fcndef([("k", S)], B, {"s.startswith": ["k", {"string": "a"}]})])
    g.fn("map.containsValue", [MI, IN], B, lambda m, v: v in m.values(),
         [({"a": 1}, 1), ({"a": 1}, 2), ({}, 0), ({"a": 1, "b": 2}, 2), ({"x": -1}, -1)])
    g.fn("map.containsValue", [MI], B, lambda m: any(v % 2 == 0 for v in m.values()),
         [({"a": 1},), ({"a": 1, "b": 4},)], args=[0, EVEN])
    g.fn("map.add", [MI, S, IN], MI, lambda m, k, v: {**m, k: v},
         [({"a": 1}, "b", 2), ({"a": 1}, "a", 5), ({}, "", 0), ({"x": 1}, "é", -1), ({}, "k", 9)])
    g.fn("map.add", [AI, IN], AI, lambda a, x: list(dict.fromkeys(a + [x])),
         [([1, 2], 3), ([1, 2], 2), ([], 0), ([5], -5), ([0], 1)], compare="unordered",
         action={"map.fromset": [{"map.add": [
             {"map.toset": [{"attr": "input", "path": [{"string": "x0"}]}]},
             {"attr": "input", "path": [{"string": "x1"}]}]}]},
         note="set form (key chosen by the implementation): checked through map.fromset")
    g.fn("map.remove", [MI, S], MI, lambda m, k: {x: v for x, v in m.items() if x != k},
         [({"a": 1, "b": 2}, "a"), ({"a": 1}, "z"), ({}, "a"), ({"": 1}, ""), ({"é": 1}, "e")])
    orow = [({"a": 1, "b": 2, "c": 3}, ["a", "c"]), ({"a": 1}, []), ({}, ["a"]),
            ({"a": 1}, ["a", "a", "z"]), ({"x": 0}, ["x"])]
    g.fn("map.only", [MI, AS], MI, lambda m, ks: {k: v for k, v in m.items() if k in ks}, orow)
    g.fn("map.except", [MI, AS], MI, lambda m, ks: {k: v for k, v in m.items() if k not in ks},
         orow)
    prow = [({"a": 1, "b": 2}, {"b": 3, "c": 4}), ({}, {}), ({"a": 1}, {}), ({}, {"a": 1}),
            ({"a": 1}, {"a": 1})]
    g.fn("map.update", [MI, MI], MI, lambda a, b: {**a, **b}, prow)
    g.fn("map.split", [MI], arr(MI), lambda m: [{k: v} for k, v in m.items()], MAPS,
         compare="unordered")
    g.fn("map.join", [arr(MI)], MI, lambda a: {k: v for m in a for k, v in m.items()},
         [([{"a": 1}, {"b": 2}],), ([],), ([{}, {}],), ([{"a": 1}, {"a": 2}],), ([{"x": 0}],)])
    mrows = [({"a": 1, "b": 3, "c": 2},), ({},), ({"z": 5},), ({"a": 2, "b": 2},),
             ({"p": -1, "q": -3},)]
    g.fn("map.argmax", [MI], S, _nonempty(26120, lambda m: _top(m, 1, True, 26120)[0]), mrows,
         note="ties: first key in sorted order (as titus2)")
    g.fn("map.argmin", [MI], S, _nonempty(26130, lambda m: _top(m, 1, False, 26130)[0]), mrows)
    g.fn("map.argmaxLT", [MI], S, _nonempty(26140, lambda m: _top(m, 1, True, 26140)[0]), mrows,
         args=[0, LT])
    g.fn("map.argminLT", [MI], S, _nonempty(26150, lambda m: _top(m, 1, False, 26150)[0]), mrows,
         args=[0, LT])
    nrows = [({"a": 1, "b": 3, "c": 2}, 2), ({"a": 1}, 0), ({"a": 1, "b": 0}, 5), ({}, 1),
             ({"a": 1}, -1)]
    g.fn("map.argmaxN", [MI, IN], AS, lambda m, n: _top(m, n, True, 26160), nrows)
    g.fn("map.argminN", [MI, IN], AS, lambda m, n: _top(m, n, False, 26170), nrows)
    g.fn("map.argmaxNLT", [MI, IN], AS, lambda m, n: _top(m, n, True, 26180), nrows,
         args=[0, 1, LT])
    g.fn("map.argminNLT", [MI, IN], AS, lambda m, n: _top(m, n, False, 26190), nrows,
         args=[0, 1, LT])
    # sets: map.toset keys are implementation-chosen; compare through map.fromset
    srows = [([1, 2, 2, 3],), ([],), ([5],), ([-1, -1],), ([0, 7],)]
    g.fn("map.toset", [AI], AI, lambda a: list(dict.fromkeys(a)), srows, compare="unordered",
         action={"map.fromset": [{"map.toset": ["input"]}]},
         note="set keys are implementation-defined: checked through map.fromset")
    g.fn("map.fromset", [AI], AI, lambda a: list(dict.fromkeys(a)), srows, compare="unordered",
         action={"map.fromset": [{"map.toset": ["input"]}]})
    toset0 = {"map.toset": [{"attr": "input", "path": [{"string": "x0"}]}]}
    toset1 = {"map.toset": [{"attr": "input", "path": [{"string": "x1"}]}]}
    sp = [([1, 2], [2, 3]), ([], []), ([1], []), ([1, 2], [1, 2, 3]), ([4], [5])]
    g.fn("map.in", [AI, IN], B, lambda a, x: x in a, [([1, 2], 2), ([], 0), ([1], 3), ([0], 0),
                                                       ([-1, 5], 5)],
         args=[toset0, 1])
    for name, f in (("map.union", lambda a, b: a + [x for x in b if x not in a]),
                    ("map.intersection", lambda a, b: [x for x in a if x in b]),
                    ("map.diff", lambda a, b: [x for x in a if x not in b]),
                    ("map.symdiff", lambda a, b: [x for x in a if x not in b] + [x for x in b if x not in a])):
        g.fn(name, [AI, AI], AI, lambda a, b, f=f: list(dict.fromkeys(f(a, b))), sp,
             compare="unordered", action={"map.fromset": [{name: [toset0, toset1]}]})
    g.fn("map.subset", [AI, AI], B, lambda a, b: set(a) <= set(b), sp, args=[toset0, toset1])
    g.fn("map.disjoint", [AI, AI], B, lambda a, b: not set(a) & set(b), sp, args=[toset0, toset1])
    dbl = fcndef([("x", IN)], IN, {"*": ["x", 2]})
    g.fn("map.map", [MI], MI, lambda m: {k: 2 * v for k, v in m.items()}, MAPS, args=[0, dbl])
    g.fn("map.mapWithKey", [MI], mp(S), lambda m: {k: k + str(v) for k, v in m.items()}, MAPS,
         args=[0, fcndef([("k", S), ("v", IN)], S, {"s.concat": ["k", {"s.int": ["v"]}]})])
    g.fn("map.filter", [MI], MI, lambda m: {k: v for k, v in m.items() if v % 2 == 0}, MAPS,
         args=[0, EVEN])
    g.fn("map.filterWithKey", [MI], MI, lambda m: {k: v for k, v in m.items() if k < "b"}, MAPS,
         args=[0, fcndef([("k", S), ("v", IN)], B, {"<": ["k", {"string": "b"}]})])
    posnull = fcndef([("v", IN)], [IN, "null"],
                     {"if": {">": ["v", 0]}, "then": {"*": ["v", 10]}, "else": None})
    g.fn("map.filterMap", [MI], MI, lambda m: {k: 10 * v for k, v in m.items() if v > 0}, MAPS,
         args=[0, posnull])
    g.fn("map.filterMapWithKey", [MI], MI,
         lambda m: {k: v for k, v in m.items() if k != "a"}, MAPS,
         args=[0, fcndef([("k", S), ("v", IN)], [IN, "null"],
                         {"if": {"!=": ["k", {"string": "a"}]}, "then": "v", "else": None})])
    fm = fcndef([("v", IN)], MI, {"new": {"v": "v"}, "type": MI})
    g.fn("map.flatMap", [MI], MI, lambda m: {"v": list(m.values())[-1]} if m else {},
         [({"a": 1},), ({},), ({"x": -5},), ({"p": 3},), ({"q": 0},)], args=[0, fm],
         note="single-entry maps avoid the unspecified order of colliding keys")
    g.fn("map.flatMapWithKey", [MI], MI,
         lambda m: {k2: v for k, v in m.items() for k2 in (k, k + k)},
         MAPS[:4] + [({"p": 1, "q": 2},)],
         args=[0, fcndef([("k", S), ("v", IN)], MI,
                         {"map.add": [{"map.add": [{"new": {}, "type": MI}, "k", "v"]},
                                      {"s.concat": ["k", "k"]}, "v"]})])
    zrows = [({"a": 1, "b": 2}, {"a": 10, "b": 20}), ({}, {}), ({"a": 1}, {"b": 1}),
             ({"a": 1}, {"a": 1, "b": 2}), ({"x": -1}, {"x": 1})]

    def z2(f, code):
        def ref(a, b):
            if set(a) != set(b):
                raise Err(code)
            return {k: f(k, a[k], b[k]) for k in a}
        return ref

    add2 = fcndef([("x", IN), ("y", IN)], IN, {"+": ["x", "y"]})
    g.fn("map.zipmap", [MI, MI], MI, z2(lambda k, x, y: x + y, 26370), zrows, args=[0, 1, add2])
    g.fn("map.zipmapWithKey", [MI, MI], mp(S), z2(lambda k, x, y: k + str(x + y), 26380), zrows,
         args=[0, 1, fcndef([("k", S), ("x", IN), ("y", IN)], S,
                            {"s.concat": ["k", {"s.int": [{"+": ["x", "y"]}]}]})])
    g.fn("map.corresponds", [MI, MI], B,
         lambda a, b: set(a) == set(b) and all(a[k] < b[k] for k in a), zrows,
         args=[0, 1, fcndef([("x", IN), ("y", IN)], B, {"<": ["x", "y"]})])
    g.fn("map.correspondsWithKey", [MI, MI], B,
         lambda a, b: set(a) == set(b) and all(k != "b" and a[k] < b[k] for k in a), zrows,
         args=[0, 1, fcndef([("k", S), ("x", IN), ("y", IN)], B,
                            {"&&": [{"!=": ["k", {"string": "b"}]}, {"<": ["x", "y"]}]})])
    return g
