"""The other design of issue 17, measured: the native tier's register program compiled to
machine code through llvmlite's IR builder, against the C interpreter that runs it today.

Both run the *same* program (:mod:`pfa.engine.native.lower` output for the bench model,
captured when the engine lowers it), so the comparison isolates the execution strategy:

* interpreter (``_vm.c``): one pass over a 256-row block per instruction, registers in
  memory, the document's numbers in tables;
* JIT (this file): one fused loop over rows; every register an SSA value of the row
  (``alloca`` + LLVM's mem2reg), constants and coefficients folded in as immediates, every
  tree node a basic block (the lleaves way), ``SKIP`` regions a branch per row.

The generated code keeps the interpreter's operations and their order (no fast-math flags,
separate ``fmul``/``fadd``, libm's ``exp``/``log``), and the script checks that outputs and
fallback flags are bit-identical before it reports a number.

    .venv/bin/python benches/llvm_prototype.py                 # M1 and M3, 100,000 rows
    .venv/bin/python benches/llvm_prototype.py --models M1p,M5 --rows 200000

Needs llvmlite (the ``bench`` extra). Prints one table; nothing is asserted on timings.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

#: opcodes the code generator knows (names as in pfa.engine.native.program.OPS)
SUPPORTED = {"LOAD", "STORE", "MOV", "ADD", "SUB", "MUL", "DIV", "NEG", "ABS", "MIN", "MAX",
             "CMP", "AND", "OR", "XOR", "NOT", "ISNAN", "ISINF", "ISNUM", "SELECT", "F32",
             "EXP", "LOG", "SQRT", "FLAG", "FLAGNF", "GATHER", "LINEAR", "SUM", "SQDIST",
             "SKIP", "TREE"}


@dataclass
class Captured:
    """A lowered program (the arguments of ``_vm.Program``) and one batch's input arrays."""

    code: np.ndarray
    itab: np.ndarray
    dtab: np.ndarray
    kinit: np.ndarray
    nregs: int
    nin: int
    nout: int
    inputs: tuple[np.ndarray, ...] = ()
    program: Any = None  # the interpreter's Program


def capture(key: str, n_rows: int) -> tuple[Captured, Any]:
    """Build bench model ``key``, lower it through the engine, capture program and inputs."""
    import models

    import pfa.engine.native as native

    real = native._vm
    if real is None:
        raise SystemExit("the C extension pfa.engine.native._vm is not built")
    box: dict[str, Captured] = {}

    class Recorder:
        def __init__(self, *args: Any):
            code, itab, dtab, kinit, nregs, nin, nout = args
            self.inner = real.Program(*args)
            box["p"] = Captured(code, itab, dtab, kinit, nregs, nin, nout, program=self.inner)

        def run(self, inputs: tuple, outs: tuple, flags: Any, n: int, threads: int) -> Any:
            box["p"].inputs = tuple(np.asarray(a) for a in inputs)
            return self.inner.run(inputs, outs, flags, n, threads)

        def run1(self, values: list) -> Any:
            return self.inner.run1(values)

    class Shim:
        Program = Recorder

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    native._vm = Shim()
    try:
        bm = models.build(key, n_rows)
        bm.engine().action_batch(bm.frame)
    finally:
        native._vm = real
    if "p" not in box:
        raise SystemExit(f"{key}: the engine did not run this model natively")
    return box["p"], bm


# -- code generation ---------------------------------------------------------------------


