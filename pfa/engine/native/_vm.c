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

#define BLOCK 256
#define MAX_IO 4096

enum {
    OP_LOAD = 1, OP_STORE, OP_MOV, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_NEG,
    OP_MIN, OP_MAX, OP_CMP, OP_AND, OP_OR, OP_XOR, OP_NOT, OP_ISNAN, OP_ISINF, OP_ISNUM,
    OP_SELECT, OP_F32, OP_EXP, OP_FLAG, OP_TREE, OP_GATHER, OP_LINEAR, OP_SUM, OP_FLAGNF,
    OP_SQDIST, OP_LOG, OP_SQRT, OP_ABS, OP_SKIP, OP_COUNT
};

/* comparison kinds (field c of OP_CMP): 0..5 = < <= > >= == != in Avro order (NaN equal to
 * NaN and above every number); 8..13 the same with IEEE semantics (any NaN: false, except
 * != which is true) */
static inline int avro_cmp(double x, double y) {
    if (x < y) return -1;
    if (x > y) return 1;
    if (x == y) return 0;
    if (x != x) return (y != y) ? 0 : 1;
    return -1;
}

static inline int cmp_test(int kind, double x, double y) {
    switch (kind) {
    case 0: return avro_cmp(x, y) < 0;
    case 1: return avro_cmp(x, y) <= 0;
    case 2: return avro_cmp(x, y) > 0;
    case 3: return avro_cmp(x, y) >= 0;
    case 4: return avro_cmp(x, y) == 0;
    case 5: return avro_cmp(x, y) != 0;
    case 8: return x < y;
    case 9: return x <= y;
    case 10: return x > y;
    case 11: return x >= y;
    case 12: return x == y;
    case 13: return x != y;
    default: return 0;
    }
}

typedef struct {
    const int32_t *code; Py_ssize_t ncode;
    const int32_t *itab; Py_ssize_t nitab;
    const double *dtab; Py_ssize_t ndtab;
    int nregs;
    int bs;  /* register stride: rows per block (BLOCK, or 1 for one record) */
    const char **in_ptr; const Py_ssize_t *in_stride;
    char **out_ptr;
    unsigned char *flags;
} Prog;

/* tree node (7 ints): feature register, test kind, pass, fail, table index, table length,
 * missing child. A child >= 0 is a node index; -1-k is leaf k. Test kinds: 0..5 IEEE
 * < <= > >= == != against dtab[index]; 6 always true; 7 always false; 8 in (the values
 * dtab[index .. index+length)); 9 not in. */
static inline int node_test(const int32_t *nd, double x, const double *dtab) {
    double v = dtab[nd[4]];
    switch (nd[1]) {
    case 0: return x < v;
    case 1: return x <= v;
    case 2: return x > v;
    case 3: return x >= v;
    case 4: return x == v;
    case 5: return x != v;
    case 6: return 1;
    case 7: return 0;
    case 8: case 9: {
        int hit = 0;
        for (int k = 0; k < nd[5]; k++) if (dtab[nd[4] + k] == x) { hit = 1; break; }
        return nd[1] == 8 ? hit : !hit;
    }
    default: return 0;
    }
}

