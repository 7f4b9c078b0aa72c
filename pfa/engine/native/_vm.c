/* The native tier's interpreter: a register program run over blocks of rows.
 *
 * A program is data lowered from a checked PFA document by pfa/engine/native/lower.py:
 * instructions (6 int32 each: opcode, d, a, b, c, e), an int table (node tables, register
 * lists) and a double table (constants, thresholds, coefficients, leaf values). Every
 * register holds one double per row of the current block; each instruction is a tight loop
 * over the block. Nothing in a document becomes code: it only supplies these numbers.
 * Compiled with -ffp-contract=off and without -ffast-math: every sum keeps the order of the
 * scalar engine, no fused multiply-add, IEEE results.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* numpy's exp: the scalar and vector engines compute exp with numpy's kernel (SIMD on some
 * CPUs, and then not always libm's last bit), so OP_EXP calls the same inner loop, found
 * at import in numpy.exp's table of loops. Without numpy's headers at build time, or when
 * the loop is not found, OP_EXP uses libm and the package's start-up check decides whether
 * the exp-based link functions may run here. */
#ifdef PFA_NUMPY_HEADERS
#define NO_IMPORT_ARRAY
#define NO_IMPORT_UFUNC
#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#include <numpy/ndarraytypes.h>
#include <numpy/ufuncobject.h>
#undef I /* complex.h's, pulled in by numpy's headers */
typedef void (*exp_loop_fn)(char **, const npy_intp *, const npy_intp *, void *);
static exp_loop_fn np_exp_loop = NULL;
static void *np_exp_data = NULL;

static void find_numpy_exp(void) {
    PyObject *np = PyImport_ImportModule("numpy");
    if (!np) { PyErr_Clear(); return; }
    PyObject *ufunc_type = PyObject_GetAttrString(np, "ufunc");
    PyObject *f = PyObject_GetAttrString(np, "exp");
    Py_DECREF(np);
    if (f && ufunc_type && PyObject_TypeCheck(f, (PyTypeObject *)ufunc_type)) {
        PyUFuncObject *u = (PyUFuncObject *)f;
        /* the first double → double loop is the one numpy's type resolution picks */
        if (u->nin == 1 && u->nout == 1 && u->types && u->functions)
            for (int k = 0; k < u->ntypes; k++)
                if (u->types[2 * k] == NPY_DOUBLE && u->types[2 * k + 1] == NPY_DOUBLE) {
                    np_exp_loop = (exp_loop_fn)u->functions[k];
                    np_exp_data = u->data ? u->data[k] : NULL;
                    break;
                }
    }
    PyErr_Clear();
    Py_XDECREF(f);  /* numpy.exp lives as long as numpy: the loop pointer stays valid */
    Py_XDECREF(ufunc_type);
}

#define NUMPY_EXP_FOUND (np_exp_loop != NULL)
#else
static void find_numpy_exp(void) {}
#define NUMPY_EXP_FOUND 0
#endif

/* y = exp(x) over m doubles: numpy's loop when it was found, else libm's */
static void exp_block(const double *x, double *y, Py_ssize_t m) {
#ifdef PFA_NUMPY_HEADERS
    if (np_exp_loop) {
        char *args[2] = {(char *)x, (char *)y};
        npy_intp n = (npy_intp)m, steps[2] = {8, 8};
        np_exp_loop(args, &n, steps, np_exp_data);
        return;
    }
#endif
    for (Py_ssize_t i = 0; i < m; i++) y[i] = exp(x[i]);
}

/* The loops are built three times on x86-64 Linux with GCC: for AVX-512 (8 doubles per
 * operation), AVX2 (4) and the baseline; the loader picks one for the machine. The same IEEE operations
 * either way (no fused multiply-add: -ffp-contract=off applies to both). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

#ifndef BLOCK
#define BLOCK 128
#endif
#define MAX_IO 4096

enum {
    OP_LOAD = 1, OP_STORE, OP_MOV, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_NEG,
    OP_MIN, OP_MAX, OP_CMP, OP_AND, OP_OR, OP_XOR, OP_NOT, OP_ISNAN, OP_ISINF, OP_ISNUM,
    OP_SELECT, OP_F32, OP_EXP, OP_FLAG, OP_TREE, OP_GATHER, OP_LINEAR, OP_SUM, OP_FLAGNF,
    OP_SQDIST, OP_LOG, OP_SQRT, OP_ABS, OP_SKIP, OP_BEST, OP_TREEADD, OP_LOADNULL, OP_SELNAN, OP_COUNT
};

/* input kinds: how a LOAD reads its column (from the buffer's format) */
enum { IN_F64, IN_F32, IN_I64, IN_I32, IN_I16, IN_I8, IN_U64, IN_U32, IN_U16, IN_U8, IN_ZERO };

/* Comparisons in Avro order (NaN equal to NaN and above every number), written branch-free
 * so that the loops over a block vectorize:
 *   x < y  in Avro order: x < y, or y is NaN and x is not
 *   x > y  in Avro order: x > y, or x is NaN and y is not
 *   x == y in Avro order: x == y, or both are NaN                                      */
static inline int avro_lt(double x, double y) { return (x < y) | ((y != y) & (x == x)); }
static inline int avro_gt(double x, double y) { return (x > y) | ((x != x) & (y == y)); }
static inline int avro_eq(double x, double y) { return (x == y) | ((x != x) & (y != y)); }

/* the comparison kinds of OP_CMP (field c): 0..5 = < <= > >= == != in Avro order; 8..13
 * the same with IEEE semantics (any NaN: false, except != which is true) */
static inline int cmp_test(int kind, double x, double y) {
    switch (kind) {
    case 0: return avro_lt(x, y);
    case 1: return !avro_gt(x, y);
    case 2: return avro_gt(x, y);
    case 3: return !avro_lt(x, y);
    case 4: return avro_eq(x, y);
    case 5: return !avro_eq(x, y);
    case 8: return x < y;
    case 9: return x <= y;
    case 10: return x > y;
    case 11: return x >= y;
    case 12: return x == y;
    case 13: return x != y;
    default: return 0;
    }
}

/* a tree node as the walk reads it (built from the program's int table when the program is
 * checked): feature register, test kind, children (>= 0: node; leaves are the self-looping
 * nodes after the tests), threshold, set of an in/notIn test */