def generate(p: Captured) -> Any:
    """The LLVM module of ``p``: ``void kernel(i8** in, i64* stride, double** out, i8* flags,
    i64 lo, i64 hi)``."""
    from llvmlite import ir

    from pfa.engine.native.program import OPS

    f64, i64, i32, i8, i1 = ir.DoubleType(), ir.IntType(64), ir.IntType(32), ir.IntType(8), \
        ir.IntType(1)
    mod = ir.Module(name="pfa_native_jit")
    fn = ir.Function(mod, ir.FunctionType(ir.VoidType(), [
        i8.as_pointer().as_pointer(), i64.as_pointer(), f64.as_pointer().as_pointer(),
        i8.as_pointer(), i64, i64]), name="kernel")
    a_in, a_stride, a_out, a_flags, a_lo, a_hi = fn.args
    libm = {name: ir.Function(mod, ir.FunctionType(f64, [f64]), name=name)
            for name in ("exp", "log")}
    fabs = mod.declare_intrinsic("llvm.fabs", [f64])
    sqrt = mod.declare_intrinsic("llvm.sqrt", [f64])
    dtab = [float(x) for x in p.dtab]
    itab = [int(x) for x in p.itab]
    code = [[int(x) for x in p.code[k:k + 6]] for k in range(0, len(p.code), 6)]
    names = [OPS[ins[0] - 1] for ins in code]
    unknown = sorted(set(names) - SUPPORTED)
    if unknown:
        raise SystemExit(f"the code generator does not know {unknown}")

    entry = fn.append_basic_block("entry")
    b = ir.IRBuilder(entry)
    regs = [b.alloca(f64, name=f"r{k}") for k in range(p.nregs)]
    row_x = b.alloca(ir.ArrayType(f64, max(p.nregs, 1)), name="tree_x")
    row_leaf = b.alloca(ir.ArrayType(f64, max(p.nregs, 1)), name="tree_leaf")
    for k in range(0, len(p.kinit), 2):
        b.store(ir.Constant(f64, dtab[int(p.kinit[k + 1])]), regs[int(p.kinit[k])])
    constant_regs = {int(x) for x in p.kinit[0::2]}
    for r in range(p.nregs):  # the others start at 0.0, as the interpreter's fresh memory
        if r not in constant_regs:
            b.store(ir.Constant(f64, 0.0), regs[r])
    in_ptrs = [b.load(b.gep(a_in, [ir.Constant(i64, k)])) for k in range(p.nin)]
    strides = [b.load(b.gep(a_stride, [ir.Constant(i64, k)])) for k in range(p.nin)]
    out_ptrs = [b.load(b.gep(a_out, [ir.Constant(i64, k)])) for k in range(p.nout)]
    gdtab = ir.GlobalVariable(mod, ir.ArrayType(f64, len(dtab)), name="dtab")
    gdtab.initializer = ir.Constant(ir.ArrayType(f64, len(dtab)), dtab)
    gdtab.global_constant = True

    loop = fn.append_basic_block("row")
    done = fn.append_basic_block("done")
    b.branch(loop)
    b.position_at_end(loop)
    i = b.phi(i64, name="i")
    i.add_incoming(a_lo, entry)

    one, zero = ir.Constant(f64, 1.0), ir.Constant(f64, 0.0)
    inf = ir.Constant(f64, float("inf"))

    def get(r: int) -> Any:
        return b.load(regs[r])

    def put(r: int, v: Any) -> None:
        b.store(v, regs[r])

    def _ne0(v: Any) -> Any:  # C's v != 0.0 (true for NaN)
        return b.fcmp_unordered("!=", v, zero)

    def as_f(c: Any) -> Any:
        return b.select(c, one, zero)

    def avro_cmp(x: Any, y: Any) -> Any:
        lt, gt, eq = b.fcmp_ordered("<", x, y), b.fcmp_ordered(">", x, y), \
            b.fcmp_ordered("==", x, y)
        xnan, ynan = b.fcmp_unordered("uno", x, x), b.fcmp_unordered("uno", y, y)
        m1, p1, z = ir.Constant(i32, -1), ir.Constant(i32, 1), ir.Constant(i32, 0)
        nan_case = b.select(xnan, b.select(ynan, z, p1), m1)
        return b.select(lt, m1, b.select(gt, p1, b.select(eq, z, nan_case)))

    def cmp_test(kind: int, x: Any, y: Any) -> Any:
        if kind >= 8:
            op = ["<", "<=", ">", ">=", "==", "!="][kind - 8]
            return b.fcmp_unordered(op, x, y) if op == "!=" else b.fcmp_ordered(op, x, y)
        c = avro_cmp(x, y)
        return b.icmp_signed(["<", "<=", ">", ">=", "==", "!="][kind], c, ir.Constant(i32, 0))

    def flag_row() -> None:
        b.store(ir.Constant(i8, 1), b.gep(a_flags, [i]))

    def flag_if(cond: Any) -> None:
        with b.if_then(cond):
            flag_row()

    def node_test(tb: Any, kind: int, x: Any, at: int, length: int) -> Any:
        if kind <= 5:
            op = ["<", "<=", ">", ">=", "==", "!="][kind]
            v = ir.Constant(f64, dtab[at])
            return tb.fcmp_unordered(op, x, v) if op == "!=" else tb.fcmp_ordered(op, x, v)
        if kind == 6:
            return ir.Constant(i1, 1)
        if kind == 7:
            return ir.Constant(i1, 0)
        hit = ir.Constant(i1, 0)
        for k in range(length):
            hit = tb.or_(hit, tb.fcmp_ordered("==", x, ir.Constant(f64, dtab[at + k])))
        return hit if kind == 8 else tb.not_(hit)

    def tree_function(ins: list[int], features: list[int]) -> Any:
        """One tree as its own function (as lleaves does: LLVM's cost is superlinear in a
        function's size): ``void tree(double* x, double* leaf)``, a block per node,
        thresholds and leaf values as immediates; ``x[k]`` is register ``features[k]``."""
        _, _d, a, width, c, _depth = ins
        count = itab[a]
        nodes = [itab[a + 1 + 7 * k: a + 8 + 7 * k] for k in range(count)]
        slot = {r: k for k, r in enumerate(features)}
        tf = ir.Function(mod, ir.FunctionType(ir.VoidType(), [f64.as_pointer(),
                                                              f64.as_pointer()]),
                         name=f"tree{len(mod.functions)}")
        tf.attributes.add("noinline")
        tf.linkage = "internal"
        xs, leaf_out = tf.args
        tb = ir.IRBuilder(tf.append_basic_block("start"))
        blocks = [tf.append_basic_block(f"node{k}") for k in range(count)]
        tb.branch(blocks[0])
        for k, nd in enumerate(nodes):
            tb.position_at_end(blocks[k])
            x = tb.load(tb.gep(xs, [ir.Constant(i64, slot[nd[0]])]))
            t = node_test(tb, nd[1], x, nd[4], nd[5])
            targets = []
            for child in (nd[2], nd[3]):
                if child >= 0:
                    targets.append(blocks[child])
                    continue
                leaf_block = tf.append_basic_block(f"leaf{k}")
                lb = ir.IRBuilder(leaf_block)
                for j in range(width):
                    lb.store(ir.Constant(f64, dtab[c + (-1 - child) * width + j]),
                             lb.gep(leaf_out, [ir.Constant(i64, j)]))
                lb.ret_void()
                targets.append(leaf_block)
            tb.cbranch(t, targets[0], targets[1])
        return tf

    def tree(ins: list[int]) -> None:
        _, d, a, width, _c, _depth = ins
        features = sorted({itab[a + 1 + 7 * k] for k in range(itab[a])})
        tf = tree_function(ins, features)
        for k, r in enumerate(features):
            b.store(get(r), b.gep(row_x, [ir.Constant(i64, 0), ir.Constant(i64, k)]))
        b.call(tf, [b.gep(row_x, [ir.Constant(i64, 0), ir.Constant(i64, 0)]),
                    b.gep(row_leaf, [ir.Constant(i64, 0), ir.Constant(i64, 0)])])
        for j in range(width):
            put(d + j, b.load(b.gep(row_leaf, [ir.Constant(i64, 0), ir.Constant(i64, j)])))

    ends: list[tuple[int, Any]] = []  # open SKIP regions: (last pc, block after it)
    for pc, ins in enumerate(code):
        op, d, a, bb, c, e = ins
        name = names[pc]
        if name == "LOAD":
            addr = b.gep(in_ptrs[a], [b.mul(i, strides[a])])
            put(d, b.load(b.bitcast(addr, f64.as_pointer())))
        elif name == "STORE":
            b.store(get(a), b.gep(out_ptrs[d], [i]))
        elif name == "MOV":
            put(d, get(a))
        elif name in ("ADD", "SUB", "MUL", "DIV"):
            fop = {"ADD": b.fadd, "SUB": b.fsub, "MUL": b.fmul, "DIV": b.fdiv}[name]
            put(d, fop(get(a), get(bb)))
        elif name == "NEG":
            put(d, b.fneg(get(a)))
        elif name == "ABS":
            put(d, b.call(fabs, [get(a)]))
        elif name in ("MIN", "MAX"):
            x, y = get(a), get(bb)
            c0 = avro_cmp(x, y)
            test = b.icmp_signed("<" if name == "MIN" else ">=", c0, ir.Constant(i32, 0))
            put(d, b.select(test, x, y))
        elif name == "CMP":
            put(d, as_f(cmp_test(c, get(a), get(bb))))
        elif name in ("AND", "OR", "XOR"):
            x, y = _ne0(get(a)), _ne0(get(bb))
            put(d, as_f({"AND": b.and_, "OR": b.or_, "XOR": b.xor}[name](x, y)))
        elif name == "NOT":
            put(d, as_f(b.not_(_ne0(get(a)))))
        elif name == "ISNAN":
            x = get(a)
            put(d, as_f(b.fcmp_unordered("uno", x, x)))
        elif name == "ISINF":
            put(d, as_f(b.fcmp_ordered("==", b.call(fabs, [get(a)]), inf)))
        elif name == "ISNUM":
            put(d, as_f(b.fcmp_ordered("!=", b.call(fabs, [get(a)]), inf)))
        elif name == "SELECT":
            put(d, b.select(_ne0(get(a)), get(bb), get(c)))
        elif name == "F32":
            put(d, b.fpext(b.fptrunc(get(a), ir.FloatType()), f64))
        elif name in ("EXP", "LOG"):
            put(d, b.call(libm[name.lower()], [get(a)]))
        elif name == "SQRT":
            put(d, b.call(sqrt, [get(a)]))
        elif name == "FLAG":
            if a < 0:
                flag_row()
            else:
                flag_if(_ne0(get(a)))
        elif name == "FLAGNF":
            x = get(a)
            bad = b.not_(b.fcmp_ordered("!=", b.call(fabs, [x]), inf))
            if bb >= 0:
                bad = b.and_(bad, _ne0(get(bb)))
            flag_if(bad)
        elif name == "GATHER":
            k = get(a)
            inside = b.and_(b.fcmp_ordered(">=", k, zero),
                            b.fcmp_ordered("<", k, ir.Constant(f64, float(c))))
            with b.if_else(inside) as (then, other):
                with then:
                    idx = b.add(ir.Constant(i64, bb), b.fptosi(k, i64))
                    put(d, b.load(b.gep(gdtab, [ir.Constant(i64, 0), idx])))
                with other:
                    if e >= 0:
                        put(d, ir.Constant(f64, dtab[e]))
                    else:
                        put(d, zero)
                        flag_row()
        elif name in ("LINEAR", "SUM", "SQDIST"):
            acc: Any = zero
            for t in range(bb):
                x = get(itab[a + t])
                if name == "LINEAR":
                    acc = b.fadd(acc, b.fmul(ir.Constant(f64, dtab[c + t]), x))
                elif name == "SUM":
                    acc = b.fadd(acc, x)
                else:
                    q = b.fsub(x, ir.Constant(f64, dtab[c + t]))
                    acc = b.fadd(acc, b.fmul(q, q))
            if name == "LINEAR" and e >= 0:
                acc = b.fadd(acc, ir.Constant(f64, dtab[e]))
            put(d, acc)
        elif name == "SKIP":
            after = fn.append_basic_block(f"after{pc}")
            body = fn.append_basic_block(f"guarded{pc}")
            b.cbranch(_ne0(get(a)), body, after)
            b.position_at_end(body)
            ends.append((pc + bb, after))
        elif name == "TREE":
            tree(ins)
        while ends and ends[-1][0] == pc:
            _, after = ends.pop()
            b.branch(after)
            b.position_at_end(after)
    nxt = b.add(i, ir.Constant(i64, 1))
    i.add_incoming(nxt, b.block)
    b.cbranch(b.icmp_signed("<", nxt, a_hi), loop, done)
    b.position_at_end(done)
    b.ret_void()
    # the loop header needs lo < hi: callers never pass an empty range
    return mod


