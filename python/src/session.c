/* session.c — frost.Session: a loaded model and one frost session, with ONNX Runtime's calling
 * shape: Session(path_or_bytes, threads=1, outputs=None, set=None, precision="fp32"), .inputs and
 * .outputs (TensorInfo: name, dtype, shape), run(output_names, feeds) -> [Array] and
 * run_into({output: array}, feeds). Inputs come through the buffer protocol (numpy arrays,
 * array.array, memoryview, frost.Array) and must have exactly the input's dtype; their shape sets
 * the input's shape (a new batch re-plans once, not per call).
 *
 * Rules it keeps: the GIL is released around loading and running, never while a Python object is
 * touched; one lock per session serializes callers (a frost_session is one thread's at a time);
 * an output bound for run_into holds its buffer (and so the array) until it is unbound, so frost
 * never writes into memory Python has freed; run() unbinds first, so it never overwrites an array
 * a caller got from an earlier run_into; every failure raises a frost.Error subclass. */
#include "frostpy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct SessionObject {
    PyObject_HEAD
    frost_model *model;
    frost_session *session;
    int busy;                           /* a call is using the session (read and written
                                           only with the GIL held) */
    int n_in, n_out;
    PyObject **in_names, **out_names;   /* interned str of each input / output */
    frost_dtype *in_dtype;
    Py_buffer *in_view;                 /* per call: the buffer fed to each input */
    char *fed;                          /* per call: which inputs were fed */
    char *strided;                      /* per call: which of them are not C-contiguous */
    Py_buffer *out_bound;               /* run_into: the buffer bound to each output */
    char *is_bound;
    int n_bound;
    int *picked;                        /* per call: output indices asked for */
} SessionObject;

static PyTypeObject *session_type;
static PyTypeObject *tensor_info_type;

/* ---- TensorInfo ------------------------------------------------------------------------------- */

static PyStructSequence_Field tensor_info_fields[] = {
    {"name", "the name to feed or fetch"},
    {"dtype", "NumPy's name of the element type ('float32')"},
    {"shape", "a tuple with None for dimensions set at run time; None when the rank is unknown"},
    {NULL, NULL},
};

static PyStructSequence_Desc tensor_info_desc = {
    "frost.TensorInfo", "An input or output of a Session: name, dtype, shape.", tensor_info_fields, 3,
};

static PyObject *shape_of(const frost_tensor_info *t) {
    if (t->rank < 0 || t->rank > FROST_MAX_RANK) Py_RETURN_NONE;
    PyObject *shape = PyTuple_New(t->rank);
    if (!shape) return NULL;
    for (int d = 0; d < t->rank; d++) {
        PyObject *v = t->dims[d] < 0 ? Py_NewRef(Py_None) : PyLong_FromLongLong(t->dims[d]);
        if (!v) {
            Py_DECREF(shape);
            return NULL;
        }
        PyTuple_SetItem(shape, d, v);
    }
    return shape;
}

/* `name`: the session's interned name (so that feeding info.name finds it at once). */
static PyObject *tensor_info_new(const frost_tensor_info *t, PyObject *name) {
    PyObject *info = PyStructSequence_New(tensor_info_type);
    if (!info) return NULL;
    Py_INCREF(name);
    PyObject *dtype = PyUnicode_FromString(frostpy_dtype_name(t->dtype));
    PyObject *shape = shape_of(t);
    if (!name || !dtype || !shape) {
        Py_XDECREF(name);
        Py_XDECREF(dtype);
        Py_XDECREF(shape);
        Py_DECREF(info);
        return NULL;
    }
    PyStructSequence_SetItem(info, 0, name);
    PyStructSequence_SetItem(info, 1, dtype);
    PyStructSequence_SetItem(info, 2, shape);
    return info;
}

/* ---- errors ----------------------------------------------------------------------------------- */

static void clear_error(frost_error *err) {
    err->code = FROST_OK;
    err->message[0] = err->node[0] = err->op[0] = 0;
    err->file_offset = -1;
}

/* Raises what a call that returned `st` reported (its status, should it have left err unset). */
static void raise_status(frost_status st, frost_error *err) {
    if (err->code == FROST_OK) err->code = st;
    frostpy_raise(err);
}

/* ---- one caller at a time ---------------------------------------------------------------------- */

/* `busy` is only touched with the GIL held, so it needs no atomics; a second thread calling the
 * same session (a misuse, but not a crash) waits for the first without holding the GIL. The
 * uncontended path costs a load and a store, against ~30 ns for a semaphore. */
static void lock_session(SessionObject *self) {
    while (self->busy) {
        Py_BEGIN_ALLOW_THREADS
        struct timespec pause = {0, 20000};
        nanosleep(&pause, NULL);
        Py_END_ALLOW_THREADS
    }
    self->busy = 1;
}

static void unlock_session(SessionObject *self) { self->busy = 0; }

/* ---- construction ----------------------------------------------------------------------------- */