/* nanpass: a NaN passes the test (kinds 0..5), whatever the comparison says */
typedef struct { int32_t reg, kind, child[2]; double thr; int32_t set, nset, nanpass; } TNode;
/* child[1]: where a passing row goes, child[0]: a failing one (indexed by the test's result,
 * so that the walk has no branch to mispredict) */
/* uniform: 1 when every test is `<=`, 0 when every test is `<`, -1 otherwise */
typedef struct { TNode *nodes; int32_t ntests; int uniform; } Tree;

typedef struct {
    const int32_t *code; Py_ssize_t ncode;
    const int32_t *itab; Py_ssize_t nitab;
    const double *dtab; Py_ssize_t ndtab;
    Tree *const *trees;  /* by instruction index: the walk tables of TREE instructions */
    int nregs;
    int bs;  /* register stride: rows per block (BLOCK, or 1 for one record) */
    const char **in_ptr; const Py_ssize_t *in_stride; const int *in_kind;
    char **out_ptr;
    unsigned char *flags;
} Prog;

/* tree node tests (kinds 0..9): IEEE < <= > >= == != against thr, always true, always
 * false, in (the set), not in */
static inline int node_test(const TNode *nd, double x, const double *dtab) {
    if (nd->nanpass & (x != x)) return 1;
    switch (nd->kind) {
    case 0: return x < nd->thr;
    case 1: return x <= nd->thr;
    case 2: return x > nd->thr;
    case 3: return x >= nd->thr;
    case 4: return x == nd->thr;
    case 5: return x != nd->thr;
    case 6: return 1;
    case 7: return 0;
    case 8: case 9: {
        int hit = 0;
        for (int k = 0; k < nd->nset; k++) if (dtab[nd->set + k] == x) { hit = 1; break; }
        return nd->kind == 8 ? hit : !hit;
    }
    default: return 0;
    }
}

/* rows are walked level by level (independent rows overlap their loads); a leaf is a node
 * whose children are itself, so every row takes exactly `depth` steps, branch-free */
VECTOR_CLONES static void tree_walk(const Tree *t, const double *const *reg, int m, int depth,
                      int32_t *restrict at, const double *D) {
    const TNode *nodes = t->nodes;
    int i;
    for (i = 0; i < m; i++) at[i] = 0;
    for (int level = 0; level < depth; level++) {
        if (t->uniform == 1) {
            for (i = 0; i < m; i++) {
                const TNode *nd = nodes + at[i];
                const double x = reg[nd->reg][i];
                at[i] = nd->child[(x <= nd->thr) | (nd->nanpass & (x != x))];
            }
        } else if (t->uniform == 0) {
            for (i = 0; i < m; i++) {
                const TNode *nd = nodes + at[i];
                const double x = reg[nd->reg][i];
                at[i] = nd->child[(x < nd->thr) | (nd->nanpass & (x != x))];
            }
        } else {
            for (i = 0; i < m; i++) {
                const TNode *nd = nodes + at[i];
                at[i] = nd->child[node_test(nd, reg[nd->reg][i], D) != 0];
            }
        }
    }
}

/* the sums over a list of registers: each row's sum runs in list order from 0.0, as the
 * scalar engine's loop; the partial sums of the block stay in a local array (in L1) and
 * each pass over the rows adds four terms, one after another. Each kind of term is its own
 * function: inlined into the loop over the terms, the compiler interleaved terms with
 * per-row scalar loads instead of vectorizing over the rows. */
#define TERM_FUNCTION(NAME, EXPR)                                                         \
    __attribute__((noinline)) VECTOR_CLONES static void NAME(                            \
            double *restrict acc, const double *k, const double *const *x, int n, int m) { \
        int t = 0;                                                                        \
        for (; t + 4 <= n; t += 4) { /* four terms a pass, still added one after another */ \
            const double *restrict x0 = x[t], *restrict x1 = x[t + 1];                    \
            const double *restrict x2 = x[t + 2], *restrict x3 = x[t + 3];                \
            const double k0 = k[t], k1 = k[t + 1], k2 = k[t + 2], k3 = k[t + 3];          \
            (void)k0; (void)k1; (void)k2; (void)k3;                                       \
            for (int i = 0; i < m; i++) {                                                 \
                double s = acc[i];                                                        \
                s += EXPR(k0, x0[i]); s += EXPR(k1, x1[i]);                               \
                s += EXPR(k2, x2[i]); s += EXPR(k3, x3[i]);                               \
                acc[i] = s;                                                               \
            }                                                                             \
        }                                                                                 \
        for (; t < n; t++) {                                                              \
            const double *restrict x0 = x[t];                                             \
            const double k0 = k[t];                                                       \
            (void)k0;                                                                     \
            for (int i = 0; i < m; i++) acc[i] += EXPR(k0, x0[i]);                        \
        }                                                                                 \
    }
#define PLAIN(K, X) (X)
#define SCALED(K, X) ((K) * (X))
#define SQDIFF(K, X) (((X) - (K)) * ((X) - (K)))
TERM_FUNCTION(add_plain, PLAIN)
TERM_FUNCTION(add_scaled, SCALED)
TERM_FUNCTION(add_sqdiff, SQDIFF)
#undef TERM_FUNCTION
#undef PLAIN
#undef SCALED
#undef SQDIFF

/* d = the sum of FN's terms over the registers T[a .. a+b), with the term constants K
 * (b of them; add_plain reads none) */
#define LIST_SUM(FN, K)                                                                  \
    {                                                                                    \
        double acc[BLOCK];                                                               \
        const double *xs[b > 0 ? b : 1];                                                 \
        for (int t = 0; t < b; t++) xs[t] = reg[T[a + t]];                               \
        for (i = 0; i < m; i++) acc[i] = 0.0;                                            \
        FN(acc, (K), xs, b, m);                                                          \
        memcpy(rd, acc, (size_t)m * 8);                                                  \
    }