class Jit:
    """The compiled kernel of a program (owning its execution engine)."""

    def __init__(self, p: Captured):
        import llvmlite.binding as llvm

        t0 = time.perf_counter()
        module = generate(p)
        t1 = time.perf_counter()
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_default_triple()
        tm = target.create_target_machine(cpu=llvm.get_host_cpu_name(),
                                          features=llvm.get_host_cpu_features().flatten(),
                                          opt=3)
        parsed = llvm.parse_assembly(str(module))
        parsed.verify()
        pto = llvm.create_pipeline_tuning_options(speed_level=3)
        pb = llvm.create_pass_builder(tm, pto)
        pb.getModulePassManager().run(parsed, pb)
        self.engine = llvm.create_mcjit_compiler(parsed, tm)
        self.engine.finalize_object()
        addr = self.engine.get_function_address("kernel")
        t2 = time.perf_counter()
        self.codegen_s, self.compile_s = t1 - t0, t2 - t1
        self.kernel: Callable[..., None] = ctypes.CFUNCTYPE(
            None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
            ctypes.c_int64, ctypes.c_int64)(addr)

    def run(self, inputs: tuple[np.ndarray, ...], outs: np.ndarray, flags: np.ndarray) -> None:
        n = len(flags)
        ptrs = (ctypes.c_void_p * max(len(inputs), 1))(*[a.ctypes.data for a in inputs])
        strides = (ctypes.c_int64 * max(len(inputs), 1))(*[a.strides[0] for a in inputs])
        optrs = (ctypes.c_void_p * max(len(outs), 1))(*[o.ctypes.data for o in outs])
        if n:
            self.kernel(ctypes.addressof(ptrs), ctypes.addressof(strides),
                        ctypes.addressof(optrs), flags.ctypes.data, 0, n)