static void run_block(const Prog *p, double *R, Py_ssize_t row0, int m) {
    const double *D = p->dtab;
    const int32_t *T = p->itab;
    for (Py_ssize_t pc = 0; pc + 6 <= p->ncode; pc += 6) {
        const int32_t *in = p->code + pc;
        int op = in[0], d = in[1], a = in[2], b = in[3], c = in[4], e = in[5];
        double *rd = R + (Py_ssize_t)d * p->bs;
        const double *ra = R + (Py_ssize_t)a * p->bs;
        const double *rb = R + (Py_ssize_t)b * p->bs;
        const double *rc = R + (Py_ssize_t)c * p->bs;
        int i;
        switch (op) {
        case OP_LOAD: {
            const char *src = p->in_ptr[a] + row0 * p->in_stride[a];
            Py_ssize_t s = p->in_stride[a];
            for (i = 0; i < m; i++) rd[i] = *(const double *)(src + i * s);
            break;
        }
        case OP_STORE: {
            double *dst = (double *)p->out_ptr[d] + row0;
            for (i = 0; i < m; i++) dst[i] = ra[i];
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
        case OP_MIN: for (i = 0; i < m; i++) rd[i] = avro_cmp(ra[i], rb[i]) < 0 ? ra[i] : rb[i]; break;
        case OP_MAX: for (i = 0; i < m; i++) rd[i] = avro_cmp(ra[i], rb[i]) >= 0 ? ra[i] : rb[i]; break;
        case OP_CMP: for (i = 0; i < m; i++) rd[i] = cmp_test(c, ra[i], rb[i]) ? 1.0 : 0.0; break;
        case OP_AND: for (i = 0; i < m; i++) rd[i] = (ra[i] != 0.0 && rb[i] != 0.0) ? 1.0 : 0.0; break;
        case OP_OR: for (i = 0; i < m; i++) rd[i] = (ra[i] != 0.0 || rb[i] != 0.0) ? 1.0 : 0.0; break;
        case OP_XOR: for (i = 0; i < m; i++) rd[i] = ((ra[i] != 0.0) != (rb[i] != 0.0)) ? 1.0 : 0.0; break;
        case OP_NOT: for (i = 0; i < m; i++) rd[i] = ra[i] != 0.0 ? 0.0 : 1.0; break;
        case OP_ISNAN: for (i = 0; i < m; i++) rd[i] = isnan(ra[i]) ? 1.0 : 0.0; break;
        case OP_ISINF: for (i = 0; i < m; i++) rd[i] = isinf(ra[i]) ? 1.0 : 0.0; break;
        case OP_ISNUM: for (i = 0; i < m; i++) rd[i] = isfinite(ra[i]) ? 1.0 : 0.0; break;
        case OP_SELECT: for (i = 0; i < m; i++) rd[i] = ra[i] != 0.0 ? rb[i] : rc[i]; break;
        case OP_F32: for (i = 0; i < m; i++) rd[i] = (double)(float)ra[i]; break;
        case OP_EXP: for (i = 0; i < m; i++) rd[i] = exp(ra[i]); break;
        case OP_LOG: for (i = 0; i < m; i++) rd[i] = log(ra[i]); break;
        case OP_SQRT: for (i = 0; i < m; i++) rd[i] = sqrt(ra[i]); break;
        case OP_FLAG: {  /* rows where register a is true go to the fallback (a < 0: all) */
            unsigned char *f = p->flags + row0;
            if (a < 0) { for (i = 0; i < m; i++) f[i] = 1; }
            else for (i = 0; i < m; i++) if (ra[i] != 0.0) f[i] = 1;
            break;
        }
        case OP_FLAGNF: {  /* rows where register a is not finite (guard b, or none) */
            unsigned char *f = p->flags + row0;
            for (i = 0; i < m; i++)
                if (!isfinite(ra[i]) && (b < 0 || rb[i] != 0.0)) f[i] = 1;
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
            double acc[BLOCK];
            for (i = 0; i < m; i++) acc[i] = 0.0;
            for (int t = 0; t < b; t++) {
                const double *x = R + (Py_ssize_t)T[a + t] * p->bs;
                double k = D[c + t];
                for (i = 0; i < m; i++) acc[i] += k * x[i];
            }
            if (e >= 0) { double k = D[e]; for (i = 0; i < m; i++) acc[i] = acc[i] + k; }
            for (i = 0; i < m; i++) rd[i] = acc[i];
            break;
        }
        case OP_SUM: {  /* d = (0.0 + x0) + x1 ...: a = itab offset, b = count */
            double acc[BLOCK];
            for (i = 0; i < m; i++) acc[i] = 0.0;
            for (int t = 0; t < b; t++) {
                const double *x = R + (Py_ssize_t)T[a + t] * p->bs;
                for (i = 0; i < m; i++) acc[i] += x[i];
            }
            for (i = 0; i < m; i++) rd[i] = acc[i];
            break;
        }
        case OP_SQDIST: {  /* d = sum of (x_t - k_t)^2 in order, start 0.0 */
            double acc[BLOCK];
            for (i = 0; i < m; i++) acc[i] = 0.0;
            for (int t = 0; t < b; t++) {
                const double *x = R + (Py_ssize_t)T[a + t] * p->bs;
                double k = D[c + t];
                for (i = 0; i < m; i++) { double q = x[i] - k; acc[i] += q * q; }
            }
            for (i = 0; i < m; i++) rd[i] = acc[i];
            break;
        }
        case OP_SKIP: {  /* a = a guard register, b = the number of instructions after this
                            one that run only for rows with the guard set: skipped when no row
                            of the block has it */
            for (i = 0; i < m; i++) if (ra[i] != 0.0) break;
            if (i == m) pc += 6 * (Py_ssize_t)b;
            break;
        }
        case OP_TREE: {  /* a = itab offset of the node table, b = leaf width,
                            c = dtab offset of the leaf values (leaf k: c + k*b ...),
                            e = the tree's depth (the longest walk). The rows of the block
                            walk level by level: independent rows overlap their loads. */
            const int32_t *nodes = T + a + 1;  /* after the node count */
            int32_t at[BLOCK];
            for (i = 0; i < m; i++) at[i] = 0;
            for (int level = 0; level < e; level++) {
                for (i = 0; i < m; i++) {  /* branch-free: a finished walk stays put */
                    int32_t k = at[i];
                    int live = k >= 0;
                    const int32_t *nd = nodes + 7 * (live ? k : 0);
                    double x = R[(Py_ssize_t)nd[0] * p->bs + i];
                    int pass = nd[1] == 1 ? x <= D[nd[4]] : node_test(nd, x, D);
                    int32_t next = nd[3 - pass];
                    at[i] = live ? next : k;
                }
            }
            for (i = 0; i < m; i++) {
                const double *leaf = D + c + (Py_ssize_t)(-1 - at[i]) * b;
                for (int j = 0; j < b; j++) rd[(Py_ssize_t)j * p->bs + i] = leaf[j];
            }
            break;
        }
        default: break;
        }
    }
}

typedef struct { Prog p; double *R; Py_ssize_t lo, hi; const int32_t *kinit; Py_ssize_t nkinit; } Work;

static void run_rows(Work *w) {
    const Prog *p = &w->p;
    double *R = w->R;
    /* constant registers: filled once, never written by the program */
    for (Py_ssize_t k = 0; k + 2 <= w->nkinit; k += 2) {
        double v = p->dtab[w->kinit[k + 1]];
        double *r = R + (Py_ssize_t)w->kinit[k] * p->bs;
        for (int i = 0; i < p->bs; i++) r[i] = v;
    }
    for (Py_ssize_t row0 = w->lo; row0 < w->hi; row0 += p->bs) {
        Py_ssize_t left = w->hi - row0;
        run_block(p, R, row0, left < p->bs ? (int)left : p->bs);
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
} ProgramObject;

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
        if (ok && regs_d) ok = d >= 0 && d < nregs;
        if (ok) switch (op) {
        case OP_LOAD: ok = a >= 0 && a < nin; break;
        case OP_STORE: ok = d >= 0 && d < nout && a >= 0 && a < nregs; break;
        case OP_FLAG: ok = a < nregs; break;
        case OP_SKIP: ok = a >= 0 && a < nregs && b >= 0 && pc + 6 + 6 * (Py_ssize_t)b <= ncode; break;
        case OP_FLAGNF: ok = a >= 0 && a < nregs && b < nregs; break;
        case OP_GATHER: ok = a >= 0 && a < nregs && b >= 0 && c >= 0 && (Py_ssize_t)b + c <= ndtab && e < ndtab; break;
        case OP_LINEAR: case OP_SUM: case OP_SQDIST:
            ok = a >= 0 && b >= 0 && (Py_ssize_t)a + b <= nitab &&
                 (op == OP_SUM || (c >= 0 && (Py_ssize_t)c + b <= ndtab)) &&
                 (op != OP_LINEAR || e < ndtab);
            for (int t = 0; ok && t < b; t++) ok = I[a + t] >= 0 && I[a + t] < nregs;
            break;
        case OP_TREE: {
            ok = a >= 0 && a < nitab && b >= 1 && b <= nregs - d && c >= 0;
            int nn = ok ? I[a] : 0;  /* the node table starts with its node count */
            ok = ok && nn >= 1 && (Py_ssize_t)a + 1 + 7 * (Py_ssize_t)nn <= nitab;
            Py_ssize_t nleaf = 0;
            for (int k = 0; ok && k < nn; k++) {
                const int32_t *nd = I + a + 1 + 7 * k;
                ok = nd[0] >= 0 && nd[0] < nregs && nd[1] >= 0 && nd[1] <= 9 &&
                     nd[4] >= 0 && nd[5] >= 0 &&
                     (Py_ssize_t)nd[4] + (nd[5] > 0 ? nd[5] : 1) <= ndtab &&
                     nd[2] < nn && nd[3] < nn && nd[2] != -2147483647 - 1 && nd[3] != -2147483647 - 1 &&
                     (nd[2] >= 0 ? nd[2] > k : 1) && (nd[3] >= 0 ? nd[3] > k : 1);
                /* children point forward only, so every walk ends */
                if (nd[2] < 0 && -(Py_ssize_t)nd[2] > nleaf) nleaf = -(Py_ssize_t)nd[2];
                if (nd[3] < 0 && -(Py_ssize_t)nd[3] > nleaf) nleaf = -(Py_ssize_t)nd[3];
            }
            ok = ok && (Py_ssize_t)c + nleaf * b <= ndtab;
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
        default:
            ok = a >= 0 && a < nregs && b >= 0 && b < nregs && c >= 0 &&
                 (op == OP_CMP || c < nregs);
            break;
        }
        if (!ok) { PyErr_Format(PyExc_ValueError, "bad instruction %zd", pc / 6); return -1; }
    }
    return 0;
}

static void program_dealloc(ProgramObject *o) {
    for (int k = 0; k < 4; k++) if (o->owners[k]) { PyBuffer_Release(&o->bufs[k]); Py_DECREF(o->owners[k]); }
    free(o->one);
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
    o->one = malloc(sizeof(double) * ((size_t)nregs + (size_t)nin + (size_t)nout + 1));
    if (!o->one) { Py_DECREF(o); return PyErr_NoMemory(); }
    return (PyObject *)o;
}

static void setup(const ProgramObject *o, Prog *p, int bs) {
    p->code = o->code; p->ncode = o->ncode; p->itab = o->itab; p->nitab = o->nitab;
    p->dtab = o->dtab; p->ndtab = o->ndtab; p->nregs = o->nregs; p->bs = bs;
}

/* run(inputs, outputs, flags, n, threads): inputs a tuple of 1-D float64 arrays (any
 * stride, read in place), outputs a tuple of contiguous float64 arrays, flags uint8[n] */
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
    char **out_ptr = calloc(nout + 1, sizeof(char *));
    PyObject *result = NULL;
    double *regs = NULL;
    if (!bin || !bout || !in_ptr || !in_stride || !out_ptr) { PyErr_NoMemory(); goto done; }
    if (PyObject_GetBuffer(flags, &bf, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0) goto done;
    gotf = 1;
    if (bf.len < n) { PyErr_SetString(PyExc_ValueError, "flags too short"); goto done; }
    for (; gin < nin; gin++) {
        Py_buffer *v = &bin[gin];
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(inputs, gin), v, PyBUF_STRIDES | PyBUF_FORMAT) < 0) goto done;
        if (v->itemsize != 8 || v->ndim != 1 || v->shape[0] < n || (v->format && strcmp(v->format, "d") != 0)) {
            gin++;
            PyErr_SetString(PyExc_ValueError, "inputs must be 1-D float64 arrays of n rows");
            goto done;
        }
        in_ptr[gin] = v->buf;
        in_stride[gin] = v->strides ? v->strides[0] : 8;
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
        if (!regs) { PyErr_NoMemory(); goto done; }
        for (int t = 0; t < threads; t++) {
            Prog *p = &w[t].p;
            setup(o, p, BLOCK);
            p->in_ptr = in_ptr; p->in_stride = in_stride; p->out_ptr = out_ptr;
            p->flags = bf.buf;
            w[t].R = regs + (size_t)t * o->nregs * BLOCK;
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
    if (gotf) PyBuffer_Release(&bf);
    for (int k = 0; k < gin; k++) if (bin[k].obj) PyBuffer_Release(&bin[k]);
    for (int k = 0; k < gout; k++) if (bout[k].obj) PyBuffer_Release(&bout[k]);
    free(bin); free(bout); free(in_ptr); free(in_stride); free(out_ptr);
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
    char *out_ptr[o->nout + 1];
    for (int k = 0; k < o->nin; k++) { in_ptr[k] = (const char *)(in + k); in_stride[k] = 8; }
    for (int k = 0; k < o->nout; k++) out_ptr[k] = (char *)(out + k);
    unsigned char flag = 0;
    Work w;
    setup(o, &w.p, 1);
    w.p.in_ptr = in_ptr; w.p.in_stride = in_stride; w.p.out_ptr = out_ptr; w.p.flags = &flag;
    w.R = R; w.lo = 0; w.hi = 1; w.kinit = o->kinit; w.nkinit = o->nkinit;
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
    return PyFloat_FromDouble(exp(x));
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
    {"exp", vm_exp, METH_O, "libm exp of one double (the interpreter's OP_EXP)"},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_vm", "The native tier's block interpreter.", -1, methods};

PyMODINIT_FUNC PyInit__vm(void) {
    if (PyType_Ready(&ProgramType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&ProgramType);
    if (PyModule_AddObject(m, "Program", (PyObject *)&ProgramType) < 0) { Py_DECREF(&ProgramType); Py_DECREF(m); return NULL; }
    PyModule_AddIntConstant(m, "BLOCK", BLOCK);
    PyModule_AddIntConstant(m, "VERSION", 2);
    return m;
}