/* rows row0 .. row0+m of input column k as doubles */
static inline void load_column(const Prog *p, int k, Py_ssize_t row0, int m, double *restrict rd) {
    const char *src = p->in_ptr[k] + row0 * p->in_stride[k];
    Py_ssize_t s = p->in_stride[k];
    int i;
#define LOAD_AS(T) for (i = 0; i < m; i++) rd[i] = (double)*(const T *)(src + i * s); break
    switch (p->in_kind[k]) {
    case IN_F64:
        if (s == 8) { memcpy(rd, src, (size_t)m * 8); break; }
        LOAD_AS(double);
    case IN_F32: LOAD_AS(float);
    case IN_I64: LOAD_AS(int64_t);
    case IN_I32: LOAD_AS(int32_t);
    case IN_I16: LOAD_AS(int16_t);
    case IN_I8: LOAD_AS(int8_t);
    case IN_U64: LOAD_AS(uint64_t);
    case IN_U32: LOAD_AS(uint32_t);
    case IN_U16: LOAD_AS(uint16_t);
    case IN_U8: LOAD_AS(uint8_t);
    default: for (i = 0; i < m; i++) rd[i] = 0.0; break;
    }
#undef LOAD_AS
}

/* Registers are read through ``reg``: reg[k] is register k's own storage (R + k * bs), or,
 * after a LOAD of a contiguous float64 input, the input's rows themselves (no copy). Every
 * instruction writes its own storage and points reg[d] back at it. */