static int parse_precision(PyObject *arg, int *out) {
    if (!arg || arg == Py_None) {
        *out = FROST_PRECISION_F32;
        return 0;
    }
    const char *p = PyUnicode_Check(arg) ? PyUnicode_AsUTF8AndSize(arg, NULL) : NULL;
    if (!p) {
        PyErr_Clear();
        frostpy_raise_msg(FROST_E_INVALID_ARG, "precision must be \"fp32\", \"bf16\" or \"int8\"");
        return -1;
    }
    if (strcmp(p, "fp32") == 0 || strcmp(p, "f32") == 0 || strcmp(p, "float32") == 0)
        *out = FROST_PRECISION_F32;
    else if (strcmp(p, "bf16") == 0 || strcmp(p, "bfloat16") == 0)
        *out = FROST_PRECISION_BF16;
    else if (strcmp(p, "int8") == 0)
        *out = FROST_PRECISION_INT8;
    else {
        frostpy_raise_msg(FROST_E_INVALID_ARG,
                          "precision must be \"fp32\", \"bf16\" or \"int8\", not \"%.100s\"", p);
        return -1;
    }
    return 0;
}

/* The name of obj's type ("list") for a message. */
static const char *type_name(PyObject *obj, char *buf, size_t cap) {
    PyObject *name = PyType_GetName(Py_TYPE(obj));
    const char *s = name ? PyUnicode_AsUTF8AndSize(name, NULL) : NULL;
    snprintf(buf, cap, "%s", s ? s : "?");
    Py_XDECREF(name);
    PyErr_Clear();
    return buf;
}

/* The bytes of a name (str) as frost sees them: UTF-8, with the undecodable bytes of a model's
 * names given back as they were (surrogateescape, how the module decodes them). The pointer lives as
 * long as the bytes object appended to `keep`. NULL with frost.InvalidArgument for a non-str. */
static const char *name_of(PyObject *obj, const char *what, PyObject *keep) {
    if (!PyUnicode_Check(obj)) {
        char tn[64];
        frostpy_raise_msg(FROST_E_INVALID_ARG, "%s must be str, not %s", what,
                          type_name(obj, tn, sizeof tn));
        return NULL;
    }
    PyObject *bytes = PyUnicode_AsEncodedString(obj, "utf-8", "surrogateescape");
    if (!bytes) return NULL;
    int rc = PyList_Append(keep, bytes);
    Py_DECREF(bytes);
    if (rc < 0) return NULL;
    char *text;
    Py_ssize_t len;
    if (PyBytes_AsStringAndSize(bytes, &text, &len) < 0) return NULL;
    if ((size_t)len != strlen(text)) {
        frostpy_raise_msg(FROST_E_INVALID_ARG, "%s contains a NUL character", what);
        return NULL;
    }
    return text;
}

/* A name for a message (a model's name that is not UTF-8 cannot be shown as it is). */
static const char *shown(PyObject *name) {
    const char *s = PyUnicode_AsUTF8AndSize(name, NULL);
    if (!s) PyErr_Clear();
    return s ? s : "(a name that is not UTF-8)";
}

/* A name from the model as a str: interned (so a caller's info.name is found by identity), its
 * bytes that are not UTF-8 kept as surrogates rather than refused. */
static PyObject *str_of_name(const char *name) {
    PyObject *s = PyUnicode_DecodeUTF8(name, (Py_ssize_t)strlen(name), "surrogateescape");
    if (s) PyUnicode_InternInPlace(&s);
    return s;
}

/* outputs=: a sequence of names (not one str, which would read as its letters). */
static int parse_outputs(PyObject *arg, PyObject *keep, PyObject **seq, const char ***names, int *n) {
    *seq = NULL;
    *names = NULL;
    *n = 0;
    if (!arg || arg == Py_None) return 0;
    if (PyUnicode_Check(arg) || !PySequence_Check(arg)) {
        frostpy_raise_msg(FROST_E_INVALID_ARG, "outputs must be a list of names or None");
        return -1;
    }
    *seq = PySequence_Tuple(arg);
    if (!*seq) return -1;
    Py_ssize_t count = PyTuple_Size(*seq);
    if (count > 100000) {
        frostpy_raise_msg(FROST_E_INVALID_ARG, "outputs lists %zd names", count);
        return -1;
    }
    *names = PyMem_Calloc((size_t)count + 1, sizeof **names);
    if (!*names) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        (*names)[i] = name_of(PyTuple_GetItem(*seq, i), "each name in outputs", keep);
        if (!(*names)[i]) return -1;
    }
    *n = (int)count;
    return 0;
}

