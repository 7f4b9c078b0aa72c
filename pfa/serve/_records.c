/* Number records for the server's number-only inputs, read into a block of doubles.
 *
 * records_block(rows, keys) reads a list of decoded JSON objects (exact dicts) that each hold
 * exactly the string keys ``keys`` with JSON numbers (exact floats or ints; booleans are not
 * numbers) and returns their values as a bytearray of len(rows) * len(keys) native doubles,
 * row after row in the order of ``keys``. Anything else (an empty list, a row that is not an
 * exact dict, a missing or extra key, any other value, an integer beyond double range)
 * returns None: the caller's general path then reads the rows and reports what is wrong.
 * Integers are rounded to the nearest double as float() does.
 *
 * parse_records(body, keys) reads the same block straight from a request body's bytes, for
 * the two shapes of MLflow's protocol that carry number records:
 *     {"dataframe_records" | "instances" | "inputs": [{key: number, ...}, ...]}
 *     {"dataframe_split": {"columns": [key, ...], "data": [[number, ...], ...]}}
 * ("dataframe_split" may also hold an "index" of numbers, and its "columns" come before
 * "data"), and returns the bytearray or None. It reads only what it understands and
 * returns None for anything else (escapes in strings, other members, other values, an empty
 * batch, an integer beyond double range, ...), so a body it reads is one that the JSON
 * decoder and the general path read to the same doubles: numbers are rounded correctly
 * (exactly, by one IEEE operation, when they have at most 15 significant digits and a small
 * exponent; else by Python's own string-to-double), an integer token becomes float(int)
 * (so "-0" is 0.0) and a fraction or exponent overflowing double is ±inf as float() has it.
 *
 * A lookup can run Python code only through a key object of the caller's with its own __eq__;
 * the list's length is read again and the row held while it is read, so even that is safe.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

static PyObject *records_block(PyObject *self, PyObject *args) {
    PyObject *rows, *keys;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &rows, &PyTuple_Type, &keys))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(rows), k = PyTuple_GET_SIZE(keys);
    if (n == 0 || k == 0)
        Py_RETURN_NONE;
    for (Py_ssize_t j = 0; j < k; j++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(keys, j))) {
            PyErr_SetString(PyExc_TypeError, "keys must be a tuple of str");
            return NULL;
        }
    }
    if (n > PY_SSIZE_T_MAX / k / (Py_ssize_t)sizeof(double))
        Py_RETURN_NONE;
    PyObject *out = PyByteArray_FromStringAndSize(NULL, n * k * (Py_ssize_t)sizeof(double));
    if (!out)
        return NULL;
    double *block = (double *)PyByteArray_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i >= PyList_GET_SIZE(rows))
            goto refuse;
        PyObject *row = PyList_GET_ITEM(rows, i);
        if (!PyDict_CheckExact(row) || PyDict_GET_SIZE(row) != k)
            goto refuse;
        Py_INCREF(row);
        for (Py_ssize_t j = 0; j < k; j++) {
            PyObject *v = PyDict_GetItemWithError(row, PyTuple_GET_ITEM(keys, j));
            double x;
            if (v != NULL && PyFloat_CheckExact(v)) {
                x = PyFloat_AS_DOUBLE(v);
            } else if (v != NULL && PyLong_CheckExact(v)) {
                x = PyLong_AsDouble(v); /* correctly rounded, as float() */
                if (x == -1.0 && PyErr_Occurred()) {
                    Py_DECREF(row); /* beyond double range */
                    goto refuse;
                }
            } else { /* missing (or a failed lookup), or not a JSON number */
                Py_DECREF(row);
                goto refuse;
            }
            block[i * k + j] = x;
        }
        Py_DECREF(row);
    }
    return out;
refuse:
    PyErr_Clear();
    Py_DECREF(out);
    Py_RETURN_NONE;
}


/* -- parse_records ------------------------------------------------------------------------ */

#define MAX_NUMBER 400 /* longer number tokens are left to the general path */

typedef struct {
    const char *p, *end;
} Cursor;

static void skip_ws(Cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
        c->p++;
}

/* The structural character ``ch`` after optional whitespace. */
static int expect(Cursor *c, char ch) {
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* Whether the next non-space character is ``ch`` (not consumed). */
static int peek(Cursor *c, char ch) {
    skip_ws(c);
    return c->p < c->end && *c->p == ch;
}

/* A string without escapes or control characters: its bytes between the quotes. */
static int string_token(Cursor *c, const char **s, Py_ssize_t *len) {
    if (!expect(c, '"'))
        return 0;
    const char *a = c->p;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '\\' || ch < 0x20)
            return 0;
        c->p++;
    }
    if (c->p >= c->end)
        return 0;
    *s = a;
    *len = c->p - a;
    c->p++;
    return 1;
}