VECTOR_CLONES static void run_block(const Prog *p, double *R, const double **reg, Py_ssize_t row0,
                                    int m) {
    const double *D = p->dtab;
    const int32_t *T = p->itab;
    const Py_ssize_t bs = p->bs;
    const unsigned nregs = (unsigned)p->nregs;
    for (Py_ssize_t pc = 0; pc + 6 <= p->ncode; pc += 6) {
        const int32_t *in = p->code + pc;
        int op = in[0], d = in[1], a = in[2], b = in[3], c = in[4], e = in[5];
        /* the program checker guarantees that d is not among a, b, c; a field that is not a
           register (an offset, a count, -1) gives a pointer that the op does not read */
        double *restrict rd = R + (Py_ssize_t)d * bs;
        const double *restrict ra = (unsigned)a < nregs ? reg[a] : R;
        const double *restrict rb = (unsigned)b < nregs ? reg[b] : R;
        const double *restrict rc = (unsigned)c < nregs ? reg[c] : R;
        int i;
        switch (op) {
        case OP_LOAD:
            if (p->in_kind[a] == IN_F64 && p->in_stride[a] == 8) {  /* read in place */
                reg[d] = (const double *)p->in_ptr[a] + row0;
                continue;
            }
            load_column(p, a, row0, m, rd);
            break;
        case OP_LOADNULL: {  /* d = c where input b (a null mask) is set, else input a: an
                                input's impute.defaultOnNull in one pass */
            if (p->in_kind[b] == IN_ZERO && p->in_kind[a] == IN_F64 && p->in_stride[a] == 8) {
                reg[d] = (const double *)p->in_ptr[a] + row0;  /* no nulls: read in place */
                continue;
            }
            load_column(p, a, row0, m, rd);
            if (p->in_kind[b] == IN_ZERO) break;  /* no nulls in this batch */
            double nul[BLOCK];
            load_column(p, b, row0, m, nul);
            for (i = 0; i < m; i++) { double x = rc[i], y = rd[i]; rd[i] = nul[i] != 0.0 ? x : y; }
            break;
        }
        case OP_STORE: {
            double *dst = (double *)p->out_ptr[d] + row0;
            memcpy(dst, ra, (size_t)m * 8);
            break;
        }
        case OP_MOV: for (i = 0; i < m; i++) rd[i] = ra[i]; break;
        case OP_ADD: for (i = 0; i < m; i++) rd[i] = ra[i] + rb[i]; break;
        case OP_SUB: for (i = 0; i < m; i++) rd[i] = ra[i] - rb[i]; break;
        case OP_MUL: for (i = 0; i < m; i++) rd[i] = ra[i] * rb[i]; break;
        case OP_DIV: for (i = 0; i < m; i++) rd[i] = ra[i] / rb[i]; break;
        case OP_NEG: for (i = 0; i < m; i++) rd[i] = -ra[i]; break;
        case OP_ABS: for (i = 0; i < m; i++) rd[i] = fabs(ra[i]); break;
        /* min: x if x < y else y; max: x if x >= y else y (Avro order) */
        case OP_MIN: for (i = 0; i < m; i++) rd[i] = avro_lt(ra[i], rb[i]) ? ra[i] : rb[i]; break;
        case OP_MAX: for (i = 0; i < m; i++) rd[i] = avro_lt(ra[i], rb[i]) ? rb[i] : ra[i]; break;
        case OP_CMP:
            switch (c) {  /* one loop per kind: the test is hoisted out of the rows */
#define CMP_LOOP(K) case K: for (i = 0; i < m; i++) rd[i] = cmp_test(K, ra[i], rb[i]) ? 1.0 : 0.0; break
            CMP_LOOP(0); CMP_LOOP(1); CMP_LOOP(2); CMP_LOOP(3); CMP_LOOP(4); CMP_LOOP(5);
            CMP_LOOP(8); CMP_LOOP(9); CMP_LOOP(10); CMP_LOOP(11); CMP_LOOP(12); CMP_LOOP(13);
#undef CMP_LOOP
            default: for (i = 0; i < m; i++) rd[i] = 0.0; break;
            }
            break;
        case OP_AND: for (i = 0; i < m; i++) rd[i] = ((ra[i] != 0.0) & (rb[i] != 0.0)) ? 1.0 : 0.0; break;
        case OP_OR: for (i = 0; i < m; i++) rd[i] = ((ra[i] != 0.0) | (rb[i] != 0.0)) ? 1.0 : 0.0; break;
        case OP_XOR: for (i = 0; i < m; i++) rd[i] = ((ra[i] != 0.0) != (rb[i] != 0.0)) ? 1.0 : 0.0; break;
        case OP_NOT: for (i = 0; i < m; i++) rd[i] = ra[i] != 0.0 ? 0.0 : 1.0; break;
        case OP_ISNAN: for (i = 0; i < m; i++) rd[i] = ra[i] != ra[i] ? 1.0 : 0.0; break;
        case OP_ISINF: for (i = 0; i < m; i++) rd[i] = fabs(ra[i]) == INFINITY ? 1.0 : 0.0; break;
        case OP_ISNUM: for (i = 0; i < m; i++) rd[i] = fabs(ra[i]) < INFINITY ? 1.0 : 0.0; break;
        case OP_SELECT:  /* both sides read in every row: the loop has no branch */
            for (i = 0; i < m; i++) { double x = rb[i], y = rc[i]; rd[i] = ra[i] != 0.0 ? x : y; }
            break;
        case OP_SELNAN:  /* d = b where a is NaN, else c: `if (impute.isnan(x)) …` */
            for (i = 0; i < m; i++) { double x = rb[i], y = rc[i]; rd[i] = ra[i] != ra[i] ? x : y; }
            break;
        case OP_F32: for (i = 0; i < m; i++) rd[i] = (double)(float)ra[i]; break;
        case OP_EXP: exp_block(ra, rd, m); break;
        case OP_LOG: for (i = 0; i < m; i++) rd[i] = log(ra[i]); break;
        case OP_SQRT: for (i = 0; i < m; i++) rd[i] = sqrt(ra[i]); break;
        case OP_FLAG: {  /* rows where register a is true go to the fallback (a < 0: all) */
            unsigned char *f = p->flags + row0;
            if (a < 0) { for (i = 0; i < m; i++) f[i] = 1; }
            else for (i = 0; i < m; i++) f[i] |= ra[i] != 0.0;
            break;
        }
        case OP_FLAGNF: {  /* rows where register a is not finite (guard b, or none) */
            unsigned char *f = p->flags + row0;
            if (b < 0) for (i = 0; i < m; i++) f[i] |= !(fabs(ra[i]) < INFINITY);
            else for (i = 0; i < m; i++) f[i] |= (!(fabs(ra[i]) < INFINITY)) & (rb[i] != 0.0);
            break;
        }
        case OP_GATHER: {  /* d = dtab[b + (int)a] for 0 <= a < c; else dtab[e] (e >= 0)
                              or flagged */
            unsigned char *f = p->flags + row0;
            for (i = 0; i < m; i++) {
                double k = ra[i];
                if (k >= 0 && k < (double)c) rd[i] = D[b + (Py_ssize_t)k];
                else if (e >= 0) rd[i] = D[e];
                else { rd[i] = 0.0; f[i] = 1; }
            }
            break;
        }
        case OP_LINEAR: {  /* d = ((0.0 + k0*x0) + k1*x1 ...) [+ bias]: a = itab offset of
                              the registers, b = count, c = dtab offset of the coefficients,
                              e = dtab index of the bias or -1 */
            LIST_SUM(add_scaled, D + c)
            if (e >= 0) { double bias = D[e]; for (i = 0; i < m; i++) rd[i] = rd[i] + bias; }
            break;
        }
        case OP_SUM: {  /* d = (0.0 + x0) + x1 ...: a = itab offset, b = count */
            LIST_SUM(add_plain, D)
            break;
        }
        case OP_SQDIST: {  /* d = sum of (x_t - k_t)^2 in order, start 0.0 */
            LIST_SUM(add_sqdiff, D + c)
            break;
        }
        case OP_BEST: {  /* over the registers T[a .. a+b): c = 1 (least) | 2 (its index,
                            else its value) | 4 (IEEE comparison, else Avro order), as the
                            scalar engine's loop: best = x0, then best = x where x > best
                            (x < best for the least): the first of equal ones */
            const double *x0 = reg[T[a]];
            int index = (c & 2) != 0;
#define BEST_LOOP(BETTER)                                                                  \
            {                                                                              \
                /* two buffers each, read one and write the other: written in place,   \
                   the compiler made the selects masked stores behind a branch */          \
                double bufs[4][BLOCK];                                                     \
                double *best = bufs[0], *idx = bufs[1], *nbest = bufs[2], *nidx = bufs[3]; \
                for (i = 0; i < m; i++) { best[i] = x0[i]; idx[i] = 0.0; }                 \
                for (int t = 1; t < b; t++) {                                              \
                    const double *restrict x = reg[T[a + t]];                              \
                    double tt = (double)t, *swap;                                          \
                    if (index)                                                             \
                        for (i = 0; i < m; i++) {                                          \
                            double xi = x[i], bi = best[i], ii = idx[i];                   \
                            int better = BETTER(xi, bi);                                   \
                            nbest[i] = better ? xi : bi;                                   \
                            nidx[i] = better ? tt : ii;                                    \
                        }                                                                  \
                    else                                                                   \
                        for (i = 0; i < m; i++) {                                          \
                            double xi = x[i], bi = best[i];                                \
                            nbest[i] = BETTER(xi, bi) ? xi : bi;                           \
                        }                                                                  \
                    swap = best; best = nbest; nbest = swap;                               \
                    swap = idx; idx = nidx; nidx = swap;                                   \
                }                                                                          \
                memcpy(rd, index ? idx : best, (size_t)m * 8);                             \
            }
#define IEEE_LT(X, Y) ((X) < (Y))
#define IEEE_GT(X, Y) ((X) > (Y))
            switch (c & 5) {
            case 0: BEST_LOOP(avro_gt) break;
            case 1: BEST_LOOP(avro_lt) break;
            case 4: BEST_LOOP(IEEE_GT) break;
            default: BEST_LOOP(IEEE_LT) break;
            }
#undef BEST_LOOP
#undef IEEE_LT
#undef IEEE_GT
            break;
        }
        case OP_SKIP: {  /* a = a guard register, b = the number of instructions after this
                            one that run only for rows with the guard set: skipped when no row
                            of the block has it */
            int any = 0;
            for (i = 0; i < m; i++) any |= ra[i] != 0.0;
            if (!any) pc += 6 * (Py_ssize_t)b;
            break;
        }
        case OP_TREE: {  /* a = itab offset of the node table, b = leaf width,
                            c = dtab offset of the leaf values (leaf k: c + k*b ...),
                            e = the tree's depth (the longest walk) */
            const Tree *t = p->trees[pc / 6];
            int32_t at[BLOCK];
            tree_walk(t, reg, m, e, at, D);
            for (i = 0; i < m; i++) {
                const double *leaf = D + c + (Py_ssize_t)(at[i] - t->ntests) * b;
                for (int j = 0; j < b; j++) R[(Py_ssize_t)(d + j) * bs + i] = leaf[j];
            }
            for (int j = 1; j < b; j++) reg[d + j] = R + (Py_ssize_t)(d + j) * bs;
            break;
        }
        case OP_TREEADD: {  /* d = b + the leaf of a one-value tree (a, c, e as for TREE):
                               a boosting ensemble's running sum, one tree at a time */
            const Tree *t = p->trees[pc / 6];
            int32_t at[BLOCK];
            tree_walk(t, reg, m, e, at, D);
            const double *leaf = D + c - t->ntests;
            for (i = 0; i < m; i++) rd[i] = rb[i] + leaf[at[i]];
            break;
        }
        default: break;
        }
        if (op != OP_STORE && op != OP_FLAG && op != OP_FLAGNF && op != OP_SKIP)
            reg[d] = rd;  /* (d is a register for every other op) */
    }
}