/* set=: {input name: number}, fixed at load (frost_load_options.fixed_inputs). */
static int parse_fixed(PyObject *arg, PyObject *keep, PyObject **items, frost_fixed_input **fixed,
                       int *n) {
    *items = NULL;
    *fixed = NULL;
    *n = 0;
    if (!arg || arg == Py_None) return 0;
    if (!PyDict_Check(arg)) {
        frostpy_raise_msg(FROST_E_INVALID_ARG, "set must be a dict {input name: number}");
        return -1;
    }
    *items = PyDict_Items(arg);
    if (!*items) return -1;
    Py_ssize_t count = PyList_Size(*items);
    if (count > 100000) {
        frostpy_raise_msg(FROST_E_INVALID_ARG, "set has %zd entries", count);
        return -1;
    }
    *fixed = PyMem_Calloc((size_t)count + 1, sizeof **fixed);
    if (!*fixed) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *pair = PyList_GetItem(*items, i);
        PyObject *key = PyTuple_GetItem(pair, 0), *value = PyTuple_GetItem(pair, 1);
        (*fixed)[i].name = name_of(key, "each name in set", keep);
        if (!(*fixed)[i].name) return -1;
        if (!PyFloat_Check(value) && !PyLong_Check(value)) {
            frostpy_raise_msg(FROST_E_INVALID_ARG, "set['%s'] must be a number (int, float, bool)",
                              (*fixed)[i].name);
            return -1;
        }
        (*fixed)[i].value = PyFloat_AsDouble(value);
        if ((*fixed)[i].value == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            frostpy_raise_msg(FROST_E_INVALID_ARG, "set['%s'] does not fit a float",
                              (*fixed)[i].name);
            return -1;
        }
    }
    *n = (int)count;
    return 0;
}