/* Whether the token text ``s`` (``len`` bytes) is ``name``. */
static int spells(const char *s, Py_ssize_t len, const char *name) {
    return (size_t)len == strlen(name) && !memcmp(s, name, (size_t)len);
}

/* The index of the key the next string token spells, or -1. */
static Py_ssize_t key_token(Cursor *c, const char **names, const Py_ssize_t *lens,
                            Py_ssize_t k) {
    const char *s;
    Py_ssize_t len;
    if (!string_token(c, &s, &len))
        return -1;
    for (Py_ssize_t j = 0; j < k; j++)
        if (lens[j] == len && !memcmp(names[j], s, len))
            return j;
    return -1;
}

static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A JSON number, as the JSON decoder and float() give it. */
static int number_token(Cursor *c, double *out) {
    skip_ws(c);
    const char *a = c->p, *p = a, *end = c->end;
    int neg = 0, integer = 1, exact = 1, nd = 0;
    uint64_t m = 0;
    long e10 = 0;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end)
        return 0;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') {
            if (nd < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                nd++;
            } else {
                exact = 0;
            }
            p++;
        }
    } else {
        return 0;
    }
    if (p < end && *p == '.') {
        integer = 0;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return 0;
        while (p < end && *p >= '0' && *p <= '9') {
            if (m == 0 && *p == '0') {
                e10--; /* a leading zero */
            } else if (nd < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                nd++;
                e10--;
            } else {
                exact = 0;
            }
            p++;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        integer = 0;
        p++;
        int eneg = 0;
        long ev = 0;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p >= end || *p < '0' || *p > '9')
            return 0;
        while (p < end && *p >= '0' && *p <= '9') {
            if (ev < 100000)
                ev = ev * 10 + (*p - '0');
            p++;
        }
        e10 += eneg ? -ev : ev;
    }
    c->p = p;
    if (exact && m <= ((uint64_t)1 << 53) && e10 >= -22 && e10 <= 22) {
        double v = (double)m; /* exact: m < 2^53, and so is 10^|e10| */
        v = e10 < 0 ? v / POW10[-e10] : v * POW10[e10];
        *out = neg && !(integer && m == 0) ? -v : v; /* float(int("-0")) is 0.0 */
        return 1;
    }
    Py_ssize_t len = p - a;
    if (len >= MAX_NUMBER)
        return 0;
    char buf[MAX_NUMBER];
    memcpy(buf, a, len);
    buf[len] = '\0';
    double v = PyOS_string_to_double(buf, NULL, NULL); /* ±inf beyond range */
    if (v == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    if (integer && !isfinite(v))
        return 0; /* float(int) of an integer beyond double range raises */
    *out = v;
    return 1;
}

typedef struct {
    double *data;
    Py_ssize_t rows, cap;
} Block;

/* Room for one more row of k doubles. */
static double *next_row(Block *b, Py_ssize_t k) {
    if (b->rows == b->cap) {
        Py_ssize_t cap = b->cap ? 2 * b->cap : 64;
        if (cap > PY_SSIZE_T_MAX / k / (Py_ssize_t)sizeof(double))
            return NULL;
        double *d = PyMem_Realloc(b->data, (size_t)(cap * k) * sizeof(double));
        if (!d)
            return NULL;
        b->data = d;
        b->cap = cap;
    }
    return b->data + (b->rows++) * k;
}

/* [{key: number, ...}, ...] */
static int record_rows(Cursor *c, Block *b, const char **names, const Py_ssize_t *lens,
                       Py_ssize_t k, char *seen) {
    if (!expect(c, '['))
        return 0;
    if (peek(c, ']'))
        return 0; /* no rows: the general path answers */
    do {
        double *row = next_row(b, k);
        if (!row || !expect(c, '{'))
            return 0;
        memset(seen, 0, (size_t)k);
        for (Py_ssize_t got = 0; got < k; got++) {
            if (got && !expect(c, ','))
                return 0;
            Py_ssize_t j = key_token(c, names, lens, k);
            if (j < 0 || seen[j] || !expect(c, ':') || !number_token(c, &row[j]))
                return 0;
            seen[j] = 1;
        }
        if (!expect(c, '}'))
            return 0;
    } while (expect(c, ','));
    return expect(c, ']');
}