typedef struct {
    Prog p; double *R; const double **reg; Py_ssize_t lo, hi; const int32_t *kinit; Py_ssize_t nkinit;
} Work;

static void run_rows(Work *w) {
    const Prog *p = &w->p;
    double *R = w->R;
    /* constant registers: filled once, never written by the program */
    for (Py_ssize_t k = 0; k + 2 <= w->nkinit; k += 2) {
        double v = p->dtab[w->kinit[k + 1]];
        double *r = R + (Py_ssize_t)w->kinit[k] * p->bs;
        for (int i = 0; i < p->bs; i++) r[i] = v;
    }
    for (int k = 0; k < p->nregs; k++) w->reg[k] = R + (Py_ssize_t)k * p->bs;
    for (Py_ssize_t row0 = w->lo; row0 < w->hi; row0 += p->bs) {
        Py_ssize_t left = w->hi - row0;
        run_block(p, R, w->reg, row0, left < p->bs ? (int)left : p->bs);
    }
}

#include <pthread.h>
static void *thread_main(void *arg) { run_rows((Work *)arg); return NULL; }

/* ---------------------------------------------------------------- the Program object */

typedef struct {
    PyObject_HEAD
    PyObject *owners[4];  /* the arrays the tables live in */
    Py_buffer bufs[4];
    const int32_t *code, *itab, *kinit; const double *dtab;
    Py_ssize_t ncode, nitab, ndtab, nkinit;
    int nregs, nin, nout;
    double *one;  /* registers of the one-record path */
    const double **onereg;  /* and its register table */
    Tree **trees;  /* by instruction index: the walk tables of TREE instructions, else NULL */
} ProgramObject;

/* the walk table of the TREE instruction at pc (checked): the tests, then one self-looping
 * node per leaf */
static Tree *build_tree(const ProgramObject *o, Py_ssize_t pc) {
    const int32_t *C = o->code + pc, *I = o->itab;
    int a = C[2];
    int nn = I[a];
    Py_ssize_t nleaf = 0;
    for (int k = 0; k < nn; k++) {
        const int32_t *nd = I + a + 1 + 7 * k;
        if (nd[2] < 0 && -(Py_ssize_t)nd[2] > nleaf) nleaf = -(Py_ssize_t)nd[2];
        if (nd[3] < 0 && -(Py_ssize_t)nd[3] > nleaf) nleaf = -(Py_ssize_t)nd[3];
    }
    Tree *t = malloc(sizeof(Tree));
    if (!t) return NULL;
    t->nodes = malloc(sizeof(TNode) * ((size_t)nn + (size_t)nleaf));
    if (!t->nodes) { free(t); return NULL; }
    t->ntests = nn;
    int kind0 = I[a + 2];
    t->uniform = (kind0 == 0 || kind0 == 1) ? kind0 : -1;
    for (int k = 0; k < nn; k++) {
        const int32_t *nd = I + a + 1 + 7 * k;
        TNode *x = &t->nodes[k];
        x->reg = nd[0]; x->kind = nd[1];
        x->child[1] = nd[2] >= 0 ? nd[2] : nn + (-1 - nd[2]);
        x->child[0] = nd[3] >= 0 ? nd[3] : nn + (-1 - nd[3]);
        x->thr = o->dtab[nd[4]]; x->set = nd[4]; x->nset = nd[5]; x->nanpass = nd[6];
        if (nd[1] != kind0) t->uniform = -1;
    }
    for (Py_ssize_t k = 0; k < nleaf; k++) {
        TNode *x = &t->nodes[nn + k];
        x->reg = 0; x->kind = 6; x->child[0] = x->child[1] = (int32_t)(nn + k); x->thr = 0.0;
        x->set = 0; x->nset = 0; x->nanpass = 0;
    }
    return t;
}

static void free_trees(ProgramObject *o) {
    if (!o->trees) return;
    for (Py_ssize_t k = 0; k < o->ncode / 6; k++)
        if (o->trees[k]) { free(o->trees[k]->nodes); free(o->trees[k]); }
    free(o->trees);
    o->trees = NULL;
}