/* Loads from a path (str, bytes path or os.PathLike) or from the bytes of a model (any other buffer). */
static frost_status load_model(PyObject *source, const frost_load_options *lo, frost_model **model,
                               frost_error *err) {
    frost_status rc;
    if (PyUnicode_Check(source) || PyObject_HasAttrString(source, "__fspath__")) {
        PyObject *path = NULL;
        if (!PyUnicode_FSConverter(source, &path)) return FROST_E_INVALID_ARG;
        const char *p = PyBytes_AsString(path);
        Py_BEGIN_ALLOW_THREADS
        rc = frost_model_load_file(p, lo, model, err);
        Py_END_ALLOW_THREADS
        Py_DECREF(path);
        return rc;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(source, &view, PyBUF_SIMPLE) < 0) {
        PyErr_Clear();
        frostpy_raise_msg(FROST_E_INVALID_ARG,
                          "Session() takes a path (str or os.PathLike) or the model's bytes");
        return FROST_E_INVALID_ARG;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = frost_model_load_memory(view.buf, (size_t)view.len, lo, model, err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return rc;
}

static int cache_names(SessionObject *self) {
    size_t n_in = (size_t)self->n_in, n_out = (size_t)self->n_out;
    self->in_names = PyMem_Calloc(n_in + 1, sizeof *self->in_names);
    self->out_names = PyMem_Calloc(n_out + 1, sizeof *self->out_names);
    self->in_dtype = PyMem_Calloc(n_in + 1, sizeof *self->in_dtype);
    self->in_view = PyMem_Calloc(n_in + 1, sizeof *self->in_view);
    self->fed = PyMem_Calloc(n_in + 1, 1);
    self->strided = PyMem_Calloc(n_in + 1, 1);
    self->out_bound = PyMem_Calloc(n_out + 1, sizeof *self->out_bound);
    self->is_bound = PyMem_Calloc(n_out + 1, 1);
    self->picked = PyMem_Calloc(n_out + 1, sizeof *self->picked);
    if (!self->in_names || !self->out_names || !self->in_dtype || !self->in_view || !self->fed || !self->strided ||
        !self->out_bound || !self->is_bound || !self->picked) {
        PyErr_NoMemory();
        return -1;
    }
    for (int i = 0; i < self->n_in; i++) {
        frost_tensor_info t;
        if (frost_session_input_info(self->session, i, &t) != FROST_OK || !t.name) {
            frostpy_raise_msg(FROST_E_INTERNAL, "input %d has no name", i);
            return -1;
        }
        self->in_dtype[i] = t.dtype;
        self->in_names[i] = str_of_name(t.name);
        if (!self->in_names[i]) return -1;
    }
    for (int i = 0; i < self->n_out; i++) {
        frost_tensor_info t;
        if (frost_session_output_info(self->session, i, &t) != FROST_OK || !t.name) {
            frostpy_raise_msg(FROST_E_INTERNAL, "output %d has no name", i);
            return -1;
        }
        self->out_names[i] = str_of_name(t.name);
        if (!self->out_names[i]) return -1;
    }
    return 0;
}

static int session_init(PyObject *obj, PyObject *args, PyObject *kwargs) {
    SessionObject *self = (SessionObject *)obj;
    static char *keywords[] = {"path_or_bytes", "threads", "outputs", "set", "precision", NULL};
    PyObject *source, *outputs_arg = Py_None, *set_arg = Py_None, *precision_arg = Py_None;
    int threads = 1;
    if (self->model) {
        frostpy_raise_msg(FROST_E_STATE, "Session.__init__ called twice");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$iOOO:Session", keywords, &source, &threads,
                                     &outputs_arg, &set_arg, &precision_arg)) {
        /* The caller's arguments are wrong: say so as a frost error, keeping Python's message. */
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyObject *text = value ? PyObject_Str(value) : NULL;
        const char *msg = text ? PyUnicode_AsUTF8AndSize(text, NULL) : NULL;
        PyErr_Clear();
        frostpy_raise_msg(FROST_E_INVALID_ARG, "%s", msg ? msg : "bad arguments to Session()");
        Py_XDECREF(text);
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
        return -1;
    }
    if (threads < 1 || threads > 1024) {
        frostpy_raise_msg(FROST_E_INVALID_ARG, "threads must be from 1 to 1024, not %d", threads);
        return -1;
    }
    int precision;
    PyObject *out_seq = NULL, *set_items = NULL, *keep = PyList_New(0);
    if (!keep) return -1;
    const char **out_names = NULL;
    frost_fixed_input *fixed = NULL;
    int n_outputs = 0, n_fixed = 0, rc = -1;
    if (parse_precision(precision_arg, &precision) < 0 ||
        parse_outputs(outputs_arg, keep, &out_seq, &out_names, &n_outputs) < 0 ||
        parse_fixed(set_arg, keep, &set_items, &fixed, &n_fixed) < 0)
        goto done;

    frost_load_options lo;
    memset(&lo, 0, sizeof lo);
    lo.struct_size = sizeof lo;
    lo.outputs = n_outputs ? out_names : NULL;
    lo.n_outputs = n_outputs;
    lo.weights_precision = precision;
    lo.fixed_inputs = n_fixed ? fixed : NULL;
    lo.n_fixed_inputs = n_fixed;
    frost_error err;
    clear_error(&err);
    frost_status st = load_model(source, &lo, &self->model, &err);
    if (st != FROST_OK) {
        if (!PyErr_Occurred()) raise_status(st, &err);
        goto done;
    }
    frost_session_options so;
    memset(&so, 0, sizeof so);
    so.struct_size = sizeof so;
    so.n_threads = threads;
    so.spin_us = -1;
    Py_BEGIN_ALLOW_THREADS
    st = frost_session_create(self->model, &so, &self->session, &err);
    Py_END_ALLOW_THREADS
    if (st != FROST_OK) {
        raise_status(st, &err);
        goto done;
    }
    self->n_in = frost_session_input_count(self->session);
    self->n_out = frost_session_output_count(self->session);
    rc = cache_names(self);
done:
    Py_XDECREF(out_seq);
    Py_XDECREF(set_items);
    Py_DECREF(keep);
    PyMem_Free(out_names);
    PyMem_Free(fixed);
    return rc;
}

static void unbind_all(SessionObject *self) {
    for (int i = 0; i < self->n_out && self->n_bound; i++) {
        if (!self->is_bound[i]) continue;
        frost_session_bind_output(self->session, i, NULL, 0, NULL);
        PyBuffer_Release(&self->out_bound[i]);
        self->is_bound[i] = 0;
        self->n_bound--;
    }
}

static void session_dealloc(PyObject *obj) {
    SessionObject *self = (SessionObject *)obj;
    PyTypeObject *type = Py_TYPE(obj);
    if (self->session) unbind_all(self);
    frost_session_free(self->session);
    frost_model_free(self->model);
    for (int i = 0; self->in_names && i < self->n_in; i++) Py_XDECREF(self->in_names[i]);
    for (int i = 0; self->out_names && i < self->n_out; i++) Py_XDECREF(self->out_names[i]);
    PyMem_Free(self->in_names);
    PyMem_Free(self->out_names);
    PyMem_Free(self->in_dtype);
    PyMem_Free(self->in_view);
    PyMem_Free(self->fed);
    PyMem_Free(self->strided);
    PyMem_Free(self->out_bound);
    PyMem_Free(self->is_bound);
    PyMem_Free(self->picked);
    freefunc tp_free = (freefunc)PyType_GetSlot(type, Py_tp_free);
    tp_free(obj);
    Py_DECREF((PyObject *)type);
}

static int ready(SessionObject *self) {
    if (self->session) return 0;
    frostpy_raise_msg(FROST_E_STATE, "the Session was not initialized (its __init__ failed)");
    return -1;
}

/* ---- attributes ------------------------------------------------------------------------------- */

typedef frost_status (*model_info_fn)(const frost_model *, int, frost_tensor_info *);

static PyObject *info_list_locked(SessionObject *self, int count, int use_inputs) {
    PyObject *list = PyList_New(count);
    if (!list) return NULL;
    for (int i = 0; i < count; i++) {
        /* Declared shapes (None where set at run time), with the session's names and dtypes. */
        frost_tensor_info t;
        frost_status st = use_inputs ? frost_model_input_info(self->model, i, &t)
                                     : frost_session_output_info(self->session, i, &t);
        if (!use_inputs && st == FROST_OK) {
            frost_tensor_info declared;
            if (frost_model_find(self->model, t.name, &declared, NULL) == FROST_OK) {
                t.rank = declared.rank;
                memcpy(t.dims, declared.dims, sizeof t.dims);
            }
        }
        PyObject *name = use_inputs ? self->in_names[i] : self->out_names[i];
        PyObject *info = st == FROST_OK ? tensor_info_new(&t, name)
                                        : frostpy_raise_msg(FROST_E_INTERNAL, "no info for %d", i);
        if (!info) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SetItem(list, i, info);
    }
    return list;
}

static PyObject *info_list(SessionObject *self, int count, int use_inputs) {
    if (ready(self) < 0) return NULL;
    lock_session(self);   /* the session's tables are not to be read while another thread runs */
    PyObject *list = info_list_locked(self, count, use_inputs);
    unlock_session(self);
    return list;
}

static PyObject *session_inputs(PyObject *self, void *closure) {
    return info_list((SessionObject *)self, ((SessionObject *)self)->n_in, 1);
}

static PyObject *session_outputs(PyObject *self, void *closure) {
    return info_list((SessionObject *)self, ((SessionObject *)self)->n_out, 0);
}

/* ---- feeding ---------------------------------------------------------------------------------- */

/* Index of a session input or output by name: the cached name first (the same interned object
 * for a literal in the caller's code), then frost's own lookup (aliases, and the suggestions). */
static int find_index(SessionObject *self, PyObject *key, int inputs) {
    PyObject **names = inputs ? self->in_names : self->out_names;
    int n = inputs ? self->n_in : self->n_out;
    for (int i = 0; i < n; i++)
        if (names[i] == key) return i;
    if (!PyUnicode_Check(key)) {
        char tn[64];
        frostpy_raise_msg(FROST_E_INVALID_ARG, "%s name must be str, not %s",
                          inputs ? "an input" : "an output", type_name(key, tn, sizeof tn));
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (PyUnicode_Compare(names[i], key) == 0) return i;
    PyObject *keep = PyList_New(0);
    const char *s = keep ? name_of(key, inputs ? "an input name" : "an output name", keep) : NULL;
    if (!s) {
        Py_XDECREF(keep);
        return -1;
    }
    int index = -1;
    frost_error err;
    clear_error(&err);
    frost_status st = inputs ? frost_session_input_index(self->session, s, &index, &err)
                             : frost_session_output_index(self->session, s, &index, &err);
    Py_DECREF(keep);
    if (st != FROST_OK) {
        if (err.code == FROST_OK) err.code = st;
        if (st == FROST_E_NOT_FOUND) {
            /* frost suggests names close in spelling; the ones the caller can use help as much. */
            size_t len = strlen(err.message);
            len += (size_t)snprintf(err.message + len, sizeof err.message - len,
                                    "; the session's %s%s %s ", inputs ? "input" : "output",
                                    n == 1 ? "" : "s", n == 1 ? "is" : "are");
            for (int i = 0; i < n && len < sizeof err.message - 1; i++) {
                const char *name = shown(names[i]);
                if (i == 6 && n > 7) {
                    len += (size_t)snprintf(err.message + len, sizeof err.message - len,
                                            ", ... (%d in all)", n);
                    break;
                }
                len += (size_t)snprintf(err.message + len, sizeof err.message - len, "%s'%s'",
                                        i ? ", " : "", name ? name : "?");
            }
        }
        frostpy_raise(&err);
        return -1;
    }
    return index;
}

static void release_inputs(SessionObject *self) {
    for (int i = 0; i < self->n_in; i++) {
        if (self->fed[i]) PyBuffer_Release(&self->in_view[i]);
        self->fed[i] = 0;
    }
}

/* Takes every feed's buffer, checks its dtype and sets the input shapes. On failure releases what
 * it took. */
static int take_inputs(SessionObject *self, PyObject *feeds) {
    if (!PyDict_Check(feeds)) {
        frostpy_raise_msg(FROST_E_INVALID_ARG, "the inputs must be a dict {input name: array}");
        return -1;
    }
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    int given = 0;
    while (PyDict_Next(feeds, &pos, &key, &value)) {
        int i = find_index(self, key, 1);
        if (i < 0) goto fail;
        const char *name = shown(self->in_names[i]);
        if (self->fed[i]) {
            frostpy_raise_msg(FROST_E_INVALID_ARG, "input '%s' is given twice", name);
            goto fail;
        }
        if (PyObject_GetBuffer(value, &self->in_view[i], PyBUF_RECORDS_RO) < 0) {
            PyErr_Clear();
            char tn[64];
            frostpy_raise_msg(FROST_E_INVALID_ARG,
                              "input '%s': a %s has no buffer; give a numpy array, array.array, "
                              "memoryview or frost.Array",
                              name, type_name(value, tn, sizeof tn));
            goto fail;
        }
        self->fed[i] = 1;
        given++;
        Py_buffer *v = &self->in_view[i];
        frost_dtype got = frostpy_dtype_of_buffer(v);
        if (got != self->in_dtype[i]) {
            char desc[96];
            frostpy_describe_buffer(v, desc, sizeof desc);
            frostpy_raise_msg(FROST_E_DTYPE, "input '%s' is %s but the array is %s", name,
                              frostpy_dtype_name(self->in_dtype[i]), desc);
            goto fail;
        }
        if (v->ndim > FROST_MAX_RANK) {
            frostpy_raise_msg(FROST_E_SHAPE, "input '%s': the array has %d dimensions (at most %d)",
                              name, v->ndim, FROST_MAX_RANK);
            goto fail;
        }
        int64_t dims[FROST_MAX_RANK];
        Py_ssize_t stride = v->itemsize;
        self->strided[i] = 0;
        for (int d = v->ndim - 1; d >= 0; d--) {
            dims[d] = (int64_t)v->shape[d];
            if (v->strides && v->shape[d] > 1 && v->strides[d] != stride) self->strided[i] = 1;
            stride *= v->shape[d];
        }
        frost_error err;
        clear_error(&err);
        frost_status st = frost_session_set_input_shape(self->session, i, v->ndim, dims, &err);
        if (st != FROST_OK) {
            raise_status(st, &err);
            goto fail;
        }
    }
    if (given != self->n_in) {
        char missing[400] = "";
        size_t len = 0;
        for (int i = 0; i < self->n_in && len < sizeof missing - 8; i++) {
            if (self->fed[i]) continue;
            len += (size_t)snprintf(missing + len, sizeof missing - len, "%s'%s'", len ? ", " : "",
                                    shown(self->in_names[i]));
        }
        frostpy_raise_msg(FROST_E_INVALID_ARG, "no value given for input%s %s",
                          self->n_in - given > 1 ? "s" : "", missing);
        goto fail;
    }
    return 0;
fail:
    release_inputs(self);
    return -1;
}

/* Copies the taken buffers into the session (a strided one element by element) and releases them. */
static int copy_inputs(SessionObject *self) {
    frost_error err;
    clear_error(&err);
    frost_status st = FROST_OK;
    for (int i = 0; i < self->n_in && st == FROST_OK; i++) {
        Py_buffer *v = &self->in_view[i];
        if (!self->strided[i]) {
            st = frost_session_set_input(self->session, i, v->buf, (size_t)v->len, &err);
        } else {
            void *dst = frost_session_input_data(self->session, i);
            if (!dst) {
                frost_status planned = frost_session_plan(self->session, &err);
                if (planned == FROST_OK)
                    frostpy_raise_msg(FROST_E_INTERNAL, "no buffer for input %d", i);
                else
                    raise_status(planned, &err);
                release_inputs(self);
                return -1;
            }
            if (PyBuffer_ToContiguous(dst, v, v->len, 'C') < 0) {
                release_inputs(self);
                return -1;
            }
        }
    }
    release_inputs(self);
    if (st != FROST_OK) {
        raise_status(st, &err);
        return -1;
    }
    return 0;
}

static int run_now(SessionObject *self) {
    frost_error err;
    frost_status st;
    clear_error(&err);
    Py_BEGIN_ALLOW_THREADS
    st = frost_session_run(self->session, &err);
    Py_END_ALLOW_THREADS
    if (st != FROST_OK) {
        raise_status(st, &err);
        return -1;
    }
    return 0;
}

/* Arguments (a, b) of a fast call, by position or by keyword. */
static int two_args(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, const char *fn,
                    const char *first, const char *second, PyObject **a, PyObject **b) {
    *a = *b = NULL;
    if (nargs > 2) {
        frostpy_raise_msg(FROST_E_INVALID_ARG, "%s() takes 2 arguments (%zd given)", fn, nargs);
        return -1;
    }
    if (nargs > 0) *a = args[0];
    if (nargs > 1) *b = args[1];
    Py_ssize_t nk = kwnames ? PyTuple_Size(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nk; k++) {
        const char *kw = PyUnicode_AsUTF8AndSize(PyTuple_GetItem(kwnames, k), NULL);
        PyObject *value = args[nargs + k];
        PyObject **slot = kw && strcmp(kw, first) == 0 ? a : kw && strcmp(kw, second) == 0 ? b : NULL;
        if (!slot || *slot) {
            frostpy_raise_msg(FROST_E_INVALID_ARG, "%s() got %s argument '%s'", fn,
                              slot ? "a second" : "an unexpected keyword", kw ? kw : "?");
            return -1;
        }
        *slot = value;
    }
    if (!*a || !*b) {
        frostpy_raise_msg(FROST_E_INVALID_ARG, "%s() needs %s and %s", fn, first, second);
        return -1;
    }
    return 0;
}

/* ---- run -------------------------------------------------------------------------------------- */

/* Which outputs run() returns: all (None) or the named ones, in their order. Returns the count. */
static int pick_outputs(SessionObject *self, PyObject *names) {
    if (names == Py_None) {
        for (int i = 0; i < self->n_out; i++) self->picked[i] = i;
        return self->n_out;
    }
    if (!PyList_Check(names) && !PyTuple_Check(names)) {
        frostpy_raise_msg(FROST_E_INVALID_ARG, "output_names must be a list of names or None");
        return -1;
    }
    Py_ssize_t n = PySequence_Size(names);
    if (n > self->n_out) {
        frostpy_raise_msg(FROST_E_INVALID_ARG, "%zd output names for a session with %d outputs", n,
                          self->n_out);
        return -1;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *name = PySequence_GetItem(names, k);
        if (!name) return -1;
        int i = find_index(self, name, 0);
        Py_DECREF(name);
        if (i < 0) return -1;
        self->picked[k] = i;
    }
    return (int)n;
}

static PyObject *collect_outputs(SessionObject *self, int count) {
    PyObject *list = PyList_New(count);
    if (!list) return NULL;
    for (int k = 0; k < count; k++) {
        frost_tensor_info info;
        const void *src = frost_session_output_data(self->session, self->picked[k], &info);
        int64_t numel = info.rank >= 0 ? 1 : -1;
        for (int d = 0; d < info.rank; d++) numel *= info.dims[d];
        if (!src && numel != 0) {
            Py_DECREF(list);
            return frostpy_raise_msg(FROST_E_INTERNAL, "output %d has no data", self->picked[k]);
        }
        void *dst;
        size_t bytes;
        PyObject *a = frostpy_array_new(info.dtype, info.rank, info.dims, &dst, &bytes);
        if (!a) {
            Py_DECREF(list);
            return NULL;
        }
        if (bytes) memcpy(dst, src, bytes);
        PyList_SetItem(list, k, a);
    }
    return list;
}

static PyObject *session_run(PyObject *obj, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames) {
    SessionObject *self = (SessionObject *)obj;
    PyObject *names, *feeds;
    if (ready(self) < 0 ||
        two_args(args, nargs, kwnames, "run", "output_names", "input_feed", &names, &feeds) < 0)
        return NULL;
    lock_session(self);
    PyObject *result = NULL;
    int count = pick_outputs(self, names);
    if (count < 0) goto done;
    if (self->n_bound) unbind_all(self);
    if (take_inputs(self, feeds) < 0 || copy_inputs(self) < 0 || run_now(self) < 0) goto done;
    result = collect_outputs(self, count);
done:
    unlock_session(self);
    return result;
}

/* Binds each {output name: array} of run_into, keeping a binding that has not changed. */
static int bind_outputs(SessionObject *self, PyObject *outputs) {
    if (!PyDict_Check(outputs)) {
        frostpy_raise_msg(FROST_E_INVALID_ARG, "the outputs must be a dict {output name: array}");
        return -1;
    }
    /* Plan for the new input shapes first: the outputs' shapes follow from them. */
    frost_error err;
    clear_error(&err);
    frost_status st = frost_session_plan(self->session, &err);
    if (st != FROST_OK) {
        raise_status(st, &err);
        return -1;
    }
    char *want = PyMem_Calloc((size_t)self->n_out + 1, 1);
    if (!want) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    int rc = -1;
    while (PyDict_Next(outputs, &pos, &key, &value)) {
        int i = find_index(self, key, 0);
        if (i < 0) goto done;
        const char *name = shown(self->out_names[i]);
        if (want[i]) {
            frostpy_raise_msg(FROST_E_INVALID_ARG, "output '%s' is given twice", name);
            goto done;
        }
        want[i] = 1;
        Py_buffer v;
        if (PyObject_GetBuffer(value, &v, PyBUF_RECORDS) < 0) {
            PyErr_Clear();
            frostpy_raise_msg(FROST_E_INVALID_ARG,
                              "output '%s': the array must be writable and export the buffer "
                              "protocol (a numpy array, array.array, frost.Array)", name);
            goto done;
        }
        frost_tensor_info info;
        frost_session_output_info(self->session, i, &info);
        char desc[96], shape[160];
        frost_dtype got = frostpy_dtype_of_buffer(&v);
        int shape_ok = v.ndim == info.rank;
        for (int d = 0; shape_ok && d < v.ndim; d++) shape_ok = v.shape[d] == info.dims[d];
        const char *problem = NULL;
        if (got != info.dtype) {
            frostpy_describe_buffer(&v, desc, sizeof desc);
            frostpy_raise_msg(FROST_E_DTYPE, "output '%s' is %s but the array is %s", name,
                              frostpy_dtype_name(info.dtype), desc);
            problem = "dtype";
        } else if (!shape_ok) {
            char have[160];
            size_t n = 0, m = 0;
            for (int d = 0; d < info.rank && n < sizeof shape - 24; d++)
                n += (size_t)snprintf(shape + n, sizeof shape - n, "%s%lld", d ? ", " : "",
                                      (long long)info.dims[d]);
            for (int d = 0; d < v.ndim && m < sizeof have - 24; d++)
                m += (size_t)snprintf(have + m, sizeof have - m, "%s%zd", d ? ", " : "", v.shape[d]);
            shape[n < sizeof shape ? n : sizeof shape - 1] = 0;
            have[m < sizeof have ? m : sizeof have - 1] = 0;
            frostpy_raise_msg(FROST_E_SHAPE, "output '%s' has shape [%s] for these inputs; the "
                              "array is [%s]", name, shape, have);
            problem = "shape";
        } else if (!PyBuffer_IsContiguous(&v, 'C')) {
            frostpy_raise_msg(FROST_E_INVALID_ARG, "output '%s': the array is not C-contiguous "
                              "(frost writes it in place)", name);
            problem = "layout";
        }
        if (problem) {
            PyBuffer_Release(&v);
            goto done;
        }
        if (self->is_bound[i] && self->out_bound[i].buf == v.buf &&
            self->out_bound[i].obj == v.obj && self->out_bound[i].len == v.len) {
            PyBuffer_Release(&v);   /* the same memory: keep the binding and its plan */
            continue;
        }
        st = frost_session_bind_output(self->session, i, v.buf, (size_t)v.len, &err);
        if (st != FROST_OK) {
            PyBuffer_Release(&v);
            raise_status(st, &err);
            goto done;
        }
        if (self->is_bound[i])
            PyBuffer_Release(&self->out_bound[i]);
        else
            self->n_bound++;
        self->out_bound[i] = v;
        self->is_bound[i] = 1;
    }
    /* An output not asked for this time must not keep writing into an older array. */
    for (int i = 0; i < self->n_out; i++) {
        if (want[i] || !self->is_bound[i]) continue;
        frost_session_bind_output(self->session, i, NULL, 0, NULL);
        PyBuffer_Release(&self->out_bound[i]);
        self->is_bound[i] = 0;
        self->n_bound--;
    }
    rc = 0;
done:
    PyMem_Free(want);
    return rc;
}

static PyObject *session_run_into(PyObject *obj, PyObject *const *args, Py_ssize_t nargs,
                                  PyObject *kwnames) {
    SessionObject *self = (SessionObject *)obj;
    PyObject *outputs, *feeds;
    if (ready(self) < 0 ||
        two_args(args, nargs, kwnames, "run_into", "outputs", "input_feed", &outputs, &feeds) < 0)
        return NULL;
    lock_session(self);
    PyObject *result = NULL;
    /* Shapes first (they decide the outputs' shapes), then the bindings (a changed binding
     * re-plans, which may move the inputs), then the input bytes. */
    if (take_inputs(self, feeds) < 0) goto done;
    if (bind_outputs(self, outputs) < 0) {
        release_inputs(self);
        goto done;
    }
    if (copy_inputs(self) < 0 || run_now(self) < 0) goto done;
    result = Py_NewRef(Py_None);
done:
    unlock_session(self);
    return result;
}

static PyObject *session_repr(PyObject *obj) {
    SessionObject *self = (SessionObject *)obj;
    if (!self->session) return PyUnicode_FromString("frost.Session(<not initialized>)");
    return PyUnicode_FromFormat("frost.Session(%d inputs, %d outputs)", self->n_in, self->n_out);
}

static PyGetSetDef session_getset[] = {
    {"inputs", session_inputs, NULL, "The inputs to feed: a list of TensorInfo (name, dtype, shape).",
     NULL},
    {"outputs", session_outputs, NULL, "The outputs it computes: a list of TensorInfo.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef session_methods[] = {
    {"run", (PyCFunction)(void (*)(void))session_run, METH_FASTCALL | METH_KEYWORDS,
     "run(output_names, input_feed) -> list of frost.Array\n\n"
     "Runs the model once. output_names: a list of output names, or None for all of them.\n"
     "input_feed: {input name: array}, every input, each with exactly the input's dtype; the\n"
     "arrays' shapes set the inputs' shapes. The GIL is released while the model runs."},
    {"run_into", (PyCFunction)(void (*)(void))session_run_into, METH_FASTCALL | METH_KEYWORDS,
     "run_into(outputs, input_feed) -> None\n\n"
     "Runs the model writing each output straight into the caller's array: outputs is\n"
     "{output name: array}, each writable, C-contiguous, of the output's dtype and shape. The\n"
     "session keeps a reference to those arrays until a later call binds others (reusing the same\n"
     "arrays call after call costs nothing extra)."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot session_slots[] = {
    {Py_tp_doc, (void *)"Session(path_or_bytes, threads=1, outputs=None, set=None, "
                        "precision=\"fp32\")\n\n"
                        "A model loaded and planned for running. path_or_bytes: a model file, or "
                        "its bytes. threads: worker threads (1: the calling thread only). "
                        "outputs: the tensors to compute (default: the model's outputs). set: "
                        "{input name: number} fixed at load (keep_prob=1.0, is_training=0). "
                        "precision: \"fp32\" (exact), or opt-in \"bf16\" / \"int8\" weights."},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_init, session_init},
    {Py_tp_dealloc, session_dealloc},
    {Py_tp_repr, session_repr},
    {Py_tp_getset, session_getset},
    {Py_tp_methods, session_methods},
    {0, NULL},
};

static PyType_Spec session_spec = {
    .name = "frost.Session",
    .basicsize = sizeof(SessionObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = session_slots,
};

int frostpy_session_init(PyObject *module) {
    tensor_info_type = PyStructSequence_NewType(&tensor_info_desc);
    if (!tensor_info_type) return -1;
    Py_INCREF((PyObject *)tensor_info_type);
    if (PyModule_AddObject(module, "TensorInfo", (PyObject *)tensor_info_type) < 0) {
        Py_DECREF((PyObject *)tensor_info_type);
        return -1;
    }
    session_type = (PyTypeObject *)PyType_FromSpec(&session_spec);
    if (!session_type) return -1;
    Py_INCREF((PyObject *)session_type);
    if (PyModule_AddObject(module, "Session", (PyObject *)session_type) < 0) {
        Py_DECREF((PyObject *)session_type);
        return -1;
    }
    return 0;
}