/* {"columns": [...], "data": [[...], ...]} with an optional "index" of numbers. */
static int split_rows(Cursor *c, Block *b, const char **names, const Py_ssize_t *lens,
                      Py_ssize_t k, char *seen, Py_ssize_t *order) {
    int have_columns = 0, have_data = 0, have_index = 0;
    if (!expect(c, '{'))
        return 0;
    do {
        const char *s;
        Py_ssize_t len;
        if (!string_token(c, &s, &len) || !expect(c, ':'))
            return 0;
        if (spells(s, len, "columns") && !have_columns) {
            have_columns = 1;
            memset(seen, 0, (size_t)k);
            if (!expect(c, '['))
                return 0;
            for (Py_ssize_t got = 0; got < k; got++) {
                if (got && !expect(c, ','))
                    return 0;
                Py_ssize_t j = key_token(c, names, lens, k);
                if (j < 0 || seen[j])
                    return 0;
                seen[j] = 1;
                order[got] = j;
            }
            if (!expect(c, ']'))
                return 0;
        } else if (spells(s, len, "index") && !have_index) {
            have_index = 1;
            double skip;
            if (!expect(c, '['))
                return 0;
            if (!expect(c, ']')) {
                do {
                    if (!number_token(c, &skip))
                        return 0;
                } while (expect(c, ','));
                if (!expect(c, ']'))
                    return 0;
            }
        } else if (spells(s, len, "data") && have_columns && !have_data) {
            have_data = 1;
            if (!expect(c, '[') || peek(c, ']'))
                return 0;
            do {
                double *row = next_row(b, k);
                if (!row || !expect(c, '['))
                    return 0;
                for (Py_ssize_t got = 0; got < k; got++) {
                    if ((got && !expect(c, ',')) || !number_token(c, &row[order[got]]))
                        return 0;
                }
                if (!expect(c, ']'))
                    return 0;
            } while (expect(c, ','));
            if (!expect(c, ']'))
                return 0;
        } else {
            return 0;
        }
    } while (expect(c, ','));
    return have_data && expect(c, '}');
}

static PyObject *parse_records(PyObject *self, PyObject *args) {
    Py_buffer body;
    PyObject *keys;
    if (!PyArg_ParseTuple(args, "y*O!", &body, &PyTuple_Type, &keys))
        return NULL;
    Py_ssize_t k = PyTuple_GET_SIZE(keys);
    PyObject *result = NULL;
    Block b = {NULL, 0, 0};
    /* per key: its UTF-8 text and length, its place in a split's columns, whether seen */
    const char **names = NULL;
    Py_ssize_t *lens = NULL, *order = NULL;
    char *seen = NULL;
    if (k == 0 || k > 1000000)
        goto none;
    names = PyMem_Malloc((size_t)k * sizeof(*names));
    lens = PyMem_Malloc((size_t)k * sizeof(*lens));
    order = PyMem_Malloc((size_t)k * sizeof(*order));
    seen = PyMem_Malloc((size_t)k);
    if (!names || !lens || !order || !seen) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < k; j++) {
        PyObject *key = PyTuple_GET_ITEM(keys, j);
        if (!PyUnicode_CheckExact(key)) {
            PyErr_SetString(PyExc_TypeError, "keys must be a tuple of str");
            goto done;
        }
        names[j] = PyUnicode_AsUTF8AndSize(key, &lens[j]);
        if (!names[j]) {
            PyErr_Clear(); /* (a lone surrogate: no body spells it) */
            goto none;
        }
    }
    Cursor c = {(const char *)body.buf, (const char *)body.buf + body.len};
    const char *s;
    Py_ssize_t len;
    if (!expect(&c, '{') || !string_token(&c, &s, &len) || !expect(&c, ':'))
        goto none;
    int ok;
    if (spells(s, len, "dataframe_records") || spells(s, len, "instances") ||
        spells(s, len, "inputs"))
        ok = record_rows(&c, &b, names, lens, k, seen);
    else if (spells(s, len, "dataframe_split"))
        ok = split_rows(&c, &b, names, lens, k, seen, order);
    else
        ok = 0;
    if (!ok || !expect(&c, '}'))
        goto none;
    skip_ws(&c);
    if (c.p != c.end)
        goto none;
    result = PyByteArray_FromStringAndSize((const char *)b.data,
                                           b.rows * k * (Py_ssize_t)sizeof(double));
    goto done;
none:
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(b.data);
    PyMem_Free(names);
    PyMem_Free(lens);
    PyMem_Free(order);
    PyMem_Free(seen);
    PyBuffer_Release(&body);
    return result;
}

static PyMethodDef methods[] = {
    {"records_block", records_block, METH_VARARGS,
     "records_block(rows, keys) -> bytearray of doubles, or None"},
    {"parse_records", parse_records, METH_VARARGS,
     "parse_records(body, keys) -> bytearray of doubles, or None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_records", "Number records read into a block of doubles.", -1, methods,
};

PyMODINIT_FUNC PyInit__records(void) { return PyModule_Create(&module); }