static int check_program(ProgramObject *o) {
    const int32_t *C = o->code, *I = o->itab, *K = o->kinit;
    Py_ssize_t ncode = o->ncode, nitab = o->nitab, ndtab = o->ndtab, nk = o->nkinit;
    int nregs = o->nregs, nin = o->nin, nout = o->nout;
    if (nregs < 1 || ncode % 6 || nk % 2) { PyErr_SetString(PyExc_ValueError, "bad program"); return -1; }
    for (Py_ssize_t k = 0; k + 2 <= nk; k += 2)
        if (K[k] < 0 || K[k] >= nregs || K[k + 1] < 0 || K[k + 1] >= ndtab) {
            PyErr_SetString(PyExc_ValueError, "bad constant register"); return -1; }
    for (Py_ssize_t pc = 0; pc < ncode; pc += 6) {
        int op = C[pc], d = C[pc + 1], a = C[pc + 2], b = C[pc + 3], c = C[pc + 4], e = C[pc + 5];
        int ok = op > 0 && op < OP_COUNT;
        int regs_d = op != OP_STORE && op != OP_FLAG && op != OP_FLAGNF && op != OP_SKIP;
        int width = op == OP_TREE ? b : 1;
        if (ok && regs_d) ok = d >= 0 && d < nregs;
        if (ok) switch (op) {
        case OP_LOAD: ok = a >= 0 && a < nin; break;
        case OP_LOADNULL: ok = a >= 0 && a < nin && b >= 0 && b < nin && c >= 0 && c < nregs && c != d; break;
        case OP_STORE: ok = d >= 0 && d < nout && a >= 0 && a < nregs; break;
        case OP_FLAG: ok = a < nregs; break;
        case OP_SKIP: ok = a >= 0 && a < nregs && b >= 0 && pc + 6 + 6 * (Py_ssize_t)b <= ncode; break;
        case OP_FLAGNF: ok = a >= 0 && a < nregs && b < nregs; break;
        case OP_GATHER: ok = a >= 0 && a < nregs && a != d && b >= 0 && c >= 0 && (Py_ssize_t)b + c <= ndtab && e < ndtab; break;
        case OP_LINEAR: case OP_SUM: case OP_SQDIST: case OP_BEST:
            ok = a >= 0 && b >= 0 && (Py_ssize_t)a + b <= nitab &&
                 (op == OP_SUM || op == OP_BEST || (c >= 0 && (Py_ssize_t)c + b <= ndtab)) &&
                 (op != OP_LINEAR || e < ndtab) && (op != OP_BEST || (b >= 1 && c >= 0 && c <= 7));
            /* the destination is none of the registers read (the loops assume it) */
            for (int t = 0; ok && t < b; t++) ok = I[a + t] >= 0 && I[a + t] < nregs && I[a + t] != d;
            break;
        case OP_TREE: case OP_TREEADD: {
            ok = a >= 0 && a < nitab && width >= 1 && width <= nregs - d && c >= 0 &&
                 (op == OP_TREE || (b >= 0 && b < nregs && b != d));
            int nn = ok ? I[a] : 0;  /* the node table starts with its node count */
            ok = ok && nn >= 1 && (Py_ssize_t)a + 1 + 7 * (Py_ssize_t)nn <= nitab;
            Py_ssize_t nleaf = 0;
            for (int k = 0; ok && k < nn; k++) {
                const int32_t *nd = I + a + 1 + 7 * k;
                ok = nd[0] >= 0 && nd[0] < nregs && nd[1] >= 0 && nd[1] <= 9 &&
                     nd[4] >= 0 && nd[5] >= 0 && (nd[6] == 0 || (nd[6] == 1 && nd[1] <= 5)) &&
                     (Py_ssize_t)nd[4] + (nd[5] > 0 ? nd[5] : 1) <= ndtab &&
                     nd[2] < nn && nd[3] < nn && nd[2] != -2147483647 - 1 && nd[3] != -2147483647 - 1 &&
                     (nd[2] >= 0 ? nd[2] > k : 1) && (nd[3] >= 0 ? nd[3] > k : 1);
                /* children point forward only, so every walk ends */
                if (nd[2] < 0 && -(Py_ssize_t)nd[2] > nleaf) nleaf = -(Py_ssize_t)nd[2];
                if (nd[3] < 0 && -(Py_ssize_t)nd[3] > nleaf) nleaf = -(Py_ssize_t)nd[3];
            }
            ok = ok && (Py_ssize_t)c + nleaf * width <= ndtab;
            if (ok) {  /* e must be the depth: every walk ends within e levels */
                int32_t *depth = calloc((size_t)nn, sizeof(int32_t));
                if (!depth) { PyErr_NoMemory(); return -1; }
                int deepest = 0;
                for (int k = 0; k < nn; k++) {  /* parents come before their children */
                    const int32_t *nd = I + a + 1 + 7 * k;
                    int dk = depth[k] + 1;
                    if (dk > deepest) deepest = dk;
                    if (nd[2] >= 0 && depth[nd[2]] < dk) depth[nd[2]] = dk;
                    if (nd[3] >= 0 && depth[nd[3]] < dk) depth[nd[3]] = dk;
                }
                free(depth);
                ok = e == deepest;
            }
            break;
        }
        default: {
            /* the destination is none of the registers read (the loops assume it) */
            int binary = op == OP_ADD || op == OP_SUB || op == OP_MUL || op == OP_DIV ||
                         op == OP_MIN || op == OP_MAX || op == OP_CMP || op == OP_AND ||
                         op == OP_OR || op == OP_XOR || op == OP_SELECT || op == OP_SELNAN;
            ok = a >= 0 && a < nregs && b >= 0 && b < nregs && c >= 0 &&
                 (op == OP_CMP || c < nregs) && d != a && (!binary || d != b) &&
                 ((op != OP_SELECT && op != OP_SELNAN) || d != c);
            break;
        }
        }
        if (!ok) { PyErr_Format(PyExc_ValueError, "bad instruction %zd", pc / 6); return -1; }
    }
    return 0;
}

static void program_dealloc(ProgramObject *o) {
    for (int k = 0; k < 4; k++) if (o->owners[k]) { PyBuffer_Release(&o->bufs[k]); Py_DECREF(o->owners[k]); }
    free(o->one);
    free(o->onereg);
    free_trees(o);
    Py_TYPE(o)->tp_free((PyObject *)o);
}

static PyTypeObject ProgramType;