def best_of(f: Callable[[], Any], k: int) -> float:
    times = []
    for _ in range(k):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def measure(key: str, n_rows: int, repeat: int) -> dict[str, Any]:
    p, bm = capture(key, n_rows)
    n = len(p.inputs[0]) if p.inputs else n_rows
    jit = Jit(p)
    want = np.zeros((p.nout, n))
    want_flags = np.zeros(n, dtype=np.uint8)
    got = np.zeros((p.nout, n))
    got_flags = np.zeros(n, dtype=np.uint8)

    def interp() -> None:
        p.program.run(p.inputs, tuple(want), want_flags, n, 1)

    def jitted() -> None:
        jit.run(p.inputs, got, got_flags)

    interp()
    jitted()
    same = (np.array_equal(want.view(np.int64), got.view(np.int64))
            and np.array_equal(want_flags, got_flags))
    if not same:
        bad = np.flatnonzero((want.view(np.int64) != got.view(np.int64)).any(axis=0)
                             | (want_flags != got_flags))
        raise SystemExit(f"{key}: the JIT differs from the interpreter on {len(bad)} rows "
                         f"(first {bad[:5].tolist()})")
    est = bm.estimator
    predict = getattr(est, "predict_proba", est.predict)
    t_interp, t_jit = best_of(interp, repeat), best_of(jitted, repeat)
    t_sk = best_of(lambda: predict(bm.X), repeat)
    return {"key": key, "rows": n, "instructions": len(p.code) // 6,
            "interp": n / t_interp, "jit": n / t_jit, "sklearn": n / t_sk,
            "codegen_s": jit.codegen_s, "compile_s": jit.compile_s,
            "flagged": int(want_flags.sum())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="M1,M3", help="bench model keys (benches/models.py)")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    import llvmlite

    print(f"llvmlite {llvmlite.__version__}; one thread; rows/s of the program's own loop "
          "(inputs already columns, outputs arrays: no DataFrame conversion)")
    head = (f"{'model':<6} {'instr':>6} {'interpreter':>12} {'JIT':>12} {'JIT/interp':>10} "
            f"{'sklearn':>12} {'IR build s':>10} {'LLVM s':>8}  bit-identical")
    print(head)
    print("-" * len(head))
    for key in args.models.split(","):
        r = measure(key.strip(), args.rows, args.repeat)
        print(f"{r['key']:<6} {r['instructions']:>6} {r['interp']:>12,.0f} {r['jit']:>12,.0f} "
              f"{r['jit'] / r['interp']:>9.2f}× {r['sklearn']:>12,.0f} {r['codegen_s']:>10.2f} "
              f"{r['compile_s']:>8.2f}  yes ({r['flagged']} rows flagged in both)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