/* Program(code, itab, dtab, kinit, nregs, ninputs, noutputs): checked once here */
static PyObject *program_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    PyObject *arr[4];
    int nregs, nin, nout;
    if (!PyArg_ParseTuple(args, "OOOOiii", &arr[0], &arr[1], &arr[2], &arr[3], &nregs, &nin, &nout))
        return NULL;
    ProgramObject *o = (ProgramObject *)type->tp_alloc(type, 0);
    if (!o) return NULL;
    static const int size[4] = {4, 4, 8, 4};
    for (int k = 0; k < 4; k++) {
        if (PyObject_GetBuffer(arr[k], &o->bufs[k], PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) { Py_DECREF(o); return NULL; }
        o->owners[k] = arr[k]; Py_INCREF(arr[k]);
        if (o->bufs[k].itemsize != size[k]) { PyErr_SetString(PyExc_ValueError, "bad table item size"); Py_DECREF(o); return NULL; }
    }
    o->code = o->bufs[0].buf; o->ncode = o->bufs[0].len / 4;
    o->itab = o->bufs[1].buf; o->nitab = o->bufs[1].len / 4;
    o->dtab = o->bufs[2].buf; o->ndtab = o->bufs[2].len / 8;
    o->kinit = o->bufs[3].buf; o->nkinit = o->bufs[3].len / 4;
    o->nregs = nregs; o->nin = nin; o->nout = nout;
    if (nin < 0 || nout < 0 || nin > MAX_IO || nout > MAX_IO) {  /* run1 keeps them on the stack */
        PyErr_Format(PyExc_ValueError, "at most %d inputs and outputs", MAX_IO);
        Py_DECREF(o);
        return NULL;
    }
    if (check_program(o) < 0) { Py_DECREF(o); return NULL; }
    o->trees = calloc((size_t)(o->ncode / 6) + 1, sizeof(Tree *));
    if (!o->trees) { Py_DECREF(o); return PyErr_NoMemory(); }
    for (Py_ssize_t pc = 0; pc < o->ncode; pc += 6)
        if ((o->code[pc] == OP_TREE || o->code[pc] == OP_TREEADD) &&
            !(o->trees[pc / 6] = build_tree(o, pc))) {
            Py_DECREF(o);
            return PyErr_NoMemory();
        }
    o->one = malloc(sizeof(double) * ((size_t)nregs + (size_t)nin + (size_t)nout + 1));
    o->onereg = malloc(sizeof(double *) * ((size_t)nregs + 1));
    if (!o->one || !o->onereg) { Py_DECREF(o); return PyErr_NoMemory(); }
    return (PyObject *)o;
}

static void setup(const ProgramObject *o, Prog *p, int bs) {
    p->code = o->code; p->ncode = o->ncode; p->itab = o->itab; p->nitab = o->nitab;
    p->dtab = o->dtab; p->ndtab = o->ndtab; p->nregs = o->nregs; p->bs = bs;
    p->trees = (Tree *const *)o->trees;
}

/* how a LOAD reads a buffer of this format and item size (-1: not a number format) */
static int in_kind_of(const char *fmt, Py_ssize_t size) {
    if (!fmt) return size == 8 ? IN_F64 : -1;  /* plain bytes: taken as doubles */
    if (*fmt == '@' || *fmt == '=' || (*fmt == '<' && PY_LITTLE_ENDIAN) ||
        ((*fmt == '>' || *fmt == '!') && !PY_LITTLE_ENDIAN)) fmt++;
    if (!fmt[0] || fmt[1]) return -1;
    switch (fmt[0]) {
    case 'd': return size == 8 ? IN_F64 : -1;
    case 'f': return size == 4 ? IN_F32 : -1;
    case 'q': case 'l': case 'i': case 'h': case 'b':
        return size == 8 ? IN_I64 : size == 4 ? IN_I32 : size == 2 ? IN_I16 : size == 1 ? IN_I8 : -1;
    case 'Q': case 'L': case 'I': case 'H': case 'B': case '?':
        return size == 8 ? IN_U64 : size == 4 ? IN_U32 : size == 2 ? IN_U16 : size == 1 ? IN_U8 : -1;
    default: return -1;
    }
}

/* run(inputs, outputs, flags, n, threads): inputs a tuple of 1-D arrays of numbers (float64,
 * float32, integers, booleans; any stride, read in place) or None (all zeros), outputs a
 * tuple of contiguous float64 arrays, flags uint8[n] */
static PyObject *program_run(ProgramObject *o, PyObject *args) {
    PyObject *inputs, *outputs, *flags;
    Py_ssize_t n;
    int threads;
    if (!PyArg_ParseTuple(args, "O!O!Oni", &PyTuple_Type, &inputs, &PyTuple_Type, &outputs,
                          &flags, &n, &threads))
        return NULL;
    if (PyTuple_GET_SIZE(inputs) != o->nin || PyTuple_GET_SIZE(outputs) != o->nout || n < 0) {
        PyErr_SetString(PyExc_ValueError, "wrong number of inputs or outputs");
        return NULL;
    }
    int nin = o->nin, nout = o->nout, gin = 0, gout = 0, gotf = 0;
    Py_buffer *bin = calloc(nin + 1, sizeof(Py_buffer)), *bout = calloc(nout + 1, sizeof(Py_buffer)), bf;
    const char **in_ptr = calloc(nin + 1, sizeof(char *));
    Py_ssize_t *in_stride = calloc(nin + 1, sizeof(Py_ssize_t));
    int *in_kind = calloc(nin + 1, sizeof(int));
    char **out_ptr = calloc(nout + 1, sizeof(char *));
    PyObject *result = NULL;
    double *regs = NULL;
    const double **regptrs = NULL;
    if (!bin || !bout || !in_ptr || !in_stride || !in_kind || !out_ptr) { PyErr_NoMemory(); goto done; }
    if (PyObject_GetBuffer(flags, &bf, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0) goto done;
    gotf = 1;
    if (bf.len < n) { PyErr_SetString(PyExc_ValueError, "flags too short"); goto done; }
    for (; gin < nin; gin++) {
        Py_buffer *v = &bin[gin];
        PyObject *x = PyTuple_GET_ITEM(inputs, gin);
        if (x == Py_None) { in_kind[gin] = IN_ZERO; in_ptr[gin] = NULL; in_stride[gin] = 0; continue; }
        if (PyObject_GetBuffer(x, v, PyBUF_STRIDES | PyBUF_FORMAT) < 0) goto done;
        in_kind[gin] = in_kind_of(v->format, v->itemsize);
        if (in_kind[gin] < 0 || v->ndim != 1 || v->shape[0] < n) {
            gin++;
            PyErr_SetString(PyExc_ValueError, "inputs must be 1-D arrays of numbers of n rows");
            goto done;
        }
        in_ptr[gin] = v->buf;
        in_stride[gin] = v->strides ? v->strides[0] : v->itemsize;
    }
    for (; gout < nout; gout++) {
        Py_buffer *v = &bout[gout];
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(outputs, gout), v, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE | PyBUF_FORMAT) < 0) goto done;
        if (v->itemsize != 8 || v->len < n * 8 || (v->format && strcmp(v->format, "d") != 0)) {
            gout++;
            PyErr_SetString(PyExc_ValueError, "outputs must be contiguous float64 arrays of n rows");
            goto done;
        }
        out_ptr[gout] = v->buf;
    }
    {
        Py_ssize_t nblocks = (n + BLOCK - 1) / BLOCK;
        if (threads < 1) threads = 1;
        if (threads > 64) threads = 64;
        if (threads > nblocks) threads = nblocks > 0 ? (int)nblocks : 1;
        Work w[64];
        regs = malloc((size_t)threads * o->nregs * BLOCK * sizeof(double));
        regptrs = malloc((size_t)threads * (o->nregs + 1) * sizeof(double *));
        if (!regs || !regptrs) { PyErr_NoMemory(); goto done; }
        for (int t = 0; t < threads; t++) {
            Prog *p = &w[t].p;
            setup(o, p, BLOCK);
            p->in_ptr = in_ptr; p->in_stride = in_stride; p->in_kind = in_kind;
            p->out_ptr = out_ptr; p->flags = bf.buf;
            w[t].R = regs + (size_t)t * o->nregs * BLOCK;
            w[t].reg = regptrs + (size_t)t * (o->nregs + 1);
            w[t].lo = (nblocks * t / threads) * BLOCK;
            w[t].hi = (nblocks * (t + 1) / threads) * BLOCK;
            if (w[t].hi > n) w[t].hi = n;
            w[t].kinit = o->kinit; w[t].nkinit = o->nkinit;
        }
        Py_BEGIN_ALLOW_THREADS
        if (threads == 1) run_rows(&w[0]);
        else {
            pthread_t tid[64];
            int started[64] = {0};
            for (int t = 1; t < threads; t++) started[t] = pthread_create(&tid[t], NULL, thread_main, &w[t]) == 0;
            run_rows(&w[0]);
            for (int t = 1; t < threads; t++) { if (started[t]) pthread_join(tid[t], NULL); else run_rows(&w[t]); }
        }
        Py_END_ALLOW_THREADS
    }
    result = Py_None; Py_INCREF(result);
done:
    free(regs);
    free(regptrs);
    if (gotf) PyBuffer_Release(&bf);
    for (int k = 0; k < gin; k++) if (bin[k].obj) PyBuffer_Release(&bin[k]);
    for (int k = 0; k < gout; k++) if (bout[k].obj) PyBuffer_Release(&bout[k]);
    free(bin); free(bout); free(in_ptr); free(in_stride); free(in_kind); free(out_ptr);
    return result;
}

/* run1(values): one record; values a list or tuple of numbers (the inputs in order).
 * Returns the tuple of outputs, or None when the record is flagged for the fallback. */
static PyObject *program_run1(ProgramObject *o, PyObject *values) {
    PyObject *seq = PySequence_Fast(values, "run1 takes a sequence of numbers");
    if (!seq) return NULL;
    if (PySequence_Fast_GET_SIZE(seq) != o->nin) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "wrong number of inputs");
        return NULL;
    }
    double *R = o->one, *in = o->one + o->nregs, *out = in + o->nin;
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (int k = 0; k < o->nin; k++) {
        PyObject *x = items[k];
        double v = PyFloat_CheckExact(x) ? PyFloat_AS_DOUBLE(x) : PyFloat_AsDouble(x);
        if (v == -1.0 && PyErr_Occurred()) { Py_DECREF(seq); return NULL; }
        in[k] = v;
    }
    Py_DECREF(seq);
    const char *in_ptr[o->nin + 1];
    Py_ssize_t in_stride[o->nin + 1];
    int in_kind[o->nin + 1];
    char *out_ptr[o->nout + 1];
    for (int k = 0; k < o->nin; k++) { in_ptr[k] = (const char *)(in + k); in_stride[k] = 8; in_kind[k] = IN_F64; }
    for (int k = 0; k < o->nout; k++) out_ptr[k] = (char *)(out + k);
    unsigned char flag = 0;
    Work w;
    setup(o, &w.p, 1);
    w.p.in_ptr = in_ptr; w.p.in_stride = in_stride; w.p.in_kind = in_kind; w.p.out_ptr = out_ptr; w.p.flags = &flag;
    w.R = R; w.reg = o->onereg; w.lo = 0; w.hi = 1; w.kinit = o->kinit; w.nkinit = o->nkinit;
    run_rows(&w);
    if (flag) Py_RETURN_NONE;
    PyObject *t = PyTuple_New(o->nout);
    if (!t) return NULL;
    for (int k = 0; k < o->nout; k++) {
        PyObject *f = PyFloat_FromDouble(out[k]);
        if (!f) { Py_DECREF(t); return NULL; }
        PyTuple_SET_ITEM(t, k, f);
    }
    return t;
}

static PyObject *vm_exp(PyObject *self, PyObject *arg) {
    double x = PyFloat_AsDouble(arg);
    if (x == -1.0 && PyErr_Occurred()) return NULL;
    double y;
    exp_block(&x, &y, 1);
    return PyFloat_FromDouble(y);
}

static PyMethodDef program_methods[] = {
    {"run", (PyCFunction)program_run, METH_VARARGS, "run(inputs, outputs, flags, n, threads)"},
    {"run1", (PyCFunction)program_run1, METH_O, "run1(values) -> outputs or None (flagged)"},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject ProgramType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pfa.engine.native._vm.Program",
    .tp_basicsize = sizeof(ProgramObject),
    .tp_dealloc = (destructor)program_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A checked register program: Program(code, itab, dtab, kinit, nregs, ninputs, noutputs)",
    .tp_methods = program_methods,
    .tp_new = program_new,
};

static PyMethodDef methods[] = {
    {"exp", vm_exp, METH_O, "exp of one double as the interpreter's OP_EXP computes it"},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_vm", "The native tier's block interpreter.", -1, methods};

PyMODINIT_FUNC PyInit__vm(void) {
    if (PyType_Ready(&ProgramType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&ProgramType);
    if (PyModule_AddObject(m, "Program", (PyObject *)&ProgramType) < 0) { Py_DECREF(&ProgramType); Py_DECREF(m); return NULL; }
    find_numpy_exp();
    PyModule_AddIntConstant(m, "NUMPY_EXP", NUMPY_EXP_FOUND);
    PyModule_AddIntConstant(m, "BLOCK", BLOCK);
    PyModule_AddIntConstant(m, "VERSION", 3);
    return m;
}
